//! `GetItemResponse`, `FindItemResponse` and `SyncFolderItemsResponse`: reading calendar items.
//!
//! The message elements share `ResponseMessageType` with the notification kinds, so their status
//! fields read the same way (see `status.rs`); what they carry is read here into the types of
//! [`crate::model`].
//!
//! See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getitemresponse>,
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/finditemresponse>,
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/syncfolderitemsresponse>.

use std::borrow::Cow;

use super::context::{Ctx, invalid, missing, object_id, parse_number, unexpected};
use super::{response, status};
use crate::error::Error;
use crate::goid::GlobalObjectId;
use crate::model::{
    CalendarItem, CalendarItemType, ExtendedFieldUri, ExtendedProperty, FindItemResponseMessage,
    GetItemResponseMessage, Mailbox, SyncChange, SyncChangeKind, SyncFolderItemsResponseMessage,
};
use crate::request::{CLEAN_GLOBAL_OBJECT_ID_PROPERTY_ID, GLOBAL_OBJECT_ID_PROPERTY_ID};
use crate::xml::{self, Elem, Ns};

/// Reads `<GetItemResponse>` (already started).
pub(crate) fn get_item_response<'a>(
    ctx: &mut Ctx<'a>,
    message: &Elem<'a>,
) -> Result<Vec<GetItemResponseMessage<'a>>, Error> {
    response::messages(
        ctx,
        message,
        "GetItemResponse",
        "GetItemResponseMessage",
        get_item_message,
    )
}

/// Reads `<FindItemResponse>` (already started).
pub(crate) fn find_item_response<'a>(
    ctx: &mut Ctx<'a>,
    message: &Elem<'a>,
) -> Result<Vec<FindItemResponseMessage<'a>>, Error> {
    response::messages(
        ctx,
        message,
        "FindItemResponse",
        "FindItemResponseMessage",
        find_item_message,
    )
}

/// Reads `<SyncFolderItemsResponse>` (already started).
pub(crate) fn sync_folder_items_response<'a>(
    ctx: &mut Ctx<'a>,
    message: &Elem<'a>,
) -> Result<Vec<SyncFolderItemsResponseMessage<'a>>, Error> {
    response::messages(
        ctx,
        message,
        "SyncFolderItemsResponse",
        "SyncFolderItemsResponseMessage",
        sync_message,
    )
}

/// The local name of `elem` when it is in namespace `ns`, or `""`.
fn local_in<'a>(elem: &Elem<'a>, ns: Ns) -> &'a str {
    if elem.ns == ns { elem.local } else { "" }
}

fn get_item_message<'a>(
    ctx: &mut Ctx<'a>,
    elem: &Elem<'a>,
    name: &'static str,
) -> Result<GetItemResponseMessage<'a>, Error> {
    let mut status = status::start(ctx, elem, name)?;
    let mut items = Vec::new();
    let mut unknown_elements = Vec::new();
    while let Some(child) = ctx.xml.child(name)? {
        let local = local_in(&child, Ns::Messages);
        if status::read_field(ctx, &mut status, local)? {
            continue;
        }
        if local == "Items" {
            read_items(ctx, "Items", &mut items, &mut unknown_elements)?;
        } else {
            unknown_elements.push(child.display_name());
            ctx.xml.skip()?;
        }
    }
    status::finish(&mut status);
    Ok(GetItemResponseMessage {
        status,
        items,
        unknown_elements,
    })
}

fn find_item_message<'a>(
    ctx: &mut Ctx<'a>,
    elem: &Elem<'a>,
    name: &'static str,
) -> Result<FindItemResponseMessage<'a>, Error> {
    let mut m = FindItemResponseMessage {
        status: status::start(ctx, elem, name)?,
        total_items_in_view: None,
        includes_last_item_in_range: None,
        indexed_paging_offset: None,
        items: Vec::new(),
        unknown_elements: Vec::new(),
    };
    while let Some(child) = ctx.xml.child(name)? {
        let local = local_in(&child, Ns::Messages);
        if status::read_field(ctx, &mut m.status, local)? {
            continue;
        }
        if local == "RootFolder" {
            m.total_items_in_view = number_attr(ctx, &child, "TotalItemsInView")?;
            m.indexed_paging_offset = number_attr(ctx, &child, "IndexedPagingOffset")?;
            m.includes_last_item_in_range = match ctx.xml.attr(&child, "IncludesLastItemInRange")? {
                None => None,
                Some(v) => Some(boolean(&v, "IncludesLastItemInRange", child.offset)?),
            };
            while let Some(inner) = ctx.xml.child("RootFolder")? {
                if inner.is(Ns::Types, "Items") {
                    read_items(ctx, "Items", &mut m.items, &mut m.unknown_elements)?;
                } else {
                    // `Groups` (a grouped search) is not read; its name stays visible.
                    m.unknown_elements.push(inner.display_name());
                    ctx.xml.skip()?;
                }
            }
        } else {
            m.unknown_elements.push(child.display_name());
            ctx.xml.skip()?;
        }
    }
    status::finish(&mut m.status);
    Ok(m)
}

