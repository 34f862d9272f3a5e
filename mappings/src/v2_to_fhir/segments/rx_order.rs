//! The order groups of the pharmacy messages (RDE^O11, RAS^O17 and RDS^O13: ORC followed by its RXE /
//! RXA / RXD, TQ1, RXR and RXC, in message order) and what ORC gives every resource of a group: the Rp number and the
//! index in the Rp from ORC-4 (JAMI ConceptMap segment-omp-01-rxe-to-medicationrequest: "ORC-4から、
//! Rp番号を抽出し設定する"), the order number ORC-2, the status from ORC-1/ORC-5, the deterministic
//! MedicationRequest id shared by the order (RDE), the administration (RAS) and the dispense (RDS) mappers.

use crate::build_json;
use serde_json::Value;

use crate::v2_to_fhir::datatypes::codeable;
use crate::v2_to_fhir::input::{Input, Seg};
use crate::v2_to_fhir::output::Output;

/// The Rp number (剤グループ番号) identifier system JP Core 1.1.1 fixes (`identifier:rpNumber.system`);
/// JP Core 1.2 names the same system `http://jpfhir.jp/fhir/core/mhlw/IdSystem/Medication-RPGroupNumber`,
/// but a 1.1.1 validator only accepts the OID.
pub const RP_NUMBER_SYSTEM: &str = "urn:oid:1.2.392.100495.20.3.81";
/// The RP内連番 system (`identifier:orderInRp.system`; 1.2: `…/mhlw/IdSystem/MedicationAdministrationIndex`).
pub const ORDER_IN_RP_SYSTEM: &str = "urn:oid:1.2.392.100495.20.3.82";
/// JP Core's resource instance identifier system (`identifier:requestIdentifier`), holding ORC-2.
pub const REQUEST_ID_SYSTEM: &str =
    "http://jpfhir.jp/fhir/core/IdSystem/resourceInstance-identifier";
/// ORC-4 verbatim, so that the FHIR → v2 mapping can give the sender's group number back.
pub const PLACER_GROUP_SYSTEM: &str = "urn:kakehashi:hl7v2:placer-group-number";

/// Segments that belong to the order group of the ORC before them.
const GROUP_SEGMENTS: &[&str] = &[
    "TQ1", "TQ2", "RXO", "RXE", "RXR", "RXC", "RXA", "RXD", "ODS", "ODT", "CTI",
];

/// An ORC and the segments after it up to the next ORC (`orc` is `None` for group segments that come
/// before any ORC, which is an error the mappers report).
pub struct Block<'a> {
    pub orc: Option<Seg<'a>>,
    pub segments: Vec<Seg<'a>>,
    /// Which group with the same ORC-2 and ORC-4 this is (1 = the first): the RP内連番.
    pub index_in_rp: usize,
    /// 1-based position of the block in the message.
    pub ordinal: usize,
}

/// The order groups of the message in order.
impl Block<'_> {
    /// The segments of the block before the first ORC belong to no order: an error each (the message
    /// must not be stored as if they had been mapped).
    pub fn refuse_orphans(&self, out: &mut Output) {
        for seg in &self.segments {
            out.error(
                seg.position(0),
                format!(
                    "{} comes before any ORC: it belongs to no order and is not mapped.",
                    seg.name()
                ),
            );
            seg.mark_all();
        }
    }
}

pub fn blocks<'a>(input: &'a Input<'a>) -> Vec<Block<'a>> {
    let mut blocks: Vec<Block<'a>> = Vec::new();
    for seg in input.all() {
        if seg.name() == "ORC" {
            blocks.push(Block {
                orc: Some(seg),
                segments: Vec::new(),
                index_in_rp: 1,
                ordinal: blocks.len() + 1,
            });
        } else if GROUP_SEGMENTS.contains(&seg.name()) {
            match blocks.last_mut() {
                Some(b) => b.segments.push(seg),
                None => blocks.push(Block {
                    orc: None,
                    segments: vec![seg],
                    index_in_rp: 1,
                    ordinal: 1,
                }),
            }
        }
    }
    // RP内連番: the n-th ORC with the same ORC-2 and ORC-4. Read raw (not through `Seg::text`) so that
    // counting does not mark the fields as mapped; `OrderKey::of` reads them for real.
    let keys: Vec<(Option<String>, Option<String>)> = blocks
        .iter()
        .map(|b| match &b.orc {
            Some(orc) => (raw(input, orc, 2), raw(input, orc, 4)),
            None => (None, None),
        })
        .collect();
    for i in 0..blocks.len() {
        blocks[i].index_in_rp = keys[..i].iter().filter(|k| **k == keys[i]).count() + 1;
    }
    blocks
}

