//! The simulator's settings, faults, counters and item descriptions.

use std::time::Duration;

use crate::state::CalendarKind;

/// How the simulator behaves. `Default` is fault-free.
#[derive(Debug, Clone)]
pub struct Config {
    /// Seed of the fault generator. The same seed draws the same sequence of faults; which
    /// request gets which draw depends on the order requests arrive in.
    pub seed: u64,
    /// Chances of each fault.
    pub faults: Faults,
    /// How long one protocol minute lasts (ConnectionTimeout, pull Timeout).
    pub minute: Duration,
    /// Interval of keep-alive envelopes on a streaming connection with nothing to send.
    pub heartbeat: Duration,
    /// Most events in one GetEvents answer (Exchange: 50).
    pub max_events_per_get: usize,
    /// When set, every request must carry `Authorization: Bearer <this>` (401 otherwise);
    /// change it with [`Simulator::set_bearer_token`](crate::Simulator::set_bearer_token). When
    /// unset, any credentials pass. Not checked when [`Config::ntlm`] is set: NTLM then owns
    /// the `Authorization` header.
    pub bearer_token: Option<String>,
    /// When set, connections authenticate with NTLMv2 as this account, the way IIS in front of
    /// Exchange does: per TCP connection, with the MIC checked and, with
    /// [`NtlmAccount::channel_binding_certificate`], Extended Protection's channel bindings.
    pub ntlm: Option<NtlmAccount>,
    /// The server name in subscription ids.
    pub server_name: String,
    /// The caller is a service account: every request that opens a mailbox must carry
    /// `ExchangeImpersonation` of that mailbox, else it gets `ErrorAccessDenied` (counted in
    /// [`Stats::impersonation_refusals`]).
    pub require_impersonation: bool,
    /// Keep a [`RequestRecord`] of every request (see
    /// [`Simulator::request_log`](crate::Simulator::request_log)). Off by default: the log
    /// grows with every request.
    pub record_requests: bool,
    /// A CA certificate (PEM) push delivery also trusts, for a listener serving HTTPS with a
    /// certificate of a private CA (as Exchange trusts the CAs its machine trusts).
    pub push_ca_pem: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            seed: 1,
            faults: Faults::default(),
            minute: Duration::from_millis(500),
            heartbeat: Duration::from_millis(200),
            max_events_per_get: 50,
            bearer_token: None,
            ntlm: None,
            server_name: "sim01.ews-sim.invalid".into(),
            require_impersonation: false,
            record_requests: false,
            push_ca_pem: None,
        }
    }
}

/// The one account NTLM accepts (see [`Config::ntlm`]).
#[derive(Debug, Clone)]
pub struct NtlmAccount {
    /// The NetBIOS domain (`CONTOSO`). The AUTHENTICATE message must name it (any case); the
    /// CHALLENGE offers it as the target.
    pub domain: String,
    /// The user name (`svc-sync`), compared without regard to case.
    pub user: String,
    /// The password the NTLMv2 response must prove.
    pub password: String,
    /// DER of the certificate a TLS front in front of the simulator presents. When set,
    /// Extended Protection is on: every AUTHENTICATE must carry the `MsvAvChannelBindings` of
    /// a TLS connection to that certificate (RFC 5929 `tls-server-end-point`), so a relay
    /// through another certificate is refused. [`Simulator::start`](crate::Simulator::start)
    /// fails on a certificate whose signature algorithm it cannot hash.
    pub channel_binding_certificate: Option<Vec<u8>>,
}

/// Chances of injected faults, in parts per thousand, drawn from the seeded generator.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Per request: answer `ErrorServerBusy` as a SOAP fault (HTTP 500) with a back-off.
    pub server_busy_fault: u32,
    /// Per request: answer `ErrorServerBusy` as an error response message with a back-off.
    pub server_busy_message: u32,
    /// Per request: answer HTTP 503 with no SOAP body.
    pub http_503: u32,
    /// Per request: wait [`Faults::delay`] before answering.
    pub delay_chance: u32,
    /// Per request naming a subscription: forget that subscription first.
    pub forget_subscription: u32,
    /// Per GetEvents / SyncFolderItems request: drop the mailbox's log so far, which makes
    /// every watermark and sync state that points into it invalid.
    pub forget_log: u32,
    /// Per GetEvents answer or streaming envelope: send half of it, then drop the connection.
    pub drop_mid_envelope: u32,
    /// Per streaming envelope: send `ConnectionStatus` Closed now and end the connection.
    pub close_stream_early: u32,
    /// Per answer other than a 401: `Connection: close`, so the server closes the connection
    /// after it (as IIS does with idle or recycled connections); with [`Config::ntlm`] the
    /// client must authenticate a new one.
    pub connection_close: u32,
    /// Per GetEvents request, streaming envelope or push delivery: the server loses the
    /// subscription's events and answers `ErrorReadEventsFailed` (as in the seed's push
    /// capture); the subscription is gone and must be made again.
    pub read_events_failed: u32,
    /// `BackOffMilliseconds` sent with `ErrorServerBusy`.
    pub back_off: Duration,
    /// The injected delay.
    pub delay: Duration,
}

