//! Times one parse of each hostile input (many attributes on one element, many namespace
//! bindings in scope), for before/after figures on a cost that must stay linear:
//!
//!     cargo run --release -p ews-notify-benches --example hostile
//!
//! Prints, per input, its size, the time of one parse and the time per attribute or element.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Instant;

use ews_notify_benches::{many_attributes, many_bindings};

fn time(label: &str, bytes: &[u8], units: usize) {
    let start = Instant::now();
    let result = ews_notify::parse_notification(black_box(bytes));
    let elapsed = start.elapsed();
    assert!(result.is_ok(), "{label}: {:?}", result.err());
    println!(
        "{label}: {} bytes, {:.3} s, {:.1} ns per unit",
        bytes.len(),
        elapsed.as_secs_f64(),
        elapsed.as_nanos() as f64 / units as f64
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let all = args.is_empty();
    let want = |name: &str| all || args.iter().any(|a| a == name);
    for n in [10_000, 40_000, 200_000] {
        if want("attributes") {
            time(&format!("attributes/{n}"), &many_attributes(n), n);
        }
    }
    if want("bindings") {
        time(
            "bindings/30000x500000",
            &many_bindings(30_000, 500_000),
            500_000,
        );
    }
}
