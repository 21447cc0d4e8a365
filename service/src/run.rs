//! The run loop: watches feed a writer that commits events with their positions; a forwarder
//! delivers the outbox to the sink; a supervisor keeps the watches in line with the mailbox
//! set; an HTTP endpoint shows metrics and health.
//!
//! ```text
//! watch (per mailbox) --Write--> writer --commit--> SQLite outbox --forwarder--> sink
//! ```
//! Back-pressure: the writer commits only while the outbox is under its bound; while it waits,
//! the bounded channels fill up and the client stops reading from Exchange, so positions do
//! not advance and Exchange keeps the events.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ews_notify_client::{
    Client, EventStream, Origin, Position, PushOptions, Recovery, StreamingOptions, Update, Watch,
    listen_push, watch_pull, watch_streaming,
};
use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;

use crate::config::{Auth, Config, Mode};
use crate::event::{ItemEvent, OutboundEvent};
use crate::mailboxes::Sources;
use crate::metrics::Metrics;
use crate::sink::Sink;
use crate::store::{Record, SqliteStore, StateStore, StoreError};

/// Why the service could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The configuration is unusable.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The state file is unusable.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The EWS client could not be built.
    #[error("client: {0}")]
    Client(#[from] ews_notify_client::Error),
    /// The operations endpoint or the push listener could not bind.
    #[error("bind {0}")]
    Bind(String),
}

/// One write for the writer: an event, a position, or both (committed together).
struct Write {
    mailbox: String,
    record: Option<Record>,
    position: Option<Position>,
}

/// Capacity of the channel into the writer.
const WRITE_CHANNEL: usize = 1024;
/// Most writes committed in one transaction.
const WRITE_BATCH: usize = 512;

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Capped exponential back-off with jitter: `base * 2^attempt`, at most `cap`, then a random
/// part of up to a half of it added (so many waiters do not retry in step).
pub fn back_off(base: Duration, cap: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.min(20)).min(cap);
    let mut seed = [0u8; 8];
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut seed);
    let r = u64::from_le_bytes(seed);
    let half = u64::try_from(exp.as_millis() / 2)
        .unwrap_or(u64::MAX)
        .max(1);
    exp + Duration::from_millis(r % half)
}

/// Runs the service until `shutdown` resolves; then stops reading, flushes the outbox for at
/// most `[shutdown] flush_timeout_secs` and returns. `reload` fires on SIGHUP.
///
/// # Errors
/// [`ServeError`] when the state, the client or an endpoint cannot be set up.
pub async fn serve(
    config: Config,
    shutdown: impl Future<Output = ()> + Send,
    reload: Arc<Notify>,
) -> Result<(), ServeError> {
    let store: Arc<dyn StateStore> = Arc::new(SqliteStore::open(&config.state.path)?);
    let metrics = Arc::new(Metrics::default());
    metrics
        .outbox_depth
        .store(store.outbox_depth()?, Ordering::Relaxed);
    let client = build_client(&config)?;
    let http = match config.http.bind {
        Some(addr) => Some(start_http(addr, metrics.clone()).await?),
        None => None,
    };
    let drained = Arc::new(Notify::new());
    let written = Arc::new(Notify::new());
    let (stop_tx, stop_rx) = watch::channel(false);
    let (tx, rx) = mpsc::channel::<Write>(WRITE_CHANNEL);
    let writer = tokio::spawn(writer(
        store.clone(),
        rx,
        config.state.outbox_max,
        metrics.clone(),
        drained.clone(),
        written.clone(),
        stop_rx.clone(),
    ));
    let forwarder = tokio::spawn(forwarder(
        store.clone(),
        config.clone(),
        metrics.clone(),
        drained,
        written,
        stop_rx.clone(),
    ));
    let supervisor = tokio::spawn(supervise(
        config.clone(),
        client,
        store.clone(),
        tx,
        metrics.clone(),
        reload,
        stop_rx,
    ));
    shutdown.await;
    tracing::info!("shutting down: reading stops, the outbox is flushed");
    let _ = stop_tx.send(true);
    // The supervisor drops every watch (and with it the writer's senders).
    let _ = supervisor.await;
    let _ = writer.await;
    let flush = Duration::from_secs(config.shutdown.flush_timeout_secs);
    if tokio::time::timeout(flush, forwarder).await.is_err() {
        tracing::warn!(
            left = store.outbox_depth().unwrap_or(0),
            "flush timeout: events left in the outbox are sent on the next start"
        );
    }
    if let Some(h) = http {
        h.abort();
    }
    Ok(())
}

