//! What a parsed value IS: the envelope, its messages, notifications, events, faults, response
//! codes and calendar items.
//!
//! These types are the canonical JSON contract: their [`serde::Serialize`] output is the one
//! shape every binding returns. `docs/canonical.schema.json` is generated from them (with the
//! `schema` feature) and `docs/canonical-json.md` explains it. The readers that build them from
//! XML are private to the crate; call [`crate::parse_envelope`].
//!
//! Every type is also re-exported at the crate root (`ews_notify::Envelope`). With the feature
//! `schema`, each implements `schemars::JsonSchema`.

use std::borrow::Cow;

mod code;
mod envelope;
mod event;
mod fault;
mod item;
#[cfg(feature = "schema")]
mod schema;
mod status;

pub use code::ResponseCode;
pub use envelope::{Body, ConnectionStatus, Envelope, ResponseMessage, ServerVersion, SoapVersion};
pub use event::{Event, EventKind, Notification, ObjectId};
pub use fault::Fault;
pub use item::{
    CalendarItem, CalendarItemType, ExtendedFieldUri, ExtendedProperty, FindItemResponseMessage,
    GetItemResponseMessage, Mailbox, SyncChange, SyncChangeKind, SyncFolderItemsResponseMessage,
};
pub use status::{MessageXml, ResponseClass, ResponseStatus};

/// Turns a borrowed text into one that owns its bytes.
pub(crate) fn own(text: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(text.into_owned())
}

/// Turns an optional borrowed text into one that owns its bytes.
pub(crate) fn own_opt(text: Option<Cow<'_, str>>) -> Option<Cow<'static, str>> {
    text.map(own)
}
