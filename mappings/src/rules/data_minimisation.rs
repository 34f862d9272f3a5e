//! ID3 of requirements.md §9.4 (§4.3): the doctor's free-text fields carry no 医籍登録番号, My Number,
//! licence or passport number (身分証明書の提示は医師の氏名の確認が目的であり、医籍登録番号、マイナン
//! バー、運転免許証番号、パスポート番号、住所、本籍等に係る情報を提示することを要するものではない).

use std::sync::OnceLock;

use regex::Regex;

use crate::consultation::model::{ConsultationRecord, Doctor};

use super::finding::Finding;
use super::RecordContext;

/// Words that name an identity-document number (000 L2186–2194), matched with ASCII case ignored.
const WORDS: [&str; 14] = [
    "医籍登録番号",
    "医籍番号",
    "マイナンバー",
    "個人番号",
    "免許番号",
    "免許証番号",
    "旅券番号",
    "パスポート番号",
    "本籍",
    "my number",
    "licence number",
    "license number",
    "passport number",
    "registration number",
];

/// A contiguous run of this many digits is an identity number (医籍登録番号 6 digits, passport 7,
/// driving licence and My Number 12) unless it is a telephone number.
const RUN: usize = 6;
/// A number written in groups (`1234 5678 9012`) with this many digits is one too.
const GROUPED: usize = 10;

/// ID3: "Data minimisation: do not expose or transmit the doctor's 医籍登録番号, マイナンバー, licence
/// or passport numbers, address or 本籍 for identity display." Scanned: the doctor's name, kana,
/// department and institution name and contact, the doctor's location, the doctor beside the patient
/// and the planned doctor of a substitution. The numbers found are not repeated in the message.
pub fn id3_no_identity_numbers(record: &ConsultationRecord, _: &RecordContext) -> Vec<Finding> {
    let mut fields: Vec<(String, &str)> = doctor_fields("doctor", &record.doctor);
    fields.extend(
        record
            .doctor_location
            .as_deref()
            .map(|t| ("doctorLocation".to_string(), t)),
    );
    if let Some(with) = &record.with_doctor {
        fields.extend(doctor_fields("withDoctor.doctor", &with.doctor));
    }
    if let Some(substitute) = &record.substitute {
        fields.push((
            "substitute.plannedDoctor".into(),
            &substitute.planned_doctor,
        ));
    }
    fields
        .into_iter()
        .filter_map(|(path, text)| {
            disclosure(text).map(|what| {
                Finding::at(
                    &path,
                    format!("{path} carries {what}; identity display shows the name only"),
                )
            })
        })
        .collect()
}

fn doctor_fields<'a>(prefix: &str, doctor: &'a Doctor) -> Vec<(String, &'a str)> {
    let mut fields = vec![(format!("{prefix}.name"), doctor.name.as_str())];
    fields.extend(
        doctor
            .name_kana
            .as_deref()
            .map(|t| (format!("{prefix}.nameKana"), t)),
    );
    fields.extend(
        doctor
            .department
            .as_deref()
            .map(|t| (format!("{prefix}.department"), t)),
    );
    if let Some(institution) = &doctor.institution {
        fields.push((
            format!("{prefix}.institution.name"),
            institution.name.as_str(),
        ));
        fields.extend(
            institution
                .contact
                .as_deref()
                .map(|t| (format!("{prefix}.institution.contact"), t)),
        );
    }
    fields
}

/// What in `text` discloses an identity number: a word naming one, or a number of identity-number
/// length outside telephone-number form.
fn disclosure(text: &str) -> Option<String> {
    let text = normalise(text);
    if let Some(word) = WORDS.iter().find(|word| text.contains(*word)) {
        return Some(format!("the words '{word}'"));
    }
    static NUMBER: OnceLock<Option<Regex>> = OnceLock::new();
    let number = NUMBER
        .get_or_init(|| Regex::new(r"[+(]*\d+(?:[-() ]{1,3}\d+)*").ok())
        .as_ref()?;
    number.find_iter(&text).find_map(|token| {
        let token = token.as_str();
        let digits = token.chars().filter(char::is_ascii_digit).count();
        let longest_run = token
            .split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        let identity_like = longest_run >= RUN || digits >= GROUPED;
        (identity_like && !telephone(token)).then(|| format!("a {digits}-digit number"))
    })
}

/// A Japanese telephone number (0 and 9 or 10 more digits: 03-1234-5678, 0120-123-456, 090-1234-5678)
/// or an international one (+ and 8 to 15 digits).
fn telephone(token: &str) -> bool {
    let lead = token.trim_start_matches('(');
    let digits: String = token.chars().filter(char::is_ascii_digit).collect();
    if lead.starts_with('+') {
        (8..=15).contains(&digits.len())
    } else {
        digits.starts_with('0') && (10..=11).contains(&digits.len())
    }
}

/// Full-width digits, signs and spaces folded to ASCII, so `０３－１２３４` reads as `03-1234`; ASCII
/// letters lowercased.
fn normalise(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '０'..='９' | '（' | '）' | '＋' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '－' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' => '-',
            c if c.is_whitespace() => ' ',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telephone_numbers_and_short_numbers_pass() {
        for text in [
            "03-1234-5678",
            "０３－１２３４－５６７８",
            "(03)1234-5678",
            "0312345678",
            "090-1234-5678",
            "0120-123-456",
            "+81-3-1234-5678",
            "架け橋記念病院 オンライン診療室1",
            "〒100-0005 東京都千代田区丸の内1-2-3",
            "内科（2008年登録）",
        ] {
            assert_eq!(disclosure(text), None, "{text}");
        }
    }

    #[test]
    fn identity_numbers_and_their_names_are_found() {
        for (text, what) in [
            ("佐藤 一郎 123456", "a 6-digit number"),
            ("内科 TK1234567", "a 7-digit number"),
            ("1234 5678 9012", "a 12-digit number"),
            ("012345678901", "a 12-digit number"),
            ("医籍登録番号あり", "the words '医籍登録番号'"),
            ("マイナンバー確認済", "the words 'マイナンバー'"),
            ("Passport Number on file", "the words 'passport number'"),
        ] {
            assert_eq!(disclosure(text).as_deref(), Some(what), "{text}");
        }
    }
}
