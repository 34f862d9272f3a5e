//! Reading the log back: a page of rows, newest first, and each row as a FHIR R4 AuditEvent (type `rest`
//! or DICOM "User Authentication", subtype the RESTful interaction, outcome 0 / 4 / 8, the agent with its
//! certificate subject and serial, the target reference, and the row's `seq` and `hash` as entity details).

use serde_json::{json, Map, Value};
use sqlx::{AssertSqlSafe, Row};

use super::record::{AuditRecord, Outcome, Who, WhoKind};
use super::rows::StoredRow;
use super::writer::COLUMNS;
use super::AuditError;
use crate::pipeline::instant;
use crate::store::Store;

/// One stored row: its place in the chain and the record it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: i64,
    pub record: AuditRecord,
    pub prev_hash: String,
    pub hash: String,
}

impl From<StoredRow> for AuditRow {
    fn from(row: StoredRow) -> Self {
        AuditRow {
            seq: row.seq,
            record: AuditRecord {
                recorded_ms: row.recorded_ms,
                zone: row.zone,
                channel: row.channel,
                action: row.action,
                resource_type: row.resource_type,
                target: row.target,
                who: Who {
                    kind: WhoKind::parse(&row.who_kind),
                    name: row.who_name,
                    serial: row.who_serial,
                    issuer: row.who_issuer,
                    roles: serde_json::from_str(&row.who_roles).unwrap_or_default(),
                },
                outcome: Outcome::parse(&row.outcome),
                status: row.status.and_then(|s| u16::try_from(s).ok()),
                reason: row.reason,
                source: row.source,
            },
            prev_hash: row.prev_hash,
            hash: row.hash,
        }
    }
}

/// Up to `count` rows, newest first, skipping the `offset` newest; and how many rows there are in all.
pub async fn page(
    store: &Store,
    count: usize,
    offset: usize,
) -> Result<(Vec<AuditRow>, u64), AuditError> {
    let mut conn = store.reader().await?;
    let total: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    let rows = if count == 0 {
        Vec::new()
    } else {
        let sql = format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT $1 OFFSET $2");
        sqlx::query(AssertSqlSafe(sql))
            .bind(i64::try_from(count).unwrap_or(i64::MAX))
            .bind(i64::try_from(offset).unwrap_or(i64::MAX))
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| StoredRow::decode(r).map(AuditRow::from))
            .collect::<Result<Vec<_>, _>>()?
    };
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

const AUDIT_EVENT_TYPE: &str = "http://terminology.hl7.org/CodeSystem/audit-event-type";
const DICOM: &str = "http://dicom.nema.org/resources/ontology/DCM";
const RESTFUL_INTERACTION: &str = "http://hl7.org/fhir/restful-interaction";
const SECURITY_ROLE_TYPE: &str = "http://terminology.hl7.org/CodeSystem/extra-security-role-type";
const SECURITY_SOURCE_TYPE: &str = "http://terminology.hl7.org/CodeSystem/security-source-type";
const ENTITY_TYPE: &str = "http://terminology.hl7.org/CodeSystem/audit-entity-type";

const REST_INTERACTIONS: &[&str] = &[
    "read",
    "vread",
    "update",
    "patch",
    "delete",
    "history",
    "history-instance",
    "history-type",
    "history-system",
    "create",
    "search",
    "search-type",
    "search-system",
    "capabilities",
    "transaction",
    "batch",
    "operation",
];

fn coding(system: &str, code: &str, display: &str) -> Value {
    json!({"system": system, "code": code, "display": display})
}

/// The AuditEvent action code: C, R, U, D or E (execute).
fn action_code(action: &str) -> &'static str {
    match action {
        "create" => "C",
        "read" | "vread" | "search" | "search-type" | "search-system" | "history"
        | "history-instance" | "history-type" | "history-system" | "capabilities" => "R",
        "update" | "patch" => "U",
        "delete" => "D",
        _ => "E",
    }
}

/// 0 success, 4 minor failure (refused, 4xx), 8 serious failure (5xx).
fn outcome_code(row: &AuditRecord) -> &'static str {
    match (row.outcome, row.status) {
        (_, Some(s)) if s >= 500 => "8",
        (Outcome::Refused, _) => "4",
        (_, Some(s)) if s >= 400 => "4",
        (Outcome::Failed, None) => "8",
        (Outcome::Failed, Some(_)) => "4",
        (Outcome::Allowed, _) => "0",
    }
}

