//! Proof of zero-copy: on corpus inputs, ids, watermarks, timestamps and subscription ids are
//! `Cow::Borrowed` slices of the input, unless the XML escaped something in them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::borrow::Cow;

use ews_notify::{Body, Envelope, ObjectId};

/// Every id, watermark, timestamp and subscription id of an envelope, with a label.
fn texts<'e, 'a>(envelope: &'e Envelope<'a>) -> Vec<(&'static str, &'e Cow<'a, str>)> {
    let mut out = Vec::new();
    let Body::Fault(_) = &envelope.body else {
        for m in envelope.body.response_messages() {
            out.extend(m.subscription_id.iter().map(|s| ("subscriptionId", s)));
            out.extend(m.watermark.iter().map(|s| ("watermark", s)));
            out.extend(
                m.error_subscription_ids
                    .iter()
                    .map(|s| ("errorSubscriptionId", s)),
            );
            for n in &m.notifications {
                out.push(("subscriptionId", &n.subscription_id));
                out.extend(
                    n.previous_watermark
                        .iter()
                        .map(|s| ("previousWatermark", s)),
                );
                for e in &n.events {
                    out.extend(e.watermark.iter().map(|s| ("watermark", s)));
                    out.extend(e.timestamp.iter().map(|s| ("timestamp", s)));
                    let ids: [&Option<ObjectId<'a>>; 6] = [
                        &e.item_id,
                        &e.folder_id,
                        &e.parent_folder_id,
                        &e.old_item_id,
                        &e.old_folder_id,
                        &e.old_parent_folder_id,
                    ];
                    for id in ids.into_iter().flatten() {
                        out.push(("id", &id.id));
                        out.extend(id.change_key.iter().map(|s| ("changeKey", s)));
                    }
                }
            }
        }
        return out;
    };
    out
}

fn inside(input: &[u8], s: &str) -> bool {
    let start = input.as_ptr() as usize;
    let p = s.as_ptr() as usize;
    p >= start && p + s.len() <= start + input.len()
}

#[test]
fn ids_watermarks_and_timestamps_borrow_from_the_input() {
    let mut borrowed = 0;
    let mut files = 0;
    for path in ews_notify_tests::all_inputs() {
        let input = std::fs::read(&path).unwrap();
        let Ok(envelope) = ews_notify::parse_notification(&input) else {
            continue;
        };
        // Only inputs where no reference or CDATA can force a copy.
        if input.contains(&b'&') || input.windows(9).any(|w| w == b"<![CDATA[") {
            continue;
        }
        files += 1;
        let crlf_input = ews_notify_tests::to_crlf(&input);
        let crlf_envelope = ews_notify::parse_notification(&crlf_input).unwrap();
        for (crlf, bytes, envelope) in [
            (false, &input, &envelope),
            (true, &crlf_input, &crlf_envelope),
        ] {
            for (label, text) in texts(envelope) {
                match text {
                    // An empty text is the static "", which costs nothing either.
                    Cow::Borrowed(s) => {
                        assert!(
                            s.is_empty() || inside(bytes, s),
                            "{}: {label} {s:?} is not a slice of the input",
                            path.display()
                        );
                        borrowed += 1;
                    }
                    Cow::Owned(s) => panic!(
                        "{} (crlf: {crlf}): {label} {s:?} was copied",
                        path.display()
                    ),
                }
            }
        }
    }
    assert!(files >= 40, "too few corpus inputs checked: {files}");
    assert!(borrowed >= 5000, "too few texts checked: {borrowed}");
}

#[test]
fn only_escaped_values_are_owned() {
    let path =
        ews_notify_tests::corpus_dir().join("pull/get_events_character_references_in_ids.xml");
    let input = std::fs::read(path).unwrap();
    let envelope = ews_notify::parse_notification(&input).unwrap();
    let all = texts(&envelope);
    let owned: Vec<&str> = all
        .iter()
        .filter(|(_, t)| matches!(t, Cow::Owned(_)))
        .map(|(_, t)| t.as_ref())
        .collect();
    let borrowed = all
        .iter()
        .filter(|(_, t)| matches!(t, Cow::Borrowed(_)))
        .count();
    assert!(!owned.is_empty(), "unescaped values own their text");
    assert!(borrowed > owned.len(), "the other values still borrow");
    for value in owned {
        // An owned value differs from every verbatim run of the input: it was unescaped.
        assert!(
            !String::from_utf8_lossy(&input).contains(value),
            "{value:?} was copied though verbatim"
        );
    }
}
