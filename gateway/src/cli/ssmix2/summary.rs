//! The summary of an import or export: counts per data type, and every rejected file with its reason,
//! printed as a table or as JSON on stdout (rejections also go to stderr as they happen).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::cli::OutputFormat;

/// What became of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Stored,
    Duplicate,
    Superseded,
    Deleted,
    Rejected,
}

#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub files: usize,
    pub stored: usize,
    pub duplicates: usize,
    pub superseded: usize,
    pub deleted: usize,
    pub rejected: usize,
}

impl Counts {
    fn add(&mut self, outcome: Outcome) {
        self.files += 1;
        match outcome {
            Outcome::Stored => self.stored += 1,
            Outcome::Duplicate => self.duplicates += 1,
            Outcome::Superseded => self.superseded += 1,
            Outcome::Deleted => self.deleted += 1,
            Outcome::Rejected => self.rejected += 1,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Rejected {
    pub path: String,
    pub reason: String,
}

/// Counts per data type (`?` when the path names none) and the rejected files.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub data_types: BTreeMap<String, Counts>,
    pub total: Counts,
    pub rejected: Vec<Rejected>,
}

impl Summary {
    pub fn count(&mut self, data_type: &str, outcome: Outcome) {
        self.data_types
            .entry(data_type.to_string())
            .or_default()
            .add(outcome);
        self.total.add(outcome);
    }

    pub fn reject(&mut self, data_type: &str, path: &str, reason: String) {
        self.count(data_type, Outcome::Rejected);
        self.rejected.push(Rejected {
            path: path.to_string(),
            reason,
        });
    }

    /// The import table (all six columns) or JSON.
    pub fn render(&self, format: OutputFormat, extra: serde_json::Value) -> String {
        self.render_as(format, extra, "stored")
    }

    /// The table with another name for the `stored` column (`written` for an export), or JSON.
    pub fn render_as(
        &self,
        format: OutputFormat,
        extra: serde_json::Value,
        stored: &str,
    ) -> String {
        if format == OutputFormat::Json {
            let mut value = serde_json::to_value(self).unwrap_or_default();
            if let (Some(object), Some(extra)) = (value.as_object_mut(), extra.as_object()) {
                object.extend(extra.clone());
            }
            return value.to_string();
        }
        let mut out = format!(
            "{:<40} {:>6} {:>7} {:>10} {:>10} {:>7} {:>8}\n",
            "data type", "files", stored, "duplicates", "superseded", "deleted", "rejected"
        );
        let rows = self.data_types.iter().map(|(k, v)| (k.as_str(), v));
        for (name, c) in rows.chain(std::iter::once(("total", &self.total))) {
            out.push_str(&format!(
                "{:<40} {:>6} {:>7} {:>10} {:>10} {:>7} {:>8}\n",
                name, c.files, c.stored, c.duplicates, c.superseded, c.deleted, c.rejected
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_per_type_and_in_total() {
        let mut s = Summary::default();
        s.count("ADT-00", Outcome::Stored);
        s.count("ADT-00", Outcome::Duplicate);
        s.reject("?", "a/b", "bad".into());
        assert_eq!(s.total.files, 3);
        assert_eq!(s.data_types["ADT-00"].duplicates, 1);
        assert_eq!(s.data_types["?"].rejected, 1);
        let json: serde_json::Value = serde_json::from_str(
            &s.render(OutputFormat::Json, serde_json::json!({"dry_run": true})),
        )
        .unwrap();
        assert_eq!(json["total"]["rejected"], 1);
        assert_eq!(json["dry_run"], true);
        assert_eq!(json["rejected"][0]["reason"], "bad");
        assert!(s
            .render(OutputFormat::Text, serde_json::Value::Null)
            .contains("total"));
    }
}
