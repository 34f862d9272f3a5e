//! The MLLP channel (HL7 v2 over TCP, issue #5): framing (`frame.rs`) and the hospital zone's listener
//! (`listener.rs`), which hands every message to `pipeline::hl7v2`.

pub mod frame;
pub mod listener;
