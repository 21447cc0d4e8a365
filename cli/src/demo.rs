//! `ews-notify demo`: the transport against the in-process EWS simulator (a test double), with
//! calendar changes, the recurring-series cases from the seed blog, and injected faults.

use std::time::Duration;

use ews_notify::GlobalObjectId;
use ews_notify_client::{
    Client, Origin, PushOptions, Recovery, StreamingOptions, Update, Watch, listen_push,
    watch_pull, watch_streaming,
};
use ews_sim::{CalendarKind, Config, Fault, NewItem, Simulator};

/// Arguments of `ews-notify demo`.
#[derive(clap::Args)]
pub struct Args {
    /// Seed of the simulator's fault generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
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
    rt.block_on(demo(args.seed))
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

fn describe(update: &Update, names: &mut Names) -> String {
    match update {
        Update::Event(d) => {
            let e = &d.event;
            let kind = format!("{:?}", e.kind).to_lowercase();
            let what = match (&e.item_id, &e.folder_id) {
                (Some(i), _) => format!("item {}", names.of(&i.id)),
                (_, Some(f)) => format!("folder {}", names.of(&f.id)),
                _ => "-".into(),
            };
            let how = match d.origin {
                Origin::Notification => "notification",
                Origin::CatchUp => "catch-up (may repeat)",
            };
            format!("{kind:<9} {what:<10} via {how}")
        }
        Update::Recovery { recovery, .. } => match recovery {
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
        Update::Failed { error, .. } => format!("FAILED    {error}"),
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

async fn demo(seed: u64) -> Result<(), String> {
    let sim = Simulator::start(Config {
        seed,
        heartbeat: Duration::from_millis(300),
        minute: Duration::from_secs(2),
        ..Config::default()
    })
    .await
    .map_err(|e| format!("error: cannot start the simulator: {e}"))?;
    println!(
        "EWS simulator (a test double, not Exchange) at {}",
        sim.url()
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
    println!("push listener at {}", push.url());
    let mut printers = Vec::new();
    for (label, mailbox, mut stream) in [
        ("pull     ", PULL, pull),
        ("streaming", STREAMING, streaming.remove(0)),
        ("push     ", PUSH, push.streams.remove(0)),
    ] {
        let client = client.clone();
        printers.push(tokio::spawn(async move {
            let mut names = Names::default();
            let watch = Watch::calendar(mailbox);
            while let Some(u) = stream.next().await {
                println!("[{label}] {}", describe(&u, &mut names));
                // New items: fetch them (GetItem) to show which meeting they are.
                if let Update::Event(d) = &u {
                    let created = d.event.kind == ews_notify::EventKind::Created
                        && d.origin == Origin::Notification;
                    if let (true, Some(id)) = (created, &d.event.item_id) {
                        match client.bind(&watch, &id.id).await {
                            Ok(Some(item)) => {
                                if let Some(g) = &item.global_object_id {
                                    println!("{}", goid_line("bound", g.as_bytes()));
                                }
                            }
                            Ok(None) => println!("          bound: already deleted"),
                            Err(e) => println!("          bound: {e}"),
                        }
                    }
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
        println!("--- {mailbox}: a single meeting, created, moved, deleted");
        let one = sim
            .create_item(mailbox, NewItem::single("1:1"))
            .ok_or("error: create failed")?;
        pause().await;
        sim.modify_item(mailbox, &one.id, "1:1 (moved)");
        pause().await;
        sim.delete_item(mailbox, &one.id);
        pause().await;

        println!(
            "--- {mailbox}: a weekly series; one occurrence edited (the master item is modified)"
        );
        let series = sim
            .create_item(mailbox, NewItem::recurring("weekly sync"))
            .ok_or("error: create failed")?;
        sim.modify_item(mailbox, &series.id, "weekly sync (one occurrence edited)");
        pause().await;

        println!(
            "--- {mailbox}: an attendee invited to one occurrence only gets an orphan exception"
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
        println!(
            "          same meeting by CleanGlobalObjectId: {}",
            orphan.clean_goid == series.clean_goid
        );
        pause().await;

        println!(
            "--- {mailbox}: the series is edited from today on: Exchange splits it (seed case 2.3)"
        );
        if let Some((past, cont)) = sim.split_series(mailbox, &series.id, "2026-01-13T09:00:00Z") {
            println!(
                "{}",
                goid_line("simulator: past part (new item)", &past.goid)
            );
            println!(
                "{}",
                goid_line("simulator: continued series (same item)", &cont.goid)
            );
        }
        pause().await;
    }

    println!(
        "--- faults: the server throttles (ErrorServerBusy, BackOffMilliseconds=500); the client waits it out"
    );
    sim.inject(Fault::ServerBusy(Duration::from_millis(500)));
    let x = sim.create_item(PULL, NewItem::single("during throttling"));
    pause().await;
    println!("--- faults: the server forgets {PULL}'s pull subscription");
    sim.forget_subscriptions(PULL);
    if let Some(x) = &x {
        sim.modify_item(PULL, &x.id, "after the subscription was lost");
    }
    pause().await;
    pause().await;
    println!(
        "--- faults: {PULL}'s watermark expires (the event log is dropped) and the subscription is lost"
    );
    if let Some(x) = &x {
        sim.modify_item(PULL, &x.id, "while the watermark expires");
    }
    sim.forget_log(PULL);
    sim.forget_subscriptions(PULL);
    pause().await;
    pause().await;
    println!("--- faults: {STREAMING}'s connection drops in the middle of an envelope");
    sim.inject(Fault::DropMidEnvelope);
    sim.create_item(STREAMING, NewItem::single("sent into a broken connection"));
    pause().await;
    pause().await;
    println!("--- faults: the server forgets {STREAMING}'s streaming subscription");
    sim.forget_subscriptions(STREAMING);
    sim.create_item(STREAMING, NewItem::single("while unsubscribed"));
    pause().await;
    pause().await;
    pause().await;
    println!(
        "--- faults: the server forgets {PUSH}'s push subscription; the listener notices the silence"
    );
    sim.forget_subscriptions(PUSH);
    sim.create_item(PUSH, NewItem::single("while the push subscription is gone"));
    for _ in 0..16 {
        pause().await;
    }
    drop(client);
    let stats = sim.stats();
    println!(
        "--- done: {} requests, {} faults injected, {} streaming connections, {} push deliveries; \
generated events: {} {PULL}, {} {STREAMING}, {} {PUSH}",
        stats.requests,
        stats.faults,
        stats.streaming_connections,
        stats.push_deliveries,
        sim.generated(PULL).len(),
        sim.generated(STREAMING).len(),
        sim.generated(PUSH).len(),
    );
    for p in printers {
        p.abort();
    }
    Ok(())
}
