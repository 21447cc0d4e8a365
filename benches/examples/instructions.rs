//! Runs one job N times over a corpus file, for instruction counts under callgrind (which do not
//! depend on machine load, unlike wall-clock time):
//!
//!     cargo build --release -p ews-notify-benches --example instructions
//!     valgrind --tool=callgrind target/release/examples/instructions parse pull/get_events_1000_events.xml 3
//!
//! Instructions per run = (Ir at N runs - Ir at 1 run) / (N - 1). `benches/instructions.sh`
//! does this for every parse input and prints the ratio to the bare loop.
//!
//! Jobs: `parse` (`parse_notification`), `owned` (`parse_notification` + `into_owned`, what a
//! binding does), `bare` (the bare quick-xml loop), `none` (reads the file only). Timed with
//! `time` and a large N, `owned` gives core's share of a binding's parse call.
//!
//! Job `goid-short` / `goid-long` decodes the shortest / longest base64 GlobalObjectId of the
//! vectors file given as the path (`goid/vectors.json`) N times: under `/usr/bin/time -f %U`
//! (user CPU seconds, which load does not inflate as it does wall time) that gives GOIDs per
//! second on one core:
//!
//!     /usr/bin/time -f %U target/release/examples/instructions goid-long goid/vectors.json 10000000
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use ews_notify_benches::{bare_loop, read_corpus};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, job, path, runs] = args.as_slice() else {
        panic!("usage: instructions parse|owned|bare|none CORPUS_PATH RUNS");
    };
    let bytes = read_corpus(path).unwrap();
    let runs: usize = runs.parse().unwrap();
    if let Some(which) = job.strip_prefix("goid-") {
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let mut all: Vec<String> = json["vectors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| Some(v["expected"]["base64"].as_str()?.to_owned()))
            .collect();
        all.sort_by_key(|b| b.len());
        let b64 = if which == "short" {
            &all[0]
        } else {
            &all[all.len() - 1]
        };
        let mut sum = 0usize;
        for _ in 0..runs {
            sum += ews_notify::GlobalObjectId::from_base64(black_box(b64.as_str()))
                .unwrap()
                .data_size() as usize;
        }
        black_box(sum);
        return;
    }
    for _ in 0..runs {
        match job.as_str() {
            "parse" => {
                black_box(ews_notify::parse_notification(black_box(&bytes)).unwrap());
            }
            "bare" => {
                black_box(bare_loop(black_box(&bytes)).unwrap());
            }
            "owned" => {
                let envelope = ews_notify::parse_notification(black_box(&bytes)).unwrap();
                black_box(envelope.into_owned());
            }
            "none" => {}
            other => panic!("unknown job {other}"),
        }
    }
}
