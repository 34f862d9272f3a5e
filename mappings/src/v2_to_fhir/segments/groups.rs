//! The order groups of the order and result messages (OML^O33, OUL^R22, OMG^O19, OMI^Z23, ORU^R01,
//! ORU^R30), read from the segment order the way the SS-MIX2 message structures define them
//! (HL7 v2.5 ch. 4, 7; JAHIS 臨床検査 / 放射線 / 内視鏡 データ交換規約): an `SPM` opens a specimen,
//! `ORC` and `OBR` (in either order: OUL_R22 has `OBR ORC?`, senders also write `ORC OBR`) open an
//! order, `OBX` a result of the current order, `NTE` comments on the last `OBX`, else on the order.

use crate::v2_to_fhir::input::{Input, Seg};

/// One OBX with the NTE segments after it.
#[derive(Clone)]
pub struct Result<'a> {
    pub obx: Seg<'a>,
    pub notes: Vec<Seg<'a>>,
}

/// One ORC/OBR group with what belongs to it.
#[derive(Clone, Default)]
pub struct OrderGroup<'a> {
    /// The SPM in force when the order started (OUL^R22, OML^O33).
    pub spm: Option<Seg<'a>>,
    pub orc: Option<Seg<'a>>,
    pub obr: Option<Seg<'a>>,
    /// NTE segments after the ORC/OBR, before the first OBX.
    pub notes: Vec<Seg<'a>>,
    pub results: Vec<Result<'a>>,
    /// TQ1, DG1, ZE1, ZE2, IPC and other segments of the group, in order.
    pub other: Vec<Seg<'a>>,
    /// Position of the group's first segment, for issues.
    pub first_index: usize,
}

impl<'a> OrderGroup<'a> {
    /// The segments of the group called `name`.
    pub fn others(&self, name: &str) -> Vec<Seg<'a>> {
        self.other
            .iter()
            .filter(|s| s.name() == name)
            .copied()
            .collect()
    }

    fn is_empty(&self) -> bool {
        self.orc.is_none() && self.obr.is_none() && self.results.is_empty()
    }
}

/// What the grouping found.
#[derive(Default)]
pub struct Groups<'a> {
    /// Every SPM, in order.
    pub specimens: Vec<Seg<'a>>,
    /// OBX segments right after an SPM (specimen observations), with the SPM.
    pub specimen_results: Vec<(Seg<'a>, Result<'a>)>,
    pub orders: Vec<OrderGroup<'a>>,
}

/// Segments that belong to the header part of the message (never to a group).
const HEADER: &[&str] = &[
    "MSH", "SFT", "PID", "PD1", "NK1", "PV1", "PV2", "IN1", "IN2", "IN3", "GT1", "AL1",
];

