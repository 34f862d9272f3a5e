//! A pharmacy retrieves a prescription by its exchange number and the patient's birth date (issue #7):
//! served once per dispensing (the prescription is held by that pharmacy until it posts the result),
//! failed look-ups counted against the client for the rate limit, one answer for "no such number" and
//! "wrong birth date" so that neither can be told from the other.

use std::net::IpAddr;

use kakehashi_mappings::{Issue, IssueCode};

use super::{client_keys, dispenser_of, Hub, HubError};
use crate::pipeline::{now_ms, FhirError};
use crate::store::eprescriptions::StoredPrescription;
use crate::zones::identity::Identity;

/// What a look-up names.
pub struct LookUp<'a> {
    pub exchange_number: &'a str,
    pub birth_date: &'a str,
    /// The client's address, for the rate limit.
    pub peer: Option<IpAddr>,
}

impl Hub {
    /// The prescription's id and its document (Bundle JSON) for a pharmacy, which now holds it for
    /// dispensing.
    pub async fn retrieve(
        &self,
        q: &LookUp<'_>,
        who: &Identity,
    ) -> Result<(String, String), HubError> {
        check_number(q.exchange_number)?;
        if !is_date(q.birth_date) {
            return Err(HubError::invalid(
                "malformed-birthdate",
                "birthdate must be the patient's birth date as YYYY-MM-DD.",
            ));
        }
        let prescription = self
            .find(q.exchange_number, Some(q.birth_date), q.peer, who)
            .await?;
        // The store's conditional update decides (another pharmacy may be served meanwhile).
        let held = self
            .store
            .eprescription_begin_dispensing(&prescription.id, &dispenser_of(who), now_ms())
            .await?;
        if !held {
            return Err(HubError::new(
                FhirError::conflict(
                    "This prescription is being dispensed; it is served again only after that \
                     dispensing's result has been posted.",
                ),
                "being-dispensed",
            ));
        }
        Ok((prescription.id, prescription.document))
    }

    /// The prescription holding `number` (and, when given, the patient's birth date), counting a miss
    /// against the client; refused outright while the client is over its limit.
    pub(super) async fn find(
        &self,
        number: &str,
        birth_date: Option<&str>,
        peer: Option<IpAddr>,
        who: &Identity,
    ) -> Result<StoredPrescription, HubError> {
        let keys = client_keys(who, peer);
        let now = now_ms();
        if let Some(seconds) = self.limiter.refused(&keys, now) {
            return Err(HubError {
                error: FhirError::new(
                    429,
                    Issue::error(
                        IssueCode::Throttled,
                        format!("Too many failed look-ups; retry in {seconds} s."),
                    ),
                ),
                reason: "rate-limited",
                retry_after: Some(seconds),
            });
        }
        let found = self.store.eprescription_by_number(number).await?;
        match found {
            Some(p) if birth_date.is_none_or(|b| b == p.birth_date) => Ok(p),
            _ => {
                self.limiter.failed(&keys, now);
                Err(HubError::new(
                    FhirError::not_found(
                        "No open prescription has this exchange number and birth date.",
                    ),
                    "no-such-prescription",
                ))
            }
        }
    }
}

/// 引換番号: six ASCII digits.
pub(super) fn check_number(number: &str) -> Result<(), HubError> {
    if number.len() == 6 && number.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(HubError::invalid(
            "malformed-exchange-number",
            "exchange-number must be the prescription's 6-digit exchange number (引換番号).",
        ))
    }
}

/// A calendar date written YYYY-MM-DD (chrono would also take `1980-2-29`, hence the length).
fn is_date(text: &str) -> bool {
    text.len() == 10 && chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_dates_are_checked() {
        assert!(check_number("012345").is_ok());
        for bad in ["12345", "1234567", "12a456", "１２３４５６", ""] {
            assert!(check_number(bad).is_err(), "{bad}");
        }
        assert!(is_date("1980-02-29"));
        for bad in [
            "1980-2-29",
            "1980-13-01",
            "1980-00-10",
            "19800229",
            "1980-01-32",
            "ab",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
    }
}
