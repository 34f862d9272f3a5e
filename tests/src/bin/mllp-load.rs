//! Load client for the MLLP listener (issue #5 acceptance, BENCHMARKS.md "MLLP ingest"): C connections,
//! each sending N copies of one HL7 v2 message in sequence, every copy with its own MSH-10, waiting for
//! each ACK before the next and recording the time from the first byte sent to the ACK's end.
//!
//! cargo run --release -p kakehashi-tests --bin mllp-load -- --addr 127.0.0.1:2575 \
//!     --connections 16 --messages-per-connection 500 --file MSG.hl7
//!
//! MLLP framing (HL7 v2.5.1 Appendix C, "Minimal Lower Layer Protocol" release 2: VT, the message, FS CR)
//! is written by hand on purpose: this is the peer, so it must not share our server's codec. The message
//! is sent as its bytes (ISO-2022-JP stays ISO-2022-JP); LF and CRLF segment ends become CR, the HL7 one.
//! An ACK counts as accepted when MSA-1 is AA or CA. Prints the figures, then one JSON line.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const VT: u8 = 0x0b;
const FS: u8 = 0x1c;
const CR: u8 = 0x0d;

#[derive(Debug, Parser)]
struct Args {
    #[arg(long)]
    addr: SocketAddr,
    #[arg(long, default_value_t = 16)]
    connections: usize,
    #[arg(long, default_value_t = 500)]
    messages_per_connection: usize,
    /// One HL7 v2 message (MSH first).
    #[arg(long)]
    file: std::path::PathBuf,
    /// The start of every MSH-10 sent (default: from the clock, so every run's ids are new and none is
    /// answered as a duplicate).
    #[arg(long)]
    id_prefix: Option<String>,
    /// How long to wait for one ACK.
    #[arg(long, default_value_t = 10_000)]
    timeout_ms: u64,
}

/// The message split around MSH-10, so each copy only writes its id between the two halves.
struct Template {
    before: Vec<u8>,
    after: Vec<u8>,
}

impl Template {
    fn new(raw: &[u8]) -> Result<Template, String> {
        // Segment ends unified to CR.
        let mut text = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            match raw[i] {
                CR if raw.get(i + 1) == Some(&b'\n') => {
                    text.push(CR);
                    i += 1;
                }
                b'\n' => text.push(CR),
                byte => text.push(byte),
            }
            i += 1;
        }
        while text.last() == Some(&CR) {
            text.pop();
        }
        text.push(CR);
        if !text.starts_with(b"MSH") || text.len() < 8 {
            return Err("the file does not start with an MSH segment".into());
        }
        let separator = text[3];
        let end = text.iter().position(|&b| b == CR).unwrap_or(text.len());
        // MSH-1 is the separator itself: MSH-10 starts after the 9th separator of the line.
        let mut starts = text[..end]
            .iter()
            .enumerate()
            .filter(|(_, &b)| b == separator)
            .map(|(i, _)| i + 1);
        let start = starts
            .nth(8)
            .ok_or("MSH has fewer than 10 fields".to_string())?;
        let stop = text[start..end]
            .iter()
            .position(|&b| b == separator)
            .map_or(end, |p| start + p);
        Ok(Template {
            before: text[..start].to_vec(),
            after: text[stop..].to_vec(),
        })
    }

    /// One MLLP frame holding the message with `id` as MSH-10.
    fn frame(&self, id: &str, out: &mut Vec<u8>) {
        out.clear();
        out.push(VT);
        out.extend_from_slice(&self.before);
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(&self.after);
        out.extend_from_slice(&[FS, CR]);
    }
}

/// MSA-1 of an ACK (its own field separator, MSH-1), or what the ACK began with when it has no MSA.
fn ack_code(ack: &[u8]) -> String {
    let separator = ack.get(3).copied().unwrap_or(b'|');
    ack.split(|&b| b == CR || b == b'\n')
        .find(|segment| segment.starts_with(b"MSA"))
        .and_then(|msa| msa.split(|&b| b == separator).nth(1))
        .map(|code| String::from_utf8_lossy(code).into_owned())
        .unwrap_or_else(|| {
            format!(
                "no MSA: {:?}",
                String::from_utf8_lossy(&ack[..ack.len().min(60)])
            )
        })
}

/// What one connection saw.
#[derive(Default)]
struct Outcome {
    latencies: Vec<Duration>,
    rejected: usize,
    failed: usize,
    first_problems: Vec<String>,
}

impl Outcome {
    fn problem(&mut self, text: String) {
        if self.first_problems.len() < 3 {
            self.first_problems.push(text);
        }
    }
}

