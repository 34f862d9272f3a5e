//! The MLLP channel (HL7 v2 over TCP, issue #5): framing now; the listener and the ACK path follow.

pub mod frame;
