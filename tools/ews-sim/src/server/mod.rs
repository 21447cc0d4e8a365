//! The HTTP side: an axum server on 127.0.0.1 serving `/EWS/Exchange.asmx`, fault injection,
//! and the handle tests use to make mailbox changes.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State as AxState};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use ews_notify::goid::GlobalObjectId;
use tokio::sync::{oneshot, watch};

use crate::ids;
use crate::ledger::{Change, Ledger, LedgerEntry, LedgerEvent, Source, Split};
mod config;
mod identity;
mod ntlm;
mod ops;
mod push;
mod stream;

pub use config::{Config, Fault, Faults, NewItem, NtlmAccount, RequestRecord, Stats};

use crate::read::{Request, read_request};
use crate::soap;
use crate::state::{
    CALENDAR_FOLDER, CalendarItem, CalendarKind, LogEvent, Mailbox, Refusal, State,
    SubscriptionKind,
};

pub(crate) struct Shared {
    config: Config,
    faults: Mutex<Faults>,
    state: Mutex<State>,
    rng: Mutex<SplitMix64>,
    injected: Mutex<VecDeque<Fault>>,
    bearer: Mutex<Option<String>>,
    /// With [`Config::ntlm`]: the NTLM server every connection authenticates against.
    ntlm: Option<ntlm::Server>,
    /// With [`Config::push_ca_pem`]: the CA push delivery trusts too.
    push_ca: Option<reqwest::Certificate>,
    busy_until: Mutex<Option<Instant>>,
    stats: Mutex<Stats>,
    /// With [`Config::record_requests`]: who each request acted as.
    requests: Mutex<Vec<RequestRecord>>,
    /// Bumped on every change to any log, so streaming connections wake up.
    changed: watch::Sender<u64>,
    next_connection: AtomicU64,
    uid_serial: AtomicU64,
    /// Every change made so far, and where to write new ones.
    ledger: Mutex<Ledger>,
    /// Distribution lists ExpandDL and ResolveNames know: address -> members.
    groups: Mutex<std::collections::BTreeMap<String, Vec<String>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock would be a simulator bug; keep serving what is there.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    fn chance(&self, per_mille: u32) -> bool {
        per_mille > 0 && lock(&self.rng).next() % 1000 < u64::from(per_mille)
    }
    fn count(&self, f: impl FnOnce(&mut Stats)) {
        f(&mut lock(&self.stats));
    }
    fn take_injected(&self, pred: impl Fn(&Fault) -> bool) -> Option<Fault> {
        let mut q = lock(&self.injected);
        let i = q.iter().position(pred)?;
        q.remove(i)
    }
    fn bump(&self) {
        self.changed.send_modify(|g| *g += 1);
    }

    /// A fresh calendar item for `new` (UID and GOIDs made), not yet in any mailbox.
    fn make_item(&self, new: NewItem) -> Option<CalendarItem> {
        let serial = self.uid_serial.fetch_add(1, Ordering::Relaxed);
        let uid = new.uid.unwrap_or_else(|| outlook_uid(serial));
        let goid = GlobalObjectId::from_ical_uid(&uid, new.instance_date).ok()?;
        let recurrence = match new.kind {
            CalendarKind::RecurringMaster => new.recurrence.or(Some(crate::Recurrence {
                interval_weeks: 1,
                occurrences: 10,
            })),
            _ => None,
        };
        Some(CalendarItem {
            uid,
            clean_goid: goid.clean().as_bytes().to_vec(),
            goid: goid.as_bytes().to_vec(),
            organizer: new.organizer.unwrap_or_default(),
            recurrence,
            original_start: new
                .instance_date
                .filter(|_| new.kind == CalendarKind::Exception)
                .map(|_| new.start.clone()),
            ..CalendarItem::new(&new.subject, &new.start, &new.end, new.kind)
        })
    }

    /// Runs one change on mailbox `smtp` under the state lock and records it in the ledger
    /// with the events it logged. `change` returns its result and the ledger entry (without
    /// events).
    fn change<T>(
        &self,
        smtp: &str,
        change: impl FnOnce(&mut State, usize) -> Result<(T, LedgerEntry), Refusal>,
    ) -> Result<(T, LedgerEntry), Refusal> {
        let out = {
            let mut st = lock(&self.state);
            let mb = st.mailbox(smtp).ok_or(Refusal::NonExistentMailbox)?;
            let before = st.mailboxes[mb].log.len();
            let (value, mut entry) = change(&mut st, mb)?;
            entry.events = st.mailboxes[mb].log[before..]
                .iter()
                .map(LedgerEvent::from)
                .collect();
            if entry.time.is_empty() {
                entry.time = st.mailboxes[mb]
                    .log
                    .last()
                    .map(|e| e.timestamp.clone())
                    .unwrap_or_default();
            }
            let entry = lock(&self.ledger).push(entry);
            (value, entry)
        };
        self.bump();
        Ok(out)
    }