fn raw(input: &Input, orc: &Seg, field: usize) -> Option<String> {
    let path = format!("{}-{field}.1", orc.position(0));
    input
        .message
        .value(&path)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Splits a block's segments into one item per `head` segment (RXE or RXA) with the TQ1, RXR and RXC
/// after it; TQ1 before the first head (the ORC's own timing) goes to the first item.
pub fn items<'a>(block: &Block<'a>, head: &str) -> (Vec<Item<'a>>, Vec<Seg<'a>>) {
    let mut items: Vec<Item<'a>> = Vec::new();
    let mut before: Vec<Seg<'a>> = Vec::new();
    for seg in &block.segments {
        if seg.name() == head {
            let tq1 = if items.is_empty() {
                before
                    .iter()
                    .filter(|s| s.name() == "TQ1")
                    .copied()
                    .collect()
            } else {
                Vec::new()
            };
            items.push(Item {
                head: *seg,
                tq1,
                rxr: Vec::new(),
                rxc: Vec::new(),
            });
            continue;
        }
        match (items.last_mut(), seg.name()) {
            (Some(item), "TQ1") => item.tq1.push(*seg),
            (Some(item), "RXR") => item.rxr.push(*seg),
            (Some(item), "RXC") => item.rxc.push(*seg),
            _ => before.push(*seg),
        }
    }
    (items, before)
}

/// One RXE (or RXA) with its timing, routes and components.
pub struct Item<'a> {
    pub head: Seg<'a>,
    pub tq1: Vec<Seg<'a>>,
    pub rxr: Vec<Seg<'a>>,
    pub rxc: Vec<Seg<'a>>,
}

/// What identifies the order a group belongs to.
#[derive(Debug, Clone)]
pub struct OrderKey {
    /// ORC-2 依頼者オーダ番号.
    pub placer: Option<String>,
    /// ORC-4 依頼者グループ番号, verbatim.
    pub group: Option<String>,
    /// The Rp number taken from ORC-4, zero-suppressed (`12345678_01` → `1`).
    pub rp: String,
    /// RP内連番.
    pub index: usize,
}

impl OrderKey {
    /// Reads ORC-2 and ORC-4 of the block (warning when ORC-4 is empty: the Rp number is then the
    /// position of the group in the message).
    pub fn of(block: &Block, out: &mut Output) -> OrderKey {
        let (placer, group) = match &block.orc {
            Some(orc) => (orc.text(2), orc.text(4)),
            None => (None, None),
        };
        let rp = match (&group, &block.orc) {
            (Some(g), _) => rp_number(placer.as_deref(), g),
            (None, Some(orc)) => {
                out.warn(
                    orc.position(4),
                    "ORC-4 (依頼者グループ番号) is empty: the Rp number is the position of the order group in the message.",
                );
                block.ordinal.to_string()
            }
            (None, None) => block.ordinal.to_string(),
        };
        OrderKey {
            placer,
            group,
            rp,
            index: block.index_in_rp,
        }
    }

    /// The MedicationRequest id of this order: the RDE mapper gives it to the request, the RAS and RDS
    /// mappers refer to it, so all must call this.
    pub fn request_id(&self, input: &Input) -> String {
        let index = self.index.to_string();
        let mut parts = vec!["medreq"];
        parts.extend(self.id_parts());
        parts.push(&index);
        input.id(&parts)
    }

    /// ORC-2 and the rest of ORC-4 split at `_` (`RX1`, `RX1_01_002` → `RX1`, `01`, `002`), so that
    /// ids stay readable (`_` is not allowed in a FHIR id) and distinct for every group.
    pub fn id_parts(&self) -> Vec<&str> {
        let placer = self.placer.as_deref().unwrap_or("-");
        let mut parts = vec![placer];
        match self.group.as_deref() {
            Some(group) => {
                let rest = group
                    .strip_prefix(placer)
                    .map(|r| r.trim_start_matches('_'))
                    .unwrap_or(group);
                parts.extend(rest.split('_').filter(|p| !p.is_empty()));
            }
            None => parts.push(&self.rp),
        }
        parts
    }

