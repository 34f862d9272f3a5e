//! 同意 → a transaction Bundle with the Consent (no JP Core profile: JP_Consent is an empty placeholder
//! outside the 1.1.1 package) and its Patient and explaining doctor: status as given, scope
//! `treatment` for the consent to online care and `patient-privacy` for the others, the kind as
//! category (Kakehashi code, Japanese display), the patient as performer, the doctor's institution as
//! organization, the guideline as policyRule, provision with the period and the recording terms /
//! attendee as Kakehashi extensions, and the method, explained items, doctor and note as Kakehashi
//! extensions on the Consent.

use serde_json::Value;

use super::bundle::Transaction;
use super::codes::display;
use super::items::children;
use super::names::{code_system, CONSENT_ID_SYSTEM, CONSENT_POLICY, CONSENT_SCOPE};
use super::narrative::{escape, member, text};
use super::{extensions, MapContext};
use crate::build_json;
use crate::consultation::model::{Consent, ConsentKind};

/// The members carried on Consent.provision rather than on the Consent.
pub const ON_PROVISION: [&str; 2] = ["recording", "attendee"];

pub fn consent_to_fhir(consent: &Consent, ctx: &MapContext) -> Value {
    let mut tx = Transaction::new("consent", &consent.consent_id, &consent.patient, ctx);
    let patient = tx.patient();
    let organization = consent
        .doctor
        .as_ref()
        .and_then(|d| d.institution.as_ref())
        .map(|i| tx.organization(i));
    let native = serde_json::to_value(consent).unwrap_or_default();
    let on_consent = extensions::members("consent", &native, &ON_PROVISION, &mut tx);
    let mut on_provision = Vec::new();
    for name in ON_PROVISION {
        if let Some(value) = native.get(name) {
            on_provision.extend(extensions::member("consent", name, value, &mut tx));
        }
    }
    let period = consent
        .period
        .as_ref()
        .map(|p| build_json!({"start": &p.start, "end": p.end.as_deref()}));
    let kind = consent.kind;
    let resource = build_json!({
        "resourceType": "Consent",
        "id": super::consent_id(&consent.consent_id),
        "text": text(&narrative(consent, &native)),
        "extension": on_consent,
        "identifier": [{"system": CONSENT_ID_SYSTEM, "value": &consent.consent_id}],
        "status": &consent.status,
        "scope": {"coding": [{"system": CONSENT_SCOPE, "code": scope(kind)}]},
        "category": [{"coding": [{"system": code_system("consent-kind"), "code": kind.code(), "display": kind.display()}]}],
        "patient": {"reference": &patient},
        "dateTime": &consent.date_time,
        "performer": [{"reference": &patient}],
        "organization": organization.map(|r| build_json!([{"reference": r}])),
        "policyRule": {"text": CONSENT_POLICY},
        "provision": {"extension": on_provision, "type": "permit", "period": period},
    });
    tx.put(resource);
    tx.finish()
}

/// The FHIR consent scope of a kind: care itself, or the handling of the patient's information.
pub fn scope(kind: ConsentKind) -> &'static str {
    match kind {
        ConsentKind::OnlineConsultation => "treatment",
        ConsentKind::SecurityRisk
        | ConsentKind::Recording
        | ConsentKind::ThirdPartyAttendance
        | ConsentKind::RegionalNetworkSharing => "patient-privacy",
    }
}

fn narrative(consent: &Consent, native: &Value) -> String {
    let mut items = vec![
        format!("種類: {}", escape(consent.kind.display())),
        format!(
            "状態: {}",
            escape(&display("consent-status", &consent.status))
        ),
        format!("同意日時: {}", escape(&consent.date_time)),
    ];
    if let Some(p) = &consent.period {
        items.push(format!(
            "有効期間: {} ～ {}",
            escape(&p.start),
            escape(p.end.as_deref().unwrap_or(""))
        ));
    }
    for row in children("consent") {
        if let Some(value) = native.get(row.name()) {
            items.push(format!(
                "{}: {}",
                escape(&row.label_ja),
                member(&row.path, value)
            ));
        }
    }
    let lis: String = items.iter().map(|i| format!("<li>{i}</li>")).collect();
    format!("<ul>{lis}</ul>")
}
