//! OMG-11/12 (OMI^Z23 放射線 / 内視鏡検査 実施通知) → the ServiceRequest of the order
//! (`segments/request.rs`), one ImagingStudy per IPC (JP_ImagingStudy_Radiology for radiology: IPC-1 →
//! identifier ACSN, IPC-3 Study Instance UID → identifier `urn:dicom:uid`, IPC-5 → modality; OBR-7 →
//! started, OBR-4 → procedureCode) and, for endoscopy, a JP_Procedure (OBR-4 → code, OBR-7/8 →
//! performed) with one JP_Procedure per ZE1 (ZE1-3 手技 → code, ZE1-7 医療従事者 with ZE1-6 種別 →
//! performer, ZE1-9 使用物品 → usedCode) as its parts. For radiology ZE1-3 adds to the study's
//! procedureCode. The other ZE1 fields (制御コード, 回数, 医事加算, 連絡先 …) and ZE2 (撮影条件) have no
//! FHIR element here and are reported as not mapped. Structure (SS-MIX2 / JAHIS):
//! MSH PID PV1? { ORC TQ1+ OBR NTE* DG1* { OBX NTE* } { ZE1 OBX* ZE2* } IPC+ }.
//! ZE1 layout: SS-MIX2 拡張 (1 Set ID, 2 制御コード, 3 手技 CWE, 4 手技回数 NM, 5 医事加算 CWE,
//! 6 医療従事者種別 JCC, 7 医療従事者 XCN, 8 使用物品種別 IS, 9 使用物品 ZRD, 10 連絡先, 11 実施, 12 会計).

use crate::build_json;
use serde_json::{Map, Value};

use crate::v2_to_fhir::coding::system_uri;
use crate::v2_to_fhir::datatypes::codeable;
use crate::v2_to_fhir::input::{Input, Seg};
use crate::v2_to_fhir::output::{MapError, Output};
use crate::v2_to_fhir::profiles::{meta, Flavour};
use crate::v2_to_fhir::segments::groups::{order_groups, OrderGroup};
use crate::v2_to_fhir::segments::obr::period;
use crate::v2_to_fhir::segments::orc::{order_key, order_number_system};
use crate::v2_to_fhir::segments::pid::map_patient;
use crate::v2_to_fhir::segments::pv1::map_encounter;
use crate::v2_to_fhir::segments::request::order_request;
use crate::v2_to_fhir::segments::xcn::{practitioner, practitioner_reference};

