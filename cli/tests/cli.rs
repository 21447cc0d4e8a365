//! The command line itself: `parse --stream` on a live pipe and in bounded memory, the limit
//! flags, `--pretty`, completions, the man page, the exit statuses and the top-level help.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn corpus(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/corpus")
        .join(path)
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ews-notify"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

/// The envelopes of a corpus streaming body, each with its exact bytes.
fn envelopes(path: &str) -> Vec<Vec<u8>> {
    let body = std::fs::read(corpus(path)).unwrap();
    ews_notify::streaming::split(&body)
        .map(|e| e.unwrap().to_vec())
        .collect()
}

#[test]
fn stream_prints_an_envelope_while_the_pipe_is_still_open() {
    let parts = envelopes("streaming/bodies/streaming_two_envelopes_then_closed.xml");
    assert!(parts.len() >= 2, "corpus went missing");
    let mut child = bin()
        .args(["parse", "--stream", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                return;
            }
        }
    });
    // The first envelope and half of the second, then nothing: the pipe stays open.
    stdin.write_all(&parts[0]).unwrap();
    stdin.write_all(b"\r\n").unwrap();
    stdin.write_all(&parts[1][..parts[1].len() / 2]).unwrap();
    stdin.flush().unwrap();
    // A bound on the wait, so a tool that buffers to the end fails instead of hanging.
    let first = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the first envelope is printed before the input ends");
    let expected = ews_notify::parse_notification(&parts[0]).unwrap().to_json();
    assert_eq!(first, expected);
    assert!(
        rx.try_recv().is_err(),
        "the half envelope is not printed yet"
    );
    stdin.write_all(&parts[1][parts[1].len() / 2..]).unwrap();
    drop(stdin);
    let second = rx.recv_timeout(Duration::from_secs(30)).unwrap();
    assert_eq!(
        second,
        ews_notify::parse_notification(&parts[1]).unwrap().to_json()
    );
    assert!(child.wait().unwrap().success());
}

/// Peak resident memory of a live process, from /proc (kB).
fn peak_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn stream_holds_one_envelope_in_memory_not_the_body() {
    let body = std::fs::read(corpus(
        "streaming/bodies/streaming_two_envelopes_then_closed.xml",
    ))
    .unwrap();
    let mut child = bin()
        .args(["parse", "--stream", "--max-stream-bytes", "0", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let stdout = child.stdout.take().unwrap();
    let counter = std::thread::spawn(move || BufReader::new(stdout).lines().count());
    let mut stdin = child.stdin.take().unwrap();
    // 128 MiB of body (with blank runs between envelopes), past the default 16 MiB envelope
    // cap many times over.
    let blank = vec![b'\n'; 1 << 20];
    let mut written = 0usize;
    let mut bodies = 0usize;
    while written < 128 << 20 {
        stdin.write_all(&body).unwrap();
        written += body.len();
        bodies += 1;
        if bodies % 1000 == 0 {
            stdin.write_all(&blank).unwrap();
            written += blank.len();
        }
    }
    stdin.flush().unwrap();
    // Still running (its input is open): its peak so far covers the whole body.
    let peak = peak_rss_kb(pid);
    drop(stdin);
    assert!(child.wait().unwrap().success());
    let lines = counter.join().unwrap();
    assert_eq!(
        lines,
        bodies * envelopes("streaming/bodies/streaming_two_envelopes_then_closed.xml").len()
    );
    assert!(
        peak < 32 * 1024,
        "peak RSS {peak} kB for a 128 MiB body: the body is being held"
    );
}

#[test]
fn every_limit_has_a_flag() {
    let body = corpus("streaming/bodies/streaming_two_envelopes_then_closed.xml");
    let body = body.to_str().unwrap();
    let one = corpus("push/created_event_wrapped_tags.xml");
    let one = one.to_str().unwrap();
    let code = |args: &[&str]| {
        let out = run(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.code(), stderr)
    };
    let (status, stderr) = code(&["parse", "--max-bytes", "100", one]);
    assert_eq!(status, Some(1));
    assert!(stderr.starts_with("error[too_large]"), "{stderr}");
    let (status, stderr) = code(&["parse", "--max-depth", "3", one]);
    assert_eq!(status, Some(1));
    assert!(stderr.starts_with("error[too_deep]"), "{stderr}");
    let (status, stderr) = code(&["parse", "--max-events", "0", one]);
    assert_eq!(status, Some(1));
    assert!(stderr.starts_with("error[too_many_events]"), "{stderr}");
    let (status, stderr) = code(&["parse", "--stream", "--max-stream-bytes", "1K", body]);
    assert_eq!(status, Some(1));
    assert!(
        stderr.starts_with("error[too_large] at byte 1024"),
        "{stderr}"
    );
    let (status, stderr) = code(&["parse", "--stream", "--max-bytes", "200", body]);
    assert_eq!(status, Some(1));
    assert!(stderr.starts_with("error[too_large]"), "{stderr}");
    // Sizes take suffixes; generous limits change nothing.
    assert_eq!(code(&["parse", "--max-bytes", "1M", one]).0, Some(0));
    assert_eq!(code(&["parse", "--max-bytes", "12x", one]).0, Some(2));
}

#[test]
fn pretty_indents_and_keeps_the_canonical_value_and_key_order() {
    let one = corpus("push/created_event_wrapped_tags.xml");
    let compact = run(&["parse", one.to_str().unwrap()]);
    let pretty = run(&["parse", "--pretty", one.to_str().unwrap()]);
    assert!(pretty.status.success());
    let pretty = String::from_utf8(pretty.stdout).unwrap();
    let compact = String::from_utf8(compact.stdout).unwrap();
    assert!(pretty.lines().count() > 10, "indented: {pretty}");
    assert!(pretty.starts_with("{\n  \"kind\": \"sendNotification\",\n  \"soapVersion\""));
    let a: serde_json::Value = serde_json::from_str(&pretty).unwrap();
    let b: serde_json::Value = serde_json::from_str(&compact).unwrap();
    assert_eq!(a, b);
}

#[test]
fn completions_are_printed_for_each_shell() {
    for (shell, marker) in [
        ("bash", "COMPREPLY"),
        ("zsh", "#compdef ews-notify"),
        ("fish", "complete -c ews-notify"),
    ] {
        let out = run(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(marker), "{shell}: {text}");
        assert!(
            text.contains("parse") && text.contains("request"),
            "{shell}"
        );
    }
    assert_eq!(run(&["completions", "cmd"]).status.code(), Some(2));
}

#[test]
fn the_man_page_is_roff_and_matches_the_committed_copy() {
    let out = run(&["man"]);
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.starts_with(".ie \\n(.g .ds Aq"), "{}", &page[..80]);
    assert!(page.contains(".TH ews-notify 1"), "roff title");
    assert!(
        page.contains("Exit status"),
        "the exit statuses are in the page"
    );
    // docs/ews-notify.1 is generated; regenerate with `ews-notify man > docs/ews-notify.1`.
    let committed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/ews-notify.1");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&committed, &page).unwrap();
    }
    let committed = std::fs::read_to_string(committed).unwrap();
    assert_eq!(
        committed, page,
        "docs/ews-notify.1 is stale: BLESS=1 cargo test -p ews-notify-cli --test cli"
    );
}

