//! Submitting a native document: schema → doctor = certificate → guideline rules → FHIR transaction
//! Bundle (with the warnings as DetectedIssue resources) → the zone's transaction path.

use kakehashi_mappings::consultation::model::{CarePlan, Consent, ConsultationRecord};
use kakehashi_mappings::consultation::schema::{self, Format};
use kakehashi_mappings::consultation::{self as mapping, MapContext};
use kakehashi_mappings::rules::{self, RecordContext};
use kakehashi_mappings::v2_to_fhir::ids;
use kakehashi_mappings::{Issue, Severity};
use serde_json::{json, Value};

use super::doctor::check_submitter;
use super::gather::read;
use super::{Consultation, Submitted};
use crate::pipeline::{instant, now_ms, FhirError};
use crate::zones::identity::Identity;

impl Consultation {
    fn context(&self) -> MapContext {
        MapContext {
            patient_id_system: self.xref.token_system().to_string(),
        }
    }

    pub async fn submit_record(
        &self,
        document: &Value,
        who: &Identity,
    ) -> Result<Submitted, FhirError> {
        let record: ConsultationRecord = parse(Format::ConsultationRecord, document)?;
        let bundle = mapping::record_to_fhir(&record, &self.context());
        let findings = self.record_findings(&record, &bundle, who).await?;
        let encounter = format!(
            "Encounter/{}",
            mapping::record_encounter_id(&record.record_id)
        );
        self.store(&record.record_id, bundle, findings, &encounter)
            .await
    }

    /// The doctor check (403) and the guideline rules of `record`, whose resources are in `bundle`,
    /// against what the store holds: its care plan, its consents, the doctor's other sessions.
    pub(super) async fn record_findings(
        &self,
        record: &ConsultationRecord,
        bundle: &Value,
        who: &Identity,
    ) -> Result<Vec<Issue>, FhirError> {
        check_submitter(who, &record.doctor.name, "doctor.name")?;
        // A plan of another patient is no plan for this one.
        let care_plan = match &record.care_plan_id {
            Some(id) => self
                .stored_care_plan(id)
                .await?
                .filter(|plan| plan.patient.id == record.patient.id),
            None => None,
        };
        let mut consents = Vec::new();
        for id in &record.consent_ids {
            // Only the patient's own consents count.
            if let Some(consent) = self.stored_consent(id).await? {
                if consent.patient.id == record.patient.id {
                    consents.push(consent);
                }
            }
        }
        let overlapping_sessions = self
            .overlapping_sessions(bundle, &record.doctor.name)
            .await?;
        let ctx = RecordContext {
            care_plan: care_plan.as_ref(),
            consents: &consents,
            overlapping_sessions,
        };
        Ok(rules::check_record(record, &ctx))
    }

    pub async fn submit_care_plan(
        &self,
        document: &Value,
        who: &Identity,
    ) -> Result<Submitted, FhirError> {
        let plan: CarePlan = parse(Format::CarePlan, document)?;
        check_submitter(who, &plan.author.name, "author.name")?;
        let mut findings = rules::check_care_plan(&plan);
        if let Some(mut existing) = self.stored_care_plan(&plan.care_plan_id).await? {
            // The Patient may have been known before with other details: it is not part of the plan.
            if existing.patient.id == plan.patient.id {
                existing.patient = plan.patient.clone();
            }
            if existing != plan {
                findings.extend(rules::check_care_plan_change(&existing, &instant(now_ms())));
            }
        }
        let bundle = mapping::care_plan_to_fhir(&plan, &self.context());
        let target = format!("CarePlan/{}", mapping::care_plan_id(&plan.care_plan_id));
        self.store(&plan.care_plan_id, bundle, findings, &target)
            .await
    }

    pub async fn submit_consent(
        &self,
        document: &Value,
        who: &Identity,
    ) -> Result<Submitted, FhirError> {
        let consent: Consent = parse(Format::Consent, document)?;
        if let Some(doctor) = &consent.doctor {
            check_submitter(who, &doctor.name, "doctor.name")?;
        } else {
            // A consent with no explaining doctor is still submitted by a doctor's certificate.
            check_submitter_is_person(who)?;
        }
        let bundle = mapping::consent_to_fhir(&consent, &self.context());
        let target = format!("Consent/{}", mapping::consent_id(&consent.consent_id));
        self.store(&consent.consent_id, bundle, Vec::new(), &target)
            .await
    }

    /// Refuses on a blocking finding (422 naming every failed rule), else stores the Bundle with the
    /// warnings attached to `target`.
    async fn store(
        &self,
        id: &str,
        mut bundle: Value,
        findings: Vec<Issue>,
        target: &str,
    ) -> Result<Submitted, FhirError> {
        if findings.iter().any(|f| f.severity == Severity::Error) {
            return Err(FhirError {
                status: 422,
                issues: findings,
            });
        }
        add_detected_issues(&mut bundle, &findings, target);
        self.xref.inbound(&mut bundle).await?;
        let response = self.fhir.process_bundle(bundle).await?;
        let created = response["entry"].as_array().into_iter().flatten().any(|e| {
            e["response"]["status"]
                .as_str()
                .is_some_and(|s| s.starts_with("201"))
        });
        Ok(Submitted {
            id: id.to_string(),
            created,
            warnings: findings,
        })
    }

