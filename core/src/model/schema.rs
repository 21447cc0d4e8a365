//! `schemars::JsonSchema` for the types whose `Serialize` is written by hand (feature `schema`).
//!
//! Most model types derive `JsonSchema` next to their `Serialize`, from the same serde
//! attributes. The few that serialize by hand ([`Envelope`], [`Event`], the open string enums,
//! [`MessageXml`]) describe their JSON here, with private shape structs that mirror what their
//! `Serialize` writes. The corpus goldens are validated against the generated schema
//! (`tests/check_canonical_schema.py`), so a shape that drifts from its `Serialize` fails there.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use super::{
    CalendarItemType, ConnectionStatus, Envelope, Event, EventKind, FindItemResponseMessage,
    GetItemResponseMessage, MessageXml, ObjectId, ResponseCode, ResponseMessage, ServerVersion,
    SoapVersion, SyncFolderItemsResponseMessage,
};

/// A string that is one of `names`, or any other text kept verbatim.
fn open_enum(names: &[&str]) -> Schema {
    json_schema!({
        "anyOf": [
            { "type": "string", "enum": names },
            { "type": "string" }
        ]
    })
}

/// A string that is exactly one of `names`.
fn closed_enum(names: &[&str]) -> Schema {
    json_schema!({ "type": "string", "enum": names })
}

fn notification_kinds(_: &mut SchemaGenerator) -> Schema {
    closed_enum(&[
        "sendNotification",
        "getEventsResponse",
        "getStreamingEventsResponse",
        "subscribeResponse",
        "unsubscribeResponse",
    ])
}

fn get_item_kind(_: &mut SchemaGenerator) -> Schema {
    closed_enum(&["getItemResponse"])
}

fn find_item_kind(_: &mut SchemaGenerator) -> Schema {
    closed_enum(&["findItemResponse"])
}

fn sync_folder_items_kind(_: &mut SchemaGenerator) -> Schema {
    closed_enum(&["syncFolderItemsResponse"])
}

fn fault_kind(_: &mut SchemaGenerator) -> Schema {
    closed_enum(&["fault"])
}

/// A push `SendNotification`, or a pull, streaming, subscribe or unsubscribe response.
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct NotificationEnvelope<'a> {
    /// Which message the SOAP body holds.
    #[schemars(schema_with = "notification_kinds")]
    kind: (),
    /// SOAP 1.1 or 1.2, from the envelope's namespace URI.
    soap_version: SoapVersion,
    /// `ServerVersionInfo` (responses) or `RequestServerVersion` (push), when present.
    server_version: Option<ServerVersion<'a>>,
    /// The response messages, in document order.
    response_messages: Vec<ResponseMessage<'a>>,
}

/// A `GetItemResponse`: calendar items by id.
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct GetItemEnvelope<'a> {
    /// `getItemResponse`.
    #[schemars(schema_with = "get_item_kind")]
    kind: (),
    /// SOAP 1.1 or 1.2.
    soap_version: SoapVersion,
    /// `ServerVersionInfo`, when present.
    server_version: Option<ServerVersion<'a>>,
    /// The response messages, in document order.
    response_messages: Vec<GetItemResponseMessage<'a>>,
}

/// A `FindItemResponse`: calendar items found in a folder.
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct FindItemEnvelope<'a> {
    /// `findItemResponse`.
    #[schemars(schema_with = "find_item_kind")]
    kind: (),
    /// SOAP 1.1 or 1.2.
    soap_version: SoapVersion,
    /// `ServerVersionInfo`, when present.
    server_version: Option<ServerVersion<'a>>,
    /// The response messages, in document order.
    response_messages: Vec<FindItemResponseMessage<'a>>,
}

/// A `SyncFolderItemsResponse`: the changes to a folder since a sync state.
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct SyncFolderItemsEnvelope<'a> {
    /// `syncFolderItemsResponse`.
    #[schemars(schema_with = "sync_folder_items_kind")]
    kind: (),
    /// SOAP 1.1 or 1.2.
    soap_version: SoapVersion,
    /// `ServerVersionInfo`, when present.
    server_version: Option<ServerVersion<'a>>,
    /// The response messages, in document order.
    response_messages: Vec<SyncFolderItemsResponseMessage<'a>>,
}