pub fn map(input: &Input, out: &mut Output) -> Result<(), MapError> {
    let patient = map_patient(input, out)?;
    let encounter = map_encounter(input, out);
    let groups = order_groups(input);
    if groups.orders.is_empty() {
        return Err(MapError::MissingSegment {
            segment: "ORC".into(),
        });
    }
    let radiology = input.data_type.data_type == "OMG-11";
    for group in &groups.orders {
        let request = order_request(
            input,
            out,
            group,
            &patient,
            encounter.as_deref(),
            None,
            true,
        );
        if group.others("IPC").is_empty() {
            out.error(
                group
                    .obr
                    .or(group.orc)
                    .map(|s| s.position(0))
                    .unwrap_or_else(|| "OBR".into()),
                "OMI^Z23 order without an IPC segment (IPC is required: accession number and Study Instance UID).",
            );
        }
        let procedure = if radiology {
            None
        } else {
            Some(procedure(
                input,
                out,
                group,
                &patient,
                encounter.as_deref(),
                request.as_deref(),
            ))
        };
        for ipc in group.others("IPC") {
            imaging_study(
                input,
                out,
                group,
                &ipc,
                &patient,
                encounter.as_deref(),
                request.as_deref(),
                procedure.as_deref(),
                radiology,
            );
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn imaging_study(
    input: &Input,
    out: &mut Output,
    group: &OrderGroup,
    ipc: &Seg,
    patient: &str,
    encounter: Option<&str>,
    request: Option<&str>,
    procedure: Option<&str>,
    radiology: bool,
) {
    let accession = ipc.text(1);
    let uid = ipc.text(3);
    let key = uid
        .clone()
        .or_else(|| accession.clone())
        .unwrap_or_else(|| format!("{}.{}", input.control_id, ipc.occurrence()));
    let flavour = if radiology {
        Flavour::Radiology
    } else {
        Flavour::Default
    };
    let mut s = Map::new();
    s.insert("resourceType".into(), build_json!("ImagingStudy"));
    s.insert("id".into(), build_json!(input.id(&["imagingstudy", &key])));
    if let Some(m) = meta("ImagingStudy", flavour) {
        s.insert("meta".into(), m);
    }
    let mut identifiers = Vec::new();
    match &uid {
        Some(uid) => identifiers
            .push(build_json!({"system": "urn:dicom:uid", "value": format!("urn:oid:{uid}")})),
        None => out.error(
            ipc.position(3),
            "IPC-3 (Study Instance UID) is empty; it is required.",
        ),
    }
    match &accession {
        Some(a) => identifiers.push(build_json!({
            "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "ACSN"}]},
            "system": order_number_system(input, "accession"),
            "value": a,
        })),
        None => out.error(ipc.position(1), "IPC-1 (accession identifier) is empty; it is required."),
    }
    if !identifiers.is_empty() {
        s.insert("identifier".into(), Value::Array(identifiers));
    }
    s.insert("status".into(), build_json!("available"));
    let modalities: Vec<Value> = ipc
        .reps(5)
        .iter()
        .filter_map(|r| {
            let code = r.text(1)?;
            let system = r
                .text(3)
                .map(|s| system_uri(&s))
                .unwrap_or_else(|| system_uri("DCM"));
            let mut c = build_json!({"system": system, "code": code});
            if let Some(d) = r.text(2) {
                c["display"] = build_json!(d);
            }
            Some(c)
        })
        .collect();
    if !modalities.is_empty() {
        s.insert("modality".into(), Value::Array(modalities));
    }
    s.insert("subject".into(), build_json!({ "reference": patient }));
    if let Some(e) = encounter {
        s.insert("encounter".into(), build_json!({ "reference": e }));
    }
    if let Some(obr) = &group.obr {
        if let Some(start) = period(out, obr).and_then(|p| p.get("start").cloned()) {
            s.insert("started".into(), start);
        }
    }
    if let Some(r) = request {
        s.insert("basedOn".into(), build_json!([{ "reference": r }]));
    }
    if let Some(referrer) = group.orc.and_then(|o| o.rep(12)) {
        if let Some(p) = practitioner_reference(input, out, &referrer) {
            s.insert("referrer".into(), p);
        }
    }
    if let Some(p) = procedure {
        s.insert("procedureReference".into(), build_json!({ "reference": p }));
    }
    let mut codes: Vec<Value> = group
        .obr
        .and_then(|o| o.rep(4))
        .as_ref()
        .and_then(codeable)
        .into_iter()
        .collect();
    if radiology {
        codes.extend(
            group
                .others("ZE1")
                .iter()
                .filter_map(|z| z.rep(3).as_ref().and_then(codeable)),
        );
    }
    if !codes.is_empty() {
        s.insert("procedureCode".into(), Value::Array(codes));
    }
    out.push(Value::Object(s));
}

/// The endoscopy Procedure of the order and one part Procedure per ZE1; returns the main reference.
fn procedure(
    input: &Input,
    out: &mut Output,
    group: &OrderGroup,
    patient: &str,
    encounter: Option<&str>,
    request: Option<&str>,
) -> String {
    let key = order_key(group.orc.as_ref(), group.obr.as_ref())
        .unwrap_or_else(|| input.control_id.clone());
    let code_value = group
        .obr
        .and_then(|o| o.component(4, 1))
        .unwrap_or_else(|| "-".into());
    let status = match group.orc.and_then(|o| o.text(5)).as_deref() {
        Some("IP") => "in-progress",
        Some("CA") | Some("DC") => "not-done",
        Some("HD") => "on-hold",
        _ => "completed",
    };
    let mut p = Map::new();
    p.insert("resourceType".into(), build_json!("Procedure"));
    p.insert(
        "id".into(),
        build_json!(input.id(&["procedure", &key, &code_value])),
    );
    if let Some(m) = meta("Procedure", Flavour::Default) {
        p.insert("meta".into(), m);
    }
    if let Some(r) = request {
        p.insert("basedOn".into(), build_json!([{ "reference": r }]));
    }
    p.insert("status".into(), build_json!(status));
    if let Some(code) = group.obr.and_then(|o| o.rep(4)).as_ref().and_then(codeable) {
        p.insert("code".into(), code);
    }
    p.insert("subject".into(), build_json!({ "reference": patient }));
    if let Some(e) = encounter {
        p.insert("encounter".into(), build_json!({ "reference": e }));
    }
    if let Some(obr) = &group.obr {
        if let Some(period) = period(out, obr) {
            match (period.get("start"), period.get("end")) {
                (Some(start), None) => p.insert("performedDateTime".into(), start.clone()),
                _ => p.insert("performedPeriod".into(), period),
            };
        }
    }
    let main = out.push(Value::Object(p.clone()));
    for ze1 in group.others("ZE1") {
        let Some(code) = ze1.rep(3).as_ref().and_then(codeable) else {
            continue;
        };
        let part_key = ze1.text(1).unwrap_or_else(|| ze1.occurrence().to_string());
        let mut part = Map::new();
        part.insert("resourceType".into(), build_json!("Procedure"));
        part.insert(
            "id".into(),
            build_json!(input.id(&["procedure", &key, &code_value, "ze1", &part_key])),
        );
        if let Some(m) = meta("Procedure", Flavour::Default) {
            part.insert("meta".into(), m);
        }
        part.insert("partOf".into(), build_json!([{ "reference": &main }]));
        part.insert("status".into(), build_json!(status));
        part.insert("code".into(), code);
        part.insert("subject".into(), build_json!({ "reference": patient }));
        if let Some(e) = encounter {
            part.insert("encounter".into(), build_json!({ "reference": e }));
        }
        for k in ["performedDateTime", "performedPeriod"] {
            if let Some(v) = p.get(k) {
                part.insert(k.into(), v.clone());
            }
        }
        let performers: Vec<Value> = ze1
            .reps(7)
            .iter()
            .filter_map(|rep| practitioner(input, out, rep))
            .map(|actor| {
                let mut performer = build_json!({ "actor": { "reference": actor } });
                if let Some(kind) = ze1.rep(6) {
                    let text = kind.text(3).or_else(|| kind.text(1));
                    let mut function = Map::new();
                    if let Some(c) = kind.text(1) {
                        function.insert(
                            "coding".into(),
                            build_json!([{"system": system_uri("HL70327"), "code": c}]),
                        );
                    }
                    if let Some(t) = text {
                        function.insert("text".into(), build_json!(t));
                    }
                    performer["function"] = Value::Object(function);
                }
                performer
            })
            .collect();
        if !performers.is_empty() {
            part.insert("performer".into(), Value::Array(performers));
        }
        let used: Vec<Value> = ze1.reps(9).iter().filter_map(codeable).collect();
        if !used.is_empty() {
            part.insert("usedCode".into(), Value::Array(used));
        }
        out.push(Value::Object(part));
    }
    main
}
