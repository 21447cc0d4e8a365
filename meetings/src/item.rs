//! The calendar items bound for events: what `GetItem` answered, reduced to what the correlator
//! compares, and the request that asks for it.
//!
//! Core's [`CalendarItem`] reads the identity fields (both GlobalObjectIds, `UID`, type, times,
//! organizer). A master's `ModifiedOccurrences` and `DeletedOccurrences`, and `IsCancelled` /
//! `AppointmentState`, are read here from the same response bytes, after core has accepted
//! them (so the safety limits and the DTD refusal of core apply first).

use std::collections::HashMap;

use ews_notify::request::{GetItemRequest, ItemRef, RequestHeader};
use ews_notify::{Body, CalendarItem, CalendarItemType, GetItemResponseMessage, ResponseCode};
use quick_xml::events::Event as XmlEvent;
use quick_xml::reader::Reader;

use crate::event::{ItemType, Organizer};

/// The most item ids one `GetItem` names. Exchange's own default for the number of items one
/// request may name is far higher; 100 keeps a response (a master with its occurrence lists
/// can be several KB) well under core's default input limit.
pub const BIND_BATCH_SIZE: usize = 100;

/// The fields beside core's calendar shape that the correlator needs.
const MEETING_FIELDS: &[&str] = &[
    "calendar:IsCancelled",
    "calendar:AppointmentState",
    "calendar:ModifiedOccurrences",
    "calendar:DeletedOccurrences",
];

/// Builds the `GetItem` request that binds `item_ids`: core's calendar shape (both
/// GlobalObjectIds, `UID`, type, recurrence id, times, organizer, last modified time) plus
/// `IsCancelled`, `AppointmentState`, `ModifiedOccurrences` and `DeletedOccurrences`.
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getitem-operation-calendar-item>.
///
/// # Errors
/// Core's request errors: `empty_list` (no id), `invalid_text` (an empty id).
pub fn get_item_request(
    item_ids: &[String],
    header: RequestHeader,
) -> Result<String, ews_notify::Error> {
    let xml = GetItemRequest::new(item_ids.iter().map(|id| ItemRef::id(id.clone())))
        .header(header)
        .build()?;
    // Core's shape ends its property list with the GlobalObjectId properties; the extra fields
    // go right before the list closes. FieldURI paths may come in any order (types.xsd
    // `NonEmptyArrayOfPathsToElementType` is a choice).
    let extra: String = MEETING_FIELDS
        .iter()
        .map(|f| format!(r#"<t:FieldURI FieldURI="{f}"/>"#))
        .collect();
    Ok(xml.replacen(
        "</t:AdditionalProperties>",
        &format!("{extra}</t:AdditionalProperties>"),
        1,
    ))
}

/// One entry of a master's `ModifiedOccurrences`: an exception.
///
/// See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/occurrence-modifiedoccurrences>.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Occurrence {
    /// `ItemId` of the exception.
    pub item_id: Option<String>,
    /// `Start`, verbatim.
    pub start: Option<String>,
    /// `End`, verbatim.
    pub end: Option<String>,
    /// `OriginalStart`: the start the instance had in the pattern, verbatim.
    pub original_start: Option<String>,
}

/// A calendar item as `GetItem` returned it, reduced to owned texts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BoundItem {
    /// The element's local name: `CalendarItem`, `MeetingRequest`, `Message`, ...
    pub element: String,
    /// `ItemId/@Id`.
    pub item_id: Option<String>,
    /// `ItemId/@ChangeKey`: the item's version.
    pub change_key: Option<String>,
    /// `ParentFolderId/@Id`.
    pub parent_folder_id: Option<String>,
    /// `ItemClass`.
    pub item_class: Option<String>,
    /// `Subject`.
    pub subject: Option<String>,
    /// `Start`, verbatim.
    pub start: Option<String>,
    /// `End`, verbatim.
    pub end: Option<String>,
    /// `CalendarItemType`.
    pub item_type: Option<ItemType>,
    /// `RecurrenceId`, verbatim.
    pub recurrence_id: Option<String>,
    /// `OriginalStart`, verbatim.
    pub original_start: Option<String>,
    /// `LastModifiedTime`, verbatim.
    pub last_modified_time: Option<String>,
    /// `Organizer/Mailbox`.
    pub organizer: Option<Organizer>,
    /// `UID`.
    pub uid: Option<String>,
    /// PidLidGlobalObjectId, decoded.
    pub global_object_id: Option<ews_notify::GlobalObjectId<'static>>,
    /// PidLidCleanGlobalObjectId, decoded.
    pub clean_global_object_id: Option<ews_notify::GlobalObjectId<'static>>,
    /// `IsCancelled`.
    pub is_cancelled: Option<bool>,
    /// `AppointmentState` (bit 0x4: cancelled).
    pub appointment_state: Option<u32>,
    /// `ModifiedOccurrences` (masters); `None` when absent.
    pub modified_occurrences: Option<Vec<Occurrence>>,
    /// `DeletedOccurrences/DeletedOccurrence/Start` (masters), verbatim; `None` when absent.
    pub deleted_occurrences: Option<Vec<String>>,
}

