//! The correlator: item events in, meeting events out, in two steps with no I/O between them
//! of its own.
//!
//! 1. [`Correlator::accept`] takes a mailbox's events and returns a [`Batch`] that says which
//!    items to bind ([`Batch::items_to_bind`]: one `GetItem` for all of them).
//! 2. [`Correlator::bound`] takes the batch back with the answers ([`Bound`], from
//!    [`crate::read_get_item_response`]) and returns the meeting events, in event order, plus
//!    a trace of the events that gave none ([`Resolved::ignored`]).

use ews_notify::{Event, EventKind};

use crate::event::{
    Cause, Change, ItemType, MeetingEvent, MeetingKey, MeetingKind, Origin, Reason, Split,
};
use crate::id::event_id;
use crate::item::{Bound, BoundItem};
use crate::store::{Entry, MemoryStore, Store, StoreError, Tracked};

/// One item event with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// The event.
    pub event: Event<'static>,
    /// Notification or catch-up.
    pub origin: Origin,
}

/// A mailbox's events waiting for their items: give it back to [`Correlator::bound`] with the
/// answers for [`Batch::items_to_bind`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    mailbox: String,
    events: Vec<Incoming>,
    to_bind: Vec<String>,
}

impl Batch {
    /// The mailbox.
    pub fn mailbox(&self) -> &str {
        &self.mailbox
    }

    /// The item ids to read with one `GetItem` (each once, in first-seen order). May be empty:
    /// call [`Correlator::bound`] with no answers then.
    pub fn items_to_bind(&self) -> &[String] {
        &self.to_bind
    }

    /// The events, in order.
    pub fn events(&self) -> &[Incoming] {
        &self.events
    }
}

/// Why an event gave no meeting event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IgnoreReason {
    /// A status, new-mail, free/busy or unknown event: not about a calendar item.
    NotAnItemEvent,
    /// A folder event (no `ItemId`).
    FolderEvent,
    /// The item is not a calendar item (a message, a meeting request).
    NotCalendarItem,
    /// The item is as it was when last reported (same `ChangeKey`): a repeat, or one of several
    /// events for one change read after the last of them.
    Unchanged,
    /// The meeting event this would give was already emitted (same event id).
    Repeat,
}

/// An event that gave no meeting event, and why: the trace that nothing was dropped quietly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignored {
    /// The event's kind (`created`, `status`, ...).
    pub event_kind: &'static str,
    /// The event's `ItemId`, if any.
    pub item_id: Option<String>,
    /// Why.
    pub reason: IgnoreReason,
}

/// What [`Correlator::bound`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    /// The meeting events, in the order of the events they come from.
    pub events: Vec<MeetingEvent>,
    /// The events that gave none.
    pub ignored: Vec<Ignored>,
}

/// Why a batch could not be correlated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CorrelateError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Turns item events and the items bound for them into meeting events, keeping the map
/// `(mailbox, ItemId) -> meeting` in a [`Store`].
#[derive(Debug, Default)]
pub struct Correlator<S = MemoryStore> {
    store: S,
}

impl Correlator<MemoryStore> {
    /// A correlator with an empty in-memory store.
    pub fn new() -> Self {
        Self::default()
    }
}

/// What an event asks of `GetItem`.
fn bind_target<'e>(event: &'e Event<'_>) -> Option<&'e str> {
    match event.kind {
        EventKind::Created | EventKind::Modified | EventKind::Moved | EventKind::Copied => {
            event.item_id.as_ref().map(|i| i.id.as_ref())
        }
        _ => None,
    }
}

/// The date part (`YYYY-MM-DD`) of an `xs:dateTime` text, when it has one.
pub(crate) fn date_part(text: &str) -> Option<String> {
    let t = text.trim();
    let d = t.get(..10)?;
    let b = d.as_bytes();
    let ok = b.iter().enumerate().all(|(i, c)| match i {
        4 | 7 => *c == b'-',
        _ => c.is_ascii_digit(),
    });
    ok.then(|| d.to_string())
}

