//! Every corpus input against its golden file, with LF and with CRLF line endings.
//!
//! `BLESS=1 cargo test -p ews-notify-tests --test corpus` rewrites the goldens from the parser;
//! review the diff before committing it.
//!
//! CRLF: XML 1.0 §2.11 turns CRLF into LF before the parser sees text, and §3.3.3 turns line
//! breaks in attribute values into spaces, so the CRLF copy of an input must give exactly the
//! same JSON, texts with line breaks included. For an input that must fail, the CRLF copy must
//! fail with the same code at the same place: the LF offset moved by the CRs added before it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ews_notify_tests::{all_inputs, crlf_offset, golden_path, golden_text, to_crlf};

/// The corpus must not shrink unnoticed.
const MIN_FILES: usize = 60;

#[test]
fn every_input_matches_its_golden() {
    let bless = std::env::var_os("BLESS").is_some();
    let inputs = all_inputs();
    assert!(
        inputs.len() >= MIN_FILES,
        "corpus went missing: {} files",
        inputs.len()
    );
    let mut failures = Vec::new();
    for input in &inputs {
        let bytes = std::fs::read(input).unwrap();
        let actual = golden_text(&ews_notify::parse_notification(&bytes));
        let golden = golden_path(input);
        if bless {
            std::fs::write(&golden, &actual).unwrap();
            continue;
        }
        match std::fs::read_to_string(&golden) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => failures.push(format!(
                "{}: golden differs\n--- expected\n{expected}--- actual\n{actual}",
                input.display()
            )),
            Err(_) => failures.push(format!(
                "{}: no golden file (run with BLESS=1)",
                input.display()
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} inputs failed:\n{}",
        failures.len(),
        inputs.len(),
        failures.join("\n")
    );
}

#[test]
fn crlf_line_endings_give_the_same_result() {
    let inputs = all_inputs();
    assert!(
        inputs.len() >= MIN_FILES,
        "corpus went missing: {} files",
        inputs.len()
    );
    let mut checked_with_line_breaks = 0;
    for input in &inputs {
        let lf = std::fs::read(input).unwrap();
        let crlf = to_crlf(&lf);
        if crlf.len() != lf.len() {
            checked_with_line_breaks += 1;
        }
        let a = ews_notify::parse_notification(&lf);
        let b = ews_notify::parse_notification(&crlf);
        match (a, b) {
            (Ok(a), Ok(b)) => assert_eq!(
                a.to_json(),
                b.to_json(),
                "{}: CRLF changed the JSON",
                input.display()
            ),
            (Err(a), Err(b)) => {
                assert_eq!(
                    a.code(),
                    b.code(),
                    "{}: CRLF changed the error",
                    input.display()
                );
                let moved = a.offset().map(|o| crlf_offset(&lf, o));
                // An error found at the end of input moves by every CR added.
                assert_eq!(
                    b.offset(),
                    moved,
                    "{}: CRLF moved the error elsewhere",
                    input.display()
                );
            }
            (a, b) => panic!(
                "{}: LF gave {:?}, CRLF gave {:?}",
                input.display(),
                a.map(|_| "ok"),
                b.map(|_| "ok")
            ),
        }
    }
    assert!(
        checked_with_line_breaks >= MIN_FILES / 2,
        "few inputs have line breaks: {checked_with_line_breaks}"
    );
}

#[test]
fn every_golden_has_an_input() {
    let mut orphans = Vec::new();
    for kind in ews_notify_tests::KINDS {
        let dir = ews_notify_tests::corpus_dir().join(kind);
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.extension().is_some_and(|x| x == "json") && !p.with_extension("xml").exists() {
                orphans.push(p.display().to_string());
            }
        }
    }
    assert!(orphans.is_empty(), "goldens without an input: {orphans:?}");
}

/// `streaming/bodies/*.xml`: whole GetStreamingEvents bodies. The golden is a JSON array with one
/// entry per item of `ews_notify::streaming::split`: the envelope's canonical JSON, or the error
/// that ends the body (from the splitter or from parsing that envelope), its offset counted from
/// the start of the body.
#[test]
fn every_streaming_body_matches_its_golden() {
    let bless = std::env::var_os("BLESS").is_some();
    let bodies = ews_notify_tests::inputs("streaming/bodies");
    assert!(
        bodies.len() >= 5,
        "streaming bodies went missing: {}",
        bodies.len()
    );
    let mut failures = Vec::new();
    for input in &bodies {
        let bytes = std::fs::read(input).unwrap();
        let actual = ews_notify_tests::body_golden_text(&bytes);
        let golden = golden_path(input);
        if bless {
            std::fs::write(&golden, &actual).unwrap();
            continue;
        }
        match std::fs::read_to_string(&golden) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => failures.push(format!(
                "{}: golden differs\n--- expected\n{expected}--- actual\n{actual}",
                input.display()
            )),
            Err(_) => failures.push(format!(
                "{}: no golden file (run with BLESS=1)",
                input.display()
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