/// [`serve`] until SIGTERM or SIGINT, reloading the mailbox set on SIGHUP.
///
/// # Errors
/// [`ServeError`] as [`serve`], or [`ServeError::Bind`] when signals cannot be handled.
pub async fn serve_until_signal(config: Config) -> Result<(), ServeError> {
    use tokio::signal::unix::{SignalKind, signal};
    let sig = |k: SignalKind| signal(k).map_err(|e| ServeError::Bind(format!("signal: {e}")));
    let mut term = sig(SignalKind::terminate())?;
    let mut int = sig(SignalKind::interrupt())?;
    let mut hup = sig(SignalKind::hangup())?;
    let reload = Arc::new(Notify::new());
    let r = reload.clone();
    let hup_task = tokio::spawn(async move {
        while hup.recv().await.is_some() {
            r.notify_one();
        }
    });
    let shutdown = async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    };
    let result = serve(config, shutdown, reload).await;
    hup_task.abort();
    result
}

fn build_client(config: &Config) -> Result<Client, ServeError> {
    let ex = &config.exchange;
    let mut b = Client::builder(ex.url.clone());
    b = match ex.auth {
        Auth::Basic => b.basic(ex.user.clone().unwrap_or_default(), config.password()?),
        Auth::Ntlm => b.ntlm(ex.user.clone().unwrap_or_default(), config.password()?),
        Auth::Bearer => {
            // Checked now; read again at each call, so a token file rotated on disk is used
            // after the next 401.
            config.token()?;
            let c = config.clone();
            let provider: ews_notify_client::TokenProvider =
                Arc::new(move |_refresh| c.token().map_err(|e| e.to_string()));
            b.bearer(provider)
        }
    };
    if let Some(ca) = &ex.ca_file {
        let pem = std::fs::read(ca).map_err(|e| crate::config::ConfigError::Key {
            key: "exchange.ca_file".into(),
            message: format!("cannot read `{}`: {e}", ca.display()),
        })?;
        b = b.add_ca_pem(pem);
    }
    if let Some(p) = &ex.proxy {
        b = b.proxy(p.clone());
    }
    if let Some(n) = ex.max_concurrency {
        b = b.max_concurrency(n);
    }
    if let Some(t) = ex.request_timeout_secs {
        b = b.request_timeout(Duration::from_secs(t));
    }
    Ok(b.build()?)
}

async fn start_http(
    addr: std::net::SocketAddr,
    metrics: Arc<Metrics>,
) -> Result<JoinHandle<()>, ServeError> {
    use axum::http::StatusCode;
    use axum::routing::get;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| ServeError::Bind(format!("{addr}: {e}")))?;
    let m1 = metrics.clone();
    let m2 = metrics;
    let app = axum::Router::new()
        .route("/metrics", get(move || async move { m1.render() }))
        .route("/healthz", get(|| async { "ok\n" }))
        .route(
            "/readyz",
            get(move || async move {
                if m2.ready() {
                    (StatusCode::OK, "ready\n")
                } else {
                    (StatusCode::SERVICE_UNAVAILABLE, "not ready\n")
                }
            }),
        );
    tracing::info!(%addr, "operations endpoint: /metrics /healthz /readyz");
    Ok(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "operations endpoint stopped");
        }
    }))
}

