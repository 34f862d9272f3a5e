//! SS-MIX2 standard and extended storage paths (SS-MIX2 標準化ストレージ / 拡張ストレージ 構成の説明と構築
//! ガイドライン 1.2; jp-standards.md §4.1–4.2): the folder and file-name grammar, parsed into a
//! [`StoragePath`] with a precise [`PathError`] for every way a path can be wrong, written back with
//! [`StoragePath::to_relative_path`], and built for a message from its content with
//! [`StoragePath::for_message`].

mod build;
mod error;
mod fields;
mod path;
#[cfg(test)]
mod tests;

pub use build::{BuildError, MessageFacts};
pub use error::PathError;
pub use path::{ConditionFlag, DocumentType, Extended, StoragePath, NO_ORDER_NUMBER};
