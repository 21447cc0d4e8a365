//! The map `(mailbox, ItemId) -> meeting` behind a trait, and its in-memory implementation.
//!
//! A durable store (a database, a key-value bucket) implements [`Store`] with the same
//! semantics; every value is `serde` (de)serializable so it can be written as JSON.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::event::{ItemType, MeetingKey, Organizer};
use crate::item::Occurrence;

/// What the correlator remembers about one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Tracked {
    /// A calendar item of a meeting.
    Meeting(Box<Entry>),
    /// An item that is not a calendar item (a message, a meeting request): its later events
    /// stay out of the meeting stream without another `GetItem`.
    NotMeeting,
}

/// The last known state of a meeting's item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// The meeting key (clean GlobalObjectId and UID); `None` when the item carries neither.
    pub meeting: Option<MeetingKey>,
    /// PidLidGlobalObjectId, base64.
    pub global_object_id: Option<String>,
    /// `CalendarItemType`.
    pub item_type: Option<ItemType>,
    /// The instance date of an exception or orphan instance (`YYYY-MM-DD`).
    pub instance_date: Option<String>,
    /// `Subject`.
    pub subject: Option<String>,
    /// `Organizer`.
    pub organizer: Option<Organizer>,
    /// `Start`.
    pub start: Option<String>,
    /// `End`.
    pub end: Option<String>,
    /// `LastModifiedTime`.
    pub last_modified_time: Option<String>,
    /// `ChangeKey`: the version last seen.
    pub change_key: Option<String>,
    /// `ParentFolderId`.
    pub parent_folder_id: Option<String>,
    /// Cancelled when last seen.
    pub cancelled: bool,
    /// A master's exceptions when last seen.
    pub modified_occurrences: Vec<Occurrence>,
    /// A master's deleted occurrences (original starts) when last seen.
    pub deleted_occurrences: Vec<String>,
    /// The meeting this item held before a series split; its past part keeps that key.
    pub split_from: Option<MeetingKey>,
}

/// A store failure (I/O of a durable store). The in-memory store never fails.
#[derive(Debug, thiserror::Error)]
#[error("store: {0}")]
pub struct StoreError(pub Box<dyn std::error::Error + Send + Sync>);

/// The map the correlator keeps, per mailbox: tracked items by `ItemId`, the calendar folders
/// seen, and the ids of meeting events already emitted.
///
/// Calls are synchronous: the correlator has no I/O of its own. A durable store either does
/// blocking I/O here or loads a mailbox's map before a batch and writes it back after.
pub trait Store {
    /// The entry for `item_id`.
    ///
    /// # Errors
    /// The store's own failures.
    fn get(&self, mailbox: &str, item_id: &str) -> Result<Option<Tracked>, StoreError>;
    /// Sets the entry for `item_id`.
    ///
    /// # Errors
    /// The store's own failures.
    fn put(&mut self, mailbox: &str, item_id: &str, entry: Tracked) -> Result<(), StoreError>;
    /// Removes the entry for `item_id`, returning it.
    ///
    /// # Errors
    /// The store's own failures.
    fn remove(&mut self, mailbox: &str, item_id: &str) -> Result<Option<Tracked>, StoreError>;
    /// Moves the entry of `from` to `to` (a `MovedEvent` gives the item a new id).
    ///
    /// # Errors
    /// The store's own failures.
    fn rename(&mut self, mailbox: &str, from: &str, to: &str) -> Result<(), StoreError> {
        if let Some(e) = self.remove(mailbox, from)? {
            self.put(mailbox, to, e)?;
        }
        Ok(())
    }
    /// Every tracked item of `mailbox` whose meeting key or `split_from` is `key`: the other
    /// part of a split series (a durable store keeps an index on the clean GlobalObjectId).
    ///
    /// # Errors
    /// The store's own failures.
    fn by_meeting(
        &self,
        mailbox: &str,
        key: &MeetingKey,
    ) -> Result<Vec<(String, Box<Entry>)>, StoreError>;
    /// Whether `folder_id` is a calendar folder of `mailbox` (declared, or where meetings were
    /// created).
    ///
    /// # Errors
    /// The store's own failures.
    fn is_calendar_folder(&self, mailbox: &str, folder_id: &str) -> Result<bool, StoreError>;
    /// Records `folder_id` as a calendar folder of `mailbox`.
    ///
    /// # Errors
    /// The store's own failures.
    fn add_calendar_folder(&mut self, mailbox: &str, folder_id: &str) -> Result<(), StoreError>;
    /// Whether a meeting event with this id was already emitted.
    ///
    /// # Errors
    /// The store's own failures.
    fn seen(&self, event_id: &str) -> Result<bool, StoreError>;
    /// Records that a meeting event with this id was emitted. A durable store may expire old
    /// ids; a repeat older than its horizon is then emitted again, with the same id.
    ///
    /// # Errors
    /// The store's own failures.
    fn mark_seen(&mut self, event_id: &str) -> Result<(), StoreError>;
}

