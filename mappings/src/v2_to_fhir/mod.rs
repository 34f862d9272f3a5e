//! HL7 v2.5 (JAHIS / SS-MIX2) → FHIR R4 JP Core 1.1.x (issue #5 step 2), after the JAMI SS-MIX2→FHIR
//! mapping IG (`../shared/corpora/mapping-specs/jami-ssmix2-to-fhir`, its ConceptMaps) and, where it is
//! silent, the HL7 v2-to-FHIR IG.
//!
//! One file per message type in `messages/`, segment and data-type mappers shared (`segments/`,
//! `datatypes.rs`). The result is a list of resources with deterministic ids (`ids.rs`: re-mapping the
//! same message gives the same ids, so storing it twice changes nothing), a MessageHeader and a
//! Provenance pointing at the source (MSH-10, file name), and the issues: every non-empty field and every
//! segment that no mapper read is reported as an `information` issue at its HL7 position (`PID-14`,
//! `OBX[3]`), never dropped silently.
//!
//! Conventions every mapper follows (so that `fhir_to_v2` can map back):
//! - `meta.profile` is the JP Core 1.1.x profile of the resource (`profiles.rs`).
//! - Codes: CWE-1/2/3 → `coding[0]` (code, display, system by `coding::system_uri`), CWE-4/5/6 →
//!   `coding[1]`; `text` = CWE-2 (or CWE-5). An unknown system name keeps the name in a URN.
//! - Times: TS/DTM → FHIR dateTime with `+09:00` when the sender gives a time without a zone
//!   (`datatypes::date_time`).
//! - References: `Patient/{id}` etc. between resources of the same message.

pub mod coding;
pub mod data_types;
pub mod datatypes;
pub mod ids;
pub mod input;
pub mod messages;
pub mod output;
pub mod profiles;
pub mod segments;

pub use data_types::{data_type_of, DataType};
pub use input::{Input, Rep, Seg};
pub use output::{MapError, Mapped, Output};

use crate::hl7v2::Message;

/// What the caller knows about where a message came from (`mappings` reads no clock: the gateway
/// passes the time it received the message).
#[derive(Debug, Clone, Default)]
pub struct Source {
    /// The SS-MIX2 file name (or path) the message was read from, if any.
    pub file_name: Option<String>,
    /// The SS-MIX2 data type named by the storage path, if any (it tells OMP-01 from OMP-02 and the
    /// OMG-0x kinds apart when the message alone cannot).
    pub data_type: Option<String>,
    /// When the gateway received the message, as a FHIR instant (`2026-12-02T01:02:03.456Z`).
    pub received: String,
}

/// Maps one message. `Err` only when the message cannot be mapped at all (an unsupported message type:
/// AR; a missing MSH-10 or PID: AE); problems with single values are issues in `Mapped::issues`, and a
/// message with any error issue must not be stored.
pub fn map_message(message: &Message, source: &Source) -> Result<Mapped, MapError> {
    let data_type = data_type_of(message, source.data_type.as_deref())?;
    let input = Input::new(message, source, data_type)?;
    let mut out = Output::default();
    segments::msh::map_header(&input, &mut out);
    messages::map(&input, &mut out)?;
    segments::msh::map_provenance(&input, &mut out);
    Ok(out.finish(&input))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADT: &str = "MSH|^~\\&|HIS|1319999999|GW|1319999999|20160821161523||ADT^A08^ADT_A01|MSG0001|P|2.5||||||~ISO IR87||ISO 2022-1994\rEVN||20160821161523\rPID|||1000000001^^^^PI||患者^太郎^^^^^L^I~カンジャ^タロウ^^^^^L^P||19791101|M|||^^渋谷区^東京都^1510071^JPN^H^東京都渋谷区本町三丁目１２ー１||^PRN^PH^^^^^^^^^03-1234-5678\rZZZ|1|x\r";

    #[test]
    fn a_message_maps_to_deterministic_resources_with_its_provenance() {
        let message = Message::parse(ADT).unwrap();
        let source = Source {
            received: "2026-12-02T00:00:00.000Z".into(),
            ..Source::default()
        };
        let mapped = map_message(&message, &source).unwrap();
        assert_eq!(mapped.data_type, "ADT-00");
        assert_eq!(
            mapped.patient.as_deref(),
            Some("Patient/1319999999.patient.1000000001")
        );
        let types: Vec<&str> = mapped
            .resources
            .iter()
            .map(|r| r["resourceType"].as_str().unwrap())
            .collect();
        assert_eq!(types.first(), Some(&"MessageHeader"));
        assert_eq!(types.last(), Some(&"Provenance"));
        let patient = mapped
            .resources
            .iter()
            .find(|r| r["resourceType"] == "Patient")
            .unwrap();
        assert_eq!(
            patient["identifier"][0]["system"],
            "urn:oid:1.2.392.100495.20.3.51.11319999999"
        );
        assert_eq!(patient["name"][0]["text"], "患者 太郎");
        assert_eq!(patient["name"][1]["extension"][0]["valueCode"], "SYL");
        assert_eq!(patient["birthDate"], "1979-11-01");
        assert_eq!(patient["telecom"][0]["value"], "03-1234-5678");
        assert_eq!(patient["address"][0]["postalCode"], "1510071");
        // What nobody read is reported, not dropped.
        assert!(mapped
            .issues
            .iter()
            .any(|i| i.expression.as_deref() == Some("ZZZ")));
        assert!(mapped
            .issues
            .iter()
            .any(|i| i.expression.as_deref() == Some("EVN")));
        assert!(!mapped.has_errors());
        // Mapping again gives the same ids.
        let again = map_message(&message, &source).unwrap();
        assert_eq!(again.resources, mapped.resources);
        assert_eq!(
            mapped.transaction(false)["entry"][1]["request"]["url"],
            "Patient/1319999999.patient.1000000001"
        );
    }
}
