//! The operations around folders and items that a general EWS client needs besides
//! notifications, answered as Exchange answers them: `ConvertId` (what clients send to learn
//! the server's version), `GetFolder`, `FindFolder`, `CreateItem`, `UpdateItem`, `DeleteItem`,
//! `GetItem`, `FindItem`, `ResolveNames` and `ExpandDL`. Calendar items only: any other item
//! kind in CreateItem is refused per item with `ErrorInvalidRequest`.

use std::fmt::Write as _;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{NewItem, Shared, lock, xml_response};
use crate::ids;
use crate::ledger::Source;
use crate::read::Request;
use crate::soap::{self, esc};
use crate::state::{
    CALENDAR_FOLDER, CalendarItem, CalendarKind, DELETED_ITEMS_FOLDER, FOLDERS, MSG_FOLDER_ROOT,
    Mailbox, ROOT_FOLDER, Recurrence, Refusal, State, parse_rfc3339, rfc3339,
};

/// Answers the operations of this module; `None` for an operation the simulator does not
/// serve.
pub(super) fn answer(shared: &Shared, req: &Request, headers: &HeaderMap) -> Option<Response> {
    let body = match req.operation.as_str() {
        "ConvertId" => convert_id(req),
        "GetFolder" => get_folder(shared, req, headers),
        "FindFolder" => find_folder(shared, req, headers),
        "CreateItem" => create_item(shared, req, headers),
        "UpdateItem" => update_item(shared, req, headers),
        "DeleteItem" => delete_item(shared, req, headers),
        "GetItem" => get_item(shared, req, headers),
        "FindItem" => find_item(shared, req, headers),
        "ResolveNames" => resolve_names(shared, req),
        "ExpandDL" => expand_dl(shared, req),
        _ => return None,
    };
    Some(xml_response(StatusCode::OK, body, None))
}

/// The caller's own mailbox: the one it impersonates, else its `X-AnchorMailbox`, else the
/// user of its Basic credentials. (Mailboxes named inside the request, such as attendees,
/// are not the caller's.)
fn own_mailbox(st: &State, req: &Request, headers: &HeaderMap) -> Option<usize> {
    let impersonated = req
        .first("ExchangeImpersonation")
        .and_then(|_| {
            req.all("SmtpAddress")
                .chain(req.all("PrimarySmtpAddress"))
                .next()
        })
        .map(|n| n.text.clone());
    let anchor = headers
        .get("X-AnchorMailbox")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    impersonated
        .or(anchor)
        .or_else(|| super::basic_user(headers))
        .and_then(|s| st.mailbox(&s))
}

/// The children of every element named `parent`, each with its subtree, in document order.
fn children(req: &Request, parent: &str) -> Vec<Request> {
    let mut out = Vec::new();
    for (i, n) in req.nodes.iter().enumerate() {
        if n.parent != parent {
            continue;
        }
        let inner = req.nodes[i + 1..]
            .iter()
            .take_while(|m| m.depth > n.depth)
            .cloned();
        out.push(Request {
            operation: req.operation.clone(),
            nodes: std::iter::once(n.clone()).chain(inner).collect(),
        });
    }
    out
}

fn error_message(op: &str, refusal: Refusal, extra: &str) -> String {
    format!(
        "{}{extra}</m:{op}ResponseMessage>",
        soap::error_open(op, refusal.code(), refusal.text(), None)
    )
}

/// The mailbox and folder serial a `DistinguishedFolderId` or `FolderId` (with its subtree)
/// names; `default` is the request's own mailbox.
fn folder_of(st: &State, f: &Request, default: Option<usize>) -> Result<(usize, u64), Refusal> {
    let node = f.nodes.first().ok_or(Refusal::InvalidRequest)?;
    match node.name.as_str() {
        "DistinguishedFolderId" => {
            let serial = node
                .attr("Id")
                .and_then(Mailbox::distinguished)
                .ok_or(Refusal::FolderNotFound)?;
            let mb = match f.all_in("EmailAddress", "Mailbox").next() {
                Some(m) => st.mailbox(&m.text).ok_or(Refusal::NonExistentMailbox)?,
                None => default.ok_or(Refusal::NonExistentMailbox)?,
            };
            Ok((mb, serial))
        }
        "FolderId" => {
            let (guid, serial) = node
                .attr("Id")
                .and_then(ids::decode_folder_id)
                .ok_or(Refusal::InvalidIdMalformed)?;
            let mb = st.mailbox_of_guid(&guid).ok_or(Refusal::FolderNotFound)?;
            if FOLDERS.iter().any(|(s, ..)| *s == serial) {
                Ok((mb, serial))
            } else {
                Err(Refusal::FolderNotFound)
            }
        }
        _ => Err(Refusal::InvalidRequest),
    }
}

/// The parent of a distinguished folder (none for the root).
fn parent_of(serial: u64) -> Option<u64> {
    match serial {
        ROOT_FOLDER => None,
        MSG_FOLDER_ROOT => Some(ROOT_FOLDER),
        _ => Some(MSG_FOLDER_ROOT),
    }
}

fn children_of(serial: u64) -> Vec<u64> {
    FOLDERS
        .iter()
        .map(|(s, ..)| *s)
        .filter(|s| parent_of(*s) == Some(serial))
        .collect()
}

