//! JP_Practitioner (and the JP_PractitionerRole that names it) → a native doctor: the kanji and kana
//! names, 医籍登録年 from the Kakehashi extension, the department from the role's specialty text and
//! the institution from the role's Organization.

use serde_json::Value;

use super::extensions::simple;
use super::input::{Held, Input};
use super::organization::institution;
use super::patient::names;
use super::reader::Problems;
use crate::consultation::model::Doctor;
use crate::consultation::to_fhir::names::{extension_url, REGISTRATION_YEAR};
use crate::issue::IssueCode;

pub fn doctor(input: &Input<'_>, held: &Held<'_>, p: &mut Problems) -> Doctor {
    let r = held.resource;
    let (name, name_kana) = names(r, &held.at, p);
    if name.is_none() {
        p.missing(format!("{}.name", held.at), "The doctor's name");
    }
    let url = extension_url(REGISTRATION_YEAR);
    let registration_year = simple(r, &held.at, &url, "valueInteger", p).and_then(|v| {
        let year = v.as_u64().and_then(|y| u16::try_from(y).ok());
        if year.is_none() {
            p.push(
                IssueCode::Value,
                format!("{}.extension", held.at),
                "The registration year is not a year.",
            );
        }
        year
    });
    let role = input.of_type("PractitionerRole").into_iter().find(|role| {
        role.resource["practitioner"]["reference"]
            .as_str()
            .is_some_and(|reference| input.points_at(reference, held))
    });
    let (department, institution) = match role {
        Some(role) => {
            let department = role.resource["specialty"][0]["text"]
                .as_str()
                .map(str::to_string);
            let organization = &role.resource["organization"];
            let institution = (!organization.is_null())
                .then(|| {
                    let at = format!("{}.organization", role.at);
                    p.target(
                        input,
                        organization,
                        &at,
                        "Organization",
                        "The doctor's institution",
                    )
                })
                .flatten()
                .map(|org| institution(org, p));
            (department, institution)
        }
        None => (None, None),
    };
    Doctor {
        name: name.unwrap_or_default(),
        name_kana,
        registration_year,
        department,
        institution,
    }
}

/// The Practitioner of a doctor reference such as `Composition.author[0]`, read as a doctor.
pub fn doctor_at(
    input: &Input<'_>,
    node: &Value,
    at: &str,
    what: &str,
    p: &mut Problems,
) -> Option<Doctor> {
    let held = p.target(input, node, at, "Practitioner", what)?;
    Some(doctor(input, held, p))
}
