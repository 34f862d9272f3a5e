//! hcRole (ISO 17090 healthcare actor) inside subjectDirectoryAttributes: decoder and DER encoder
//! (structure and real bytes: shared/docs/hpki.md §1.3 and §4.1).

use x509_parser::der_parser::ber::{BerObject, BerObjectContent};
use x509_parser::der_parser::der::parse_der;

use super::der::{oid, set_of, tlv};
use super::facts::HcRole;
use super::oids;
use super::HpkiError;

/// Decodes the value of extension 2.5.29.9 (`SubjectDirectoryAttributes`) and returns every hcRole
/// (`HCActor.codedData`) in the order the certificate lists them. Attributes of other types are
/// skipped; an HCActor without `codeDataFreeText` is skipped. Malformed DER is an error.
pub fn decode_hc_roles(extn_value: &[u8]) -> Result<Vec<HcRole>, HpkiError> {
    let bad = |what: &str| HpkiError::Malformed(format!("subjectDirectoryAttributes: {what}"));
    let attributes = parse_whole(extn_value).map_err(|_| bad("not DER"))?;
    let attributes = attributes
        .as_sequence()
        .map_err(|_| bad("not a SEQUENCE"))?;
    let mut roles = Vec::new();
    for attribute in attributes {
        let items = attribute
            .as_sequence()
            .map_err(|_| bad("attribute is not a SEQUENCE"))?;
        let [kind, values] = items.as_slice() else {
            return Err(bad("attribute must have a type and values"));
        };
        let kind = kind
            .as_oid()
            .map_err(|_| bad("attribute type is not an OID"))?;
        if kind.to_id_string() != oids::HC_ACTOR {
            continue;
        }
        let values = values
            .as_set()
            .map_err(|_| bad("attribute values are not a SET"))?;
        for actor_data in values {
            let actors = actor_data
                .as_set()
                .map_err(|_| bad("HCActorData is not a SET"))?;
            for actor in actors {
                if let Some(role) = decode_actor(actor).map_err(bad)? {
                    roles.push(role);
                }
            }
        }
    }
    Ok(roles)
}