fn folder_xml(out: &mut String, st: &State, mb: usize, serial: u64) {
    let m = &st.mailboxes[mb];
    let Some((_, _, name, class)) = FOLDERS.iter().find(|(s, ..)| *s == serial) else {
        return;
    };
    let element = if serial == CALENDAR_FOLDER {
        "CalendarFolder"
    } else {
        "Folder"
    };
    let total = m.items.values().filter(|i| i.folder == serial).count();
    let _ = write!(
        out,
        "<t:{element}><t:FolderId Id=\"{}\" ChangeKey=\"AQAAAA==\"/>",
        esc(&m.folder(serial))
    );
    if let Some(p) = parent_of(serial) {
        let _ = write!(
            out,
            "<t:ParentFolderId Id=\"{}\" ChangeKey=\"AQAAAA==\"/>",
            esc(&m.folder(p))
        );
    }
    if !class.is_empty() {
        let _ = write!(out, "<t:FolderClass>{class}</t:FolderClass>");
    }
    let _ = write!(
        out,
        "<t:DisplayName>{name}</t:DisplayName><t:TotalCount>{total}</t:TotalCount>\
<t:ChildFolderCount>{}</t:ChildFolderCount>",
        children_of(serial).len()
    );
    if element == "Folder" {
        out.push_str("<t:UnreadCount>0</t:UnreadCount>");
    }
    let _ = write!(out, "</t:{element}>");
}

fn convert_id(req: &Request) -> String {
    // Clients send ConvertId with a dummy id to read the server version from the answer's
    // header; a real id of another format is not modelled.
    let n = req.all("AlternateId").count().max(1);
    let mut ms = String::new();
    for _ in 0..n {
        ms.push_str(&error_message("ConvertId", Refusal::InvalidIdMalformed, ""));
    }
    soap::response("ConvertId", &ms)
}

fn get_folder(shared: &Shared, req: &Request, headers: &HeaderMap) -> String {
    let st = lock(&shared.state);
    let default = own_mailbox(&st, req, headers);
    let mut ms = String::new();
    for f in children(req, "FolderIds") {
        match folder_of(&st, &f, default) {
            Ok((mb, serial)) => {
                ms.push_str(&soap::success_open("GetFolder"));
                ms.push_str("<m:Folders>");
                folder_xml(&mut ms, &st, mb, serial);
                ms.push_str("</m:Folders></m:GetFolderResponseMessage>");
            }
            Err(e) => ms.push_str(&error_message("GetFolder", e, "")),
        }
    }
    if ms.is_empty() {
        ms = error_message("GetFolder", Refusal::InvalidRequest, "");
    }
    soap::response("GetFolder", &ms)
}

/// `Offset` and `MaxEntriesReturned` of an indexed page view, if any.
fn page(req: &Request, view: &str) -> (usize, Option<usize>) {
    let Some(v) = req.first(view) else {
        return (0, None);
    };
    let offset = v.attr("Offset").and_then(|o| o.parse().ok()).unwrap_or(0);
    let max = v.attr("MaxEntriesReturned").and_then(|o| o.parse().ok());
    (offset, max)
}

fn find_folder(shared: &Shared, req: &Request, headers: &HeaderMap) -> String {
    let st = lock(&shared.state);
    let default = own_mailbox(&st, req, headers);
    let deep = req
        .first("FindFolder")
        .and_then(|n| n.attr("Traversal"))
        .is_some_and(|t| t == "Deep");
    let mut ms = String::new();
    for f in children(req, "ParentFolderIds") {
        match folder_of(&st, &f, default) {
            Ok((mb, serial)) => {
                let mut found = Vec::new();
                let mut todo = children_of(serial);
                while let Some(s) = todo.first().copied() {
                    todo.remove(0);
                    found.push(s);
                    if deep {
                        todo.extend(children_of(s));
                    }
                }
                let total = found.len();
                let (offset, max) = page(req, "IndexedPageFolderView");
                let shown: Vec<u64> = found
                    .into_iter()
                    .skip(offset)
                    .take(max.unwrap_or(usize::MAX))
                    .collect();
                let last = offset + shown.len() >= total;
                ms.push_str(&soap::success_open("FindFolder"));
                let _ = write!(
                    ms,
                    "<m:RootFolder IndexedPagingOffset=\"{}\" TotalItemsInView=\"{total}\" \
IncludesLastItemInRange=\"{last}\"><t:Folders>",
                    offset + shown.len()
                );
                for s in shown {
                    folder_xml(&mut ms, &st, mb, s);
                }
                ms.push_str("</t:Folders></m:RootFolder></m:FindFolderResponseMessage>");
            }
            Err(e) => ms.push_str(&error_message("FindFolder", e, "")),
        }
    }
    if ms.is_empty() {
        ms = error_message("FindFolder", Refusal::InvalidRequest, "");
    }
    soap::response("FindFolder", &ms)
}

/// A date-time as the simulator keeps it (RFC 3339 UTC), from any RFC 3339 text.
fn utc(text: &str) -> Option<String> {
    parse_rfc3339(text).map(rfc3339)
}