    pub(crate) fn create(
        &self,
        source: Source,
        smtp: &str,
        new: NewItem,
    ) -> Result<(CalendarItem, LedgerEntry), Refusal> {
        let mut item = self.make_item(new).ok_or(Refusal::InvalidRequest)?;
        self.change(smtp, |st, mb| {
            if item.organizer.is_empty() {
                item.organizer = smtp.to_ascii_lowercase();
            }
            let change = match item.kind {
                CalendarKind::RecurringMaster => Change::SeriesCreated,
                CalendarKind::Exception => Change::OrphanCreated,
                _ => Change::Created,
            };
            let item = st.create_item(mb, item);
            let mut e = LedgerEntry::about(source, smtp, change, &item);
            e.instance_date = instance_date_of(&item);
            Ok((item, e))
        })
    }

    pub(crate) fn modify(
        &self,
        source: Source,
        smtp: &str,
        id: &str,
        edit: impl FnOnce(&mut CalendarItem),
    ) -> Result<(CalendarItem, LedgerEntry), Refusal> {
        self.change(smtp, |st, mb| {
            let item = st.modify_item(mb, id, edit).ok_or(Refusal::ItemNotFound)?;
            let e = LedgerEntry::about(source, smtp, Change::Modified, &item);
            Ok((item, e))
        })
    }

    pub(crate) fn cancel(
        &self,
        source: Source,
        smtp: &str,
        id: &str,
    ) -> Result<(CalendarItem, LedgerEntry), Refusal> {
        self.change(smtp, |st, mb| {
            let item = st
                .modify_item(mb, id, |i| {
                    i.is_cancelled = true;
                    if !i.subject.starts_with("Canceled: ") {
                        i.subject = format!("Canceled: {}", i.subject);
                    }
                })
                .ok_or(Refusal::ItemNotFound)?;
            let e = LedgerEntry::about(source, smtp, Change::Cancelled, &item);
            Ok((item, e))
        })
    }

    pub(crate) fn delete(
        &self,
        source: Source,
        smtp: &str,
        id: &str,
    ) -> Result<(CalendarItem, LedgerEntry), Refusal> {
        self.change(smtp, |st, mb| {
            let item = st.mailboxes[mb]
                .items
                .get(id)
                .cloned()
                .ok_or(Refusal::ItemNotFound)?;
            st.delete_item(mb, id);
            let mut e = LedgerEntry::about(source, smtp, Change::Deleted, &item);
            e.time = String::new();
            Ok((item, e))
        })
    }

    pub(crate) fn move_to(
        &self,
        source: Source,
        smtp: &str,
        id: &str,
        folder: u64,
    ) -> Result<(CalendarItem, LedgerEntry), Refusal> {
        self.change(smtp, |st, mb| {
            let item = st.move_item(mb, id, folder).ok_or(Refusal::ItemNotFound)?;
            let mut e = LedgerEntry::about(source, smtp, Change::Moved, &item);
            e.old_item_id = Some(id.to_string());
            Ok((item, e))
        })
    }

    pub(crate) fn edit_occurrence(
        &self,
        source: Source,
        smtp: &str,
        master_id: &str,
        index: u32,
        edit: impl FnOnce(&mut crate::Occurrence),
    ) -> Result<((CalendarItem, CalendarItem), LedgerEntry), Refusal> {
        self.change(smtp, |st, mb| {
            let (master, exception) = st.edit_occurrence(mb, master_id, index, edit)?;
            let mut e = LedgerEntry::about(source, smtp, Change::OccurrenceModified, &master);
            e.occurrence_item_id = Some(exception.id.clone());
            e.instance_date = exception
                .original_start
                .as_deref()
                .and_then(|s| s.get(..10))
                .map(str::to_string);
            Ok(((master, exception), e))
        })
    }

    pub(crate) fn delete_occurrence(
        &self,
        source: Source,
        smtp: &str,
        master_id: &str,
        index: u32,
    ) -> Result<(CalendarItem, LedgerEntry), Refusal> {
        self.change(smtp, |st, mb| {
            let guid = st.mailboxes[mb].guid;
            let (master, original) = st.delete_occurrence(mb, master_id, index)?;
            let mut e = LedgerEntry::about(source, smtp, Change::OccurrenceDeleted, &master);
            let serial = ids::decode_item_serial(master_id).unwrap_or(0);
            e.occurrence_item_id = Some(ids::occurrence_id(&guid, serial, index));
            e.instance_date = original.get(..10).map(str::to_string);
            Ok((master, e))
        })
    }

