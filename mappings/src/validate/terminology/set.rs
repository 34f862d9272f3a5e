//! Three-valued code sets: each (system, code) is in, out or undecided, with set algebra over them.
//!
//! A value set expansion is a `TriSet`. Codes that are listed carry their own answer; every other code
//! of a listed system takes that system's `rest`, and every code of an unlisted system takes the set's
//! `rest`. A `rest` is never "in": only finite, enumerated codes can be members for sure.

use foldhash::{HashMap, HashMapExt};
use std::sync::Arc;

/// Why a membership question cannot be answered.
pub(crate) type Reason = Arc<str>;

/// The answer for one code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tri {
    Yes,
    No,
    Maybe(Reason),
}

impl Tri {
    fn from_rest(rest: &Option<Reason>) -> Tri {
        match rest {
            None => Tri::No,
            Some(why) => Tri::Maybe(why.clone()),
        }
    }
}

/// How two answers combine.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Op {
    Union,
    Intersection,
    Difference,
}

impl Op {
    fn apply(self, a: &Tri, b: &Tri) -> Tri {
        match self {
            Op::Union => match (a, b) {
                (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
                (Tri::Maybe(w), _) | (_, Tri::Maybe(w)) => Tri::Maybe(w.clone()),
                _ => Tri::No,
            },
            Op::Intersection => match (a, b) {
                (Tri::No, _) | (_, Tri::No) => Tri::No,
                (Tri::Maybe(w), _) | (_, Tri::Maybe(w)) => Tri::Maybe(w.clone()),
                _ => Tri::Yes,
            },
            Op::Difference => match (a, b) {
                (Tri::No, _) | (_, Tri::Yes) => Tri::No,
                (Tri::Maybe(w), _) | (_, Tri::Maybe(w)) => Tri::Maybe(w.clone()),
                (Tri::Yes, Tri::No) => Tri::Yes,
            },
        }
    }

    /// Combines two rests; the result is never `Yes` because neither input is.
    fn apply_rest(self, a: &Option<Reason>, b: &Option<Reason>) -> Option<Reason> {
        match self.apply(&Tri::from_rest(a), &Tri::from_rest(b)) {
            Tri::Maybe(why) => Some(why),
            Tri::Yes | Tri::No => None,
        }
    }
}

/// The codes of one system.
#[derive(Debug, Clone, Default)]
pub(crate) struct SystemSet {
    /// Keys are lower-cased when the code system is case-insensitive.
    pub(crate) fold_case: bool,
    pub(crate) codes: HashMap<String, Tri>,
    /// The answer for codes not in `codes`: `None` = not a member, `Some` = undecided.
    pub(crate) rest: Option<Reason>,
}

impl SystemSet {
    pub(crate) fn new(fold_case: bool, rest: Option<Reason>) -> Self {
        SystemSet {
            fold_case,
            codes: HashMap::new(),
            rest,
        }
    }

    pub(crate) fn key(&self, code: &str) -> String {
        fold(self.fold_case, code)
    }

    pub(crate) fn insert(&mut self, code: &str, answer: Tri) {
        let key = self.key(code);
        self.codes.insert(key, answer);
    }

    pub(crate) fn get(&self, code: &str) -> Tri {
        match self.codes.get(&self.key(code)) {
            Some(answer) => answer.clone(),
            None => Tri::from_rest(&self.rest),
        }
    }