/// The weekly recurrence a `Recurrence` element describes (a weekly pattern counted by
/// occurrences or bounded by an end date; other patterns are read as weekly).
fn recurrence_of(item: &Request, start: &str) -> Option<Recurrence> {
    item.first("Recurrence")?;
    let interval_weeks = item
        .text("Interval")
        .and_then(|t| t.parse().ok())
        .unwrap_or(1u32)
        .max(1);
    let occurrences = if let Some(n) = item.text("NumberOfOccurrences") {
        n.parse().ok()?
    } else if let Some(end) = item.text("EndDate") {
        // Occurrences from Start through EndDate (a date, maybe with an offset).
        let first = parse_rfc3339(start)?;
        let end_day = crate::state::parse_date(end)?;
        let end_unix = end_day.midnight().assume_utc().unix_timestamp() + 86_399;
        let step = 7 * 86_400 * i64::from(interval_weeks);
        u32::try_from((end_unix - first).div_euclid(step) + 1).ok()?
    } else {
        // NoEndRecurrence: the simulator keeps series finite.
        52
    };
    Some(Recurrence {
        interval_weeks,
        occurrences: occurrences.max(1),
    })
}

/// The SMTP addresses of a calendar item's attendees.
fn attendees(item: &Request) -> Vec<String> {
    ["RequiredAttendees", "OptionalAttendees", "Resources"]
        .iter()
        .flat_map(|list| children(item, list))
        .filter_map(|a| a.text("EmailAddress").map(str::to_ascii_lowercase))
        .collect()
}

fn item_id_xml(out: &mut String, item: &CalendarItem) {
    let _ = write!(
        out,
        "<t:CalendarItem><t:ItemId Id=\"{}\" ChangeKey=\"{}\"/></t:CalendarItem>",
        esc(&item.id),
        esc(&item.change_key())
    );
}

/// The mailboxes (other than `mailbox`) holding a copy of the meeting with `clean_goid`.
fn copies(shared: &Shared, mailbox: &str, clean_goid: &[u8]) -> Vec<(String, String)> {
    let st = lock(&shared.state);
    let mut out = Vec::new();
    for (smtp, &mb) in &st.by_smtp {
        if smtp.eq_ignore_ascii_case(mailbox) {
            continue;
        }
        for i in st.mailboxes[mb].items.values() {
            if i.clean_goid == clean_goid && i.folder == CALENDAR_FOLDER && !i.is_cancelled {
                out.push((smtp.clone(), i.id.clone()));
            }
        }
    }
    out
}

/// The SMTP address of mailbox `mb`.
fn smtp_of(st: &State, mb: usize) -> String {
    st.by_smtp
        .iter()
        .find(|&(_, &v)| v == mb)
        .map(|(k, _)| k.clone())
        .unwrap_or_default()
}

fn create_item(shared: &Shared, req: &Request, headers: &HeaderMap) -> String {
    let op = "CreateItem";
    let invitations = req
        .first("CreateItem")
        .and_then(|n| n.attr("SendMeetingInvitations"))
        .unwrap_or("SendToNone")
        .to_string();
    let target = {
        let st = lock(&shared.state);
        let default = own_mailbox(&st, req, headers);
        match children(req, "SavedItemFolderId").first() {
            Some(f) => folder_of(&st, f, default).map(|(mb, s)| (smtp_of(&st, mb), s)),
            None => default
                .map(|mb| (smtp_of(&st, mb), CALENDAR_FOLDER))
                .ok_or(Refusal::NonExistentMailbox),
        }
    };
    let mut ms = String::new();
    for item in children(req, "Items") {
        let kind = item
            .nodes
            .first()
            .map(|n| n.name.clone())
            .unwrap_or_default();
        let answer = match (kind.as_str(), &target) {
            (_, Err(e)) => Err(*e),
            ("CalendarItem", Ok((mailbox, folder))) => {
                create_calendar_item(shared, &item, mailbox, *folder, &invitations)
            }
            ("CancelCalendarItem", Ok((mailbox, _))) => cancel_meeting(shared, &item, mailbox),
            // Messages, contacts, tasks and meeting responses are not modelled.
            _ => Err(Refusal::InvalidRequest),
        };
        match answer {
            Ok(items) => {
                ms.push_str(&soap::success_open(op));
                if items.is_empty() {
                    ms.push_str("<m:Items/>");
                } else {
                    ms.push_str("<m:Items>");
                    for i in &items {
                        item_id_xml(&mut ms, i);
                    }
                    ms.push_str("</m:Items>");
                }
                ms.push_str("</m:CreateItemResponseMessage>");
            }
            Err(e) => ms.push_str(&error_message(op, e, "<m:Items/>")),
        }
    }
    if ms.is_empty() {
        ms = error_message(op, Refusal::InvalidRequest, "<m:Items/>");
    }
    soap::response(op, &ms)
}