/// The row as a FHIR R4 AuditEvent (id = seq).
pub fn audit_event(stored: &AuditRow) -> Value {
    let row = &stored.record;
    let mut event = Map::new();
    event.insert("resourceType".into(), json!("AuditEvent"));
    event.insert("id".into(), json!(stored.seq.to_string()));
    let handshake = row.action == "handshake";
    if handshake {
        event.insert(
            "type".into(),
            coding(DICOM, "110114", "User Authentication"),
        );
        event.insert("subtype".into(), json!([coding(DICOM, "110122", "Login")]));
    } else if row.channel == "fhir-rest" {
        event.insert(
            "type".into(),
            coding(AUDIT_EVENT_TYPE, "rest", "RESTful Operation"),
        );
        if REST_INTERACTIONS.contains(&row.action.as_str()) {
            event.insert(
                "subtype".into(),
                json!([{"system": RESTFUL_INTERACTION, "code": row.action}]),
            );
        }
    } else {
        event.insert(
            "type".into(),
            coding(DICOM, "110100", "Application Activity"),
        );
    }
    event.insert("action".into(), json!(action_code(&row.action)));
    event.insert("recorded".into(), json!(instant(row.recorded_ms)));
    event.insert("outcome".into(), json!(outcome_code(row)));
    let desc = match (&row.reason, row.status) {
        (Some(reason), _) => Some(reason.clone()),
        (None, Some(status)) if status >= 400 => Some(format!("http-{status}")),
        _ => None,
    };
    if let Some(desc) = desc {
        event.insert("outcomeDesc".into(), json!(desc));
    }
    event.insert("agent".into(), json!([agent(row)]));
    let mut source = json!({"observer": {"display": format!("Kakehashi {} zone", row.zone)}});
    if row.channel == "fhir-rest" {
        source["type"] = json!([coding(SECURITY_SOURCE_TYPE, "3", "Web Server")]);
    } else {
        source["type"] = json!([coding(SECURITY_SOURCE_TYPE, "4", "Application Server")]);
    }
    event.insert("source".into(), source);
    let mut entity = json!({
        "type": coding(ENTITY_TYPE, "2", "System Object"),
        "detail": [
            {"type": "seq", "valueString": stored.seq.to_string()},
            {"type": "hash", "valueString": stored.hash},
            {"type": "prev-hash", "valueString": stored.prev_hash},
        ]
    });
    if let Some(target) = &row.target {
        entity["what"] = json!({"reference": target});
    } else if let Some(resource_type) = &row.resource_type {
        entity["what"] = json!({"display": resource_type});
    }
    event.insert("entity".into(), json!([entity]));
    Value::Object(event)
}

fn agent(row: &AuditRecord) -> Value {
    let who = &row.who;
    let agent_type = match who.kind {
        WhoKind::Doctor => coding(SECURITY_ROLE_TYPE, "humanuser", "human user"),
        WhoKind::Service => coding(DICOM, "110150", "Application"),
        WhoKind::Network | WhoKind::Unknown => coding(DICOM, "110153", "Source Role ID"),
    };
    let mut agent = json!({"type": {"coding": [agent_type]}, "requestor": true});
    let mut reference = Map::new();
    if !who.name.is_empty() {
        reference.insert("display".into(), json!(who.name));
    }
    if let Some(serial) = &who.serial {
        let mut identifier = json!({"value": serial});
        if let Some(issuer) = &who.issuer {
            identifier["assigner"] = json!({"display": issuer});
        }
        reference.insert("identifier".into(), identifier);
    }
    if !reference.is_empty() {
        agent["who"] = Value::Object(reference);
    }
    if !who.roles.is_empty() {
        agent["role"] = Value::Array(who.roles.iter().map(|r| json!({"text": r})).collect());
    }
    if let Some(source) = &row.source {
        // `ip:port`; the network address is the IP (type 2), the port is dropped.
        let address = source
            .parse::<std::net::SocketAddr>()
            .map(|a| a.ip().to_string())
            .unwrap_or_else(|_| source.clone());
        agent["network"] = json!({"address": address, "type": "2"});
    }
    agent
}

#[cfg(test)]
mod tests {
    use super::*;
    use kakehashi_mappings::fhir::canonicalise;

