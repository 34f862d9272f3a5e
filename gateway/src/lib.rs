//! Kakehashi (架け橋): the gateway crate. Everything that does I/O lives here; pure code is in
//! `kakehashi-mappings`. See ARCHITECTURE.md for the map.

pub mod audit;
pub mod channels;
pub mod cli;
pub mod config;
mod hex;
pub mod hpki;
pub mod metrics;
pub mod packages;
pub mod pipeline;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod tls;
pub mod zones;
