//! The simulated server's data: mailboxes, their folders and calendar items, the append-only
//! event log, and subscriptions with their cursors into that log.
//!
//! Everything here is synchronous and runs under one lock; the HTTP side (`server.rs`) never
//! holds the lock across an `.await`.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use crate::ids;

/// The well-known folders every simulated mailbox has, by serial number.
pub(crate) const ROOT_FOLDER: u64 = 0;
pub(crate) const CALENDAR_FOLDER: u64 = 1;
pub(crate) const INBOX_FOLDER: u64 = 2;
pub(crate) const MSG_FOLDER_ROOT: u64 = 3;
pub(crate) const DELETED_ITEMS_FOLDER: u64 = 4;
pub(crate) const SENT_ITEMS_FOLDER: u64 = 5;

/// The distinguished folders every mailbox has: (serial, EWS name, display name, class).
pub(crate) const FOLDERS: &[(u64, &str, &str, &str)] = &[
    (ROOT_FOLDER, "root", "Root", ""),
    (
        MSG_FOLDER_ROOT,
        "msgfolderroot",
        "Top of Information Store",
        "IPF.Note",
    ),
    (CALENDAR_FOLDER, "calendar", "Calendar", "IPF.Appointment"),
    (INBOX_FOLDER, "inbox", "Inbox", "IPF.Note"),
    (
        DELETED_ITEMS_FOLDER,
        "deleteditems",
        "Deleted Items",
        "IPF.Note",
    ),
    (SENT_ITEMS_FOLDER, "sentitems", "Sent Items", "IPF.Note"),
];

/// What one log entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogKind {
    /// `CreatedEvent` for an item.
    Created,
    /// `ModifiedEvent` for an item.
    Modified,
    /// `DeletedEvent` for an item.
    Deleted,
    /// `MovedEvent` for an item: it has a new id in another folder
    /// ([`LogEvent::old_item_id`], [`LogEvent::old_parent_folder_id`]).
    Moved,
    /// `ModifiedEvent` for a folder (Exchange sends one after each change to an item in it).
    FolderModified,
}

impl LogKind {
    /// The EWS element name of the event.
    pub fn element(self) -> &'static str {
        match self {
            Self::Created => "CreatedEvent",
            Self::Modified | Self::FolderModified => "ModifiedEvent",
            Self::Deleted => "DeletedEvent",
            Self::Moved => "MovedEvent",
        }
    }
}

/// One event in a mailbox's log: what the simulator *generated*. Tests compare what a client
/// delivered with these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEvent {
    /// Position in the mailbox log, from 1. The watermark "after" this event encodes it.
    pub position: u64,
    /// What happened.
    pub kind: LogKind,
    /// The item, for item events.
    pub item_id: Option<String>,
    /// The item's change key after the change (absent on deletes and folder events).
    pub change_key: Option<String>,
    /// The folder, for folder events.
    pub folder_id: Option<String>,
    /// `ParentFolderId` in the event.
    pub parent_folder_id: String,
    /// `TimeStamp`, simulated clock.
    pub timestamp: String,
    /// `OldItemId` of a MovedEvent.
    pub old_item_id: Option<String>,
    /// `OldParentFolderId` of a MovedEvent.
    pub old_parent_folder_id: Option<String>,
}

/// Kind of a calendar item, as `CalendarItemType` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarKind {
    /// `Single`
    Single,
    /// `RecurringMaster`
    RecurringMaster,
    /// `Exception`
    Exception,
    /// `Occurrence`: an unchanged occurrence of a series, as FindItem with a CalendarView
    /// and GetItem on an occurrence id return it (never stored).
    Occurrence,
}

impl CalendarKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Single => "Single",
            Self::RecurringMaster => "RecurringMaster",
            Self::Exception => "Exception",
            Self::Occurrence => "Occurrence",
        }
    }
}

/// A calendar item stored in a simulated mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarItem {
    /// `ItemId`.
    pub id: String,
    /// Version; the change key encodes it.
    pub version: u32,
    /// `Subject`.
    pub subject: String,
    /// `Start` (RFC 3339, UTC).
    pub start: String,
    /// `End` (RFC 3339, UTC).
    pub end: String,
    /// `CalendarItemType`.
    pub kind: CalendarKind,
    /// `UID` (iCalendar UID).
    pub uid: String,
    /// PidLidGlobalObjectId bytes.
    pub goid: Vec<u8>,
    /// PidLidCleanGlobalObjectId bytes.
    pub clean_goid: Vec<u8>,
    /// `Organizer` (SMTP address); the mailbox that created the item when empty.
    pub organizer: String,
    /// `IsCancelled` (AppointmentState bit 0x4).
    pub is_cancelled: bool,
    /// `LastModifiedTime` (simulated clock, RFC 3339 UTC).
    pub last_modified: String,
    /// A weekly recurrence, for a `RecurringMaster`.
    pub recurrence: Option<Recurrence>,
    /// A master's exceptions (`ModifiedOccurrences`).
    pub modified_occurrences: Vec<Occurrence>,
    /// A master's deleted occurrences (`DeletedOccurrences`), by original start.
    pub deleted_occurrences: Vec<String>,
    /// `RecurrenceId` / `OriginalStart` of an exception (an orphan one in an attendee's
    /// mailbox, or an exception returned from its master).
    pub original_start: Option<String>,
    /// The folder the item is in (a serial of the mailbox's distinguished folders).
    pub folder: u64,
}