/// A fault to inject into the next request it applies to, whatever the chances say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The next request gets `ErrorServerBusy` (SOAP fault) with this back-off.
    ServerBusy(Duration),
    /// The next request gets HTTP 503.
    Http503,
    /// The next streaming envelope is cut in half and the connection dropped.
    DropMidEnvelope,
    /// The next streaming connection poll sends `Closed`.
    CloseStreamEarly,
    /// The next streaming connection poll goes silent: the connection stays open but sends
    /// nothing more (no events, no keep-alives) until the client gives up on it.
    StallStream,
    /// The next answer carries `Connection: close`, so the server closes that connection after
    /// it; with [`Config::ntlm`] the client must authenticate a new one.
    ConnectionClose,
    /// The next GetEvents, streaming poll or push delivery answers `ErrorReadEventsFailed` and
    /// the subscription is gone.
    ReadEventsFailed,
}

/// What the simulator saw and did (counters since start).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests served, all operations.
    pub requests: u64,
    /// Faults injected (every kind).
    pub faults: u64,
    /// Requests that arrived while a back-off the simulator asked for was still running.
    pub back_off_violations: u64,
    /// GetEvents / GetStreamingEvents requests that came without the `X-BackEndOverrideCookie`
    /// of the server their subscriptions live on (or for subscriptions on several servers).
    pub affinity_misses: u64,
    /// Streaming connections opened.
    pub streaming_connections: u64,
    /// Subscriptions created.
    pub subscriptions: u64,
    /// 401 answers sent (with NTLM, the CHALLENGE legs included).
    pub unauthorized: u64,
    /// NTLM AUTHENTICATE messages accepted: connections authenticated.
    pub ntlm_authentications: u64,
    /// NTLM AUTHENTICATE messages refused (and NTLM tokens that are no readable message).
    pub ntlm_failures: u64,
    /// Accepted AUTHENTICATE messages that carried a MIC, which was checked.
    pub ntlm_mics_verified: u64,
    /// Accepted AUTHENTICATE messages whose channel bindings were checked against
    /// [`NtlmAccount::channel_binding_certificate`].
    pub ntlm_channel_bindings_verified: u64,
    /// SendNotification requests the push listener answered OK.
    pub push_deliveries: u64,
    /// SendNotification attempts that failed (and were retried or gave up).
    pub push_failures: u64,
    /// Requests refused because their `ExchangeImpersonation` was missing or named another
    /// mailbox than the one they open (with [`Config::require_impersonation`]).
    pub impersonation_refusals: u64,
    /// Requests for a mailbox whose `X-AnchorMailbox` was missing or named a mailbox the
    /// request does not open (Exchange would route them through the wrong server).
    pub anchor_mismatches: u64,
}

/// Who a request acted as and where it asked to be routed, as the simulator saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// The operation: `Subscribe`, `GetEvents`, ...
    pub operation: String,
    /// The SMTP address in `ExchangeImpersonation`, if any.
    pub impersonated: Option<String>,
    /// The `X-AnchorMailbox` header, if any.
    pub anchor: Option<String>,
    /// The mailboxes the request opens (lower case): the folder's mailbox, the item's owner,
    /// the subscriptions' owners.
    pub mailboxes: Vec<String>,
    /// The `ErrorAccessDenied` answer it got, if refused.
    pub refused: bool,
}

/// A calendar item to create.
#[derive(Debug, Clone)]
pub struct NewItem {
    /// `Subject`.
    pub subject: String,
    /// `Start`, RFC 3339 UTC.
    pub start: String,
    /// `End`, RFC 3339 UTC.
    pub end: String,
    /// Single, recurring master or exception.
    pub kind: CalendarKind,
    /// The iCalendar UID; a fresh Outlook-style one when `None`.
    pub uid: Option<String>,
    /// For an exception: the original date of the instance (goes into the GOID).
    pub instance_date: Option<time::Date>,
    /// For a recurring master: its recurrence (weekly, 10 occurrences when `None`).
    pub recurrence: Option<crate::Recurrence>,
    /// The organizer's SMTP address; the mailbox the item is created in when `None`.
    pub organizer: Option<String>,
}

impl NewItem {
    /// A single appointment.
    pub fn single(subject: &str) -> Self {
        Self {
            subject: subject.into(),
            start: "2026-01-06T09:00:00Z".into(),
            end: "2026-01-06T09:30:00Z".into(),
            kind: CalendarKind::Single,
            uid: None,
            instance_date: None,
            recurrence: None,
            organizer: None,
        }
    }
    /// A recurring series (its master item).
    pub fn recurring(subject: &str) -> Self {
        Self {
            kind: CalendarKind::RecurringMaster,
            ..Self::single(subject)
        }
    }
}