/// A SOAP fault: an answer from the server (for example `ErrorServerBusy`), not a parse error.
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct FaultEnvelope<'a> {
    /// `fault`.
    #[schemars(schema_with = "fault_kind")]
    kind: (),
    /// SOAP 1.1 or 1.2.
    soap_version: SoapVersion,
    /// `ServerVersionInfo`, when present.
    server_version: Option<ServerVersion<'a>>,
    /// `faultcode` (1.1) or `Code/Value` (1.2), verbatim, e.g. `a:ErrorServerBusy`.
    fault_code: Option<Cow<'a, str>>,
    /// `faultstring` (1.1) or `Reason/Text` (1.2).
    fault_string: Option<Cow<'a, str>>,
    /// `detail/ResponseCode`, trimmed.
    response_code: Option<ResponseCode<'a>>,
    /// `detail/Message`.
    message_text: Option<Cow<'a, str>>,
    /// `BackOffMilliseconds` from `detail/MessageXml`, when present and valid.
    back_off_milliseconds: Option<u64>,
    /// `detail/MessageXml` name/value pairs.
    message_xml: Option<MessageXml<'a>>,
    /// `detail` children that are not read, by local name, in document order; present only
    /// when not empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unknown_elements: Vec<Cow<'a, str>>,
}

/// One event. Fields its kind does not carry are `null`.
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct EventShape<'a> {
    /// What happened.
    kind: EventKind<'a>,
    /// The element's local name, only on `unknown` events.
    // `x-after`: where the key sits when present (JSON Schema has no key order; the TypeScript
    // emitter reads it, and the Node test checks the order against the parser's output).
    #[serde(skip_serializing_if = "only_on_unknown")]
    #[schemars(extend("x-after" = "kind"))]
    name: Cow<'a, str>,
    /// `Watermark`: the position after this event.
    watermark: Option<Cow<'a, str>>,
    /// `TimeStamp`, verbatim (`2013-06-14T05:49:19Z`).
    timestamp: Option<Cow<'a, str>>,
    /// `ItemId`, for item events.
    item_id: Option<ObjectId<'a>>,
    /// `FolderId`, for folder events.
    folder_id: Option<ObjectId<'a>>,
    /// `ParentFolderId`.
    parent_folder_id: Option<ObjectId<'a>>,
    /// `OldItemId` (moved and copied items).
    old_item_id: Option<ObjectId<'a>>,
    /// `OldFolderId` (moved and copied folders).
    old_folder_id: Option<ObjectId<'a>>,
    /// `OldParentFolderId` (moved and copied).
    old_parent_folder_id: Option<ObjectId<'a>>,
    /// `UnreadCount` (modified folder events, Exchange 2010 and later).
    unread_count: Option<u32>,
    /// Child elements that are not read, by local name, in document order; present only when
    /// not empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unknown_elements: Vec<Cow<'a, str>>,
}

/// `Event`'s `Serialize` writes `name` for `unknown` events only (the schema needs to know that
/// the key may be absent; this is never called).
#[allow(dead_code)]
fn only_on_unknown(_: &str) -> bool {
    true
}

impl JsonSchema for Envelope<'_> {
    fn schema_name() -> Cow<'static, str> {
        "Envelope".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "One parsed SOAP envelope; `kind` tells which message the SOAP body holds.",
            "oneOf": [
                generator.subschema_for::<NotificationEnvelope<'_>>(),
                generator.subschema_for::<GetItemEnvelope<'_>>(),
                generator.subschema_for::<FindItemEnvelope<'_>>(),
                generator.subschema_for::<SyncFolderItemsEnvelope<'_>>(),
                generator.subschema_for::<FaultEnvelope<'_>>(),
            ]
        })
    }
}

impl JsonSchema for Event<'_> {
    fn schema_name() -> Cow<'static, str> {
        "Event".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        EventShape::json_schema(generator)
    }
}

impl JsonSchema for EventKind<'_> {
    fn schema_name() -> Cow<'static, str> {
        "EventKind".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let mut schema = closed_enum(&[
            "status",
            "newMail",
            "created",
            "deleted",
            "modified",
            "moved",
            "copied",
            "freeBusyChanged",
            "unknown",
        ]);
        schema.insert(
            "description".into(),
            "What an event says happened; `unknown` keeps an unrecognised element (its local \
             name is the event's `name`)."
                .into(),
        );
        schema
    }
}

