"""Writes the validation benchmark's JP Core 1.1.1 transaction Bundle of 100 made-up patients.

Usage (from the repository root): python3 tests/load/make_jp_core_bundle.py [--seed N] [--patients N]
[--output PATH]; the default output is fixtures/fhir/bench/jp-core-transaction-100-patients.json.

The Bundle is deterministic: every choice comes from `random.Random(seed)`, and the uuids too. For each
patient it holds three entries, each POSTed with a `urn:uuid:` fullUrl:
- a JP_Patient: identifier in the namespace urn:oid:1.2.392.100495.20.3.51.1 + a 10-digit medical
  institution code (a made-up one), the name in kanji (IDE) and in katakana (SYL) as in the JP Core
  example Patient-jp-patient-example-1, gender, birthDate, a home address with its prefecture and a phone;
- a JP_Condition modelled on Condition-jp-condition-example-1: clinical and verification status, category,
  severity (JP_ConditionSeverity_CS), an ICD-10 code with its Japanese name, onset and recorded dates;
- a JP_Observation_BodyMeasurement modelled on Observation-jp-observation-bodyMeasurement-example-1: the
  body weight (category `weight`, code 31000296 of JP_ObservationBodyMeasurementCode_CS) in UCUM kg.
The Condition and the Observation reference their patient by its fullUrl. Names are random pairings of
common surnames and given names: no real person is meant. Prints the output path, the entry count and the
size in bytes.
"""

import argparse
import json
import os
import random
import sys
import uuid
from datetime import date, timedelta

JP_CORE = "http://jpfhir.jp/fhir/core"
PATIENT_PROFILE = f"{JP_CORE}/StructureDefinition/JP_Patient"
CONDITION_PROFILE = f"{JP_CORE}/StructureDefinition/JP_Condition"
BODY_MEASUREMENT_PROFILE = f"{JP_CORE}/StructureDefinition/JP_Observation_BodyMeasurement"
NAME_REPRESENTATION = "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation"

# Prefecture 13 (Tokyo), point table 1 (医科), then a made-up 7-digit code: a made-up hospital.
INSTITUTION_CODE = "1319876540"
PATIENT_ID_SYSTEM = f"urn:oid:1.2.392.100495.20.3.51.1{INSTITUTION_CODE}"

SURNAMES = [
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"),
    ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"),
    ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("山田", "ヤマダ"),
    ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"), ("井上", "イノウエ"),
    ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"),
]
GIVEN_NAMES = {
    "male": [
        ("太郎", "タロウ"), ("健太", "ケンタ"), ("大輔", "ダイスケ"), ("翔太", "ショウタ"),
        ("拓也", "タクヤ"), ("浩", "ヒロシ"), ("誠", "マコト"), ("隆", "タカシ"),
        ("直樹", "ナオキ"), ("和也", "カズヤ"), ("蓮", "レン"), ("悠真", "ユウマ"),
    ],
    "female": [
        ("花子", "ハナコ"), ("陽子", "ヨウコ"), ("美咲", "ミサキ"), ("愛", "アイ"),
        ("恵子", "ケイコ"), ("由美", "ユミ"), ("直美", "ナオミ"), ("結衣", "ユイ"),
        ("さくら", "サクラ"), ("陽菜", "ヒナ"), ("幸子", "サチコ"), ("真由美", "マユミ"),
    ],
}
# Prefecture, a city in it, the first three digits of its postal codes, its phone area code.
PLACES = [
    ("東京都", "新宿区", "160", "03"), ("大阪府", "大阪市北区", "530", "06"),
    ("神奈川県", "横浜市中区", "231", "045"), ("愛知県", "名古屋市中区", "460", "052"),
    ("北海道", "札幌市中央区", "060", "011"), ("福岡県", "福岡市博多区", "812", "092"),
    ("京都府", "京都市左京区", "606", "075"), ("宮城県", "仙台市青葉区", "980", "022"),
    ("広島県", "広島市中区", "730", "082"), ("沖縄県", "那覇市", "900", "098"),
]
# ICD-10 code and its Japanese name.
CONDITIONS = [
    ("I10", "本態性高血圧症"), ("E11.9", "2型糖尿病"), ("E78.5", "脂質異常症"),
    ("J30.4", "アレルギー性鼻炎"), ("K21.0", "逆流性食道炎"), ("M54.5", "腰痛症"),
    ("J45.9", "気管支喘息"), ("E79.0", "高尿酸血症"), ("G47.0", "不眠症"), ("L20.9", "アトピー性皮膚炎"),
]
SEVERITIES = [("MI", "軽度"), ("MO", "中度"), ("SE", "重度")]
# The day the data is "as of": no date in the Bundle is later.
AS_OF = date(2024, 4, 1)