    pub(crate) fn split(
        &self,
        source: Source,
        smtp: &str,
        id: &str,
        from: &str,
        cut: Option<i64>,
    ) -> Result<((CalendarItem, CalendarItem), LedgerEntry), Refusal> {
        let fresh = self
            .make_item(NewItem::recurring("split"))
            .ok_or(Refusal::InvalidRequest)?;
        self.change(smtp, |st, mb| {
            let (past, series) = st
                .split_series(mb, id, from, cut, &fresh)
                .ok_or(Refusal::ItemNotFound)?;
            let mut e = LedgerEntry::about(source, smtp, Change::SeriesSplit, &series);
            e.split = Some(Split {
                past_item_id: past.id.clone(),
                past_global_object_id: base64_of(&past.goid),
                past_clean_global_object_id: base64_of(&past.clean_goid),
                from: from.to_string(),
            });
            Ok(((past, series), e))
        })
    }
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The instance date (`YYYY-MM-DD`) an item's GlobalObjectId carries, if any.
fn instance_date_of(item: &CalendarItem) -> Option<String> {
    let g = GlobalObjectId::from_bytes(&item.goid).ok()?;
    g.instance_date().map(|d| d.to_string())
}

/// SplitMix64: a small, fast, seedable generator; plenty for drawing faults.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// A running simulator. Dropping it stops the server.
pub struct Simulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    _stop: oneshot::Sender<()>,
}