/// Commits writes in batches; waits while the outbox is at its bound.
async fn writer(
    store: Arc<dyn StateStore>,
    mut rx: mpsc::Receiver<Write>,
    outbox_max: u64,
    metrics: Arc<Metrics>,
    drained: Arc<Notify>,
    written: Arc<Notify>,
    stop: watch::Receiver<bool>,
) {
    // Writes read but not yet committed, in order (what did not fit under the bound).
    let mut carry: std::collections::VecDeque<Write> = std::collections::VecDeque::new();
    loop {
        if carry.is_empty() {
            match rx.recv().await {
                Some(w) => carry.push_back(w),
                None => return,
            }
        }
        while carry.len() < WRITE_BATCH {
            match rx.try_recv() {
                Ok(w) => carry.push_back(w),
                Err(_) => break,
            }
        }
        // Back-pressure: wait for room; then take the writes (in order) that fit. A write
        // without an event (a position after a catch-up) always fits.
        let batch: Vec<Write> = loop {
            let depth = store.outbox_depth().unwrap_or(u64::MAX);
            metrics.outbox_depth.store(depth, Ordering::Relaxed);
            let mut room = outbox_max.saturating_sub(depth);
            let mut take = 0;
            for w in &carry {
                if w.record.is_some() {
                    if room == 0 {
                        break;
                    }
                    room -= 1;
                }
                take += 1;
            }
            if take > 0 {
                metrics.paused.store(0, Ordering::Relaxed);
                break carry.drain(..take).collect();
            }
            if metrics.paused.swap(1, Ordering::Relaxed) == 0 {
                tracing::warn!(
                    depth,
                    outbox_max,
                    "outbox full: reading from Exchange pauses"
                );
            }
            if *stop.borrow() {
                // Not committed: the positions did not advance, the events come again.
                return;
            }
            let _ = tokio::time::timeout(Duration::from_millis(500), drained.notified()).await;
        };
        let mut records = Vec::new();
        let mut positions: BTreeMap<String, Position> = BTreeMap::new();
        for w in batch {
            if let Some(r) = w.record {
                records.push(r);
            }
            if let Some(p) = w.position {
                positions.insert(w.mailbox, p);
            }
        }
        let positions: Vec<(String, Position)> = positions.into_iter().collect();
        let mut attempt = 0;
        loop {
            let s = store.clone();
            let (r, p) = (records.clone(), positions.clone());
            let result = tokio::task::spawn_blocking(move || s.commit(&r, &p)).await;
            match result {
                Ok(Ok(())) => break,
                Ok(Err(e)) => {
                    tracing::error!(error = %e, attempt, "outbox commit failed; retrying")
                }
                Err(e) => {
                    tracing::error!(error = %e, attempt, "outbox commit task failed; retrying")
                }
            }
            if *stop.borrow() {
                return;
            }
            tokio::time::sleep(back_off(
                Duration::from_millis(100),
                Duration::from_secs(10),
                attempt,
            ))
            .await;
            attempt += 1;
        }
        metrics
            .outbox_depth
            .fetch_add(records.len() as u64, Ordering::Relaxed);
        written.notify_one();
    }
}

/// Delivers the outbox to the sink; deletes what it acknowledged.
async fn forwarder(
    store: Arc<dyn StateStore>,
    config: Config,
    metrics: Arc<Metrics>,
    drained: Arc<Notify>,
    written: Arc<Notify>,
    stop: watch::Receiver<bool>,
) {
    let mut sink: Option<Sink> = None;
    let mut attempt = 0u32;
    loop {
        let pending = match store.pending(config.sink.batch) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "outbox unreadable");
                Vec::new()
            }
        };
        if pending.is_empty() {
            metrics.outbox_depth.store(0, Ordering::Relaxed);
            drained.notify_waiters();
            if *stop.borrow() {
                return;
            }
            if sink.is_none() {
                // Connect early, so readiness tells the truth before the first event.
                match Sink::connect(&config.sink).await {
                    Ok(s) => {
                        metrics.sink_ok.store(true, Ordering::Relaxed);
                        sink = Some(s);
                    }
                    Err(e) => {
                        metrics.sink_ok.store(false, Ordering::Relaxed);
                        tracing::warn!(error = %e, "sink not reachable yet");
                    }
                }
            }
            let _ = tokio::time::timeout(Duration::from_millis(250), written.notified()).await;
            continue;
        }
        let s = match sink.as_mut() {
            Some(s) => s,
            None => match Sink::connect(&config.sink).await {
                Ok(s) => sink.insert(s),
                Err(e) => {
                    metrics.sink_ok.store(false, Ordering::Relaxed);
                    metrics.sink_errors.fetch_add(1, Ordering::Relaxed);
                    wait_after_failure(&metrics, &mut attempt, &e.to_string()).await;
                    continue;
                }
            },
        };
        let started = Instant::now();
        let result = s.send(&pending).await;
        metrics.sink_latency(started.elapsed());
        let (acked, failure) = match result {
            Ok(()) => (pending.len(), None),
            Err(p) => (p.acknowledged.min(pending.len()), Some(p.error)),
        };
        let done: Vec<i64> = pending.iter().take(acked).map(|p| p.seq).collect();
        if !done.is_empty() {
            let s2 = store.clone();
            match tokio::task::spawn_blocking(move || s2.acknowledge(&done)).await {
                Ok(Ok(())) => {
                    let mut by_kind: BTreeMap<&str, u64> = BTreeMap::new();
                    for p in pending.iter().take(acked) {
                        *by_kind.entry(p.record.kind.as_str()).or_default() += 1;
                    }
                    for (k, n) in by_kind {
                        metrics.events_out(k, n);
                    }
                    let _ = metrics.outbox_depth.fetch_update(
                        Ordering::Relaxed,
                        Ordering::Relaxed,
                        |d| Some(d.saturating_sub(acked as u64)),
                    );
                    drained.notify_waiters();
                }
                // Not deleted: sent again later, with the same ids.
                Ok(Err(e)) => tracing::error!(error = %e, "acknowledged events not deleted"),
                Err(e) => tracing::error!(error = %e, "acknowledge task failed"),
            }
        }
        match failure {
            None => {
                attempt = 0;
                metrics.sink_ok.store(true, Ordering::Relaxed);
            }
            Some(e) => {
                metrics.sink_ok.store(false, Ordering::Relaxed);
                metrics.sink_errors.fetch_add(1, Ordering::Relaxed);
                // Reconnect on the next attempt. Progress (a prefix taken) restarts the
                // back-off from its base: the sink is up, it refused one event.
                sink = None;
                if acked > 0 {
                    attempt = 0;
                }
                if *stop.borrow() && acked == 0 {
                    tracing::warn!(error = %e, "sink down during shutdown");
                }
                wait_after_failure(&metrics, &mut attempt, &e.to_string()).await;
            }
        }
    }
}