    /// The identifiers JP Core asks for: rpNumber, orderInRp (unless `injection`: JP_MedicationRequest_
    /// Injection has no such slice), requestIdentifier (ORC-2), and ORC-4 verbatim.
    pub fn identifiers(&self, injection: bool) -> Vec<Value> {
        let mut ids = vec![build_json!({"system": RP_NUMBER_SYSTEM, "value": &self.rp})];
        if !injection {
            ids.push(build_json!({"system": ORDER_IN_RP_SYSTEM, "value": self.index.to_string()}));
        }
        if let Some(placer) = &self.placer {
            ids.push(build_json!({"system": REQUEST_ID_SYSTEM, "value": placer}));
        }
        if let Some(group) = &self.group {
            ids.push(build_json!({"system": PLACER_GROUP_SYSTEM, "value": group}));
        }
        ids
    }
}

/// The Rp number in ORC-4: JAHIS senders write `オーダ番号_Rp番号[_連番]`. The part after ORC-2 (or after
/// the first `_` when ORC-4 does not start with ORC-2), up to the next `_`, zero-suppressed as JP Core's
/// examples write it; ORC-4 itself when it has no such part.
pub fn rp_number(placer: Option<&str>, group: &str) -> String {
    let rest = match placer.and_then(|p| group.strip_prefix(p)) {
        Some(rest) if rest.starts_with('_') => Some(&rest[1..]),
        _ => group.split_once('_').map(|(_, rest)| rest),
    };
    let part = rest
        .and_then(|r| r.split('_').next())
        .filter(|p| !p.is_empty())
        .unwrap_or(group);
    if part.bytes().all(|b| b.is_ascii_digit()) {
        let trimmed = part.trim_start_matches('0');
        if trimmed.is_empty() { "0" } else { trimmed }.to_string()
    } else {
        part.to_string()
    }
}

/// The identifier of a 処方箋番号 (RXE-15, RXD-7): the facility-local 処方箋ID of JP Core
/// (`1.2.392.100495.20.3.11` + `1` + the 10-digit 医療機関コード of MSH-4), or a Kakehashi system when
/// the sending facility is not a 医療機関コード.
pub fn prescription_identifier(input: &Input, number: &str) -> Value {
    let system = match input.facility.as_deref() {
        Some(f) if f.len() == 10 && f.bytes().all(|b| b.is_ascii_digit()) => {
            format!("urn:oid:1.2.392.100495.20.3.11.1{f}")
        }
        _ => "urn:kakehashi:hl7v2:prescription-number".to_string(),
    };
    build_json!({"system": system, "value": number})
}

/// The request status from ORC-5 (order status, HL7 table 0038) or else ORC-1 (order control, 0119).
pub fn request_status(orc: Option<&Seg>) -> &'static str {
    let Some(orc) = orc else {
        return "unknown";
    };
    if let Some(status) = orc.text(5) {
        return match status.as_str() {
            "CM" => "completed",
            "CA" => "cancelled",
            "DC" => "stopped",
            "HD" => "on-hold",
            "IP" | "SC" | "A" => "active",
            _ => "unknown",
        };
    }
    match orc.text(1).as_deref() {
        Some("NW") | Some("RP") | Some("XO") | Some("SN") | Some("SC") | Some("RO") => "active",
        Some("CA") | Some("OC") | Some("CR") => "cancelled",
        Some("DC") | Some("OD") => "stopped",
        Some("HD") | Some("OH") => "on-hold",
        _ => "unknown",
    }
}

/// ORC-29 (HL7 table 0482: `O` 外来, `I` 入院) as a category CodeableConcept.
pub fn order_type(orc: &Seg) -> Option<Value> {
    orc.rep(29).as_ref().and_then(codeable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rp_number_is_the_part_of_orc4_after_the_order_number() {
        assert_eq!(rp_number(Some("12345678"), "12345678_01"), "1");
        assert_eq!(rp_number(Some("123"), "123_02_004"), "2");
        assert_eq!(rp_number(None, "555_10"), "10");
        assert_eq!(rp_number(Some("9"), "R3"), "R3");
        assert_eq!(rp_number(Some("9"), "00"), "0");
    }
}
