//! FHIR R4 search (http://hl7.org/fhir/R4/search.html): the parameter table, index values extracted from
//! resources, date ranges, and the parsed form of a search request. SQL is built by the gateway's store.

pub mod date;
pub mod index;
pub mod params;
pub mod query;

pub use date::DateRange;
pub use index::{extract_index, IndexValue};
pub use params::{registry, ParamType, SearchParam};
pub use query::{parse_search, Condition, DatePrefix, Include, SearchQuery, SummaryMode};