#[test]
fn exit_statuses_tell_the_kinds_of_failure_apart() {
    let bad = corpus("malformed/doctype_billion_laughs.xml");
    assert_eq!(
        run(&["parse", bad.to_str().unwrap()]).status.code(),
        Some(1)
    );
    assert_eq!(run(&["goid", "not-a-goid"]).status.code(), Some(1));
    assert_eq!(run(&["parse"]).status.code(), Some(2), "missing argument");
    assert_eq!(
        run(&["frobnicate"]).status.code(),
        Some(2),
        "unknown command"
    );
    let missing = run(&["parse", "/nonexistent/body.xml"]);
    assert_eq!(missing.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&missing.stderr).starts_with("error[io]"));
    // A server that refuses every request (HTTP 401): the watch ends with a server failure.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/EWS/Exchange.asmx",
        listener.local_addr().unwrap()
    );
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut buf = [0u8; 4096];
            let _ = std::io::Read::read(&mut stream, &mut buf);
            let _ = stream.write_all(
                b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    let mut child = bin()
        .args([
            "watch",
            "--url",
            &url,
            "--mailbox",
            "a@example.com",
            "--mode",
            "pull",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Bounded: a watch that retries a refusal forever fails the test instead of hanging it.
    let mut status = None;
    for _ in 0..600 {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let Some(status) = status else {
        child.kill().unwrap();
        panic!("watch kept retrying an HTTP 401");
    };
    assert_eq!(
        status.code(),
        Some(4),
        "a refused watch is a server failure"
    );
}

#[test]
fn help_says_what_the_tool_does_and_lists_the_exit_statuses() {
    let out = run(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "Microsoft Exchange (EWS) notifications",
        "parse",
        "goid",
        "request",
        "watch",
        "listen",
        "completions",
        "man",
        "Exit status:",
        "2  usage error",
        "4  network or server failure",
    ] {
        assert!(
            help.contains(needle),
            "`{needle}` missing from --help:\n{help}"
        );
    }
}
