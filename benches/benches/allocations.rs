//! Heap allocations per parse, counted by a counting global allocator: per envelope and per
//! event, for every bench input, for the borrowed parse, `into_owned()` and `to_json()`.
//! Prints a table; the numbers are exact and repeatable (no timing involved).
//!
//!     cargo bench -p ews-notify-benches --bench allocations
// The counting allocator has to implement `GlobalAlloc`, which is an unsafe trait; it only
// forwards to the system allocator and bumps two counters.
#![allow(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use ews_notify_benches::{PARSE_INPUTS, STREAMING_BODY, event_count, read_corpus};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to `System`, which upholds the contract.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(new_size, Ordering::Relaxed);
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations and bytes requested while `f` runs.
fn count<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    let (a0, b0) = (
        ALLOCATIONS.load(Ordering::SeqCst),
        BYTES.load(Ordering::SeqCst),
    );
    let out = f();
    let (a1, b1) = (
        ALLOCATIONS.load(Ordering::SeqCst),
        BYTES.load(Ordering::SeqCst),
    );
    (out, a1 - a0, b1 - b0)
}

fn per(n: usize, d: usize) -> String {
    if d == 0 {
        "-".into()
    } else {
        format!("{:.2}", n as f64 / d as f64)
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs this too, which is fine.
    println!(
        "{:<34} {:>8} {:>7} {:>7} {:>9} {:>10} {:>8} {:>8}",
        "input", "bytes", "events", "allocs", "per event", "alloc B", "owned+", "json"
    );
    for (id, path) in PARSE_INPUTS {
        let bytes = read_corpus(path).unwrap();
        let (envelope, allocs, alloc_bytes) =
            count(|| ews_notify::parse_notification(&bytes).unwrap());
        let events = event_count(&envelope);
        let (owned, owned_allocs, _) = count(|| envelope.clone().into_owned());
        drop(owned);
        let (_json, json_allocs, _) = count(|| envelope.to_json());
        println!(
            "{:<34} {:>8} {:>7} {:>7} {:>9} {:>10} {:>8} {:>8}",
            id,
            bytes.len(),
            events,
            allocs,
            per(allocs, events),
            alloc_bytes,
            owned_allocs,
            json_allocs
        );
    }
    let (id, path) = STREAMING_BODY;
    let body = read_corpus(path).unwrap();
    let ((envelopes, events), allocs, alloc_bytes) = count(|| {
        let mut envelopes = 0;
        let mut events = 0;
        for e in ews_notify::streaming::split(&body) {
            let envelope = ews_notify::parse_notification(e.unwrap()).unwrap();
            envelopes += 1;
            events += event_count(&envelope);
        }
        (envelopes, events)
    });
    println!(
        "{:<34} {:>8} {:>7} {:>7} {:>9} {:>10}   ({} envelopes: {} allocs per envelope)",
        format!("{id} (split+parse)"),
        body.len(),
        events,
        allocs,
        per(allocs, events),
        alloc_bytes,
        envelopes,
        per(allocs, envelopes)
    );
    let (n, splitter_allocs, _) = count(|| {
        let mut s = ews_notify::streaming::StreamSplitter::new();
        let mut n = 0;
        for c in body.chunks(16 * 1024) {
            s.feed(c).unwrap();
            while let Some(e) = s.next_envelope().unwrap() {
                n += e.len().min(1);
            }
        }
        n
    });
    println!(
        "{:<34} {:>8} {:>7} {:>7}   ({} envelopes: one owned Vec each, plus buffer growth)",
        format!("{id} (StreamSplitter, 16 KiB)"),
        body.len(),
        "",
        splitter_allocs,
        n
    );
}
