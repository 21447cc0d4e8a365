#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::large_enum_variant
)]
//! The cases of docs/meetings.md, on notification envelopes and GetItem responses shaped like
//! Exchange 2013's (namespaces, element order, ids and GOIDs from the seed logs).

use super::*;
use crate::item::read_get_item_response;

const MBX: &str = "test@test.com";
/// Seed 1.1: the Tuesday series.
const SERIES_ID: &str = "AAMkAGM2NmM0MDFhLTMxMDItNGEzNC04MjQ5LTdmNTcyMmNlYmY0MgBGAAAAAAD14fnht2jpSpaypawvJwO3BwA2K3ZCpui2TKCftY0IT00tAAAAAAAPAAA2K3ZCpui2TKCftY0IT00tAAA2tpB3AAA=";
const SERIES_GOID: &str =
    "BAAAAIIA4AB0xbcQGoLgCAAAAABqFxwHnpTOAQAAAAAAAAAAEAAAAErmMOMEWQpJoohCYDFvDhU=";
/// The same meeting's 13 August 2013 instance (an orphan in an attendee's calendar).
const ORPHAN_GOID: &str =
    "BAAAAIIA4AB0xbcQGoLgCAfdCA1qFxwHnpTOAQAAAAAAAAAAEAAAAErmMOMEWQpJoohCYDFvDhU=";
/// Seed 1.6: the Saturday series.
const SAT_ID: &str = "AAMkAGM2NmM0MDFhLTMxMDItNGEzNC04MjQ5LTdmNTcyMmNlYmY0MgBGAAAAAAD14fnht2jpSpaypawvJwO3BwA2K3ZCpui2TKCftY0IT00tAAAAAAAPAAA2K3ZCpui2TKCftY0IT00tAAA2tpBzAAA=";
const SAT_GOID: &str =
    "BAAAAIIA4AB0xbcQGoLgCAAAAADuh2SPJZTOAQAAAAAAAAAAEAAAAK8400lwUDdGhrjVUfWxnmQ=";
/// Seed 2.1-2.5: the Thursday series that began in the past (Y), split on 9 August.
const THU_ID: &str = "AAMkAGM2NmM0MDFhLTMxMDItNGEzNC04MjQ5LTdmNTcyMmNlYmY0MgBGAAAAAAD14fnht2jpSpaypawvJwO3BwA2K3ZCpui2TKCftY0IT00tAAAAAAAPAAA2K3ZCpui2TKCftY0IT00tAAA2tpCDAAA=";
const THU_GOID: &str =
    "BAAAAIIA4AB0xbcQGoLgCAAAAADIsGZkvZTOAQAAAAAAAAAAEAAAAL7jcbkKvu5CkiLigoQ5+PI=";
/// Seed 2.3.1: the past part, a new item with the old GOID (X).
const PAST_ID: &str = "AAMkAGM2NmM0MDFhLTMxMDItNGEzNC04MjQ5LTdmNTcyMmNlYmY0MgBGAAAAAAD14fnht2jpSpaypawvJwO3BwA2K3ZCpui2TKCftY0IT00tAAAAAAAPAAA2K3ZCpui2TKCftY0IT00tAAA2tpCEAAA=";
/// Seed 2.3.2: the GOID the ongoing part gets.
const THU_NEW_GOID: &str =
    "BAAAAIIA4AB0xbcQGoLgCAAAAAAouLOLvZTOAQAAAAAAAAAAEAAAAKD44Bwh7SFNoqxBurnSKYk=";
const CALENDAR: &str = "AAMkAGM2NmM0MDFhLTMxMDItNGEzNC04MjQ5LTdmNTcyMmNlYmY0MgAuAAAAAAD14fnht2jpSpaypawvJwO3AQA2K3ZCpui2TKCftY0IT00tAAAAAAENAAA=";
const CALENDAR2: &str = "AAMkAGM2NmM0MDFhLTMxMDItNGEzNC04MjQ5LTdmNTcyMmNlYmY0MgAuAAAAAAD14fnht2jpSpaypawvJwO3AQA2K3ZCpui2TKCftY0IT00tAAA2tpAAAAA=";
const DELETED_ITEMS: &str = "AAMkAGM2NmM0MDFhLTMxMDItNGEzNC04MjQ5LTdmNTcyMmNlYmY0MgAuAAAAAAD14fnht2jpSpaypawvJwO3AQA2K3ZCpui2TKCftY0IT00tAAAAAAEKAAA=";
const INBOX: &str = "AAMkAGM2NmM0MDFhLTMxMDItNGEzNC04MjQ5LTdmNTcyMmNlYmY0MgAuAAAAAAD14fnht2jpSpaypawvJwO3AQA2K3ZCpui2TKCftY0IT00tAAAAAAEMAAA=";

const NS: &str = r#"xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types""#;

/// One notification event.
#[derive(Clone)]
struct Ev {
    kind: &'static str,
    id: String,
    ck: String,
    old: Option<String>,
    parent: String,
    old_parent: Option<String>,
}

fn ev(kind: &'static str, id: &str, ck: &str) -> Ev {
    Ev {
        kind,
        id: id.into(),
        ck: ck.into(),
        old: None,
        parent: CALENDAR.into(),
        old_parent: None,
    }
}

fn moved(id: &str, old: &str, to: &str) -> Ev {
    Ev {
        kind: "MovedEvent",
        id: id.into(),
        ck: "DwAAABYAAAA2K3ZCpui2TKCftY0IT00tAAA2tqM0".into(),
        old: Some(old.into()),
        parent: to.into(),
        old_parent: Some(CALENDAR.into()),
    }
}