fn sync_message<'a>(
    ctx: &mut Ctx<'a>,
    elem: &Elem<'a>,
    name: &'static str,
) -> Result<SyncFolderItemsResponseMessage<'a>, Error> {
    let mut m = SyncFolderItemsResponseMessage {
        status: status::start(ctx, elem, name)?,
        sync_state: None,
        includes_last_item_in_range: None,
        changes: Vec::new(),
        unknown_elements: Vec::new(),
    };
    while let Some(child) = ctx.xml.child(name)? {
        let local = local_in(&child, Ns::Messages);
        if status::read_field(ctx, &mut m.status, local)? {
            continue;
        }
        match local {
            "SyncState" => m.sync_state = Some(ctx.xml.text("SyncState", false)?),
            "IncludesLastItemInRange" => {
                let text = ctx.xml.text("IncludesLastItemInRange", false)?;
                m.includes_last_item_in_range =
                    Some(boolean(&text, "IncludesLastItemInRange", child.offset)?);
            }
            "Changes" => {
                while let Some(change) = ctx.xml.child("Changes")? {
                    match sync_change(ctx, &change)? {
                        Some(c) => m.changes.push(c),
                        None => m.unknown_elements.push(change.display_name()),
                    }
                }
            }
            _ => {
                m.unknown_elements.push(child.display_name());
                ctx.xml.skip()?;
            }
        }
    }
    status::finish(&mut m.status);
    Ok(m)
}

/// Reads one child of `Changes` (already started). `None` (after skipping it) when it is not a
/// known change kind.
fn sync_change<'a>(ctx: &mut Ctx<'a>, elem: &Elem<'a>) -> Result<Option<SyncChange<'a>>, Error> {
    let (kind, name) = match local_in(elem, Ns::Types) {
        "Create" => (SyncChangeKind::Create, "Create"),
        "Update" => (SyncChangeKind::Update, "Update"),
        "Delete" => (SyncChangeKind::Delete, "Delete"),
        "ReadFlagChange" => (SyncChangeKind::ReadFlagChange, "ReadFlagChange"),
        _ => {
            ctx.xml.skip()?;
            return Ok(None);
        }
    };
    let mut change = SyncChange {
        kind,
        item: None,
        item_id: None,
        is_read: None,
    };
    while let Some(child) = ctx.xml.child(name)? {
        match (kind, local_in(&child, Ns::Types)) {
            (SyncChangeKind::Delete | SyncChangeKind::ReadFlagChange, "ItemId") => {
                change.item_id = Some(object_id(ctx, &child, "ItemId")?);
            }
            (SyncChangeKind::ReadFlagChange, "IsRead") => {
                let text = ctx.xml.text("IsRead", false)?;
                change.is_read = Some(boolean(&text, "IsRead", child.offset)?);
            }
            (SyncChangeKind::Create | SyncChangeKind::Update, local)
                if !local.is_empty() && change.item.is_none() =>
            {
                change.item = Some(item(ctx, &child)?);
            }
            _ => return Err(unexpected(&child, name)),
        }
    }
    let required = match kind {
        SyncChangeKind::Create | SyncChangeKind::Update => change.item.is_none().then_some("item"),
        SyncChangeKind::Delete => change.item_id.is_none().then_some("ItemId"),
        SyncChangeKind::ReadFlagChange => {
            if change.item_id.is_none() {
                Some("ItemId")
            } else {
                change.is_read.is_none().then_some("IsRead")
            }
        }
    };
    match required {
        Some(missing_name) => Err(missing(missing_name, name, elem.offset)),
        None => Ok(Some(change)),
    }
}