async fn wait_after_failure(metrics: &Metrics, attempt: &mut u32, error: &str) {
    let d = back_off(
        Duration::from_millis(100),
        Duration::from_secs(30),
        *attempt,
    );
    tracing::warn!(
        error,
        attempt = *attempt,
        wait_ms = d.as_millis() as u64,
        "sink failed; retrying"
    );
    metrics.sink_back_offs.fetch_add(1, Ordering::Relaxed);
    *attempt = attempt.saturating_add(1);
    tokio::time::sleep(d).await;
}

/// A running watch of one mailbox.
struct Running {
    task: JoinHandle<()>,
}

/// Keeps one watch per mailbox of the set; restarts failed ones; drops removed ones' state
/// after the grace period.
async fn supervise(
    config: Config,
    client: Client,
    store: Arc<dyn StateStore>,
    tx: mpsc::Sender<Write>,
    metrics: Arc<Metrics>,
    reload: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) {
    let mut sources = Sources::new(config.mailboxes.clone());
    sources.reload_file(true);
    sources.run_command().await;
    let (ended_tx, mut ended_rx) = mpsc::unbounded_channel::<(String, bool)>();
    let mut running: BTreeMap<String, Running> = BTreeMap::new();
    let mut failures: BTreeMap<String, u32> = BTreeMap::new();
    let mut retry_at: BTreeMap<String, Instant> = BTreeMap::new();
    // Push mode binds one listener for the whole set; it is kept for the process's life.
    let mut push_started = false;
    let mut next_command =
        Instant::now() + Duration::from_secs(config.mailboxes.command_interval_secs.max(1));
    let file_poll = Duration::from_secs(config.mailboxes.file_poll_secs.max(1));
    // Removed mailboxes' grace periods and failed watches' retries are checked at least this
    // often, whatever else wakes the loop.
    let housekeeping = Duration::from_secs(config.mailboxes.remove_grace_secs.clamp(1, 30));
    loop {
        let desired = sources.set();
        // Removed mailboxes: stop their watch, remember when.
        let gone: Vec<String> = running
            .keys()
            .filter(|m| !desired.contains(*m))
            .cloned()
            .collect();
        for m in gone {
            if let Some(r) = running.remove(&m) {
                r.task.abort();
            }
            tracing::info!(mailbox = %m, "mailbox removed from the set: watch stopped");
            let _ = store.set_removed(&m, Some(now_unix()));
        }
        // Added (or failed and due again) mailboxes: start them, resuming from their state.
        let now = Instant::now();
        let to_start: Vec<String> = desired
            .iter()
            .filter(|m| !running.contains_key(*m))
            .filter(|m| retry_at.get(*m).is_none_or(|t| *t <= now))
            .cloned()
            .collect();
        let push_fixed = config.exchange.mode == Mode::Push && push_started;
        if !to_start.is_empty() && !push_fixed {
            let started = start(
                &config, &client, &store, &to_start, &tx, &metrics, &ended_tx,
            )
            .await;
            match started {
                Ok(tasks) => {
                    for (m, task) in tasks {
                        retry_at.remove(&m);
                        running.insert(m, Running { task });
                    }
                    push_started = config.exchange.mode == Mode::Push;
                }
                Err(e) => {
                    tracing::error!(error = %e, "watches not started; retrying");
                    for m in &to_start {
                        let n = failures.entry(m.clone()).or_default();
                        retry_at.insert(
                            m.clone(),
                            now + back_off(Duration::from_secs(1), Duration::from_secs(300), *n),
                        );
                        *n += 1;
                    }
                }
            }
        } else if !to_start.is_empty() {
            tracing::warn!(
                count = to_start.len(),
                "push mode: mailboxes added while running start on the next restart"
            );
        }
        let removed = store
            .mailboxes()
            .map(|v| v.iter().filter(|(_, s)| s.removed_at.is_some()).count())
            .unwrap_or(0);
        metrics
            .mailboxes_active
            .store(running.len() as u64, Ordering::Relaxed);
        metrics
            .mailboxes_removed
            .store(removed as u64, Ordering::Relaxed);
        metrics.watches_started.store(
            desired.iter().all(|m| running.contains_key(m)),
            Ordering::Relaxed,
        );
        // Removed mailboxes past their grace period lose their state.
        let cutoff =
            now_unix() - i64::try_from(config.mailboxes.remove_grace_secs).unwrap_or(i64::MAX);
        if let Ok(dropped) = store.drop_removed_before(cutoff) {
            for m in dropped {
                tracing::info!(mailbox = %m, "grace period over: state dropped");
            }
        }
        for m in &desired {
            if running.contains_key(m) {
                let _ = store.set_removed(m, None);
            }
        }
        // Wait for something to do.
        let until_command = next_command.saturating_duration_since(Instant::now());
        tokio::select! {
            _ = stop.changed() => break,
            _ = reload.notified() => {
                tracing::info!("SIGHUP: reloading the mailbox set");
                metrics.reloads.fetch_add(1, Ordering::Relaxed);
                sources.reload_file(true);
                sources.run_command().await;
            }
            Some((m, failed)) = ended_rx.recv() => {
                if running.remove(&m).is_some() && failed {
                    let n = failures.entry(m.clone()).or_default();
                    let wait = back_off(Duration::from_secs(1), Duration::from_secs(300), *n);
                    *n += 1;
                    tracing::warn!(mailbox = %m, wait_ms = wait.as_millis() as u64, "watch ended; restarting it");
                    retry_at.insert(m, Instant::now() + wait);
                }
            }
            () = tokio::time::sleep(file_poll.min(until_command).min(housekeeping)) => {
                if sources.reload_file(false) {
                    tracing::info!("mailbox file changed: reloaded");
                    metrics.reloads.fetch_add(1, Ordering::Relaxed);
                }
                if sources.has_command() && Instant::now() >= next_command {
                    sources.run_command().await;
                    metrics.reloads.fetch_add(1, Ordering::Relaxed);
                    next_command = Instant::now() + Duration::from_secs(config.mailboxes.command_interval_secs.max(1));
                }
            }
        }
        if *stop.borrow() {
            break;
        }
    }
    for (_, r) in running {
        r.task.abort();
    }
}

