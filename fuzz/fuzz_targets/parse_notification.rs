//! Arbitrary bytes into the parser: never a panic, and a success is self-consistent.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = ews_notify::Limits {
        max_depth: 32,
        max_events: 64,
        ..ews_notify::Limits::default()
    };
    let parser = ews_notify::Parser::new().limits(limits);
    match parser.parse_notification(data) {
        Ok(envelope) => {
            let json = envelope.to_json();
            // Owning every text changes nothing the JSON shows.
            let owned = envelope.clone().into_owned();
            assert_eq!(owned, envelope);
            assert_eq!(owned.to_json(), json);
        }
        Err(e) => {
            // Offsets point into (or just past) the input.
            if let Some(offset) = e.offset() {
                assert!(offset <= data.len(), "offset {offset} past the input");
            }
            assert!(!e.code().is_empty());
        }
    }
});