fn format_date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The meeting key of a bound item: its clean GlobalObjectId (read, or computed from the
/// GlobalObjectId, or from the `UID`), and its `UID` (or the clean id's hex).
pub(crate) fn meeting_key(item: &BoundItem) -> Option<MeetingKey> {
    let clean = match (&item.clean_global_object_id, &item.global_object_id) {
        (Some(c), _) => Some(c.clean()),
        (None, Some(g)) => Some(g.clean()),
        (None, None) => item
            .uid
            .as_deref()
            .and_then(|u| ews_notify::GlobalObjectId::from_ical_uid(u, None).ok())
            .map(|g| g.clean()),
    }?;
    let ical_uid = item.uid.clone().unwrap_or_else(|| clean.to_ical_uid());
    Some(MeetingKey {
        clean_global_object_id: clean.to_base64(),
        ical_uid,
    })
}

/// The instance date: from the GlobalObjectId's date fields ([MS-OXOCAL] 2.2.1.27: the
/// original date of the instance, for exceptions and orphan instances), else for an
/// exception or occurrence the date of `RecurrenceId` / `OriginalStart`.
fn instance_date(item: &BoundItem) -> Option<String> {
    if let Some(d) = item
        .global_object_id
        .as_ref()
        .and_then(|g| g.instance_date())
    {
        return Some(format_date(d));
    }
    match item.item_type {
        Some(ItemType::Exception | ItemType::Occurrence) => item
            .recurrence_id
            .as_deref()
            .or(item.original_start.as_deref())
            .and_then(date_part),
        _ => None,
    }
}

fn entry_from(item: &BoundItem, previous: Option<&Entry>) -> Entry {
    Entry {
        meeting: meeting_key(item),
        global_object_id: item.global_object_id.as_ref().map(|g| g.to_base64()),
        item_type: item.item_type.clone(),
        instance_date: instance_date(item),
        subject: item.subject.clone(),
        organizer: item.organizer.clone(),
        start: item.start.clone(),
        end: item.end.clone(),
        last_modified_time: item.last_modified_time.clone(),
        change_key: item.change_key.clone(),
        parent_folder_id: item.parent_folder_id.clone(),
        cancelled: item.cancelled(),
        modified_occurrences: item.modified_occurrences.clone().unwrap_or_default(),
        deleted_occurrences: item.deleted_occurrences.clone().unwrap_or_default(),
        split_from: previous.and_then(|p| p.split_from.clone()),
    }
}

/// Whether `new` is the version `old` already recorded.
fn same_version(old: &Entry, new: &Entry) -> bool {
    match (&old.change_key, &new.change_key) {
        (Some(a), Some(b)) => a == b,
        _ => {
            old.last_modified_time.is_some()
                && old.last_modified_time == new.last_modified_time
                && old.modified_occurrences == new.modified_occurrences
                && old.deleted_occurrences == new.deleted_occurrences
        }
    }
}

struct Ctx<'a> {
    mailbox: &'a str,
    incoming: &'a Incoming,
}

