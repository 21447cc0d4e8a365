//! `ews-notify parse` end to end: the binary's output against the corpus goldens.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn corpus(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/corpus")
        .join(path)
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ews-notify"))
        .args(args)
        .output()
        .unwrap()
}

/// The golden as a JSON value (without serde_json's `preserve_order`, keys sort, so compare
/// values; the key order is checked on the raw output).
fn compact_golden(path: &str) -> String {
    let text = std::fs::read_to_string(corpus(path)).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value.to_string()
}

#[test]
fn parse_prints_the_canonical_json_of_a_seed_envelope() {
    let input = corpus("push/created_event_wrapped_tags.xml");
    let out = run(&["parse", input.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let expected = std::fs::read_to_string(corpus("push/created_event_wrapped_tags.json")).unwrap();
    let reparsed: serde_json::Value = serde_json::from_str(stdout.trim_end()).unwrap();
    assert_eq!(
        reparsed,
        serde_json::from_str::<serde_json::Value>(&expected).unwrap()
    );
    assert!(
        stdout.starts_with(r#"{"kind":"sendNotification","soapVersion":"1.1""#),
        "key order is the canonical one"
    );
}

#[test]
fn parse_reports_code_and_offset_on_stderr_and_exits_1() {
    let input = corpus("malformed/doctype_billion_laughs.xml");
    let out = run(&["parse", input.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "no partial output on error");
    let stderr = String::from_utf8(out.stderr).unwrap();
    let golden = compact_golden("malformed/doctype_billion_laughs.json");
    let offset: serde_json::Value = serde_json::from_str(&golden).unwrap();
    let expected = format!("error[dtd_refused] at byte {}: ", offset["error"]["offset"]);
    assert!(
        stderr.starts_with(&expected),
        "stderr was {stderr:?}, expected {expected:?}..."
    );
}

#[test]
fn parse_reads_standard_input_with_a_dash() {
    let bytes = std::fs::read(corpus("subscribe/unsubscribe_success.xml")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ews-notify"))
        .args(["parse", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let line = String::from_utf8(out.stdout).unwrap();
    let value: serde_json::Value = serde_json::from_str(line.trim_end()).unwrap();
    assert_eq!(
        value.to_string(),
        compact_golden("subscribe/unsubscribe_success.json")
    );
}

#[test]
fn stream_prints_one_line_per_envelope_then_the_error() {
    let input = corpus("streaming/bodies/streaming_truncated_second_envelope.xml");
    let out = run(&["parse", "--stream", input.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "a truncated body fails");
    let golden: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(corpus(
            "streaming/bodies/streaming_truncated_second_envelope.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let items = golden.as_array().unwrap();
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(
        lines.len(),
        items.len() - 1,
        "every envelope before the error is printed"
    );
    for (line, item) in lines.iter().zip(items) {
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(line).unwrap(),
            *item
        );
    }
    let error = &items.last().unwrap()["error"];
    let stderr = String::from_utf8(out.stderr).unwrap();
    let expected = format!(
        "error[{}] at byte {}: ",
        error["code"].as_str().unwrap(),
        error["offset"]
    );
    assert!(stderr.starts_with(&expected), "stderr was {stderr:?}");
}

#[test]
fn stream_prints_every_envelope_of_a_good_body() {
    let input = corpus("streaming/bodies/streaming_two_envelopes_then_closed.xml");
    let out = run(&["parse", "--stream", input.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let golden: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(corpus(
            "streaming/bodies/streaming_two_envelopes_then_closed.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let expected = golden.as_array().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(&lines, expected);
}
