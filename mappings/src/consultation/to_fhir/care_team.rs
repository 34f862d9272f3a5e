//! P8 (the doctors who may do online care under a plan, and when) → CareTeam (no JP Core profile): one
//! participant per planned doctor, the role as a Kakehashi code (`planned-doctor-role`), the member its
//! Practitioner, and `when` as a Kakehashi extension (`care-plan-doctor-when`). A CareTeam rather than
//! CarePlan.contributor, because only a participant can carry a role.

use serde_json::Value;

use super::codes::concept;
use super::names::{extension_url, PLANNED_DOCTOR_WHEN};
use crate::build_json;
use crate::consultation::model::CarePlan;

/// The CareTeam of `plan`; `members` are the Practitioner references of `plan.doctors`, in order.
pub fn care_team(plan: &CarePlan, id: &str, patient: &str, members: &[String]) -> Value {
    let participants: Vec<Value> = plan
        .doctors
        .iter()
        .zip(members)
        .map(|(planned, member)| {
            let when = planned.when.as_deref().map(
                |w| build_json!([{"url": extension_url(PLANNED_DOCTOR_WHEN), "valueString": w}]),
            );
            build_json!({
                "extension": when,
                "role": [concept("planned-doctor-role", &planned.role)],
                "member": {"reference": member, "display": &planned.doctor.name},
            })
        })
        .collect();
    build_json!({
        "resourceType": "CareTeam",
        "id": id,
        "status": "active",
        "name": "オンライン診療を行う医師",
        "subject": {"reference": patient},
        "participant": participants,
    })
}