impl Ctx<'_> {
    fn cause(&self) -> Cause {
        let e = &self.incoming.event;
        Cause {
            event_kind: e.kind.as_str().to_string(),
            watermark: e.watermark.as_deref().map(str::to_string),
            timestamp: e.timestamp.as_deref().map(str::to_string),
            origin: self.incoming.origin,
        }
    }

    /// The event's own version marks, for ids of changes whose item could not be read.
    fn event_version(&self) -> String {
        let e = &self.incoming.event;
        match e.item_id.as_ref().and_then(|i| i.change_key.as_deref()) {
            Some(k) => format!("ck:{k}"),
            None => format!(
                "wm:{}|ts:{}",
                e.watermark.as_deref().unwrap_or(""),
                e.timestamp.as_deref().unwrap_or("")
            ),
        }
    }

    fn meeting_event(&self, change: Change, item_id: &str, entry: Option<&Entry>) -> MeetingEvent {
        MeetingEvent {
            kind: MeetingKind::Meeting,
            event_id: String::new(),
            change,
            mailbox: self.mailbox.to_string(),
            meeting: entry.and_then(|e| e.meeting.clone()),
            instance_date: entry.and_then(|e| e.instance_date.clone()),
            item_type: entry.and_then(|e| e.item_type.clone()),
            item_id: item_id.to_string(),
            previous_item_id: None,
            global_object_id: entry.and_then(|e| e.global_object_id.clone()),
            subject: entry.and_then(|e| e.subject.clone()),
            organizer: entry.and_then(|e| e.organizer.clone()),
            start: entry.and_then(|e| e.start.clone()),
            end: entry.and_then(|e| e.end.clone()),
            last_modified_time: entry.and_then(|e| e.last_modified_time.clone()),
            split: None,
            reason: None,
            cause: self.cause(),
        }
    }
}

fn entry_version(entry: &Entry) -> String {
    match (&entry.change_key, &entry.last_modified_time) {
        (Some(k), _) => format!("ck:{k}"),
        (None, Some(t)) => format!("lm:{t}"),
        (None, None) => String::new(),
    }
}

impl<S: Store> Correlator<S> {
    /// A correlator over `store` (a durable one keeps the map across restarts).
    pub fn with_store(store: S) -> Self {
        Self { store }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The store, mutably (to declare calendar folders, or to prune).
    pub fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }

    /// Declares `folder_id` a calendar folder of `mailbox`. Folders where meetings are created
    /// are learned; declare the others (a calendar subfolder nothing was created in yet), or a
    /// move into them reads as `removedFromCalendar`.
    ///
    /// # Errors
    /// The store's failures.
    pub fn declare_calendar_folder(
        &mut self,
        mailbox: &str,
        folder_id: &str,
    ) -> Result<(), CorrelateError> {
        Ok(self.store.add_calendar_folder(mailbox, folder_id)?)
    }

    /// Takes a mailbox's events, in order, and says which items to bind. Items known not to be
    /// calendar items are not bound again.
    ///
    /// # Errors
    /// The store's failures.
    pub fn accept(
        &self,
        mailbox: &str,
        events: impl IntoIterator<Item = Incoming>,
    ) -> Result<Batch, CorrelateError> {
        let events: Vec<Incoming> = events.into_iter().collect();
        let mut to_bind: Vec<String> = Vec::new();
        for inc in &events {
            let Some(id) = bind_target(&inc.event) else {
                continue;
            };
            if to_bind.iter().any(|x| x == id) {
                continue;
            }
            if inc.event.kind != EventKind::Moved
                && matches!(self.store.get(mailbox, id)?, Some(Tracked::NotMeeting))
            {
                continue;
            }
            to_bind.push(id.to_string());
        }
        Ok(Batch {
            mailbox: mailbox.to_string(),
            events,
            to_bind,
        })
    }

