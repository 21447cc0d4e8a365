//! The request builders: arguments and option objects in, the SOAP request as a string out.
//!
//! Names (`EventType`, `ExchangeVersion`, `SubscriptionStatus`) are read by core, and every
//! check is core's: a bad value throws an `Error` with core's code (`out_of_range`,
//! `unknown_name`, `empty_list`, `invalid_text`, `conflicting_values`, `inverted_range`).

use ews_notify::Error;
use ews_notify::request::{
    FindItemRequest, FolderId, GetEventsRequest, GetItemRequest, GetStreamingEventsRequest,
    HttpHeaders, ItemRef, RequestHeader, SubscribeRequest, SubscriptionStatus,
    SyncFolderItemsRequest, SyncScope, UnsubscribeRequest,
};
use napi::bindgen_prelude::{Either, Object};
use napi::{Env, JsDate, Status};
use napi_derive::napi;

use crate::error::to_js_error;
use crate::options::count_u32;

fn built(env: &Env, result: Result<String, Error>) -> napi::Result<String> {
    result.map_err(|e| to_js_error(env, &e))
}

fn header(version: Option<&str>, impersonate: Option<&str>) -> Result<RequestHeader, Error> {
    RequestHeader::from_text(version, impersonate)
}

fn folders(names: Vec<String>, ids: Vec<String>, mailbox: Option<&str>) -> Vec<FolderId> {
    FolderId::list(names, ids, mailbox)
}

/// Options every request takes: the SOAP header.
#[napi(object)]
#[derive(Debug, Default)]
pub struct RequestOptions {
    /// `RequestServerVersion`, e.g. `"Exchange2013_SP1"` (the default) or `"Exchange2016"`.
    pub version: Option<String>,
    /// SMTP address to act as (`ExchangeImpersonation`).
    pub impersonate: Option<String>,
}

/// What to watch, for the three `Subscribe` requests.
#[napi(object)]
#[derive(Debug, Default)]
pub struct SubscribeOptions {
    /// Event types: `"created"`, `"CreatedEvent"`, `"newMail"`, ...
    pub event_types: Vec<String>,
    /// Pull only: minutes the server keeps the subscription without a poll (1-1440).
    pub timeout_minutes: Option<f64>,
    /// Push only: minutes between status heartbeats (1-1440).
    pub status_frequency_minutes: Option<f64>,
    /// Distinguished folder names (`"calendar"`, `"inbox"`, ...).
    pub folders: Option<Vec<String>>,
    /// Folders by EWS id.
    pub folder_ids: Option<Vec<String>>,
    /// SMTP address of the mailbox that holds `folders` (delegate access).
    pub mailbox: Option<String>,
    /// Watch every folder of the mailbox instead of a list.
    pub all_folders: Option<bool>,
    /// Pull and push: resume from this watermark.
    pub watermark: Option<String>,
    /// `RequestServerVersion`.
    pub version: Option<String>,
    /// SMTP address to act as.
    pub impersonate: Option<String>,
}

fn subscribe(request: SubscribeRequest, o: SubscribeOptions) -> Result<String, Error> {
    let types = o
        .event_types
        .iter()
        .map(|t| t.parse())
        .collect::<Result<Vec<_>, _>>()?;
    let list = folders(
        o.folders.unwrap_or_default(),
        o.folder_ids.unwrap_or_default(),
        o.mailbox.as_deref(),
    );
    let mut request = request
        .folders(list)
        .event_types(types)
        .header(header(o.version.as_deref(), o.impersonate.as_deref())?);
    if o.all_folders == Some(true) {
        request = request.all_folders();
    }
    if let Some(watermark) = o.watermark {
        request = request.watermark(watermark);
    }
    request.build()
}

/// Reads a required count from an option object.
fn required(env: &Env, name: &str, value: Option<f64>) -> napi::Result<u32> {
    match count_u32(env, name, value)? {
        Some(v) => Ok(v),
        None => Err(napi::Error::new(
            Status::InvalidArg,
            format!("option `{name}` is required"),
        )),
    }
}

