//! Streaming bodies: split only, split + parse every envelope, the incremental splitter fed in
//! network-sized chunks and one byte at a time, and the bare quick-xml loop over each envelope.
//!
//!     cargo bench -p ews-notify-benches --bench streaming
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ews_notify::streaming::{StreamSplitter, split};
use ews_notify_benches::{STREAMING_BODY, bare_loop, read_corpus};

fn feed_all(body: &[u8], chunk: usize) -> usize {
    let mut s = StreamSplitter::new();
    let mut n = 0;
    for c in body.chunks(chunk) {
        s.feed(c).unwrap();
        while let Some(e) = s.next_envelope().unwrap() {
            n += black_box(e).len();
        }
    }
    s.finish().unwrap();
    n
}

fn streaming(c: &mut Criterion) {
    let (id, path) = STREAMING_BODY;
    let body = read_corpus(path).unwrap();
    let envelopes: Vec<&[u8]> = split(&body).map(|e| e.unwrap()).collect();
    assert_eq!(envelopes.len(), 100);

    let mut group = c.benchmark_group("streaming");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function(format!("split/{id}"), |b| {
        b.iter(|| {
            split(black_box(&body))
                .map(|e| e.unwrap().len())
                .sum::<usize>()
        })
    });
    group.bench_function(format!("split_parse/{id}"), |b| {
        b.iter(|| {
            split(black_box(&body))
                .map(|e| {
                    let envelope = ews_notify::parse_notification(e.unwrap()).unwrap();
                    envelope.body.response_messages().len()
                })
                .sum::<usize>()
        })
    });
    group.bench_function(format!("bare_quick_xml/{id}"), |b| {
        b.iter(|| {
            envelopes
                .iter()
                .map(|e| bare_loop(black_box(e)).unwrap().elements)
                .sum::<usize>()
        })
    });
    group.bench_function(format!("splitter_16k_chunks/{id}"), |b| {
        b.iter(|| feed_all(black_box(&body), 16 * 1024))
    });
    group.bench_function(format!("splitter_1_byte_chunks/{id}"), |b| {
        b.iter(|| feed_all(black_box(&body), 1))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = streaming
}
criterion_main!(benches);