fn create_calendar_item(
    shared: &Shared,
    item: &Request,
    mailbox: &str,
    folder: u64,
    invitations: &str,
) -> Result<Vec<CalendarItem>, Refusal> {
    if folder != CALENDAR_FOLDER {
        // Calendar items live in the calendar; other folders are not modelled for them.
        return Err(Refusal::InvalidRequest);
    }
    let start = item
        .text("Start")
        .and_then(utc)
        .ok_or(Refusal::InvalidRequest)?;
    let end = item
        .text("End")
        .and_then(utc)
        .ok_or(Refusal::InvalidRequest)?;
    let recurrence = recurrence_of(item, &start);
    let new = NewItem {
        subject: item.text("Subject").unwrap_or_default().to_string(),
        start,
        end,
        kind: if recurrence.is_some() {
            CalendarKind::RecurringMaster
        } else {
            CalendarKind::Single
        },
        uid: item.text("UID").map(str::to_string),
        instance_date: None,
        recurrence,
        organizer: Some(mailbox.to_string()),
    };
    let (created, _) = shared.create(Source::Ews, mailbox, new.clone())?;
    // A meeting request reaches every simulated attendee; its calendar copy appears there
    // (tentatively accepted, as Exchange's calendar assistant does).
    if invitations != "SendToNone" {
        for a in attendees(item) {
            if a.eq_ignore_ascii_case(mailbox) || lock(&shared.state).mailbox(&a).is_none() {
                continue;
            }
            let copy = NewItem {
                uid: Some(created.uid.clone()),
                ..new.clone()
            };
            let _ = shared.create(Source::Ews, &a, copy);
        }
    }
    Ok(vec![created])
}

/// CancelCalendarItem from the organizer: the organizer's item leaves the calendar (to Deleted
/// Items: a MovedEvent) and every simulated attendee's copy is cancelled (a ModifiedEvent).
fn cancel_meeting(
    shared: &Shared,
    item: &Request,
    mailbox: &str,
) -> Result<Vec<CalendarItem>, Refusal> {
    let id = item
        .first("ReferenceItemId")
        .and_then(|n| n.attr("Id"))
        .ok_or(Refusal::InvalidRequest)?
        .to_string();
    let meeting = {
        let st = lock(&shared.state);
        let mb = st.mailbox(mailbox).ok_or(Refusal::NonExistentMailbox)?;
        st.mailboxes[mb]
            .items
            .get(&id)
            .cloned()
            .ok_or(Refusal::ItemNotFound)?
    };
    if !meeting.organizer.is_empty() && !meeting.organizer.eq_ignore_ascii_case(mailbox) {
        // Only the organizer cancels; an attendee declines.
        return Err(Refusal::InvalidOperation);
    }
    for (other, other_id) in copies(shared, mailbox, &meeting.clean_goid) {
        let _ = shared.cancel(Source::Ews, &other, &other_id);
    }
    shared.move_to(Source::Ews, mailbox, &id, DELETED_ITEMS_FOLDER)?;
    Ok(Vec::new())
}

/// What an id in a request points at.
enum Target {
    /// A stored item, in mailbox `.0`.
    Item(usize, String),
    /// Occurrence `.2` (from 1) of the master `.1` in mailbox `.0`.
    Occurrence(usize, String, u32),
}

/// Reads an `ItemId`, `OccurrenceItemId` or `RecurringMasterItemId` (with its subtree).
fn target_of(st: &State, id: &Request) -> Result<Target, Refusal> {
    let node = id.nodes.first().ok_or(Refusal::InvalidRequest)?;
    let master_of = |guid: &[u8; 16], serial: u64| -> Result<(usize, String), Refusal> {
        let mb = st.mailbox_of_guid(guid).ok_or(Refusal::ItemNotFound)?;
        Ok((mb, ids::item_id(guid, serial)))
    };
    match node.name.as_str() {
        "ItemId" | "ReferenceItemId" => {
            let text = node.attr("Id").ok_or(Refusal::InvalidIdMalformed)?;
            if let Some((guid, serial, index)) = ids::decode_occurrence_id(text) {
                let (mb, master) = master_of(&guid, serial)?;
                return Ok(Target::Occurrence(mb, master, index));
            }
            let guid = ids::decode_item_guid(text).ok_or(Refusal::InvalidIdMalformed)?;
            let mb = st.mailbox_of_guid(&guid).ok_or(Refusal::ItemNotFound)?;
            Ok(Target::Item(mb, text.to_string()))
        }
        "OccurrenceItemId" => {
            let master = node
                .attr("RecurringMasterId")
                .ok_or(Refusal::InvalidRequest)?;
            let index: u32 = node
                .attr("InstanceIndex")
                .and_then(|i| i.parse().ok())
                .ok_or(Refusal::InvalidRequest)?;
            let guid = ids::decode_item_guid(master).ok_or(Refusal::InvalidIdMalformed)?;
            let mb = st.mailbox_of_guid(&guid).ok_or(Refusal::ItemNotFound)?;
            Ok(Target::Occurrence(mb, master.to_string(), index))
        }
        "RecurringMasterItemId" => {
            let text = node.attr("OccurrenceId").ok_or(Refusal::InvalidRequest)?;
            let (guid, serial, _) =
                ids::decode_occurrence_id(text).ok_or(Refusal::InvalidOperation)?;
            let (mb, master) = master_of(&guid, serial)?;
            Ok(Target::Item(mb, master))
        }
        _ => Err(Refusal::InvalidRequest),
    }
}

/// Item ids of a request section, in order: every `ItemId`-like child of `parent`.
fn id_sections(req: &Request, parent: &str) -> Vec<Request> {
    children(req, parent)
        .into_iter()
        .filter(|r| {
            r.nodes.first().is_some_and(|n| {
                matches!(
                    n.name.as_str(),
                    "ItemId" | "OccurrenceItemId" | "RecurringMasterItemId"
                )
            })
        })
        .collect()
}

