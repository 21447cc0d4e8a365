//! What goes into the outbox: any JSON-serializable event with a deterministic `eventId`.
//!
//! Item events are built here from the client's [`Delivered`] values; meeting events (from the
//! correlator) implement the same [`OutboundEvent`] trait and take the same path.

use ews_notify::{Event, EventKind};
use ews_notify_client::{Delivered, Origin};
use serde::Serialize;

use crate::config::Mode;
use crate::store::Record;

/// An event the service can put in the outbox.
pub trait OutboundEvent {
    /// The deterministic id: the same change gives the same id however and whenever it is read
    /// again (after a restart, through a catch-up).
    fn event_id(&self) -> String;
    /// The mailbox it belongs to.
    fn mailbox(&self) -> &str;
    /// The type, `item.created`, `meeting.updated`, ...
    fn kind(&self) -> String;
    /// The event's time (RFC 3339), when known.
    fn time(&self) -> Option<String>;
    /// The canonical JSON, with `eventId` in it.
    ///
    /// # Errors
    /// When the event cannot be serialized.
    fn to_json(&self) -> Result<String, serde_json::Error>;

    /// The outbox record.
    ///
    /// # Errors
    /// When the event cannot be serialized.
    fn record(&self) -> Result<Record, serde_json::Error> {
        Ok(Record {
            event_id: self.event_id(),
            mailbox: self.mailbox().to_string(),
            kind: self.kind(),
            time: self.time(),
            body: self.to_json()?,
        })
    }
}

/// One item change in one mailbox, as the client delivered it.
pub struct ItemEvent<'a> {
    /// What the client delivered.
    pub delivered: &'a Delivered,
    /// The mode it was read in.
    pub mode: Mode,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ItemJson<'a> {
    event_id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    mailbox: &'a str,
    origin: &'static str,
    mode: &'static str,
    event: &'a Event<'static>,
}

impl OutboundEvent for ItemEvent<'_> {
    fn event_id(&self) -> String {
        event_id(&self.delivered.mailbox, &self.delivered.event)
    }

    fn mailbox(&self) -> &str {
        &self.delivered.mailbox
    }

    fn kind(&self) -> String {
        format!("item.{}", self.delivered.event.kind.as_str())
    }

    fn time(&self) -> Option<String> {
        self.delivered
            .event
            .timestamp
            .as_ref()
            .map(ToString::to_string)
    }

    fn to_json(&self) -> Result<String, serde_json::Error> {
        let id = self.event_id();
        let kind = self.kind();
        serde_json::to_string(&ItemJson {
            event_id: &id,
            kind: &kind,
            mailbox: &self.delivered.mailbox,
            origin: match self.delivered.origin {
                Origin::Notification => "notification",
                Origin::CatchUp => "catchUp",
            },
            mode: self.mode.as_str(),
            event: &self.delivered.event,
        })
    }
}

/// The deterministic id of an item or folder event: SHA-256 over the mailbox, the kind and the
/// facts a notification and a catch-up of the same change share (object id, change key, and
/// for moves and copies the old id), as 32 hex digits.
///
/// A deletion is identified by the object alone (an item is deleted once). An event without
/// a change key also hashes its watermark and timestamp, which a repeat read from the same
/// watermark carries unchanged.
pub fn event_id(mailbox: &str, event: &Event<'_>) -> String {
    let mut parts: Vec<&str> = vec!["ews-notify/1", mailbox, event.kind.as_str()];
    if let EventKind::Unknown(name) = &event.kind {
        parts.push(name);
    }
    let object = event.item_id.as_ref().or(event.folder_id.as_ref());
    parts.push(object.map_or("", |o| o.id.as_ref()));
    if event.kind != EventKind::Deleted {
        let change_key = object.and_then(|o| o.change_key.as_deref());
        parts.push(change_key.unwrap_or(""));
        let old = event.old_item_id.as_ref().or(event.old_folder_id.as_ref());
        parts.push(old.map_or("", |o| o.id.as_ref()));
        if change_key.is_none() {
            parts.push(event.watermark.as_deref().unwrap_or(""));
            parts.push(event.timestamp.as_deref().unwrap_or(""));
        }
    }
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    for p in parts {
        // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
        ctx.update(&(p.len() as u64).to_le_bytes());
        ctx.update(p.as_bytes());
    }
    let digest = ctx.finish();
    let mut out = String::with_capacity(32);
    for b in digest.as_ref().iter().take(16) {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use ews_notify::ObjectId;
    use ews_notify_client::Position;
    use std::borrow::Cow;

    fn item(
        kind: EventKind<'static>,
        id: &str,
        ck: Option<&str>,
        wm: Option<&str>,
    ) -> Event<'static> {
        Event {
            item_id: Some(ObjectId {
                id: Cow::Owned(id.into()),
                change_key: ck.map(|c| Cow::Owned(c.into())),
            }),
            watermark: wm.map(|w| Cow::Owned(w.into())),
            ..Event::new(kind)
        }
    }

    #[test]
    fn a_catch_up_repeat_has_the_notification_id() {
        let n = item(EventKind::Created, "AAA", Some("ck1"), Some("wm-7"));
        let c = item(EventKind::Created, "AAA", Some("ck1"), None);
        assert_eq!(event_id("a@x", &n), event_id("a@x", &c));
    }

    #[test]
    fn different_changes_have_different_ids() {
        let a = item(EventKind::Modified, "AAA", Some("ck1"), None);
        let b = item(EventKind::Modified, "AAA", Some("ck2"), None);
        let c = item(EventKind::Created, "AAA", Some("ck1"), None);
        assert_ne!(event_id("a@x", &a), event_id("a@x", &b));
        assert_ne!(event_id("a@x", &a), event_id("a@x", &c));
        assert_ne!(
            event_id("a@x", &a),
            event_id("b@x", &a),
            "the mailbox counts"
        );
    }

    #[test]
    fn a_deletion_ignores_the_change_key() {
        let a = item(EventKind::Deleted, "AAA", Some("ck1"), Some("w1"));
        let b = item(EventKind::Deleted, "AAA", None, None);
        assert_eq!(event_id("a@x", &a), event_id("a@x", &b));
    }

    #[test]
    fn record_json_carries_the_id_and_the_canonical_event() {
        let d = Delivered {
            mailbox: "a@x".into(),
            event: item(EventKind::Created, "AAA", Some("ck1"), Some("w1")),
            origin: Origin::Notification,
            position: Position::default(),
        };
        let r = ItemEvent {
            delivered: &d,
            mode: Mode::Pull,
        }
        .record()
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["eventId"], r.event_id.as_str());
        assert_eq!(v["type"], "item.created");
        assert_eq!(v["event"]["itemId"]["id"], "AAA");
        assert_eq!(r.event_id.len(), 32);
    }
}