/// Reads the children of an `Items` element (already started): every `t:` child is an item;
/// anything else is named in `unknown`.
fn read_items<'a>(
    ctx: &mut Ctx<'a>,
    parent: &'static str,
    items: &mut Vec<CalendarItem<'a>>,
    unknown: &mut Vec<Cow<'a, str>>,
) -> Result<(), Error> {
    while let Some(child) = ctx.xml.child(parent)? {
        if child.ns == Ns::Types {
            items.push(item(ctx, &child)?);
        } else {
            unknown.push(child.display_name());
            ctx.xml.skip()?;
        }
    }
    Ok(())
}

/// Reads one item element (already started): a `CalendarItem` or another item type.
fn item<'a>(ctx: &mut Ctx<'a>, elem: &Elem<'a>) -> Result<CalendarItem<'a>, Error> {
    let mut it = CalendarItem::new(Cow::Borrowed(elem.local));
    while let Some(child) = ctx.xml.child("CalendarItem")? {
        match local_in(&child, Ns::Types) {
            "ItemId" => it.item_id = Some(object_id(ctx, &child, "ItemId")?),
            "ParentFolderId" => {
                it.parent_folder_id = Some(object_id(ctx, &child, "ParentFolderId")?);
            }
            "ItemClass" => it.item_class = Some(ctx.xml.text("ItemClass", false)?),
            "Subject" => it.subject = Some(ctx.xml.text("Subject", false)?),
            "Start" => it.start = Some(ctx.xml.text("Start", false)?),
            "End" => it.end = Some(ctx.xml.text("End", false)?),
            "IsRecurring" => {
                let text = ctx.xml.text("IsRecurring", false)?;
                it.is_recurring = Some(boolean(&text, "IsRecurring", child.offset)?);
            }
            "CalendarItemType" => {
                let text = xml::trim(ctx.xml.text("CalendarItemType", false)?);
                it.calendar_item_type = Some(CalendarItemType::parse(text));
            }
            "RecurrenceId" => it.recurrence_id = Some(ctx.xml.text("RecurrenceId", false)?),
            "OriginalStart" => it.original_start = Some(ctx.xml.text("OriginalStart", false)?),
            "LastModifiedTime" => {
                it.last_modified_time = Some(ctx.xml.text("LastModifiedTime", false)?);
            }
            "UID" => it.uid = Some(ctx.xml.text("UID", false)?),
            "Organizer" => it.organizer = Some(organizer(ctx, &mut it.unknown_elements)?),
            "ExtendedProperty" => {
                let property = extended_property(ctx, &child)?;
                place_extended_property(&mut it, property);
            }
            _ => {
                it.unknown_elements.push(child.display_name());
                ctx.xml.skip()?;
            }
        }
    }
    Ok(it)
}

/// Puts a GlobalObjectId property that decodes on its field; keeps every other property (and a
/// second or undecodable GOID) in the list, so nothing is dropped.
fn place_extended_property<'a>(it: &mut CalendarItem<'a>, property: ExtendedProperty<'a>) {
    let decode = |p: &ExtendedProperty<'_>| {
        p.value
            .as_deref()
            .and_then(|v| GlobalObjectId::from_base64(v.trim()).ok())
    };
    let uri = &property.field_uri;
    if uri.is_meeting_binary(GLOBAL_OBJECT_ID_PROPERTY_ID) && it.global_object_id.is_none() {
        if let Some(goid) = decode(&property) {
            it.global_object_id = Some(goid);
            return;
        }
    } else if uri.is_meeting_binary(CLEAN_GLOBAL_OBJECT_ID_PROPERTY_ID)
        && it.clean_global_object_id.is_none()
    {
        if let Some(goid) = decode(&property) {
            it.clean_global_object_id = Some(goid);
            return;
        }
    }
    it.extended_properties.push(property);
}

/// Reads `Organizer` (already started): its `Mailbox`.
fn organizer<'a>(ctx: &mut Ctx<'a>, unknown: &mut Vec<Cow<'a, str>>) -> Result<Mailbox<'a>, Error> {
    let mut mailbox = Mailbox::default();
    while let Some(child) = ctx.xml.child("Organizer")? {
        if !child.is(Ns::Types, "Mailbox") {
            unknown.push(child.display_name());
            ctx.xml.skip()?;
            continue;
        }
        while let Some(field) = ctx.xml.child("Mailbox")? {
            match local_in(&field, Ns::Types) {
                "Name" => mailbox.name = Some(ctx.xml.text("Name", false)?),
                "EmailAddress" => {
                    mailbox.email_address = Some(ctx.xml.text("EmailAddress", false)?)
                }
                "RoutingType" => mailbox.routing_type = Some(ctx.xml.text("RoutingType", false)?),
                "MailboxType" => mailbox.mailbox_type = Some(ctx.xml.text("MailboxType", false)?),
                _ => {
                    unknown.push(field.display_name());
                    ctx.xml.skip()?;
                }
            }
        }
    }
    Ok(mailbox)
}

