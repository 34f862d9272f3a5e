//! Stable-Rust smoke test of what the cargo-fuzz target `fuzz/fuzz_targets/hl7v2_parse_map.rs` checks
//! (issue #5: "bad input … never a panic"): bytes → `hl7v2::parse_bytes` → `v2_to_fhir::map_message` for
//! every message → the transaction Bundle and `to_hl7`, over ten thousand deterministic mutations of
//! the SS-MIX2 corpus messages (../shared/corpora/ssmix2, read in place), our fixtures
//! (fixtures/hl7v2/**/*.hl7, when there are any) and two messages written here. Mutations: byte flips,
//! insertions of delimiters (`|^~\&`, CR, LF) and ISO-2022-JP escape sequences (complete, truncated, lone
//! ESC), high and NUL bytes, truncations, deletions, duplications of segments; one to four per input,
//! chosen by a xorshift64 PRNG with a fixed seed (no crate: the sequence must never change under us).
//! Every input must give `Ok` or an `Err` that is a `ParseError` / `MapError` with a message; a panic
//! fails the test and its input is written to the temp folder for `cargo fuzz run … FILE`.

use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

mod common;

use common::files_under;
use kakehashi_mappings::hl7v2::{parse_bytes, ParseOptions};
use kakehashi_mappings::v2_to_fhir::{map_message, Source};

/// Mutated inputs per run; about 3 s in a debug build on the project machine.
const CASES: usize = 10_000;

/// What the fuzz target does with one input. Errors are values; only a panic is a failure.
fn exercise(raw: &[u8], data_type: Option<&str>) -> Result<usize, String> {
    let parsed = parse_bytes(raw, &ParseOptions::default()).map_err(|e| e.to_string())?;
    let source = Source {
        file_name: Some("fuzz.hl7".into()),
        data_type: data_type.map(str::to_owned),
        received: "2026-12-02T00:00:00.000Z".into(),
    };
    let mut resources = 0;
    for message in &parsed.batch.messages {
        let _ = message.to_hl7();
        match map_message(message, &source) {
            Ok(mapped) => {
                resources += mapped.resources.len();
                let _ = mapped.transaction(false);
            }
            Err(e) => {
                let text = e.to_string();
                assert!(!text.is_empty(), "a MapError without a message");
                let _ = e.position();
            }
        }
    }
    Ok(resources)
}

/// xorshift64 (Marsaglia 2003), by hand so the mutation sequence is fixed forever.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const INSERTS: &[&[u8]] = &[
    b"|",
    b"^",
    b"~",
    b"\\",
    b"&",
    b"\r",
    b"\n",
    b"\r\n",
    b"\x1b$B",
    b"\x1b(B",
    b"\x1b(J",
    b"\x1b(I",
    b"\x1b$",
    b"\x1b",
    b"\x1b$B\x30\x21",
    b"\x1b$B\x7f",
    b"\\X0D\\",
    b"\\E\\",
    b"\\S\\\\T\\",
    b"\\Zzz",
    b"\\",
    b"\x00",
    b"\xff\xfe",
    b"\xe3\x81",
    b"\xef\xbb\xbf",
    b"\x0b",
    b"\x1c\r",
    b"MSH|^~\\&|",
    b"PID|||",
    b"OBX|1|NM|",
    b"~~~~",
    b"^^^^^^^^",
];

fn mutate(rng: &mut Rng, input: &mut Vec<u8>) {
    let at = |rng: &mut Rng, input: &Vec<u8>| rng.below(input.len() + 1);
    match rng.below(8) {
        0 => {
            if !input.is_empty() {
                let i = rng.below(input.len());
                input[i] ^= 1 << rng.below(8);
            }
        }
        1 => {
            if !input.is_empty() {
                let i = rng.below(input.len());
                input[i] = rng.next() as u8;
            }
        }
        2 | 3 => {
            let i = at(rng, input);
            let piece = INSERTS[rng.below(INSERTS.len())];
            input.splice(i..i, piece.iter().copied());
        }
        4 => {
            let i = at(rng, input);
            input.truncate(i);
        }
        5 => {
            let i = at(rng, input);
            let j = (i + rng.below(16)).min(input.len());
            input.drain(i..j);
        }
        6 => {
            // Duplicate one segment (CR or LF ended) in place.
            let ends: Vec<usize> = input
                .iter()
                .enumerate()
                .filter(|(_, &b)| b == b'\r' || b == b'\n')
                .map(|(i, _)| i + 1)
                .collect();
            if !ends.is_empty() {
                let k = rng.below(ends.len());
                let start = if k == 0 { 0 } else { ends[k - 1] };
                let segment = input[start..ends[k]].to_vec();
                input.splice(start..start, segment);
            }
        }
        _ => {
            // Swap two bytes far apart (moves delimiters into values and back).
            if input.len() > 1 {
                let (i, j) = (rng.below(input.len()), rng.below(input.len()));
                input.swap(i, j);
            }
        }
    }
}

