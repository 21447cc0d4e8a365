//! Native EWS notification client: subscribe, pull, stream, resubscribe,
//! catch up with SyncFolderItems, and deliver every event as an async [`EventStream`] per
//! mailbox.
//!
//! The guarantee: every change to a watched folder reaches the stream, either as the event
//! itself ([`Origin::Notification`]) or, after a break the server could have lost events in,
//! as a catch-up change from `SyncFolderItems` ([`Origin::CatchUp`]). Catch-up changes may
//! repeat what was already delivered; they are marked so the caller can tell.
//!
//! - **Pull** ([`watch_pull`]): `GetEvents` drained through `MoreEvents`; when the subscription
//!   is gone, a new one from the last watermark; when the watermark itself is refused, a fresh
//!   subscription plus a SyncFolderItems catch-up.
//! - **Streaming** ([`watch_streaming`]): up to 200 subscriptions per `GetStreamingEvents`
//!   connection, reconnected on `Closed`; a dropped connection, a missed heartbeat deadline or
//!   a refused subscription (`ErrorSubscriptionIds`) leads to a resubscription where needed and
//!   a catch-up, since events in flight may be lost.
//! - **Throttling**: one back-off per server honouring `BackOffMilliseconds` (fault or
//!   response message form) and a bounded number of requests in flight ([`Client`]).
//!
//! Each [`Delivered`] event carries a [`Position`] to persist; [`Watch::position`] resumes from
//! it. Channels are bounded: a slow consumer slows the loop down instead of growing memory.
//!
//! - **Push** ([`listen_push`]): an axum listener that answers `SendNotificationResult` (OK,
//!   or Unsubscribe for subscriptions it does not know or no longer wants), needs a secret
//!   path segment, limits body size, and re-creates a subscription silent for longer than twice
//!   its `StatusFrequency` (from the last watermark, or fresh plus a catch-up). Plain HTTP
//!   behind a TLS reverse proxy, or HTTPS itself with a [`ListenerTls`].
//!
//! - **Affinity**: each request carries `X-AnchorMailbox`, `X-PreferServerAffinity` and the
//!   `X-BackEndOverrideCookie` the server set. A streaming group is anchored on its
//!   alphabetically first mailbox, which subscribes first; every Subscribe of the group and its
//!   `GetStreamingEvents` connection are routed through that anchor and replay its cookie, so
//!   the whole group lives on one mailbox server.
//!
//! - **Credentials** ([`ClientBuilder`]): Basic, Bearer tokens refreshed on a 401, and NTLMv2
//!   on connections of the client's own (NTLM authenticates a connection, not a request),
//!   with channel bindings over TLS for Exchange's Extended Protection. Behind an HTTP proxy
//!   ([`ClientBuilder::proxy`], or the environment's), NTLM connections are `CONNECT` tunnels.
//!
//! # Layout
//!
//! - [`Client`] (`client`): endpoint, credentials, the shared back-off and concurrency limit.
//! - `delivery`: what reaches the caller ([`Watch`], [`Position`], [`Update`], [`EventStream`]).
//! - `recovery`: subscribe, resubscribe and catch up, shared by the three modes.
//! - `retry`: the one [`RetryPolicy`] of every mode (capped exponential back-off, jitter).
//! - `pull`, `streaming`, `listener`: the three modes.
//! - `auth`: credentials' codecs (NTLM's messages, MIC and channel bindings, without I/O).
//! - `http`: what goes on the wire: answers, failures, NTLM's own connections, proxies,
//!   the listener's TLS.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod auth;
mod client;
mod delivery;
mod error;
mod http;
mod line;
mod listener;
pub mod meetings;
mod pull;
mod recovery;
mod retry;
mod streaming;

pub use auth::ntlm::NtlmError;
pub use client::{Client, ClientBuilder, TokenProvider};
pub use delivery::{Delivered, EventStream, Origin, Position, Recovery, Update, Watch};
pub use error::Error;
pub use http::ListenerTls;
pub use line::{EventLine, LineOrigin, LinePosition, ResumeFrom};
pub use listener::{PushListener, PushOptions, listen_push};
pub use pull::watch_pull;
pub use retry::RetryPolicy;
pub use streaming::{StreamingOptions, watch_streaming};
