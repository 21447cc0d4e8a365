//! The JSON line of one delivered event: what `ews-notify watch` and `listen` print, one per
//! line, and what any other consumer of a [`Delivered`] can write the same way.
//!
//! `{"mailbox":"room1@example.com","event":{...},"origin":"notification","position":{"watermark":"...","syncState":null,"resumeFrom":"watermark"}}`:
//! the event is core's canonical event JSON, unchanged. `docs/canonical.schema.json` describes
//! the line as `$defs/EventLine` (with the feature `schema`, [`EventLine`] implements
//! `schemars::JsonSchema`).
//!
//! ```
//! use ews_notify_client::{Delivered, EventLine, Origin, Position};
//! # let event = ews_notify::Event::new(ews_notify::EventKind::Status);
//! let delivered = Delivered {
//!     mailbox: "room1@example.com".into(),
//!     event,
//!     origin: Origin::CatchUp,
//!     position: Position { watermark: None, sync_state: Some("H4sI".into()) },
//! };
//! let json = EventLine::new(&delivered).to_json();
//! assert!(json.starts_with(r#"{"mailbox":"room1@example.com","event":{"kind":"status""#));
//! assert!(json.ends_with(r#""origin":"catchUp","position":{"watermark":null,"syncState":"H4sI","resumeFrom":"syncState"}}"#));
//! ```

use ews_notify::Event;
use serde::Serialize;

use crate::{Delivered, Origin, Position};

/// One delivered event as a JSON line. Borrows everything from the [`Delivered`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EventLine<'a> {
    /// The mailbox the event belongs to (its SMTP address, as it was watched).
    pub mailbox: &'a str,
    /// The event, in the canonical JSON.
    pub event: &'a Event<'static>,
    /// How the event reached the stream.
    pub origin: LineOrigin,
    /// Where the stream stands after this event: persist it to resume from here.
    pub position: LinePosition<'a>,
}

/// How an event reached the stream (the JSON form of [`Origin`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum LineOrigin {
    /// From the server's notifications.
    Notification,
    /// Made from a SyncFolderItems change after a break; may repeat an event already delivered.
    CatchUp,
}

/// Where a stream stands (the JSON form of [`Position`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct LinePosition<'a> {
    /// The last watermark: events after it are still to come.
    pub watermark: Option<&'a str>,
    /// The SyncFolderItems state of the last catch-up.
    pub sync_state: Option<&'a str>,
    /// What a resumption starts from: the watermark, or (on a server that gives no
    /// watermarks, such as gromox) a SyncFolderItems catch-up from the sync state; null before
    /// either is known.
    pub resume_from: Option<ResumeFrom>,
}

/// What a resumption from a [`LinePosition`] starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum ResumeFrom {
    /// A new subscription from the watermark: nothing is replayed.
    Watermark,
    /// A new subscription and a SyncFolderItems catch-up from the sync state.
    SyncState,
}

impl From<Origin> for LineOrigin {
    fn from(origin: Origin) -> Self {
        match origin {
            Origin::Notification => Self::Notification,
            Origin::CatchUp => Self::CatchUp,
        }
    }
}

impl<'a> From<&'a Position> for LinePosition<'a> {
    fn from(position: &'a Position) -> Self {
        Self {
            watermark: position.watermark.as_deref(),
            sync_state: position.sync_state.as_deref(),
            resume_from: match (&position.watermark, &position.sync_state) {
                (Some(_), _) => Some(ResumeFrom::Watermark),
                (None, Some(_)) => Some(ResumeFrom::SyncState),
                (None, None) => None,
            },
        }
    }
}

impl<'a> EventLine<'a> {
    /// The line of `delivered`.
    pub fn new(delivered: &'a Delivered) -> Self {
        Self {
            mailbox: &delivered.mailbox,
            event: &delivered.event,
            origin: delivered.origin.into(),
            position: (&delivered.position).into(),
        }
    }

    /// The compact JSON, without a line end.
    pub fn to_json(&self) -> String {
        // Serializing cannot fail: every map key is a string and no value is a float, so the
        // empty fallback is never taken.
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    /// The line as `ews-notify watch` wrote it before this type existed, by hand.
    fn by_hand(d: &Delivered) -> String {
        serde_json::json!({
            "mailbox": d.mailbox,
            "event": serde_json::to_value(&d.event).unwrap(),
            "origin": match d.origin { Origin::Notification => "notification", Origin::CatchUp => "catchUp" },
            "position": {
                "watermark": d.position.watermark,
                "syncState": d.position.sync_state,
                "resumeFrom": match (&d.position.watermark, &d.position.sync_state) {
                    (Some(_), _) => Some("watermark"),
                    (None, Some(_)) => Some("syncState"),
                    (None, None) => None,
                },
            },
        })
        .to_string()
    }

    #[test]
    fn line_keeps_the_keys_and_order_watch_printed() {
        let body = include_bytes!("../../tests/corpus/push/created_event_blank_lines.xml");
        let envelope = ews_notify::parse_envelope(body).unwrap().into_owned();
        let event = envelope.body.response_messages()[0].notifications[0].events[0].clone();
        for (origin, position) in [
            (
                Origin::Notification,
                Position {
                    watermark: Some("wm-1".into()),
                    sync_state: None,
                },
            ),
            (
                Origin::CatchUp,
                Position {
                    watermark: None,
                    sync_state: Some("s\"1".into()),
                },
            ),
        ] {
            let d = Delivered {
                mailbox: "room1@example.com".into(),
                event: event.clone(),
                origin,
                position,
            };
            let line = EventLine::new(&d).to_json();
            let expected: serde_json::Value = serde_json::from_str(&by_hand(&d)).unwrap();
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(&line).unwrap(),
                expected
            );
            let keys: Vec<&str> =
                ["\"mailbox\":", "\"event\":", "\"origin\":", "\"position\":"].to_vec();
            let at: Vec<usize> = keys.iter().map(|k| line.find(k).unwrap()).collect();
            assert!(
                at.windows(2).all(|w| w[0] < w[1]),
                "keys out of order: {line}"
            );
        }
    }
}