fn opt(text: &Option<std::borrow::Cow<'_, str>>) -> Option<String> {
    text.as_ref().map(|t| t.to_string())
}

impl BoundItem {
    /// The fields core read, without the extras (`IsCancelled`, occurrences): see
    /// [`read_get_item_response`] for both.
    pub fn from_calendar_item(item: &CalendarItem<'_>) -> Self {
        Self {
            element: item.element.to_string(),
            item_id: item.item_id.as_ref().map(|i| i.id.to_string()),
            change_key: item.item_id.as_ref().and_then(|i| opt(&i.change_key)),
            parent_folder_id: item.parent_folder_id.as_ref().map(|i| i.id.to_string()),
            item_class: opt(&item.item_class),
            subject: opt(&item.subject),
            start: opt(&item.start),
            end: opt(&item.end),
            item_type: item.calendar_item_type.as_ref().map(|t| match t {
                CalendarItemType::Single => ItemType::Single,
                CalendarItemType::Occurrence => ItemType::Occurrence,
                CalendarItemType::Exception => ItemType::Exception,
                CalendarItemType::RecurringMaster => ItemType::RecurringMaster,
                CalendarItemType::Other(s) => ItemType::Other(s.to_string()),
            }),
            recurrence_id: opt(&item.recurrence_id),
            original_start: opt(&item.original_start),
            last_modified_time: opt(&item.last_modified_time),
            organizer: item.organizer.as_ref().map(|m| Organizer {
                name: opt(&m.name),
                email_address: opt(&m.email_address),
            }),
            uid: opt(&item.uid),
            global_object_id: item.global_object_id.clone(),
            clean_global_object_id: item.clean_global_object_id.clone(),
            is_cancelled: None,
            appointment_state: None,
            modified_occurrences: None,
            deleted_occurrences: None,
        }
    }

    /// Whether this is a calendar item: a `CalendarItem` element, or an `IPM.Appointment`
    /// class. Meeting requests and responses (`IPM.Schedule.Meeting.*`, in the Inbox) are not.
    pub fn is_calendar_item(&self) -> bool {
        self.element == "CalendarItem"
            || self
                .item_class
                .as_deref()
                .is_some_and(|c| c.len() >= 15 && c[..15].eq_ignore_ascii_case("IPM.Appointment"))
    }

    /// Whether the meeting is cancelled: `IsCancelled`, or the `asfCanceled` bit (0x4) of
    /// `AppointmentState` ([MS-OXPROPS] 2.30 PidLidAppointmentStateFlags).
    pub fn cancelled(&self) -> bool {
        self.is_cancelled == Some(true) || self.appointment_state.is_some_and(|s| s & 0x4 != 0)
    }
}

/// `GetItem`'s answer for one requested id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    /// The item.
    Found(Box<BoundItem>),
    /// `ErrorItemNotFound`: the item is gone.
    NotFound {
        /// The id that was asked for.
        item_id: String,
    },
    /// Another error code for this id (access denied, server busy, ...): the event is reported
    /// from the map with reason `noAnswer`.
    Failed {
        /// The id that was asked for.
        item_id: String,
        /// The EWS response code.
        code: String,
    },
}

impl Bound {
    /// The id this answer is for.
    pub fn item_id(&self) -> Option<&str> {
        match self {
            Self::Found(item) => item.item_id.as_deref(),
            Self::NotFound { item_id } | Self::Failed { item_id, .. } => Some(item_id),
        }
    }
}

/// Why a `GetItem` response could not be turned into [`Bound`] answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The bytes are not a readable envelope (core's error, unchanged).
    #[error(transparent)]
    Parse(#[from] ews_notify::Error),
    /// The envelope is readable but is not the response expected (a fault, another response):
    /// a `GetItemResponse` for [`read_get_item_response`], a notification or
    /// `SyncFolderItemsResponse` for [`incoming_from_envelope`].
    #[error("unexpected `{kind}` envelope")]
    UnexpectedBody {
        /// The body's canonical kind (`fault`, `getEventsResponse`, ...).
        kind: &'static str,
    },
}