impl CalendarItem {
    /// The item's current change key.
    pub fn change_key(&self) -> String {
        ids::change_key(self.version)
    }

    /// A fresh item with the given core properties and defaults for the rest.
    pub fn new(subject: &str, start: &str, end: &str, kind: CalendarKind) -> Self {
        Self {
            id: String::new(),
            version: 0,
            subject: subject.into(),
            start: start.into(),
            end: end.into(),
            kind,
            uid: String::new(),
            goid: Vec::new(),
            clean_goid: Vec::new(),
            organizer: String::new(),
            is_cancelled: false,
            last_modified: String::new(),
            recurrence: None,
            modified_occurrences: Vec::new(),
            deleted_occurrences: Vec::new(),
            original_start: None,
            folder: CALENDAR_FOLDER,
        }
    }

    /// The original starts of a master's occurrences, deleted ones included (empty for other
    /// items).
    pub fn occurrence_starts(&self) -> Vec<String> {
        let Some(r) = &self.recurrence else {
            return Vec::new();
        };
        let Some(first) = parse_rfc3339(&self.start) else {
            return Vec::new();
        };
        (0..i64::from(r.occurrences))
            .map(|i| rfc3339(first + i * 7 * i64::from(r.interval_weeks) * 86_400))
            .collect()
    }

    /// The length of each occurrence, in seconds.
    pub fn duration_seconds(&self) -> i64 {
        match (parse_rfc3339(&self.start), parse_rfc3339(&self.end)) {
            (Some(a), Some(b)) if b >= a => b - a,
            _ => 0,
        }
    }
}

/// A weekly recurrence: every `interval_weeks` weeks on the weekday of the master's `Start`,
/// `occurrences` times (`NumberedRecurrence`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurrence {
    /// Weeks between occurrences (1: every week).
    pub interval_weeks: u32,
    /// How many occurrences the series has.
    pub occurrences: u32,
}

/// An exception of a recurring series, kept on its master as Exchange keeps it (an embedded
/// item with an id of its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// The exception's `ItemId`.
    pub id: String,
    /// The occurrence's 1-based index in the series (`InstanceIndex`).
    pub index: u32,
    /// `OriginalStart`: where the series put it.
    pub original_start: String,
    /// `Start` now.
    pub start: String,
    /// `End` now.
    pub end: String,
    /// `Subject` now.
    pub subject: String,
    /// Version; the change key encodes it.
    pub version: u32,
}

pub(crate) struct Mailbox {
    pub guid: [u8; 16],
    pub log: Vec<LogEvent>,
    /// Positions `<= forgotten` were dropped from the log: watermarks and sync states that point
    /// there are invalid.
    pub forgotten: u64,
    pub items: BTreeMap<String, CalendarItem>,
    /// Item ids deleted, with the position of the delete (for sync).
    next_item: u64,
    folder_version: u32,
    pub backend: u8,
}

impl Mailbox {
    pub fn head(&self) -> u64 {
        self.log.len() as u64
    }
    pub fn folder(&self, serial: u64) -> String {
        ids::folder_id(&self.guid, serial)
    }
    /// The distinguished folder serial for `name`, if the simulator has it.
    pub fn distinguished(name: &str) -> Option<u64> {
        match name {
            "root" => Some(ROOT_FOLDER),
            "msgfolderroot" => Some(MSG_FOLDER_ROOT),
            "calendar" => Some(CALENDAR_FOLDER),
            "inbox" => Some(INBOX_FOLDER),
            "deleteditems" => Some(DELETED_ITEMS_FOLDER),
            "sentitems" => Some(SENT_ITEMS_FOLDER),
            _ => None,
        }
    }
}

/// Delivery mode of a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubscriptionKind {
    /// Pull: the client calls GetEvents with its last watermark.
    Pull {
        /// `Timeout`, in simulated minutes.
        timeout_minutes: u32,
    },
    /// Streaming: the client holds GetStreamingEvents open.
    Streaming,
    /// Push: the server POSTs SendNotification to `url`.
    Push {
        /// The listener URL.
        url: String,
        /// `StatusFrequency`, in simulated minutes.
        status_frequency: u32,
    },
}

pub(crate) struct Subscription {
    pub mailbox: usize,
    pub folders: Vec<String>,
    pub types: Vec<String>,
    pub kind: SubscriptionKind,
    /// Events after this position are still to be delivered.
    pub cursor: u64,
    pub last_used: Instant,
    /// The streaming connection that owns this subscription (a newer one takes it over).
    pub connection: u64,
    /// The mailbox server the Subscribe request was routed to: the subscription lives there
    /// only, and requests about it must reach that server (the affinity cookie).
    pub backend: u8,
}

