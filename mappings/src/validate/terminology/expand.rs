//! Evaluates a value set (compose rules, stored expansion or a code system's implicit value set)
//! into a three-valued `TriSet`, once per value set.

use std::collections::HashSet;
use std::sync::Arc;

use super::code_system::CodeSystemData;
use super::filter::Filter;
use super::set::{Op, Reason, SystemSet, Tri, TriSet};
use super::value_set::{Compose, ConceptSet, StoredExpansion, ValueSetData};
use super::{Terminology, ValueSetRef};

impl Terminology {
    /// The evaluated value set, computed on first use and cached.
    pub(crate) fn expansion_of(&self, vs: ValueSetRef<'_>) -> Arc<TriSet> {
        match vs {
            ValueSetRef::Explicit(data) => data
                .cache
                .get_or_init(|| {
                    self.mark_computed();
                    Arc::new(self.evaluate(data))
                })
                .clone(),
            ValueSetRef::Implicit(cs) => cs
                .all_codes
                .get_or_init(|| {
                    self.mark_computed();
                    Arc::new(TriSet::of_system(&cs.url, self.all_codes(cs)))
                })
                .clone(),
        }
    }

    fn evaluate(&self, vs: &ValueSetData) -> TriSet {
        // Checked before any other value set is evaluated, so nested evaluations follow an acyclic
        // import graph and can neither recurse forever nor wait on each other across threads.
        if let Some(cycle) = self.import_cycle(vs) {
            return TriSet::unknown(reason(format!("value set imports form a cycle: {cycle}")));
        }
        let stored = vs.expansion.as_ref().map(|e| self.stored_expansion(e));
        let Some(compose) = &vs.compose else {
            return stored.unwrap_or_else(|| {
                TriSet::unknown(reason(format!(
                    "value set `{}` has neither compose nor expansion",
                    vs.key()
                )))
            });
        };
        let composed = self.evaluate_compose(compose);
        match (stored, vs.expansion.as_ref()) {
            (Some(stored), Some(e)) if !composed.is_certain() => {
                if e.complete {
                    stored
                } else {
                    composed.combine(&stored, Op::Union)
                }
            }
            _ => composed,
        }
    }

    fn evaluate_compose(&self, compose: &Compose) -> TriSet {
        let union = |sets: &[ConceptSet]| {
            sets.iter().fold(TriSet::empty(), |acc, s| {
                acc.combine(&self.evaluate_concept_set(s), Op::Union)
            })
        };
        let included = union(&compose.include);
        if compose.exclude.is_empty() {
            return included;
        }
        included.combine(&union(&compose.exclude), Op::Difference)
    }

    /// One include/exclude entry: its system part intersected with every imported value set.
    fn evaluate_concept_set(&self, entry: &ConceptSet) -> TriSet {
        let mut parts = Vec::new();
        if let Some(system) = &entry.system {
            parts.push(TriSet::of_system(system, self.system_part(system, entry)));
        }
        for canonical in &entry.value_sets {
            parts.push(match self.resolve_value_set(canonical) {
                Some(vs) => (*self.expansion_of(vs)).clone(),
                None => TriSet::unknown(reason(self.missing_value_set(canonical))),
            });
        }
        let mut parts = parts.into_iter();
        match parts.next() {
            Some(first) => parts.fold(first, |acc, p| acc.combine(&p, Op::Intersection)),
            None => TriSet::empty(),
        }
    }

    /// The codes of `system` selected by the entry's concept list, filters, or (with neither) all.
    fn system_part(&self, system: &str, entry: &ConceptSet) -> SystemSet {
        let fold = self.fold_case(system);
        let source = self.code_system(system, entry.version.as_deref());
        if !entry.concepts.is_empty() {
            // Enumerated codes are members by definition, whether or not the code system is loaded.
            let mut set = SystemSet::new(fold, None);
            for code in &entry.concepts {
                set.insert(code, Tri::Yes);
            }
            return entry.filters.iter().fold(set, |acc, f| {
                intersect(&acc, &self.filter_part(system, &source, f))
            });
        }
        if entry.filters.is_empty() {
            return match &source {
                Source::Found(cs) => self.all_codes(cs),
                Source::Substitute(cs, why) => weaken(self.all_codes(cs), why),
                Source::Missing(why) => SystemSet::new(fold, Some(why.clone())),
            };
        }
        let mut filters = entry.filters.iter();
        let first = filters
            .next()
            .map(|f| self.filter_part(system, &source, f))
            .unwrap_or_else(|| SystemSet::new(fold, None));
        filters.fold(first, |acc, f| {
            intersect(&acc, &self.filter_part(system, &source, f))
        })
    }

