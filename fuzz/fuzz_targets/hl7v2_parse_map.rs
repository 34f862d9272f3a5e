//! Fuzz target (cargo-fuzz, libFuzzer; issue #5 "bad input … never a panic"): arbitrary bytes through
//! `hl7v2::parse_bytes` (MSH-18 charset decoding, splitting, batches), every message through
//! `v2_to_fhir::map_message`, its transaction Bundle and `to_hl7`. Errors are values; a panic is a bug.
//! The same steps run on stable Rust over deterministic mutations in mappings/tests/hl7v2_fuzz_smoke.rs.

#![no_main]

use kakehashi_mappings::hl7v2::{parse_bytes, ParseOptions};
use kakehashi_mappings::v2_to_fhir::{map_message, Source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(parsed) = parse_bytes(data, &ParseOptions::default()) else {
        return;
    };
    let source = Source {
        file_name: Some("fuzz.hl7".into()),
        data_type: None,
        received: "2026-12-02T00:00:00.000Z".into(),
    };
    for message in &parsed.batch.messages {
        let _ = message.to_hl7();
        match map_message(message, &source) {
            Ok(mapped) => {
                let _ = mapped.transaction(false);
            }
            Err(e) => {
                let _ = (e.to_string(), e.position());
            }
        }
    }
});
