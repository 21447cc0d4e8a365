//! Meeting events end to end: the simulator's calendar changes, pulled, bound in batches and
//! correlated. What the simulator cannot produce yet (moves, occurrence lists, cancellations)
//! is covered by the correlator's unit tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use ews_notify::GlobalObjectId;
use ews_notify_client::meetings::{MeetingStream, MeetingUpdate, bind_items};
use ews_notify_client::{Client, Watch, watch_pull};
use ews_notify_meetings::{Bound, Change, IgnoreReason, MeetingEvent, Reason};
use ews_sim::{CalendarKind, Config, NewItem, Simulator};

use common::subscribed;

const ORGANIZER: &str = "organizer@example.com";
const ATTENDEE: &str = "attendee@example.com";

/// Collects meeting events until `n` arrived (bounded: 20 s). Fails on a `Failed` update.
async fn meetings(stream: &mut MeetingStream, n: usize) -> Vec<MeetingEvent> {
    let mut out = Vec::new();
    for _ in 0..200 {
        match tokio::time::timeout(Duration::from_millis(100), stream.next()).await {
            Ok(Some(MeetingUpdate::Meeting(m))) => {
                out.push(*m);
                if out.len() >= n {
                    break;
                }
            }
            Ok(Some(MeetingUpdate::Failed { error, .. })) => panic!("failed: {error}"),
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => {}
        }
    }
    out
}

fn clean(m: &MeetingEvent) -> &str {
    m.meeting
        .as_ref()
        .map(|k| k.clean_global_object_id.as_str())
        .unwrap_or_else(|| panic!("no meeting key: {m:?}"))
}

fn b64_clean(bytes: &[u8]) -> String {
    GlobalObjectId::from_vec(bytes.to_vec())
        .unwrap()
        .clean()
        .to_base64()
}

async fn start(mailboxes: &[&str]) -> (Simulator, Client) {
    let sim = Simulator::start(Config::default()).await.unwrap();
    for m in mailboxes {
        sim.add_mailbox(m);
    }
    let client = Client::builder(sim.url()).build().unwrap();
    (sim, client)
}