    /// The codes one filter selects.
    fn filter_part(&self, system: &str, source: &Source<'_>, filter: &Filter) -> SystemSet {
        let fold = self.fold_case(system);
        let (cs, substitute) = match source {
            Source::Found(cs) => (*cs, None),
            Source::Substitute(cs, why) => (*cs, Some(why)),
            Source::Missing(why) => {
                // Without the code system only a few filters name their codes outright.
                return match filter.known_codes() {
                    Some((codes, exact)) => {
                        let mut set = SystemSet::new(fold, (!exact).then(|| why.clone()));
                        for code in &codes {
                            set.insert(code, Tri::Yes);
                        }
                        set
                    }
                    None => SystemSet::new(fold, Some(why.clone())),
                };
            }
        };
        let set = match filter.select(cs) {
            Ok(selected) => {
                let mut set = SystemSet::new(fold, incomplete(cs));
                for idx in selected {
                    set.insert(&cs.concepts[idx].code, Tri::Yes);
                }
                set
            }
            Err(why) => SystemSet::new(fold, Some(reason(why))),
        };
        match substitute {
            Some(why) => weaken(set, why),
            None => set,
        }
    }

    /// Every code of `cs`; the rest is undecided unless `cs` is complete.
    fn all_codes(&self, cs: &CodeSystemData) -> SystemSet {
        let mut set = SystemSet::new(self.fold_case(&cs.url), incomplete(cs));
        set.codes.reserve(cs.concepts.len());
        for concept in &cs.concepts {
            set.insert(&concept.code, Tri::Yes);
        }
        set
    }

    fn stored_expansion(&self, expansion: &StoredExpansion) -> TriSet {
        let mut set = TriSet::empty();
        for (system, code) in &expansion.codes {
            set.systems
                .entry(system.clone())
                .or_insert_with(|| SystemSet::new(self.fold_case(system), None))
                .insert(code, Tri::Yes);
        }
        if !expansion.complete {
            let why = reason("the stored expansion lists only part of the value set".to_string());
            for part in set.systems.values_mut() {
                part.rest = Some(why.clone());
            }
            set.rest = Some(why);
        }
        set
    }

    /// The code system for an include: the given version, else the newest. When the given version is
    /// not loaded but another is, that one stands in: its codes count, its gaps are undecided.
    fn code_system(&self, system: &str, version: Option<&str>) -> Source<'_> {
        let Some(versions) = self.code_systems.get(system) else {
            return Source::Missing(reason(format!("code system `{system}` is not loaded")));
        };
        match (versions.get(version), versions.newest()) {
            (Some(cs), _) => Source::Found(cs),
            (None, Some(newest)) => Source::Substitute(
                newest,
                reason(format!(
                    "code system `{system}` version `{}` is not loaded (loaded: {})",
                    version.unwrap_or_default(),
                    versions.list()
                )),
            ),
            (None, None) => {
                Source::Missing(reason(format!("code system `{system}` is not loaded")))
            }
        }
    }

    /// Whether codes of `system` compare case-insensitively (per its newest loaded version).
    fn fold_case(&self, system: &str) -> bool {
        self.code_systems
            .get(system)
            .and_then(|v| v.newest())
            .is_some_and(|cs| !cs.case_sensitive)
    }

    /// A description of an import cycle reachable from `start`, if there is one.
    fn import_cycle(&self, start: &ValueSetData) -> Option<String> {
        let mut path = Vec::new();
        let mut done = HashSet::new();
        self.visit_imports(start, &mut path, &mut done)
    }

    fn visit_imports(
        &self,
        vs: &ValueSetData,
        path: &mut Vec<String>,
        done: &mut HashSet<String>,
    ) -> Option<String> {
        let key = vs.key();
        if let Some(pos) = path.iter().position(|k| *k == key) {
            let mut cycle = path[pos..].to_vec();
            cycle.push(key);
            return Some(cycle.join(" -> "));
        }
        if done.contains(&key) {
            return None;
        }
        path.push(key.clone());
        for canonical in vs.imports() {
            if let Some(ValueSetRef::Explicit(next)) = self.resolve_value_set(canonical) {
                if let Some(cycle) = self.visit_imports(next, path, done) {
                    return Some(cycle);
                }
            }
        }
        path.pop();
        done.insert(key);
        None
    }
}

/// Where the codes of an include come from.
enum Source<'a> {
    /// The requested code system (version).
    Found(&'a CodeSystemData),
    /// Another version of it, because the requested one is not loaded.
    Substitute(&'a CodeSystemData, Reason),
    Missing(Reason),
}

/// Keeps the sure members of `set` and makes everything else undecided for `why`.
fn weaken(mut set: SystemSet, why: &Reason) -> SystemSet {
    set.codes.retain(|_, answer| *answer != Tri::No);
    set.rest = Some(why.clone());
    set
}

fn intersect(a: &SystemSet, b: &SystemSet) -> SystemSet {
    SystemSet::combine(a, b, Op::Intersection)
}

/// The rest answer for codes a code system does not list: undecided unless it is complete.
fn incomplete(cs: &CodeSystemData) -> Option<Reason> {
    (!cs.is_complete()).then(|| {
        reason(format!(
            "code system `{}` is only partly loaded (content `{}`) and does not list the code",
            cs.url, cs.content
        ))
    })
}

fn reason(text: String) -> Reason {
    Arc::from(text)
}
