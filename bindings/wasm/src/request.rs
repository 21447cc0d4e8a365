//! The EWS request builders: arguments and an options object in, the SOAP request text out.
//!
//! The same functions as the Python package, in camelCase. Names and values are read by core
//! (`EventType`, `ExchangeVersion`, `SubscriptionStatus` parse their own text) and every check
//! is core's: a bad value throws an `Error` with core's code (`out_of_range`, `unknown_name`,
//! `empty_list`, `invalid_text`, ...).

use ews_notify::Error;
use ews_notify::request::{
    FindItemRequest, FolderId, GetEventsRequest, GetItemRequest, GetStreamingEventsRequest,
    ItemRef, RequestHeader, SubscribeRequest, SubscriptionStatus, UnsubscribeRequest,
};
use js_sys::{Array, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::error;
use crate::input::{self, Fields};

const HEADER: [&str; 2] = ["version", "impersonate"];
const SUBSCRIBE: [&str; 7] = [
    "eventTypes",
    "folders",
    "folderIds",
    "mailbox",
    "allFolders",
    "version",
    "impersonate",
];

fn built(result: Result<String, Error>) -> Result<String, JsValue> {
    result.map_err(|e| error::to_js_error(&e))
}

fn allowed<'a>(base: &[&'a str], more: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(more).copied().collect()
}

/// `version` and `impersonate` of an options object.
fn header(fields: &Fields<'_>) -> Result<Result<RequestHeader, Error>, JsValue> {
    let version = fields.string("version")?;
    let impersonate = fields.string("impersonate")?;
    Ok(RequestHeader::from_text(
        version.as_deref(),
        impersonate.as_deref(),
    ))
}

/// `folders` (distinguished names, in `mailbox` when given) and `folderIds`.
fn folders(fields: &Fields<'_>) -> Result<Vec<FolderId>, JsValue> {
    let mailbox = fields.string("mailbox")?;
    Ok(FolderId::list(
        fields.strings("folders")?,
        fields.strings("folderIds")?,
        mailbox.as_deref(),
    ))
}

fn subscribe(request: SubscribeRequest, fields: &Fields<'_>) -> Result<String, JsValue> {
    let event_types = fields.strings("eventTypes")?;
    let folders = folders(fields)?;
    let all_folders = fields.flag("allFolders")?;
    let watermark = fields.string("watermark")?;
    let header = header(fields)?;
    built((|| {
        let types = event_types
            .iter()
            .map(|t| t.parse())
            .collect::<Result<Vec<_>, _>>()?;
        let mut request = request.folders(folders).event_types(types).header(header?);
        if all_folders {
            request = request.all_folders();
        }
        if let Some(watermark) = watermark {
            request = request.watermark(watermark);
        }
        request.build()
    })())
}

/// A required count option, as `u32` (a larger value is left to core's range check).
fn required_u32(fields: &Fields<'_>, name: &str) -> Result<u32, JsValue> {
    let value = fields
        .count(name)?
        .ok_or_else(|| error::invalid_type(&format!("options: `{name}` is required")))?;
    Ok(u32::try_from(value).unwrap_or(u32::MAX))
}

