//! HL7 v2 parse + map throughput (issue #5 acceptance, BENCHMARKS.md "HL7 v2 parse + map vs
//! python-hl7"): decodes by MSH-18, parses (`hl7v2::parse_bytes`) and maps to FHIR JP Core
//! (`v2_to_fhir::map_message`) the given message files in process, the whole pass N times.
//!
//! Usage: `cargo run --release -p kakehashi-mappings --example hl7v2_throughput -- [--repeat N]
//! [--threads T] FILE…`
//!
//! File reading is outside the clock, as on the peer's side (tests/load/peers/python_hl7_parse.py).
//! Prints one JSON line: messages/second on one thread (the headline figure, against the single-threaded
//! peer), then with a rayon pool of T threads (default 2) over the same work, and a breakdown of the
//! single-thread time into the parse (charset decoding included) and the mapping. The data type hint is
//! the file's folder name when it looks like an SS-MIX2 data type (`OML-11`), as the storage path gives it.

use std::hint::black_box;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use kakehashi_mappings::hl7v2::{parse_bytes, ParseOptions};
use kakehashi_mappings::v2_to_fhir::{map_message, Source};
use rayon::prelude::*;

/// The gateway binary's allocator (gateway/src/main.rs), so the figure is what the server would run:
/// the parsed message owns a `String` per subcomponent, and glibc malloc took half the time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One input file, read before the clock starts.
struct Input {
    raw: Vec<u8>,
    source: Source,
}

/// What one pass over a message produced, so the optimiser cannot drop the work.
#[derive(Default, Clone, Copy)]
struct Tally {
    messages: usize,
    resources: usize,
    parse_errors: usize,
    map_errors: usize,
}

impl Tally {
    fn add(self, other: Tally) -> Tally {
        Tally {
            messages: self.messages + other.messages,
            resources: self.resources + other.resources,
            parse_errors: self.parse_errors + other.parse_errors,
            map_errors: self.map_errors + other.map_errors,
        }
    }
}

fn data_type_hint(path: &Path) -> Option<String> {
    let folder = path.parent()?.file_name()?.to_str()?;
    let bytes = folder.as_bytes();
    let looks_like = bytes.len() == 6
        && bytes[..3].iter().all(u8::is_ascii_uppercase)
        && bytes[3] == b'-'
        && bytes[4..].iter().all(u8::is_ascii_digit);
    looks_like.then(|| folder.to_owned())
}

/// Parses and maps one file's messages.
fn parse_and_map(input: &Input, options: &ParseOptions) -> Tally {
    let mut tally = Tally::default();
    match parse_bytes(&input.raw, options) {
        Err(_) => tally.parse_errors += 1,
        Ok(parsed) => {
            for message in &parsed.batch.messages {
                tally.messages += 1;
                match map_message(message, &input.source) {
                    Ok(mapped) => tally.resources += black_box(mapped).resources.len(),
                    Err(_) => tally.map_errors += 1,
                }
            }
        }
    }
    tally
}

fn parse_args() -> Result<(usize, usize, Vec<String>), String> {
    let mut repeat = 1000;
    let mut threads = 2;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .filter(|&n: &usize| n > 0)
                .ok_or(format!("{name} wants a positive number"))
        };
        match arg.as_str() {
            "--repeat" => repeat = number("--repeat")?,
            "--threads" => threads = number("--threads")?,
            _ => files.push(arg),
        }
    }
    if files.is_empty() {
        return Err("usage: hl7v2_throughput [--repeat N] [--threads T] FILE…".into());
    }
    Ok((repeat, threads, files))
}

fn rate(messages: usize, elapsed: Duration) -> f64 {
    messages as f64 / elapsed.as_secs_f64()
}

fn main() -> ExitCode {
    let (repeat, threads, files) = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let mut inputs = Vec::new();
    for file in &files {
        let path = Path::new(file);
        match std::fs::read(path) {
            Ok(raw) => inputs.push(Input {
                raw,
                source: Source {
                    file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
                    data_type: data_type_hint(path),
                    received: "2026-12-02T00:00:00.000Z".into(),
                },
            }),
            Err(e) => {
                eprintln!("{file}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let options = ParseOptions::default();
    let pass = || {
        inputs
            .iter()
            .map(|input| parse_and_map(input, &options))
            .fold(Tally::default(), Tally::add)
    };

    // Warm-up: the code tables (OnceLock) are loaded before the clock starts.
    let per_pass = pass();

    // The headline: one thread, every file parsed and mapped, `repeat` times.
    let start = Instant::now();
    let mut total = Tally::default();
    for _ in 0..repeat {
        total = total.add(pass());
    }
    let single = start.elapsed();

    // The same work on a pool of `threads` threads, the passes × files spread over it.
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!("rayon pool: {e}");
            return ExitCode::FAILURE;
        }
    };
    let start = Instant::now();
    let parallel_total = pool.install(|| {
        (0..repeat * inputs.len())
            .into_par_iter()
            .map(|i| parse_and_map(&inputs[i % inputs.len()], &options))
            .reduce(Tally::default, Tally::add)
    });
    let parallel = start.elapsed();

    // Where the single-thread time goes: each message's parse (its drop included) and mapping (the
    // Bundle's drop included) timed apart, one message at a time as the headline loop does them.
    let mut parse_time = Duration::ZERO;
    let mut map_time = Duration::ZERO;
    let mut mapped_resources = 0usize;
    for _ in 0..repeat {
        for input in &inputs {
            let t0 = Instant::now();
            let parsed = parse_bytes(&input.raw, &options);
            let t1 = Instant::now();
            if let Ok(parsed) = &parsed {
                for message in &parsed.batch.messages {
                    if let Ok(mapped) = map_message(message, &input.source) {
                        mapped_resources += black_box(mapped).resources.len();
                    }
                }
            }
            let t2 = Instant::now();
            drop(black_box(parsed));
            parse_time += t1 - t0 + t2.elapsed();
            map_time += t2 - t1;
        }
    }

    let messages = total.messages;
    println!(
        "{{\"side\":\"kakehashi\",\"files\":{},\"bytes\":{},\"repeat\":{repeat},\"messages\":{messages},\
         \"resources_per_pass\":{},\"parse_errors_per_pass\":{},\"map_errors_per_pass\":{},\
         \"seconds\":{:.6},\"messages_per_second\":{:.1},\
         \"threads\":{threads},\"parallel_seconds\":{:.6},\"parallel_messages_per_second\":{:.1},\
         \"parse_seconds\":{:.6},\"map_seconds\":{:.6},\"parse_messages_per_second\":{:.1},\
         \"map_messages_per_second\":{:.1}}}",
        inputs.len(),
        inputs.iter().map(|i| i.raw.len()).sum::<usize>(),
        per_pass.resources,
        per_pass.parse_errors,
        per_pass.map_errors,
        single.as_secs_f64(),
        rate(messages, single),
        parallel.as_secs_f64(),
        rate(parallel_total.messages, parallel),
        parse_time.as_secs_f64(),
        map_time.as_secs_f64(),
        rate(messages, parse_time),
        rate(messages, map_time),
    );
    if mapped_resources != total.resources || parallel_total.messages != messages {
        eprintln!(
            "the passes disagree: {mapped_resources} vs {} resources",
            total.resources
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