/// Why a request about a subscription or position was refused: an EWS response code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// `ErrorSubscriptionNotFound`
    SubscriptionNotFound,
    /// `ErrorInvalidWatermark`
    InvalidWatermark,
    /// `ErrorInvalidSyncStateData`
    InvalidSyncStateData,
    /// `ErrorInvalidSubscription`
    InvalidSubscription,
    /// `ErrorItemNotFound`
    ItemNotFound,
    /// `ErrorNonExistentMailbox`
    NonExistentMailbox,
    /// `ErrorFolderNotFound`
    FolderNotFound,
    /// `ErrorInvalidRequest`
    InvalidRequest,
    /// `ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange`
    OccurrenceIndexOutOfRange,
    /// `ErrorCalendarOccurrenceIsDeletedFromRecurrence`
    OccurrenceDeleted,
    /// `ErrorReadEventsFailed`: the server lost the subscription's events; it must be made
    /// again (the seed's push capture).
    ReadEventsFailed,
    /// `ErrorNameResolutionNoResults`
    NameResolutionNoResults,
    /// `ErrorNameResolutionMultipleResults`: ResolveNames found several; they are returned.
    NameResolutionMultipleResults,
    /// `ErrorInvalidOperation`
    InvalidOperation,
    /// `ErrorInvalidIdMalformed`
    InvalidIdMalformed,
    /// `ErrorAccessDenied`: the caller may not open that mailbox (no or another
    /// impersonation, see [`crate::Config::require_impersonation`]).
    AccessDenied,
}

impl Refusal {
    /// The EWS response code.
    pub fn code(self) -> &'static str {
        match self {
            Self::SubscriptionNotFound => "ErrorSubscriptionNotFound",
            Self::InvalidWatermark => "ErrorInvalidWatermark",
            Self::InvalidSyncStateData => "ErrorInvalidSyncStateData",
            Self::InvalidSubscription => "ErrorInvalidSubscription",
            Self::ItemNotFound => "ErrorItemNotFound",
            Self::NonExistentMailbox => "ErrorNonExistentMailbox",
            Self::FolderNotFound => "ErrorFolderNotFound",
            Self::InvalidRequest => "ErrorInvalidRequest",
            Self::AccessDenied => "ErrorAccessDenied",
            Self::OccurrenceIndexOutOfRange => "ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange",
            Self::OccurrenceDeleted => "ErrorCalendarOccurrenceIsDeletedFromRecurrence",
            Self::ReadEventsFailed => "ErrorReadEventsFailed",
            Self::NameResolutionNoResults => "ErrorNameResolutionNoResults",
            Self::NameResolutionMultipleResults => "ErrorNameResolutionMultipleResults",
            Self::InvalidOperation => "ErrorInvalidOperation",
            Self::InvalidIdMalformed => "ErrorInvalidIdMalformed",
        }
    }
    /// The `MessageText` the simulator sends with it.
    pub fn text(self) -> &'static str {
        match self {
            Self::SubscriptionNotFound => "The specified subscription was not found.",
            Self::InvalidWatermark => {
                "The watermark used for creating this subscription was not found."
            }
            Self::InvalidSyncStateData => {
                "Synchronization state data is corrupt or otherwise invalid."
            }
            Self::InvalidSubscription => "The subscription is no longer valid.",
            Self::ItemNotFound => "The specified object was not found in the store.",
            Self::NonExistentMailbox => "The SMTP address has no mailbox associated with it.",
            Self::FolderNotFound => "The specified folder could not be found in the store.",
            Self::InvalidRequest => "The request is invalid.",
            Self::AccessDenied => "Access is denied. Check credentials and try again.",
            Self::OccurrenceIndexOutOfRange => "Occurrence index is out of recurrence range.",
            Self::OccurrenceDeleted => {
                "Occurrence with this index was previously deleted from the recurrence."
            }
            Self::ReadEventsFailed => {
                "Events for this subscription cannot be retrieved. The subscription must be created again."
            }
            Self::NameResolutionNoResults => "No results were found.",
            Self::NameResolutionMultipleResults => "Multiple results were found.",
            Self::InvalidOperation => "The operation is not valid for this item.",
            Self::InvalidIdMalformed => "Id is malformed.",
        }
    }
}

/// One change in a SyncFolderItems answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncChange {
    /// `Create` with the item's current state.
    Create(CalendarItem),
    /// `Update` with the item's current state.
    Update(CalendarItem),
    /// `Delete` of an item id.
    Delete(String),
}

/// The answer to one SyncFolderItems page.
#[derive(Debug, Clone)]
pub struct SyncPage {
    pub changes: Vec<SyncChange>,
    pub sync_state: String,
    pub includes_last: bool,
}

/// One page of pull events.
pub(crate) struct EventPage {
    pub previous_watermark: String,
    pub events: Vec<LogEvent>,
    pub more: bool,
    /// Watermark of the subscription's position after this page (for the status event).
    pub head_watermark: String,
}