/// Starts watches for `mailboxes` from their stored positions; returns a task per mailbox.
async fn start(
    config: &Config,
    client: &Client,
    store: &Arc<dyn StateStore>,
    mailboxes: &[String],
    tx: &mpsc::Sender<Write>,
    metrics: &Arc<Metrics>,
    ended: &mpsc::UnboundedSender<(String, bool)>,
) -> Result<Vec<(String, JoinHandle<()>)>, ServeError> {
    let stored: BTreeMap<String, Position> = store
        .mailboxes()?
        .into_iter()
        .map(|(m, s)| (m, s.position))
        .collect();
    let watches: Vec<Watch> = mailboxes
        .iter()
        .map(|m| {
            let mut w = Watch::calendar(m.clone());
            w.folder = config.exchange.folder.clone();
            w.impersonate = config.exchange.impersonate;
            w.from_position(stored.get(m).cloned().unwrap_or_default())
        })
        .collect();
    let resumed = mailboxes.iter().filter(|m| stored.contains_key(*m)).count();
    tracing::info!(
        count = mailboxes.len(),
        resumed,
        mode = config.exchange.mode.as_str(),
        "starting watches"
    );
    let mode = config.exchange.mode;
    let streams: Vec<EventStream> = match mode {
        Mode::Pull => watches
            .into_iter()
            .map(|w| watch_pull(client, w, config.pull_interval()))
            .collect(),
        Mode::Streaming => watch_streaming(
            client,
            watches,
            StreamingOptions {
                connection_timeout_minutes: config.exchange.streaming_connection_minutes,
                heartbeat_deadline: Duration::from_secs(config.exchange.heartbeat_deadline_secs),
                ..StreamingOptions::default()
            },
        ),
        Mode::Push => {
            let Some(p) = &config.exchange.push else {
                return Err(ServeError::Bind("[exchange.push] missing".into()));
            };
            let mut options = PushOptions::new(p.bind, config.push_secret()?);
            options.public_url = p.public_url.clone();
            options.status_frequency_minutes = p.status_frequency_minutes;
            listen_push(client, watches, options).await?.streams
        }
    };
    Ok(mailboxes
        .iter()
        .cloned()
        .zip(streams)
        .map(|(m, s)| {
            let task = tokio::spawn(follow(
                m.clone(),
                s,
                mode,
                tx.clone(),
                metrics.clone(),
                ended.clone(),
            ));
            (m, task)
        })
        .collect())
}

