//! The `kakehashi` binary as a user runs it: help, exit codes, validate, convert, check-config, and
//! `serve` answering over HTTP, then stopping cleanly on SIGTERM.

mod common;

use common::{kakehashi, text};

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn fixture(path: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(path)
        .display()
        .to_string()
}

#[test]
fn help_names_every_subcommand_and_usage_errors_exit_2() {
    let out = kakehashi(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for word in ["serve", "check-config", "convert", "validate"] {
        assert!(help.contains(word), "{help}");
    }
    let serve_help = text(&kakehashi(&["serve", "--help"]).stdout);
    assert!(serve_help.contains("127.0.0.1:8080"), "{serve_help}");
    assert_eq!(kakehashi(&["frobnicate"]).status.code(), Some(2));
    let out = kakehashi(&["convert", "--from", "hl7v2", "--to", "xml", "-"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with("kakehashi: no conversion"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn validate_exits_0_for_good_and_65_for_bad_files() {
    let out = kakehashi(&["validate", &fixture("fhir/ok/patient-jp.json")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let out = kakehashi(&[
        "validate",
        "--format",
        "json",
        &fixture("fhir/ok/patient-jp.json"),
        &fixture("fhir/err/patient-unknown-element.json"),
    ]);
    assert_eq!(out.status.code(), Some(65));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    // The good file has no narrative: only the dom-6 warning, no error.
    let good = lines[0]["outcome"]["issue"].as_array().unwrap();
    assert!(good.iter().all(|i| i["severity"] != "error"), "{good:?}");
    assert!(good
        .iter()
        .any(|i| i["details"]["coding"][0]["code"] == "dom-6"));
    assert_eq!(
        lines[1]["outcome"]["issue"][0]["expression"][0],
        "Patient.telecom[0].valu"
    );
    assert_eq!(
        kakehashi(&["validate", "/nonexistent/file.json"])
            .status
            .code(),
        Some(74)
    );
}

#[test]
fn convert_fhir_to_fhir_gives_canonical_json() {
    let out = kakehashi(&[
        "convert",
        "--from",
        "fhir",
        "--to",
        "fhir",
        &fixture("fhir/ok/patient-jp.json"),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["name"][1]["family"], "ヤマダ");
    assert!(text(&out.stdout).starts_with(r#"{"resourceType":"Patient","identifier""#));
    let out = kakehashi(&[
        "convert",
        "--from",
        "fhir",
        "--to",
        "fhir",
        &fixture("fhir/err/patient-unknown-element.json"),
    ]);
    assert_eq!(out.status.code(), Some(65));
    assert!(text(&out.stderr).contains("Patient.telecom[0].valu"));
}

#[test]
fn check_config_exits_78_on_a_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kakehashi.toml");
    std::fs::write(&file, "[hospital]\nlisten = \"127.0.0.1:18080\"\n").unwrap();
    assert_eq!(
        kakehashi(&["check-config", "--config", file.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    std::fs::write(&file, "[hospital]\nlisten = \"not an address\"\n").unwrap();
    let out = kakehashi(&["check-config", "--config", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(78));
    assert_eq!(
        text(&out.stderr).lines().count(),
        1,
        "one-line reason: {}",
        text(&out.stderr)
    );
    assert_eq!(
        kakehashi(&["check-config", "--config", "/nonexistent.toml"])
            .status
            .code(),
        Some(78)
    );
    std::fs::write(
        &file,
        "[database]\nurl = \"postgres://kk:s3cret@db.example/kk\"\n",
    )
    .unwrap();
    let out = kakehashi(&[
        "check-config",
        "--config",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        !text(&out.stdout).contains("s3cret"),
        "secrets are never printed"
    );
}

#[test]
fn check_config_refuses_bad_zone_settings() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kakehashi.toml");
    let check = |toml: &str| {
        std::fs::write(&file, toml).unwrap();
        kakehashi(&["check-config", "--config", file.to_str().unwrap()])
    };
    let out = check("[consultation]\ntrust = [\"/nonexistent/hpki-root.pem\"]\n");
    assert_eq!(out.status.code(), Some(78), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("consultation"),
        "{}",
        text(&out.stderr)
    );
    let out = check(
        "[[policy]]\nzone = \"consultation\"\nwho = [\"role:Medical Doctor\"]\noperations = [\"search\"]\nresources = [\"Patient\"]\n",
    );
    assert_eq!(out.status.code(), Some(78));
    assert!(
        text(&out.stderr).contains("cannot be granted"),
        "{}",
        text(&out.stderr)
    );
    let out = check("[[consultation.services]]\nname = \"platform\"\nsha256 = \"AB:CD\"\n");
    assert_eq!(out.status.code(), Some(78));
    let out = check("[[policy]]\nzone = \"hospital\"\nwho = [\"network\"]\noperations = [\"read\", \"search\"]\nresources = [\"*\"]\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn serve_answers_metadata_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (fhir_port, admin_port) = (free_port(), free_port());
    let mut child = Command::new(env!("CARGO_BIN_EXE_kakehashi"))
        .arg("serve")
        .current_dir(dir.path())
        .env(
            "KAKEHASHI__HOSPITAL__LISTEN",
            format!("127.0.0.1:{fhir_port}"),
        )
        .env(
            "KAKEHASHI__ADMIN__LISTEN",
            format!("127.0.0.1:{admin_port}"),
        )
        .env(
            "KAKEHASHI__CONSULTATION__LISTEN",
            format!("127.0.0.1:{}", free_port()),
        )
        .env(
            "KAKEHASHI__MLLP__LISTEN",
            format!("127.0.0.1:{}", free_port()),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let body = loop {
        let reply = std::net::TcpStream::connect(("127.0.0.1", fhir_port))
            .ok()
            .and_then(|mut s| {
                use std::io::{Read, Write};
                s.write_all(
                    b"GET /fhir/metadata HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                )
                .ok()?;
                let mut out = String::new();
                s.read_to_string(&mut out).ok()?;
                Some(out)
            });
        if let Some(reply) = reply {
            break reply;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no answer within 20 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(body.starts_with("HTTP/1.1 200"), "{body}");
    assert!(body.contains("CapabilityStatement"));
    assert!(
        dir.path().join("kakehashi-data/kakehashi.db").exists(),
        "the embedded database was created"
    );
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "serve did not stop within 10 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}
