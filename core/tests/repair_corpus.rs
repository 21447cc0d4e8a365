//! `repair_pasted` over the corpus: every envelope the seed blog damaged with no-break spaces
//! (`malformed/pasted_nbsp_*.xml`) repairs to exactly the bytes Exchange sent
//! (`push/*_nbsp_replaced.xml`), and clean inputs come back unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use ews_notify::repair::{Place, repair_pasted};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus")
}

#[test]
fn pasted_envelopes_repair_to_what_exchange_sent() {
    let mut n = 0;
    for entry in std::fs::read_dir(corpus().join("malformed")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(rest) = name
            .strip_prefix("pasted_nbsp_")
            .and_then(|r| r.strip_suffix(".xml"))
        else {
            continue;
        };
        let damaged = std::fs::read_to_string(&path).unwrap();
        let expected =
            std::fs::read_to_string(corpus().join(format!("push/{rest}_nbsp_replaced.xml")))
                .unwrap();
        assert!(
            ews_notify::parse_notification(damaged.as_bytes()).is_err(),
            "{name} fails before repair"
        );
        let repair = repair_pasted(&damaged);
        assert_eq!(repair.text, expected, "{name}");
        assert!(
            repair.changes.iter().any(|c| c.place == Place::InsideTag),
            "{name}: the damage inside tags is reported"
        );
        let replaced: usize = repair.changes.iter().map(|c| c.count).sum();
        assert_eq!(replaced, damaged.matches('\u{a0}').count(), "{name}");
        ews_notify::parse_notification(repair.text.as_bytes())
            .unwrap_or_else(|e| panic!("{name} parses after repair: {e}"));
        n += 1;
    }
    assert!(n >= 5, "pasted corpus inputs went missing: {n}");
}

#[test]
fn clean_corpus_inputs_need_no_repair() {
    let mut n = 0;
    for kind in ["push", "pull", "streaming", "subscribe", "fault"] {
        for entry in std::fs::read_dir(corpus().join(kind)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|x| x != "xml") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            if ews_notify::parse_notification(text.as_bytes()).is_err() {
                continue;
            }
            let repair = repair_pasted(&text);
            assert!(
                !repair.changed(),
                "{}: {:?}",
                path.display(),
                repair.changes
            );
            n += 1;
        }
    }
    assert!(n >= 40, "corpus went missing: {n}");
}
