//! Parse throughput: our full parse (`parse_notification`) side by side with the bare quick-xml
//! loop over the same bytes (`bare_quick_xml`), per input. Ratio = bare time / our time.
//!
//!     cargo bench -p ews-notify-benches --bench parse
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ews_notify_benches::{PARSE_INPUTS, bare_loop, read_corpus};

fn parse(c: &mut Criterion) {
    for (id, path) in PARSE_INPUTS {
        let bytes = read_corpus(path).unwrap();
        // Check the answers first: both must read the input.
        ews_notify::parse_notification(&bytes).unwrap();
        bare_loop(&bytes).unwrap();

        let mut group = c.benchmark_group("parse");
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(*id, |b| {
            b.iter(|| ews_notify::parse_notification(black_box(&bytes)).unwrap())
        });
        group.finish();

        let mut group = c.benchmark_group("bare_quick_xml");
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(*id, |b| b.iter(|| bare_loop(black_box(&bytes)).unwrap()));
        group.finish();

        // What a binding pays on top: the canonical JSON.
        let envelope = ews_notify::parse_notification(&bytes).unwrap();
        let mut group = c.benchmark_group("to_json");
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(*id, |b| b.iter(|| black_box(&envelope).to_json()));
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = parse
}
criterion_main!(benches);