impl JsonSchema for ResponseCode<'_> {
    fn schema_name() -> Cow<'static, str> {
        "ResponseCode".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names: Vec<&str> = ResponseCode::NAMED
            .iter()
            .map(ResponseCode::as_str)
            .collect();
        let mut schema = open_enum(&names);
        schema.insert(
            "description".into(),
            "An EWS `ResponseCode`: one of the named codes a notification client acts on, or any \
             other code verbatim."
                .into(),
        );
        schema
    }
}

impl JsonSchema for ConnectionStatus<'_> {
    fn schema_name() -> Cow<'static, str> {
        "ConnectionStatus".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let mut schema = open_enum(&["OK", "Closed"]);
        schema.insert(
            "description".into(),
            "`ConnectionStatus` of a GetStreamingEvents message: `OK`, `Closed`, or any other \
             value verbatim."
                .into(),
        );
        schema
    }
}

impl JsonSchema for CalendarItemType<'_> {
    fn schema_name() -> Cow<'static, str> {
        "CalendarItemType".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let mut schema = open_enum(&["Single", "Occurrence", "Exception", "RecurringMaster"]);
        schema.insert(
            "description".into(),
            "`CalendarItemType`: the item's role in a series, or any other value verbatim.".into(),
        );
        schema
    }
}

impl JsonSchema for MessageXml<'_> {
    fn schema_name() -> Cow<'static, str> {
        "MessageXml".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "`MessageXml` name/value pairs, keys in document order (the last value wins when a name repeats).",
            "type": "object",
            "additionalProperties": { "type": "string" }
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::Body;

    /// Every `kind` string [`Body::kind`] can return is one of the envelope shapes' kinds.
    #[test]
    fn every_body_kind_has_an_envelope_shape() {
        let generator = &mut schemars::generate::SchemaSettings::draft2020_12()
            .for_serialize()
            .into_generator();
        let schema = serde_json::to_value(Envelope::json_schema(generator)).unwrap();
        let defs = serde_json::to_value(generator.definitions()).unwrap();
        let mut kinds = Vec::new();
        for shape in schema["oneOf"].as_array().unwrap() {
            let name = shape["$ref"]
                .as_str()
                .unwrap()
                .trim_start_matches("#/$defs/");
            for k in defs[name]["properties"]["kind"]["enum"].as_array().unwrap() {
                kinds.push(k.as_str().unwrap().to_owned());
            }
        }
        let fault = crate::Fault {
            fault_code: None,
            fault_string: None,
            response_code: None,
            message_text: None,
            back_off_milliseconds: None,
            message_xml: None,
            unknown_elements: Vec::new(),
        };
        let bodies = [
            Body::SendNotification(Vec::new()),
            Body::GetEventsResponse(Vec::new()),
            Body::GetStreamingEventsResponse(Vec::new()),
            Body::SubscribeResponse(Vec::new()),
            Body::UnsubscribeResponse(Vec::new()),
            Body::GetItemResponse(Vec::new()),
            Body::FindItemResponse(Vec::new()),
            Body::SyncFolderItemsResponse(Vec::new()),
            Body::Fault(fault),
        ];
        let mut expected: Vec<String> = bodies.iter().map(|b| b.kind().to_owned()).collect();
        kinds.sort();
        expected.sort();
        assert_eq!(
            kinds, expected,
            "the envelope shapes and Body::kind disagree"
        );
    }

    /// Every [`EventKind`] spelling is in the schema's enum.
    #[test]
    fn every_event_kind_is_in_the_schema() {
        let generator = &mut SchemaGenerator::default();
        let schema = serde_json::to_value(EventKind::json_schema(generator)).unwrap();
        let names = schema["enum"].as_array().unwrap();
        let kinds = [
            EventKind::Status,
            EventKind::NewMail,
            EventKind::Created,
            EventKind::Deleted,
            EventKind::Modified,
            EventKind::Moved,
            EventKind::Copied,
            EventKind::FreeBusyChanged,
            EventKind::Unknown(Cow::Borrowed("X")),
        ];
        assert_eq!(names.len(), kinds.len());
        for k in kinds {
            assert!(
                names.iter().any(|n| n == k.as_str()),
                "{} missing",
                k.as_str()
            );
        }
    }
}