/// The ids of a master's occurrences, by index from 1.
fn occurrence_ids(st: &State, mb: usize, item: &CalendarItem) -> Vec<String> {
    if item.kind != CalendarKind::RecurringMaster {
        return Vec::new();
    }
    let guid = st.mailboxes[mb].guid;
    let serial = ids::decode_item_serial(&item.id).unwrap_or(0);
    let n = item.recurrence.as_ref().map_or(0, |r| r.occurrences);
    (1..=n)
        .map(|i| ids::occurrence_id(&guid, serial, i))
        .collect()
}

/// How the request names the GOIDs' property set, so the answer names it the same way (as
/// Exchange does): `DistinguishedPropertySetId="Meeting"`, or `PropertySetId` in the
/// request's spelling of the GUID.
fn property_set(req: &Request) -> Option<String> {
    req.all("ExtendedFieldURI").find_map(|n| {
        if n.attr("DistinguishedPropertySetId") == Some("Meeting") {
            return Some("DistinguishedPropertySetId=\"Meeting\"".to_string());
        }
        n.attr("PropertySetId")
            .filter(|g| g.eq_ignore_ascii_case(soap::PSETID_MEETING))
            .map(|g| format!("PropertySetId=\"{}\"", esc(g)))
    })
}

fn full_item_xml(out: &mut String, st: &State, mb: usize, item: &CalendarItem, set: Option<&str>) {
    let m = &st.mailboxes[mb];
    let smtp = smtp_of(st, mb);
    let occ = occurrence_ids(st, mb, item);
    soap::calendar_item_in(out, item, &m.folder(item.folder), &smtp, &occ, set);
}

fn get_item(shared: &Shared, req: &Request, _headers: &HeaderMap) -> String {
    let op = "GetItem";
    let set = property_set(req);
    let st = lock(&shared.state);
    let mut ms = String::new();
    for id in id_sections(req, "ItemIds") {
        let found = target_of(&st, &id).and_then(|t| match t {
            Target::Item(mb, id) => st.mailboxes[mb]
                .items
                .get(&id)
                .cloned()
                .map(|i| (mb, i))
                .ok_or(Refusal::ItemNotFound),
            Target::Occurrence(mb, master, index) => {
                st.occurrence(mb, &master, index).map(|i| (mb, i))
            }
        });
        match found {
            Ok((mb, item)) => {
                ms.push_str(&soap::success_open(op));
                ms.push_str("<m:Items>");
                full_item_xml(&mut ms, &st, mb, &item, set.as_deref());
                ms.push_str("</m:Items></m:GetItemResponseMessage>");
            }
            Err(e) => ms.push_str(&error_message(op, e, "<m:Items/>")),
        }
    }
    if ms.is_empty() {
        ms = error_message(op, Refusal::InvalidRequest, "<m:Items/>");
    }
    soap::response(op, &ms)
}

/// The items a CalendarView over [`start`, `end`) shows: single items and exceptions kept
/// apart that overlap it, and every occurrence (or exception) of each series that does.
fn calendar_view(st: &State, mb: usize, folder: u64, start: i64, end: i64) -> Vec<CalendarItem> {
    let m = &st.mailboxes[mb];
    let overlaps = |i: &CalendarItem| {
        let s = parse_rfc3339(&i.start).unwrap_or(i64::MAX);
        let e = parse_rfc3339(&i.end).unwrap_or(s);
        s < end && (e > start || (e == s && s >= start))
    };
    let mut out = Vec::new();
    for item in m.items.values().filter(|i| i.folder == folder) {
        if item.kind == CalendarKind::RecurringMaster {
            let n = item.recurrence.as_ref().map_or(0, |r| r.occurrences);
            for index in 1..=n {
                if let Ok(o) = st.occurrence(mb, &item.id, index) {
                    if overlaps(&o) {
                        out.push(o);
                    }
                }
            }
        } else if overlaps(item) {
            out.push(item.clone());
        }
    }
    out.sort_by(|a, b| a.start.cmp(&b.start).then(a.id.cmp(&b.id)));
    out
}

