//! The CapabilityStatement served at `/fhir/metadata`: built from the same lists the server uses
//! (supported types, the search-parameter table) and the zone's policy, so it states exactly what is
//! implemented and what the zone lets some client do (the consultation zone: creates of its clinical
//! types and transactions, no reads).

use std::sync::Arc;

use kakehashi_mappings::fhir::search::{registry, ParamType};
use kakehashi_mappings::fhir::SUPPORTED_RESOURCE_TYPES;
use serde_json::{json, Value};

use crate::zones::policy::Policy;

/// The RESTful interactions of a resource type, with the policy operation each needs.
const INTERACTIONS: [(&str, &str); 8] = [
    ("read", "read"),
    ("vread", "vread"),
    ("update", "update"),
    ("delete", "delete"),
    ("history-instance", "history"),
    ("history-type", "history"),
    ("create", "create"),
    ("search-type", "search"),
];

/// The statement of a zone; `policy` None: every interaction (a server without a zone policy).
pub fn capability_statement(
    base: &str,
    software_version: &str,
    now: &str,
    policy: Option<&Policy>,
) -> Value {
    let grants = |operation: &str, resource_type: Option<&str>| {
        policy.is_none_or(|p| p.grants(operation, resource_type))
    };
    let resources: Vec<Value> = SUPPORTED_RESOURCE_TYPES
        .iter()
        .filter_map(|ty| {
            let interactions: Vec<Value> = INTERACTIONS
                .iter()
                .filter(|(_, operation)| grants(operation, Some(ty)))
                .map(|(code, _)| json!({"code": code}))
                .collect();
            if interactions.is_empty() {
                return None;
            }
            let searchable = grants("search", Some(ty));
            let mut params = vec![
                json!({"name": "_id", "type": "token"}),
                json!({"name": "_lastUpdated", "type": "date"}),
            ];
            let mut includes = Vec::new();
            for (name, kind) in registry().names(ty).into_iter().filter(|_| searchable) {
                let kind = match kind {
                    ParamType::Token => "token",
                    ParamType::Reference => {
                        includes.push(format!("{ty}:{name}"));
                        "reference"
                    }
                    ParamType::Date => "date",
                };
                params.push(json!({"name": name, "type": kind}));
            }
            let mut resource = json!({
                "type": ty,
                "interaction": interactions,
                "versioning": "versioned-update",
                "readHistory": grants("vread", Some(ty)) || grants("history", Some(ty)),
                "updateCreate": grants("update", Some(ty)),
                "conditionalCreate": grants("create", Some(ty)),
                "conditionalRead": "not-supported",
                "conditionalUpdate": false,
                "conditionalDelete": "not-supported",
            });
            if searchable {
                resource["searchParam"] = json!(params);
            }
            if !includes.is_empty() {
                resource["searchInclude"] = json!(includes);
            }
            Some(resource)
        })
        .collect();
    let system: Vec<Value> = ["transaction", "batch"]
        .iter()
        .filter(|operation| grants(operation, None))
        .map(|code| json!({"code": code}))
        .collect();
    let zone = policy.map_or("hospital", Policy::zone);
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": now,
        "publisher": "Kakehashi",
        "kind": "instance",
        "software": {"name": "Kakehashi", "version": software_version},
        "implementation": {"description": format!("Kakehashi FHIR gateway, {zone} zone"), "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "documentation": "Search parameters not listed here, search modifiers, _sort, _elements and XML are refused with 400 and an OperationOutcome.",
            "resource": resources,
            "interaction": system,
        }],
    })
}

/// The serialised statement per base URL, built once: it only changes with the base, and building it
/// on every request cost more than the rest of the request. Bounded, since the base may come from the
/// client's Host header.
#[derive(Clone, Default)]
pub struct CapabilityCache {
    by_base: Arc<std::sync::Mutex<std::collections::HashMap<String, Arc<str>>>>,
    /// The zone's policy (None: every interaction).
    policy: Option<Arc<Policy>>,
}

impl CapabilityCache {
    const MAX_BASES: usize = 16;

    /// The cache of a zone whose statement follows `policy`.
    pub fn for_policy(policy: Arc<Policy>) -> CapabilityCache {
        CapabilityCache {
            by_base: Arc::default(),
            policy: Some(policy),
        }
    }

    /// The statement for `base`; `published` (the statement's date) is used when it is first built.
    pub fn get(&self, base: &str, published: impl FnOnce() -> String) -> Arc<str> {
        let mut by_base = match self.by_base.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(statement) = by_base.get(base) {
            return statement.clone();
        }
        let statement: Arc<str> = capability_statement(
            base,
            env!("CARGO_PKG_VERSION"),
            &published(),
            self.policy.as_deref(),
        )
        .to_string()
        .into();
        if by_base.len() < Self::MAX_BASES {
            by_base.insert(base.to_string(), statement.clone());
        }
        statement
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(items: &Value) -> Vec<&str> {
        items
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["code"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn each_zone_states_what_its_policy_grants() {
        let hospital = Policy::for_zone("hospital", &[]);
        let statement = capability_statement("http://h/fhir", "0", "2026-12-02", Some(&hospital));
        let rest = &statement["rest"][0];
        assert_eq!(
            rest["resource"].as_array().unwrap().len(),
            SUPPORTED_RESOURCE_TYPES.len()
        );
        assert_eq!(codes(&rest["resource"][0]["interaction"]).len(), 8);
        assert!(rest["resource"][0]["searchParam"].is_array());
        assert_eq!(codes(&rest["interaction"]), ["transaction", "batch"]);
        assert_eq!(
            statement,
            capability_statement("http://h/fhir", "0", "2026-12-02", None)
        );

        let consultation = Policy::for_zone("consultation", &[]);
        let statement =
            capability_statement("https://c/fhir", "0", "2026-12-02", Some(&consultation));
        let rest = &statement["rest"][0];
        assert_eq!(
            statement["implementation"]["description"],
            "Kakehashi FHIR gateway, consultation zone"
        );
        let resources = rest["resource"].as_array().unwrap();
        let types: Vec<&str> = resources
            .iter()
            .map(|r| r["type"].as_str().unwrap())
            .collect();
        assert!(types.contains(&"Consent") && types.contains(&"CarePlan"));
        assert!(
            !types.contains(&"Specimen") && !types.contains(&"AuditEvent"),
            "no rule grants Specimen or AuditEvent: {types:?}"
        );
        for resource in resources {
            assert_eq!(codes(&resource["interaction"]), ["create"], "{resource}");
            assert!(resource.get("searchParam").is_none());
            assert_eq!(resource["readHistory"], false);
        }
        assert_eq!(codes(&rest["interaction"]), ["transaction"]);
    }
}
