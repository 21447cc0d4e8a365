//! The ledger: one record per change the simulator made to a mailbox, whoever asked for it
//! (the change generator, a test through the library, or a client through EWS), with the
//! events that change put in the mailbox's log. A test compares what a client delivered with
//! it; `ews-sim --ledger FILE` writes it as JSON lines.

use std::io::Write;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;

use crate::state::{CalendarItem, LogEvent};

/// Who asked for a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Source {
    /// The simulator's own change generator (`ews-sim --rate`).
    Generator,
    /// A test or program through the library API ([`crate::Simulator`] methods).
    Api,
    /// An EWS client (`CreateItem`, `UpdateItem`, `DeleteItem`).
    Ews,
}

/// What a change did, in calendar terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Change {
    /// A single appointment or meeting was created.
    Created,
    /// A recurring series (its master) was created.
    SeriesCreated,
    /// An item (a single meeting or a whole series) was changed.
    Modified,
    /// One occurrence of a series was edited: it is now an exception kept on the master.
    OccurrenceModified,
    /// One occurrence of a series was deleted: the master changed.
    OccurrenceDeleted,
    /// A "this and following" edit of a series that began in the past split it: the past
    /// part is a new item with the old GlobalObjectId, the ongoing part keeps its ItemId and
    /// gets a new GlobalObjectId.
    SeriesSplit,
    /// The organizer cancelled the meeting (`IsCancelled`, "Canceled: " subject).
    Cancelled,
    /// The item was moved to another folder (a soft delete moves it to Deleted Items): it has a
    /// new ItemId.
    Moved,
    /// The item was deleted for good.
    Deleted,
    /// An exception of a series exists in this mailbox without its master (an attendee
    /// invited to one occurrence).
    OrphanCreated,
}

/// The split of a series ([`Change::SeriesSplit`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Split {
    /// The new item holding the past occurrences.
    pub past_item_id: String,
    /// Its GlobalObjectId (the series' old one), base64.
    pub past_global_object_id: String,
    /// Its CleanGlobalObjectId, base64.
    pub past_clean_global_object_id: String,
    /// The start of the first occurrence of the ongoing part (RFC 3339).
    pub from: String,
}

/// One event a change put in the mailbox's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEvent {
    /// Position in the mailbox's log (the watermark after it encodes it).
    pub position: u64,
    /// The EWS element: `CreatedEvent`, `ModifiedEvent`, `MovedEvent`, `DeletedEvent`.
    pub event: &'static str,
    /// The item the event names (absent for folder events).
    pub item_id: Option<String>,
    /// The folder the event names (folder events only).
    pub folder_id: Option<String>,
    /// `OldItemId` of a MovedEvent.
    pub old_item_id: Option<String>,
    /// `ParentFolderId` of the event.
    pub parent_folder_id: String,
    /// `OldParentFolderId` of a MovedEvent.
    pub old_parent_folder_id: Option<String>,
}

impl From<&LogEvent> for LedgerEvent {
    fn from(e: &LogEvent) -> Self {
        Self {
            position: e.position,
            event: e.kind.element(),
            item_id: e.item_id.clone(),
            folder_id: e.folder_id.clone(),
            old_item_id: e.old_item_id.clone(),
            parent_folder_id: e.parent_folder_id.clone(),
            old_parent_folder_id: e.old_parent_folder_id.clone(),
        }
    }
}

/// One change the simulator made: a line of `ews-sim --ledger`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    /// 1, 2, 3, ... across all mailboxes, in the order the changes were made.
    pub seq: u64,
    /// The simulated clock of the change (RFC 3339 UTC), as in the events' `TimeStamp`.
    pub time: String,
    /// Wall-clock time of the change, milliseconds since the Unix epoch.
    pub wall_time_ms: u64,
    /// Who asked for it.
    pub source: Source,
    /// The mailbox (SMTP address, lower case).
    pub mailbox: String,
    /// What happened.
    pub change: Change,
    /// The item the change is about, after the change (for a move: the new id; for an
    /// occurrence change: the master's id).
    pub item_id: String,
    /// For a move: the id the item had before.
    pub old_item_id: Option<String>,
    /// For an occurrence change: the occurrence's (exception's) id.
    pub occurrence_item_id: Option<String>,
    /// `CalendarItemType` of the item: `Single`, `RecurringMaster`, `Exception`.
    pub item_type: &'static str,
    /// Subject after the change (before it, for a delete).
    pub subject: String,
    /// The iCalendar UID.
    pub uid: String,
    /// PidLidGlobalObjectId of the item, base64.
    pub global_object_id: String,
    /// PidLidCleanGlobalObjectId of the item, base64: the key of the meeting in every mailbox.
    pub clean_global_object_id: String,
    /// For an occurrence change or an orphan: the instance's original date (`YYYY-MM-DD`).
    pub instance_date: Option<String>,
    /// For a series split: the other part.
    pub split: Option<Split>,
    /// The events the change logged, in order.
    pub events: Vec<LedgerEvent>,
}

impl LedgerEntry {
    /// An entry about `item`; the caller fills in the rest.
    pub(crate) fn about(
        source: Source,
        mailbox: &str,
        change: Change,
        item: &CalendarItem,
    ) -> Self {
        Self {
            seq: 0,
            time: item.last_modified.clone(),
            wall_time_ms: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
                .unwrap_or(0),
            source,
            mailbox: mailbox.to_ascii_lowercase(),
            change,
            item_id: item.id.clone(),
            old_item_id: None,
            occurrence_item_id: None,
            item_type: item.kind.as_str(),
            subject: item.subject.clone(),
            uid: item.uid.clone(),
            global_object_id: STANDARD.encode(&item.goid),
            clean_global_object_id: STANDARD.encode(&item.clean_goid),
            instance_date: None,
            split: None,
            events: Vec::new(),
        }
    }

    /// The entry as one JSON line (no newline).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The entries so far and where to write new ones.
#[derive(Default)]
pub(crate) struct Ledger {
    pub entries: Vec<LedgerEntry>,
    pub sink: Option<Box<dyn Write + Send>>,
}

impl Ledger {
    pub fn push(&mut self, mut entry: LedgerEntry) -> LedgerEntry {
        entry.seq = self.entries.len() as u64 + 1;
        if let Some(w) = &mut self.sink {
            let line = entry.to_json();
            // A ledger that cannot be written is reported once per line, not fatal.
            if writeln!(w, "{line}").and_then(|()| w.flush()).is_err() {
                tracing::warn!("ews-sim: could not write a ledger line");
            }
        }
        self.entries.push(entry.clone());
        entry
    }
}