    pub(crate) fn combine(a: &SystemSet, b: &SystemSet, op: Op) -> SystemSet {
        // Both sides normally agree on case folding (it comes from the loaded code system); if they do
        // not, the folded form wins so that no match is lost.
        let fold_case = a.fold_case || b.fold_case;
        let refold = |s: &SystemSet| -> HashMap<String, Tri> {
            if s.fold_case == fold_case {
                s.codes.clone()
            } else {
                s.codes
                    .iter()
                    .map(|(k, v)| (fold(fold_case, k), v.clone()))
                    .collect()
            }
        };
        let (ca, cb) = (refold(a), refold(b));
        let rest = op.apply_rest(&a.rest, &b.rest);
        let mut codes = HashMap::with_capacity(ca.len().max(cb.len()));
        let (ra, rb) = (Tri::from_rest(&a.rest), Tri::from_rest(&b.rest));
        for (k, va) in &ca {
            let vb = cb.get(k).unwrap_or(&rb);
            codes.insert(k.clone(), op.apply(va, vb));
        }
        for (k, vb) in &cb {
            if !ca.contains_key(k) {
                codes.insert(k.clone(), op.apply(&ra, vb));
            }
        }
        let mut out = SystemSet {
            fold_case,
            codes,
            rest,
        };
        out.prune();
        out
    }

    /// Drops entries that say the same as `rest`.
    fn prune(&mut self) {
        let rest = Tri::from_rest(&self.rest);
        self.codes.retain(|_, v| {
            !matches!(
                (&rest, &*v),
                (Tri::No, Tri::No) | (Tri::Maybe(_), Tri::Maybe(_))
            )
        });
    }

    fn is_certain(&self) -> bool {
        self.rest.is_none() && !self.codes.values().any(|v| matches!(v, Tri::Maybe(_)))
    }
}

/// Lower-cases `code` when the code system is case-insensitive.
pub(crate) fn fold(fold_case: bool, code: &str) -> String {
    if fold_case {
        code.to_lowercase()
    } else {
        code.to_string()
    }
}

/// A set of (system, code) pairs with undecided parts.
#[derive(Debug, Clone, Default)]
pub(crate) struct TriSet {
    pub(crate) systems: HashMap<String, SystemSet>,
    /// The answer for systems not in `systems`.
    pub(crate) rest: Option<Reason>,
}

impl TriSet {
    /// The empty set.
    pub(crate) fn empty() -> Self {
        TriSet::default()
    }

    /// A set about which nothing is known.
    pub(crate) fn unknown(why: Reason) -> Self {
        TriSet {
            systems: HashMap::new(),
            rest: Some(why),
        }
    }

    /// A set holding only codes of `system`.
    pub(crate) fn of_system(system: &str, set: SystemSet) -> Self {
        let mut systems = HashMap::new();
        systems.insert(system.to_string(), set);
        TriSet {
            systems,
            rest: None,
        }
    }

    pub(crate) fn combine(&self, other: &TriSet, op: Op) -> TriSet {
        let rest = op.apply_rest(&self.rest, &other.rest);
        let mut systems = HashMap::new();
        for (url, a) in &self.systems {
            let b = other
                .systems
                .get(url)
                .cloned()
                .unwrap_or_else(|| SystemSet::new(a.fold_case, other.rest.clone()));
            systems.insert(url.clone(), SystemSet::combine(a, &b, op));
        }
        for (url, b) in &other.systems {
            if !self.systems.contains_key(url) {
                let a = SystemSet::new(b.fold_case, self.rest.clone());
                systems.insert(url.clone(), SystemSet::combine(&a, b, op));
            }
        }
        // A system whose codes are all answered by the set's rest need not be listed.
        systems.retain(|_, s| !(s.codes.is_empty() && s.rest == rest));
        TriSet { systems, rest }
    }

    /// The answer for a coded value with a system.
    pub(crate) fn get(&self, system: &str, code: &str) -> Tri {
        match self.systems.get(system) {
            Some(set) => set.get(code),
            None => Tri::from_rest(&self.rest),
        }
    }

    /// The answer for a bare code: in if some system has it, undecided if some system might.
    pub(crate) fn get_any(&self, code: &str) -> Tri {
        let mut answer = Tri::from_rest(&self.rest);
        for set in self.systems.values() {
            answer = Op::Union.apply(&answer, &set.get(code));
            if answer == Tri::Yes {
                break;
            }
        }
        answer
    }

    /// Whether every answer is a sure yes or no.
    pub(crate) fn is_certain(&self) -> bool {
        self.rest.is_none() && self.systems.values().all(SystemSet::is_certain)
    }
}
