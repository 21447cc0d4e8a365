//! What correlation costs: time per event and memory per tracked item.
//!
//! `cargo run --release -p ews-notify-meetings --example cost [ITEMS]`
//!
//! Feeds ITEMS (default 10000) meetings through the correlator in batches of 100, as a
//! mailbox's events would come: created, then modified (a new version, and an occurrence
//! deleted), then deleted. Each GetItem answer is an Exchange-shaped response read with
//! `read_get_item_response`; the time to read it is reported apart from the correlation.
//! Memory is what the in-memory store holds per tracked item (live heap bytes, counted by a
//! counting allocator), after the creations.
#![allow(unsafe_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use ews_notify::{Event, EventKind, GlobalObjectId, ObjectId};
use ews_notify_meetings::{Correlator, Incoming, Origin, read_get_item_response};

struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator and only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same layout, passed through.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: ptr came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const BATCH: usize = 100;
const MAILBOX: &str = "alice@example.com";
const CALENDAR: &str = "AAMkAGM2NmM0MDFhLTMxMDItNGEzNC04MjQ5LTdmNTcyMmNlYmY0MgAuAAAAAAD14fnht2jpSpaypawvJwO3AQA2K3ZCpui2TKCftY0IT00tAAAAAAENAAA=";

fn item_id(n: usize) -> String {
    // As long as a real EWS ItemId (152 characters).
    format!(
        "AAMkAGM2NmM0MDFhLTMxMDItNGEzNC04MjQ5LTdmNTcyMmNlYmY0MgBGAAAAAAD14fnht2jpSpaypawvJwO3BwA2K3ZCpui2TKCftY0IT00tAAAAAAAPAAA2K3ZCpui2TKCftY0IT00tAAA{n:09}AAA="
    )
}

fn goid(n: usize) -> String {
    let mut bytes = base64_decode(
        "BAAAAIIA4AB0xbcQGoLgCAAAAABqFxwHnpTOAQAAAAAAAAAAEAAAAErmMOMEWQpJoohCYDFvDhU=",
    );
    let tail = bytes.len() - 8;
    bytes[tail..].copy_from_slice(&(n as u64).to_le_bytes());
    GlobalObjectId::from_vec(bytes).unwrap().to_base64()
}

fn base64_decode(s: &str) -> Vec<u8> {
    GlobalObjectId::from_base64(s).unwrap().as_bytes().to_vec()
}

fn event(kind: EventKind<'static>, n: usize, version: u32) -> Incoming {
    let mut e = Event::new(kind);
    e.watermark = Some(format!("AQAAAHvS6iVR{n:08}{version}").into());
    e.timestamp = Some("2013-08-09T02:29:29Z".into());
    e.item_id = Some(ObjectId {
        id: item_id(n).into(),
        change_key: Some(format!("DwAAABYAAAA2K3ZCpui2TKCftY0IT00tAAA2tq{version:02}").into()),
    });
    e.parent_folder_id = Some(ObjectId {
        id: CALENDAR.into(),
        change_key: None,
    });
    Incoming {
        event: e,
        origin: Origin::Notification,
    }
}

