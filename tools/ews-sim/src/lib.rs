//! **ews-sim: a test double** of an Exchange server's EWS notification endpoints.
//!
//! No Exchange server is reachable from the project's tests, so this crate plays one on
//! 127.0.0.1: mailboxes with a calendar folder, an append-only event log per mailbox, the
//! operations a notification client uses (Subscribe for pull, streaming and push, GetEvents,
//! GetStreamingEvents, Unsubscribe, GetItem, FindItem, SyncFolderItems) and those a general
//! EWS client needs around them (ConvertId, GetFolder, FindFolder, CreateItem, UpdateItem,
//! DeleteItem, ResolveNames, ExpandDL), with faults injected from a seeded random generator.
//! Every change is recorded in a ledger ([`Simulator::ledger`], [`ledger`]); [`generate`]
//! makes calendar changes on its own. The `ews-sim` binary serves all of it on a port. It is
//! not Exchange: the crate's README lists every operation and property and what it
//! simplifies; see also "What is modelled" below.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sim = ews_sim::Simulator::start(ews_sim::Config::default()).await?;
//! sim.add_mailbox("alice@example.com");
//! let item = sim.create_item("alice@example.com", ews_sim::NewItem::single("Standup"));
//! println!("EWS endpoint: {}, created {:?}", sim.url(), item.map(|i| i.id));
//! # Ok(()) }
//! ```
//!
//! # What is modelled
//!
//! - **Positions.** Each mailbox has a log of events; a watermark is base64 of (mailbox GUID,
//!   log position), 28 bytes like Exchange's, and a sync state likewise. Tests may decode them
//!   with [`ids`]; a client must treat them as opaque.
//! - **Pull.** `GetEvents` answers at most [`Config::max_events_per_get`] (50) events after the
//!   given watermark with `MoreEvents`; with nothing new, a `StatusEvent` carrying the current
//!   watermark. The watermark sent acknowledges everything before it, so a lost answer is
//!   simply asked for again.
//! - **Streaming.** `GetStreamingEvents` answers a chunked body of many envelopes: events as they
//!   happen, a keep-alive envelope (`ConnectionStatus` OK, no notifications) every
//!   [`Config::heartbeat`], and `Closed` after `ConnectionTimeout` minutes. Events handed to a
//!   connection count as delivered: if the connection dies mid-envelope they are gone, as with
//!   Exchange, and the client must catch up with SyncFolderItems. A subscription opened on a
//!   newer connection leaves the older one.
//! - **FindItem** applies an `IsEqualTo` restriction on PidLidGlobalObjectId or
//!   PidLidCleanGlobalObjectId (finding a meeting's series, exceptions and orphan instances);
//!   any other restriction is refused with `ErrorInvalidRequest`. A `CalendarView` window
//!   expands series into their occurrences and exceptions.
//! - **Recurring series** are weekly with a count; an occurrence edit makes an exception kept
//!   on the master (a ModifiedEvent of the master), a deleted occurrence is listed in the
//!   master's `DeletedOccurrences`, and a "this and following" change of a series that began
//!   before the simulated now splits it as Exchange does (past part: new item, old GOID;
//!   ongoing part: same ItemId, new GOID).
//! - **SyncFolderItems** collapses each item's changes into one Create / Update / Delete, and
//!   reports nothing for an item created and deleted inside the range.
//! - **Time.** One protocol "minute" (ConnectionTimeout, pull Timeout) lasts
//!   [`Config::minute`], so tests run in seconds.
//! - **Affinity.** Mailboxes live on two mailbox servers (alternating as they are added). A
//!   request reaches the server its `X-BackEndOverrideCookie` names, else its
//!   `X-AnchorMailbox`'s, else the one of the mailbox it opens. A subscription lives on the
//!   server its Subscribe reached, and the answer sets that server's cookie. GetEvents and
//!   GetStreamingEvents only know the subscriptions of the server they reach (others come back
//!   as `ErrorSubscriptionNotFound` / in `ErrorSubscriptionIds`, as with Exchange when a
//!   group loses affinity); requests without the subscription's cookie are counted in
//!   [`Stats::affinity_misses`].
//! - **Throttling and faults**: see [`Faults`]. `ErrorServerBusy` comes as a SOAP fault or as a
//!   response message, both with `BackOffMilliseconds`; a request that arrives while a back-off
//!   is running is counted in [`Stats::back_off_violations`].
//!
//! - **Identity.** Each request that opens a mailbox is checked for `ExchangeImpersonation`
//!   and `X-AnchorMailbox` naming that mailbox (a streaming connection: one of its group's):
//!   a missing or foreign anchor is counted in [`Stats::anchor_mismatches`]; with
//!   [`Config::require_impersonation`] a missing or foreign impersonation is refused with
//!   `ErrorAccessDenied`. [`Config::record_requests`] keeps a [`RequestRecord`] of each.
//! - **Push.** `SendNotification` POSTed to the subscription's URL, with Exchange's retry
//!   schedule (see the `push` module docs in the source): delivered only when the listener
//!   answers `OK`, dropped after retries no longer fit in `StatusFrequency`.
//! - **NTLM.** With [`Config::ntlm`], connections authenticate with NTLMv2 as IIS in front of
//!   Exchange does ([MS-NLMP]): per TCP connection, not per request. A request without
//!   credentials gets 401 offering `Negotiate` and `NTLM`; a NEGOTIATE gets a CHALLENGE with a
//!   Windows-like TargetInfo and timestamp; the AUTHENTICATE on the same connection must
//!   prove the [`NtlmAccount`]'s password, carry a valid MIC when it announces one, and with
//!   [`NtlmAccount::channel_binding_certificate`] the channel bindings of that certificate
//!   (Extended Protection). Later requests on the connection need no credentials;
//!   [`Fault::ConnectionClose`] and [`Faults::connection_close`] close one so the client must
//!   authenticate a new one. Counted in [`Stats::ntlm_authentications`] and the other
//!   `ntlm_*` counters. NTLMv1, LM and SPNEGO-wrapped tokens are refused; no message signing
//!   or sealing follows.
//! - **TLS** (feature `tls`), for tests that need `https://`: the `tls` module makes a private
//!   CA and a TLS front that forwards each connection to the simulator.
//! - **Proxy**: [`proxy::ConnectProxy`], a proxy that only tunnels (`CONNECT`), optionally
//!   requiring Basic credentials, for clients behind a corporate proxy.
//!
//! Not modelled: folders other than root, msgfolderroot, calendar, inbox, deleteditems and
//! sentitems, items other than calendar items, paging of a first SyncFolderItems larger than
//! one page, Kerberos (a `Negotiate` token must be raw NTLMSSP).
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod generate;
pub mod ids;
pub mod ledger;
pub mod proxy;
pub mod read;
mod restriction;
mod server;
pub mod soap;
mod state;
#[cfg(feature = "tls")]
pub mod tls;

pub use ledger::{Change, LedgerEntry, Source};
pub use server::{Config, Fault, Faults, NewItem, NtlmAccount, RequestRecord, Simulator, Stats};
pub use state::{
    CalendarItem, CalendarKind, LogEvent, LogKind, Occurrence, Recurrence, SubscriptionKind,
};
