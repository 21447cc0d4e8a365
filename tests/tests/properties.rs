//! Property tests: no input panics, owning changes nothing, the JSON is stable.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;

/// Real envelopes to mutate: a few corpus inputs of different kinds.
fn seeds() -> Vec<Vec<u8>> {
    [
        "push/created_event_wrapped_tags.xml",
        "push/error_read_events_failed_blank_lines.xml",
        "pull/get_events_every_event_kind.xml",
        "streaming/streaming_error_subscription_ids_t_children.xml",
        "fault/fault_server_busy_backoff.xml",
        "subscribe/unsubscribe_bom_comments_pis.xml",
        "pull/get_events_character_references_in_ids.xml",
    ]
    .iter()
    .map(|p| std::fs::read(ews_notify_tests::corpus_dir().join(p)).unwrap())
    .collect()
}

/// Parses `bytes`; on success checks into_owned and to_json, on failure checks the offset.
fn check(bytes: &[u8]) {
    match ews_notify::parse_notification(bytes) {
        Ok(envelope) => {
            let json = envelope.to_json();
            assert_eq!(envelope.to_json(), json, "to_json is stable");
            let owned = envelope.clone().into_owned();
            assert_eq!(owned, envelope, "into_owned equals the borrowed value");
            assert_eq!(owned.to_json(), json, "into_owned gives the same JSON");
        }
        Err(e) => {
            if let Some(offset) = e.offset() {
                assert!(
                    offset <= bytes.len(),
                    "offset {offset} past {} bytes",
                    bytes.len()
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 2000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check(&bytes);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "[<>/=\"'&;#xa-zA-Z0-9: \n\u{a0}\u{feff}]{0,300}") {
        check(text.as_bytes());
    }

    #[test]
    fn mutated_envelopes_never_panic(
        which in 0usize..7,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let mut bytes = seeds()[which].clone();
        for (at, byte, op) in edits {
            if bytes.is_empty() {
                break;
            }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => { bytes.remove(i); }
                _ => bytes.insert(i, byte),
            }
        }
        check(&bytes);
    }

    #[test]
    fn truncated_envelopes_fail_or_parse_whole(which in 0usize..7, cut in any::<prop::sample::Index>()) {
        let bytes = seeds()[which].clone();
        let end = cut.index(bytes.len());
        // A cut inside the root element can never parse: no partial result passed off as whole.
        let root_end = bytes.windows(9).rposition(|w| w == b"Envelope>").unwrap() + 8;
        let result = ews_notify::parse_notification(&bytes[..end]);
        if end <= root_end {
            prop_assert!(result.is_err(), "a cut at {end} parsed");
        }
        check(&bytes[..end]);
    }
}

#[test]
fn every_corpus_input_owns_to_the_same_value() {
    let inputs = ews_notify_tests::all_inputs();
    assert!(inputs.len() >= 60, "corpus went missing");
    for input in inputs {
        check(&std::fs::read(&input).unwrap());
    }
}
