//! Parse cost on hostile shapes, which must grow linearly with the input: one element with many
//! attributes (10,000 against 40,000: the time per attribute must not grow), and many namespace
//! bindings in scope (30,000 bindings, 500,000 elements in a prefix).
//!
//!     cargo bench -p ews-notify-benches --bench hostile
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ews_notify_benches::{many_attributes, many_bindings};

fn hostile(c: &mut Criterion) {
    let mut group = c.benchmark_group("attributes");
    for n in [10_000usize, 40_000] {
        let bytes = many_attributes(n);
        ews_notify::parse_notification(&bytes).unwrap();
        // Throughput in attributes, so the two ids compare per attribute.
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(n.to_string(), |b| {
            b.iter(|| ews_notify::parse_notification(black_box(&bytes)).unwrap())
        });
    }
    group.finish();

    let mut group = c.benchmark_group("bindings");
    let bytes = many_bindings(30_000, 500_000);
    ews_notify::parse_notification(&bytes).unwrap();
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("30000x500000", |b| {
        b.iter(|| ews_notify::parse_notification(black_box(&bytes)).unwrap())
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = hostile
}
criterion_main!(benches);