/// Reads `ExtendedProperty` (already started): `ExtendedFieldURI`, then `Value` or `Values`.
fn extended_property<'a>(
    ctx: &mut Ctx<'a>,
    elem: &Elem<'a>,
) -> Result<ExtendedProperty<'a>, Error> {
    let mut field_uri = None;
    let mut value = None;
    let mut values = Vec::new();
    while let Some(child) = ctx.xml.child("ExtendedProperty")? {
        match local_in(&child, Ns::Types) {
            "ExtendedFieldURI" if field_uri.is_none() => {
                let attr = |name| ctx.xml.attr(&child, name);
                let uri = ExtendedFieldUri {
                    distinguished_property_set_id: attr("DistinguishedPropertySetId")?,
                    property_set_id: attr("PropertySetId")?,
                    property_tag: attr("PropertyTag")?,
                    property_name: attr("PropertyName")?,
                    property_id: attr("PropertyId")?,
                    property_type: attr("PropertyType")?,
                };
                ctx.xml.skip()?;
                field_uri = Some(uri);
            }
            "Value" if value.is_none() => value = Some(ctx.xml.text("Value", false)?),
            "Values" => {
                while let Some(v) = ctx.xml.child("Values")? {
                    if v.is(Ns::Types, "Value") {
                        values.push(ctx.xml.text("Value", false)?);
                    } else {
                        return Err(unexpected(&v, "Values"));
                    }
                }
            }
            _ => return Err(unexpected(&child, "ExtendedProperty")),
        }
    }
    let field_uri =
        field_uri.ok_or_else(|| missing("ExtendedFieldURI", "ExtendedProperty", elem.offset))?;
    Ok(ExtendedProperty {
        field_uri,
        value,
        values,
    })
}

/// `xs:boolean`: `true`, `false`, `1`, `0` (trimmed), or `invalid_value`.
fn boolean(text: &str, name: &'static str, offset: usize) -> Result<bool, Error> {
    match text.trim_matches([' ', '\t', '\r', '\n']) {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        other => Err(invalid(name, other, offset)),
    }
}