fn find_item(shared: &Shared, req: &Request, headers: &HeaderMap) -> String {
    let op = "FindItem";
    let set = property_set(req);
    let st = lock(&shared.state);
    let default = own_mailbox(&st, req, headers);
    let mut ms = String::new();
    let folders = children(req, "ParentFolderIds");
    for f in &folders {
        let answer = folder_of(&st, f, default).and_then(|(mb, folder)| {
            let found = match req.first("CalendarView") {
                Some(view) => {
                    let start = view
                        .attr("StartDate")
                        .and_then(parse_rfc3339)
                        .ok_or(Refusal::InvalidRequest)?;
                    let end = view
                        .attr("EndDate")
                        .and_then(parse_rfc3339)
                        .ok_or(Refusal::InvalidRequest)?;
                    let mut items = calendar_view(&st, mb, folder, start, end);
                    if let Some(max) = view
                        .attr("MaxEntriesReturned")
                        .and_then(|m| m.parse::<usize>().ok())
                    {
                        items.truncate(max);
                    }
                    crate::restriction::filter(req, items)?
                }
                None => {
                    let all: Vec<CalendarItem> = st.mailboxes[mb]
                        .items
                        .values()
                        .filter(|i| i.folder == folder)
                        .cloned()
                        .collect();
                    crate::restriction::filter(req, all)?
                }
            };
            Ok((mb, found))
        });
        match answer {
            Ok((mb, found)) => {
                let total = found.len();
                let (offset, max) = page(req, "IndexedPageItemView");
                let shown: Vec<&CalendarItem> = found
                    .iter()
                    .skip(offset)
                    .take(max.unwrap_or(usize::MAX))
                    .collect();
                let last = offset + shown.len() >= total;
                ms.push_str(&soap::success_open(op));
                let _ = write!(
                    ms,
                    "<m:RootFolder IndexedPagingOffset=\"{}\" TotalItemsInView=\"{total}\" \
IncludesLastItemInRange=\"{last}\"><t:Items>",
                    offset + shown.len()
                );
                for item in shown {
                    full_item_xml(&mut ms, &st, mb, item, set.as_deref());
                }
                ms.push_str("</t:Items></m:RootFolder></m:FindItemResponseMessage>");
            }
            Err(e) => ms.push_str(&error_message(op, e, "")),
        }
    }
    if ms.is_empty() {
        ms = error_message(op, Refusal::InvalidRequest, "");
    }
    soap::response(op, &ms)
}

/// The changes one `ItemChange` asks for, as far as the simulator models them.
#[derive(Default, Clone)]
struct Changes {
    subject: Option<String>,
    start: Option<String>,
    end: Option<String>,
    recurrence: Option<Recurrence>,
}

fn changes_of(change: &Request) -> Changes {
    let mut c = Changes::default();
    for set in change.sections("SetItemField") {
        let uri = set
            .first("FieldURI")
            .and_then(|n| n.attr("FieldURI"))
            .unwrap_or_default();
        match uri {
            "item:Subject" => c.subject = set.text("Subject").map(str::to_string),
            "calendar:Start" => c.start = set.text("Start").and_then(utc),
            "calendar:End" => c.end = set.text("End").and_then(utc),
            "calendar:Recurrence" => {
                let start = c.start.clone().unwrap_or_default();
                c.recurrence = recurrence_of(&set, &start).or(c.recurrence.take());
            }
            // Other fields (body, location, reminders, ...) are accepted and not kept.
            _ => {}
        }
    }
    c
}

fn apply_to_occurrence(c: &Changes, o: &mut crate::Occurrence) {
    if let Some(s) = &c.subject {
        o.subject.clone_from(s);
    }
    if let Some(s) = &c.start {
        o.start.clone_from(s);
    }
    if let Some(e) = &c.end {
        o.end.clone_from(e);
    }
}

/// The organizer's update reaches the attendees' copies (unless sent to none): the same
/// change, a ModifiedEvent in each attendee's mailbox. A split is not carried over.
fn propagate(shared: &Shared, mailbox: &str, id: &str, index: Option<u32>, c: &Changes) {
    let Some(item) = ({
        let st = lock(&shared.state);
        st.mailbox(mailbox)
            .and_then(|mb| st.mailboxes[mb].items.get(id).cloned())
    }) else {
        return;
    };
    if !item.organizer.is_empty() && !item.organizer.eq_ignore_ascii_case(mailbox) {
        return;
    }
    for (other, other_id) in copies(shared, mailbox, &item.clean_goid) {
        let _ = match index {
            Some(i) => shared
                .edit_occurrence(Source::Ews, &other, &other_id, i, |o| {
                    apply_to_occurrence(c, o);
                })
                .map(|_| ()),
            None => shared
                .modify(Source::Ews, &other, &other_id, |i| {
                    if let Some(s) = &c.subject {
                        i.subject.clone_from(s);
                    }
                    if let Some(s) = &c.start {
                        i.start.clone_from(s);
                    }
                    if let Some(e) = &c.end {
                        i.end.clone_from(e);
                    }
                })
                .map(|_| ()),
        };
    }
}