/// A `Subscribe` request for a pull subscription (poll it with `getEventsRequest`).
/// `options.timeoutMinutes` is required.
#[napi]
pub fn pull_subscribe_request(env: Env, options: SubscribeOptions) -> napi::Result<String> {
    let timeout = required(&env, "timeoutMinutes", options.timeout_minutes)?;
    built(&env, subscribe(SubscribeRequest::pull(timeout), options))
}

/// A `Subscribe` request for a push subscription: Exchange POSTs `SendNotification` to `url`
/// (parse each with `parseNotification`, answer with `sendNotificationResult`).
/// `options.statusFrequencyMinutes` is required.
#[napi]
pub fn push_subscribe_request(
    env: Env,
    url: String,
    options: SubscribeOptions,
) -> napi::Result<String> {
    let frequency = required(
        &env,
        "statusFrequencyMinutes",
        options.status_frequency_minutes,
    )?;
    built(
        &env,
        subscribe(SubscribeRequest::push(url, frequency), options),
    )
}

/// A `Subscribe` request for a streaming subscription (then send `getStreamingEventsRequest`
/// and cut the body with `StreamSplitter`).
#[napi]
pub fn streaming_subscribe_request(env: Env, options: SubscribeOptions) -> napi::Result<String> {
    built(&env, subscribe(SubscribeRequest::streaming(), options))
}

/// A `GetEvents` request: the events of a pull subscription since `watermark`.
#[napi]
pub fn get_events_request(
    env: Env,
    subscription_id: String,
    watermark: String,
    options: Option<RequestOptions>,
) -> napi::Result<String> {
    let o = options.unwrap_or_default();
    let result = header(o.version.as_deref(), o.impersonate.as_deref()).and_then(|h| {
        GetEventsRequest::new(subscription_id, watermark)
            .header(h)
            .build()
    });
    built(&env, result)
}

/// A `GetStreamingEvents` request: open a streaming connection for the subscriptions, kept
/// open `connectionTimeoutMinutes` (1-30).
#[napi]
pub fn get_streaming_events_request(
    env: Env,
    subscription_ids: Vec<String>,
    connection_timeout_minutes: f64,
    options: Option<RequestOptions>,
) -> napi::Result<String> {
    let minutes = required(
        &env,
        "connectionTimeoutMinutes",
        Some(connection_timeout_minutes),
    )?;
    let o = options.unwrap_or_default();
    let result = header(o.version.as_deref(), o.impersonate.as_deref()).and_then(|h| {
        GetStreamingEventsRequest::new(subscription_ids, minutes)
            .header(h)
            .build()
    });
    built(&env, result)
}

/// An `Unsubscribe` request.
#[napi]
pub fn unsubscribe_request(
    env: Env,
    subscription_id: String,
    options: Option<RequestOptions>,
) -> napi::Result<String> {
    let o = options.unwrap_or_default();
    let result = header(o.version.as_deref(), o.impersonate.as_deref())
        .and_then(|h| UnsubscribeRequest::new(subscription_id).header(h).build());
    built(&env, result)
}

/// The `SendNotificationResult` a push listener answers to each `SendNotification`:
/// `"OK"` (the default) keeps the subscription, `"Unsubscribe"` ends it.
#[napi(ts_args_type = "status?: 'OK' | 'Unsubscribe'")]
pub fn send_notification_result(env: Env, status: Option<String>) -> napi::Result<String> {
    let result = status
        .as_deref()
        .unwrap_or("OK")
        .parse::<SubscriptionStatus>()
        .map_err(Error::from)
        .map(ews_notify::request::send_notification_result);
    built(&env, result)
}