fn watch(client: &Client, mailbox: &str) -> MeetingStream {
    let w = Watch::calendar(mailbox);
    let events = watch_pull(client, w.clone(), Duration::from_millis(10));
    MeetingStream::new(client.clone(), w, events)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_meeting_created_updated_deleted_names_one_meeting() {
    let (sim, client) = start(&[ORGANIZER]).await;
    let mut stream = watch(&client, ORGANIZER);
    subscribed(&sim, 1).await;
    let item = sim
        .create_item(ORGANIZER, NewItem::single("Budget"))
        .unwrap();
    let got = meetings(&mut stream, 1).await;
    sim.modify_item(ORGANIZER, &item.id, "Budget (moved)")
        .unwrap();
    let got2 = meetings(&mut stream, 1).await;
    sim.delete_item(ORGANIZER, &item.id);
    let got3 = meetings(&mut stream, 1).await;
    let all: Vec<_> = [got, got2, got3].concat();
    let changes: Vec<_> = all.iter().map(|m| m.change).collect();
    assert_eq!(changes, [Change::Created, Change::Updated, Change::Deleted]);
    let key = b64_clean(&item.clean_goid);
    assert!(
        all.iter().all(|m| clean(m) == key),
        "one meeting throughout"
    );
    assert_eq!(all[1].subject.as_deref(), Some("Budget (moved)"));
    assert_eq!(
        all[2].subject.as_deref(),
        Some("Budget (moved)"),
        "the delete, from the map"
    );
    assert_eq!(all[2].meeting.as_ref().unwrap().ical_uid, item.uid);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn series_split_gives_one_split_and_later_deletes_name_both_meetings() {
    let (sim, client) = start(&[ORGANIZER]).await;
    let mut stream = watch(&client, ORGANIZER);
    subscribed(&sim, 1).await;
    let series = sim
        .create_item(ORGANIZER, NewItem::recurring("Thursday sync"))
        .unwrap();
    assert_eq!(meetings(&mut stream, 1).await[0].change, Change::Created);
    let (past, ongoing) = sim
        .split_series(ORGANIZER, &series.id, "2026-02-05T09:00:00Z")
        .unwrap();
    let got = meetings(&mut stream, 2).await;
    let splits: Vec<_> = got
        .iter()
        .filter(|m| m.change == Change::SeriesSplit)
        .collect();
    assert_eq!(splits.len(), 1, "one seriesSplit: {got:?}");
    let split = splits[0].split.as_ref().unwrap();
    assert_eq!(
        split.previous_meeting.clean_global_object_id,
        b64_clean(&series.clean_goid)
    );
    assert_eq!(clean(splits[0]), b64_clean(&ongoing.clean_goid));
    assert_eq!(split.ongoing_item_id, series.id);
    assert_eq!(split.split_date.as_deref(), Some("2026-02-05"));
    let past_event = got.iter().find(|m| m.item_id == past.id).unwrap();
    assert_eq!(
        past_event.change,
        Change::Updated,
        "the past part is the old meeting"
    );
    assert_eq!(clean(past_event), b64_clean(&series.clean_goid));
    if got.iter().position(|m| m.item_id == past.id)
        < got.iter().position(|m| m.change == Change::SeriesSplit)
    {
        assert_eq!(split.past_item_id.as_deref(), Some(past.id.as_str()));
    }
    sim.delete_item(ORGANIZER, &past.id);
    sim.delete_item(ORGANIZER, &ongoing.id);
    let deletes = meetings(&mut stream, 2).await;
    let named: Vec<_> = deletes
        .iter()
        .map(|m| (m.change, clean(m).to_string(), m.item_id.clone()))
        .collect();
    assert_eq!(
        named,
        [
            (
                Change::Deleted,
                b64_clean(&series.clean_goid),
                past.id.clone()
            ),
            (
                Change::Deleted,
                b64_clean(&ongoing.clean_goid),
                ongoing.id.clone()
            ),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organizer_and_attendee_copies_and_an_orphan_share_the_key() {
    let (sim, client) = start(&[ORGANIZER, ATTENDEE]).await;
    let mut org = watch(&client, ORGANIZER);
    let mut att = watch(&client, ATTENDEE);
    subscribed(&sim, 2).await;
    let series = sim
        .create_item(ORGANIZER, NewItem::recurring("Weekly"))
        .unwrap();
    let orphan_date = time::macros::date!(2026 - 01 - 13);
    let orphan = sim
        .create_item(
            ATTENDEE,
            NewItem {
                kind: CalendarKind::Exception,
                uid: Some(series.uid.clone()),
                instance_date: Some(orphan_date),
                ..NewItem::single("Weekly (13 Jan only)")
            },
        )
        .unwrap();
    let o = meetings(&mut org, 1).await;
    let a = meetings(&mut att, 1).await;
    assert_eq!(o[0].meeting, a[0].meeting, "same meeting in both mailboxes");
    assert_ne!(
        o[0].global_object_id, a[0].global_object_id,
        "the orphan's own GOID differs"
    );
    assert_eq!(a[0].item_id, orphan.id);
    assert_eq!(a[0].instance_date.as_deref(), Some("2026-01-13"));
    assert_eq!(o[0].instance_date, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_gone_before_binding_are_reported_never_dropped() {
    let (sim, client) = start(&[ORGANIZER]).await;
    let watch_spec = Watch::calendar(ORGANIZER);
    // The batch binder on its own: one GetItem for a live and a deleted id.
    let live = sim.create_item(ORGANIZER, NewItem::single("live")).unwrap();
    let gone = sim.create_item(ORGANIZER, NewItem::single("gone")).unwrap();
    sim.delete_item(ORGANIZER, &gone.id);
    let before = sim.stats().requests;
    let answers = bind_items(&client, &watch_spec, &[live.id.clone(), gone.id.clone()])
        .await
        .unwrap();
    assert_eq!(sim.stats().requests - before, 1, "one GetItem for both ids");
    assert!(
        matches!(&answers[0], Bound::Found(i) if i.item_id.as_deref() == Some(live.id.as_str()))
    );
    assert_eq!(
        answers[1],
        Bound::NotFound {
            item_id: gone.id.clone()
        }
    );

    // Created and deleted between two reads: both events still reach the meeting stream.
    let mut stream = watch(&client, ORGANIZER);
    subscribed(&sim, 1).await;
    let ghost = sim
        .create_item(ORGANIZER, NewItem::single("ghost"))
        .unwrap();
    sim.delete_item(ORGANIZER, &ghost.id);
    let got = meetings(&mut stream, 2).await;
    assert_eq!(got.len(), 2, "both events reported: {got:?}");
    assert!(got.iter().all(|m| m.item_id == ghost.id));
    // Depending on when the pull ran, the create was read (created + deleted, named) or not
    // (unresolved, with the reason).
    match got[0].change {
        Change::Created => {
            assert_eq!(got[1].change, Change::Deleted);
            assert_eq!(clean(&got[1]), b64_clean(&ghost.clean_goid));
        }
        Change::Unresolved => {
            assert_eq!(got[0].reason, Some(Reason::ItemNotFound));
            assert_eq!(got[1].change, Change::Unresolved);
            assert_eq!(got[1].reason, Some(Reason::NotTracked));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catch_up_repeat_gives_no_second_meeting_change_and_keeps_its_id() {
    let (sim, client) = start(&[ORGANIZER]).await;
    let mut stream = watch(&client, ORGANIZER);
    subscribed(&sim, 1).await;
    let item = sim.create_item(ORGANIZER, NewItem::single("kept")).unwrap();
    let first = meetings(&mut stream, 1).await;
    assert_eq!(first[0].change, Change::Created);
    let position = stream.position().clone();
    let correlator = stream.into_correlator();
    // While nobody watches, an item is created and the server forgets its log: the saved
    // watermark is refused, so the client subscribes afresh and catches up with
    // SyncFolderItems from the saved sync state, which gives both items as creations.
    let between = sim
        .create_item(ORGANIZER, NewItem::single("while stopped"))
        .unwrap();
    sim.forget_log(ORGANIZER);
    sim.forget_subscriptions(ORGANIZER);
    let resume = |c| {
        let w = Watch::calendar(ORGANIZER).from_position(position.clone());
        let events = watch_pull(&client, w.clone(), Duration::from_millis(10));
        MeetingStream::with_correlator(client.clone(), w, events, c)
    };
    // The same map: no second change, the repeat is traced as unchanged.
    let mut stream = resume(correlator);
    let mut repeat_seen = false;
    let mut got = Vec::new();
    let mut others = Vec::new();
    for _ in 0..200 {
        match tokio::time::timeout(Duration::from_millis(100), stream.next()).await {
            Ok(Some(MeetingUpdate::Meeting(m))) => got.push(*m),
            Ok(Some(u @ (MeetingUpdate::Recovery { .. } | MeetingUpdate::BindFailed { .. }))) => {
                others.push(u);
            }
            Ok(Some(MeetingUpdate::Ignored { ignored, .. })) => {
                if ignored.item_id.as_deref() == Some(item.id.as_str()) {
                    assert_eq!(ignored.reason, IgnoreReason::Unchanged);
                    repeat_seen = true;
                    break;
                }
            }
            Ok(Some(MeetingUpdate::Failed { error, .. })) => panic!("failed: {error}"),
            Err(_) => {}
            Ok(None) => break,
        }
    }
    assert!(
        repeat_seen,
        "the catch-up repeated the item; from {position:?}: {others:?} {got:?}"
    );
    assert!(
        got.iter().all(|m| m.item_id != item.id),
        "no second change: {got:?}"
    );
    if !got.iter().any(|m| m.item_id == between.id) {
        got.extend(meetings(&mut stream, 1).await);
    }
    assert!(
        got.iter()
            .any(|m| m.item_id == between.id && m.change == Change::Created),
        "the item created while stopped: {got:?}"
    );
    drop(stream);
    // A lost map (a restart without a durable store): the repeat gives the same eventId.
    sim.forget_log(ORGANIZER);
    sim.forget_subscriptions(ORGANIZER);
    let mut stream = resume(ews_notify_meetings::Correlator::new());
    let again = meetings(&mut stream, 1).await;
    assert_eq!(again[0].item_id, item.id);
    assert_eq!(again[0].cause.origin, ews_notify_meetings::Origin::CatchUp);
    assert_eq!(
        again[0].event_id, first[0].event_id,
        "same id for the same change"
    );
}
