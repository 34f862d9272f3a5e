//! The loaded conformance resources: StructureDefinitions by canonical url and by type, with their
//! compiled form made once on first use and shared across threads, and the terminology (issue #4 §2).

use foldhash::{HashMap, HashMapExt};
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use crate::validate::core::{embedded_r4_core, CoreError, R4_CORE_PACKAGE};
use crate::validate::profile::Profile;
use crate::validate::snapshot;
use crate::validate::terminology::Terminology;

/// Where a definition came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageId {
    pub name: String,
    pub version: String,
}

struct Entry {
    url: String,
    /// The type its `baseDefinition` names (`DomainResource` for Patient), for `is_a`.
    base_type: Option<String>,
    resource: Value,
    package: Arc<PackageId>,
    compiled: OnceLock<Result<Arc<Profile>, String>>,
}

/// Every StructureDefinition, ValueSet and CodeSystem of the loaded packages.
pub struct Definitions {
    entries: Vec<Entry>,
    /// url → index in `entries`.
    structures: HashMap<String, usize>,
    /// Type name (`Patient`, `HumanName`, `string`) → index of its base definition in `entries`.
    types: HashMap<String, usize>,
    terminology: Terminology,
    packages: Vec<Arc<PackageId>>,
}

impl Default for Definitions {
    fn default() -> Self {
        Self::new()
    }
}

impl Definitions {
    pub fn new() -> Self {
        Definitions {
            entries: Vec::new(),
            structures: HashMap::new(),
            types: HashMap::new(),
            terminology: Terminology::new(),
            packages: Vec::new(),
        }
    }

    /// The embedded R4 core definitions (`hl7.fhir.r4.core` 4.0.1), the base every validator starts from.
    pub fn with_r4_core() -> Result<Self, CoreError> {
        let mut definitions = Definitions::new();
        let core = embedded_r4_core()?;
        definitions.add_package(
            PackageId {
                name: R4_CORE_PACKAGE.0.to_string(),
                version: R4_CORE_PACKAGE.1.to_string(),
            },
            core,
        );
        Ok(definitions)
    }

    /// Adds the conformance resources of one package (also those inside Bundles); other resources
    /// (examples) are ignored. A later definition with the same url replaces an earlier one.
    pub fn add_package(&mut self, package: PackageId, resources: impl IntoIterator<Item = Value>) {
        let package = Arc::new(package);
        self.packages.push(package.clone());
        for resource in resources {
            self.add_resource(resource, &package);
        }
    }

    fn add_resource(&mut self, mut resource: Value, package: &Arc<PackageId>) {
        match resource.get("resourceType").and_then(Value::as_str) {
            Some("StructureDefinition") => self.add_structure(resource, package),
            Some("ValueSet") | Some("CodeSystem") => self.terminology.add(&resource),
            Some("Bundle") => {
                let Some(Value::Array(entries)) = resource.get_mut("entry").map(Value::take) else {
                    return;
                };
                for mut entry in entries {
                    if let Some(inner) = entry.get_mut("resource").map(Value::take) {
                        self.add_resource(inner, package);
                    }
                }
            }
            _ => {}
        }
    }

