//! End-to-end tests: the real gateway on port 0, over real HTTP, against SQLite and PostgreSQL.

mod bundles;
mod crud;
mod errors;
mod examples;
mod helpers;
mod pg;
mod search;