/// Reads one mailbox's stream into the writer.
async fn follow(
    mailbox: String,
    mut stream: EventStream,
    mode: Mode,
    tx: mpsc::Sender<Write>,
    metrics: Arc<Metrics>,
    ended: mpsc::UnboundedSender<(String, bool)>,
) {
    // A catch-up's changes carry the sync state of its end; it is stored only once the whole
    // catch-up was delivered (its `CaughtUp`), so a crash in the middle repeats it all.
    let mut catch_up_position: Option<Position> = None;
    let mut failed = false;
    while let Some(u) = stream.next().await {
        match u {
            Update::Event(d) => {
                let origin = match d.origin {
                    Origin::Notification => "notification",
                    Origin::CatchUp => "catchUp",
                };
                let e = ItemEvent {
                    delivered: &d,
                    mode,
                };
                let record = match e.record() {
                    Ok(r) => r,
                    Err(err) => {
                        // Cannot happen for the canonical types; never drop silently.
                        tracing::error!(mailbox = %mailbox, error = %err, "event not serializable; watch restarts");
                        failed = true;
                        break;
                    }
                };
                metrics.event_in(&record.kind, mode.as_str(), origin);
                if let Some(lag) = d.event.timestamp.as_deref().and_then(|t| {
                    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                        .ok()
                }) {
                    let secs = (time::OffsetDateTime::now_utc() - lag).whole_seconds();
                    metrics.lag_seconds.store(secs, Ordering::Relaxed);
                }
                let position = match d.origin {
                    Origin::Notification => Some(d.position.clone()),
                    Origin::CatchUp => {
                        catch_up_position = Some(d.position.clone());
                        None
                    }
                };
                let w = Write {
                    mailbox: mailbox.clone(),
                    record: Some(record),
                    position,
                };
                if tx.send(w).await.is_err() {
                    break;
                }
            }
            Update::Recovery { recovery, .. } => {
                tracing::info!(mailbox = %mailbox, recovery = ?recovery, "client recovery");
                match recovery {
                    Recovery::CaughtUp { .. } => {
                        metrics.recovery("catch_up");
                        if let Some(p) = catch_up_position.take() {
                            let w = Write {
                                mailbox: mailbox.clone(),
                                record: None,
                                position: Some(p),
                            };
                            if tx.send(w).await.is_err() {
                                break;
                            }
                        }
                    }
                    Recovery::Resubscribed { .. } => metrics.recovery("resubscribe"),
                    Recovery::Reconnected { .. } => metrics.recovery("reconnect"),
                }
            }
            Update::Failed { error, .. } => {
                metrics.watches_failed.fetch_add(1, Ordering::Relaxed);
                if error.contains("401") || error.contains("403") {
                    metrics.auth_failures.fetch_add(1, Ordering::Relaxed);
                }
                tracing::error!(mailbox = %mailbox, %error, "watch failed");
                failed = true;
            }
        }
    }
    let _ = ended.send((mailbox, failed || !tx.is_closed()));
}
