//! Zero-copy parser for Microsoft Exchange Web Services (EWS) notifications, with
//! GlobalObjectId decoding and the EWS requests a notification client sends.
//!
//! [`parse_envelope`] reads any SOAP envelope a notification client meets (push
//! `SendNotification`, pull `GetEventsResponse`, streaming `GetStreamingEventsResponse`,
//! `SubscribeResponse`, `UnsubscribeResponse`, `GetItemResponse`, `FindItemResponse`,
//! `SyncFolderItemsResponse`, SOAP 1.1 and 1.2 faults) into an [`Envelope`] that borrows its
//! texts from the input. [`parse_notification`] is the same function under its first name.
//!
//! # Layout
//!
//! - [`model`]: what a value IS (envelope, messages and their [`ResponseStatus`], notifications,
//!   events, faults, response codes, calendar items). Their `Serialize` output is the canonical
//!   JSON; every type is re-exported here at the root.
//! - the readers that build them from XML are private (`read/`); [`Parser`] is their entry.
//! - [`goid`]: GlobalObjectId decoding; [`request`]: the request builders; [`streaming`]: splitting
//!   a streaming HTTP body into envelopes; [`repair`]: mending near-XML.
//!
//! ```
//! let body = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
//!   <s:Body>
//!     <m:SendNotification xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
//!                         xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
//!       <m:ResponseMessages>
//!         <m:SendNotificationResponseMessage ResponseClass="Success">
//!           <m:ResponseCode>NoError</m:ResponseCode>
//!           <m:Notification>
//!             <t:SubscriptionId>sub-1</t:SubscriptionId>
//!             <t:PreviousWatermark>wm-0</t:PreviousWatermark>
//!             <t:MoreEvents>false</t:MoreEvents>
//!             <t:NewMailEvent>
//!               <t:Watermark>wm-1</t:Watermark>
//!               <t:TimeStamp>2013-06-14T05:49:19Z</t:TimeStamp>
//!               <t:ItemId Id="AAMk" ChangeKey="CQAA"/>
//!               <t:ParentFolderId Id="AQMk" ChangeKey="AQAA"/>
//!             </t:NewMailEvent>
//!           </m:Notification>
//!         </m:SendNotificationResponseMessage>
//!       </m:ResponseMessages>
//!     </m:SendNotification>
//!   </s:Body>
//! </s:Envelope>"#;
//! let envelope = ews_notify::parse_envelope(body)?;
//! let message = &envelope.body.response_messages()[0];
//! let event = &message.notifications[0].events[0];
//! assert_eq!(event.kind, ews_notify::EventKind::NewMail);
//! assert_eq!(event.item_id.as_ref().map(|id| id.id.as_ref()), Some("AAMk"));
//! assert!(envelope.to_json().starts_with(r#"{"kind":"sendNotification","soapVersion":"1.1""#));
//! # Ok::<(), ews_notify::Error>(())
//! ```
//!
//! # Features
//!
//! - `schema` (off by default): `schemars::JsonSchema` for every [`model`] type, from which
//!   `docs/canonical.schema.json` and the bindings' TypeScript declarations are generated. The
//!   parser, the bindings and the wasm build leave it off.
//!
//! # Safety limits
//!
//! Input is untrusted: a `<!DOCTYPE` is refused (so no entity expansion, no external entities),
//! only the five predefined entities and character references are read, and [`Limits`] caps the
//! input size, the element depth and the number of events. Every failure is an [`Error`] with a
//! stable [`Error::code`] and a byte offset; nothing panics.
//!
//! Namespaces are matched by URI, never by prefix. Both `http://` and `https://` spellings of
//! the SOAP and EWS namespace URIs are accepted: servers send `http://`, Microsoft's
//! documentation prints some as `https://`.
//!
//! # What this crate is not
//!
//! It does no I/O: no sockets, no files, no async runtime, so it builds for
//! `wasm32-unknown-unknown`. The network client that subscribes, pulls, streams and listens
//! for push notifications is the crate `ews-notify-client`, built on this one.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod error;
pub mod goid;
mod limits;
pub mod model;
mod read;
pub mod repair;
pub mod request;
pub mod streaming;
mod xml;

pub use error::{Error, ErrorKind};
pub use goid::{GlobalObjectId, same_meeting};
pub use limits::Limits;
pub use model::{
    Body, CalendarItem, CalendarItemType, ConnectionStatus, Envelope, Event, EventKind,
    ExtendedFieldUri, ExtendedProperty, Fault, FindItemResponseMessage, GetItemResponseMessage,
    Mailbox, MessageXml, Notification, ObjectId, ResponseClass, ResponseCode, ResponseMessage,
    ResponseStatus, ServerVersion, SoapVersion, SyncChange, SyncChangeKind,
    SyncFolderItemsResponseMessage,
};
pub use read::Parser;

/// Parses one SOAP envelope with the default [`Limits`]: `Parser::new().parse_envelope`.
///
/// Reads every kind this crate knows: push, pull and streaming notifications, subscribe and
/// unsubscribe responses, `GetItem` / `FindItem` / `SyncFolderItems` responses, and SOAP faults.
/// Borrows from `bytes`; see [`Parser::parse_envelope`] for what allocates.
///
/// # Errors
/// An [`Error`] with its kind and byte offset when the bytes are not a readable envelope. A SOAP
/// fault is not an error: it parses to [`Body::Fault`].
pub fn parse_envelope(bytes: &[u8]) -> Result<Envelope<'_>, Error> {
    Parser::new().parse_envelope(bytes)
}

/// The same as [`parse_envelope`], under its first name.
///
/// Kept as the documented alias because most callers use it for notifications; it reads every
/// envelope kind, item responses and faults included.
///
/// # Errors
/// As [`parse_envelope`].
pub fn parse_notification(bytes: &[u8]) -> Result<Envelope<'_>, Error> {
    parse_envelope(bytes)
}
