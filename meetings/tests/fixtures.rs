#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Seed cases 2.1 to 2.5 on the fixture files, with LF and CRLF line ends.

use ews_notify_meetings::{
    Change, Correlator, Incoming, Origin, Reason, Resolved, read_get_item_response,
};

const OLD: &str = "BAAAAIIA4AB0xbcQGoLgCAAAAADIsGZkvZTOAQAAAAAAAAAAEAAAAL7jcbkKvu5CkiLigoQ5+PI=";
const NEW: &str = "BAAAAIIA4AB0xbcQGoLgCAAAAAAouLOLvZTOAQAAAAAAAAAAEAAAAKD44Bwh7SFNoqxBurnSKYk=";
const THU: &str = "AAMkAGM2NmM0MDFhLTMxMDItNGEzNC04MjQ5LTdmNTcyMmNlYmY0MgBGAAAAAAD14fnht2jpSpaypawvJwO3BwA2K3ZCpui2TKCftY0IT00tAAAAAAAPAAA2K3ZCpui2TKCftY0IT00tAAA2tpCDAAA=";
const PAST: &str = "AAMkAGM2NmM0MDFhLTMxMDItNGEzNC04MjQ5LTdmNTcyMmNlYmY0MgBGAAAAAAD14fnht2jpSpaypawvJwO3BwA2K3ZCpui2TKCftY0IT00tAAAAAAAPAAA2K3ZCpui2TKCftY0IT00tAAA2tpCEAAA=";

fn fixture(name: &str, crlf: bool) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let text = if crlf {
        text.replace('\n', "\r\n")
    } else {
        text
    };
    text.into_bytes()
}

fn feed(c: &mut Correlator, events: &str, getitem: Option<&str>, crlf: bool) -> Resolved {
    let bytes = fixture(events, crlf);
    let env = ews_notify::parse_notification(&bytes).unwrap();
    let incoming: Vec<Incoming> = env.body.response_messages()[0].notifications[0]
        .events
        .iter()
        .map(|e| Incoming {
            event: e.clone().into_owned(),
            origin: Origin::Notification,
        })
        .collect();
    let batch = c.accept("test@test.com", incoming).unwrap();
    let answers = match getitem {
        Some(name) => read_get_item_response(&fixture(name, crlf), batch.items_to_bind()).unwrap(),
        None => {
            assert!(batch.items_to_bind().is_empty(), "deletes bind nothing");
            Vec::new()
        }
    };
    c.bound(batch, answers).unwrap()
}

#[test]
fn seed_series_split_names_every_part_from_fixture_files() {
    for crlf in [false, true] {
        let mut c = Correlator::new();
        let r = feed(
            &mut c,
            "seed-2.1-created-events.xml",
            Some("seed-2.1-getitem.xml"),
            crlf,
        );
        assert_eq!(r.events.len(), 1);
        assert_eq!(r.events[0].change, Change::Created);
        let old_key = r.events[0].meeting.clone().unwrap();
        assert_eq!(old_key.clean_global_object_id, OLD);

        let r = feed(
            &mut c,
            "seed-2.3-split-events.xml",
            Some("seed-2.3-split-getitem.xml"),
            crlf,
        );
        let changes: Vec<_> = r.events.iter().map(|e| e.change).collect();
        assert_eq!(changes, [Change::Updated, Change::SeriesSplit]);
        assert_eq!(r.events[0].item_id, PAST);
        assert_eq!(r.events[0].meeting.as_ref(), Some(&old_key));
        let split = r.events[1].split.as_ref().unwrap();
        assert_eq!(split.previous_meeting, old_key);
        assert_eq!(split.past_item_id.as_deref(), Some(PAST));
        assert_eq!(split.ongoing_item_id, THU);
        assert_eq!(split.split_date.as_deref(), Some("2013-08-09"));
        assert_eq!(
            r.events[1]
                .meeting
                .as_ref()
                .map(|m| m.clean_global_object_id.as_str()),
            Some(NEW)
        );

        let r = feed(&mut c, "seed-2.4-2.5-deleted-events.xml", None, crlf);
        let keys: Vec<_> = r
            .events
            .iter()
            .map(|e| {
                (
                    e.change,
                    e.meeting.as_ref().map(|m| m.clean_global_object_id.clone()),
                )
            })
            .collect();
        assert_eq!(
            keys,
            [
                (Change::Deleted, Some(OLD.to_string())),
                (Change::Deleted, Some(NEW.to_string()))
            ],
            "the seed log's nulls, named"
        );
        assert!(
            r.events
                .iter()
                .all(|e| e.subject.as_deref() == Some("반복일정 테스트 #3 - 목요일"))
        );
    }
}

#[test]
fn item_not_found_fixture_reads_as_not_found() {
    let ids = vec!["gone".to_string()];
    let answers =
        read_get_item_response(&fixture("getitem-item-not-found.xml", false), &ids).unwrap();
    assert_eq!(
        answers,
        [ews_notify_meetings::Bound::NotFound {
            item_id: "gone".into()
        }]
    );
    // And a Modified event for an untracked item with that answer is reported with a reason.
    let mut c = Correlator::new();
    let mut ev = ews_notify::Event::new(ews_notify::EventKind::Modified);
    ev.item_id = Some(ews_notify::ObjectId {
        id: "gone".into(),
        change_key: None,
    });
    let batch = c
        .accept(
            "a@b.c",
            [Incoming {
                event: ev,
                origin: Origin::Notification,
            }],
        )
        .unwrap();
    let r = c.bound(batch, answers).unwrap();
    assert_eq!(r.events[0].change, Change::Unresolved);
    assert_eq!(r.events[0].reason, Some(Reason::ItemNotFound));
}

#[test]
fn a_fault_is_not_a_get_item_response() {
    let fault = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>bad</faultstring></s:Fault></s:Body></s:Envelope>"#;
    let e = read_get_item_response(fault, &["x".into()]).unwrap_err();
    assert_eq!(e.code(), "unexpected_body");
    let e = read_get_item_response(b"<nope", &["x".into()]).unwrap_err();
    assert_ne!(e.code(), "unexpected_body");
}

#[test]
fn envelopes_give_their_item_events_with_origin() {
    let events =
        ews_notify_meetings::incoming_from_envelope(&fixture("seed-2.3-split-events.xml", false))
            .unwrap();
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| e.origin == Origin::Notification));
    let sync = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:SyncFolderItemsResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages><m:SyncFolderItemsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SyncState>H4sIAAAA</m:SyncState><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange><m:Changes><t:Create><t:CalendarItem><t:ItemId Id="AAMkA1" ChangeKey="DwAAAA=="/></t:CalendarItem></t:Create><t:ReadFlagChange><t:ItemId Id="AAMkA2" ChangeKey="DwAAAB=="/><t:IsRead>true</t:IsRead></t:ReadFlagChange><t:Delete><t:ItemId Id="AAMkA3"/></t:Delete></m:Changes></m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse></s:Body></s:Envelope>"#;
    let events = ews_notify_meetings::incoming_from_envelope(sync).unwrap();
    let got: Vec<_> = events
        .iter()
        .map(|e| {
            (
                e.event.kind.as_str(),
                e.event.item_id.as_ref().unwrap().id.to_string(),
                e.origin,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("created", "AAMkA1".to_string(), Origin::CatchUp),
            ("deleted", "AAMkA3".to_string(), Origin::CatchUp)
        ]
    );
    let e =
        ews_notify_meetings::incoming_from_envelope(&fixture("getitem-item-not-found.xml", false))
            .unwrap_err();
    assert_eq!(e.code(), "unexpected_body");
}