    fn add_structure(&mut self, resource: Value, package: &Arc<PackageId>) {
        let Some(url) = resource
            .get("url")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            return;
        };
        let derivation = resource.get("derivation").and_then(Value::as_str);
        // A base definition of a type: a specialization, or a type with no base at all (Element, Resource).
        let type_name = (derivation == Some("specialization")
            || resource.get("baseDefinition").is_none())
        .then(|| {
            resource
                .get("type")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .flatten();
        let base_type = resource
            .get("baseDefinition")
            .and_then(Value::as_str)
            .and_then(|base| base.rsplit_once('/'))
            .map(|(_, name)| name.to_string());
        let entry = Entry {
            url: url.clone(),
            base_type,
            resource,
            package: package.clone(),
            compiled: OnceLock::new(),
        };
        let at = match self.structures.get(&url) {
            Some(&at) => {
                self.entries[at] = entry;
                at
            }
            None => {
                self.entries.push(entry);
                self.structures.insert(url, self.entries.len() - 1);
                self.entries.len() - 1
            }
        };
        if let Some(type_name) = type_name {
            self.types.insert(type_name, at);
        }
    }

    fn entry(&self, url: &str) -> Option<&Entry> {
        self.structures
            .get(strip_version(url))
            .map(|&at| &self.entries[at])
    }

    pub fn packages(&self) -> &[Arc<PackageId>] {
        &self.packages
    }

    pub fn terminology(&self) -> &Terminology {
        &self.terminology
    }

    pub fn has_structure(&self, url: &str) -> bool {
        self.structures.contains_key(strip_version(url))
    }

    /// The raw StructureDefinition at `url` (a `|version` suffix is ignored).
    pub fn structure(&self, url: &str) -> Option<&Value> {
        self.entry(url).map(|e| &e.resource)
    }

    /// The package that defined `url`.
    pub fn package_of(&self, url: &str) -> Option<&PackageId> {
        self.entry(url).map(|e| e.package.as_ref())
    }

    /// The url of the base definition of a type (`Patient`, `HumanName`, `string`).
    pub fn type_url(&self, type_name: &str) -> Option<&str> {
        self.types
            .get(type_name)
            .map(|&at| self.entries[at].url.as_str())
    }

    /// The compiled profile at `url`, compiling it (and generating its snapshot when it has only a
    /// differential) on first use. `Err` says why it cannot be used.
    pub fn profile(&self, url: &str) -> Option<Result<Arc<Profile>, String>> {
        self.compiled(url).cloned()
    }

    /// Compiles every loaded StructureDefinition now (a server may do this at start, a benchmark before
    /// its clock starts); returns how many could not be compiled.
    pub fn compile_all(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| self.compiled_entry(e).is_err())
            .count()
    }

    /// The compiled base definition of a type, borrowed (for the FHIRPath model).
    pub fn type_profile_ref(&self, type_name: &str) -> Option<&Profile> {
        let &at = self.types.get(type_name)?;
        self.compiled_entry(&self.entries[at])
            .as_ref()
            .ok()
            .map(Arc::as_ref)
    }

    /// The one place a profile is compiled: on first use, then shared.
    fn compiled(&self, url: &str) -> Option<&Result<Arc<Profile>, String>> {
        self.entry(url).map(|entry| self.compiled_entry(entry))
    }

    fn compiled_entry<'s>(&'s self, entry: &'s Entry) -> &'s Result<Arc<Profile>, String> {
        entry.compiled.get_or_init(|| self.compile(&entry.resource))
    }

    /// The compiled base definition of a type.
    pub fn type_profile(&self, type_name: &str) -> Option<Arc<Profile>> {
        let &at = self.types.get(type_name)?;
        self.compiled_entry(&self.entries[at]).clone().ok()
    }

    fn compile(&self, resource: &Value) -> Result<Arc<Profile>, String> {
        let elements = match resource
            .pointer("/snapshot/element")
            .and_then(Value::as_array)
        {
            Some(elements) if !elements.is_empty() => elements.clone(),
            _ => snapshot::generate(self, resource, 0)?,
        };
        Profile::compile(resource, &elements).map(Arc::new)
    }

    /// Whether `name` is a resource type: by its loaded definition, else by the R4 list.
    pub fn is_resource_type(&self, name: &str) -> bool {
        match self.type_profile_ref(name) {
            Some(p) => p.kind == "resource",
            None => crate::fhirpath::is_resource_type(name),
        }
    }

    /// Whether type `type_name` is `ancestor` or derives from it (`Patient` → `DomainResource` →
    /// `Resource`; `Age` → `Quantity`).
    pub fn is_a(&self, type_name: &str, ancestor: &str) -> bool {
        let mut current = type_name;
        for _ in 0..16 {
            if current == ancestor {
                return true;
            }
            let Some(&at) = self.types.get(current) else {
                return false;
            };
            match &self.entries[at].base_type {
                Some(name) => current = name,
                None => return false,
            }
        }
        false
    }
}

/// `http://x/StructureDefinition/a|1.0` → `http://x/StructureDefinition/a`.
pub fn strip_version(url: &str) -> &str {
    url.split_once('|').map_or(url, |(u, _)| u)
}