impl ReadError {
    /// Stable snake_case code: core's code for parse errors, `unexpected_body` otherwise.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Parse(e) => e.code(),
            Self::UnexpectedBody { .. } => "unexpected_body",
        }
    }
}

/// The item events of one envelope, with their origin: the events of every notification of a
/// push `SendNotification`, a `GetEventsResponse` or a `GetStreamingEventsResponse` envelope
/// (origin notification), or the changes of a `SyncFolderItemsResponse` made into events as a
/// catch-up gives them (`Create` -> created, `Update` -> modified, `Delete` -> deleted; read-flag
/// changes are no calendar change), origin catch-up.
///
/// # Errors
/// [`ReadError::Parse`] when the bytes are not a readable envelope,
/// [`ReadError::UnexpectedBody`] (with the body's kind) for any other body.
pub fn incoming_from_envelope(bytes: &[u8]) -> Result<Vec<crate::Incoming>, ReadError> {
    use ews_notify::{Event, EventKind, SyncChangeKind};
    let envelope = ews_notify::parse_notification(bytes)?;
    let kind = envelope.body.kind();
    let out = match &envelope.body {
        Body::SendNotification(m)
        | Body::GetEventsResponse(m)
        | Body::GetStreamingEventsResponse(m) => m
            .iter()
            .flat_map(|m| m.notifications.iter())
            .flat_map(|n| n.events.iter())
            .map(|e| crate::Incoming {
                event: e.clone().into_owned(),
                origin: crate::Origin::Notification,
            })
            .collect(),
        Body::SyncFolderItemsResponse(m) => m
            .iter()
            .flat_map(|m| m.changes.iter())
            .filter_map(|c| {
                let kind = match c.kind {
                    SyncChangeKind::Create => EventKind::Created,
                    SyncChangeKind::Update => EventKind::Modified,
                    SyncChangeKind::Delete => EventKind::Deleted,
                    SyncChangeKind::ReadFlagChange => return None,
                };
                let id = c
                    .item
                    .as_ref()
                    .and_then(|i| i.item_id.as_ref())
                    .or(c.item_id.as_ref())?;
                Some(crate::Incoming {
                    event: Event {
                        item_id: Some(id.clone().into_owned()),
                        ..Event::new(kind)
                    },
                    origin: crate::Origin::CatchUp,
                })
            })
            .collect(),
        _ => return Err(ReadError::UnexpectedBody { kind }),
    };
    Ok(out)
}

/// Reads a `GetItemResponse` for the ids `requested` (in request order: Exchange answers one
/// response message per id, in order) into one [`Bound`] per id.
///
/// # Errors
/// [`ReadError::Parse`] when the bytes are not a readable envelope,
/// [`ReadError::UnexpectedBody`] for a fault or another body.
pub fn read_get_item_response(bytes: &[u8], requested: &[String]) -> Result<Vec<Bound>, ReadError> {
    let envelope = ews_notify::parse_notification(bytes)?;
    let kind = envelope.body.kind();
    let Body::GetItemResponse(messages) = envelope.body else {
        return Err(ReadError::UnexpectedBody { kind });
    };
    let extras = read_extras(bytes);
    Ok(bound_from_messages(&messages, requested, &extras))
}