fn update_item(shared: &Shared, req: &Request, _headers: &HeaderMap) -> String {
    let op = "UpdateItem";
    let send = req
        .first("UpdateItem")
        .and_then(|n| n.attr("SendMeetingInvitationsOrCancellations"))
        .is_some_and(|v| v != "SendToNone");
    let mut ms = String::new();
    for change in req.sections("ItemChange") {
        let target = {
            let st = lock(&shared.state);
            id_sections(&change, "ItemChange")
                .first()
                .ok_or(Refusal::InvalidRequest)
                .and_then(|id| target_of(&st, id))
                .map(|t| match t {
                    Target::Item(mb, id) => (smtp_of(&st, mb), id, None),
                    Target::Occurrence(mb, master, i) => (smtp_of(&st, mb), master, Some(i)),
                })
        };
        let c = changes_of(&change);
        let answer = target.and_then(|(mailbox, id, index)| {
            let goid_before = {
                let st = lock(&shared.state);
                st.mailbox(&mailbox)
                    .and_then(|mb| st.mailboxes[mb].items.get(&id).map(|i| i.goid.clone()))
            };
            let done = match index {
                Some(index) => shared
                    .edit_occurrence(Source::Ews, &mailbox, &id, index, |o| {
                        apply_to_occurrence(&c, o);
                    })
                    .map(|((_, exception), _)| exception),
                None => update_stored(shared, &mailbox, &id, c.clone()),
            }?;
            let split = index.is_none() && goid_before.as_ref() != Some(&done.goid);
            if send && !split {
                propagate(shared, &mailbox, &id, index, &c);
            }
            Ok(done)
        });
        match answer {
            Ok(item) => {
                ms.push_str(&soap::success_open(op));
                ms.push_str("<m:Items>");
                item_id_xml(&mut ms, &item);
                ms.push_str(
                    "</m:Items><m:ConflictResults><t:Count>0</t:Count></m:ConflictResults>\
</m:UpdateItemResponseMessage>",
                );
            }
            Err(e) => ms.push_str(&error_message(op, e, "<m:Items/>")),
        }
    }
    if ms.is_empty() {
        ms = error_message(op, Refusal::InvalidRequest, "<m:Items/>");
    }
    soap::response(op, &ms)
}

/// Applies changes to a stored item. A change of the start or the pattern of a series that
/// began before the simulated "now" and goes on after it splits the series as Exchange does
/// (seed case 2.3): the occurrences before now stay as a new item with the old GlobalObjectId,
/// the item itself continues from the first occurrence after now, with the change applied and
/// a new GlobalObjectId.
fn update_stored(
    shared: &Shared,
    mailbox: &str,
    id: &str,
    c: Changes,
) -> Result<CalendarItem, Refusal> {
    let (current, now) = {
        let st = lock(&shared.state);
        let mb = st.mailbox(mailbox).ok_or(Refusal::NonExistentMailbox)?;
        let item = st.mailboxes[mb]
            .items
            .get(id)
            .cloned()
            .ok_or(Refusal::ItemNotFound)?;
        (item, st.now_unix())
    };
    let reshapes = c.start.is_some() || c.recurrence.is_some();
    if current.kind == CalendarKind::RecurringMaster && reshapes {
        let starts: Vec<i64> = current
            .occurrence_starts()
            .iter()
            .filter_map(|s| parse_rfc3339(s))
            .collect();
        let began = starts.first().is_some_and(|&s| s < now);
        let next = starts.iter().copied().find(|&s| s >= now);
        if let (true, Some(next)) = (began, next) {
            let old_start = parse_rfc3339(&current.start).unwrap_or(next);
            let shift = c
                .start
                .as_deref()
                .and_then(parse_rfc3339)
                .map_or(0, |s| s - old_start);
            let from = rfc3339(next + shift);
            let ((_, series), _) = shared.split(Source::Ews, mailbox, id, &from, Some(next))?;
            let duration = match (&c.start, &c.end) {
                (Some(s), Some(e)) => parse_rfc3339(e).zip(parse_rfc3339(s)).map(|(e, s)| e - s),
                _ => None,
            };
            if c.subject.is_none() && duration.is_none() && c.recurrence.is_none() {
                return Ok(series);
            }
            return shared
                .modify(Source::Ews, mailbox, id, |i| {
                    if let Some(s) = c.subject {
                        i.subject = s;
                    }
                    if let (Some(d), Some(s)) = (duration, parse_rfc3339(&i.start)) {
                        i.end = rfc3339(s + d);
                    }
                    if let (Some(r), Some(cur)) = (c.recurrence, &mut i.recurrence) {
                        cur.interval_weeks = r.interval_weeks;
                    }
                })
                .map(|(i, _)| i);
        }
    }
    shared
        .modify(Source::Ews, mailbox, id, |i| {
            if let Some(s) = c.subject {
                i.subject = s;
            }
            if let Some(s) = c.start {
                i.start = s;
            }
            if let Some(e) = c.end {
                i.end = e;
            }
            if let (Some(r), CalendarKind::RecurringMaster) = (c.recurrence, i.kind) {
                i.recurrence = Some(r);
            }
        })
        .map(|(i, _)| i)
}

fn delete_item(shared: &Shared, req: &Request, _headers: &HeaderMap) -> String {
    let op = "DeleteItem";
    let node = req.first("DeleteItem");
    let delete_type = node
        .and_then(|n| n.attr("DeleteType"))
        .unwrap_or("HardDelete")
        .to_string();
    let cancellations = node
        .and_then(|n| n.attr("SendMeetingCancellations"))
        .unwrap_or("SendToNone")
        .to_string();
    let mut ms = String::new();
    for id in id_sections(req, "ItemIds") {
        let target = {
            let st = lock(&shared.state);
            target_of(&st, &id).map(|t| match t {
                Target::Item(mb, id) => (smtp_of(&st, mb), id, None),
                Target::Occurrence(mb, master, i) => (smtp_of(&st, mb), master, Some(i)),
            })
        };
        let done = target.and_then(|(mailbox, id, index)| match index {
            Some(index) => shared
                .delete_occurrence(Source::Ews, &mailbox, &id, index)
                .map(|_| ()),
            None => delete_stored(shared, &mailbox, &id, &delete_type, &cancellations),
        });
        match done {
            Ok(()) => {
                ms.push_str(&soap::success_open(op));
                ms.push_str("</m:DeleteItemResponseMessage>");
            }
            Err(e) => ms.push_str(&error_message(op, e, "")),
        }
    }
    if ms.is_empty() {
        ms = error_message(op, Refusal::InvalidRequest, "");
    }
    soap::response(op, &ms)
}