pub(crate) struct State {
    pub server_name: String,
    pub mailboxes: Vec<Mailbox>,
    pub by_smtp: HashMap<String, usize>,
    pub subscriptions: HashMap<String, Subscription>,
    next_subscription: u64,
    clock_seconds: u64,
}

/// Base of the simulated clock: 2026-01-05T08:00:00Z as seconds since the Unix epoch.
const CLOCK_BASE: i64 = 1_767_600_000;

impl State {
    pub fn new(server_name: String) -> Self {
        Self {
            server_name,
            mailboxes: Vec::new(),
            by_smtp: HashMap::new(),
            subscriptions: HashMap::new(),
            next_subscription: 1,
            clock_seconds: 0,
        }
    }

    pub fn add_mailbox(&mut self, smtp: &str) -> usize {
        let key = smtp.to_ascii_lowercase();
        if let Some(&i) = self.by_smtp.get(&key) {
            return i;
        }
        let index = self.mailboxes.len();
        let guid = ids::mailbox_guid(u32::try_from(index).unwrap_or(u32::MAX));
        self.mailboxes.push(Mailbox {
            guid,
            log: Vec::new(),
            forgotten: 0,
            items: BTreeMap::new(),
            next_item: 1,
            folder_version: 1,
            backend: u8::try_from(index % 2).unwrap_or(0),
        });
        self.by_smtp.insert(key, index);
        index
    }

    pub fn mailbox(&self, smtp: &str) -> Option<usize> {
        self.by_smtp.get(&smtp.to_ascii_lowercase()).copied()
    }

    /// The simulated clock now, without advancing it (seconds since the Unix epoch).
    pub fn now_unix(&self) -> i64 {
        CLOCK_BASE + i64::try_from(self.clock_seconds).unwrap_or(0)
    }

    /// The mailbox whose GUID an id of [`ids`] carries.
    pub fn mailbox_of_guid(&self, guid: &[u8; 16]) -> Option<usize> {
        self.mailboxes.iter().position(|m| &m.guid == guid)
    }

    pub fn now_text(&mut self) -> String {
        self.clock_seconds += 1;
        rfc3339(CLOCK_BASE + i64::try_from(self.clock_seconds).unwrap_or(0))
    }

    /// Logs an item event in folder `folder` and the folder's ModifiedEvent after it.
    fn append(&mut self, mb: usize, kind: LogKind, item: Option<&CalendarItem>, item_id: &str) {
        let folder = item.map_or(CALENDAR_FOLDER, |i| i.folder);
        self.append_in(mb, kind, item, item_id, folder, None);
    }

    fn append_in(
        &mut self,
        mb: usize,
        kind: LogKind,
        item: Option<&CalendarItem>,
        item_id: &str,
        folder: u64,
        old: Option<(String, u64)>,
    ) {
        let timestamp = self.now_text();
        let m = &mut self.mailboxes[mb];
        let parent = m.folder(folder);
        // The folders the simulator keeps items in are children of the message root.
        let root = m.folder(MSG_FOLDER_ROOT);
        let position = m.head() + 1;
        let old_folder = old.as_ref().map(|(_, f)| *f);
        m.log.push(LogEvent {
            position,
            kind,
            item_id: Some(item_id.to_string()),
            change_key: item.map(CalendarItem::change_key),
            folder_id: None,
            parent_folder_id: parent.clone(),
            timestamp: timestamp.clone(),
            old_item_id: old.as_ref().map(|(id, _)| id.clone()),
            old_parent_folder_id: old_folder.map(|f| m.folder(f)),
        });
        // Exchange follows each item change with a ModifiedEvent for the folder (see the
        // captures in the corpus); the simulator does the same, for both folders of a move.
        for f in old_folder.into_iter().chain(std::iter::once(folder)) {
            m.folder_version += 1;
            let position = m.head() + 1;
            m.log.push(LogEvent {
                position,
                kind: LogKind::FolderModified,
                item_id: None,
                change_key: Some(ids::change_key(m.folder_version)),
                folder_id: Some(m.folder(f)),
                parent_folder_id: root.clone(),
                timestamp: timestamp.clone(),
                old_item_id: None,
                old_parent_folder_id: None,
            });
        }
    }

    pub fn create_item(&mut self, mb: usize, mut item: CalendarItem) -> CalendarItem {
        let m = &mut self.mailboxes[mb];
        item.id = ids::item_id(&m.guid, m.next_item);
        m.next_item += 1;
        item.version = 1;
        item.last_modified = self.now_text();
        self.mailboxes[mb]
            .items
            .insert(item.id.clone(), item.clone());
        let id = item.id.clone();
        self.append(mb, LogKind::Created, Some(&item), &id);
        item
    }

    /// Applies `change` to an item and logs a ModifiedEvent. `None` if the item does not exist.
    pub fn modify_item(
        &mut self,
        mb: usize,
        id: &str,
        change: impl FnOnce(&mut CalendarItem),
    ) -> Option<CalendarItem> {
        let now = self.now_text();
        let item = self.mailboxes[mb].items.get_mut(id)?;
        change(item);
        item.version += 1;
        item.last_modified = now;
        let item = item.clone();
        self.append(mb, LogKind::Modified, Some(&item), id);
        Some(item)
    }