impl Simulator {
    /// Starts the simulator on 127.0.0.1 with a port the OS picks.
    ///
    /// # Errors
    /// When the socket cannot be bound; `InvalidInput` when [`Config::push_ca_pem`] does not
    /// parse or [`Config::ntlm`] names a certificate that cannot be hashed.
    pub async fn start(config: Config) -> std::io::Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    /// Starts the simulator on `addr` (port 0: one the OS picks).
    ///
    /// # Errors
    /// As [`Simulator::start`].
    pub async fn start_on(addr: SocketAddr, config: Config) -> std::io::Result<Self> {
        // The push client (reqwest) is built without a bundled crypto provider.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let ntlm = config
            .ntlm
            .as_ref()
            .map(|account| ntlm::Server::new(account, &config.server_name))
            .transpose()?;
        let push_ca = config
            .push_ca_pem
            .as_deref()
            .map(|pem| reqwest::Certificate::from_pem(pem.as_bytes()))
            .transpose()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let (changed, _) = watch::channel(0);
        let shared = Arc::new(Shared {
            rng: Mutex::new(SplitMix64(config.seed)),
            state: Mutex::new(State::new(config.server_name.clone())),
            bearer: Mutex::new(config.bearer_token.clone()),
            ntlm,
            push_ca,
            faults: Mutex::new(config.faults.clone()),
            config,
            injected: Mutex::new(VecDeque::new()),
            busy_until: Mutex::new(None),
            stats: Mutex::new(Stats::default()),
            requests: Mutex::new(Vec::new()),
            changed,
            next_connection: AtomicU64::new(1),
            uid_serial: AtomicU64::new(1),
            ledger: Mutex::new(Ledger::default()),
            groups: Mutex::new(std::collections::BTreeMap::new()),
        });
        let app = Router::new()
            .route("/EWS/Exchange.asmx", post(handle))
            .with_state(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            // Every connection gets its own NTLM state (`ntlm::Connection`), as with IIS.
            let app = app.into_make_service_with_connect_info::<ntlm::Connection>();
            let served = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = stopped.await;
            });
            if let Err(e) = served.await {
                tracing::warn!(error = %e, "ews-sim server stopped");
            }
        });
        Ok(Self {
            shared,
            addr,
            _stop: stop,
        })
    }

    /// The EWS endpoint URL, `http://127.0.0.1:PORT/EWS/Exchange.asmx`.
    pub fn url(&self) -> String {
        format!("http://{}/EWS/Exchange.asmx", self.addr)
    }

    /// The address the simulator listens on (for a front such as `tls::tls_front`).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Who each request that opened a mailbox acted as, in arrival order (empty unless
    /// [`Config::record_requests`]).
    pub fn request_log(&self) -> Vec<RequestRecord> {
        lock(&self.shared.requests).clone()
    }

    /// Adds a mailbox (idempotent).
    pub fn add_mailbox(&self, smtp: &str) {
        lock(&self.shared.state).add_mailbox(smtp);
    }

    /// The id of a mailbox's calendar folder.
    pub fn calendar_folder_id(&self, smtp: &str) -> Option<String> {
        let st = lock(&self.shared.state);
        let mb = st.mailbox(smtp)?;
        Some(st.mailboxes[mb].folder(CALENDAR_FOLDER))
    }

    /// Creates a calendar item (logs CreatedEvent + folder ModifiedEvent). `None` when the
    /// mailbox is unknown or the UID cannot make a GOID.
    pub fn create_item(&self, smtp: &str, new: NewItem) -> Option<CalendarItem> {
        self.shared
            .create(Source::Api, smtp, new)
            .ok()
            .map(|(i, _)| i)
    }

    /// Changes an item's subject (logs ModifiedEvent + folder ModifiedEvent).
    pub fn modify_item(&self, smtp: &str, id: &str, subject: &str) -> Option<CalendarItem> {
        self.shared
            .modify(Source::Api, smtp, id, |i| i.subject = subject.to_string())
            .ok()
            .map(|(i, _)| i)
    }

    /// Deletes an item for good (logs DeletedEvent + folder ModifiedEvent).
    pub fn delete_item(&self, smtp: &str, id: &str) -> bool {
        self.shared.delete(Source::Api, smtp, id).is_ok()
    }

    /// Moves an item to the distinguished folder `folder` (`deleteditems` for a soft delete,
    /// `calendar`, `inbox`): the item gets a new ItemId and a MovedEvent names both ids.
    pub fn move_item(&self, smtp: &str, id: &str, folder: &str) -> Option<CalendarItem> {
        let to = Mailbox::distinguished(folder)?;
        self.shared
            .move_to(Source::Api, smtp, id, to)
            .ok()
            .map(|(i, _)| i)
    }

    /// The organizer cancels a meeting: `IsCancelled`, subject prefixed with "Canceled: "
    /// (logs ModifiedEvent), as an attendee's copy shows it once the cancellation arrives.
    pub fn cancel_item(&self, smtp: &str, id: &str) -> Option<CalendarItem> {
        self.shared
            .cancel(Source::Api, smtp, id)
            .ok()
            .map(|(i, _)| i)
    }

    /// Edits occurrence `index` (1-based) of a series: new subject, start moved by
    /// `shift_seconds` (0: same date, seed case 1.3; else 1.4). The occurrence becomes an
    /// exception kept on the master, and the master's ModifiedEvent is what subscriptions
    /// see. Returns (master, exception).
    pub fn edit_occurrence(
        &self,
        smtp: &str,
        master_id: &str,
        index: u32,
        subject: &str,
        shift_seconds: i64,
    ) -> Option<(CalendarItem, CalendarItem)> {
        self.shared
            .edit_occurrence(Source::Api, smtp, master_id, index, |o| {
                shift_occurrence(o, subject, shift_seconds);
            })
            .ok()
            .map(|(v, _)| v)
    }

    /// Deletes occurrence `index` (1-based) of a series (seed case 1.6): the master changes
    /// (ModifiedEvent) and lists it in `DeletedOccurrences`. Returns the master.
    pub fn delete_occurrence(
        &self,
        smtp: &str,
        master_id: &str,
        index: u32,
    ) -> Option<CalendarItem> {
        self.shared
            .delete_occurrence(Source::Api, smtp, master_id, index)
            .ok()
            .map(|(v, _)| v)
    }

    /// Occurrence `index` (1-based) of a series as GetItem returns it: an `Occurrence`, or the
    /// `Exception` it became. `None` outside the series or when deleted.
    pub fn occurrence(&self, smtp: &str, master_id: &str, index: u32) -> Option<CalendarItem> {
        let st = lock(&self.shared.state);
        let mb = st.mailbox(smtp)?;
        st.occurrence(mb, master_id, index).ok()
    }

    /// Exchange's handling of an edit to a recurring series that started in the past (the
    /// seed's case 2.3): the past part becomes a **new item with the same GlobalObjectId**, and
    /// the existing item (same ItemId) continues the series from `from` with a **new**
    /// GlobalObjectId. Returns (new past item, modified series).
    pub fn split_series(
        &self,
        smtp: &str,
        id: &str,
        from: &str,
    ) -> Option<(CalendarItem, CalendarItem)> {
        self.shared
            .split(Source::Api, smtp, id, from, None)
            .ok()
            .map(|(v, _)| v)
    }

    /// Every change made so far (by the generator, the library API and EWS clients), in order.
    pub fn ledger(&self) -> Vec<LedgerEntry> {
        lock(&self.shared.ledger).entries.clone()
    }

    /// Writes every later ledger entry to `sink` as a JSON line, flushed after each.
    pub fn set_ledger_writer(&self, sink: Box<dyn std::io::Write + Send>) {
        lock(&self.shared.ledger).sink = Some(sink);
    }

    /// Adds a distribution list that ResolveNames and ExpandDL know.
    pub fn add_group(&self, address: &str, members: &[String]) {
        lock(&self.shared.groups).insert(
            address.to_ascii_lowercase(),
            members.iter().map(|m| m.to_ascii_lowercase()).collect(),
        );
    }

    /// What the change generator works through.
    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    /// Every event generated in a mailbox so far, in log order (forgotten ones included).
    pub fn generated(&self, smtp: &str) -> Vec<LogEvent> {
        let st = lock(&self.shared.state);
        st.mailbox(smtp)
            .map(|mb| st.mailboxes[mb].log.clone())
            .unwrap_or_default()
    }

    /// The items a mailbox holds now.
    pub fn items(&self, smtp: &str) -> Vec<CalendarItem> {
        let st = lock(&self.shared.state);
        st.mailbox(smtp)
            .map(|mb| st.mailboxes[mb].items.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Queues a fault for the next request it applies to.
    pub fn inject(&self, fault: Fault) {
        lock(&self.shared.injected).push_back(fault);
        self.shared.bump();
    }

    /// Forgets every subscription of a mailbox (as after a server restart or expiry).
    pub fn forget_subscriptions(&self, smtp: &str) -> usize {
        let n = {
            let mut st = lock(&self.shared.state);
            let Some(mb) = st.mailbox(smtp) else {
                return 0;
            };
            let before = st.subscriptions.len();
            st.subscriptions.retain(|_, s| s.mailbox != mb);
            before - st.subscriptions.len()
        };
        self.shared.bump();
        n
    }

    /// Drops a mailbox's log so far: its watermarks and sync states become invalid.
    pub fn forget_log(&self, smtp: &str) {
        let mut st = lock(&self.shared.state);
        if let Some(mb) = st.mailbox(smtp) {
            st.forget_log(mb);
        }
    }

    /// Replaces the accepted bearer token (the old one then gets 401).
    pub fn set_bearer_token(&self, token: Option<String>) {
        *lock(&self.shared.bearer) = token;
    }

    /// Stops or resumes random faults by replacing their chances.
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.shared.faults) = faults;
    }

    /// Counters since start.
    pub fn stats(&self) -> Stats {
        lock(&self.shared.stats).clone()
    }
}