/// A decimal attribute, or `None` when absent.
fn number_attr<'a>(
    ctx: &Ctx<'a>,
    elem: &Elem<'a>,
    name: &'static str,
) -> Result<Option<u32>, Error> {
    match ctx.xml.attr(elem, name)? {
        None => Ok(None),
        Some(v) => parse_number(&v, name, elem.offset).map(Some),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::borrow::Cow;

    use crate::goid::{GlobalObjectId, same_meeting};
    use crate::model::Body;
    use crate::model::{CalendarItem, CalendarItemType, SyncChangeKind};

    const MASTER: &[u8] =
        include_bytes!("../../../tests/corpus/items/get_item_recurring_master.xml");
    const EXCEPTION: &[u8] =
        include_bytes!("../../../tests/corpus/items/get_item_exception_and_item_not_found.xml");
    const FIND: &[u8] = include_bytes!(
        "../../../tests/corpus/items/find_item_by_clean_goid_master_and_exception.xml"
    );
    const ORPHAN: &[u8] =
        include_bytes!("../../../tests/corpus/items/find_item_orphan_instance_in_room_mailbox.xml");
    const SYNC: &[u8] = include_bytes!(
        "../../../tests/corpus/items/sync_folder_items_create_update_delete_read_flag.xml"
    );
    const TRUNCATED: &[u8] =
        include_bytes!("../../../tests/corpus/items/get_item_truncated_goid_kept_as_property.xml");

    fn get_items(bytes: &[u8]) -> Vec<CalendarItem<'_>> {
        match crate::parse_notification(bytes).unwrap().body {
            Body::GetItemResponse(m) => m.into_iter().flat_map(|m| m.items).collect(),
            other => panic!("expected a GetItemResponse, got {}", other.kind()),
        }
    }

    fn found_items(bytes: &[u8]) -> Vec<CalendarItem<'_>> {
        match crate::parse_notification(bytes).unwrap().body {
            Body::FindItemResponse(m) => m.into_iter().flat_map(|m| m.items).collect(),
            other => panic!("expected a FindItemResponse, got {}", other.kind()),
        }
    }

    #[test]
    fn master_exception_and_orphan_share_one_clean_goid() {
        let master = get_items(MASTER).remove(0);
        let exception = get_items(EXCEPTION).remove(0);
        let orphan = found_items(ORPHAN).remove(0);
        assert_eq!(
            master.calendar_item_type,
            Some(CalendarItemType::RecurringMaster)
        );
        assert_eq!(
            exception.calendar_item_type,
            Some(CalendarItemType::Exception)
        );
        assert_eq!(orphan.calendar_item_type, Some(CalendarItemType::Single));

        let goid = |i: &CalendarItem<'_>| i.global_object_id.clone().expect("GOID decoded");
        let clean = |i: &CalendarItem<'_>| i.clean_global_object_id.clone().expect("clean decoded");
        assert_eq!(goid(&master).instance_date(), None, "a master has no date");
        assert_eq!(
            goid(&exception).instance_date(),
            Some(time::macros::date!(2026 - 11 - 30))
        );
        assert_eq!(
            goid(&orphan).instance_date(),
            Some(time::macros::date!(2026 - 12 - 07))
        );
        assert_eq!(clean(&exception), clean(&master));
        assert_eq!(clean(&orphan), clean(&master));
        assert_eq!(goid(&orphan).clean(), clean(&master));
        assert!(same_meeting(&goid(&orphan), &goid(&master)));
        // The UID Exchange reports for an Outlook-made meeting is the clean GOID in hex.
        assert_eq!(
            master.uid.as_deref(),
            Some(clean(&master).to_hex().as_str())
        );
        // Nothing but the two GOIDs and one string property was asked for.
        assert_eq!(master.extended_properties.len(), 1);
        assert_eq!(
            master.extended_properties[0].value.as_deref(),
            Some("BR-2026-0042")
        );
        assert!(exception.extended_properties.is_empty());
    }

    #[test]
    fn texts_borrow_from_the_input_unless_escaped() {
        let master = get_items(MASTER).remove(0);
        let id = master.item_id.as_ref().unwrap();
        assert!(matches!(id.id, Cow::Borrowed(_)), "ids are slices");
        assert!(matches!(master.start, Some(Cow::Borrowed(_))));
        assert!(matches!(master.uid, Some(Cow::Borrowed(_))));
        assert!(
            matches!(master.subject, Some(Cow::Owned(_))),
            "the subject holds &amp; and must be unescaped"
        );
        assert_eq!(master.subject.as_deref(), Some("주간 디자인 리뷰 & 계획"));
    }

    #[test]
    fn into_owned_equals_the_borrowed_value() {
        for bytes in [MASTER, EXCEPTION, FIND, ORPHAN, SYNC, TRUNCATED] {
            let borrowed = crate::parse_notification(bytes).unwrap();
            let owned = borrowed.clone().into_owned();
            assert_eq!(owned, borrowed);
            assert_eq!(owned.to_json(), borrowed.to_json());
        }
    }

    #[test]
    fn find_item_reads_paging_and_both_items() {
        let Body::FindItemResponse(messages) = crate::parse_notification(FIND).unwrap().body else {
            panic!("expected a FindItemResponse");
        };
        let m = &messages[0];
        assert_eq!(m.total_items_in_view, Some(2));
        assert_eq!(m.includes_last_item_in_range, Some(true));
        assert_eq!(m.indexed_paging_offset, None);
        assert_eq!(m.items.len(), 2);
    }

    #[test]
    fn sync_reads_every_change_kind() {
        let Body::SyncFolderItemsResponse(messages) = crate::parse_notification(SYNC).unwrap().body
        else {
            panic!("expected a SyncFolderItemsResponse");
        };
        let m = &messages[0];
        assert_eq!(m.includes_last_item_in_range, Some(false));
        assert!(m.sync_state.as_deref().unwrap().starts_with("H4sI"));
        let kinds: Vec<_> = m.changes.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [
                SyncChangeKind::Create,
                SyncChangeKind::Update,
                SyncChangeKind::Delete,
                SyncChangeKind::ReadFlagChange
            ]
        );
        assert!(m.changes[0].item.is_some() && m.changes[0].item_id.is_none());
        assert!(m.changes[2].item.is_none() && m.changes[2].item_id.is_some());
        assert_eq!(m.changes[3].is_read, Some(true));
    }

    #[test]
    fn every_truncation_is_an_error_with_an_offset_inside_the_input() {
        // The master and the sync sample reach every reader in this module.
        for bytes in [MASTER, SYNC] {
            let end = bytes.iter().rposition(|&b| b == b'>').unwrap();
            for cut in 0..end {
                let prefix = &bytes[..cut];
                let e = crate::parse_notification(prefix).unwrap_err();
                assert!(
                    e.offset().is_some_and(|o| o <= cut),
                    "cut at {cut}: {e} has no offset inside the input"
                );
            }
        }
    }

    #[test]
    fn an_undecodable_goid_stays_visible_as_a_property() {
        let item = get_items(TRUNCATED).remove(0);
        assert!(item.global_object_id.is_none(), "24 bytes cannot be a GOID");
        assert!(item.clean_global_object_id.is_some());
        assert_eq!(item.extended_properties.len(), 1);
        let kept = &item.extended_properties[0];
        assert!(kept.field_uri.is_meeting_binary(3));
        assert!(GlobalObjectId::from_base64(kept.value.as_deref().unwrap()).is_err());
    }

    fn err(xml: &str) -> (&'static str, Option<usize>) {
        let e = crate::parse_notification(xml.as_bytes()).unwrap_err();
        (e.code(), e.offset())
    }

    const M: &str = r#"xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types""#;

    fn envelope(body: &str) -> String {
        format!(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>{body}</s:Body></s:Envelope>"#
        )
    }

    #[test]
    fn bad_values_are_typed_errors_with_offsets() {
        let no_class = envelope(&format!(
            "<m:GetItemResponse {M}><m:ResponseMessages><m:GetItemResponseMessage/></m:ResponseMessages></m:GetItemResponse>"
        ));
        let at = no_class.find("<m:GetItemResponseMessage").unwrap();
        assert_eq!(err(&no_class), ("missing_attribute", Some(at)));

        let no_messages = envelope(&format!("<m:FindItemResponse {M}></m:FindItemResponse>"));
        let at = no_messages.find("<m:FindItemResponse").unwrap();
        assert_eq!(err(&no_messages), ("missing_element", Some(at)));

        let bad_paging = envelope(&format!(
            r#"<m:FindItemResponse {M}><m:ResponseMessages><m:FindItemResponseMessage ResponseClass="Success"><m:RootFolder TotalItemsInView="many"/></m:FindItemResponseMessage></m:ResponseMessages></m:FindItemResponse>"#
        ));
        let at = bad_paging.find("<m:RootFolder").unwrap();
        assert_eq!(err(&bad_paging), ("invalid_value", Some(at)));

        let delete_without_id = envelope(&format!(
            r#"<m:SyncFolderItemsResponse {M}><m:ResponseMessages><m:SyncFolderItemsResponseMessage ResponseClass="Success"><m:Changes><t:Delete/></m:Changes></m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse>"#
        ));
        let at = delete_without_id.find("<t:Delete").unwrap();
        assert_eq!(err(&delete_without_id), ("missing_element", Some(at)));

        let property_without_uri = envelope(&format!(
            r#"<m:GetItemResponse {M}><m:ResponseMessages><m:GetItemResponseMessage ResponseClass="Success"><m:Items><t:CalendarItem><t:ExtendedProperty><t:Value>x</t:Value></t:ExtendedProperty></t:CalendarItem></m:Items></m:GetItemResponseMessage></m:ResponseMessages></m:GetItemResponse>"#
        ));
        let at = property_without_uri.find("<t:ExtendedProperty").unwrap();
        assert_eq!(err(&property_without_uri), ("missing_element", Some(at)));
    }

    #[test]
    fn unread_elements_stay_visible() {
        let xml = envelope(&format!(
            r#"<m:GetItemResponse {M}><m:ResponseMessages><m:GetItemResponseMessage ResponseClass="Success"><m:Items><t:CalendarItem><t:Location>Room 1</t:Location><t:IsRecurring>1</t:IsRecurring></t:CalendarItem></m:Items></m:GetItemResponseMessage></m:ResponseMessages></m:GetItemResponse>"#
        ));
        let item = get_items(xml.as_bytes()).remove(0);
        assert_eq!(item.unknown_elements, ["Location"]);
        assert_eq!(item.is_recurring, Some(true));
        assert!(
            crate::parse_notification(xml.as_bytes())
                .unwrap()
                .to_json()
                .contains(r#""unknownElements":["Location"]"#)
        );
    }
}