    fn row(action: &str, outcome: Outcome, status: Option<u16>) -> AuditRow {
        AuditRow {
            seq: 17,
            record: AuditRecord {
                recorded_ms: 1_764_000_000_123,
                zone: "consultation".into(),
                channel: if action == "handshake" {
                    "tls"
                } else {
                    "fhir-rest"
                }
                .into(),
                action: action.into(),
                resource_type: Some("Patient".into()),
                target: Some("Patient/abc".into()),
                who: Who {
                    kind: WhoKind::Doctor,
                    name: "CN=Doctor A,O=Clinic,C=JP".into(),
                    serial: Some("0a1b2c".into()),
                    issuer: Some("CN=HPKI CA,C=JP".into()),
                    roles: vec!["Medical Doctor".into()],
                },
                outcome,
                status,
                reason: (outcome == Outcome::Refused).then(|| "policy-denied".to_string()),
                source: Some("192.0.2.7:51000".into()),
            },
            prev_hash: "0".repeat(64),
            hash: "ab".repeat(32),
        }
    }

    #[test]
    fn every_shape_passes_the_typed_r4_check() {
        let mut rows = vec![
            row("read", Outcome::Allowed, Some(200)),
            row("create", Outcome::Failed, Some(422)),
            row("delete", Outcome::Failed, Some(503)),
            row("search", Outcome::Refused, Some(403)),
            row("handshake", Outcome::Refused, None),
            row("transaction", Outcome::Allowed, Some(200)),
        ];
        let mut bare = row("capabilities", Outcome::Allowed, Some(200));
        bare.record.who = Who {
            kind: WhoKind::Unknown,
            ..Who::default()
        };
        bare.record.target = None;
        bare.record.resource_type = None;
        bare.record.source = Some("not an address".into());
        rows.push(bare);
        for r in &rows {
            let event = audit_event(r);
            if let Err(issue) = canonicalise(&event) {
                panic!("{} is not a valid AuditEvent: {issue:?}", event);
            }
        }
    }

    #[test]
    fn rest_read_maps_to_the_documented_codes() {
        let e = audit_event(&row("read", Outcome::Allowed, Some(200)));
        assert_eq!(e["resourceType"], "AuditEvent");
        assert_eq!(e["id"], "17");
        assert_eq!(e["type"]["code"], "rest");
        assert_eq!(e["type"]["system"], AUDIT_EVENT_TYPE);
        assert_eq!(e["subtype"][0]["system"], RESTFUL_INTERACTION);
        assert_eq!(e["subtype"][0]["code"], "read");
        assert_eq!(e["action"], "R");
        assert_eq!(e["recorded"], "2025-11-24T16:00:00.123Z");
        assert_eq!(e["outcome"], "0");
        assert!(e.get("outcomeDesc").is_none());
        let agent = &e["agent"][0];
        assert_eq!(agent["who"]["display"], "CN=Doctor A,O=Clinic,C=JP");
        assert_eq!(agent["who"]["identifier"]["value"], "0a1b2c");
        assert_eq!(agent["requestor"], true);
        assert_eq!(agent["network"]["address"], "192.0.2.7");
        assert_eq!(
            e["source"]["observer"]["display"],
            "Kakehashi consultation zone"
        );
        assert_eq!(e["entity"][0]["what"]["reference"], "Patient/abc");
        assert_eq!(e["entity"][0]["detail"][0]["valueString"], "17");
        assert_eq!(e["entity"][0]["detail"][1]["valueString"], "ab".repeat(32));
    }

    #[test]
    fn outcomes_and_actions() {
        let refused = audit_event(&row("search", Outcome::Refused, Some(403)));
        assert_eq!(refused["outcome"], "4");
        assert_eq!(refused["outcomeDesc"], "policy-denied");
        assert_eq!(
            audit_event(&row("create", Outcome::Failed, Some(422)))["outcome"],
            "4"
        );
        assert_eq!(
            audit_event(&row("update", Outcome::Failed, Some(500)))["outcome"],
            "8"
        );
        let handshake = audit_event(&row("handshake", Outcome::Refused, None));
        assert_eq!(handshake["type"]["system"], DICOM);
        assert_eq!(handshake["type"]["code"], "110114");
        assert_eq!(handshake["action"], "E");
        for (action, code) in [
            ("create", "C"),
            ("vread", "R"),
            ("history", "R"),
            ("update", "U"),
            ("delete", "D"),
            ("batch", "E"),
            ("operation", "E"),
        ] {
            assert_eq!(action_code(action), code, "{action}");
        }
    }
}
