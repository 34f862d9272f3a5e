//! Ingest on a real SQLite store: accept, duplicate, reject, cancel, and the group commit's fallback.

use std::sync::Arc;

use kakehashi_mappings::hl7v2::charset::{self, Charset};
use kakehashi_mappings::validate::Options;
use sqlx::Row;

use super::*;
use crate::config::ValidationMode;
use crate::pipeline::validation::{build_validator, Validation};
use crate::pipeline::Paging;
use crate::store::Store;

pub(crate) fn adt(control_id: &str, patient: &str, family: &str) -> Vec<u8> {
    let text = format!(
        "MSH|^~\\&|HIS|1319999999|GW|1319999999|20261202093015||ADT^A08^ADT_A01|{control_id}|P|2.5||||||~ISO IR87||ISO 2022-1994\r\
         EVN||20261202093015\r\
         PID|||{patient}^^^^PI||{family}^太郎^^^^^L^I~カンジャ^タロウ^^^^^L^P||19791101|M\r"
    );
    charset::encode(&text, Charset::Iso2022Jp).unwrap()
}

async fn setup() -> (tempfile::TempDir, Store, Hl7v2) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("k.db").display());
    let store = Store::open(&url, 4).await.unwrap();
    let fhir = Fhir {
        store: store.clone(),
        paging: Paging {
            default_count: 50,
            max_count: 100,
        },
        validation: Validation {
            validator: build_validator(&[]).unwrap(),
            mode: ValidationMode::Enforce,
            options: Arc::new(Options::default()),
        },
    };
    (dir, store, Hl7v2::new(fhir, Hl7v2Limits::default()))
}