    /// Resolves a batch with the answers for its [`Batch::items_to_bind`] (in any order; ids
    /// without an answer are treated as [`Bound::Failed`]). Updates the map and returns the
    /// meeting events.
    ///
    /// # Errors
    /// The store's failures. The map may then hold the effects of the events before the
    /// failing one; their meeting events are lost with the error, and a retry of the batch
    /// gives them again with the same ids, except those already marked seen.
    pub fn bound(&mut self, batch: Batch, answers: Vec<Bound>) -> Result<Resolved, CorrelateError> {
        // Every event of the batch sees the same answer: the item as it is after all of them.
        // The first event for an item records it; later ones find it unchanged.
        let by_id: std::collections::HashMap<String, Bound> = answers
            .into_iter()
            .filter_map(|b| b.item_id().map(str::to_string).map(|id| (id, b)))
            .collect();
        let mut out = Resolved::default();
        for inc in &batch.events {
            let ctx = Ctx {
                mailbox: &batch.mailbox,
                incoming: inc,
            };
            let e = &inc.event;
            let kind = e.kind.as_str();
            let item_id = e.item_id.as_ref().map(|i| i.id.to_string());
            let ignore = |reason| Ignored {
                event_kind: kind,
                item_id: item_id.clone(),
                reason,
            };
            let candidates = match &e.kind {
                EventKind::Status
                | EventKind::NewMail
                | EventKind::FreeBusyChanged
                | EventKind::Unknown(_) => {
                    out.ignored.push(ignore(IgnoreReason::NotAnItemEvent));
                    continue;
                }
                _ if item_id.is_none() => {
                    out.ignored.push(ignore(IgnoreReason::FolderEvent));
                    continue;
                }
                _ => {
                    let id = item_id.clone().unwrap_or_default();
                    let answer = by_id.get(&id).cloned();
                    match &e.kind {
                        EventKind::Created | EventKind::Copied => {
                            self.on_created(&ctx, &id, answer, None)?
                        }
                        EventKind::Modified => self.on_modified(&ctx, &id, answer)?,
                        EventKind::Moved => {
                            let old = e.old_item_id.as_ref().map(|i| i.id.to_string());
                            self.on_moved(&ctx, old.as_deref(), &id, answer)?
                        }
                        _ => self.on_deleted(&ctx, &id)?,
                    }
                }
            };
            match candidates {
                Outcome::Ignored(reason) => out.ignored.push(ignore(reason)),
                Outcome::Events(list) => {
                    let mut any = false;
                    for ev in list {
                        if self.store.seen(&ev.event_id)? {
                            continue;
                        }
                        self.store.mark_seen(&ev.event_id)?;
                        out.events.push(ev);
                        any = true;
                    }
                    if !any {
                        out.ignored.push(ignore(IgnoreReason::Repeat));
                    }
                }
            }
        }
        Ok(out)
    }

    fn with_id(&self, mut ev: MeetingEvent, parts: &[&str]) -> MeetingEvent {
        ev.event_id = event_id(ev.change.as_str(), &ev.mailbox, parts);
        ev
    }

    /// A change whose item could not be read: from the map when tracked, `unresolved` if not.
    fn reported_from_map(
        &self,
        ctx: &Ctx<'_>,
        change: Change,
        id: &str,
        reason: Reason,
    ) -> Result<Outcome, CorrelateError> {
        match self.store.get(ctx.mailbox, id)? {
            Some(Tracked::NotMeeting) => Ok(Outcome::Ignored(IgnoreReason::NotCalendarItem)),
            Some(Tracked::Meeting(entry)) => {
                let mut ev = ctx.meeting_event(change, id, Some(&entry));
                ev.reason = Some(reason);
                let v = ctx.event_version();
                Ok(Outcome::one(self.with_id(ev, &[id, "map", &v])))
            }
            None => Ok(Outcome::one(self.unresolved(ctx, id, reason))),
        }
    }

    fn unresolved(&self, ctx: &Ctx<'_>, id: &str, reason: Reason) -> MeetingEvent {
        let mut ev = ctx.meeting_event(Change::Unresolved, id, None);
        ev.reason = Some(reason);
        let kind = ctx.incoming.event.kind.as_str();
        let v = ctx.event_version();
        self.with_id(ev, &[id, kind, &v])
    }

