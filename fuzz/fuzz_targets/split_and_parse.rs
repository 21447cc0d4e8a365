//! Arbitrary bytes as a streaming body: split whole and fed in chunks, then every envelope
//! parsed. Never a panic, and both ways of splitting agree.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks a chunk size, so chunks end anywhere (mid-tag, mid-UTF-8).
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(first % 64) + 1;

    let whole: Vec<Result<&[u8], ews_notify::Error>> = ews_notify::streaming::split(body).collect();
    for envelope in whole.iter().flatten() {
        let _ = ews_notify::parse_notification(envelope).map(|e| e.to_json());
    }

    let mut splitter = ews_notify::streaming::StreamSplitter::new();
    let mut fed = Vec::new();
    let mut failed = false;
    'feed: for piece in body.chunks(chunk) {
        if splitter.feed(piece).is_err() {
            failed = true;
            break;
        }
        loop {
            match splitter.next_envelope() {
                Ok(Some(envelope)) => fed.push(envelope),
                Ok(None) => break,
                Err(_) => {
                    failed = true;
                    break 'feed;
                }
            }
        }
    }
    if !failed {
        failed = splitter.finish().is_err();
    }
    let whole_ok: Vec<&[u8]> = whole
        .iter()
        .filter_map(|r| r.as_ref().ok().copied())
        .collect();
    let whole_failed = whole.iter().any(Result::is_err);
    // Both ways see the same envelopes, in order, and fail on the same bodies.
    assert_eq!(fed.iter().map(Vec::as_slice).collect::<Vec<_>>(), whole_ok);
    assert_eq!(failed, whole_failed);
});