/// Splits the message into order groups.
pub fn order_groups<'a>(input: &'a Input<'a>) -> Groups<'a> {
    let mut groups = Groups::default();
    let mut current: Option<OrderGroup<'a>> = None;
    let mut spm: Option<Seg<'a>> = None;
    // Whether the last segment read was an SPM or one of its OBX (specimen observations).
    let mut in_specimen = false;
    let finish = |g: Option<OrderGroup<'a>>, groups: &mut Groups<'a>| {
        if let Some(g) = g {
            if !g.is_empty() {
                groups.orders.push(g);
            }
        }
    };
    for seg in input.all() {
        match seg.name() {
            "SPM" => {
                finish(current.take(), &mut groups);
                groups.specimens.push(seg);
                spm = Some(seg);
                in_specimen = true;
            }
            "ORC" => {
                in_specimen = false;
                let join = matches!(&current, Some(g) if g.orc.is_none() && g.obr.is_some() && g.results.is_empty());
                if join {
                    if let Some(g) = current.as_mut() {
                        g.orc = Some(seg);
                    }
                } else {
                    finish(current.take(), &mut groups);
                    current = Some(OrderGroup {
                        spm,
                        orc: Some(seg),
                        first_index: seg.index(),
                        ..OrderGroup::default()
                    });
                }
            }
            "OBR" => {
                in_specimen = false;
                let join = matches!(&current, Some(g) if g.obr.is_none() && g.results.is_empty());
                if join {
                    if let Some(g) = current.as_mut() {
                        g.obr = Some(seg);
                    }
                } else {
                    finish(current.take(), &mut groups);
                    current = Some(OrderGroup {
                        spm,
                        obr: Some(seg),
                        first_index: seg.index(),
                        ..OrderGroup::default()
                    });
                }
            }
            "OBX" => {
                let result = Result {
                    obx: seg,
                    notes: Vec::new(),
                };
                match (&mut current, in_specimen, spm) {
                    (_, true, Some(s)) => groups.specimen_results.push((s, result)),
                    (Some(g), _, _) => g.results.push(result),
                    (None, _, _) => {
                        current = Some(OrderGroup {
                            spm,
                            results: vec![result],
                            first_index: seg.index(),
                            ..OrderGroup::default()
                        });
                    }
                }
            }
            "NTE" => {
                if in_specimen {
                    if let Some((_, r)) = groups.specimen_results.last_mut() {
                        r.notes.push(seg);
                    }
                    continue;
                }
                // A message- or patient-level NTE (no order yet) is left to be reported as not mapped.
                if let Some(g) = current.as_mut() {
                    match g.results.last_mut() {
                        Some(r) => r.notes.push(seg),
                        None => g.notes.push(seg),
                    }
                }
            }
            name if HEADER.contains(&name) => {}
            _ => {
                if let Some(g) = current.as_mut() {
                    g.other.push(seg);
                }
            }
        }
    }
    finish(current.take(), &mut groups);
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hl7v2::Message;
    use crate::v2_to_fhir::{data_type_of, Source};

    fn names(segs: &[Seg]) -> Vec<String> {
        segs.iter().map(|s| s.position(0)).collect()
    }

    #[test]
    fn orc_and_obr_group_in_either_order_and_notes_follow_their_segment() {
        let text = "MSH|^~\\&|HIS|1319999999|GW|GW|20260101||OUL^R22^OUL_R22|1|P|2.5\r\
            PID|1||1^^^^PI\r\
            NTE|1||patient note\r\
            SPM|1|S1||023^血清^JC10\r\
            OBX|1|ST|X^specimen obs^99X||a||||||F\r\
            OBR|1|A1||1^生化学^99XYZ\r\
            ORC|SC|A1\r\
            NTE|1||order note\r\
            OBX|1|NM|3B035000002327201^AST^JC10||24||||||F\r\
            NTE|1||result note\r\
            OBX|2|NM|3B045000002327201^ALT^JC10||30||||||F\r\
            SPM|2|S2||019^血液^JC10\r\
            ORC|SC|A2\r\
            TQ1|1\r\
            OBR|1|A2||3^血液^99XYZ\r\
            OBX|1|NM|2A020000001930101^RBC^JC10||397||||||F\r\
            ORC|SC|A3\r\
            OBR|1|A3||4^凝固^99XYZ\r";
        let message = Message::parse(text).unwrap();
        let source = Source::default();
        let data_type = data_type_of(&message, None).unwrap();
        let input = Input::new(&message, &source, data_type).unwrap();
        let groups = order_groups(&input);
        assert_eq!(names(&groups.specimens), ["SPM", "SPM[2]"]);
        assert_eq!(groups.specimen_results.len(), 1);
        assert_eq!(groups.orders.len(), 3);
        let first = &groups.orders[0];
        assert_eq!(first.orc.map(|s| s.position(0)).as_deref(), Some("ORC"));
        assert_eq!(first.obr.map(|s| s.position(0)).as_deref(), Some("OBR"));
        assert_eq!(names(&first.notes), ["NTE[2]"]);
        assert_eq!(first.results.len(), 2);
        assert_eq!(names(&first.results[0].notes), ["NTE[3]"]);
        let second = &groups.orders[1];
        assert_eq!(second.spm.map(|s| s.position(0)).as_deref(), Some("SPM[2]"));
        assert_eq!(second.orc.map(|s| s.position(0)).as_deref(), Some("ORC[2]"));
        assert_eq!(second.obr.map(|s| s.position(0)).as_deref(), Some("OBR[2]"));
        assert_eq!(names(&second.others("TQ1")), ["TQ1"]);
        assert_eq!(second.results.len(), 1);
        // A third order on the same specimen.
        let third = &groups.orders[2];
        assert_eq!(third.spm.map(|s| s.position(0)).as_deref(), Some("SPM[2]"));
        assert!(third.results.is_empty());
    }
}