/// New subject and start moved by `shift_seconds` for an occurrence being edited.
pub(crate) fn shift_occurrence(o: &mut crate::Occurrence, subject: &str, shift_seconds: i64) {
    o.subject = subject.to_string();
    if shift_seconds != 0 {
        let moved = |t: &str| {
            crate::state::parse_rfc3339(t).map(|u| crate::state::rfc3339(u + shift_seconds))
        };
        if let (Some(s), Some(e)) = (moved(&o.start), moved(&o.end)) {
            o.start = s;
            o.end = e;
        }
    }
}

/// The bearer token requests must carry, if any.
fn bearer(shared: &Shared) -> Option<String> {
    lock(&shared.bearer).clone()
}

fn faults(shared: &Shared) -> Faults {
    lock(&shared.faults).clone()
}

/// An Outlook-style UID: the hex of a GlobalObjectId whose data is 16 bytes.
fn outlook_uid(serial: u64) -> String {
    let mut s = String::from("040000008200E00074C5B7101A82E008");
    s.push_str("00000000"); // instance date: none
    // Creation time: a FILETIME in 2026, varied by serial.
    let filetime: u64 = 134_117_280_000_000_000 + serial * 10_000_000;
    for b in filetime.to_le_bytes() {
        s.push_str(&format!("{b:02X}"));
    }
    s.push_str("0000000000000000"); // reserved
    s.push_str("10000000"); // data size 16
    let mut x = SplitMix64(serial);
    for _ in 0..2 {
        for b in x.next().to_le_bytes() {
            s.push_str(&format!("{b:02X}"));
        }
    }
    s
}

