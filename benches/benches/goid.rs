//! GlobalObjectId decoding: from bytes (borrowed), from base64 (owned), and clean + UID text,
//! over the vectors in `tests/corpus/goid/vectors.json`.
//!
//!     cargo bench -p ews-notify-benches --bench goid
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ews_notify::GlobalObjectId;
use ews_notify_benches::{GOID_VECTORS, read_corpus};

/// `(name, base64)` of every vector that decodes, from its expected answer.
fn vectors() -> Vec<(String, String)> {
    let json: serde_json::Value =
        serde_json::from_slice(&read_corpus(GOID_VECTORS).unwrap()).unwrap();
    json["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| {
            let b64 = v["expected"]["base64"].as_str()?;
            Some((v["name"].as_str()?.to_owned(), b64.to_owned()))
        })
        .collect()
}

fn goid(c: &mut Criterion) {
    let vectors = vectors();
    assert!(vectors.len() >= 2, "GOID vectors went missing");
    // Two inputs: the shortest (a plain 56-byte GOID) and the longest (a vCal-Uid one).
    let short = vectors.iter().min_by_key(|(_, b)| b.len()).unwrap().clone();
    let long = vectors.iter().max_by_key(|(_, b)| b.len()).unwrap().clone();
    for (label, (name, b64)) in [("short", short), ("long", long)] {
        let goid = GlobalObjectId::from_base64(&b64).unwrap();
        let bytes = goid.as_bytes().to_vec();
        let id = format!("{label}_{name}");

        let mut group = c.benchmark_group("goid");
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(format!("from_bytes/{id}"), |b| {
            b.iter(|| {
                GlobalObjectId::from_bytes(black_box(&bytes))
                    .unwrap()
                    .data_size()
            })
        });
        // One GOID per iteration: criterion reports GOIDs per second (the target is at least
        // 10 million per second on one core).
        group.throughput(Throughput::Elements(1));
        group.bench_function(format!("from_base64/{id}"), |b| {
            b.iter(|| {
                GlobalObjectId::from_base64(black_box(&b64))
                    .unwrap()
                    .data_size()
            })
        });
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(format!("clean_uid/{id}"), |b| {
            b.iter(|| black_box(&goid).clean().to_ical_uid())
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    targets = goid
}
criterion_main!(benches);
