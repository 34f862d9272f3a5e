//! Finding where in a resource a typed-parse error lies.
//!
//! fhirbolt's errors carry no position (../shared/docs/crates.md §2) and its deserialisers cannot be
//! wrapped by serde_path_to_error (the context type is private), so we search for the fault: starting at
//! the root, remove one child at a time; the first child whose removal makes the original error go away
//! holds the fault, and we descend into it. Errors are reported in document order and missing-element
//! errors only at the end of their object, so other faults and our own removals do not mislead the search.

use serde_json::Value;

/// At most this many re-parses are spent on one search.
const BUDGET: usize = 400;

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// Returns the FHIRPath (`Patient.name[1].given[0]`) of the element holding the fault that `parse`
/// reports as `error` for `root`. `parse` returns the error text of a candidate, or `None` if it parses.
pub fn locate_fault(root: &Value, error: &str, parse: impl Fn(&Value) -> Option<String>) -> String {
    let mut path: Vec<Step> = Vec::new();
    let mut spent = 0;
    'descend: while let Some(node) = walk(root, &path) {
        let children: Vec<Step> = match node {
            Value::Object(map) => map
                .keys()
                .filter(|k| !(path.is_empty() && k.as_str() == "resourceType"))
                .map(|k| Step::Key(k.clone()))
                .collect(),
            Value::Array(items) => (0..items.len()).map(Step::Index).collect(),
            _ => break,
        };
        for child in children {
            if spent >= BUDGET {
                break 'descend;
            }
            spent += 1;
            let mut candidate = root.clone();
            remove(&mut candidate, &path, &child);
            let fault_gone = match parse(&candidate) {
                None => true,
                Some(new) if new == error => false,
                // Removing a required element creates its own error; that says nothing about the fault.
                Some(new) => {
                    !matches!(&child, Step::Key(k) if new == format!("missing field `{k}`"))
                }
            };
            if fault_gone {
                path.push(child);
                continue 'descend;
            }
        }
        break;
    }
    render(root, &path)
}

fn walk<'v>(root: &'v Value, path: &[Step]) -> Option<&'v Value> {
    path.iter().try_fold(root, |node, step| match step {
        Step::Key(k) => node.get(k),
        Step::Index(i) => node.get(i),
    })
}

fn remove(root: &mut Value, path: &[Step], child: &Step) {
    let mut node = root;
    for step in path {
        node = match step {
            Step::Key(k) => &mut node[k.as_str()],
            Step::Index(i) => &mut node[*i],
        };
    }
    match (node, child) {
        (Value::Object(map), Step::Key(k)) => {
            map.remove(k);
        }
        (Value::Array(items), Step::Index(i)) => {
            items.remove(*i);
        }
        _ => {}
    }
}

fn render(root: &Value, path: &[Step]) -> String {
    let mut out = root
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or("Resource")
        .to_string();
    for step in path {
        match step {
            Step::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}
