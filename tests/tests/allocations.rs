//! Allocations per parse, counted by a global allocator that wraps the system one.
//!
//! Ids, watermarks and timestamps are slices of the input, so the count does not grow with the
//! number of texts: what allocates is the reader's fixed buffers and the vectors that hold
//! messages, notifications and events (amortized growth).
//!
//! Run `cargo test -p ews-notify-tests --test allocations -- --nocapture` to see the figures.
// A `GlobalAlloc` impl is `unsafe` by definition; it only forwards to the system allocator.
#![allow(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    /// Allocations made by this thread (tests run on several threads at once).
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call forwards to `System` with the same arguments.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations (and reallocations) made while parsing `path`, plus the number of texts
/// (ids, change keys, watermarks, timestamps, subscription ids) the result holds.
fn count(path: &str) -> (usize, usize) {
    let input = std::fs::read(ews_notify_tests::corpus_dir().join(path)).unwrap();
    // Warm up once so lazy statics in std are not counted.
    drop(ews_notify::parse_notification(&input).unwrap());
    let before = ALLOCATIONS.with(Cell::get);
    let envelope = ews_notify::parse_notification(&input).unwrap();
    let allocations = ALLOCATIONS.with(Cell::get) - before;
    let json = serde_json::to_value(&envelope).unwrap();
    let texts = count_texts(&json);
    (allocations, texts)
}

fn count_texts(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Object(m) => m
            .iter()
            .map(|(k, v)| {
                let own = matches!(
                    k.as_str(),
                    "id" | "changeKey"
                        | "watermark"
                        | "previousWatermark"
                        | "timestamp"
                        | "subscriptionId"
                ) && v.is_string();
                usize::from(own) + count_texts(v)
            })
            .sum(),
        serde_json::Value::Array(a) => a.iter().map(count_texts).sum(),
        _ => 0,
    }
}

/// What one parse of the seed push envelope may cost: the XML reader's buffers (namespace
/// bindings, open tag names, attribute names; each grows a few times), and one vector each for
/// the response messages, notifications and events. Measured: 12.
const SEED_BUDGET: usize = 14;

#[test]
fn the_seed_push_envelope_costs_a_fixed_handful_of_allocations() {
    // Seed 001's CreatedEvent: 8 texts (subscription id, 2 watermarks, timestamp, 2 ids with
    // change keys), none of which may allocate.
    let (allocations, texts) = count("push/created_event_wrapped_tags.xml");
    println!("push/created_event_wrapped_tags.xml: {allocations} allocations, {texts} texts");
    assert!(texts >= 8, "the seed holds at least 8 texts, found {texts}");
    assert!(
        allocations <= SEED_BUDGET,
        "{allocations} allocations, budget {SEED_BUDGET}"
    );
}

#[test]
fn allocations_do_not_grow_with_the_number_of_texts() {
    let (small, small_texts) = count("push/created_event_wrapped_tags.xml");
    let (large, large_texts) = count("pull/get_events_1000_events.xml");
    println!("pull/get_events_1000_events.xml: {large} allocations, {large_texts} texts");
    assert!(
        large_texts >= 5000,
        "the large input holds {large_texts} texts"
    );
    // 1,000 events add only the amortized growth of the events vector (about log2(1000)).
    assert!(
        large - small < 40,
        "{large} allocations for {large_texts} texts vs {small} for {small_texts}"
    );
}
