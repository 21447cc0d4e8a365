//! The streaming loop: GetStreamingEvents connections of up to 200 subscriptions each.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use ews_notify::request::{GetStreamingEventsRequest, SubscribeRequest};
use ews_notify::streaming::StreamSplitter;
use ews_notify::{Body, ConnectionStatus, EventKind, Limits, ResponseCode};

use crate::client::busy_back_off;
use crate::delivery::{Mailbox, Origin, Recovery};
use crate::recovery::{catch_up, catch_up_except, fault_error, subscribe};
use crate::{Client, Error, EventStream, Watch};

/// Most subscriptions on one GetStreamingEvents connection (Exchange's limit).
pub const MAX_SUBSCRIPTIONS_PER_CONNECTION: usize = 200;

/// Settings of the streaming loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamingOptions {
    /// `ConnectionTimeout` asked for, 1-30 minutes; the server then ends with `Closed`.
    pub connection_timeout_minutes: u32,
    /// A connection whose headers do not come within this time, or that brings no complete
    /// envelope (a notification or a keep-alive) for this long, is taken as dead and
    /// reopened: bytes that do not complete an envelope (whitespace trickled by a broken
    /// proxy) do not keep it alive. Exchange sends a keep-alive every minute or so; the
    /// default is 3 minutes.
    pub heartbeat_deadline: Duration,
    /// Most bytes read from one connection before it is reopened.
    pub max_bytes_per_connection: u64,
}

impl Default for StreamingOptions {
    fn default() -> Self {
        Self {
            connection_timeout_minutes: 30,
            heartbeat_deadline: Duration::from_secs(180),
            max_bytes_per_connection: Limits::default().max_stream_bytes,
        }
    }
}

/// Follows many mailboxes by streaming notifications, grouping them up to 200 per connection.
/// Returns one stream per watch, in the same order.
pub fn watch_streaming(
    client: &Client,
    watches: Vec<Watch>,
    options: StreamingOptions,
) -> Vec<EventStream> {
    let mut streams = Vec::with_capacity(watches.len());
    let mut group = Vec::new();
    for w in watches {
        let (mb, s) = Mailbox::new(w);
        streams.push(s);
        group.push(mb);
        if group.len() == MAX_SUBSCRIPTIONS_PER_CONNECTION {
            spawn_group(client, std::mem::take(&mut group), options);
        }
    }
    if !group.is_empty() {
        spawn_group(client, group, options);
    }
    streams
}

fn spawn_group(client: &Client, group: Vec<Mailbox>, options: StreamingOptions) {
    let client = client.clone();
    // The group's anchor: its alphabetically first mailbox (Microsoft's affinity procedure).
    let anchor = group
        .iter()
        .enumerate()
        .min_by_key(|(_, mb)| mb.watch.mailbox.to_ascii_lowercase())
        .map_or(0, |(i, _)| i);
    let anchor_mailbox = group
        .get(anchor)
        .map(|mb| mb.watch.mailbox.clone())
        .unwrap_or_default();
    tokio::spawn(async move {
        let mut g = Group {
            client,
            mailboxes: group.into_iter().map(Some).collect(),
            subs: HashMap::new(),
            seen: Vec::new(),
            options,
            anchor,
            anchor_mailbox,
        };
        g.run().await;
    });
}

/// How a connection ended.
enum End {
    /// `ConnectionStatus` Closed: nothing was lost.
    Closed,
    /// The server throttled the connection: nothing was lost.
    Busy,
    /// Dropped, timed out or unreadable: events in flight may be lost.
    Broken(String),
}

struct Group {
    client: Client,
    /// `None` once the consumer dropped that mailbox's stream.
    mailboxes: Vec<Option<Mailbox>>,
    /// Subscription id to mailbox index.
    subs: HashMap<String, usize>,
    /// Per mailbox, the item versions notified since its last catch-up ([`version_key`]):
    /// the next catch-up skips them, so it replays only what the stream did not bring.
    seen: Vec<HashSet<String>>,
    options: StreamingOptions,
    /// Index of the anchor mailbox: it subscribes first, and every request of the group is
    /// routed through it (`X-AnchorMailbox` and its `X-BackEndOverrideCookie`).
    anchor: usize,
    /// The anchor's address (kept when its own stream is dropped: the group stays anchored).
    anchor_mailbox: String,
}

