//! The e-prescription hub's rows (issue #7): prescriptions stored under a 6-digit exchange number
//! (引換番号) that is unique among the prescriptions not yet closed, their state (open → dispensing →
//! open … → closed) and the dispensing results posted back by pharmacies.

use sqlx::Row;

use super::{Store, StoreError};

/// A prescription to store.
#[derive(Debug, Clone)]
pub struct NewPrescription<'a> {
    pub id: &'a str,
    pub birth_date: &'a str,
    pub record_id: Option<&'a str>,
    pub dispensings_allowed: i64,
    pub signer: &'a str,
    pub document: &'a str,
    pub signed_xml: &'a str,
    pub now_ms: i64,
}

/// The outcome of [`Store::eprescription_insert`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    /// Stored under this exchange number.
    New(String),
    /// A prescription with this id is on record already, under this exchange number.
    Existing(String),
}

/// Where a prescription is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrescriptionState {
    /// Waiting for a pharmacy (again, for the next of several split dispensings).
    Open,
    /// Served to a pharmacy; its dispensing result has not come back yet.
    Dispensing,
    /// Every dispensing is done.
    Closed,
}

impl PrescriptionState {
    pub fn as_str(self) -> &'static str {
        match self {
            PrescriptionState::Open => "open",
            PrescriptionState::Dispensing => "dispensing",
            PrescriptionState::Closed => "closed",
        }
    }

    fn parse(text: &str) -> Result<PrescriptionState, StoreError> {
        match text {
            "open" => Ok(PrescriptionState::Open),
            "dispensing" => Ok(PrescriptionState::Dispensing),
            "closed" => Ok(PrescriptionState::Closed),
            other => Err(StoreError::Corrupt(format!(
                "eprescriptions.state {other:?}"
            ))),
        }
    }
}

/// A stored prescription that is not closed.
#[derive(Debug, Clone)]
pub struct StoredPrescription {
    pub id: String,
    pub exchange_number: String,
    pub state: PrescriptionState,
    pub birth_date: String,
    pub record_id: Option<String>,
    pub dispensings_allowed: i64,
    pub dispensings_done: i64,
    pub document: String,
}

/// How many exchange numbers are drawn before giving up (each draw collides with probability
/// open prescriptions / 1,000,000).
const DRAWS: usize = 32;

impl Store {
    /// Stores `p` under an exchange number from `draw` (called again while the number drawn is held by
    /// another prescription that is not closed). The same prescription id again stores nothing.
    pub async fn eprescription_insert(
        &self,
        p: &NewPrescription<'_>,
        mut draw: impl FnMut() -> String,
    ) -> Result<Inserted, StoreError> {
        for _ in 0..DRAWS {
            if let Some(number) = self.eprescription_number_of(p.id).await? {
                return Ok(Inserted::Existing(number));
            }
            let number = draw();
            let mut writer = self.writer().await?;
            let inserted = sqlx::query(
                "INSERT INTO eprescriptions (id, exchange_number, state, birth_date, record_id, \
                 dispensings_allowed, dispensings_done, signer, created_ms, updated_ms, document, \
                 signed_xml) VALUES ($1, $2, 'open', $3, $4, $5, 0, $6, $7, $7, $8, $9)",
            )
            .bind(p.id)
            .bind(&number)
            .bind(p.birth_date)
            .bind(p.record_id)
            .bind(p.dispensings_allowed)
            .bind(p.signer)
            .bind(p.now_ms)
            .bind(p.document)
            .bind(p.signed_xml)
            .execute(&mut *writer)
            .await
            .map_err(StoreError::from);
            match inserted {
                Ok(_) => return Ok(Inserted::New(number)),
                // The number is taken (or the id was stored meanwhile: the next turn finds it).
                Err(e) if e.is_unique_violation() => continue,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Unavailable(
            "no free exchange number after 32 draws".into(),
        ))
    }

    async fn eprescription_number_of(&self, id: &str) -> Result<Option<String>, StoreError> {
        let mut conn = self.reader().await?;
        let row = sqlx::query("SELECT exchange_number FROM eprescriptions WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    /// The prescription that holds `exchange_number` and is not closed.
    pub async fn eprescription_by_number(
        &self,
        exchange_number: &str,
    ) -> Result<Option<StoredPrescription>, StoreError> {
        let mut conn = self.reader().await?;
        let row = sqlx::query(
            "SELECT id, exchange_number, state, birth_date, record_id, dispensings_allowed, \
             dispensings_done, document FROM eprescriptions \
             WHERE exchange_number = $1 AND state <> 'closed'",
        )
        .bind(exchange_number)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(StoredPrescription {
            id: row.get(0),
            exchange_number: row.get(1),
            state: PrescriptionState::parse(&row.get::<String, _>(2))?,
            birth_date: row.get(3),
            record_id: row.get(4),
            dispensings_allowed: row.get(5),
            dispensings_done: row.get(6),
            document: row.get(7),
        }))
    }

    /// open → dispensing by `dispenser`; false when the prescription was not open (another pharmacy
    /// holds it, or it closed meanwhile).
    pub async fn eprescription_begin_dispensing(
        &self,
        id: &str,
        dispenser: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut writer = self.writer().await?;
        let done = sqlx::query(
            "UPDATE eprescriptions SET state = 'dispensing', dispenser = $2, updated_ms = $3 \
             WHERE id = $1 AND state = 'open'",
        )
        .bind(id)
        .bind(dispenser)
        .bind(now_ms)
        .execute(&mut *writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records the dispensing result of a prescription being dispensed by `dispenser`, in one
    /// transaction: dispensing → open (more split dispensings to come) or closed. None when it was not
    /// being dispensed by `dispenser`.
    pub async fn eprescription_record_dispensing(
        &self,
        id: &str,
        dispenser: &str,
        result: &str,
        now_ms: i64,
    ) -> Result<Option<PrescriptionState>, StoreError> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT dispensings_allowed, dispensings_done FROM eprescriptions \
             WHERE id = $1 AND state = 'dispensing' AND dispenser = $2",
        )
        .bind(id)
        .bind(dispenser)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let (allowed, done): (i64, i64) = (row.get(0), row.get(1));
        let seq = done + 1;
        let next = if seq >= allowed {
            PrescriptionState::Closed
        } else {
            PrescriptionState::Open
        };
        let changed = sqlx::query(
            "UPDATE eprescriptions SET state = $2, dispensings_done = $3, updated_ms = $4, \
             dispenser = NULL WHERE id = $1 AND state = 'dispensing'",
        )
        .bind(id)
        .bind(next.as_str())
        .bind(seq)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() != 1 {
            return Ok(None);
        }
        sqlx::query(
            "INSERT INTO eprescription_dispensings (prescription_id, seq, recorded_ms, pharmacist, \
             result) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(seq)
        .bind(now_ms)
        .bind(dispenser)
        .bind(result)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(next))
    }
}