/// A pull notification (`GetEventsResponse`) holding `events`.
fn notification(events: &[Ev], first_watermark: u32) -> String {
    let mut body = String::new();
    for (n, e) in events.iter().enumerate() {
        let wm = first_watermark + n as u32;
        body.push_str(&format!(
            "<t:{k}><t:Watermark>AQAAAHvS6iVR{wm:08}</t:Watermark><t:TimeStamp>2013-08-09T02:29:{s:02}Z</t:TimeStamp>",
            k = e.kind,
            s = wm % 60
        ));
        if e.kind == "ModifiedEvent" && e.id.is_empty() {
            body.push_str(&format!(
                r#"<t:FolderId Id="{CALENDAR}" ChangeKey="AQAAAA=="/>"#
            ));
        } else {
            body.push_str(&format!(
                r#"<t:ItemId Id="{}" ChangeKey="{}"/>"#,
                e.id, e.ck
            ));
        }
        body.push_str(&format!(
            r#"<t:ParentFolderId Id="{}" ChangeKey="AQAAAA=="/>"#,
            e.parent
        ));
        if let Some(old) = &e.old {
            body.push_str(&format!(
                r#"<t:OldItemId Id="{old}" ChangeKey="DwAAAA=="/>"#
            ));
        }
        if let Some(op) = &e.old_parent {
            body.push_str(&format!(
                r#"<t:OldParentFolderId Id="{op}" ChangeKey="AQAAAA=="/>"#
            ));
        }
        body.push_str(&format!("</t:{}>", e.kind));
    }
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><h:ServerVersionInfo MajorVersion="15" MinorVersion="0" MajorBuildNumber="847" MinorBuildNumber="31" Version="V2_8" xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types"/></s:Header><s:Body><m:GetEventsResponse {NS}><m:ResponseMessages><m:GetEventsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Notification><t:SubscriptionId>FQBleGNoMjAxMy5leGFtcGxlLmxvY2FsEAAAAJ8yqDh+</t:SubscriptionId><t:PreviousWatermark>AQAAAHvS6iVR00000000</t:PreviousWatermark><t:MoreEvents>false</t:MoreEvents>{body}</m:Notification></m:GetEventsResponseMessage></m:ResponseMessages></m:GetEventsResponse></s:Body></s:Envelope>"#
    )
}

/// A calendar item as GetItem returns it with the meeting shape.
#[derive(Clone, Default)]
struct Cal {
    element: &'static str,
    class: &'static str,
    id: String,
    ck: String,
    parent: String,
    subject: String,
    typ: &'static str,
    start: String,
    end: String,
    goid: Option<String>,
    clean: Option<String>,
    uid: Option<String>,
    cancelled: bool,
    modified: Vec<(String, String, String, String)>,
    deleted: Vec<String>,
    organizer: &'static str,
    lmt: String,
}

fn cal(id: &str, ck: &str, goid: &str, typ: &'static str) -> Cal {
    let g = ews_notify::GlobalObjectId::from_base64(goid).unwrap();
    Cal {
        element: "CalendarItem",
        class: "IPM.Appointment",
        id: id.into(),
        ck: ck.into(),
        parent: CALENDAR.into(),
        subject: "반복 테스트 #1 화요일".into(),
        typ,
        start: "2013-08-13T01:00:00Z".into(),
        end: "2013-08-13T01:30:00Z".into(),
        goid: Some(goid.into()),
        clean: Some(g.clean().to_base64()),
        uid: Some(g.to_ical_uid()),
        organizer: "test@test.com",
        lmt: format!("2013-08-09T02:{:02}:00Z", ck.len() % 60),
        ..Cal::default()
    }
}

enum Answer {
    Item(Cal),
    NotFound,
}

