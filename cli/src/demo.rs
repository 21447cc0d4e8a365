//! `ews-notify demo`: the transport against the in-process EWS simulator (a test double), with
//! calendar changes, the recurring-series cases from the seed blog, and injected faults. Every
//! mailbox's events go through the meeting correlator: each line names the meeting behind the
//! change; `--json` prints every meeting event as a JSON line instead (narration on stderr).

use std::time::Duration;

use ews_notify::GlobalObjectId;
use ews_notify_client::meetings::{IgnoreReason, MeetingEvent, MeetingStream, MeetingUpdate};
use ews_notify_client::{
    Client, PushOptions, Recovery, StreamingOptions, Watch, listen_push, watch_pull,
    watch_streaming,
};
use ews_sim::{CalendarKind, Config, Fault, NewItem, Simulator};

/// Arguments of `ews-notify demo`.
#[derive(clap::Args)]
pub struct Args {
    /// Seed of the simulator's fault generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print every meeting event as one JSON line on stdout (narration goes to stderr).
    #[arg(long)]
    json: bool,
}

const PULL: &str = "alice@example.com";
const STREAMING: &str = "bob@example.com";
const PUSH: &str = "carol@example.com";

/// Runs the demo; prints what happens as it happens.
pub fn run(args: &Args) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("error: cannot start the runtime: {e}"))?;
    rt.block_on(demo(args.seed, args.json))
}

/// Short names for ids in the output: `#1`, `#2`, ... in order of first appearance.
#[derive(Default)]
struct Names(std::collections::HashMap<String, usize>);

impl Names {
    fn of(&mut self, id: &str) -> String {
        let n = self.0.len() + 1;
        format!("#{}", self.0.entry(id.to_string()).or_insert(n))
    }
}

/// The last 12 hex digits of a base64 GlobalObjectId: enough to tell meetings apart on screen.
fn short(goid_b64: &str) -> String {
    match GlobalObjectId::from_base64(goid_b64) {
        Ok(g) => {
            let hex = g.to_hex();
            format!("…{}", &hex[hex.len().saturating_sub(12)..])
        }
        Err(_) => "?".into(),
    }
}

fn describe_meeting(m: &MeetingEvent, names: &mut Names) -> String {
    let meeting = m
        .meeting
        .as_ref()
        .map_or_else(|| "-".to_string(), |k| short(&k.clean_global_object_id));
    let mut line = format!(
        "MEETING {:<19} meeting {meeting:<13} item {:<4}",
        m.change.as_str(),
        names.of(&m.item_id)
    );
    if let Some(d) = &m.instance_date {
        line.push_str(&format!(" instance {d}"));
    }
    if let Some(s) = &m.subject {
        line.push_str(&format!(" \"{s}\""));
    }
    if let Some(split) = &m.split {
        line.push_str(&format!(
            " (was meeting {}, past part {}, from {})",
            short(&split.previous_meeting.clean_global_object_id),
            split.past_item_id.as_deref().map_or_else(
                || "not seen yet".to_string(),
                |p| format!("item {}", names.of(p))
            ),
            split.split_date.as_deref().unwrap_or("?")
        ));
    }
    if let Some(r) = m.reason {
        line.push_str(&format!(" [{r:?}]"));
    }
    if m.cause.origin == ews_notify_client::meetings::MeetingOrigin::CatchUp {
        line.push_str(" via catch-up");
    }
    line
}

fn describe(update: &MeetingUpdate, names: &mut Names) -> String {
    match update {
        MeetingUpdate::Meeting(m) => describe_meeting(m, names),
        MeetingUpdate::Ignored { ignored, .. } => format!(
            "          {} {} is no meeting change ({:?})",
            ignored.event_kind,
            ignored
                .item_id
                .as_deref()
                .map_or_else(|| "folder".to_string(), |i| format!("item {}", names.of(i))),
            ignored.reason
        ),
        MeetingUpdate::BindFailed { error, .. } => format!("GetItem failed: {error}"),
        MeetingUpdate::Recovery { recovery, .. } => match recovery {
            Recovery::Resubscribed {
                from_watermark: true,
                reason,
            } => format!(
                "RECOVERY  resubscribed from the last watermark ({})",
                reason.as_deref().unwrap_or("resume")
            ),
            Recovery::Resubscribed { reason, .. } => format!(
                "RECOVERY  new subscription ({})",
                reason.as_deref().unwrap_or("-")
            ),
            Recovery::CaughtUp { changes, .. } => {
                format!("RECOVERY  caught up with SyncFolderItems: {changes} change(s)")
            }
            Recovery::Reconnected { reason } => format!("RECOVERY  reconnected: {reason}"),
        },
        MeetingUpdate::Failed { error, .. } => format!("FAILED    {error}"),
    }
}