fn response(ids: std::ops::Range<usize>, version: u32) -> String {
    let mut m = String::new();
    for n in ids {
        let g = goid(n);
        let uid = GlobalObjectId::from_base64(&g).unwrap().to_ical_uid();
        let deleted = if version > 1 {
            "<t:DeletedOccurrences><t:DeletedOccurrence><t:Start>2013-08-20T01:00:00Z</t:Start></t:DeletedOccurrence></t:DeletedOccurrences>"
        } else {
            ""
        };
        m.push_str(&format!(
            r#"<m:GetItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Items><t:CalendarItem><t:ItemId Id="{id}" ChangeKey="DwAAABYAAAA2K3ZCpui2TKCftY0IT00tAAA2tq{version:02}"/><t:ParentFolderId Id="{CALENDAR}" ChangeKey="AQAAAA=="/><t:ItemClass>IPM.Appointment</t:ItemClass><t:Subject>Weekly sync {n}</t:Subject><t:LastModifiedTime>2013-08-09T02:29:2{version}Z</t:LastModifiedTime><t:ExtendedProperty><t:ExtendedFieldURI DistinguishedPropertySetId="Meeting" PropertyId="3" PropertyType="Binary"/><t:Value>{g}</t:Value></t:ExtendedProperty><t:ExtendedProperty><t:ExtendedFieldURI DistinguishedPropertySetId="Meeting" PropertyId="35" PropertyType="Binary"/><t:Value>{g}</t:Value></t:ExtendedProperty><t:UID>{uid}</t:UID><t:Start>2013-08-13T01:00:00Z</t:Start><t:End>2013-08-13T01:30:00Z</t:End><t:IsCancelled>false</t:IsCancelled><t:CalendarItemType>RecurringMaster</t:CalendarItemType><t:Organizer><t:Mailbox><t:Name>Alice</t:Name><t:EmailAddress>alice@example.com</t:EmailAddress><t:RoutingType>SMTP</t:RoutingType></t:Mailbox></t:Organizer>{deleted}<t:AppointmentState>1</t:AppointmentState></t:CalendarItem></m:Items></m:GetItemResponseMessage>"#,
            id = item_id(n)
        ));
    }
    format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:GetItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages>{m}</m:ResponseMessages></m:GetItemResponse></s:Body></s:Envelope>"#
    )
}

struct Phase {
    read: Duration,
    correlate: Duration,
    events: usize,
    emitted: usize,
}

fn run_phase(
    c: &mut Correlator,
    items: usize,
    kind: EventKind<'static>,
    version: u32,
    bind: bool,
) -> Phase {
    let mut p = Phase {
        read: Duration::ZERO,
        correlate: Duration::ZERO,
        events: 0,
        emitted: 0,
    };
    for start in (0..items).step_by(BATCH) {
        let end = (start + BATCH).min(items);
        let events: Vec<Incoming> = (start..end)
            .map(|n| event(kind.clone(), n, version))
            .collect();
        let xml = if bind {
            response(start..end, version)
        } else {
            String::new()
        };
        let t = Instant::now();
        let batch = c.accept(MAILBOX, events).unwrap();
        let mut corr = t.elapsed();
        let t = Instant::now();
        let answers = if bind {
            read_get_item_response(xml.as_bytes(), batch.items_to_bind()).unwrap()
        } else {
            Vec::new()
        };
        p.read += t.elapsed();
        let t = Instant::now();
        let out = c.bound(batch, answers).unwrap();
        corr += t.elapsed();
        p.correlate += corr;
        p.events += end - start;
        p.emitted += out.events.len();
        std::hint::black_box(out);
    }
    p
}

fn per_event(d: Duration, n: usize) -> String {
    format!("{:.2} µs", d.as_secs_f64() * 1e6 / n as f64)
}

fn main() {
    let items: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let mut c = Correlator::new();
    let before = LIVE.load(Ordering::Relaxed);
    let created = run_phase(&mut c, items, EventKind::Created, 1, true);
    let after = LIVE.load(Ordering::Relaxed);
    let seen_after_creations = c.store().seen_len();
    let modified = run_phase(&mut c, items, EventKind::Modified, 2, true);
    let deleted = run_phase(&mut c, items, EventKind::Deleted, 3, false);
    assert_eq!(created.emitted, items);
    assert_eq!(modified.emitted, items, "one occurrenceDeleted per series");
    assert_eq!(deleted.emitted, items);
    println!("items: {items}, batches of {BATCH}");
    for (name, p) in [
        ("created", &created),
        ("modified", &modified),
        ("deleted", &deleted),
    ] {
        println!(
            "{name:9} correlate {} per event, read GetItem {} per item ({} events)",
            per_event(p.correlate, p.events),
            if name == "deleted" {
                "-".to_string()
            } else {
                per_event(p.read, p.events)
            },
            p.events
        );
    }
    // The seen-id set grows with each emitted event: say how many ids the figure includes.
    println!(
        "memory after creations: {} bytes per tracked item (map entry, index entry, and {} seen event ids in all)",
        (after - before) / items as isize,
        seen_after_creations
    );
}
