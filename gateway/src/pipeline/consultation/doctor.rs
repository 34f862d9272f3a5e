//! The practitioner of a submission is the authenticated HPKI identity (issue #6): a document whose
//! doctor is not the certificate holder is refused.

use kakehashi_mappings::rules::same_name;
use kakehashi_mappings::{Issue, IssueCode};

use crate::pipeline::FhirError;
use crate::zones::identity::Identity;

/// Ok when `identity` is a person whose certificate names `doctor_name` (at `expression`).
pub fn check_submitter(
    identity: &Identity,
    doctor_name: &str,
    expression: &str,
) -> Result<(), FhirError> {
    let Identity::Person { names, .. } = identity else {
        return Err(FhirError::new(
            403,
            Issue::error(
                IssueCode::Forbidden,
                "Consultation documents are submitted by the doctor's own HPKI certificate.",
            ),
        ));
    };
    // Names compare as people write them (`rules::same_name`: spaces and full-width letters folded).
    if names.iter().any(|n| same_name(n, doctor_name)) {
        return Ok(());
    }
    Err(FhirError::new(
        403,
        Issue::error(
            IssueCode::Forbidden,
            "The document's doctor is not the holder of the HPKI certificate that submits it.",
        )
        .at(expression),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(names: &[&str]) -> Identity {
        Identity::Person {
            subject: "CN=x".into(),
            serial: "01".into(),
            issuer: "CN=ca".into(),
            roles: vec!["Medical Doctor".into()],
            names: names.iter().map(|n| n.to_string()).collect(),
        }
    }

    #[test]
    fn the_certificate_holder_may_submit_under_any_of_their_names() {
        let doctor = person(&["Ichiro Sato", "佐藤 一郎"]);
        assert!(check_submitter(&doctor, "佐藤　一郎", "doctor.name").is_ok());
        assert!(check_submitter(&doctor, "ＩＣＨＩＲＯ　ＳＡＴＯ", "doctor.name").is_ok());
        let refused = check_submitter(&doctor, "高橋 美咲", "doctor.name").unwrap_err();
        assert_eq!(refused.status, 403);
        assert_eq!(refused.issues[0].expression.as_deref(), Some("doctor.name"));
        let service = Identity::Service {
            name: "platform".into(),
            fingerprint: String::new(),
        };
        assert_eq!(
            check_submitter(&service, "佐藤 一郎", "doctor.name")
                .unwrap_err()
                .status,
            403
        );
    }
}
