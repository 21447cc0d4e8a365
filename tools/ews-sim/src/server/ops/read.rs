//! GetItem and FindItem (with or without a CalendarView): calendar items as Exchange returns them.

use super::prelude::*;

/// What an id in a request points at.
pub(super) enum Target {
    /// A stored item, in mailbox `.0`.
    Item(usize, String),
    /// Occurrence `.2` (from 1) of the master `.1` in mailbox `.0`.
    Occurrence(usize, String, u32),
}

/// Reads an `ItemId`, `OccurrenceItemId` or `RecurringMasterItemId` (with its subtree).
pub(super) fn target_of(st: &State, id: &Request) -> Result<Target, Refusal> {
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
pub(super) fn id_sections(req: &Request, parent: &str) -> Vec<Request> {
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
pub(super) fn occurrence_ids(st: &State, mb: usize, item: &CalendarItem) -> Vec<String> {
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
pub(super) fn property_set(req: &Request) -> Option<String> {
    req.all("ExtendedFieldURI").find_map(|n| {
        if n.attr("DistinguishedPropertySetId") == Some("Meeting") {
            return Some("DistinguishedPropertySetId=\"Meeting\"".to_string());
        }
        n.attr("PropertySetId")
            .filter(|g| g.eq_ignore_ascii_case(soap::PSETID_MEETING))
            .map(|g| format!("PropertySetId=\"{}\"", esc(g)))
    })
}

pub(super) fn full_item_xml(
    out: &mut String,
    st: &State,
    mb: usize,
    item: &CalendarItem,
    set: Option<&str>,
) {
    let m = &st.mailboxes[mb];
    let smtp = smtp_of(st, mb);
    let occ = occurrence_ids(st, mb, item);
    soap::calendar_item_in(out, item, &m.folder(item.folder), &smtp, &occ, set);
}

pub(super) fn get_item(shared: &Shared, req: &Request, _headers: &HeaderMap) -> String {
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
pub(super) fn calendar_view(
    st: &State,
    mb: usize,
    folder: u64,
    start: i64,
    end: i64,
) -> Vec<CalendarItem> {
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

pub(super) fn find_item(shared: &Shared, req: &Request, headers: &HeaderMap) -> String {
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