def make_uuid(rng):
    """Returns a version-4 uuid drawn from the seeded generator."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def random_date(rng, first, last):
    """Returns a day between first and last, both included."""
    return first + timedelta(days=rng.randint(0, (last - first).days))


def coding(system, code, display=None):
    """Returns a CodeableConcept with one coding."""
    one = {"system": system, "code": code}
    if display is not None:
        one["display"] = display
    return {"coding": [one]}


def human_name(representation, family, given):
    """Returns a JP_HumanName with the iso21090 representation extension (IDE or SYL)."""
    return {
        "extension": [{"url": NAME_REPRESENTATION, "valueCode": representation}],
        "use": "usual",
        "text": f"{family} {given}",
        "family": family,
        "given": [given],
    }


def make_patient(rng, number):
    """Returns a JP_Patient and its display name."""
    gender = rng.choice(["male", "female"])
    family, family_kana = rng.choice(SURNAMES)
    given, given_kana = rng.choice(GIVEN_NAMES[gender])
    prefecture, city, postal, area = rng.choice(PLACES)
    line = f"{rng.randint(1, 5)}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号"
    local_digits = 10 - len(area)
    phone = area + "".join(str(rng.randint(0, 9)) for _ in range(local_digits))
    patient = {
        "resourceType": "Patient",
        "meta": {"profile": [PATIENT_PROFILE]},
        "identifier": [{"system": PATIENT_ID_SYSTEM, "value": f"{number:08d}"}],
        "name": [
            human_name("IDE", family, given),
            human_name("SYL", family_kana, given_kana),
        ],
        "telecom": [{"system": "phone", "value": phone, "use": "home"}],
        "gender": gender,
        "birthDate": random_date(rng, date(1935, 1, 1), date(2015, 12, 31)).isoformat(),
        "address": [
            {
                "use": "home",
                "text": f"{prefecture}{city}{line}",
                "line": [line],
                "city": city,
                "state": prefecture,
                "postalCode": f"{postal}{rng.randint(0, 9999):04d}",
                "country": "JP",
            }
        ],
    }
    return patient, f"{family} {given}"


def make_condition(rng, patient, subject):
    """Returns a JP_Condition of the patient."""
    code, name = rng.choice(CONDITIONS)
    severity, severity_name = rng.choice(SEVERITIES)
    born = date.fromisoformat(patient["birthDate"])
    onset = random_date(rng, born + timedelta(days=365), AS_OF - timedelta(days=30))
    recorded = random_date(rng, onset, AS_OF)
    return {
        "resourceType": "Condition",
        "meta": {"profile": [CONDITION_PROFILE]},
        "clinicalStatus": coding("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
        "verificationStatus": coding(
            "http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed"
        ),
        "category": [
            coding("http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item")
        ],
        "severity": coding(f"{JP_CORE}/CodeSystem/JP_ConditionSeverity_CS", severity, severity_name),
        "code": {
            "coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": code, "display": name}],
            "text": name,
        },
        "subject": subject,
        "onsetDateTime": onset.isoformat(),
        "recordedDate": recorded.isoformat(),
    }


def make_body_weight(rng, patient, subject):
    """Returns a JP_Observation_BodyMeasurement: the patient's body weight in kg."""
    age = (AS_OF - date.fromisoformat(patient["birthDate"])).days / 365.25
    if age < 15:
        weight = rng.uniform(12.0, 50.0)
    elif patient["gender"] == "male":
        weight = rng.uniform(55.0, 90.0)
    else:
        weight = rng.uniform(42.0, 72.0)
    day = random_date(rng, AS_OF - timedelta(days=90), AS_OF)
    hour = rng.randint(8, 17)
    return {
        "resourceType": "Observation",
        "meta": {"profile": [BODY_MEASUREMENT_PROFILE]},
        "status": "final",
        "category": [coding(f"{JP_CORE}/CodeSystem/JP_ObservationBodyMeasurementCategory_CS", "weight")],
        "code": coding(f"{JP_CORE}/CodeSystem/JP_ObservationBodyMeasurementCode_CS", "31000296", "体重"),
        "subject": subject,
        "effectiveDateTime": f"{day.isoformat()}T{hour:02d}:00:00+09:00",
        "valueQuantity": {
            "value": round(weight, 1),
            "unit": "kg",
            "system": "http://unitsofmeasure.org",
            "code": "kg",
        },
    }


def make_bundle(seed, patients):
    """Returns the transaction Bundle of `patients` patients, three entries each."""
    rng = random.Random(seed)
    numbers = rng.sample(range(1, 10_000_000), patients)
    entries = []
    for number in numbers:
        patient, display = make_patient(rng, number)
        patient_url = f"urn:uuid:{make_uuid(rng)}"
        subject = {"reference": patient_url, "display": display}
        identifier = patient["identifier"][0]
        entries.append(
            {
                "fullUrl": patient_url,
                "resource": patient,
                "request": {
                    "method": "POST",
                    "url": "Patient",
                    "ifNoneExist": f"identifier={identifier['system']}|{identifier['value']}",
                },
            }
        )
        for resource in (make_condition(rng, patient, subject), make_body_weight(rng, patient, subject)):
            entries.append(
                {
                    "fullUrl": f"urn:uuid:{make_uuid(rng)}",
                    "resource": resource,
                    "request": {"method": "POST", "url": resource["resourceType"]},
                }
            )
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20240401)
    parser.add_argument("--patients", type=int, default=100)
    parser.add_argument(
        "--output",
        default=os.path.join(root, "fixtures", "fhir", "bench", "jp-core-transaction-100-patients.json"),
    )
    args = parser.parse_args(argv)
    bundle = make_bundle(args.seed, args.patients)
    text = json.dumps(bundle, ensure_ascii=False, indent=2) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w", encoding="utf-8", newline="\n") as file:
        file.write(text)
    size = len(text.encode("utf-8"))
    print(f"{args.output}: {len(bundle['entry'])} entries, {size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