    pub fn delete_item(&mut self, mb: usize, id: &str) -> bool {
        let Some(item) = self.mailboxes[mb].items.remove(id) else {
            return false;
        };
        self.append_in(mb, LogKind::Deleted, None, id, item.folder, None);
        true
    }

    /// Moves an item to folder `to`: it gets a new ItemId (as with Exchange), and a MovedEvent
    /// names the old one. `None` if the item does not exist or is already there.
    pub fn move_item(&mut self, mb: usize, id: &str, to: u64) -> Option<CalendarItem> {
        let now = self.now_text();
        let m = &mut self.mailboxes[mb];
        let mut item = m.items.remove(id)?;
        let from = item.folder;
        item.id = ids::item_id(&m.guid, m.next_item);
        m.next_item += 1;
        item.folder = to;
        item.version += 1;
        item.last_modified = now;
        m.items.insert(item.id.clone(), item.clone());
        let new_id = item.id.clone();
        self.append_in(
            mb,
            LogKind::Moved,
            Some(&item),
            &new_id,
            to,
            Some((id.to_string(), from)),
        );
        Some(item)
    }

    /// The occurrence of master `master_id` with 1-based `index`: an exception if it was
    /// edited, else the occurrence as the series puts it. `Err` when the index is outside the
    /// series or the occurrence was deleted.
    pub fn occurrence(
        &self,
        mb: usize,
        master_id: &str,
        index: u32,
    ) -> Result<CalendarItem, Refusal> {
        let m = &self.mailboxes[mb];
        let master = m.items.get(master_id).ok_or(Refusal::ItemNotFound)?;
        let starts = master.occurrence_starts();
        let original = usize::try_from(index)
            .ok()
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| starts.get(i))
            .ok_or(Refusal::OccurrenceIndexOutOfRange)?;
        if master.deleted_occurrences.contains(original) {
            return Err(Refusal::OccurrenceDeleted);
        }
        let exception = master
            .modified_occurrences
            .iter()
            .find(|o| o.index == index);
        let serial = ids::decode_item_serial(master_id).unwrap_or(0);
        let mut item = CalendarItem {
            id: ids::occurrence_id(&m.guid, serial, index),
            kind: CalendarKind::Occurrence,
            original_start: Some(original.clone()),
            recurrence: None,
            modified_occurrences: Vec::new(),
            deleted_occurrences: Vec::new(),
            ..master.clone()
        };
        let end = parse_rfc3339(original).map(|s| rfc3339(s + master.duration_seconds()));
        item.start = original.clone();
        item.end = end.unwrap_or_else(|| original.clone());
        if let Some(o) = exception {
            item.id = o.id.clone();
            item.kind = CalendarKind::Exception;
            item.start = o.start.clone();
            item.end = o.end.clone();
            item.subject = o.subject.clone();
            item.version = o.version;
        }
        // An occurrence's GlobalObjectId carries its instance date ([MS-OXOCAL] 2.2.1.27).
        if let Some(date) = original.get(..10).and_then(parse_date) {
            if let Ok(g) = ews_notify::goid::GlobalObjectId::from_bytes(&master.goid) {
                if let Ok(with) = g.with_instance_date(Some(date)) {
                    item.goid = with.as_bytes().to_vec();
                }
            }
        }
        Ok(item)
    }

    /// Edits one occurrence of a series: it becomes an exception kept on the master, and the
    /// master's ModifiedEvent is what a subscription sees (seed cases 1.3 and 1.4).
    pub fn edit_occurrence(
        &mut self,
        mb: usize,
        master_id: &str,
        index: u32,
        change: impl FnOnce(&mut Occurrence),
    ) -> Result<(CalendarItem, CalendarItem), Refusal> {
        let current = self.occurrence(mb, master_id, index)?;
        let guid = self.mailboxes[mb].guid;
        let serial = ids::decode_item_serial(master_id).unwrap_or(0);
        let mut o = Occurrence {
            id: ids::occurrence_id(&guid, serial, index),
            index,
            original_start: current.original_start.clone().unwrap_or_default(),
            start: current.start.clone(),
            end: current.end.clone(),
            subject: current.subject.clone(),
            version: current.version,
        };
        change(&mut o);
        o.version += 1;
        let master = self
            .modify_item(mb, master_id, |m| {
                m.modified_occurrences.retain(|x| x.index != index);
                m.modified_occurrences.push(o);
                m.modified_occurrences.sort_by_key(|x| x.index);
            })
            .ok_or(Refusal::ItemNotFound)?;
        let exception = self.occurrence(mb, master_id, index)?;
        Ok((master, exception))
    }

    /// Deletes one occurrence of a series: the master changes (seed case 1.6) and lists the
    /// occurrence in its `DeletedOccurrences`.
    pub fn delete_occurrence(
        &mut self,
        mb: usize,
        master_id: &str,
        index: u32,
    ) -> Result<(CalendarItem, String), Refusal> {
        let current = self.occurrence(mb, master_id, index)?;
        let original = current.original_start.unwrap_or_default();
        let gone = original.clone();
        let master = self
            .modify_item(mb, master_id, |m| {
                m.modified_occurrences.retain(|x| x.index != index);
                m.deleted_occurrences.push(gone);
            })
            .ok_or(Refusal::ItemNotFound)?;
        Ok((master, original))
    }

    /// Exchange's "this and following" edit of a series that began in the past (seed case
    /// 2.3): the occurrences before `from` become a **new item with the old GlobalObjectId**
    /// (CreatedEvent), and the existing item keeps its ItemId, continues from `from` and gets
    /// the **new** GlobalObjectId `fresh` (ModifiedEvent). Occurrences that began before `cut`
    /// (default: `from`) stay with the past part. Returns (past part, ongoing part).
    pub fn split_series(
        &mut self,
        mb: usize,
        id: &str,
        from: &str,
        cut: Option<i64>,
        fresh: &CalendarItem,
    ) -> Option<(CalendarItem, CalendarItem)> {
        let old = self.mailboxes[mb].items.get(id)?.clone();
        let starts = old.occurrence_starts();
        let from_unix = parse_rfc3339(from)?;
        // Occurrences before `cut` stay with the past part (by default: before `from`).
        let cut = cut.unwrap_or(from_unix);
        let before = u32::try_from(
            starts
                .iter()
                .filter(|s| parse_rfc3339(s).is_some_and(|t| t < cut))
                .count(),
        )
        .unwrap_or(0);
        let total = old.recurrence.as_ref().map_or(0, |r| r.occurrences);
        let duration = old.duration_seconds();
        let past = CalendarItem {
            recurrence: old.recurrence.clone().map(|r| Recurrence {
                occurrences: before.max(1),
                ..r
            }),
            end: if old.recurrence.is_some() {
                old.end.clone()
            } else {
                from.to_string()
            },
            modified_occurrences: old
                .modified_occurrences
                .iter()
                .filter(|o| o.index <= before)
                .cloned()
                .collect(),
            deleted_occurrences: old
                .deleted_occurrences
                .iter()
                .filter(|d| parse_rfc3339(d).is_some_and(|t| t < cut))
                .cloned()
                .collect(),
            ..old.clone()
        };
        let past = self.create_item(mb, past);
        let series = self.modify_item(mb, id, |i| {
            i.start = from.into();
            i.end = rfc3339(from_unix + duration);
            i.uid = fresh.uid.clone();
            i.goid = fresh.goid.clone();
            i.clean_goid = fresh.clean_goid.clone();
            if let Some(r) = &mut i.recurrence {
                r.occurrences = total.saturating_sub(before).max(1);
            }
            i.modified_occurrences.clear();
            i.deleted_occurrences
                .retain(|d| parse_rfc3339(d).is_some_and(|t| t >= cut));
        })?;
        Some((past, series))
    }

    pub fn subscribe(
        &mut self,
        mb: usize,
        kind: SubscriptionKind,
        folders: Vec<String>,
        types: Vec<String>,
        watermark: Option<&str>,
        backend: u8,
    ) -> Result<(String, String), Refusal> {
        let m = &self.mailboxes[mb];
        for f in &folders {
            let known = FOLDERS.iter().any(|(s, ..)| &m.folder(*s) == f);
            if !known {
                return Err(Refusal::FolderNotFound);
            }
        }
        let cursor = match watermark {
            Some(w) => self.position_of(mb, w)?,
            None => m.head(),
        };
        let id = ids::subscription_id(&self.server_name, self.next_subscription);
        self.next_subscription += 1;
        let wm = ids::watermark(&m.guid, cursor);
        self.subscriptions.insert(
            id.clone(),
            Subscription {
                mailbox: mb,
                folders,
                types,
                kind,
                cursor,
                last_used: Instant::now(),
                connection: 0,
                backend,
            },
        );
        Ok((id, wm))
    }

    /// The log position a watermark of mailbox `mb` points at.
    fn position_of(&self, mb: usize, watermark: &str) -> Result<u64, Refusal> {
        let m = &self.mailboxes[mb];
        match ids::decode_watermark(watermark) {
            Some((guid, p)) if guid == m.guid && p >= m.forgotten && p <= m.head() => Ok(p),
            _ => Err(Refusal::InvalidWatermark),
        }
    }

    fn matches(sub: &Subscription, e: &LogEvent) -> bool {
        let name = e.kind.element();
        if !sub.types.iter().any(|t| t == name) {
            return false;
        }
        if sub.folders.is_empty() {
            return true;
        }
        // A move is seen from the folder it left as well as from the one it reached.
        sub.folders.iter().any(|f| {
            *f == e.parent_folder_id
                || e.folder_id.as_ref() == Some(f)
                || e.old_parent_folder_id.as_ref() == Some(f)
        })
    }

    /// The events after `cursor` that `sub` sees, at most `max`, and the position reached.
    fn collect(&self, sub: &Subscription, cursor: u64, max: usize) -> (Vec<LogEvent>, u64, bool) {
        let m = &self.mailboxes[sub.mailbox];
        let start = usize::try_from(cursor).unwrap_or(usize::MAX);
        let mut out = Vec::new();
        let mut reached = cursor;
        for e in m.log.iter().skip(start) {
            if out.len() == max {
                return (out, reached, true);
            }
            reached = e.position;
            if Self::matches(sub, e) {
                out.push(e.clone());
            }
        }
        (out, reached, false)
    }

    /// GetEvents: the events after `watermark` (which acknowledges everything before it).
    pub fn get_events(
        &mut self,
        id: &str,
        watermark: &str,
        max: usize,
    ) -> Result<EventPage, Refusal> {
        let sub = self
            .subscriptions
            .get(id)
            .ok_or(Refusal::SubscriptionNotFound)?;
        if !matches!(sub.kind, SubscriptionKind::Pull { .. }) {
            return Err(Refusal::InvalidSubscription);
        }
        let cursor = self.position_of(sub.mailbox, watermark)?;
        let (events, reached, more) = self.collect(sub, cursor, max);
        let guid = self.mailboxes[sub.mailbox].guid;
        if let Some(sub) = self.subscriptions.get_mut(id) {
            sub.cursor = cursor;
            sub.last_used = Instant::now();
        }
        Ok(EventPage {
            previous_watermark: ids::watermark(&guid, cursor),
            events,
            more,
            head_watermark: ids::watermark(&guid, reached),
        })
    }

    /// Streaming: takes every pending event of a streaming subscription, advancing its cursor.
    /// The events count as delivered from here on, whatever happens to the connection.
    pub fn take_streaming(&mut self, id: &str, max: usize) -> Result<Vec<LogEvent>, Refusal> {
        let sub = self
            .subscriptions
            .get(id)
            .ok_or(Refusal::SubscriptionNotFound)?;
        if sub.kind != SubscriptionKind::Streaming {
            return Err(Refusal::InvalidSubscription);
        }
        let (events, reached, _) = self.collect(sub, sub.cursor, max);
        if let Some(sub) = self.subscriptions.get_mut(id) {
            sub.cursor = reached;
            sub.last_used = Instant::now();
        }
        Ok(events)
    }

    /// Push: the pending events of a push subscription (previous watermark, events, position
    /// reached, more to come), without advancing: the cursor moves when the listener answers
    /// OK ([`State::ack_push`]).
    pub fn peek_push(&self, id: &str, max: usize) -> Option<(String, Vec<LogEvent>, u64, bool)> {
        let sub = self.subscriptions.get(id)?;
        let (events, reached, more) = self.collect(sub, sub.cursor, max);
        let guid = self.mailboxes[sub.mailbox].guid;
        Some((ids::watermark(&guid, sub.cursor), events, reached, more))
    }

    /// Push: the listener acknowledged everything up to `reached`.
    pub fn ack_push(&mut self, id: &str, reached: u64) {
        if let Some(sub) = self.subscriptions.get_mut(id) {
            sub.cursor = sub.cursor.max(reached);
            sub.last_used = Instant::now();
        }
    }

    /// The GUID of the mailbox a subscription belongs to.
    pub fn guid_of(&self, id: &str) -> Option<[u8; 16]> {
        let sub = self.subscriptions.get(id)?;
        Some(self.mailboxes[sub.mailbox].guid)
    }

    pub fn unsubscribe(&mut self, id: &str) -> Result<(), Refusal> {
        self.subscriptions
            .remove(id)
            .map(|_| ())
            .ok_or(Refusal::SubscriptionNotFound)
    }

    /// SyncFolderItems over the calendar folder: the changes after `state` (all items when
    /// `None`), at most `max` items per page.
    pub fn sync(&self, mb: usize, state: Option<&str>, max: usize) -> Result<SyncPage, Refusal> {
        let m = &self.mailboxes[mb];
        let from = match state {
            None => {
                // A first sync lists every item that exists now, and ends at the log head.
                let mut changes: Vec<SyncChange> = m
                    .items
                    .values()
                    .filter(|i| i.folder == CALENDAR_FOLDER)
                    .cloned()
                    .map(SyncChange::Create)
                    .collect();
                let includes_last = changes.len() <= max;
                changes.truncate(max);
                // A first sync larger than one page is not modelled: the simulator's
                // mailboxes are small. Say so instead of paging wrongly.
                if !includes_last {
                    return Err(Refusal::InvalidRequest);
                }
                return Ok(SyncPage {
                    changes,
                    sync_state: ids::sync_state(&m.guid, m.head()),
                    includes_last,
                });
            }
            // Sync states stay valid when the event log is forgotten: Exchange keeps folder
            // sync state (ICS) far longer than notification events.
            Some(s) => match ids::decode_sync_state(s) {
                Some((guid, p)) if guid == m.guid && p <= m.head() => p,
                _ => return Err(Refusal::InvalidSyncStateData),
            },
        };
        // Walk the log after `from`, collapsing each item's changes into one, as Exchange does.
        let mut order: Vec<String> = Vec::new();
        let mut created_in_range: HashMap<String, bool> = HashMap::new();
        let start = usize::try_from(from).unwrap_or(usize::MAX);
        let mut reached = from;
        let mut includes_last = true;
        'walk: for e in m.log.iter().skip(start) {
            // A move names two ids: the old one left its folder, the new one arrived.
            let ids_here = [
                e.old_item_id.as_ref().map(|id| (id, false)),
                e.item_id
                    .as_ref()
                    .map(|id| (id, matches!(e.kind, LogKind::Created | LogKind::Moved))),
            ];
            for (id, created) in ids_here.into_iter().flatten() {
                if !created_in_range.contains_key(id) {
                    if order.len() == max {
                        includes_last = false;
                        break 'walk;
                    }
                    order.push(id.clone());
                    created_in_range.insert(id.clone(), created);
                }
            }
            reached = e.position;
        }
        let mut changes = Vec::with_capacity(order.len());
        for id in order {
            let new = created_in_range.get(&id).copied().unwrap_or(false);
            let here = m.items.get(&id).filter(|i| i.folder == CALENDAR_FOLDER);
            match (here, new) {
                (Some(item), true) => changes.push(SyncChange::Create(item.clone())),
                (Some(item), false) => changes.push(SyncChange::Update(item.clone())),
                (None, false) => changes.push(SyncChange::Delete(id)),
                // Created and deleted within the range: nothing to report.
                (None, true) => {}
            }
        }
        Ok(SyncPage {
            changes,
            sync_state: ids::sync_state(&m.guid, reached),
            includes_last,
        })
    }

    /// Drops every log entry of mailbox `mb` so far: its watermarks and sync states become
    /// invalid (Exchange keeps events for a limited time only).
    pub fn forget_log(&mut self, mb: usize) {
        let m = &mut self.mailboxes[mb];
        m.forgotten = m.head();
        for sub in self.subscriptions.values_mut() {
            if sub.mailbox == mb {
                sub.cursor = sub.cursor.max(m.forgotten);
            }
        }
    }

    /// Removes pull subscriptions unused for longer than their timeout.
    pub fn expire(&mut self, minute: Duration) {
        let now = Instant::now();
        self.subscriptions.retain(|_, s| match s.kind {
            SubscriptionKind::Pull { timeout_minutes } => {
                now.duration_since(s.last_used) <= minute * timeout_minutes
            }
            _ => true,
        });
    }
}