/// Narration: stdout, or stderr when stdout carries JSON lines.
fn say(json: bool, line: &str) {
    if json {
        eprintln!("{line}");
    } else {
        println!("{line}");
    }
}

fn goid_line(label: &str, goid: &[u8]) -> String {
    match GlobalObjectId::from_bytes(goid) {
        Ok(g) => format!(
            "          {label}: GlobalObjectId …{} instance date {} clean …{}",
            &g.to_hex()[g.to_hex().len().saturating_sub(12)..],
            g.instance_date()
                .map_or_else(|| "none".to_string(), |d| d.to_string()),
            &g.clean().to_hex()[g.clean().to_hex().len().saturating_sub(12)..],
        ),
        Err(e) => format!("          {label}: unreadable GlobalObjectId: {e}"),
    }
}

async fn pause() {
    tokio::time::sleep(Duration::from_millis(400)).await;
}

async fn demo(seed: u64, json: bool) -> Result<(), String> {
    let sim = Simulator::start(Config {
        seed,
        heartbeat: Duration::from_millis(300),
        minute: Duration::from_secs(2),
        ..Config::default()
    })
    .await
    .map_err(|e| format!("error: cannot start the simulator: {e}"))?;
    say(
        json,
        &format!(
            "EWS simulator (a test double, not Exchange) at {}",
            sim.url()
        ),
    );
    sim.add_mailbox(PULL);
    sim.add_mailbox(STREAMING);
    sim.add_mailbox(PUSH);
    let client = Client::builder(sim.url())
        .basic("demo", "demo")
        .unavailable_back_off(Duration::from_millis(200))
        .build()
        .map_err(|e| format!("error: {e}"))?;
    let pull = watch_pull(&client, Watch::calendar(PULL), Duration::from_millis(250));
    let mut streaming = watch_streaming(
        &client,
        vec![Watch::calendar(STREAMING)],
        StreamingOptions {
            connection_timeout_minutes: 1,
            heartbeat_deadline: Duration::from_secs(3),
            ..StreamingOptions::default()
        },
    );
    let mut push_options = PushOptions::new(([127, 0, 0, 1], 0).into(), "demo-secret");
    // StatusFrequency is 1 minute, 2 s in this simulator: silent after 5 s.
    push_options.silence_after = Some(Duration::from_secs(5));
    let mut push = listen_push(&client, vec![Watch::calendar(PUSH)], push_options)
        .await
        .map_err(|e| format!("error: cannot start the push listener: {e}"))?;
    say(json, &format!("push listener at {}", push.url()));
    let mut printers = Vec::new();
    for (label, mailbox, stream) in [
        ("pull     ", PULL, pull),
        ("streaming", STREAMING, streaming.remove(0)),
        ("push     ", PUSH, push.streams.remove(0)),
    ] {
        let mut meetings = MeetingStream::new(client.clone(), Watch::calendar(mailbox), stream);
        printers.push(tokio::spawn(async move {
            let mut names = Names::default();
            while let Some(u) = meetings.next().await {
                match (&u, json) {
                    (MeetingUpdate::Meeting(m), true) => println!("{}", m.to_json()),
                    // A folder's own ModifiedEvent follows every change: not worth a line.
                    (MeetingUpdate::Ignored { ignored, .. }, _)
                        if ignored.reason == IgnoreReason::FolderEvent => {}
                    (_, true) => eprintln!("[{label}] {}", describe(&u, &mut names)),
                    (_, false) => println!("[{label}] {}", describe(&u, &mut names)),
                }
            }
        }));
    }
    // Let both subscriptions come up.
    for _ in 0..50 {
        if sim.stats().subscriptions >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    for mailbox in [PULL, STREAMING, PUSH] {
        say(
            json,
            &format!("--- {mailbox}: a single meeting, created, moved, deleted"),
        );
        let one = sim
            .create_item(mailbox, NewItem::single("1:1"))
            .ok_or("error: create failed")?;
        pause().await;
        sim.modify_item(mailbox, &one.id, "1:1 (moved)");
        pause().await;
        sim.delete_item(mailbox, &one.id);
        pause().await;

        say(
            json,
            &format!(
                "--- {mailbox}: a weekly series; one occurrence edited (the master item is modified)"
            ),
        );
        let series = sim
            .create_item(mailbox, NewItem::recurring("weekly sync"))
            .ok_or("error: create failed")?;
        sim.modify_item(mailbox, &series.id, "weekly sync (one occurrence edited)");
        pause().await;

        say(
            json,
            &format!(
                "--- {mailbox}: an attendee invited to one occurrence only gets an orphan exception"
            ),
        );
        let orphan = sim
            .create_item(
                mailbox,
                NewItem {
                    kind: CalendarKind::Exception,
                    uid: Some(series.uid.clone()),
                    instance_date: time::Date::from_calendar_date(2026, time::Month::January, 13)
                        .ok(),
                    ..NewItem::single("weekly sync (orphan instance)")
                },
            )
            .ok_or("error: create failed")?;
        say(
            json,
            &format!(
                "          same meeting by CleanGlobalObjectId: {}",
                orphan.clean_goid == series.clean_goid
            ),
        );
        pause().await;

        say(
            json,
            &format!(
                "--- {mailbox}: the series is edited from today on: Exchange splits it (seed case 2.3)"
            ),
        );
        if let Some((past, cont)) = sim.split_series(mailbox, &series.id, "2026-01-13T09:00:00Z") {
            say(
                json,
                &goid_line("simulator: past part (new item)", &past.goid).to_string(),
            );
            say(
                json,
                &goid_line("simulator: continued series (same item)", &cont.goid).to_string(),
            );
        }
        pause().await;
    }

    say(
        json,
        "--- faults: the server throttles (ErrorServerBusy, BackOffMilliseconds=500); the client waits it out",
    );
    sim.inject(Fault::ServerBusy(Duration::from_millis(500)));
    let x = sim.create_item(PULL, NewItem::single("during throttling"));
    pause().await;
    say(
        json,
        &format!("--- faults: the server forgets {PULL}'s pull subscription"),
    );
    sim.forget_subscriptions(PULL);
    if let Some(x) = &x {
        sim.modify_item(PULL, &x.id, "after the subscription was lost");
    }
    pause().await;
    pause().await;
    say(
        json,
        &format!(
            "--- faults: {PULL}'s watermark expires (the event log is dropped) and the subscription is lost"
        ),
    );
    if let Some(x) = &x {
        sim.modify_item(PULL, &x.id, "while the watermark expires");
    }
    sim.forget_log(PULL);
    sim.forget_subscriptions(PULL);
    pause().await;
    pause().await;
    say(
        json,
        &format!("--- faults: {STREAMING}'s connection drops in the middle of an envelope"),
    );
    sim.inject(Fault::DropMidEnvelope);
    sim.create_item(STREAMING, NewItem::single("sent into a broken connection"));
    pause().await;
    pause().await;
    say(
        json,
        &format!("--- faults: the server forgets {STREAMING}'s streaming subscription"),
    );
    sim.forget_subscriptions(STREAMING);
    sim.create_item(STREAMING, NewItem::single("while unsubscribed"));
    pause().await;
    pause().await;
    pause().await;
    say(
        json,
        &format!(
            "--- faults: the server forgets {PUSH}'s push subscription; the listener notices the silence"
        ),
    );
    sim.forget_subscriptions(PUSH);
    sim.create_item(PUSH, NewItem::single("while the push subscription is gone"));
    for _ in 0..16 {
        pause().await;
    }
    drop(client);
    let stats = sim.stats();
    say(
        json,
        &format!(
            "--- done: {} requests, {} faults injected, {} streaming connections, {} push deliveries; \
generated events: {} {PULL}, {} {STREAMING}, {} {PUSH}",
            stats.requests,
            stats.faults,
            stats.streaming_connections,
            stats.push_deliveries,
            sim.generated(PULL).len(),
            sim.generated(STREAMING).len(),
            sim.generated(PUSH).len(),
        ),
    );
    for p in printers {
        p.abort();
    }
    Ok(())
}