fn xml_response(status: StatusCode, body: String, cookie: Option<&str>) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    if let Some(c) = cookie {
        if let Ok(v) = HeaderValue::from_str(&format!("X-BackEndOverrideCookie={c}; path=/")) {
            r.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    r
}

/// The `X-BackEndOverrideCookie` value that routes to mailbox server `backend`.
fn backend_cookie(backend: u8) -> String {
    format!("SIM-BE{backend:02}~{}", ids::mailbox_guid(0)[0])
}

/// The mailbox server named by the request's `X-BackEndOverrideCookie`, if any.
fn cookie_backend(cookie: &str) -> Option<u8> {
    let (_, rest) = cookie.split_once("X-BackEndOverrideCookie=SIM-BE")?;
    rest.get(..2)?.parse().ok()
}

/// The mailbox server a request reaches: the one its affinity cookie names, else the one of
/// its `X-AnchorMailbox`, else the home server of `mailbox` (the mailbox it opens).
fn routed_backend(st: &State, cookie: &str, headers: &HeaderMap, mailbox: usize) -> u8 {
    cookie_backend(cookie)
        .or_else(|| {
            let anchor = headers.get("X-AnchorMailbox")?.to_str().ok()?;
            st.mailbox(anchor).map(|i| st.mailboxes[i].backend)
        })
        .unwrap_or(st.mailboxes[mailbox].backend)
}

async fn handle(
    AxState(shared): AxState<Arc<Shared>>,
    ConnectInfo(conn): ConnectInfo<ntlm::Connection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut response = answer(shared.clone(), &conn, headers, body).await;
    let injected = shared
        .take_injected(|f| *f == Fault::ConnectionClose)
        .is_some();
    // A drawn close spares the CHALLENGE leg: IIS keeps a connection open mid-handshake.
    if injected
        || (response.status() != StatusCode::UNAUTHORIZED
            && shared.chance(faults(&shared).connection_close))
    {
        // hyper closes the connection after an answer that says so.
        shared.count(|s| s.faults += 1);
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

async fn answer(
    shared: Arc<Shared>,
    conn: &ntlm::Connection,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.count(|s| s.requests += 1);
    // Authentication: NTLM per connection, else the bearer token (if any) per request.
    if let Some(server) = &shared.ntlm {
        if let Some(refused) = ntlm::authenticate(&shared, server, conn, &headers) {
            return refused;
        }
    } else if let Some(token) = bearer(&shared) {
        let got = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if got != Some(token.as_str()) {
            shared.count(|s| s.unauthorized += 1);
            return (StatusCode::UNAUTHORIZED, "401 Unauthorized").into_response();
        }
    }
    // Back-off bookkeeping.
    let violated = {
        let busy = lock(&shared.busy_until);
        matches!(*busy, Some(until) if Instant::now() < until)
    };
    if violated {
        shared.count(|s| s.back_off_violations += 1);
    }
    let req = match read_request(&body) {
        Ok(r) => r,
        Err(reason) => {
            tracing::debug!(%reason, "ews-sim: unreadable request");
            return xml_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                soap::fault("ErrorInvalidRequest", "The request is invalid."),
                None,
            );
        }
    };
    if let Some(refusal) = identity::check(&shared, &req, &headers) {
        let op = if req.operation.is_empty() {
            "Unknown"
        } else {
            req.operation.as_str()
        };
        return xml_response(StatusCode::OK, soap::error_response(op, refusal), None);
    }
    let f = faults(&shared);
    // Faults that apply to any request.
    if let Some(Fault::Http503) = shared.take_injected(|f| *f == Fault::Http503) {
        shared.count(|s| s.faults += 1);
        return (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response();
    }
    if let Some(Fault::ServerBusy(d)) = shared.take_injected(|f| matches!(f, Fault::ServerBusy(_)))
    {
        return busy(&shared, d, true, &req.operation);
    }
    if shared.chance(f.http_503) {
        shared.count(|s| s.faults += 1);
        return (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response();
    }
    if shared.chance(f.server_busy_fault) {
        return busy(&shared, f.back_off, true, &req.operation);
    }
    if shared.chance(f.server_busy_message) {
        return busy(&shared, f.back_off, false, &req.operation);
    }
    if shared.chance(f.delay_chance) {
        shared.count(|s| s.faults += 1);
        tokio::time::sleep(f.delay).await;
    }
    let cookie = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    {
        let mut st = lock(&shared.state);
        st.expire(shared.config.minute);
    }
    match req.operation.as_str() {
        "Subscribe" => subscribe(&shared, &req, &headers),
        "GetEvents" => get_events(&shared, &req, &f, &cookie, &headers),
        "GetStreamingEvents" => {
            stream::get_streaming_events(shared.clone(), &req, &f, &cookie, &headers)
        }
        "Unsubscribe" => {
            let id = req.text("SubscriptionId").unwrap_or_default().to_string();
            let r = lock(&shared.state).unsubscribe(&id);
            match r {
                Ok(()) => xml_response(StatusCode::OK, soap::unsubscribe_response(), None),
                Err(e) => {
                    xml_response(StatusCode::OK, soap::error_response("Unsubscribe", e), None)
                }
            }
        }
        "SyncFolderItems" => items(&shared, &req, &headers, &f),
        other => match ops::answer(&shared, &req, &headers) {
            Some(r) => r,
            None => {
                tracing::debug!(operation = other, "ews-sim: operation not simulated");
                // What Exchange answers a request it has no operation for: a SOAP fault.
                xml_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    soap::fault(
                        "ErrorInvalidRequest",
                        "The request is invalid: the simulator does not serve this operation.",
                    ),
                    None,
                )
            }
        },
    }
}

fn busy(shared: &Shared, back_off: Duration, as_fault: bool, op: &str) -> Response {
    shared.count(|s| s.faults += 1);
    let ms = u64::try_from(back_off.as_millis()).unwrap_or(u64::MAX);
    *lock(&shared.busy_until) = Some(Instant::now() + back_off);
    if as_fault {
        xml_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            soap::busy_fault(ms),
            None,
        )
    } else {
        let op = if op.is_empty() { "Unknown" } else { op };
        xml_response(StatusCode::OK, soap::busy_response(op, ms), None)
    }
}

/// The mailbox a request is for: impersonation, then a folder's mailbox, then X-AnchorMailbox.
fn target_mailbox(st: &State, req: &Request, headers: &HeaderMap) -> Option<usize> {
    let from_req = req
        .first("ExchangeImpersonation")
        .and(req.all("SmtpAddress").next().map(|n| n.text.clone()))
        .or_else(|| {
            req.all_in("EmailAddress", "Mailbox")
                .next()
                .map(|n| n.text.clone())
        });
    let from_header = headers
        .get("X-AnchorMailbox")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    from_req
        .or(from_header)
        .or_else(|| basic_user(headers))
        .and_then(|s| st.mailbox(&s))
}

/// The user name of `Authorization: Basic`, which with Basic is the caller's own mailbox.
fn basic_user(headers: &HeaderMap) -> Option<String> {
    use base64::Engine as _;
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let b64 = v.strip_prefix("Basic ")?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let user = text.split_once(':').map_or(text.as_str(), |(u, _)| u);
    // `DOMAIN\user` names no SMTP address.
    Some(user.rsplit('\\').next().unwrap_or(user).to_string())
}

/// Counts a request about a subscription on server `backend` that came without that server's
/// cookie.
fn check_affinity(shared: &Shared, backend: u8, cookie: &str) {
    if cookie_backend(cookie) != Some(backend) {
        shared.count(|s| s.affinity_misses += 1);
    }
}

/// Folder ids a request names: distinguished ones resolved in mailbox `mb`.
fn folder_ids(st: &State, mb: usize, req: &Request) -> Vec<String> {
    let m = &st.mailboxes[mb];
    let mut out = Vec::new();
    for n in req.all("DistinguishedFolderId") {
        match n.attr("Id").and_then(Mailbox::distinguished) {
            Some(serial) => out.push(m.folder(serial)),
            None => out.push(format!("unknown:{}", n.attr("Id").unwrap_or(""))),
        }
    }
    for n in req.all("FolderId") {
        out.push(n.attr("Id").unwrap_or_default().to_string());
    }
    out
}

fn subscribe(shared: &Arc<Shared>, req: &Request, headers: &HeaderMap) -> Response {
    let mut st = lock(&shared.state);
    let Some(mb) = target_mailbox(&st, req, headers) else {
        return xml_response(
            StatusCode::OK,
            soap::error_response("Subscribe", Refusal::NonExistentMailbox),
            None,
        );
    };
    let kind = if req.first("PullSubscriptionRequest").is_some() {
        SubscriptionKind::Pull {
            timeout_minutes: req
                .text("Timeout")
                .and_then(|t| t.parse().ok())
                .unwrap_or(30),
        }
    } else if req.first("StreamingSubscriptionRequest").is_some() {
        SubscriptionKind::Streaming
    } else if req.first("PushSubscriptionRequest").is_some() {
        SubscriptionKind::Push {
            url: req.text("URL").unwrap_or_default().to_string(),
            status_frequency: req
                .text("StatusFrequency")
                .and_then(|t| t.parse().ok())
                .unwrap_or(30),
        }
    } else {
        return xml_response(
            StatusCode::OK,
            soap::error_response("Subscribe", Refusal::InvalidRequest),
            None,
        );
    };
    let folders = folder_ids(&st, mb, req);
    let types: Vec<String> = req.all("EventType").map(|n| n.text.clone()).collect();
    let watermark = req.text("Watermark").map(str::to_string);
    let sent = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let backend = routed_backend(&st, sent, headers, mb);
    let cookie = backend_cookie(backend);
    match st.subscribe(
        mb,
        kind.clone(),
        folders,
        types,
        watermark.as_deref(),
        backend,
    ) {
        Ok((id, wm)) => {
            drop(st);
            shared.count(|s| s.subscriptions += 1);
            let wm = match &kind {
                SubscriptionKind::Streaming => None,
                SubscriptionKind::Push {
                    url,
                    status_frequency,
                } => {
                    tokio::spawn(push::deliver(
                        shared.clone(),
                        id.clone(),
                        url.clone(),
                        *status_frequency,
                    ));
                    Some(wm.as_str())
                }
                SubscriptionKind::Pull { .. } => Some(wm.as_str()),
            };
            xml_response(
                StatusCode::OK,
                soap::subscribe_response(&id, wm),
                Some(&cookie),
            )
        }
        Err(e) => xml_response(
            StatusCode::OK,
            soap::error_response("Subscribe", e),
            Some(&cookie),
        ),
    }
}

fn forget_maybe(shared: &Shared, f: &Faults, id: &str) {
    if shared.chance(f.forget_subscription) {
        let removed = lock(&shared.state).subscriptions.remove(id).is_some();
        if removed {
            shared.count(|s| s.faults += 1);
            tracing::debug!(subscription = id, "ews-sim fault: subscription forgotten");
        }
    }
}

fn get_events(
    shared: &Shared,
    req: &Request,
    f: &Faults,
    cookie: &str,
    headers: &HeaderMap,
) -> Response {
    let id = req.text("SubscriptionId").unwrap_or_default().to_string();
    let watermark = req.text("Watermark").unwrap_or_default().to_string();
    forget_maybe(shared, f, &id);
    let mut st = lock(&shared.state);
    if let Some((mb, backend)) = st.subscriptions.get(&id).map(|s| (s.mailbox, s.backend)) {
        check_affinity(shared, backend, cookie);
        if routed_backend(&st, cookie, headers, mb) != backend {
            // Another mailbox server: it has never heard of this subscription.
            drop(st);
            return xml_response(
                StatusCode::OK,
                soap::error_response("GetEvents", Refusal::SubscriptionNotFound),
                None,
            );
        }
        if shared.chance(f.forget_log) {
            st.forget_log(mb);
            shared.count(|s| s.faults += 1);
            tracing::debug!(mailbox = mb, "ews-sim fault: log forgotten");
        }
    }
    if st.subscriptions.contains_key(&id)
        && (shared
            .take_injected(|f| *f == Fault::ReadEventsFailed)
            .is_some()
            || shared.chance(f.read_events_failed))
    {
        st.subscriptions.remove(&id);
        drop(st);
        shared.count(|s| s.faults += 1);
        return xml_response(
            StatusCode::OK,
            soap::read_events_failed_response("GetEvents", &id),
            None,
        );
    }
    let max = shared.config.max_events_per_get;
    let page = st.get_events(&id, &watermark, max);
    let guid = st
        .subscriptions
        .get(&id)
        .map(|s| st.mailboxes[s.mailbox].guid);
    drop(st);
    match (page, guid) {
        (Ok(page), Some(guid)) => {
            let body = soap::get_events_response(&id, &page, &|p| ids::watermark(&guid, p));
            if shared.chance(f.drop_mid_envelope) {
                shared.count(|s| s.faults += 1);
                return cut_response(body);
            }
            xml_response(StatusCode::OK, body, None)
        }
        (Err(e), _) => xml_response(StatusCode::OK, soap::error_response("GetEvents", e), None),
        (Ok(_), None) => xml_response(
            StatusCode::OK,
            soap::error_response("GetEvents", Refusal::SubscriptionNotFound),
            None,
        ),
    }
}

/// A response whose body stops halfway and then fails, so the connection is dropped.
fn cut_response(body: String) -> Response {
    let half = body.len() / 2;
    let first = Bytes::from(body.into_bytes()).slice(..half);
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(first),
        Err(std::io::Error::other("ews-sim fault: connection dropped")),
    ];
    let mut r = Response::new(Body::from_stream(tokio_stream::iter(chunks)));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    r
}

fn items(shared: &Shared, req: &Request, headers: &HeaderMap, f: &Faults) -> Response {
    let mut st = lock(&shared.state);
    let op = req.operation.clone();
    let Some(mb) = target_mailbox(&st, req, headers) else {
        return xml_response(
            StatusCode::OK,
            soap::error_response(&op, Refusal::NonExistentMailbox),
            None,
        );
    };
    let parent = st.mailboxes[mb].folder(CALENDAR_FOLDER);
    if shared.chance(f.forget_log) {
        st.forget_log(mb);
        shared.count(|s| s.faults += 1);
    }
    let state_text = req.text("SyncState").filter(|s| !s.is_empty());
    let max = req
        .text("MaxChangesReturned")
        .and_then(|t| t.parse().ok())
        .unwrap_or(512usize);
    match st.sync(mb, state_text, max) {
        Ok(page) => xml_response(
            StatusCode::OK,
            soap::sync_folder_items_response(&page, &parent),
            None,
        ),
        Err(e) => xml_response(StatusCode::OK, soap::error_response(&op, e), None),
    }
}
