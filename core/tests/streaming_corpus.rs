//! The streaming splitter over the corpus: every streaming body (`tests/corpus/streaming/bodies`)
//! cut at every byte offset into two chunks, fed one byte at a time and in random chunk sizes,
//! must give the same envelopes and the same error as splitting the whole body at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use ews_notify::streaming::{StreamSplitter, split};
use proptest::prelude::*;

/// Bodies longer than this are not cut at every offset (quadratic); they still get the
/// one-byte and random-chunk runs.
const EVERY_OFFSET_MAX: usize = 16 * 1024;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus")
}

fn xml_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn bodies() -> Vec<(String, Vec<u8>)> {
    let bodies = xml_files(&corpus().join("streaming/bodies"));
    assert!(bodies.len() >= 8, "streaming bodies went missing");
    bodies
}

/// Envelopes, then the error that ended the body (code and offset), if any.
type Outcome = (Vec<Vec<u8>>, Option<(&'static str, Option<usize>)>);

fn whole(body: &[u8]) -> Outcome {
    let mut out = Vec::new();
    for item in split(body) {
        match item {
            Ok(e) => out.push(e.to_vec()),
            Err(e) => return (out, Some((e.code(), e.offset()))),
        }
    }
    (out, None)
}

fn chunked<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Outcome {
    let mut s = StreamSplitter::new();
    let mut out = Vec::new();
    for chunk in chunks {
        let fed = s.feed(chunk);
        loop {
            match s.next_envelope() {
                Ok(Some(e)) => out.push(e),
                Ok(None) => break,
                Err(e) => return (out, Some((e.code(), e.offset()))),
            }
        }
        if let Err(e) = fed {
            return (out, Some((e.code(), e.offset())));
        }
    }
    match s.finish() {
        Ok(()) => (out, None),
        Err(e) => (out, Some((e.code(), e.offset()))),
    }
}

#[test]
fn well_formed_bodies_split_into_envelopes_that_cover_the_body() {
    for (name, body) in bodies() {
        let (envelopes, err) = whole(&body);
        if err.is_some() {
            continue;
        }
        assert!(
            envelopes.len() >= 2,
            "{name}: a streaming body holds several envelopes"
        );
        // Every non-whitespace byte belongs to exactly one envelope, in order.
        let mut rest = &body[..];
        for e in &envelopes {
            let at = rest
                .windows(e.len())
                .position(|w| w == &e[..])
                .unwrap_or_else(|| panic!("{name}: envelope not found in order"));
            assert!(
                rest[..at].iter().all(u8::is_ascii_whitespace),
                "{name}: bytes between envelopes are white space"
            );
            rest = &rest[at + e.len()..];
        }
        assert!(
            rest.iter().all(u8::is_ascii_whitespace) || rest.starts_with(b"\n<!--"),
            "{name}: only white space or a comment after the last envelope"
        );
    }
}

#[test]
fn bad_bodies_fail_with_the_expected_code() {
    let expect = [
        ("streaming_truncated_second_envelope.xml", "unexpected_eof"),
        ("streaming_junk_between_envelopes.xml", "trailing_content"),
        ("streaming_doctype_in_second_envelope.xml", "dtd_refused"),
    ];
    let bodies = bodies();
    for (file, code) in expect {
        let (_, body) = bodies.iter().find(|(n, _)| n == file).unwrap();
        let (envelopes, err) = whole(body);
        assert_eq!(
            envelopes.len(),
            1,
            "{file}: the first envelope still comes out"
        );
        assert_eq!(err.map(|e| e.0), Some(code), "{file}");
    }
}

#[test]
fn every_two_chunk_cut_gives_the_same_envelopes() {
    let mut cut = 0;
    for (name, body) in bodies() {
        if body.len() > EVERY_OFFSET_MAX {
            continue;
        }
        let expected = whole(&body);
        for at in 0..=body.len() {
            assert_eq!(
                chunked([&body[..at], &body[at..]]),
                expected,
                "{name} cut at {at}"
            );
            cut += 1;
        }
    }
    assert!(cut > 10_000, "too few cuts: {cut}");
}

#[test]
fn one_byte_at_a_time_gives_the_same_envelopes() {
    for (name, body) in bodies() {
        assert_eq!(chunked(body.chunks(1)), whole(&body), "{name}");
    }
}

#[test]
fn every_single_envelope_in_the_corpus_splits_into_itself() {
    let mut n = 0;
    for kind in [
        "push",
        "pull",
        "streaming",
        "subscribe",
        "fault",
        "regressions",
    ] {
        let dir = corpus().join(kind);
        if !dir.is_dir() {
            continue;
        }
        for (name, doc) in xml_files(&dir) {
            let (envelopes, err) = whole(&doc);
            assert_eq!(err, None, "{kind}/{name}");
            assert_eq!(envelopes.len(), 1, "{kind}/{name}");
            assert!(
                doc.trim_ascii_start().starts_with(&envelopes[0]),
                "{kind}/{name}: the envelope is the document"
            );
            n += 1;
        }
    }
    assert!(n >= 40, "corpus went missing: {n}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn random_chunk_sizes_give_the_same_envelopes(
        sizes in prop::collection::vec(1usize..2048, 1..32),
    ) {
        for (name, body) in bodies() {
            let mut chunks = Vec::new();
            let mut rest = &body[..];
            for size in sizes.iter().cycle() {
                if rest.is_empty() {
                    break;
                }
                let (a, b) = rest.split_at((*size).min(rest.len()));
                chunks.push(a);
                rest = b;
            }
            prop_assert_eq!(chunked(chunks), whole(&body), "{}", name);
        }
    }
}