/// `HCActor ::= SEQUENCE { codedData [0] EXPLICIT CodedData, regionalHCActorData [1] … OPTIONAL }`
fn decode_actor(actor: &BerObject<'_>) -> Result<Option<HcRole>, &'static str> {
    let fields = actor
        .as_sequence()
        .map_err(|_| "HCActor is not a SEQUENCE")?;
    let coded = fields
        .iter()
        .find(|f| {
            f.header.class() == x509_parser::der_parser::ber::Class::ContextSpecific
                && f.header.tag().0 == 0
        })
        .ok_or("HCActor without codedData")?;
    let inner = parse_whole(coded.as_slice().map_err(|_| "codedData is not tagged")?)
        .map_err(|_| "codedData is not DER")?;
    let items = inner
        .as_set()
        .or_else(|_| inner.as_sequence())
        .map_err(|_| "CodedData is not a SET")?;
    let (mut scheme, mut text) = (String::new(), None);
    for item in items {
        let Ok(raw) = item.as_slice() else {
            return Err("CodedData field is not tagged");
        };
        let value = parse_whole(raw).map_err(|_| "CodedData field is not DER")?;
        match (item.header.tag().0, &value.content) {
            (0, BerObjectContent::OID(o)) => scheme = o.to_id_string(),
            (0, _) => return Err("codingSchemeReference is not an OID"),
            (2, content) => text = Some(directory_string(content)?),
            _ => {}
        }
    }
    Ok(text.map(|text| HcRole { scheme, text }))
}

fn directory_string(content: &BerObjectContent<'_>) -> Result<String, &'static str> {
    match content {
        BerObjectContent::UTF8String(s)
        | BerObjectContent::PrintableString(s)
        | BerObjectContent::IA5String(s)
        | BerObjectContent::VisibleString(s) => Ok((*s).to_string()),
        _ => Err("codeDataFreeText is not a UTF8String or PrintableString"),
    }
}

/// One DER object that must use all of `bytes`.
fn parse_whole(bytes: &[u8]) -> Result<BerObject<'_>, ()> {
    match parse_der(bytes) {
        Ok((&[], object)) => Ok(object),
        _ => Err(()),
    }
}

/// Encodes hcRoles as the value of extension 2.5.29.9, exactly as the real MEDIS/JMA certificates do:
/// one attribute `1.0.17090.0.1` whose single value is an HCActorData holding one HCActor per role,
/// codingSchemeReference 1.2.392.100495.1.6.1.1 and the role as a UTF8String codeDataFreeText.
/// An empty slice gives an attribute with an empty HCActorData (callers omit the extension instead).
pub fn encode_hc_roles(roles: &[&str]) -> Vec<u8> {
    let actors = roles
        .iter()
        .map(|role| {
            let coded = tlv(
                0x31,
                &[
                    tlv(0xA0, &oid(oids::JHPKI_CDATA_ARCS)),
                    tlv(0xA2, &tlv(0x0C, role.as_bytes())),
                ]
                .concat(),
            );
            tlv(0x30, &tlv(0xA0, &coded))
        })
        .collect();
    let actor_data = set_of(actors);
    let values = tlv(0x31, &actor_data);
    let attribute = tlv(0x30, &[oid(oids::HC_ACTOR_ARCS), values].concat());
    tlv(0x30, &attribute)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENERATED: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpora/hpki/generated/"
    );

    /// hpki.md §1.3: the extension value of the MEDIS test doctor 0x015E.
    const DOCTOR: &str = "303430320606288185420001312831263024a0223120a00c060a2a830886910f01060101a2100c0e4d65646963616c20446f63746f72";
    /// hpki.md §1.3: the MEDIS test pharmacist 0x0164.
    const PHARMACIST: &str = "3030302E0606288185420001312431223020A01E311CA00C060A2A830886910F01060101A20C0C0A506861726D6163697374";

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn texts(roles: &[HcRole]) -> Vec<&str> {
        roles.iter().map(|r| r.text.as_str()).collect()
    }

    #[test]
    fn real_medis_bytes_decode_to_their_roles() {
        let doctor = decode_hc_roles(&hex(DOCTOR)).unwrap();
        assert_eq!(texts(&doctor), ["Medical Doctor"]);
        assert_eq!(doctor[0].scheme, "1.2.392.100495.1.6.1.1");
        assert_eq!(
            texts(&decode_hc_roles(&hex(PHARMACIST)).unwrap()),
            ["Pharmacist"]
        );
    }

    #[test]
    fn generated_fixtures_decode() {
        let read = |name: &str| std::fs::read(format!("{GENERATED}{name}")).unwrap();
        let doctor = decode_hc_roles(&read("hcrole_medical_doctor.sda.der")).unwrap();
        assert_eq!(texts(&doctor), ["Medical Doctor"]);
        let pharmacist = decode_hc_roles(&read("hcrole_pharmacist.sda.der")).unwrap();
        assert_eq!(texts(&pharmacist), ["Pharmacist"]);
        let both = decode_hc_roles(&read("hcrole_doctor_and_director.sda.der")).unwrap();
        assert_eq!(texts(&both), ["Medical Doctor", "Director of Hospital"]);
        assert!(both.iter().all(|r| r.scheme == oids::JHPKI_CDATA));
    }

    #[test]
    fn encoding_is_byte_equal_to_the_real_certificates() {
        assert_eq!(encode_hc_roles(&["Medical Doctor"]), hex(DOCTOR));
        assert_eq!(encode_hc_roles(&["Pharmacist"]), hex(PHARMACIST));
        let fixture =
            std::fs::read(format!("{GENERATED}hcrole_doctor_and_director.sda.der")).unwrap();
        // SET OF is sorted, so the order of the arguments does not matter.
        assert_eq!(
            encode_hc_roles(&["Director of Hospital", "Medical Doctor"]),
            fixture
        );
        assert_eq!(
            encode_hc_roles(&["Medical Doctor", "Director of Hospital"]),
            fixture
        );
    }

    #[test]
    fn round_trip_of_non_ascii_and_long_roles() {
        let long = "X".repeat(300);
        let roles = decode_hc_roles(&encode_hc_roles(&["看護師", &long])).unwrap();
        let mut got = texts(&roles);
        got.sort();
        let mut want = vec!["看護師", long.as_str()];
        want.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn other_attributes_are_skipped_and_garbage_is_an_error() {
        // An attribute of another type (2.5.4.3) holding a SET with one UTF8String.
        let other = tlv(
            0x30,
            &tlv(
                0x30,
                &[oid(&[2, 5, 4, 3]), tlv(0x31, &tlv(0x0C, b"x"))].concat(),
            ),
        );
        assert!(decode_hc_roles(&other).unwrap().is_empty());
        let real = hex(DOCTOR);
        for cut in 0..real.len() {
            assert!(
                decode_hc_roles(&real[..cut]).is_err(),
                "prefix of {cut} bytes"
            );
        }
        assert!(decode_hc_roles(b"\xff\xff\xff").is_err());
        assert!(decode_hc_roles(&[real.clone(), vec![0]].concat()).is_err());
        // An INTEGER where the OID should be.
        let mut wrong = real;
        wrong[4] = 0x02;
        assert!(decode_hc_roles(&wrong).is_err());
    }
}