/// Seconds since the Unix epoch of an RFC 3339 date-time (any offset).
pub(crate) fn parse_rfc3339(text: &str) -> Option<i64> {
    time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
        .ok()
        .map(time::OffsetDateTime::unix_timestamp)
}

/// A `YYYY-MM-DD` date.
pub(crate) fn parse_date(text: &str) -> Option<time::Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text.get(..10)?, &fmt).ok()
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the Unix epoch (proleptic Gregorian, UTC).
pub(crate) fn rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Civil-from-days (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn item(subject: &str) -> CalendarItem {
        CalendarItem {
            uid: "uid".into(),
            ..CalendarItem::new(
                subject,
                "2026-01-06T09:00:00Z",
                "2026-01-06T10:00:00Z",
                CalendarKind::Single,
            )
        }
    }

    #[test]
    fn clock_text_is_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(CLOCK_BASE), "2026-01-05T08:00:00Z");
    }

    #[test]
    fn sync_collapses_changes_and_skips_created_then_deleted() {
        let mut s = State::new("sim".into());
        let mb = s.add_mailbox("a@example.com");
        let a = s.create_item(mb, item("a"));
        let first = s.sync(mb, None, 100).unwrap();
        assert_eq!(first.changes.len(), 1);
        s.modify_item(mb, &a.id, |_| {}).unwrap();
        s.modify_item(mb, &a.id, |_| {}).unwrap();
        let b = s.create_item(mb, item("b"));
        s.delete_item(mb, &b.id);
        let page = s.sync(mb, Some(&first.sync_state), 100).unwrap();
        assert_eq!(page.changes.len(), 1, "one update for a, nothing for b");
        match &page.changes[0] {
            SyncChange::Update(i) => assert_eq!(i.version, 3),
            other => panic!("expected an update, got {other:?}"),
        }
    }

    #[test]
    fn forgotten_log_invalidates_watermarks() {
        let mut s = State::new("sim".into());
        let mb = s.add_mailbox("a@example.com");
        let (id, wm) = s
            .subscribe(
                mb,
                SubscriptionKind::Pull {
                    timeout_minutes: 10,
                },
                vec![],
                vec!["CreatedEvent".into()],
                None,
                0,
            )
            .unwrap();
        s.create_item(mb, item("a"));
        s.forget_log(mb);
        assert_eq!(
            s.get_events(&id, &wm, 50).err(),
            Some(Refusal::InvalidWatermark)
        );
    }
}