async fn count(store: &Store, sql: &'static str) -> i64 {
    let mut conn = store.reader().await.unwrap();
    sqlx::query(sql)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .get::<i64, _>(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepted_then_duplicate_then_unchanged_resend() {
    let (_dir, store, hl7v2) = setup().await;
    let first = hl7v2
        .ingest(Inbound::network(
            adt("M1", "1000000001", "患者"),
            Channel::Mllp,
        ))
        .await;
    let Disposition::Accepted { ack, resources, .. } = &first else {
        panic!("{first:?}");
    };
    assert!(*resources >= 3);
    assert_eq!(first.msa1(), "AA");
    assert!(ack.contains("MSA|AA|M1"));
    let again = hl7v2
        .ingest(Inbound::network(
            adt("M1", "1000000001", "患者"),
            Channel::Mllp,
        ))
        .await;
    assert!(
        matches!(&again, Disposition::Duplicate { ack: a } if a == ack),
        "{again:?}"
    );
    // The same content under a new MSH-10: a new message row, but no new resource versions.
    let versions = "SELECT COUNT(*) FROM resource_versions WHERE resource_type = 'Patient'";
    let resent = hl7v2
        .ingest(Inbound::network(
            adt("M2", "1000000001", "患者"),
            Channel::Mllp,
        ))
        .await;
    assert_eq!(resent.outcome(), "accepted");
    assert_eq!(count(&store, versions).await, 1);
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM hl7v2_messages").await,
        2
    );
    // Changed content: a second version.
    let changed = hl7v2
        .ingest(Inbound::network(
            adt("M3", "1000000001", "山田"),
            Channel::Mllp,
        ))
        .await;
    assert_eq!(changed.outcome(), "accepted");
    assert_eq!(count(&store, versions).await, 2);
    let sender: String = {
        let mut conn = store.reader().await.unwrap();
        sqlx::query("SELECT sender FROM hl7v2_messages WHERE control_id = 'M1'")
            .fetch_one(&mut *conn)
            .await
            .unwrap()
            .get(0)
    };
    assert_eq!(sender, "HIS|1319999999");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_and_unsupported_types_store_nothing() {
    let (_dir, store, hl7v2) = setup().await;
    let no_pid = b"MSH|^~\\&|HIS|1319999999|GW|1319999999|20261202093015||ADT^A08^ADT_A01|E1|P|2.5\rEVN||20261202093015\r".to_vec();
    let rejected = hl7v2.ingest(Inbound::network(no_pid, Channel::Http)).await;
    assert_eq!(rejected.msa1(), "AE", "{rejected:?}");
    assert!(
        rejected.ack().contains("\rERR||PID^1|100^"),
        "{}",
        rejected.ack()
    );
    let unsupported =
        b"MSH|^~\\&|HIS|1319999999|GW|1319999999|20261202093015||ZZZ^Z99|U1|P|2.5\r".to_vec();
    let rejected = hl7v2
        .ingest(Inbound::network(unsupported, Channel::Http))
        .await;
    assert_eq!(rejected.msa1(), "AR", "{rejected:?}");
    assert!(rejected
        .ack()
        .contains("|200^Unsupported message type^HL70357|"));
    let event =
        b"MSH|^~\\&|HIS|1319999999|GW|1319999999|20261202093015||ADT^A99|U2|P|2.5\r".to_vec();
    let rejected = hl7v2.ingest(Inbound::network(event, Channel::Http)).await;
    assert_eq!(rejected.msa1(), "AR", "{rejected:?}");
    assert!(
        rejected
            .ack()
            .contains("ERR||MSH^1^9^^2|201^Unsupported event code^HL70357|"),
        "{}",
        rejected.ack()
    );
    let garbage = hl7v2
        .ingest(Inbound::network(b"\x00\x01garbage".to_vec(), Channel::Http))
        .await;
    assert_eq!(garbage.msa1(), "AR");
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM hl7v2_messages").await,
        0
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM resource_versions").await,
        0
    );
    assert!(hl7v2
        .check(&Inbound::network(adt("C1", "1", "患者"), Channel::Ssmix2))
        .is_ok());
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM hl7v2_messages").await,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_file_retires_the_resources_but_keeps_header_and_provenance() {
    let (_dir, store, hl7v2) = setup().await;
    hl7v2
        .ingest(Inbound::network(adt("D1", "7", "患者"), Channel::Ssmix2))
        .await;
    let deleted = Inbound {
        state: MessageState::Deleted,
        ..Inbound::network(adt("D2", "7", "患者"), Channel::Ssmix2)
    };
    assert_eq!(hl7v2.ingest(deleted).await.outcome(), "accepted");
    assert_eq!(
        count(
            &store,
            "SELECT deleted FROM resources WHERE resource_type = 'Patient'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM resources WHERE resource_type = 'MessageHeader' AND deleted = 0"
        )
        .await,
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_superseded_file_stores_only_its_row() {
    let (_dir, store, hl7v2) = setup().await;
    let superseded = Inbound {
        state: MessageState::Superseded,
        file_name: Some("1000000001_ADT-00_20261202093015000_01_2".into()),
        ..Inbound::network(adt("S1", "8", "患者"), Channel::Ssmix2)
    };
    assert_eq!(hl7v2.ingest(superseded).await.outcome(), "accepted");
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM resource_versions").await,
        0
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM hl7v2_messages WHERE state = 'superseded' AND channel = 'ssmix2' AND file_name IS NOT NULL").await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_message_in_a_batch_does_not_lose_the_others() {
    let (_dir, store, hl7v2) = setup().await;
    {
        let mut conn = store.writer().await.unwrap();
        sqlx::query("CREATE TRIGGER refuse BEFORE INSERT ON hl7v2_messages WHEN NEW.control_id = 'BAD' BEGIN SELECT RAISE(ABORT, 'refused'); END")
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    let (jobs, answers) = jobs_of(
        &hl7v2,
        ["G1", "BAD", "G2"]
            .iter()
            .enumerate()
            .map(|(i, id)| adt(id, &format!("9{i}"), "患者")),
    );
    batch::write_batch(&store, jobs).await;
    let results: Vec<bool> = futures_results(answers).await;
    assert_eq!(results, [true, false, true]);
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM hl7v2_messages").await,
        2
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM resources WHERE resource_type = 'Patient'"
        )
        .await,
        2
    );
}

/// The writer's jobs for `messages` (checked as MLLP input), and the receivers of their answers.
fn jobs_of(
    hl7v2: &Hl7v2,
    messages: impl Iterator<Item = Vec<u8>>,
) -> (Vec<batch::Job>, Vec<oneshot::Receiver<batch::Answer>>) {
    let mut jobs = Vec::new();
    let mut answers = Vec::new();
    for raw in messages {
        let inbound = Inbound::network(raw, Channel::Mllp);
        let ready = check::prepare(hl7v2, &inbound, now_ms()).unwrap();
        let (answer, answered) = oneshot::channel();
        jobs.push(batch::Job {
            ready: Box::new(ready),
            audit: None,
            answer,
        });
        answers.push(answered);
    }
    (jobs, answers)
}

async fn futures_results(answers: Vec<oneshot::Receiver<batch::Answer>>) -> Vec<bool> {
    let mut out = Vec::new();
    for a in answers {
        out.push(matches!(a.await, Ok((Ok(Written::Stored { .. }), _))));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_group_applies_its_messages_in_order() {
    let (_dir, store, hl7v2) = setup().await;
    // Same patient four times in one group: a new version only when the name changes; the same MSH-10
    // twice in the group is a duplicate of the first.
    let messages = [
        ("G1", "山田"),
        ("G2", "山田"),
        ("G3", "佐藤"),
        ("G3", "佐藤"),
        ("G4", "山田"),
    ];
    let (jobs, answers) = jobs_of(
        &hl7v2,
        messages.iter().map(|(id, family)| adt(id, "42", family)),
    );
    batch::write_batch(&store, jobs).await;
    let mut kinds = Vec::new();
    for a in answers {
        kinds.push(match a.await.unwrap().0.unwrap() {
            Written::Stored { .. } => "stored",
            Written::Duplicate { .. } => "duplicate",
        });
    }
    assert_eq!(kinds, ["stored", "stored", "stored", "duplicate", "stored"]);
    let mut conn = store.reader().await.unwrap();
    let versions: Vec<(i64, String)> = sqlx::query(
        "SELECT version_id, content FROM resource_versions WHERE resource_type = 'Patient' ORDER BY version_id",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    assert_eq!(versions.len(), 3, "山田, 佐藤, 山田 again");
    assert!(versions[1].1.contains("佐藤") && versions[1].1.contains("\"versionId\":\"2\""));
    assert!(versions[2].1.contains("山田") && versions[2].1.contains("\"versionId\":\"3\""));
    let head: i64 = sqlx::query("SELECT version_id FROM resources WHERE resource_type = 'Patient'")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .get(0);
    assert_eq!(head, 3);
    // One set of index rows: the final version's.
    let family_rows: i64 = sqlx::query(
        "SELECT COUNT(*) FROM search_tokens WHERE resource_type = 'Patient' AND param = 'identifier'",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap()
    .get(0);
    assert_eq!(family_rows, 1);
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM hl7v2_messages").await,
        4
    );
}

fn audit_of(label: &'static str) -> AuditOf {
    Arc::new(move |d: &Disposition| crate::audit::AuditRecord {
        recorded_ms: now_ms(),
        zone: "hospital".into(),
        channel: "mllp".into(),
        action: "hl7v2".into(),
        resource_type: None,
        target: Some(format!("hl7v2/{label}")),
        who: crate::audit::Who::default(),
        outcome: crate::audit::Outcome::Allowed,
        status: None,
        reason: Some(d.outcome().into()),
        source: None,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_rows_in_the_message_transaction_keep_one_chain() {
    let (_dir, store, hl7v2) = setup().await;
    let log = crate::audit::AuditLog::start(store.clone());
    let mut tasks = Vec::new();
    for i in 0..24 {
        let hl7v2 = hl7v2.clone();
        tasks.push(tokio::spawn(async move {
            let id = format!("A{i}");
            let raw = adt(&id, &format!("20000000{i:02}"), "患者");
            hl7v2
                .ingest_audited(Inbound::network(raw, Channel::Mllp), audit_of("m"))
                .await
        }));
        // The audit writer's own rows interleave with the ingest transactions' rows.
        let mut record = audit_of("w")(&Disposition::Duplicate { ack: String::new() });
        record.channel = "fhir-rest".into();
        log.record(record).await.unwrap();
    }
    for task in tasks {
        let (disposition, audited) = task.await.unwrap();
        assert_eq!(disposition.outcome(), "accepted");
        assert!(audited);
    }
    // A duplicate is audited in its transaction too; a rejected message is not (the caller records it).
    let (again, audited) = hl7v2
        .ingest_audited(
            Inbound::network(adt("A0", "2000000000", "患者"), Channel::Mllp),
            audit_of("m"),
        )
        .await;
    assert_eq!((again.outcome(), audited), ("duplicate", true));
    let (rejected, audited) = hl7v2
        .ingest_audited(
            Inbound::network(b"\x00garbage".to_vec(), Channel::Mllp),
            audit_of("m"),
        )
        .await;
    assert_eq!((rejected.outcome(), audited), ("rejected", false));
    log.record(audit_of("w")(&rejected)).await.unwrap();
    log.shutdown().await;
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM audit_log WHERE channel = 'mllp' AND target = 'hl7v2/m'"
        )
        .await,
        25
    );
    assert_eq!(count(&store, "SELECT COUNT(*) FROM audit_log").await, 50);
    let report = crate::audit::verify_chain(&store).await.unwrap();
    assert!(report.intact, "{:?}", report.problem);
    assert_eq!(report.rows, 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resource_checked_before_is_stamped_with_its_own_time() {
    let (_dir, _store, hl7v2) = setup().await;
    let first = hl7v2
        .check(&Inbound::network(
            adt("C1", "3000000001", "患者"),
            Channel::Mllp,
        ))
        .unwrap();
    let inbound = Inbound::network(adt("C1", "3000000001", "患者"), Channel::Mllp);
    let a = check::prepare(&hl7v2, &inbound, 1_000).ok().unwrap();
    let b = check::prepare(&hl7v2, &inbound, 2_000).ok().unwrap();
    assert!(!first.resources.is_empty());
    assert_eq!(a.writes.len(), b.writes.len());
    for (x, y) in a.writes.iter().zip(&b.writes) {
        let x: serde_json::Value = serde_json::from_str(&x.prepared.content).unwrap();
        let y: serde_json::Value = serde_json::from_str(&y.prepared.content).unwrap();
        assert_eq!(x["meta"]["versionId"], "1");
        assert_eq!(y["meta"]["versionId"], "1");
        assert_eq!(x["meta"]["lastUpdated"], crate::pipeline::instant(1_000));
        assert_eq!(y["meta"]["lastUpdated"], crate::pipeline::instant(2_000));
        let strip = |mut v: serde_json::Value| {
            v["meta"].as_object_mut().unwrap().remove("lastUpdated");
            v
        };
        assert_eq!(strip(x), strip(y));
    }
}

/// A store that refuses the write: AR (so the sender retries) built from the message's MSH, and nothing
/// of the message left behind (its resources were written before the refused row, and rolled back).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_write_is_answered_ar_and_leaves_nothing() {
    let (_dir, store, hl7v2) = setup().await;
    let mut conn = store.writer().await.unwrap();
    sqlx::query(
        "CREATE TRIGGER refuse BEFORE INSERT ON hl7v2_messages BEGIN SELECT RAISE(ABORT, 'refused'); END",
    )
    .execute(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    let failed = hl7v2
        .ingest(Inbound::network(
            adt("F1", "1000000009", "患者"),
            Channel::Mllp,
        ))
        .await;
    let Disposition::Failed { ack, reason } = &failed else {
        panic!("{failed:?}");
    };
    assert_eq!(failed.msa1(), "AR");
    assert!(ack.contains("MSA|AR|F1"), "{ack}");
    assert!(ack.contains("send it again later"), "{ack}");
    assert!(
        ack.contains("~ISO IR87"),
        "the AR keeps the sender's MSH-18: {ack}"
    );
    assert!(
        !reason.contains("1000000009"),
        "no patient number in {reason}"
    );
    assert_eq!(count(&store, "SELECT COUNT(*) FROM resources").await, 0);
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM hl7v2_messages").await,
        0
    );
}
