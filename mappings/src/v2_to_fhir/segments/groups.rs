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