/// A count argument as `u32`.
fn arg_u32(value: f64, name: &str) -> Result<u32, JsValue> {
    let n = input::count(&JsValue::from_f64(value), "argument", name)?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// A `Subscribe` request for a pull subscription (poll it with `getEventsRequest`).
#[wasm_bindgen(js_name = pullSubscribeRequest)]
pub fn pull_subscribe_request(
    #[wasm_bindgen(unchecked_param_type = "PullSubscribeOptions")] options: JsValue,
) -> Result<String, JsValue> {
    let fields = Fields::new(
        Some(&options),
        "options",
        &allowed(&SUBSCRIBE, &["timeoutMinutes", "watermark"]),
    )?;
    let timeout = required_u32(&fields, "timeoutMinutes")?;
    subscribe(SubscribeRequest::pull(timeout), &fields)
}

/// A `Subscribe` request for a push subscription: Exchange POSTs `SendNotification` to `url`
/// (answer each with `sendNotificationResult`).
#[wasm_bindgen(js_name = pushSubscribeRequest)]
pub fn push_subscribe_request(
    url: String,
    #[wasm_bindgen(unchecked_param_type = "PushSubscribeOptions")] options: JsValue,
) -> Result<String, JsValue> {
    let fields = Fields::new(
        Some(&options),
        "options",
        &allowed(&SUBSCRIBE, &["statusFrequencyMinutes", "watermark"]),
    )?;
    let frequency = required_u32(&fields, "statusFrequencyMinutes")?;
    subscribe(SubscribeRequest::push(url, frequency), &fields)
}

/// A `Subscribe` request for a streaming subscription (then `getStreamingEventsRequest`, and cut
/// the body with `StreamSplitter`).
#[wasm_bindgen(js_name = streamingSubscribeRequest)]
pub fn streaming_subscribe_request(
    #[wasm_bindgen(unchecked_param_type = "SubscribeOptions")] options: JsValue,
) -> Result<String, JsValue> {
    let fields = Fields::new(Some(&options), "options", &SUBSCRIBE)?;
    subscribe(SubscribeRequest::streaming(), &fields)
}

/// A `GetEvents` request: the pull subscription's events after `watermark`.
#[wasm_bindgen(js_name = getEventsRequest)]
pub fn get_events_request(
    subscription_id: &str,
    watermark: &str,
    #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] options: Option<JsValue>,
) -> Result<String, JsValue> {
    let fields = Fields::new(options.as_ref(), "options", &HEADER)?;
    let header = header(&fields)?;
    built(header.and_then(|h| {
        GetEventsRequest::new(subscription_id, watermark)
            .header(h)
            .build()
    }))
}

/// A `GetStreamingEvents` request: open a streaming connection for these subscriptions.
#[wasm_bindgen(js_name = getStreamingEventsRequest)]
pub fn get_streaming_events_request(
    #[wasm_bindgen(unchecked_param_type = "string[]")] subscription_ids: JsValue,
    connection_timeout_minutes: f64,
    #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] options: Option<JsValue>,
) -> Result<String, JsValue> {
    let ids = input::strings(&subscription_ids, "subscriptionIds")?;
    let minutes = arg_u32(connection_timeout_minutes, "connectionTimeoutMinutes")?;
    let fields = Fields::new(options.as_ref(), "options", &HEADER)?;
    let header = header(&fields)?;
    built(header.and_then(|h| {
        GetStreamingEventsRequest::new(ids, minutes)
            .header(h)
            .build()
    }))
}

/// An `Unsubscribe` request.
#[wasm_bindgen(js_name = unsubscribeRequest)]
pub fn unsubscribe_request(
    subscription_id: &str,
    #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] options: Option<JsValue>,
) -> Result<String, JsValue> {
    let fields = Fields::new(options.as_ref(), "options", &HEADER)?;
    let header = header(&fields)?;
    built(header.and_then(|h| UnsubscribeRequest::new(subscription_id).header(h).build()))
}

/// The push listener's answer to a `SendNotification`: `"OK"` (the default) keeps the
/// subscription, `"Unsubscribe"` ends it.
#[wasm_bindgen(js_name = sendNotificationResult)]
pub fn send_notification_result(
    #[wasm_bindgen(unchecked_optional_param_type = "\"OK\" | \"Unsubscribe\"")] status: Option<
        String,
    >,
) -> Result<String, JsValue> {
    built(
        status
            .as_deref()
            .unwrap_or("OK")
            .parse::<SubscriptionStatus>()
            .map_err(Error::from)
            .map(ews_notify::request::send_notification_result),
    )
}

/// A `GetItem` request for calendar items, by id (a string, or `{ id, changeKey }` as events
/// carry them).
#[wasm_bindgen(js_name = getItemRequest)]
pub fn get_item_request(
    #[wasm_bindgen(unchecked_param_type = "Array<string | ObjectId>")] item_ids: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] options: Option<JsValue>,
) -> Result<String, JsValue> {
    let bad = || error::invalid_type("itemIds must be an array of strings or { id, changeKey }");
    let array = item_ids.dyn_ref::<Array>().ok_or_else(bad)?;
    let mut items = Vec::new();
    for item in array.iter() {
        if let Some(id) = item.as_string() {
            items.push(ItemRef::id(id));
            continue;
        }
        let id = Reflect::get(&item, &JsValue::from_str("id"))
            .ok()
            .and_then(|v| v.as_string())
            .ok_or_else(bad)?;
        let change_key = Reflect::get(&item, &JsValue::from_str("changeKey"))
            .ok()
            .and_then(|v| v.as_string());
        items.push(ItemRef::ItemId { id, change_key });
    }
    let fields = Fields::new(options.as_ref(), "options", &HEADER)?;
    let header = header(&fields)?;
    built(header.and_then(|h| GetItemRequest::new(items).header(h).build()))
}

/// A `FindItem` request for every calendar item of a meeting (series, exceptions and orphan
/// instances) by its clean GlobalObjectId (`GlobalObjectId.restrictionValue`).
#[wasm_bindgen(js_name = findItemByCleanGoidRequest)]
pub fn find_item_by_clean_goid_request(
    clean_goid_base64: String,
    #[wasm_bindgen(unchecked_optional_param_type = "FolderRequestOptions")] options: Option<
        JsValue,
    >,
) -> Result<String, JsValue> {
    let fields = Fields::new(
        options.as_ref(),
        "options",
        &allowed(&HEADER, &["folders", "mailbox"]),
    )?;
    let list = folders(&fields)?;
    let header = header(&fields)?;
    built(header.and_then(|h| {
        list.into_iter()
            .fold(FindItemRequest::by_clean_goid(clean_goid_base64), |r, f| {
                r.folder(f)
            })
            .header(h)
            .build()
    }))
}