/// Reads one `getItemRequest` item: an id string, or an `ObjectId`-shaped object (`id` and an
/// optional `changeKey`, which may be `null` as in parsed events).
fn item_ref(item: Either<String, Object<'_>>) -> napi::Result<ItemRef> {
    match item {
        Either::A(id) => Ok(ItemRef::id(id)),
        Either::B(object) => {
            let id = object.get::<String>("id")?.ok_or_else(|| {
                napi::Error::new(Status::InvalidArg, "an item object needs a string `id`")
            })?;
            let change_key = object.get::<Option<String>>("changeKey")?.flatten();
            Ok(ItemRef::ItemId { id, change_key })
        }
    }
}

/// A `GetItem` request for calendar items, with the calendar fields and both GlobalObjectId
/// properties. `itemIds` are EWS id strings or `ObjectId`s from events (their change keys are
/// sent too).
#[napi(ts_args_type = "itemIds: Array<string | ObjectId>, options?: RequestOptions")]
pub fn get_item_request(
    env: Env,
    item_ids: Vec<Either<String, Object<'_>>>,
    options: Option<RequestOptions>,
) -> napi::Result<String> {
    let items = item_ids
        .into_iter()
        .map(item_ref)
        .collect::<napi::Result<Vec<_>>>()?;
    let o = options.unwrap_or_default();
    let result = header(o.version.as_deref(), o.impersonate.as_deref())
        .and_then(|h| GetItemRequest::new(items).header(h).build());
    built(&env, result)
}

/// Where a `FindItem` request searches, and its header.
#[napi(object)]
#[derive(Debug, Default)]
pub struct FindItemOptions {
    /// CalendarView only: at most this many entries (`MaxEntriesReturned`, 1 or more).
    pub max_entries: Option<f64>,
    /// Distinguished folders to search (default the caller's `calendar`).
    pub folders: Option<Vec<String>>,
    /// SMTP address of the mailbox that holds `folders`.
    pub mailbox: Option<String>,
    /// `RequestServerVersion`.
    pub version: Option<String>,
    /// SMTP address to act as.
    pub impersonate: Option<String>,
}

fn find_item(request: FindItemRequest, o: FindItemOptions) -> Result<String, Error> {
    let list = folders(
        o.folders.unwrap_or_default(),
        Vec::new(),
        o.mailbox.as_deref(),
    );
    let h = header(o.version.as_deref(), o.impersonate.as_deref())?;
    list.into_iter()
        .fold(request, |r, f| r.folder(f))
        .header(h)
        .build()
}

/// A `FindItem` request for the calendar items of one meeting: those whose
/// PidLidCleanGlobalObjectId equals `cleanGoidBase64` (use `GlobalObjectId.restrictionValue`).
/// Finds the series, its exceptions and orphan instances.
#[napi]
pub fn find_item_by_clean_goid_request(
    env: Env,
    clean_goid_base64: String,
    options: Option<FindItemOptions>,
) -> napi::Result<String> {
    let o = options.unwrap_or_default();
    built(
        &env,
        find_item(FindItemRequest::by_clean_goid(clean_goid_base64), o),
    )
}

fn date_arg(env: &Env, name: &str, date: &JsDate<'_>) -> napi::Result<time::OffsetDateTime> {
    let millis = date.value_of()?;
    if !millis.is_finite() {
        return Err(crate::error::out_of_range(env, name, millis));
    }
    time::OffsetDateTime::from_unix_timestamp_nanos((millis * 1e6) as i128)
        .map_err(|_| crate::error::out_of_range(env, name, millis))
}

/// A `FindItem` request with a `CalendarView`: the items and occurrences that overlap
/// `start`..`end`.
#[napi]
pub fn calendar_view_request(
    env: Env,
    start: JsDate<'_>,
    end: JsDate<'_>,
    options: Option<FindItemOptions>,
) -> napi::Result<String> {
    let o = options.unwrap_or_default();
    let mut request = FindItemRequest::calendar_view(
        date_arg(&env, "start", &start)?,
        date_arg(&env, "end", &end)?,
    );
    if let Some(max) = count_u32(&env, "maxEntries", o.max_entries)? {
        request = request.max_entries(max);
    }
    built(&env, find_item(request, o))
}