    fn on_created(
        &mut self,
        ctx: &Ctx<'_>,
        id: &str,
        answer: Option<Bound>,
        previous_item_id: Option<&str>,
    ) -> Result<Outcome, CorrelateError> {
        let item = match answer {
            Some(Bound::Found(item)) => item,
            Some(Bound::NotFound { .. }) => {
                return self.reported_from_map(ctx, Change::Updated, id, Reason::ItemNotFound);
            }
            _ => return self.reported_from_map(ctx, Change::Updated, id, Reason::NoAnswer),
        };
        if !item.is_calendar_item() {
            self.store.put(ctx.mailbox, id, Tracked::NotMeeting)?;
            return Ok(Outcome::Ignored(IgnoreReason::NotCalendarItem));
        }
        if let Some(Tracked::Meeting(_)) = self.store.get(ctx.mailbox, id)? {
            // Already tracked (a catch-up `Create` of an item reported before): compare.
            return self.on_modified(ctx, id, Some(Bound::Found(item)));
        }
        let folder = ctx
            .incoming
            .event
            .parent_folder_id
            .as_ref()
            .map(|f| f.id.to_string())
            .or_else(|| item.parent_folder_id.clone());
        if let Some(f) = &folder {
            self.store.add_calendar_folder(ctx.mailbox, f)?;
        }
        let entry = entry_from(&item, None);
        // The past part of a split series: a new master carrying a meeting key another item of
        // this mailbox holds (not yet split) or held (split already seen).
        let mut change = Change::Created;
        if let (Some(key), Some(ItemType::RecurringMaster)) = (&entry.meeting, &entry.item_type) {
            let others = self.store.by_meeting(ctx.mailbox, key)?;
            if others.iter().any(|(other, e)| {
                other != id && matches!(e.item_type, Some(ItemType::RecurringMaster))
            }) {
                change = Change::Updated;
            }
        }
        let mut ev = ctx.meeting_event(change, id, Some(&entry));
        ev.previous_item_id = previous_item_id.map(str::to_string);
        let ev = match change {
            Change::Created => self.with_id(ev, &[id]),
            _ => {
                let v = entry_version(&entry);
                self.with_id(ev, &[id, "", &v])
            }
        };
        self.store
            .put(ctx.mailbox, id, Tracked::Meeting(Box::new(entry)))?;
        Ok(Outcome::one(ev))
    }