fn get_item_response(answers: &[Answer]) -> String {
    let mut msgs = String::new();
    for a in answers {
        match a {
            Answer::NotFound => msgs.push_str(r#"<m:GetItemResponseMessage ResponseClass="Error"><m:MessageText>The specified object was not found in the store.</m:MessageText><m:ResponseCode>ErrorItemNotFound</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey><m:Items/></m:GetItemResponseMessage>"#),
            Answer::Item(c) => {
                let mut x = format!(
                    r#"<m:GetItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Items><t:{el}><t:ItemId Id="{id}" ChangeKey="{ck}"/><t:ParentFolderId Id="{parent}" ChangeKey="AQAAAA=="/><t:ItemClass>{class}</t:ItemClass><t:Subject>{subject}</t:Subject><t:LastModifiedTime>{lmt}</t:LastModifiedTime>"#,
                    el = c.element, id = c.id, ck = c.ck, parent = c.parent, class = c.class, subject = c.subject, lmt = c.lmt
                );
                for (pid, v) in [("3", &c.goid), ("35", &c.clean)] {
                    if let Some(v) = v {
                        x.push_str(&format!(r#"<t:ExtendedProperty><t:ExtendedFieldURI DistinguishedPropertySetId="Meeting" PropertyId="{pid}" PropertyType="Binary"/><t:Value>{v}</t:Value></t:ExtendedProperty>"#));
                    }
                }
                if c.element == "CalendarItem" {
                    if let Some(u) = &c.uid {
                        x.push_str(&format!("<t:UID>{u}</t:UID>"));
                    }
                    x.push_str(&format!("<t:Start>{}</t:Start><t:End>{}</t:End>", c.start, c.end));
                    x.push_str(&format!("<t:IsCancelled>{}</t:IsCancelled>", c.cancelled));
                    x.push_str(&format!("<t:CalendarItemType>{}</t:CalendarItemType>", c.typ));
                    x.push_str(&format!("<t:Organizer><t:Mailbox><t:Name>Test</t:Name><t:EmailAddress>{}</t:EmailAddress><t:RoutingType>SMTP</t:RoutingType></t:Mailbox></t:Organizer>", c.organizer));
                    if !c.modified.is_empty() {
                        x.push_str("<t:ModifiedOccurrences>");
                        for (oid, s, e, o) in &c.modified {
                            x.push_str(&format!(r#"<t:Occurrence><t:ItemId Id="{oid}" ChangeKey="DwAAAA=="/><t:Start>{s}</t:Start><t:End>{e}</t:End><t:OriginalStart>{o}</t:OriginalStart></t:Occurrence>"#));
                        }
                        x.push_str("</t:ModifiedOccurrences>");
                    }
                    if !c.deleted.is_empty() {
                        x.push_str("<t:DeletedOccurrences>");
                        for s in &c.deleted {
                            x.push_str(&format!("<t:DeletedOccurrence><t:Start>{s}</t:Start></t:DeletedOccurrence>"));
                        }
                        x.push_str("</t:DeletedOccurrences>");
                    }
                    x.push_str("<t:AppointmentState>1</t:AppointmentState>");
                }
                x.push_str(&format!("</t:{}></m:Items></m:GetItemResponseMessage>", c.element));
                msgs.push_str(&x);
            }
        }
    }
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><h:ServerVersionInfo MajorVersion="15" MinorVersion="0" MajorBuildNumber="847" MinorBuildNumber="31" Version="V2_8" xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types"/></s:Header><s:Body><m:GetItemResponse {NS}><m:ResponseMessages>{msgs}</m:ResponseMessages></m:GetItemResponse></s:Body></s:Envelope>"#
    )
}

fn events_of(xml: &str, origin: Origin) -> Vec<Incoming> {
    let env = ews_notify::parse_notification(xml.as_bytes()).unwrap();
    env.body.response_messages()[0].notifications[0]
        .events
        .iter()
        .map(|e| Incoming {
            event: e.clone().into_owned(),
            origin,
        })
        .collect()
}

/// Runs one batch: the notification, then one GetItem answered by `server` for each id asked.
fn step_with(
    c: &mut Correlator,
    mailbox: &str,
    events: &[Ev],
    origin: Origin,
    server: &dyn Fn(&str) -> Answer,
) -> Resolved {
    let batch = c
        .accept(mailbox, events_of(&notification(events, 1), origin))
        .unwrap();
    let ids = batch.items_to_bind().to_vec();
    let answers = if ids.is_empty() {
        Vec::new()
    } else {
        let xml = get_item_response(&ids.iter().map(|id| server(id)).collect::<Vec<_>>());
        read_get_item_response(xml.as_bytes(), &ids).unwrap()
    };
    c.bound(batch, answers).unwrap()
}

fn step(c: &mut Correlator, events: &[Ev], server: &dyn Fn(&str) -> Answer) -> Resolved {
    step_with(c, MBX, events, Origin::Notification, server)
}

fn changes(r: &Resolved) -> Vec<&'static str> {
    r.events.iter().map(|e| e.change.as_str()).collect()
}

fn key_of(goid: &str) -> String {
    ews_notify::GlobalObjectId::from_base64(goid)
        .unwrap()
        .clean()
        .to_base64()
}

fn clean_of(e: &MeetingEvent) -> &str {
    e.meeting
        .as_ref()
        .map(|m| m.clean_global_object_id.as_str())
        .expect("a meeting key")
}

fn single(id: &str, ck: &str) -> Cal {
    let mut c = cal(id, ck, SERIES_GOID, "Single");
    c.subject = "Single".into();
    c
}

fn found(c: Cal) -> impl Fn(&str) -> Answer {
    move |_| Answer::Item(c.clone())
}

#[test]
fn created_single_meeting_names_its_meeting() {
    let mut c = Correlator::new();
    let r = step(
        &mut c,
        &[ev("CreatedEvent", "item1", "ck1")],
        &found(single("item1", "ck1")),
    );
    assert_eq!(changes(&r), ["created"]);
    let e = &r.events[0];
    assert_eq!(clean_of(e), key_of(SERIES_GOID));
    assert_eq!(e.global_object_id.as_deref(), Some(SERIES_GOID));
    assert_eq!(
        e.instance_date, None,
        "a single meeting has no instance date"
    );
    assert_eq!(e.item_type, Some(ItemType::Single));
    assert_eq!(e.cause.event_kind, "created");
    assert_eq!(e.cause.origin, Origin::Notification);
    assert_eq!(e.cause.watermark.as_deref(), Some("AQAAAHvS6iVR00000001"));
    assert_eq!(
        e.organizer
            .as_ref()
            .and_then(|o| o.email_address.as_deref()),
        Some("test@test.com")
    );
    assert_eq!(e.event_id.len(), 32);
}

#[test]
fn updated_single_meeting_is_updated_with_new_facts() {
    let mut c = Correlator::new();
    step(
        &mut c,
        &[ev("CreatedEvent", "item1", "ck1")],
        &found(single("item1", "ck1")),
    );
    let mut later = single("item1", "ck2");
    later.subject = "Moved to 3pm".into();
    let r = step(
        &mut c,
        &[ev("ModifiedEvent", "item1", "ck2")],
        &found(later),
    );
    assert_eq!(changes(&r), ["updated"]);
    assert_eq!(r.events[0].subject.as_deref(), Some("Moved to 3pm"));
    assert_eq!(clean_of(&r.events[0]), key_of(SERIES_GOID));
}

#[test]
fn move_between_calendar_folders_remaps_the_item_without_a_delete() {
    let mut c = Correlator::new();
    c.declare_calendar_folder(MBX, CALENDAR2).unwrap();
    step(
        &mut c,
        &[ev("CreatedEvent", "item1", "ck1")],
        &found(single("item1", "ck1")),
    );
    let mut there = single("item1-new", "ck1");
    there.parent = CALENDAR2.into();
    let r = step(
        &mut c,
        &[moved("item1-new", "item1", CALENDAR2)],
        &found(there),
    );
    assert_eq!(
        changes(&r),
        ["moved"],
        "a move within calendars is no delete"
    );
    assert_eq!(r.events[0].previous_item_id.as_deref(), Some("item1"));
    assert_eq!(r.events[0].item_id, "item1-new");
    // The map follows the new id: a later delete of the new id names the meeting.
    let r = step(&mut c, &[ev("DeletedEvent", "item1-new", "ck1")], &|_| {
        Answer::NotFound
    });
    assert_eq!(changes(&r), ["deleted"]);
    assert_eq!(clean_of(&r.events[0]), key_of(SERIES_GOID));
    // And the old id is no longer in the map.
    assert!(c.store().get(MBX, "item1").unwrap().is_none());
}

#[test]
fn soft_delete_is_removed_from_calendar() {
    let mut c = Correlator::new();
    step(
        &mut c,
        &[ev("CreatedEvent", "item1", "ck1")],
        &found(single("item1", "ck1")),
    );
    let mut trash = single("item1-trash", "ck1");
    trash.parent = DELETED_ITEMS.into();
    let r = step(
        &mut c,
        &[moved("item1-trash", "item1", DELETED_ITEMS)],
        &found(trash),
    );
    assert_eq!(changes(&r), ["removedFromCalendar"]);
    assert_eq!(clean_of(&r.events[0]), key_of(SERIES_GOID));
    assert_eq!(r.events[0].previous_item_id.as_deref(), Some("item1"));
    assert!(
        c.store().is_empty(),
        "an item out of the calendar is no longer tracked"
    );
}

#[test]
fn hard_delete_is_resolved_from_the_map() {
    // Seed 1.1 then 1.5: the consumer's log shows nulls on the Deleted event.
    let mut c = Correlator::new();
    let master = cal(SERIES_ID, "ck1", SERIES_GOID, "RecurringMaster");
    step(
        &mut c,
        &[ev("CreatedEvent", SERIES_ID, "ck1")],
        &found(master),
    );
    let r = step(&mut c, &[ev("DeletedEvent", SERIES_ID, "ck9")], &|_| {
        panic!("a delete binds nothing")
    });
    assert_eq!(changes(&r), ["deleted"]);
    let e = &r.events[0];
    assert_eq!(clean_of(e), key_of(SERIES_GOID));
    assert_eq!(e.global_object_id.as_deref(), Some(SERIES_GOID));
    assert_eq!(e.subject.as_deref(), Some("반복 테스트 #1 화요일"));
    assert_eq!(e.reason, None);
}

#[test]
fn occurrence_edited_reports_its_instance_date() {
    // Seed 1.3 / 1.4: a Modified event on the master; the exception shows in ModifiedOccurrences.
    let mut c = Correlator::new();
    let master = cal(SERIES_ID, "ck1", SERIES_GOID, "RecurringMaster");
    step(
        &mut c,
        &[ev("CreatedEvent", SERIES_ID, "ck1")],
        &found(master.clone()),
    );
    let mut edited = master.clone();
    edited.ck = "ck2".into();
    edited.modified = vec![(
        "exc1".into(),
        "2013-08-21T02:00:00Z".into(),
        "2013-08-21T02:30:00Z".into(),
        "2013-08-20T01:00:00Z".into(),
    )];
    let r = step(
        &mut c,
        &[ev("ModifiedEvent", SERIES_ID, "ck2")],
        &found(edited),
    );
    assert_eq!(changes(&r), ["occurrenceChanged"]);
    let e = &r.events[0];
    assert_eq!(
        e.instance_date.as_deref(),
        Some("2013-08-20"),
        "the original date, not the new one"
    );
    assert_eq!(e.start.as_deref(), Some("2013-08-21T02:00:00Z"));
    assert_eq!(clean_of(e), key_of(SERIES_GOID));
}

#[test]
fn occurrence_deleted_says_which_date_went_once() {
    // Seed 1.6: three Modified events for one deleted occurrence, read after the last of them.
    let mut c = Correlator::new();
    let master = cal(SAT_ID, "ck1", SAT_GOID, "RecurringMaster");
    step(
        &mut c,
        &[ev("CreatedEvent", SAT_ID, "ck1")],
        &found(master.clone()),
    );
    let mut after = master.clone();
    after.ck = "ck4".into();
    after.deleted = vec!["2013-08-17T01:00:00Z".into()];
    let three = [
        ev("ModifiedEvent", SAT_ID, "ck2"),
        ev("ModifiedEvent", SAT_ID, "ck3"),
        ev("ModifiedEvent", SAT_ID, "ck4"),
    ];
    let r = step(&mut c, &three, &found(after));
    assert_eq!(changes(&r), ["occurrenceDeleted"]);
    assert_eq!(r.events[0].instance_date.as_deref(), Some("2013-08-17"));
    assert_eq!(clean_of(&r.events[0]), key_of(SAT_GOID));
    assert_eq!(r.ignored.len(), 2);
    assert!(
        r.ignored
            .iter()
            .all(|i| i.reason == IgnoreReason::Unchanged)
    );
    // Seed 1.7: the series finally deleted.
    let r = step(&mut c, &[ev("DeletedEvent", SAT_ID, "ck5")], &|_| {
        Answer::NotFound
    });
    assert_eq!(changes(&r), ["deleted"]);
    assert_eq!(clean_of(&r.events[0]), key_of(SAT_GOID));
}

#[test]
fn seed_section_1_every_step_names_the_tuesday_series() {
    let mut c = Correlator::new();
    let master = cal(SERIES_ID, "ck1", SERIES_GOID, "RecurringMaster");
    let key = key_of(SERIES_GOID);
    let mut seen = Vec::new();
    // 1.1 created.
    let r = step(
        &mut c,
        &[ev("CreatedEvent", SERIES_ID, "ck1")],
        &found(master.clone()),
    );
    seen.extend(r.events);
    // 1.2 the whole series edited.
    let mut whole = master.clone();
    whole.ck = "ck2".into();
    whole.subject = "반복 테스트 #1 화요일 (edited)".into();
    let r = step(
        &mut c,
        &[ev("ModifiedEvent", SERIES_ID, "ck2")],
        &found(whole.clone()),
    );
    seen.extend(r.events);
    // 1.3 one occurrence edited, date kept.
    let mut one = whole.clone();
    one.ck = "ck3".into();
    one.modified = vec![(
        "exc".into(),
        "2013-08-20T01:00:00Z".into(),
        "2013-08-20T01:30:00Z".into(),
        "2013-08-20T01:00:00Z".into(),
    )];
    let r = step(
        &mut c,
        &[ev("ModifiedEvent", SERIES_ID, "ck3")],
        &found(one.clone()),
    );
    seen.extend(r.events);
    // 1.4 the same occurrence moved to another day.
    let mut moved_day = one.clone();
    moved_day.ck = "ck4".into();
    moved_day.modified[0].1 = "2013-08-21T01:00:00Z".into();
    moved_day.modified[0].2 = "2013-08-21T01:30:00Z".into();
    let r = step(
        &mut c,
        &[ev("ModifiedEvent", SERIES_ID, "ck4")],
        &found(moved_day),
    );
    seen.extend(r.events);
    // 1.5 the whole series deleted (the seed log: nulls).
    let r = step(&mut c, &[ev("DeletedEvent", SERIES_ID, "ck5")], &|_| {
        Answer::NotFound
    });
    seen.extend(r.events);
    let got: Vec<_> = seen
        .iter()
        .map(|e| (e.change.as_str(), e.instance_date.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("created", None),
            ("updated", None),
            ("occurrenceChanged", Some("2013-08-20")),
            ("occurrenceChanged", Some("2013-08-20")),
            ("deleted", None),
        ]
    );
    assert!(seen.iter().all(|e| clean_of(e) == key));
    assert_eq!(seen[3].start.as_deref(), Some("2013-08-21T01:00:00Z"));
    assert_eq!(
        seen[4].subject.as_deref(),
        Some("반복 테스트 #1 화요일 (edited)")
    );
}

#[test]
fn orphan_exception_has_the_series_key() {
    let mut c = Correlator::new();
    let mut orphan = cal("orphan1", "ck1", ORPHAN_GOID, "Single");
    orphan.organizer = "organizer@test.com";
    let r = step_with(
        &mut c,
        "attendee@test.com",
        &[ev("CreatedEvent", "orphan1", "ck1")],
        Origin::Notification,
        &found(orphan),
    );
    assert_eq!(changes(&r), ["created"]);
    let e = &r.events[0];
    assert_eq!(
        clean_of(e),
        key_of(SERIES_GOID),
        "the orphan joins its series"
    );
    assert_eq!(e.global_object_id.as_deref(), Some(ORPHAN_GOID));
    assert_eq!(e.instance_date.as_deref(), Some("2013-08-13"));
    assert_eq!(
        e.meeting.as_ref().map(|m| m.ical_uid.as_str()),
        Some(
            ews_notify::GlobalObjectId::from_base64(SERIES_GOID)
                .unwrap()
                .to_ical_uid()
                .as_str()
        )
    );
}

#[test]
fn organizer_and_attendee_copies_share_the_key() {
    let mut c = Correlator::new();
    let org = step_with(
        &mut c,
        "organizer@test.com",
        &[ev("CreatedEvent", "org-item", "ck1")],
        Origin::Notification,
        &found(cal("org-item", "ck1", SERIES_GOID, "RecurringMaster")),
    );
    let att = step_with(
        &mut c,
        "attendee@test.com",
        &[ev("CreatedEvent", "att-item", "ck7")],
        Origin::Notification,
        &found(cal("att-item", "ck7", SERIES_GOID, "RecurringMaster")),
    );
    assert_eq!(org.events[0].meeting, att.events[0].meeting);
    assert_ne!(org.events[0].event_id, att.events[0].event_id);
}

/// Seed 2.1-2.5 in one mailbox: returns the correlator after the split.
fn split_series(created_first: bool) -> (Correlator, Vec<MeetingEvent>) {
    let mut c = Correlator::new();
    let mut thu = cal(THU_ID, "ck1", THU_GOID, "RecurringMaster");
    thu.subject = "반복일정 테스트 #3 - 목요일".into();
    thu.start = "2013-08-01T01:00:00Z".into();
    step(
        &mut c,
        &[ev("CreatedEvent", THU_ID, "ck1")],
        &found(thu.clone()),
    );
    let mut ranged = thu.clone();
    ranged.ck = "ck2".into();
    let r = step(
        &mut c,
        &[ev("ModifiedEvent", THU_ID, "ck2")],
        &found(ranged),
    );
    assert_eq!(changes(&r), ["updated"], "2.2: range changed");
    // 2.3: the past part is a new item with the old GOID; the ongoing part gets a new GOID.
    let mut past = thu.clone();
    past.id = PAST_ID.into();
    past.ck = "ck1".into();
    let mut ongoing = cal(THU_ID, "ck3", THU_NEW_GOID, "RecurringMaster");
    ongoing.subject = thu.subject.clone();
    ongoing.start = "2013-08-09T01:00:00Z".into();
    let server = move |id: &str| {
        if id == PAST_ID {
            Answer::Item(past.clone())
        } else {
            Answer::Item(ongoing.clone())
        }
    };
    let created = ev("CreatedEvent", PAST_ID, "ck1");
    let modified = ev("ModifiedEvent", THU_ID, "ck3");
    let mut out = Vec::new();
    if created_first {
        out.extend(step(&mut c, &[created, modified], &server).events);
    } else {
        out.extend(step(&mut c, &[modified], &server).events);
        out.extend(step(&mut c, &[created], &server).events);
    }
    (c, out)
}

#[test]
fn series_split_gives_one_series_split_naming_both_meetings() {
    for created_first in [true, false] {
        let (mut c, out) = split_series(created_first);
        let splits: Vec<_> = out
            .iter()
            .filter(|e| e.change == Change::SeriesSplit)
            .collect();
        assert_eq!(
            splits.len(),
            1,
            "one seriesSplit (created first: {created_first})"
        );
        let s = splits[0];
        assert_eq!(
            clean_of(s),
            key_of(THU_NEW_GOID),
            "the ongoing part is the new meeting"
        );
        let split = s.split.as_ref().unwrap();
        assert_eq!(
            split.previous_meeting.clean_global_object_id,
            key_of(THU_GOID)
        );
        assert_eq!(split.ongoing_item_id, THU_ID);
        assert_eq!(split.split_date.as_deref(), Some("2013-08-09"));
        if created_first {
            assert_eq!(split.past_item_id.as_deref(), Some(PAST_ID));
        }
        // The past part's creation is no new meeting: it is the old meeting, now shorter.
        let past: Vec<_> = out.iter().filter(|e| e.item_id == PAST_ID).collect();
        assert_eq!(past.len(), 1);
        assert_eq!(past[0].change, Change::Updated);
        assert_eq!(clean_of(past[0]), key_of(THU_GOID));
        // 2.4: the past part deleted: the old meeting. 2.5: the ongoing part: the new meeting.
        let r = step(&mut c, &[ev("DeletedEvent", PAST_ID, "x")], &|_| {
            Answer::NotFound
        });
        assert_eq!(changes(&r), ["deleted"]);
        assert_eq!(clean_of(&r.events[0]), key_of(THU_GOID));
        let r = step(&mut c, &[ev("DeletedEvent", THU_ID, "x")], &|_| {
            Answer::NotFound
        });
        assert_eq!(changes(&r), ["deleted"]);
        assert_eq!(clean_of(&r.events[0]), key_of(THU_NEW_GOID));
    }
}

#[test]
fn split_names_the_past_master_not_an_instance_of_the_same_meeting() {
    let mut c = Correlator::new();
    let thu = cal(THU_ID, "ck1", THU_GOID, "RecurringMaster");
    step(
        &mut c,
        &[ev("CreatedEvent", THU_ID, "ck1")],
        &found(thu.clone()),
    );
    let dated = ews_notify::GlobalObjectId::from_base64(THU_GOID)
        .unwrap()
        .with_instance_date(Some(time::macros::date!(2013 - 08 - 15)))
        .unwrap()
        .to_base64();
    let instance = cal("AAA-instance", "ck1", &dated, "Exception");
    step(
        &mut c,
        &[ev("CreatedEvent", "AAA-instance", "ck1")],
        &found(instance),
    );
    let mut past = thu.clone();
    past.id = PAST_ID.into();
    let ongoing = cal(THU_ID, "ck3", THU_NEW_GOID, "RecurringMaster");
    let server = move |id: &str| {
        Answer::Item(if id == PAST_ID {
            past.clone()
        } else {
            ongoing.clone()
        })
    };
    let r = step(
        &mut c,
        &[
            ev("CreatedEvent", PAST_ID, "ck1"),
            ev("ModifiedEvent", THU_ID, "ck3"),
        ],
        &server,
    );
    let split = r.events.iter().find_map(|e| e.split.as_ref()).unwrap();
    assert_eq!(split.past_item_id.as_deref(), Some(PAST_ID));
}

#[test]
fn later_edits_of_the_ongoing_part_name_the_new_meeting() {
    // Seed 2.7 shape: one future occurrence moved, after the split.
    let (mut c, _) = split_series(true);
    let mut ongoing = cal(THU_ID, "ck4", THU_NEW_GOID, "RecurringMaster");
    ongoing.start = "2013-08-09T01:00:00Z".into();
    ongoing.modified = vec![(
        "exc".into(),
        "2013-08-23T05:00:00Z".into(),
        "2013-08-23T05:30:00Z".into(),
        "2013-08-16T01:00:00Z".into(),
    )];
    let r = step(
        &mut c,
        &[ev("ModifiedEvent", THU_ID, "ck4")],
        &found(ongoing),
    );
    assert_eq!(changes(&r), ["occurrenceChanged"]);
    assert_eq!(clean_of(&r.events[0]), key_of(THU_NEW_GOID));
    assert_eq!(r.events[0].instance_date.as_deref(), Some("2013-08-16"));
}

#[test]
fn item_gone_before_get_item_is_reported_from_the_map() {
    let mut c = Correlator::new();
    step(
        &mut c,
        &[ev("CreatedEvent", "item1", "ck1")],
        &found(single("item1", "ck1")),
    );
    let r = step(&mut c, &[ev("ModifiedEvent", "item1", "ck2")], &|_| {
        Answer::NotFound
    });
    assert_eq!(changes(&r), ["updated"]);
    assert_eq!(r.events[0].reason, Some(Reason::ItemNotFound));
    assert_eq!(clean_of(&r.events[0]), key_of(SERIES_GOID));
}

#[test]
fn created_and_deleted_between_reads_is_reported_with_a_reason() {
    let mut c = Correlator::new();
    let r = step(
        &mut c,
        &[
            ev("CreatedEvent", "ghost", "ck1"),
            ev("DeletedEvent", "ghost", "ck2"),
        ],
        &|_| Answer::NotFound,
    );
    assert_eq!(changes(&r), ["unresolved", "unresolved"], "never dropped");
    assert_eq!(r.events[0].reason, Some(Reason::ItemNotFound));
    assert_eq!(r.events[1].reason, Some(Reason::NotTracked));
    assert!(r.events.iter().all(|e| e.meeting.is_none()));
    assert_ne!(r.events[0].event_id, r.events[1].event_id);
}

#[test]
fn catch_up_repeat_has_the_same_event_id_and_no_second_change() {
    let created = [ev("CreatedEvent", "item1", "ck1")];
    let mut first = Correlator::new();
    let original = step(&mut first, &created, &found(single("item1", "ck1")));
    // The same correlator: the catch-up's Create of the same version is no change.
    let again = step_with(
        &mut first,
        MBX,
        &created,
        Origin::CatchUp,
        &found(single("item1", "ck1")),
    );
    assert!(again.events.is_empty(), "no second meeting change");
    assert_eq!(again.ignored[0].reason, IgnoreReason::Unchanged);
    // A correlator that lost its map (a restart without a durable store): same id.
    let mut fresh = Correlator::new();
    let replay = step_with(
        &mut fresh,
        MBX,
        &created,
        Origin::CatchUp,
        &found(single("item1", "ck1")),
    );
    assert_eq!(replay.events[0].event_id, original.events[0].event_id);
    assert_eq!(replay.events[0].cause.origin, Origin::CatchUp);
    // A repeated delete is no second change either.
    let del = [ev("DeletedEvent", "item1", "ck1")];
    let d1 = step(&mut first, &del, &|_| Answer::NotFound);
    let d2 = step_with(&mut first, MBX, &del, Origin::CatchUp, &|_| {
        Answer::NotFound
    });
    assert_eq!(changes(&d1), ["deleted"]);
    assert!(d2.events.is_empty());
    assert_eq!(d2.ignored[0].reason, IgnoreReason::Repeat);
    // Updates: the same version read twice gives the same id.
    let mut a = Correlator::new();
    let mut b = Correlator::new();
    for c in [&mut a, &mut b] {
        step(c, &created, &found(single("item1", "ck1")));
    }
    let m = [ev("ModifiedEvent", "item1", "ck2")];
    let ua = step(&mut a, &m, &found(single("item1", "ck2")));
    let ub = step_with(
        &mut b,
        MBX,
        &m,
        Origin::CatchUp,
        &found(single("item1", "ck2")),
    );
    assert_eq!(ua.events[0].event_id, ub.events[0].event_id);
}

#[test]
fn non_calendar_items_and_folder_events_stay_out() {
    let mut c = Correlator::new();
    let mut request = single("req1", "ck1");
    request.element = "MeetingRequest";
    request.class = "IPM.Schedule.Meeting.Request";
    request.parent = INBOX.into();
    let mut folder_event = ev("ModifiedEvent", "", "");
    folder_event.parent = CALENDAR.into();
    let r = step(
        &mut c,
        &[ev("CreatedEvent", "req1", "ck1"), folder_event],
        &found(request),
    );
    assert!(r.events.is_empty());
    let reasons: Vec<_> = r.ignored.iter().map(|i| i.reason).collect();
    assert_eq!(
        reasons,
        [IgnoreReason::NotCalendarItem, IgnoreReason::FolderEvent]
    );
    // Later events on the request are kept out without another GetItem.
    let batch = c
        .accept(
            MBX,
            events_of(
                &notification(&[ev("ModifiedEvent", "req1", "ck2")], 5),
                Origin::Notification,
            ),
        )
        .unwrap();
    assert!(batch.items_to_bind().is_empty());
    let r = c.bound(batch, Vec::new()).unwrap();
    assert!(r.events.is_empty());
    let r = step(&mut c, &[ev("DeletedEvent", "req1", "ck3")], &|_| {
        Answer::NotFound
    });
    assert!(r.events.is_empty());
    assert_eq!(r.ignored[0].reason, IgnoreReason::NotCalendarItem);
}

#[test]
fn cancelled_meeting_is_cancelled() {
    let mut c = Correlator::new();
    step(
        &mut c,
        &[ev("CreatedEvent", "item1", "ck1")],
        &found(single("item1", "ck1")),
    );
    let mut gone = single("item1", "ck2");
    gone.cancelled = true;
    let r = step(&mut c, &[ev("ModifiedEvent", "item1", "ck2")], &found(gone));
    assert_eq!(changes(&r), ["cancelled"]);
}

#[test]
fn meeting_event_json_keeps_every_key_and_null() {
    let mut c = Correlator::new();
    step(
        &mut c,
        &[ev("CreatedEvent", "item1", "ck1")],
        &found(single("item1", "ck1")),
    );
    let r = step(&mut c, &[ev("DeletedEvent", "item1", "ck1")], &|_| {
        Answer::NotFound
    });
    let json = r.events[0].to_json();
    let keys = [
        "kind",
        "eventId",
        "change",
        "mailbox",
        "meeting",
        "instanceDate",
        "itemType",
        "itemId",
        "previousItemId",
        "globalObjectId",
        "subject",
        "organizer",
        "start",
        "end",
        "lastModifiedTime",
        "split",
        "reason",
        "cause",
    ];
    let mut at = 0;
    for k in keys {
        let pos = json[at..]
            .find(&format!("\"{k}\":"))
            .unwrap_or_else(|| panic!("{k} missing or out of order in {json}"));
        at += pos;
    }
    assert!(json.starts_with(r#"{"kind":"meeting","#));
    assert!(json.contains(r#""change":"deleted""#));
    assert!(json.contains(r#""split":null"#));
    assert!(json.contains(r#""previousItemId":null"#));
    assert!(json.contains(r#""itemType":"single""#));
    let back: MeetingEvent = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r.events[0]);
}

#[test]
fn get_item_request_asks_for_the_occurrence_lists() {
    let xml = crate::get_item_request(&["a".into(), "b".into()], Default::default()).unwrap();
    for f in [
        "calendar:IsCancelled",
        "calendar:ModifiedOccurrences",
        "calendar:DeletedOccurrences",
        "calendar:AppointmentState",
    ] {
        assert!(xml.contains(f), "{f}");
    }
    assert!(xml.contains(r#"PropertyId="35""#));
    assert_eq!(
        xml.matches("<t:ItemId ").count(),
        2,
        "one request for both ids"
    );
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn kind() -> impl Strategy<Value = &'static str> {
        prop_oneof![
            Just("CreatedEvent"),
            Just("ModifiedEvent"),
            Just("DeletedEvent"),
            Just("MovedEvent"),
            Just("CopiedEvent"),
            Just("StatusEvent"),
            Just("NewMailEvent"),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn arbitrary_event_orders_never_panic(
            seq in proptest::collection::vec((kind(), 0u8..4, 0u8..4, 0u8..6, 0u8..4), 0..24),
            batches in 1usize..5,
        ) {
            let mut c = Correlator::new();
            let goids = [SERIES_GOID, ORPHAN_GOID, THU_GOID, THU_NEW_GOID];
            let types = ["Single", "RecurringMaster", "Exception", "Weird"];
            let folders = [CALENDAR, CALENDAR2, DELETED_ITEMS, INBOX];
            let chunk = seq.len().div_ceil(batches).max(1);
            for part in seq.chunks(chunk) {
                let evs: Vec<Ev> = part.iter().map(|(k, id, old, answer, folder)| {
                    let mut e = ev(k, &format!("i{id}"), &format!("c{answer}"));
                    if *k == "MovedEvent" {
                        e.old = Some(format!("i{old}"));
                        e.parent = folders[*folder as usize].into();
                        e.old_parent = Some(CALENDAR.into());
                    }
                    if *k == "StatusEvent" { e.id = String::new(); }
                    e
                }).collect();
                let evs: Vec<Ev> = evs.into_iter().filter(|e| e.kind != "StatusEvent").collect();
                let answers: Vec<(u8, u8)> = part.iter().map(|(_, _, o, a, _)| (*a, *o)).collect();
                let r = step(&mut c, &evs, &|id: &str| {
                    let n = id.bytes().last().unwrap_or(b'0') as usize;
                    let (a, o) = answers.get(n % answers.len().max(1)).copied().unwrap_or((0, 0));
                    match a {
                        0 => Answer::NotFound,
                        1 => { let mut m = single(id, "x"); m.element = "Message"; m.class = "IPM.Note"; Answer::Item(m) }
                        _ => {
                            let mut m = cal(id, &format!("c{a}{o}"), goids[(a as usize) % 4], types[(o as usize) % 4]);
                            m.cancelled = a == 5;
                            if a == 4 { m.deleted = vec![format!("2013-08-1{o}T01:00:00Z")]; }
                            Answer::Item(m)
                        }
                    }
                });
                for e in &r.events {
                    prop_assert_eq!(e.event_id.len(), 32);
                    prop_assert!(e.meeting.is_some() || e.change == Change::Unresolved || e.reason.is_some());
                }
            }
        }
    }
}
