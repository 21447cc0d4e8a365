//! `Correlator`: the meeting correlator of `ews-notify-meetings` with its in-memory store, for a
//! service with its own transport: raw envelopes and GetItem responses in, meeting events (the
//! canonical JSON shape, as plain objects) out.

use ews_notify::request::RequestHeader;
use ews_notify_meetings::{Batch, MemoryStore, ReadError};
use napi::bindgen_prelude::{JsObjectValue, JsValue, Null, Unknown};
use napi::{Env, JsError, Status};
use napi_derive::napi;

use crate::error::to_js_error;
use crate::input::{Input, bytes};
use crate::parse::json_to_js;

fn read_error(env: &Env, e: &ReadError) -> napi::Error {
    match e {
        ReadError::Parse(core) => to_js_error(env, core),
        other => {
            let message = other.to_string();
            let js =
                JsError::from(napi::Error::new(other.code(), message.clone())).into_unknown(*env);
            let with_offset = js.coerce_to_object().and_then(|mut o| {
                o.set_named_property("offset", Null)?;
                Ok(napi::Error::from(o.to_unknown()))
            });
            with_offset.unwrap_or_else(|_| napi::Error::new(Status::GenericFailure, message))
        }
    }
}

fn state_error(message: &str) -> napi::Error {
    napi::Error::new(Status::GenericFailure, message.to_string())
}

/// Names the meeting behind every calendar event of the mailboxes it is fed, keeping the map
/// `(mailbox, ItemId) -> meeting` in memory (see `docs/meetings.md`).
///
/// One batch at a time: `accept` takes a notification envelope (push, pull, streaming) or a
/// `SyncFolderItemsResponse` (a catch-up) and returns the item ids to bind; send
/// `getItemRequest(ids)` with your transport and give the answer to `bound`, which returns
/// the meeting events.
#[napi]
pub struct Correlator {
    inner: ews_notify_meetings::Correlator<MemoryStore>,
    pending: Option<Batch>,
}

#[napi]
impl Correlator {
    /// An empty correlator.
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self {
            inner: ews_notify_meetings::Correlator::new(),
            pending: None,
        }
    }

    /// The mailbox of the batch waiting for `bound`, or `null`.
    #[napi(getter)]
    pub fn pending(&self) -> Option<String> {
        self.pending.as_ref().map(|b| b.mailbox().to_string())
    }

    /// How many items the map tracks.
    #[napi(getter)]
    pub fn tracked(&self) -> u32 {
        u32::try_from(self.inner.store().len()).unwrap_or(u32::MAX)
    }

    /// Declares `folderId` a calendar folder of `mailbox` (moves into other folders read as
    /// `removedFromCalendar`).
    #[napi]
    pub fn declare_calendar_folder(
        &mut self,
        mailbox: String,
        folder_id: String,
    ) -> napi::Result<()> {
        self.inner
            .declare_calendar_folder(&mailbox, &folder_id)
            .map_err(|e| state_error(&e.to_string()))
    }

    /// Takes the item events of one envelope of `mailbox` and returns the item ids to read
    /// with one `GetItem` (may be empty: call `bound()` without an answer then). Throws an
    /// `Error` with `code` when the envelope cannot be read (`unexpected_body` for another
    /// kind of envelope), or when a batch is already waiting.
    #[napi(ts_args_type = "mailbox: string, envelope: Buffer | Uint8Array | string")]
    pub fn accept(
        &mut self,
        env: Env,
        mailbox: String,
        envelope: Input<'_>,
    ) -> napi::Result<Vec<String>> {
        if self.pending.is_some() {
            return Err(state_error("a batch is waiting: call bound() first"));
        }
        let events = ews_notify_meetings::incoming_from_envelope(bytes(&envelope))
            .map_err(|e| read_error(&env, &e))?;
        let batch = self
            .inner
            .accept(&mailbox, events)
            .map_err(|e| state_error(&e.to_string()))?;
        let ids = batch.items_to_bind().to_vec();
        self.pending = Some(batch);
        Ok(ids)
    }

    /// The `GetItem` request for `itemIds`: the meeting shape (both GlobalObjectIds, UID, type,
    /// times, organizer, cancellation, occurrence lists).
    #[napi]
    pub fn get_item_request(
        &self,
        env: Env,
        item_ids: Vec<String>,
        impersonate: Option<String>,
    ) -> napi::Result<String> {
        let mut header = RequestHeader::default();
        if let Some(smtp) = impersonate {
            header = header.impersonate_smtp(smtp);
        }
        ews_notify_meetings::get_item_request(&item_ids, header).map_err(|e| to_js_error(&env, &e))
    }

    /// Resolves the waiting batch with the `GetItemResponse` for its ids (or none, when
    /// `accept` returned no id or the request failed: the events are then reported from the
    /// map with reason `noAnswer`) and returns the meeting events in event order, as plain
    /// objects in the canonical meeting event shape (`docs/meetings.md`).
    #[napi(
        ts_args_type = "getItemResponse?: Buffer | Uint8Array | string | null",
        ts_return_type = "Array<Record<string, unknown>>"
    )]
    pub fn bound<'env>(
        &mut self,
        env: &'env Env,
        get_item_response: Option<Input<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        let Some(batch) = self.pending.as_ref() else {
            return Err(state_error("no batch is waiting: call accept()"));
        };
        let answers = match &get_item_response {
            Some(data) => {
                ews_notify_meetings::read_get_item_response(bytes(data), batch.items_to_bind())
                    .map_err(|e| read_error(env, &e))?
            }
            None => Vec::new(),
        };
        let Some(batch) = self.pending.take() else {
            return Err(state_error("no batch is waiting: call accept()"));
        };
        let resolved = self
            .inner
            .bound(batch, answers)
            .map_err(|e| state_error(&e.to_string()))?;
        let lines: Vec<String> = resolved.events.iter().map(|m| m.to_json()).collect();
        json_to_js(env, &format!("[{}]", lines.join(",")))
    }
}
