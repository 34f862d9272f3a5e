//! The code tables of `mappings/tables/*.csv`, compiled into the binary: one reader for all of them
//! (`#` lines are comments naming each table's source, the first other line is the header).

use serde::de::DeserializeOwned;

/// Every row of an embedded table. The tables are part of the source and each is read by a unit test, so
/// a malformed one fails the tests, never a run.
pub fn read<T: DeserializeOwned>(name: &str, text: &str) -> Vec<T> {
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        .unwrap_or_else(|e| panic!("tables/{name} is malformed: {e}"))
}