/// Which folder a `SyncFolderItems` request reads, from where, and its header.
#[napi(object)]
#[derive(Debug, Default)]
pub struct SyncFolderItemsOptions {
    /// A distinguished folder name (`"calendar"`, ...); give this or `folderId`.
    pub folder: Option<String>,
    /// A folder by EWS id; give this or `folder`.
    pub folder_id: Option<String>,
    /// SMTP address of the mailbox that holds `folder`.
    pub mailbox: Option<String>,
    /// The `SyncState` of the previous response (from scratch without one).
    pub sync_state: Option<String>,
    /// Also folder-associated items (`SyncScope=NormalAndAssociatedItems`).
    pub include_associated_items: Option<bool>,
    /// `RequestServerVersion`.
    pub version: Option<String>,
    /// SMTP address to act as.
    pub impersonate: Option<String>,
}

/// A `SyncFolderItems` request: the changes to a folder since `options.syncState`, at most
/// `maxChangesReturned` (1-512) per call. The catch-up after a lost subscription.
#[napi]
pub fn sync_folder_items_request(
    env: Env,
    max_changes_returned: f64,
    options: SyncFolderItemsOptions,
) -> napi::Result<String> {
    let max = required(&env, "maxChangesReturned", Some(max_changes_returned))?;
    let o = options;
    let target = match (o.folder, o.folder_id) {
        (Some(name), None) => {
            let folder = FolderId::distinguished(name);
            match o.mailbox.as_deref() {
                Some(address) => folder.with_mailbox(address),
                None => folder,
            }
        }
        (None, Some(id)) => FolderId::id(id),
        _ => {
            return Err(napi::Error::new(
                Status::InvalidArg,
                "syncFolderItemsRequest() takes exactly one of `folder` or `folderId`",
            ));
        }
    };
    let result = header(o.version.as_deref(), o.impersonate.as_deref()).and_then(|h| {
        let mut request = SyncFolderItemsRequest::new(target, max).header(h);
        if let Some(state) = o.sync_state {
            request = request.sync_state(state);
        }
        if o.include_associated_items == Some(true) {
            request = request.scope(SyncScope::NormalAndAssociatedItems);
        }
        request.build()
    });
    built(&env, result)
}

/// HTTP headers to send with an EWS request.
#[napi(object)]
#[derive(Debug, Default)]
pub struct HttpHeaderOptions {
    /// `X-AnchorMailbox`: the SMTP address of the mailbox worked on.
    pub anchor_mailbox: Option<String>,
    /// Send `X-PreferServerAffinity: true` (streaming, and pull with several mailboxes).
    pub prefer_server_affinity: Option<bool>,
    /// The `X-BackEndOverrideCookie` value a Subscribe response set.
    pub backend_override_cookie: Option<String>,
}

/// The HTTP headers to send with an EWS request, as `[name, value]` pairs (ready for
/// `new Headers(pairs)` or `Object.fromEntries(pairs)`).
#[napi(ts_return_type = "Array<[string, string]>")]
pub fn http_headers(
    env: Env,
    options: Option<HttpHeaderOptions>,
) -> napi::Result<Vec<Vec<String>>> {
    let o = options.unwrap_or_default();
    let mut headers =
        HttpHeaders::new().prefer_server_affinity(o.prefer_server_affinity == Some(true));
    if let Some(address) = o.anchor_mailbox {
        headers = headers.anchor_mailbox(address);
    }
    if let Some(cookie) = o.backend_override_cookie {
        headers = headers.backend_override_cookie(cookie);
    }
    headers
        .build()
        .map(|pairs| {
            pairs
                .into_iter()
                .map(|(name, value)| vec![name.to_owned(), value])
                .collect()
        })
        .map_err(|e| to_js_error(&env, &e))
}
