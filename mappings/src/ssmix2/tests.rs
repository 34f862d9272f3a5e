//! Tests of the SS-MIX2 path grammar with the real sample names of the NHO tool and support documents
//! (jp-standards.md §4.1, §4.4) and with broken variants of them.

use super::*;
use crate::hl7v2::Message;

const OML11: &str = "012/345/0123456789/20080126/OML-11/0123456789_20080126_OML-11_081251234567800_200802031630123_01_1";
const ADT00: &str =
    "999/901/9999013/-/ADT-00/9999013_-_ADT-00_999999999999999_20111220224447339_-_1";
const OMP01: &str = "999/901/9999013/20110701/OMP-01/9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1";
const OMG11: &str =
    "999/901/9999013/20111220/OMG-11/9999013_20111220_OMG-11_2011122000300_20111220224447339_24_1";
const NHO_DELETED: &str = "000/000/0000001/20000401/OMP-11/0000001_20000401_OMP-11_123456789012346_20110701113813226_01_0";
const VITALS: &str = "012/345/0123456789/20160101/L-OBSERVATIONS^OBSERVATIONS^99ZL01/0123456789_20160101_L-OBSERVATIONS^OBSERVATIONS^99ZL01_000002016010115_201601011500321_1/main_document.hl7";

#[test]
fn the_real_sample_names_parse_and_write_back_unchanged() {
    for path in [OML11, ADT00, OMP01, OMG11, NHO_DELETED, VITALS] {
        let parsed = StoragePath::parse(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(parsed.to_relative_path(), path);
    }
    let p = StoragePath::parse(OML11).unwrap();
    assert_eq!(p.patient_id, "0123456789");
    assert_eq!(p.care_date.as_deref(), Some("20080126"));
    assert_eq!(p.data_type, "OML-11");
    assert_eq!(p.order_number, "081251234567800");
    assert_eq!(p.timestamp, "200802031630123");
    assert_eq!(p.department.as_deref(), Some("01"));
    assert_eq!(p.flag, ConditionFlag::Current);
    assert!(p.extended.is_none());

    let adt = StoragePath::parse(ADT00).unwrap();
    assert_eq!((adt.care_date, adt.department), (None, None));
    assert_eq!(adt.order_number, NO_ORDER_NUMBER);
    assert_eq!(
        StoragePath::parse(NHO_DELETED).unwrap().flag,
        ConditionFlag::Deleted
    );

    let vitals = StoragePath::parse(VITALS).unwrap();
    let ext = vitals.extended.as_ref().unwrap();
    assert_eq!(ext.document.local_code, "L-OBSERVATIONS");
    assert_eq!(ext.document.local_system, "99ZL01");
    assert!(ext.document.standard_code.is_empty());
    assert!(!ext.has_department);
    assert_eq!(vitals.order_number, "000002016010115");
}

#[test]
fn a_six_part_extended_type_with_standard_code_parses() {
    let path = "999/901/9999013/20111220/L12345^退院時サマリー^99ZZZ^18842-5^退院時サマリー^LN/9999013_20111220_L12345^退院時サマリー^99ZZZ^18842-5^退院時サマリー^LN_000000000000001_20111220224447339_01_2/main_document.xml";
    let p = StoragePath::parse(path).unwrap();
    let ext = p.extended.as_ref().unwrap();
    assert_eq!(ext.document.standard_code, "18842-5");
    assert_eq!(ext.document.standard_system, "LN");
    assert!(ext.has_department);
    assert_eq!(p.flag, ConditionFlag::Superseded);
    assert_eq!(p.to_relative_path(), path);
}

fn error_of(path: &str) -> PathError {
    StoragePath::parse(path).expect_err(path)
}

#[test]
fn every_way_of_being_wrong_has_its_reason() {
    // The NHO tool's intentionally broken sample: an OMP-11 file in an ADT-31 folder of another patient.
    assert_eq!(
        error_of("000/000/0000001/20000401/ADT-31/9999013_20110630_OMP-11_123456789012345_20110701113813225_01_1"),
        PathError::PatientMismatch { folder: "0000001".into(), file: "9999013".into() }
    );
    assert_eq!(
        error_of("999/901/9999013/20110630/ADT-31/9999013_20110630_OMP-11_123456789012345_20110701113813225_01_1"),
        PathError::TypeMismatch { folder: "ADT-31".into(), file: "OMP-11".into() }
    );
    assert_eq!(
        error_of("999/901/9999013/20110701/OMP-01/9999013_20110630_OMP-01_000000011000185_20110701224603984_01_1"),
        PathError::DateMismatch { folder: "20110701".into(), file: "20110630".into() }
    );
    assert_eq!(
        error_of("999/902/9999013/20110701/OMP-01/9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1"),
        PathError::PatientFolder { level: 2, range: "4–6", found: "902".into(), expected: "901".into() }
    );
    assert!(matches!(
        error_of("998/901/9999013/20110701/OMP-01/9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1"),
        PathError::PatientFolder { level: 1, .. }
    ));
    assert_eq!(
        error_of("999/901/9999013/20110231/OMP-01/9999013_20110231_OMP-01_000000011000185_20110701224603984_01_1"),
        PathError::BadDate { value: "20110231".into() }
    );
    assert_eq!(
        error_of("999/901/9999013/20110701/OMP-99/9999013_20110701_OMP-99_000000011000185_20110701224603984_01_1"),
        PathError::UnknownDataType { value: "OMP-99".into() }
    );
    assert_eq!(
        error_of("999/901/9999013/20110701/OMP-01/9999013_20110701_OMP-01_000000011000185_20110701224603984_01_3"),
        PathError::BadFlag { value: "3".into() }
    );
    assert_eq!(
        error_of("999/901/9999013/20110701/OMP-01/9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1.utf8.txt"),
        PathError::BadFlag { value: "1.utf8.txt".into() }
    );
    assert_eq!(
        error_of("999/901/9999013/20110701/OMP-01/9999013_20110701_OMP-01_000000011000185_20110701224603984_1"),
        PathError::FileNameParts { found: 6, expected: "7" }
    );
    assert_eq!(
        error_of("999/901/9999013/20110701/OMP-01/9999013_20110701_OMP-01_0000000110001850_20110701224603984_01_1"),
        PathError::BadOrderNumber { value: "0000000110001850".into() }
    );
    assert_eq!(
        error_of("999/901/9999013/20110701/OMP-01/9999013_20110701_OMP-01_000000011000185_20110701254603984_01_1"),
        PathError::BadTimestamp { value: "20110701254603984".into() }
    );
    assert_eq!(
        error_of("999/901/9999013/20110701/OMP-01/9999013_20110701_OMP-01_000000011000185_2011070122460_01_1"),
        PathError::BadTimestamp { value: "2011070122460".into() }
    );
    assert_eq!(
        error_of("999/901/9999013/20110701/OMP-01/9999013_20110701_OMP-01_000000011000185_20110701224603984_内科_1"),
        PathError::BadDepartment { value: "内科".into() }
    );
    assert_eq!(
        error_of("999/901/9999013/20110701/9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1"),
        PathError::WrongDepth { found: 5 }
    );
    assert_eq!(
        error_of("999//9999013/20110701/OMP-01/x"),
        PathError::EmptyPart { index: 2 }
    );
    assert_eq!(
        error_of("012/345/0123456789/20160101/L-OBSERVATIONS^OBSERVATIONS^99ZL01/0123456789_20160101_L-OBSERVATIONS^OBSERVATIONS^99ZL01_000002016010115_201601011500321_1/style.css"),
        PathError::NotMainDocument { file: "style.css".into() }
    );
    assert!(matches!(
        error_of("012/345/0123456789/20160101/^^^18842-5^退院時サマリー^LN/0123456789_20160101_^^^18842-5^退院時サマリー^LN_1_201601011500321_01_1/main_document.xml"),
        PathError::BadExtendedType { reason: "the local document name is empty", .. }
    ));
    assert!(matches!(
        error_of("012/345/0123456789/20160101/OML-11/0123456789_20160101_OML-11_1_201601011500321_01_1/main_document.hl7"),
        PathError::BadExtendedType { .. }
    ));
    assert_eq!(
        error_of("012/345/0123456789/20160101/L-OBS^OBS^99ZL01/0123456789_20160101_L-OBS^OBS^99ZL01_1_201601011500321_01_1"),
        PathError::WrongStorage { value: "L-OBS^OBS^99ZL01".into() }
    );
}

#[test]
fn short_patient_ids_follow_the_nho_slices_and_ids_under_four_are_refused() {
    let five = "123/45/12345/-/ADT-00/12345_-_ADT-00_999999999999999_20111220224447339_-_1";
    assert_eq!(StoragePath::parse(five).unwrap().to_relative_path(), five);
    assert_eq!(
        error_of("123/4/1234/-/ADT-00/123_-_ADT-00_999999999999999_20111220224447339_-_1"),
        PathError::PatientIdTooShort { id: "123".into() }
    );
}

fn message(text: &str) -> Message {
    Message::parse(&text.replace('\n', "\r")).unwrap()
}

#[test]
fn the_path_of_a_message_comes_from_its_content() {
    // The NHO OML-11 sample's header and keys (decoded), which its file name was made from.
    let oul = message(
        "MSH|^~\\&|HIS|SEND|GW|RCV|20080203163012345||OUL^R22^OUL_R22|0000000000158438|P|2.5||||||~ISO IR87||ISO2022-1994\n\
         PID|0001||0123456789^^^^PI||国病^太郎^^^^^L^I\n\
         SPM|1|012345678061||017^血液^JC10||||||採取部位||10.0^mL&mL&L99U01|||||200801260800\n\
         OBR|1|081251234567800|200812623456781|6B0100000017742^培養同定(一般細菌)^JC10\n\
         ORC|SC|081251234567800|200812623456781||CM||||200801240900|||777^医師花子^^^^^^^^L^^^^^I|07E^03^01^^^N||||01^内科^HL70069",
    );
    let facts = MessageFacts {
        data_type: None,
        flag: ConditionFlag::Current,
    };
    let path = StoragePath::for_message(&oul, &facts).unwrap();
    assert_eq!(
        path.to_relative_path(),
        "012/345/0123456789/20080126/OML-11/0123456789_20080126_OML-11_081251234567800_20080203163012345_01_1"
    );
    assert_eq!(StoragePath::parse(&path.to_relative_path()).unwrap(), path);

    // The NHO ADT-42 sample: EVN-6 gives the date, PV1-10 the department, no ORC so fifteen 9s, MSH-7
    // with four fraction digits cut to 17.
    let a02 = message(
        "MSH|^~\\&|HIS123|SEND|GW|RCV|20111220224447.3399||ADT^A02^ADT_A02|20111220000001|P|2.5||||||~ISO IR87||ISO 2022-1994\n\
         EVN||201112202100||||201112202000\n\
         PID|0001||9999013||患者^太郎^^^^^L^I\n\
         PV1|0001|I|32^305^1^^^N|||32^302^1^^^N|220^医師一郎^^^^^^^^L^^^^^I|||10",
    );
    let path = StoragePath::for_message(
        &a02,
        &MessageFacts {
            data_type: None,
            flag: ConditionFlag::Superseded,
        },
    )
    .unwrap();
    assert_eq!(
        path.to_relative_path(),
        "999/901/9999013/20111220/ADT-42/9999013_20111220_ADT-42_999999999999999_20111220224447339_10_2"
    );

    // ADT-00 has no care date and no department: `-`; MSH-7 with a time zone and no fraction is padded.
    let a08 = message(
        "MSH|^~\\&|HIS|SEND|GW|RCV|20111220224447+0900||ADT^A08^ADT_A01|1|P|2.5\nPID|0001||9999013^^^^PI",
    );
    let path = StoragePath::for_message(&a08, &facts).unwrap();
    assert_eq!(
        path.to_relative_path(),
        "999/901/9999013/-/ADT-00/9999013_-_ADT-00_999999999999999_20111220224447000_-_1"
    );

    // The data type from the caller tells OMP-01 from OMP-02; ORC-2 is zero-padded to 15.
    let rde = message(
        "MSH|^~\\&|HIS|SEND|GW|RCV|20110701224603984||RDE^O11^RDE_O11|2|P|2.5\nPID|0001||9999013^^^^PI\nORC|NW|11000185|||||||20110701||||||||01^内科^HL70069",
    );
    let path = StoragePath::for_message(
        &rde,
        &MessageFacts {
            data_type: Some("OMP-01"),
            flag: ConditionFlag::Deleted,
        },
    )
    .unwrap();
    assert_eq!(
        path.file_name(),
        "9999013_20110701_OMP-01_000000011000185_20110701224603984_01_0"
    );
}

#[test]
fn a_dispense_is_stored_as_its_local_extended_type_dated_by_rxd3() {
    // RDS^O13 has no SS-MIX2 data type: the table's `L-DISPENSE^DISPENSE^99ZKH`, care date RXD-3.
    let rds = message(
        "MSH|^~\\&|PHARM|SEND|GW|RCV|20261201113010||RDS^O13^RDS_O13|3|P|2.5\nPID|0001||9999013^^^^PI\nORC|RE|RX1||RX1_01|||||20261130||||||||01^内科^HL70069\nRXD|1|116962101^アムロジピン錠５ｍｇ^HOT|20261201112500|14|TAB^錠^MR9P",
    );
    let facts = MessageFacts {
        data_type: None,
        flag: ConditionFlag::Current,
    };
    let path = StoragePath::for_message(&rds, &facts).unwrap();
    assert_eq!(
        path.to_relative_path(),
        "999/901/9999013/20261201/L-DISPENSE^DISPENSE^99ZKH/9999013_20261201_L-DISPENSE^DISPENSE^99ZKH_000000000000RX1_20261201113010000_01_1/main_document.hl7"
    );
    assert_eq!(StoragePath::parse(&path.to_relative_path()).unwrap(), path);
    let document = &path.extended.as_ref().unwrap().document;
    assert_eq!(document.local_code, "L-DISPENSE");
    assert_eq!(document.local_system, "99ZKH");
}

#[test]
fn a_message_without_what_its_path_needs_is_refused_with_the_field() {
    let facts = MessageFacts {
        data_type: None,
        flag: ConditionFlag::Current,
    };
    let no_date = message("MSH|^~\\&|HIS|SEND|GW|RCV|20110701224603984||RDE^O11^RDE_O11|2|P|2.5\nPID|0001||9999013\nORC|NW|1");
    assert_eq!(
        StoragePath::for_message(&no_date, &facts).unwrap_err(),
        BuildError::NoCareDate {
            field: "ORC-9".into(),
            data_type: "OMP-01".into()
        }
    );
    let short_id =
        message("MSH|^~\\&|HIS|SEND|GW|RCV|20111220224447||ADT^A08|1|P|2.5\nPID|0001||13");
    assert_eq!(
        StoragePath::for_message(&short_id, &facts).unwrap_err(),
        BuildError::Path(PathError::PatientIdTooShort { id: "13".into() })
    );
    let bad_time =
        message("MSH|^~\\&|HIS|SEND|GW|RCV|yesterday||ADT^A08|1|P|2.5\nPID|0001||9999013");
    assert!(matches!(
        StoragePath::for_message(&bad_time, &facts).unwrap_err(),
        BuildError::Timestamp(_)
    ));
    let unknown =
        message("MSH|^~\\&|HIS|SEND|GW|RCV|20111220224447||ZZZ^Z01|1|P|2.5\nPID|0001||9999013");
    assert!(matches!(
        StoragePath::for_message(&unknown, &facts).unwrap_err(),
        BuildError::DataType(_)
    ));
}