/// One seed input: its bytes, the data type its folder names, and whether it must parse unmutated
/// (everything but the `err/` fixtures, which may be refused by the parser on purpose).
type Seed = (Vec<u8>, Option<String>, bool);

/// The seed inputs.
fn seeds() -> Vec<Seed> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = files_under(&manifest.join("../../shared/corpora/ssmix2"));
    let corpus = files.len();
    files.extend(files_under(&manifest.join("../fixtures/hl7v2")));
    let mut seeds: Vec<Seed> = files
        .iter()
        .enumerate()
        .filter(|(i, p)| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            let name = name.unwrap_or_default();
            if *i < corpus {
                !name.ends_with(".utf8.txt")
                    && !name.ends_with(".json")
                    && !name.ends_with(".md")
                    && name != "SOURCE.txt"
            } else {
                name.ends_with(".hl7")
            }
        })
        .filter_map(|(_, p)| {
            let folder = p.parent()?.file_name()?.to_string_lossy().into_owned();
            let must_parse = !p.to_string_lossy().contains("/hl7v2/err/");
            Some((fs::read(p).ok()?, Some(folder), must_parse))
        })
        .collect();
    seeds.sort();
    // Two of our own, so the test means something without the shared folder: ADT^A08 in ISO-2022-JP
    // (kanji and kana names) and a two-message batch in UTF-8.
    let adt = "MSH|^~\\&|HIS|1319999999|GW|1319999999|20161201093000||ADT^A08^ADT_A01|FZ0001|P|2.5||||||~ISO IR87||ISO 2022-1994\rEVN||20161201093000\rPID|||1000000001^^^^PI||鈴木^花子^^^^^L^I~スズキ^ハナコ^^^^^L^P||19800101|F\rPV1|1|O\r";
    let (iso, _, _) = encoding_rs::ISO_2022_JP.encode(adt);
    seeds.push((iso.into_owned(), None, true));
    let batch = format!(
        "FHS|^~\\&|HIS\rBHS|^~\\&|HIS\r{adt}{}BTS|2\rFTS|1\r",
        adt.replace("FZ0001", "FZ0002")
    );
    seeds.push((batch.into_bytes(), None, true));
    seeds
}

#[test]
fn mutated_messages_never_panic_the_parser_or_the_mapping() {
    let seeds = seeds();
    assert!(seeds.len() >= 2);
    // The unmutated seeds first: every corpus message and ok/ fixture parses (the baseline the mutations
    // start from).
    for (raw, data_type, must_parse) in &seeds {
        match exercise(raw, data_type.as_deref()) {
            Err(e) if *must_parse => panic!("an unmutated seed fails: {e}"),
            _ => {}
        }
    }
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut ok, mut errors, mut panics) = (0usize, 0usize, Vec::new());
    for case in 0..CASES {
        let (seed, data_type, _) = &seeds[case % seeds.len()];
        let mut input = seed.clone();
        for _ in 0..=rng.below(4) {
            mutate(&mut rng, &mut input);
        }
        match panic::catch_unwind(AssertUnwindSafe(|| exercise(&input, data_type.as_deref()))) {
            Ok(Ok(_)) => ok += 1,
            Ok(Err(message)) => {
                assert!(!message.is_empty(), "a ParseError without a message");
                errors += 1;
            }
            Err(payload) => {
                let text = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                let file = std::env::temp_dir().join(format!("hl7v2-fuzz-panic-{case}.bin"));
                let _ = fs::write(&file, &input);
                panics.push(format!("case {case}: {text} (input in {})", file.display()));
            }
        }
    }
    panic::set_hook(hook);
    eprintln!(
        "{CASES} mutated inputs: {ok} parsed, {errors} refused with an error, {} panics",
        panics.len()
    );
    assert!(panics.is_empty(), "panics:\n{}", panics.join("\n"));
    // The mutations must exercise both outcomes, or they test nothing.
    assert!(
        ok > CASES / 10 && errors > CASES / 20,
        "ok {ok}, errors {errors}"
    );
}