    fn on_modified(
        &mut self,
        ctx: &Ctx<'_>,
        id: &str,
        answer: Option<Bound>,
    ) -> Result<Outcome, CorrelateError> {
        let previous = self.store.get(ctx.mailbox, id)?;
        if let Some(Tracked::NotMeeting) = previous {
            return Ok(Outcome::Ignored(IgnoreReason::NotCalendarItem));
        }
        let item = match answer {
            Some(Bound::Found(item)) => item,
            Some(Bound::NotFound { .. }) => {
                return self.reported_from_map(ctx, Change::Updated, id, Reason::ItemNotFound);
            }
            _ => return self.reported_from_map(ctx, Change::Updated, id, Reason::NoAnswer),
        };
        if !item.is_calendar_item() {
            self.store.put(ctx.mailbox, id, Tracked::NotMeeting)?;
            return Ok(Outcome::Ignored(IgnoreReason::NotCalendarItem));
        }
        let old = match previous {
            Some(Tracked::Meeting(e)) => Some(e),
            _ => None,
        };
        let mut new = entry_from(&item, old.as_deref());
        let Some(old) = old else {
            // First sight of an item that existed before tracking began.
            let v = entry_version(&new);
            let ev = ctx.meeting_event(Change::Updated, id, Some(&new));
            let ev = self.with_id(ev, &[id, "", &v]);
            self.store
                .put(ctx.mailbox, id, Tracked::Meeting(Box::new(new)))?;
            return Ok(Outcome::one(ev));
        };
        if same_version(&old, &new) {
            return Ok(Outcome::Ignored(IgnoreReason::Unchanged));
        }
        let version = entry_version(&new);
        let mut events = Vec::new();
        match (&old.meeting, &new.meeting) {
            (Some(before), Some(after)) if before != after => {
                // Series split ([MS-OXOCAL] gives a new GlobalObjectId only to a new meeting;
                // Exchange does this when a series is changed from a past date on).
                new.split_from = Some(before.clone());
                let past = self
                    .store
                    .by_meeting(ctx.mailbox, before)?
                    .into_iter()
                    .find(|(other, e)| {
                        other != id && matches!(e.item_type, Some(ItemType::RecurringMaster))
                    })
                    .map(|(other, _)| other);
                let mut ev = ctx.meeting_event(Change::SeriesSplit, id, Some(&new));
                ev.split = Some(Split {
                    previous_meeting: before.clone(),
                    past_item_id: past,
                    ongoing_item_id: id.to_string(),
                    split_date: new.start.as_deref().and_then(date_part),
                });
                let parts = [
                    id,
                    before.clean_global_object_id.as_str(),
                    after.clean_global_object_id.as_str(),
                ];
                events.push(self.with_id(ev, &parts));
            }
            _ => {
                if new.cancelled && !old.cancelled {
                    let ev = ctx.meeting_event(Change::Cancelled, id, Some(&new));
                    events.push(self.with_id(ev, &[id]));
                } else if matches!(new.item_type, Some(ItemType::RecurringMaster)) {
                    for start in &new.deleted_occurrences {
                        if old.deleted_occurrences.contains(start) {
                            continue;
                        }
                        let mut ev = ctx.meeting_event(Change::OccurrenceDeleted, id, Some(&new));
                        ev.instance_date = date_part(start);
                        ev.start = Some(start.clone());
                        ev.end = None;
                        events.push(self.with_id(ev, &[id, start]));
                    }
                    for occ in &new.modified_occurrences {
                        if old.modified_occurrences.contains(occ) {
                            continue;
                        }
                        let mut ev = ctx.meeting_event(Change::OccurrenceChanged, id, Some(&new));
                        let original = occ.original_start.clone().unwrap_or_default();
                        ev.instance_date = date_part(&original);
                        ev.start = occ.start.clone();
                        ev.end = occ.end.clone();
                        let key = format!(
                            "{original}|{}|{}",
                            occ.start.as_deref().unwrap_or(""),
                            occ.end.as_deref().unwrap_or("")
                        );
                        events.push(self.with_id(ev, &[id, &key]));
                    }
                    if events.is_empty() {
                        let ev = ctx.meeting_event(Change::Updated, id, Some(&new));
                        events.push(self.with_id(ev, &[id, "", &version]));
                    }
                } else if matches!(
                    new.item_type,
                    Some(ItemType::Exception | ItemType::Occurrence)
                ) {
                    let ev = ctx.meeting_event(Change::OccurrenceChanged, id, Some(&new));
                    let date = new.instance_date.clone().unwrap_or_default();
                    events.push(self.with_id(ev, &[id, &date, &version]));
                } else {
                    let ev = ctx.meeting_event(Change::Updated, id, Some(&new));
                    events.push(self.with_id(ev, &[id, "", &version]));
                }
            }
        }
        self.store
            .put(ctx.mailbox, id, Tracked::Meeting(Box::new(new)))?;
        Ok(Outcome::Events(events))
    }

