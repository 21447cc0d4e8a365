//! The streaming loop: GetStreamingEvents connections of up to 200 subscriptions each.

use std::collections::HashMap;
use std::time::Duration;

use super::{Client, Error, EventStream, Mailbox, Origin, Recovery, Watch, catch_up, subscribe};
use ews_notify::Limits;
use ews_notify::envelope::{Body, ConnectionStatus};
use ews_notify::event::EventKind;
use ews_notify::fault::ResponseCode;
use ews_notify::request::{GetStreamingEventsRequest, SubscribeRequest};
use ews_notify::streaming::StreamSplitter;

/// Most subscriptions on one GetStreamingEvents connection (Exchange's limit).
pub const MAX_SUBSCRIPTIONS_PER_CONNECTION: usize = 200;

/// Settings of the streaming loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamingOptions {
    /// `ConnectionTimeout` asked for, 1-30 minutes; the server then ends with `Closed`.
    pub connection_timeout_minutes: u32,
    /// A connection with no bytes for this long is taken as dead and reopened. Exchange sends
    /// a keep-alive every minute or so; the default is 3 minutes.
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
    options: StreamingOptions,
    /// Index of the anchor mailbox: it subscribes first, and every request of the group is
    /// routed through it (`X-AnchorMailbox` and its `X-BackEndOverrideCookie`).
    anchor: usize,
    /// The anchor's address (kept when its own stream is dropped: the group stays anchored).
    anchor_mailbox: String,
}

impl Group {
    async fn run(&mut self) {
        // The anchor first: its Subscribe answer sets the cookie the others replay.
        let order = std::iter::once(self.anchor)
            .chain((0..self.mailboxes.len()).filter(|&i| i != self.anchor))
            .collect::<Vec<_>>();
        for i in order {
            if let Err(e) = self.start(i).await {
                self.drop_mailbox(i, &e).await;
            }
        }
        loop {
            if self.mailboxes.iter().all(Option::is_none) {
                return;
            }
            let (end, lost) = self.connect_once().await;
            for i in lost {
                let r = self.resubscribe(i, "ErrorSubscriptionIds").await;
                if let Err(e) = r {
                    self.drop_mailbox(i, &e).await;
                }
            }
            let reason = match end {
                End::Closed => None,
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
            }
        }
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
            // broken connection also covers events the subscription saw first.
            catch_up(&self.client, mb, false).await?;
            let id = self.subscribe(i).await?;
            self.subs.insert(id, i);
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
            Err(code) => Err(Error::ews(&code, Some("Subscribe refused"))),
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
        catch_up(&self.client, mb, true).await?;
        Ok(())
    }

    /// Opens one connection and reads it to its end. Returns how it ended and the mailboxes
    /// whose subscriptions the server refused.
    async fn connect_once(&mut self) -> (End, Vec<usize>) {
        let ids: Vec<String> = self.subs.keys().cloned().collect();
        let Some(first) = self.mailboxes.iter().flatten().next() else {
            return (End::Closed, Vec::new());
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
            Err(e) => return (End::Broken(e.to_string()), Vec::new()),
        };
        let mut resp = match self.client.send(&xml, Some(&anchor), true).await {
            Ok(r) => r,
            Err(e) => {
                tokio::time::sleep(Duration::from_millis(100)).await;
                return (End::Broken(e.to_string()), Vec::new());
            }
        };
        let mut splitter = StreamSplitter::with_limits(Limits {
            max_stream_bytes: self.options.max_bytes_per_connection,
            ..Limits::default()
        });
        let mut lost = Vec::new();
        loop {
            let chunk =
                match tokio::time::timeout(self.options.heartbeat_deadline, resp.chunk()).await {
                    Err(_) => {
                        return (
                            End::Broken("no frame within the heartbeat deadline".into()),
                            lost,
                        );
                    }
                    Ok(Err(e)) => return (End::Broken(format!("connection dropped: {e}")), lost),
                    Ok(Ok(None)) => {
                        return match splitter.finish() {
                            Ok(()) => (End::Broken("connection ended without Closed".into()), lost),
                            Err(e) => (
                                End::Broken(format!("connection ended mid-envelope: {e}")),
                                lost,
                            ),
                        };
                    }
                    Ok(Ok(Some(c))) => c,
                };
            if let Err(e) = splitter.feed(&chunk) {
                return (End::Broken(format!("stream refused: {e}")), lost);
            }
            loop {
                let env = match splitter.next_envelope() {
                    Ok(Some(env)) => env,
                    Ok(None) => break,
                    Err(e) => return (End::Broken(format!("stream unreadable: {e}")), lost),
                };
                match self.handle(&env, &mut lost).await {
                    Ok(None) => {}
                    Ok(Some(end)) => return (end, lost),
                    Err(e) => return (End::Broken(e.to_string()), lost),
                }
            }
        }
    }

    /// Handles one envelope of the stream; `Some(end)` when the connection is over.
    async fn handle(&mut self, env: &[u8], lost: &mut Vec<usize>) -> Result<Option<End>, Error> {
        if let Some(d) = super::client::busy_back_off(env) {
            self.client.back_off(d);
            return Ok(Some(End::Busy));
        }
        let env = ews_notify::parse_notification(env)?;
        let messages = match &env.body {
            Body::GetStreamingEventsResponse(m) => m,
            _ => return Err(super::fault_error(&env)),
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
                && m.response_code
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