/// Turns parsed response messages into answers, message `i` answering `requested[i]`. Ids
/// without a message get [`Bound::Failed`] with code `NoResponseMessage`.
fn bound_from_messages(
    messages: &[GetItemResponseMessage<'_>],
    requested: &[String],
    extras: &HashMap<String, Extras>,
) -> Vec<Bound> {
    let mut out = Vec::with_capacity(requested.len());
    for (i, id) in requested.iter().enumerate() {
        let Some(m) = messages.get(i) else {
            out.push(Bound::Failed {
                item_id: id.clone(),
                code: "NoResponseMessage".into(),
            });
            continue;
        };
        match &m.status.response_code {
            None | Some(ResponseCode::NoError) => match m.items.first() {
                Some(item) => {
                    let mut b = BoundItem::from_calendar_item(item);
                    if let Some(x) = b.item_id.as_ref().and_then(|i| extras.get(i)) {
                        b.is_cancelled = x.is_cancelled;
                        b.appointment_state = x.appointment_state;
                        b.modified_occurrences = x.modified.clone();
                        b.deleted_occurrences = x.deleted.clone();
                    }
                    // The answer is for the id asked for, whatever the item says.
                    b.item_id = Some(id.clone());
                    out.push(Bound::Found(Box::new(b)));
                }
                None => out.push(Bound::Failed {
                    item_id: id.clone(),
                    code: "NoItem".into(),
                }),
            },
            Some(ResponseCode::ErrorItemNotFound) => out.push(Bound::NotFound {
                item_id: id.clone(),
            }),
            Some(code) => out.push(Bound::Failed {
                item_id: id.clone(),
                code: code.as_str().to_string(),
            }),
        }
    }
    out
}

/// The fields core does not read, per item id.
#[derive(Debug, Clone, Default)]
struct Extras {
    is_cancelled: Option<bool>,
    appointment_state: Option<u32>,
    modified: Option<Vec<Occurrence>>,
    deleted: Option<Vec<String>>,
}

/// Reads `IsCancelled`, `AppointmentState`, `ModifiedOccurrences` and `DeletedOccurrences` of
/// each item in `Items`, keyed by the item's `ItemId/@Id`. Runs only on bytes core accepted.
/// Ids, dates, booleans and numbers hold no character references, so texts are taken raw.
fn read_extras(bytes: &[u8]) -> HashMap<String, Extras> {
    let mut out = HashMap::new();
    let mut reader = Reader::from_reader(bytes);
    // Path of local names from the root.
    let mut path: Vec<Vec<u8>> = Vec::new();
    let mut item_depth: Option<usize> = None;
    let mut current_id: Option<String> = None;
    let mut current = Extras::default();
    let mut occurrence = Occurrence::default();
    let mut text = String::new();
    while let Ok(ev) = reader.read_event() {
        match ev {
            XmlEvent::Start(ref s) | XmlEvent::Empty(ref s) => {
                let name = s.local_name().as_ref().as_bytes().to_vec();
                let empty = matches!(ev, XmlEvent::Empty(_));
                let parent_is_items = path.last().is_some_and(|p| p == b"Items");
                if item_depth.is_none() && parent_is_items {
                    item_depth = Some(path.len());
                    current_id = None;
                    current = Extras::default();
                }
                if let Some(d) = item_depth {
                    let depth = path.len();
                    if name == b"ItemId" {
                        let id = attr(s, b"Id");
                        if depth == d + 1 {
                            current_id = id;
                        } else if path.last().is_some_and(|p| p == b"Occurrence") {
                            occurrence.item_id = id;
                        }
                    }
                    if depth == d + 1 && name == b"ModifiedOccurrences" {
                        current.modified = Some(Vec::new());
                    }
                    if depth == d + 1 && name == b"DeletedOccurrences" {
                        current.deleted = Some(Vec::new());
                    }
                    if name == b"Occurrence" {
                        occurrence = Occurrence::default();
                    }
                }
                text.clear();
                if !empty {
                    path.push(name);
                } else if item_depth == Some(path.len()) {
                    // An empty item element: nothing to read.
                    item_depth = None;
                }
            }
            XmlEvent::Text(t) => text.push_str(&t),
            XmlEvent::End(_) => {
                let Some(name) = path.pop() else { break };
                let Some(d) = item_depth else { continue };
                let depth = path.len();
                let parent = path.last().map(Vec::as_slice);
                let value = text.trim().to_string();
                match (name.as_slice(), parent) {
                    (b"IsCancelled", _) if depth == d + 1 => {
                        current.is_cancelled = match value.as_str() {
                            "true" | "1" => Some(true),
                            "false" | "0" => Some(false),
                            _ => None,
                        }
                    }
                    (b"AppointmentState", _) if depth == d + 1 => {
                        current.appointment_state = value.parse().ok();
                    }
                    (b"Start", Some(b"Occurrence")) => occurrence.start = Some(value),
                    (b"End", Some(b"Occurrence")) => occurrence.end = Some(value),
                    (b"OriginalStart", Some(b"Occurrence")) => {
                        occurrence.original_start = Some(value);
                    }
                    (b"Occurrence", Some(b"ModifiedOccurrences")) => {
                        if let Some(list) = current.modified.as_mut() {
                            list.push(std::mem::take(&mut occurrence));
                        }
                    }
                    (b"Start", Some(b"DeletedOccurrence")) => {
                        if let Some(list) = current.deleted.as_mut() {
                            list.push(value);
                        }
                    }
                    _ => {}
                }
                if depth == d {
                    if let Some(id) = current_id.take() {
                        out.insert(id, std::mem::take(&mut current));
                    }
                    item_depth = None;
                }
                text.clear();
            }
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    out
}

fn attr(s: &quick_xml::events::BytesStart<'_>, name: &[u8]) -> Option<String> {
    s.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref().as_bytes() == name)
        .map(|a| a.value.into_owned())
}