/// The in-memory [`Store`]: hash maps, nothing persisted.
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    items: HashMap<String, BTreeMap<String, Tracked>>,
    /// Per mailbox, clean GlobalObjectId -> the items whose meeting or `split_from` it is.
    by_key: HashMap<String, HashMap<String, BTreeSet<String>>>,
    folders: HashMap<String, HashSet<String>>,
    seen: HashSet<String>,
}

/// The clean ids an entry is found under by [`Store::by_meeting`].
fn keys_of(t: &Tracked) -> Vec<String> {
    match t {
        Tracked::Meeting(e) => e
            .meeting
            .iter()
            .chain(e.split_from.iter())
            .map(|k| k.clean_global_object_id.clone())
            .collect(),
        Tracked::NotMeeting => Vec::new(),
    }
}

impl MemoryStore {
    fn unindex(&mut self, mailbox: &str, item_id: &str, old: &Tracked) {
        if let Some(index) = self.by_key.get_mut(mailbox) {
            for k in keys_of(old) {
                if let Some(set) = index.get_mut(&k) {
                    set.remove(item_id);
                    if set.is_empty() {
                        index.remove(&k);
                    }
                }
            }
        }
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many items are tracked, over all mailboxes.
    pub fn len(&self) -> usize {
        self.items.values().map(BTreeMap::len).sum()
    }

    /// Whether no item is tracked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many meeting event ids are remembered.
    pub fn seen_len(&self) -> usize {
        self.seen.len()
    }
}

impl Store for MemoryStore {
    fn get(&self, mailbox: &str, item_id: &str) -> Result<Option<Tracked>, StoreError> {
        Ok(self
            .items
            .get(mailbox)
            .and_then(|m| m.get(item_id))
            .cloned())
    }

    fn put(&mut self, mailbox: &str, item_id: &str, entry: Tracked) -> Result<(), StoreError> {
        let keys = keys_of(&entry);
        let old = self
            .items
            .entry(mailbox.to_string())
            .or_default()
            .insert(item_id.to_string(), entry);
        if let Some(old) = old {
            self.unindex(mailbox, item_id, &old);
        }
        if !keys.is_empty() {
            let index = self.by_key.entry(mailbox.to_string()).or_default();
            for k in keys {
                index.entry(k).or_default().insert(item_id.to_string());
            }
        }
        Ok(())
    }

    fn remove(&mut self, mailbox: &str, item_id: &str) -> Result<Option<Tracked>, StoreError> {
        let old = self.items.get_mut(mailbox).and_then(|m| m.remove(item_id));
        if let Some(old) = &old {
            self.unindex(mailbox, item_id, old);
        }
        Ok(old)
    }

    fn by_meeting(
        &self,
        mailbox: &str,
        key: &MeetingKey,
    ) -> Result<Vec<(String, Box<Entry>)>, StoreError> {
        let (Some(index), Some(items)) = (self.by_key.get(mailbox), self.items.get(mailbox)) else {
            return Ok(Vec::new());
        };
        Ok(index
            .get(&key.clean_global_object_id)
            .into_iter()
            .flatten()
            .filter_map(|id| match items.get(id) {
                Some(Tracked::Meeting(e))
                    if e.meeting.as_ref() == Some(key) || e.split_from.as_ref() == Some(key) =>
                {
                    Some((id.clone(), e.clone()))
                }
                _ => None,
            })
            .collect())
    }

    fn is_calendar_folder(&self, mailbox: &str, folder_id: &str) -> Result<bool, StoreError> {
        Ok(self
            .folders
            .get(mailbox)
            .is_some_and(|f| f.contains(folder_id)))
    }

    fn add_calendar_folder(&mut self, mailbox: &str, folder_id: &str) -> Result<(), StoreError> {
        self.folders
            .entry(mailbox.to_string())
            .or_default()
            .insert(folder_id.to_string());
        Ok(())
    }

    fn seen(&self, event_id: &str) -> Result<bool, StoreError> {
        Ok(self.seen.contains(event_id))
    }

    fn mark_seen(&mut self, event_id: &str) -> Result<(), StoreError> {
        self.seen.insert(event_id.to_string());
        Ok(())
    }
}
