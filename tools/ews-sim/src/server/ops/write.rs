//! CreateItem, UpdateItem and DeleteItem of calendar items, and the events each produces.

use super::prelude::*;

/// The weekly recurrence a `Recurrence` element describes (a weekly pattern counted by
/// occurrences or bounded by an end date; other patterns are read as weekly).
pub(super) fn recurrence_of(item: &Request, start: &str) -> Option<Recurrence> {
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
pub(super) fn attendees(item: &Request) -> Vec<String> {
    ["RequiredAttendees", "OptionalAttendees", "Resources"]
        .iter()
        .flat_map(|list| children(item, list))
        .filter_map(|a| a.text("EmailAddress").map(str::to_ascii_lowercase))
        .collect()
}

pub(super) fn item_id_xml(out: &mut String, item: &CalendarItem) {
    let _ = write!(
        out,
        "<t:CalendarItem><t:ItemId Id=\"{}\" ChangeKey=\"{}\"/></t:CalendarItem>",
        esc(&item.id),
        esc(&item.change_key())
    );
}

/// The mailboxes (other than `mailbox`) holding a copy of the meeting with `clean_goid`.
pub(super) fn copies(shared: &Shared, mailbox: &str, clean_goid: &[u8]) -> Vec<(String, String)> {
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

pub(super) fn create_item(shared: &Shared, req: &Request, headers: &HeaderMap) -> String {
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

pub(super) fn create_calendar_item(
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
pub(super) fn cancel_meeting(
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

/// The changes one `ItemChange` asks for, as far as the simulator models them.
#[derive(Default, Clone)]
pub(super) struct Changes {
    subject: Option<String>,
    start: Option<String>,
    end: Option<String>,
    recurrence: Option<Recurrence>,
}

pub(super) fn changes_of(change: &Request) -> Changes {
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

pub(super) fn apply_to_occurrence(c: &Changes, o: &mut crate::Occurrence) {
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
pub(super) fn propagate(shared: &Shared, mailbox: &str, id: &str, index: Option<u32>, c: &Changes) {
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

pub(super) fn update_item(shared: &Shared, req: &Request, _headers: &HeaderMap) -> String {
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
pub(super) fn update_stored(
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

pub(super) fn delete_item(shared: &Shared, req: &Request, _headers: &HeaderMap) -> String {
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

pub(super) fn delete_stored(
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