fn delete_stored(
    shared: &Shared,
    mailbox: &str,
    id: &str,
    delete_type: &str,
    cancellations: &str,
) -> Result<(), Refusal> {
    let item = {
        let st = lock(&shared.state);
        let mb = st.mailbox(mailbox).ok_or(Refusal::NonExistentMailbox)?;
        st.mailboxes[mb]
            .items
            .get(id)
            .cloned()
            .ok_or(Refusal::ItemNotFound)?
    };
    let organizer = item.organizer.is_empty() || item.organizer.eq_ignore_ascii_case(mailbox);
    if organizer && cancellations != "SendToNone" {
        for (other, other_id) in copies(shared, mailbox, &item.clean_goid) {
            let _ = shared.cancel(Source::Ews, &other, &other_id);
        }
    }
    if delete_type == "MoveToDeletedItems" && item.folder != DELETED_ITEMS_FOLDER {
        shared.move_to(Source::Ews, mailbox, id, DELETED_ITEMS_FOLDER)?;
    } else {
        // HardDelete, and SoftDelete (to the recoverable items the simulator does not keep).
        shared.delete(Source::Ews, mailbox, id)?;
    }
    Ok(())
}

/// A `t:Mailbox` for an address of a simulated mailbox or group.
fn mailbox_xml(out: &mut String, address: &str, group: bool) {
    let name = address.split('@').next().unwrap_or(address);
    let _ = write!(
        out,
        "<t:Mailbox><t:Name>{}</t:Name><t:EmailAddress>{}</t:EmailAddress>\
<t:RoutingType>SMTP</t:RoutingType><t:MailboxType>{}</t:MailboxType></t:Mailbox>",
        esc(name),
        esc(address),
        if group { "PublicDL" } else { "Mailbox" }
    );
}

fn resolve_names(shared: &Shared, req: &Request) -> String {
    let op = "ResolveNames";
    let entry = req
        .text("UnresolvedEntry")
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let entry = entry.strip_prefix("smtp:").unwrap_or(&entry).to_string();
    let mut found: Vec<(String, bool)> = Vec::new();
    {
        let st = lock(&shared.state);
        let mut names: Vec<&String> = st.by_smtp.keys().collect();
        names.sort();
        for smtp in names {
            found.push((smtp.clone(), false));
        }
    }
    for dl in lock(&shared.groups).keys() {
        found.push((dl.clone(), true));
    }
    let exact: Vec<(String, bool)> = found.iter().filter(|(a, _)| *a == entry).cloned().collect();
    let matches = if exact.is_empty() && !entry.is_empty() {
        found
            .into_iter()
            .filter(|(a, _)| a.starts_with(&entry))
            .collect()
    } else {
        exact
    };
    let m = match matches.len() {
        0 => error_message(op, Refusal::NameResolutionNoResults, ""),
        n => {
            let mut m = if n == 1 {
                soap::success_open(op)
            } else {
                let r = Refusal::NameResolutionMultipleResults;
                format!(
                    "<m:{op}ResponseMessage ResponseClass=\"Warning\"><m:MessageText>{}</m:MessageText>\
<m:ResponseCode>{}</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>",
                    esc(r.text()),
                    r.code()
                )
            };
            let _ = write!(
                m,
                "<m:ResolutionSet TotalItemsInView=\"{n}\" IncludesLastItemInRange=\"true\">"
            );
            for (address, group) in &matches {
                m.push_str("<t:Resolution>");
                mailbox_xml(&mut m, address, *group);
                m.push_str("</t:Resolution>");
            }
            m.push_str("</m:ResolutionSet></m:ResolveNamesResponseMessage>");
            m
        }
    };
    soap::response(op, &m)
}

fn expand_dl(shared: &Shared, req: &Request) -> String {
    let op = "ExpandDL";
    let address = req
        .text("EmailAddress")
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let members = lock(&shared.groups).get(&address).cloned();
    let m = match members {
        None => error_message(op, Refusal::NameResolutionNoResults, ""),
        Some(members) => {
            let groups = lock(&shared.groups).clone();
            let mut m = soap::success_open(op);
            let _ = write!(
                m,
                "<m:DLExpansion TotalItemsInView=\"{}\" IncludesLastItemInRange=\"true\">",
                members.len()
            );
            for member in &members {
                mailbox_xml(&mut m, member, groups.contains_key(member));
            }
            m.push_str("</m:DLExpansion></m:ExpandDLResponseMessage>");
            m
        }
    };
    soap::response(op, &m)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::state::INBOX_FOLDER;

    #[test]
    fn inbox_is_a_child_of_the_message_root() {
        assert_eq!(parent_of(INBOX_FOLDER), Some(MSG_FOLDER_ROOT));
        assert_eq!(children_of(ROOT_FOLDER), vec![MSG_FOLDER_ROOT]);
        assert_eq!(children_of(MSG_FOLDER_ROOT).len(), 4);
    }
}