/// Sends one frame and reads one ACK frame into `ack` (without VT and FS CR).
async fn exchange(
    stream: &mut TcpStream,
    frame: &[u8],
    buffer: &mut Vec<u8>,
    ack: &mut Vec<u8>,
) -> std::io::Result<()> {
    stream.write_all(frame).await?;
    ack.clear();
    loop {
        // A complete frame already buffered?
        if let Some(end) = buffer.windows(2).position(|w| w == [FS, CR]) {
            let start = buffer.iter().position(|&b| b == VT).map_or(0, |p| p + 1);
            ack.extend_from_slice(&buffer[start.min(end)..end]);
            buffer.drain(..end + 2);
            return Ok(());
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the server closed the connection before the ACK",
            ));
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

async fn connection(args: &Args, template: &Template, prefix: &str, number: usize) -> Outcome {
    let mut outcome = Outcome::default();
    let mut stream = match TcpStream::connect(args.addr).await {
        Ok(stream) => stream,
        Err(e) => {
            outcome.failed = args.messages_per_connection;
            outcome.problem(format!("connect: {e}"));
            return outcome;
        }
    };
    let _ = stream.set_nodelay(true);
    let timeout = Duration::from_millis(args.timeout_ms);
    let (mut frame, mut buffer, mut ack) = (Vec::new(), Vec::new(), Vec::new());
    for sequence in 0..args.messages_per_connection {
        template.frame(&format!("{prefix}-{number}-{sequence}"), &mut frame);
        let start = Instant::now();
        match tokio::time::timeout(
            timeout,
            exchange(&mut stream, &frame, &mut buffer, &mut ack),
        )
        .await
        {
            Ok(Ok(())) => {
                outcome.latencies.push(start.elapsed());
                let code = ack_code(&ack);
                if code != "AA" && code != "CA" {
                    outcome.rejected += 1;
                    outcome.problem(format!("MSA-1 {code}: {}", String::from_utf8_lossy(&ack)));
                }
            }
            Ok(Err(e)) => {
                outcome.failed += args.messages_per_connection - sequence;
                outcome.problem(format!("connection {number}: {e}"));
                break;
            }
            Err(_) => {
                outcome.failed += args.messages_per_connection - sequence;
                outcome.problem(format!("connection {number}: no ACK within {timeout:?}"));
                break;
            }
        }
    }
    outcome
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1e3
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let raw = match std::fs::read(&args.file) {
        Ok(raw) => raw,
        Err(e) => {
            eprintln!("{}: {e}", args.file.display());
            return ExitCode::from(2);
        }
    };
    let template = match Template::new(&raw) {
        Ok(template) => template,
        Err(e) => {
            eprintln!("{}: {e}", args.file.display());
            return ExitCode::from(2);
        }
    };
    let prefix = args.id_prefix.clone().unwrap_or_else(|| {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!("L{:x}", nanos % (1 << 48))
    });
    let args = std::sync::Arc::new(args);
    let template = std::sync::Arc::new(template);
    let start = Instant::now();
    let tasks: Vec<_> = (0..args.connections)
        .map(|number| {
            let (args, template, prefix) = (args.clone(), template.clone(), prefix.clone());
            tokio::spawn(async move { connection(&args, &template, &prefix, number).await })
        })
        .collect();
    let mut all = Outcome::default();
    for task in tasks {
        match task.await {
            Ok(outcome) => {
                all.latencies.extend(outcome.latencies);
                all.rejected += outcome.rejected;
                all.failed += outcome.failed;
                for problem in outcome.first_problems {
                    all.problem(problem);
                }
            }
            Err(e) => {
                all.failed += args.messages_per_connection;
                all.problem(format!("task: {e}"));
            }
        }
    }
    let elapsed = start.elapsed();
    all.latencies.sort_unstable();
    let acked = all.latencies.len();
    let rate = acked as f64 / elapsed.as_secs_f64();
    let (p50, p95, p99) = (
        percentile(&all.latencies, 50.0),
        percentile(&all.latencies, 95.0),
        percentile(&all.latencies, 99.0),
    );
    let max = all
        .latencies
        .last()
        .map_or(f64::NAN, |d| d.as_secs_f64() * 1e3);
    println!(
        "{} connections × {} messages: {acked} ACKs in {:.2} s = {rate:.0} msg/s; ACK latency p50 {p50:.2} ms, \
         p95 {p95:.2} ms, p99 {p99:.2} ms, max {max:.2} ms; non-AA ACKs {}; failed {}",
        args.connections,
        args.messages_per_connection,
        elapsed.as_secs_f64(),
        all.rejected,
        all.failed
    );
    for problem in &all.first_problems {
        println!("  e.g. {problem}");
    }
    println!(
        "{{\"connections\":{},\"messages_per_connection\":{},\"acks\":{acked},\"seconds\":{:.3},\
         \"messages_per_second\":{rate:.1},\"p50_ms\":{p50:.3},\"p95_ms\":{p95:.3},\"p99_ms\":{p99:.3},\
         \"max_ms\":{max:.3},\"non_aa\":{},\"failed\":{}}}",
        args.connections,
        args.messages_per_connection,
        elapsed.as_secs_f64(),
        all.rejected,
        all.failed
    );
    if all.rejected > 0 || all.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msh10_is_replaced_and_segment_ends_become_cr() {
        let t = Template::new(b"MSH|^~\\&|A|B|C|D|20260101||ADT^A08|OLD|P|2.5\nPID|1\r\n").unwrap();
        let mut frame = Vec::new();
        t.frame("NEW-1", &mut frame);
        assert_eq!(
            frame,
            b"\x0bMSH|^~\\&|A|B|C|D|20260101||ADT^A08|NEW-1|P|2.5\rPID|1\r\x1c\r".to_vec()
        );
    }

    #[test]
    fn msa1_is_read_with_the_ack_own_separator() {
        assert_eq!(ack_code(b"MSH#^~\\&#GW\rMSA#AE#X\rERR#"), "AE");
        assert_eq!(ack_code(b"MSH|^~\\&|GW\rMSA|AA|X"), "AA");
        assert!(ack_code(b"garbage").starts_with("no MSA"));
    }
}
