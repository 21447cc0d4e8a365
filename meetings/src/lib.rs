//! Names the meeting behind every EWS calendar event: a correlator with no I/O.
//!
//! An EWS notification names an item by its `ItemId` only; a `DeletedEvent` has nothing else,
//! and an `ItemId` changes when the item moves. This crate keeps a map
//! `(mailbox, ItemId) -> meeting` and turns a mailbox's item events, together with the calendar
//! items `GetItem` returned for them, into [`MeetingEvent`]s: which meeting (the clean
//! GlobalObjectId and the iCalendar UID that every copy of it shares, in every mailbox), which
//! instance, and what happened to it (`created`, `updated`, `cancelled`, `deleted`,
//! `removedFromCalendar`, `moved`, `occurrenceChanged`, `occurrenceDeleted`, `seriesSplit`,
//! `unresolved`). The rules, and what each rests on, are in `docs/meetings.md`.
//!
//! ```
//! use ews_notify_meetings::{Correlator, Incoming, Origin, read_get_item_response};
//!
//! let notification = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
//!   <m:GetEventsResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
//!                        xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
//!     <m:ResponseMessages><m:GetEventsResponseMessage ResponseClass="Success">
//!       <m:ResponseCode>NoError</m:ResponseCode>
//!       <m:Notification><t:SubscriptionId>s</t:SubscriptionId>
//!         <t:PreviousWatermark>w0</t:PreviousWatermark><t:MoreEvents>false</t:MoreEvents>
//!         <t:CreatedEvent><t:Watermark>w1</t:Watermark><t:TimeStamp>2013-08-09T01:16:14Z</t:TimeStamp>
//!           <t:ItemId Id="AAMkItem1" ChangeKey="DwAAAA"/><t:ParentFolderId Id="AAMkCal"/></t:CreatedEvent>
//!       </m:Notification>
//!     </m:GetEventsResponseMessage></m:ResponseMessages>
//!   </m:GetEventsResponse></s:Body></s:Envelope>"#;
//! let envelope = ews_notify::parse_notification(notification)?;
//! let events = envelope.body.response_messages()[0].notifications[0].events.iter()
//!     .map(|e| Incoming { event: e.clone().into_owned(), origin: Origin::Notification });
//!
//! let mut correlator = Correlator::new();
//! let batch = correlator.accept("alice@example.com", events)?;
//! assert_eq!(batch.items_to_bind(), ["AAMkItem1"]);
//!
//! // Your transport sends `get_item_request(batch.items_to_bind(), header)`; the answer:
//! let answer = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
//!   <m:GetItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
//!                      xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
//!     <m:ResponseMessages><m:GetItemResponseMessage ResponseClass="Success">
//!       <m:ResponseCode>NoError</m:ResponseCode>
//!       <m:Items><t:CalendarItem>
//!         <t:ItemId Id="AAMkItem1" ChangeKey="DwAAAA"/><t:Subject>Weekly</t:Subject>
//!         <t:CalendarItemType>Single</t:CalendarItemType>
//!         <t:ExtendedProperty><t:ExtendedFieldURI DistinguishedPropertySetId="Meeting" PropertyId="3" PropertyType="Binary"/>
//!           <t:Value>BAAAAIIA4AB0xbcQGoLgCAAAAABqFxwHnpTOAQAAAAAAAAAAEAAAAErmMOMEWQpJoohCYDFvDhU=</t:Value></t:ExtendedProperty>
//!       </t:CalendarItem></m:Items>
//!     </m:GetItemResponseMessage></m:ResponseMessages>
//!   </m:GetItemResponse></s:Body></s:Envelope>"#;
//! let answers = read_get_item_response(answer, batch.items_to_bind())?;
//! let resolved = correlator.bound(batch, answers)?;
//! let created = &resolved.events[0];
//! assert_eq!(created.change.as_str(), "created");
//! assert_eq!(
//!     created.meeting.as_ref().map(|m| m.clean_global_object_id.as_str()),
//!     Some("BAAAAIIA4AB0xbcQGoLgCAAAAABqFxwHnpTOAQAAAAAAAAAAEAAAAErmMOMEWQpJoohCYDFvDhU=")
//! );
//! assert!(created.to_json().starts_with(r#"{"kind":"meeting","eventId":""#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What it holds, and what it must not
//!
//! It holds the correlation rules, the meeting event type and its canonical JSON, the
//! [`Store`] trait with an in-memory [`MemoryStore`], and the `GetItem` request and response
//! reading for the extra fields it needs. It must not hold I/O of any kind (no sockets, files,
//! clocks or async runtime): it builds for `wasm32-unknown-unknown`, and the transport that
//! binds items in batches lives in `ews-notify-client` (`meetings` module), the durable store in
//! the service.
//!
//! # Features
//!
//! - `schema`: derives `schemars::JsonSchema` on [`MeetingEvent`] and the types it holds.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod correlator;
mod event;
mod id;
mod item;
mod store;

pub use correlator::{
    Batch, CorrelateError, Correlator, IgnoreReason, Ignored, Incoming, Resolved,
};
pub use event::{
    Cause, Change, ItemType, MeetingEvent, MeetingKey, MeetingKind, Organizer, Origin, Reason,
    Split,
};
pub use item::{
    BIND_BATCH_SIZE, Bound, BoundItem, Occurrence, ReadError, get_item_request,
    incoming_from_envelope, read_get_item_response,
};
pub use store::{Entry, MemoryStore, Store, StoreError, Tracked};
