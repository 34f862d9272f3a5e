//! The CapabilityStatement served at `/fhir/metadata`: built from the same lists the server uses
//! (supported types, the search-parameter table), so it states exactly what is implemented.

use kakehashi_mappings::fhir::search::{registry, ParamType};
use kakehashi_mappings::fhir::SUPPORTED_RESOURCE_TYPES;
use serde_json::{json, Value};

pub fn capability_statement(base: &str, software_version: &str, now: &str) -> Value {
    let resources: Vec<Value> = SUPPORTED_RESOURCE_TYPES
        .iter()
        .map(|ty| {
            let mut params = vec![
                json!({"name": "_id", "type": "token"}),
                json!({"name": "_lastUpdated", "type": "date"}),
            ];
            let mut includes = Vec::new();
            for (name, kind) in registry().names(ty) {
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
            let interactions: Vec<Value> = [
                "read",
                "vread",
                "update",
                "delete",
                "history-instance",
                "history-type",
                "create",
                "search-type",
            ]
            .iter()
            .map(|code| json!({"code": code}))
            .collect();
            let mut resource = json!({
                "type": ty,
                "interaction": interactions,
                "versioning": "versioned-update",
                "readHistory": true,
                "updateCreate": true,
                "conditionalCreate": true,
                "conditionalRead": "not-supported",
                "conditionalUpdate": false,
                "conditionalDelete": "not-supported",
                "searchParam": params,
            });
            if !includes.is_empty() {
                resource["searchInclude"] = json!(includes);
            }
            resource
        })
        .collect();
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": now,
        "publisher": "Kakehashi",
        "kind": "instance",
        "software": {"name": "Kakehashi", "version": software_version},
        "implementation": {"description": "Kakehashi FHIR gateway, hospital zone", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "documentation": "Search parameters not listed here, search modifiers, _sort, _elements and XML are refused with 400 and an OperationOutcome.",
            "resource": resources,
            "interaction": [{"code": "transaction"}, {"code": "batch"}],
        }],
    })
}

/// The serialised statement per base URL, built once: it only changes with the base, and building it
/// on every request cost more than the rest of the request. Bounded, since the base may come from the
/// client's Host header.
#[derive(Clone, Default)]
pub struct CapabilityCache {
    by_base:
        std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<str>>>>,
}

impl CapabilityCache {
    const MAX_BASES: usize = 16;

    /// The statement for `base`; `published` (the statement's date) is used when it is first built.
    pub fn get(&self, base: &str, published: impl FnOnce() -> String) -> std::sync::Arc<str> {
        let mut by_base = match self.by_base.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(statement) = by_base.get(base) {
            return statement.clone();
        }
        let statement: std::sync::Arc<str> =
            capability_statement(base, env!("CARGO_PKG_VERSION"), &published())
                .to_string()
                .into();
        if by_base.len() < Self::MAX_BASES {
            by_base.insert(base.to_string(), statement.clone());
        }
        statement
    }
}