impl Group {
    async fn run(&mut self) {
        self.seen = vec![HashSet::new(); self.mailboxes.len()];
        // The anchor first: its Subscribe answer sets the cookie the others replay.
        let order = std::iter::once(self.anchor)
            .chain((0..self.mailboxes.len()).filter(|&i| i != self.anchor))
            .collect::<Vec<_>>();
        for i in order {
            if let Err(e) = self.start(i).await {
                self.drop_mailbox(i, &e).await;
            }
        }
        let policy = self.client.retry_policy();
        // Connections in a row that brought nothing (no envelope before their end).
        let mut failures = 0u32;
        loop {
            if self.mailboxes.iter().all(Option::is_none) {
                return;
            }
            let (end, lost, progressed) = self.connect_once().await;
            if progressed {
                failures = 0;
            }
            for i in lost {
                let r = self.resubscribe(i, "ErrorSubscriptionIds").await;
                if let Err(e) = r {
                    self.drop_mailbox(i, &e).await;
                }
            }
            let reason = match end {
                End::Closed if progressed => {
                    // Every notification of the connection arrived: move each mailbox's sync
                    // state up to now, so a later broken connection replays only what came
                    // after this one.
                    for i in 0..self.mailboxes.len() {
                        if self.seen[i].is_empty() {
                            continue;
                        }
                        if let Err(e) = self.catch_up(i).await {
                            self.drop_mailbox(i, &e).await;
                        }
                    }
                    None
                }
                End::Closed => Some("closed before any notification".to_string()),
                End::Busy => Some("server busy".to_string()),
                End::Broken(why) => {
                    // Events handed to the broken connection may be gone: catch up everyone.
                    // And subscribe anew rather than reconnect with the old ids: the break
                    // may hide a server restart, after which a server whose ids repeat
                    // (gromox) may have given an old id to another client's subscription.
                    for i in 0..self.mailboxes.len() {
                        let r = match &self.mailboxes[i] {
                            Some(_) => self.resubscribe(i, "connection broken").await,
                            None => Ok(()),
                        };
                        if let Err(e) = r {
                            self.drop_mailbox(i, &e).await;
                        }
                    }
                    Some(why)
                }
            };
            if let Some(reason) = reason {
                for mb in self.mailboxes.iter().flatten() {
                    let _ = mb
                        .recovery(Recovery::Reconnected {
                            reason: reason.clone(),
                        })
                        .await;
                }
                if !progressed {
                    // The retry policy every mode follows: a server that fails every
                    // connection is asked again less and less often, not thousands of times.
                    if !policy.allows(failures) {
                        let e = Error::Network(format!(
                            "{failures} streaming connections in a row failed; the last: {reason}"
                        ));
                        for i in 0..self.mailboxes.len() {
                            self.drop_mailbox(i, &e).await;
                        }
                        return;
                    }
                    let wait = policy.delay(failures);
                    failures += 1;
                    tracing::warn!(%reason, retry = failures, wait_ms = wait.as_millis() as u64, "ews streaming connection failed; reconnecting after a pause");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// Catches mailbox `i` up from its sync state, skipping the versions notified since the
    /// last catch-up, and forgets them (the new sync state covers them).
    async fn catch_up(&mut self, i: usize) -> Result<(), Error> {
        let Some(mb) = self.mailboxes[i].as_mut() else {
            return Ok(());
        };
        let seen = std::mem::take(&mut self.seen[i]);
        let r = catch_up_except(&self.client, mb, true, &|e| {
            version_key(e).is_some_and(|k| seen.contains(&k))
        })
        .await;
        if r.is_err() {
            // Not caught up: what was notified still counts.
            self.seen[i].extend(seen);
        }
        r.map(|_| ())
    }

    async fn drop_mailbox(&mut self, i: usize, e: &Error) {
        if let Some(mb) = self.mailboxes[i].take() {
            if !matches!(e, Error::Closed) {
                mb.fail(e).await;
            }
        }
        self.subs.retain(|_, v| *v != i);
    }

    /// First subscription of mailbox `i` with its baseline (or a catch-up when resuming).
    async fn start(&mut self, i: usize) -> Result<(), Error> {
        let Some(mb) = self.mailboxes[i].as_mut() else {
            return Ok(());
        };
        if mb.position.sync_state.is_none() {
            // First start: the baseline comes *before* the subscription, so a catch-up after a
            // broken connection also covers events the subscription saw first; and a
            // catch-up once it is up covers changes between the two (a Subscribe retried
            // after its answer was lost).
            catch_up(&self.client, mb, false).await?;
            let id = self.subscribe(i).await?;
            self.subs.insert(id, i);
            if let Some(mb) = self.mailboxes[i].as_mut() {
                catch_up(&self.client, mb, true).await?;
            }
            return Ok(());
        }
        // Resuming: subscribe, then catch up from the persisted sync state.
        let id = self.subscribe(i).await?;
        self.subs.insert(id, i);
        if let Some(mb) = self.mailboxes[i].as_mut() {
            catch_up(&self.client, mb, true).await?;
        }
        Ok(())
    }

    async fn subscribe(&self, i: usize) -> Result<String, Error> {
        let Some(mb) = &self.mailboxes[i] else {
            return Err(Error::Closed);
        };
        let req = SubscribeRequest::streaming();
        match subscribe(&self.client, mb, &self.anchor_mailbox, req, None).await? {
            Ok((id, _)) => Ok(id),
            Err(code) => Err(Error::ews(code.as_str(), Some("Subscribe refused"))),
        }
    }

    /// A new subscription for mailbox `i` (the old one is gone), then a catch-up for what the
    /// gap may have lost.
    async fn resubscribe(&mut self, i: usize, reason: &str) -> Result<(), Error> {
        self.subs.retain(|_, v| *v != i);
        let id = self.subscribe(i).await?;
        self.subs.insert(id, i);
        let Some(mb) = self.mailboxes[i].as_mut() else {
            return Ok(());
        };
        mb.recovery(Recovery::Resubscribed {
            from_watermark: false,
            reason: Some(reason.to_string()),
        })
        .await?;
        self.catch_up(i).await
    }

    /// Opens one connection and reads it to its end. Returns how it ended, the mailboxes
    /// whose subscriptions the server refused, and whether it made progress: an envelope
    /// that did not end it (a notification or a keep-alive).
    async fn connect_once(&mut self) -> (End, Vec<usize>, bool) {
        let ids: Vec<String> = self.subs.keys().cloned().collect();
        let Some(first) = self.mailboxes.iter().flatten().next() else {
            return (End::Closed, Vec::new(), true);
        };
        // Impersonate the anchor while it is followed, else another member of the group.
        let acting = self
            .mailboxes
            .get(self.anchor)
            .and_then(Option::as_ref)
            .unwrap_or(first);
        let anchor = self.anchor_mailbox.clone();
        let header = acting.watch.header();
        let minutes = self.options.connection_timeout_minutes.clamp(1, 30);
        let xml = match GetStreamingEventsRequest::new(ids, minutes)
            .header(header)
            .build()
        {
            Ok(x) => x,
            Err(e) => return (End::Broken(e.to_string()), Vec::new(), false),
        };
        let deadline = self.options.heartbeat_deadline;
        let mut resp = match self.client.open_stream(&xml, Some(&anchor), deadline).await {
            Ok(r) => r,
            Err(Error::Timeout(_)) => {
                return (
                    End::Broken("no headers within the heartbeat deadline".into()),
                    Vec::new(),
                    false,
                );
            }
            Err(e) => return (End::Broken(e.to_string()), Vec::new(), false),
        };
        let mut splitter = StreamSplitter::with_limits(Limits {
            max_stream_bytes: self.options.max_bytes_per_connection,
            ..Limits::default()
        });
        let mut lost = Vec::new();
        let mut progressed = false;
        // Only a complete envelope moves the deadline: bytes alone do not.
        let mut until = tokio::time::Instant::now() + deadline;
        loop {
            let chunk = match tokio::time::timeout_at(until, resp.chunk()).await {
                Err(_) => {
                    let why = "no envelope within the heartbeat deadline";
                    return (End::Broken(why.into()), lost, progressed);
                }
                Ok(Err(e)) => {
                    let why = format!("connection dropped: {e}");
                    return (End::Broken(why), lost, progressed);
                }
                Ok(Ok(None)) => {
                    let why = match splitter.finish() {
                        Ok(()) => "connection ended without Closed".to_string(),
                        Err(e) => format!("connection ended mid-envelope: {e}"),
                    };
                    return (End::Broken(why), lost, progressed);
                }
                Ok(Ok(Some(c))) => c,
            };
            if let Err(e) = splitter.feed(&chunk) {
                return (
                    End::Broken(format!("stream refused: {e}")),
                    lost,
                    progressed,
                );
            }
            loop {
                let env = match splitter.next_envelope() {
                    Ok(Some(env)) => env,
                    Ok(None) => break,
                    Err(e) => {
                        let why = format!("stream unreadable: {e}");
                        return (End::Broken(why), lost, progressed);
                    }
                };
                until = tokio::time::Instant::now() + deadline;
                match self.handle(&env, &mut lost).await {
                    Ok(None) => progressed = true,
                    Ok(Some(end)) => return (end, lost, progressed),
                    Err(e) => return (End::Broken(e.to_string()), lost, progressed),
                }
            }
        }
    }

    /// Handles one envelope of the stream; `Some(end)` when the connection is over.
    async fn handle(&mut self, env: &[u8], lost: &mut Vec<usize>) -> Result<Option<End>, Error> {
        let env = ews_notify::parse_notification(env)?;
        if let Some(d) = busy_back_off(&env) {
            self.client.back_off(d);
            return Ok(Some(End::Busy));
        }
        let messages = match &env.body {
            Body::GetStreamingEventsResponse(m) => m,
            _ => return Err(fault_error(&env)),
        };
        let mut closed = false;
        for m in messages {
            for n in &m.notifications {
                let Some(&i) = self.subs.get(n.subscription_id.as_ref()) else {
                    tracing::warn!(subscription = %n.subscription_id, "ews: notification for an unknown subscription");
                    continue;
                };
                for e in &n.events {
                    if e.kind == EventKind::Status {
                        continue;
                    }
                    let r = match &self.mailboxes[i] {
                        Some(mb) => {
                            mb.deliver(e.clone().into_owned(), Origin::Notification)
                                .await
                        }
                        None => Ok(()),
                    };
                    if r.is_ok() {
                        if let Some(k) = version_key(e) {
                            self.seen[i].insert(k);
                        }
                    }
                    if let Err(e) = r {
                        self.drop_mailbox(i, &e).await;
                        break;
                    }
                }
            }
            for id in &m.error_subscription_ids {
                if let Some(i) = self.subs.remove(id.as_ref()) {
                    lost.push(i);
                }
            }
            if m.error_subscription_ids.is_empty()
                && m.status
                    .response_code
                    .as_ref()
                    .is_some_and(ResponseCode::requires_resubscribe)
            {
                // A refusal without ids: every subscription on the connection is suspect.
                lost.extend(self.subs.drain().map(|(_, i)| i));
            }
            if m.connection_status == Some(ConnectionStatus::Closed) {
                closed = true;
            }
        }
        Ok(closed.then_some(End::Closed))
    }
}

/// The item version an event names: its id and change key, or its id and "deleted"; `None`
/// for folder events (a catch-up reports items only).
fn version_key(e: &ews_notify::Event<'_>) -> Option<String> {
    let id = e.item_id.as_ref()?;
    Some(if e.kind == EventKind::Deleted {
        format!("{}\u{0}deleted", id.id)
    } else {
        format!(
            "{}\u{0}{}",
            id.id,
            id.change_key.as_deref().unwrap_or_default()
        )
    })
}