    fn on_moved(
        &mut self,
        ctx: &Ctx<'_>,
        old_id: Option<&str>,
        id: &str,
        answer: Option<Bound>,
    ) -> Result<Outcome, CorrelateError> {
        let tracked = match old_id {
            Some(old) => self.store.get(ctx.mailbox, old)?,
            None => None,
        };
        let dest = ctx
            .incoming
            .event
            .parent_folder_id
            .as_ref()
            .map(|f| f.id.to_string())
            .or_else(|| match &answer {
                Some(Bound::Found(item)) => item.parent_folder_id.clone(),
                _ => None,
            });
        // No destination known: no evidence the item left the calendar, so no false delete.
        let into_calendar = match &dest {
            Some(f) => self.store.is_calendar_folder(ctx.mailbox, f)?,
            None => true,
        };
        let old = old_id.unwrap_or("");
        match tracked {
            Some(Tracked::NotMeeting) => {
                self.store.remove(ctx.mailbox, old)?;
                if into_calendar {
                    self.store.put(ctx.mailbox, id, Tracked::NotMeeting)?;
                }
                Ok(Outcome::Ignored(IgnoreReason::NotCalendarItem))
            }
            Some(Tracked::Meeting(entry)) => {
                self.store.remove(ctx.mailbox, old)?;
                let mut new = match &answer {
                    Some(Bound::Found(item)) if item.is_calendar_item() => {
                        entry_from(item, Some(&entry))
                    }
                    _ => *entry.clone(),
                };
                if new.meeting.is_none() {
                    new.meeting = entry.meeting.clone();
                }
                let change = if into_calendar {
                    Change::Moved
                } else {
                    Change::RemovedFromCalendar
                };
                let mut ev = ctx.meeting_event(change, id, Some(&new));
                ev.previous_item_id = old_id.map(str::to_string);
                ev.reason = match answer {
                    Some(Bound::Found(_)) => None,
                    Some(Bound::NotFound { .. }) => Some(Reason::ItemNotFound),
                    _ => Some(Reason::NoAnswer),
                };
                let ev = self.with_id(ev, &[old, id]);
                if into_calendar {
                    self.store
                        .put(ctx.mailbox, id, Tracked::Meeting(Box::new(new)))?;
                }
                Ok(Outcome::one(ev))
            }
            None => match answer {
                Some(Bound::Found(item)) if item.is_calendar_item() => {
                    if into_calendar {
                        self.on_created(ctx, id, Some(Bound::Found(item)), old_id)
                    } else {
                        // It left the calendar before it was ever tracked: name it all the same.
                        let entry = entry_from(&item, None);
                        let mut ev =
                            ctx.meeting_event(Change::RemovedFromCalendar, id, Some(&entry));
                        ev.previous_item_id = old_id.map(str::to_string);
                        Ok(Outcome::one(self.with_id(ev, &[old, id])))
                    }
                }
                Some(Bound::Found(_)) => {
                    if into_calendar {
                        self.store.put(ctx.mailbox, id, Tracked::NotMeeting)?;
                    }
                    Ok(Outcome::Ignored(IgnoreReason::NotCalendarItem))
                }
                Some(Bound::NotFound { .. }) => {
                    Ok(Outcome::one(self.unresolved(ctx, id, Reason::ItemNotFound)))
                }
                _ => Ok(Outcome::one(self.unresolved(ctx, id, Reason::NoAnswer))),
            },
        }
    }

    fn on_deleted(&mut self, ctx: &Ctx<'_>, id: &str) -> Result<Outcome, CorrelateError> {
        match self.store.remove(ctx.mailbox, id)? {
            Some(Tracked::NotMeeting) => Ok(Outcome::Ignored(IgnoreReason::NotCalendarItem)),
            Some(Tracked::Meeting(entry)) => {
                let ev = ctx.meeting_event(Change::Deleted, id, Some(&entry));
                Ok(Outcome::one(self.with_id(ev, &[id])))
            }
            None => {
                // Deleted before it was tracked, or a repeat of a delete already reported.
                let repeat = event_id(Change::Deleted.as_str(), ctx.mailbox, &[id]);
                if self.store.seen(&repeat)? {
                    return Ok(Outcome::Ignored(IgnoreReason::Repeat));
                }
                Ok(Outcome::one(self.unresolved(ctx, id, Reason::NotTracked)))
            }
        }
    }
}

enum Outcome {
    Events(Vec<MeetingEvent>),
    Ignored(IgnoreReason),
}

impl Outcome {
    fn one(ev: MeetingEvent) -> Self {
        Self::Events(vec![ev])
    }
}

#[cfg(test)]
mod tests;