    pub(super) async fn stored_care_plan(&self, id: &str) -> Result<Option<CarePlan>, FhirError> {
        let root = ("CarePlan".to_string(), mapping::care_plan_id(id));
        self.stored(root, mapping::care_plan_from_fhir).await
    }

    pub(super) async fn stored_consent(&self, id: &str) -> Result<Option<Consent>, FhirError> {
        let root = ("Consent".to_string(), mapping::consent_id(id));
        self.stored(root, mapping::consent_from_fhir).await
    }

    /// The native document stored at `root` (None when there is none), read back with `from_fhir`.
    async fn stored<T>(
        &self,
        root: (String, String),
        from_fhir: fn(&Value) -> Result<T, Vec<Issue>>,
    ) -> Result<Option<T>, FhirError> {
        match self.gather_as_zone_sees(&[root]).await {
            Ok(bundle) => from_fhir(&bundle).map(Some).map_err(stored_unreadable),
            Err(e) if e.status == 404 || e.status == 410 => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Other online encounters of the same doctor whose periods overlap this one (rule C2). Each
    /// document names its doctor in a Practitioner of its own, so the doctor is recognised by the
    /// primary performer's name on the Encounter.
    async fn overlapping_sessions(&self, bundle: &Value, doctor: &str) -> Result<usize, FhirError> {
        let Some(encounter) = resources(bundle).find(|r| r["resourceType"] == "Encounter") else {
            return Ok(0);
        };
        let Some(start) = encounter["period"]["start"].as_str() else {
            return Ok(0);
        };
        let end = encounter["period"]["end"].as_str().unwrap_or(start);
        let params = vec![
            ("class".to_string(), "VR".to_string()),
            ("date".to_string(), format!("le{end}")),
            ("date".to_string(), format!("ge{start}")),
            ("_count".to_string(), "1000".to_string()),
        ];
        let found = self.fhir.search("Encounter", &params).await?;
        let own = encounter["id"].as_str().unwrap_or_default();
        let mut overlapping = 0;
        for (id, _) in &found.matches {
            if id == own {
                continue;
            }
            let other = read(&self.fhir, "Encounter", id).await?;
            let same_doctor = other["participant"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["individual"]["display"].as_str())
                .any(|name| rules::same_name(name, doctor));
            if same_doctor && overlaps(&other, start, end) {
                overlapping += 1;
            }
        }
        Ok(overlapping)
    }
}

fn parse<T: serde::de::DeserializeOwned>(format: Format, document: &Value) -> Result<T, FhirError> {
    schema::parse(format, document).map_err(|issues| FhirError {
        status: 400,
        issues,
    })
}

/// A person's certificate (with a name) may submit a document that names no doctor.
fn check_submitter_is_person(who: &Identity) -> Result<(), FhirError> {
    match who {
        Identity::Person { names, .. } if names.iter().any(|n| !n.trim().is_empty()) => Ok(()),
        _ => check_submitter(who, "", "doctor"),
    }
}

fn stored_unreadable(issues: Vec<Issue>) -> FhirError {
    FhirError {
        status: 500,
        issues,
    }
}

pub(super) fn resources(bundle: &Value) -> impl Iterator<Item = &Value> {
    bundle["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| &e["resource"])
}

/// True when `encounter`'s period overlaps `[start, end]` (instants compared as times, not text).
fn overlaps(encounter: &Value, start: &str, end: &str) -> bool {
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).ok();
    let (Some(start), Some(end)) = (at(start), at(end)) else {
        return false;
    };
    let Some(other_start) = encounter["period"]["start"].as_str().and_then(at) else {
        return false;
    };
    let other_end = encounter["period"]["end"]
        .as_str()
        .and_then(at)
        .unwrap_or(other_start);
    other_start < end && start < other_end
}

/// One DetectedIssue per guideline warning, implicating `target`, so warnings are stored with the document.
pub(super) fn add_detected_issues(bundle: &mut Value, findings: &[Issue], target: &str) {
    let patient = resources(bundle)
        .zip(bundle["entry"].as_array().into_iter().flatten())
        .find(|(r, _)| r["resourceType"] == "Patient")
        .and_then(|(_, e)| e["fullUrl"].as_str().map(str::to_string));
    let Some(entries) = bundle["entry"].as_array_mut() else {
        return;
    };
    for finding in findings {
        let rule = finding.rule.clone().unwrap_or_default();
        let id = ids::make(&["consultation", "detected-issue", target, &rule]);
        let mut issue = json!({
            "resourceType": "DetectedIssue",
            "id": id,
            "status": "final",
            "code": {"coding": [{"system": kakehashi_mappings::fhir::outcome::RULE_SYSTEM, "code": rule}]},
            "severity": "low",
            "implicated": [{"reference": target}],
            "detail": match &finding.expression {
                Some(at) => format!("{} [at {at}]", finding.message),
                None => finding.message.clone(),
            },
        });
        if let Some(patient) = &patient {
            issue["patient"] = json!({"reference": patient});
        }
        entries.push(json!({
            "fullUrl": format!("DetectedIssue/{id}"),
            "resource": issue,
            "request": {"method": "PUT", "url": format!("DetectedIssue/{id}")},
        }));
    }
}
