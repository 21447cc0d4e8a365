//! The change generator: calendar changes made on the simulator's own initiative, at random
//! but reproducibly from a seed, across a set of mailboxes. It covers what calendar clients
//! get wrong: single meetings created, edited, cancelled, moved to Deleted Items and deleted;
//! recurring series created (some beginning in the past), edited as a whole, one occurrence
//! edited with and without a date change, one occurrence deleted, split by a "this and
//! following" edit (seed case 2.3); attendee copies of a meeting in another mailbox and orphan
//! exceptions there. Every change is recorded in the ledger ([`crate::Simulator::ledger`]) with
//! [`Source::Generator`].

use crate::ledger::{LedgerEntry, Source};
use crate::server::{NewItem, Simulator, shift_occurrence};
use crate::state::{CALENDAR_FOLDER, CalendarItem, CalendarKind, DELETED_ITEMS_FOLDER, Recurrence};
use crate::state::{parse_date, parse_rfc3339, rfc3339};

/// Most items a generated mailbox holds before the generator prefers deleting.
const MAX_ITEMS: usize = 24;

/// What the generator can do, with its weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    CreateSingle,
    CreateSeries,
    Modify,
    EditOccurrence,
    MoveOccurrence,
    DeleteOccurrence,
    Split,
    Cancel,
    SoftDelete,
    Delete,
    AttendeeCopy,
    Orphan,
}

const ACTIONS: &[(Action, u64)] = &[
    (Action::CreateSingle, 14),
    (Action::CreateSeries, 12),
    (Action::Modify, 10),
    (Action::EditOccurrence, 8),
    (Action::MoveOccurrence, 5),
    (Action::DeleteOccurrence, 7),
    (Action::Split, 6),
    (Action::Cancel, 5),
    (Action::SoftDelete, 5),
    (Action::Delete, 10),
    (Action::AttendeeCopy, 6),
    (Action::Orphan, 4),
];

/// Makes calendar changes on a [`Simulator`], one [`Generator::step`] at a time.
pub struct Generator {
    rng: u64,
    mailboxes: Vec<String>,
    serial: u64,
}

impl Generator {
    /// A generator over `mailboxes` (they must exist on the simulator), drawing from `seed`.
    pub fn new(seed: u64, mailboxes: Vec<String>) -> Self {
        Self {
            rng: seed,
            mailboxes,
            serial: 0,
        }
    }

    fn next(&mut self) -> u64 {
        // SplitMix64, as the fault generator.
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> Option<T> {
        if items.is_empty() {
            return None;
        }
        let i = self.below(items.len());
        items.get(i).cloned()
    }

    fn action(&mut self) -> Action {
        let total: u64 = ACTIONS.iter().map(|(_, w)| w).sum();
        let mut r = self.next() % total;
        for (a, w) in ACTIONS {
            if r < *w {
                return *a;
            }
            r -= w;
        }
        Action::CreateSingle
    }

    /// Makes one change (a few tries to find one that applies to the mailbox drawn) and
    /// returns its ledger entries; empty when there are no mailboxes.
    pub fn step(&mut self, sim: &Simulator) -> Vec<LedgerEntry> {
        let Some(mailbox) = self.pick(&self.mailboxes.clone()) else {
            return Vec::new();
        };
        for _ in 0..8 {
            let items: Vec<CalendarItem> = sim
                .items(&mailbox)
                .into_iter()
                .filter(|i| i.folder == CALENDAR_FOLDER)
                .collect();
            let action = if items.len() >= MAX_ITEMS {
                Action::Delete
            } else {
                self.action()
            };
            let done = self.apply(sim, &mailbox, action, &items);
            if !done.is_empty() {
                return done;
            }
        }
        // Nothing else applied: creating always does.
        self.apply(sim, &mailbox, Action::CreateSingle, &[])
    }

    fn subject(&mut self, what: &str) -> String {
        self.serial += 1;
        format!("{what} #{}", self.serial)
    }

    fn apply(
        &mut self,
        sim: &Simulator,
        mailbox: &str,
        action: Action,
        items: &[CalendarItem],
    ) -> Vec<LedgerEntry> {
        let shared = sim.shared();
        let g = Source::Generator;
        let masters: Vec<CalendarItem> = items
            .iter()
            .filter(|i| i.kind == CalendarKind::RecurringMaster)
            .cloned()
            .collect();
        // Items this mailbox organizes (attendee copies are changed by their organizer).
        let own: Vec<CalendarItem> = items
            .iter()
            .filter(|i| i.organizer.eq_ignore_ascii_case(mailbox))
            .cloned()
            .collect();
        let day = i64::from(u32::try_from(self.below(28)).unwrap_or(0));
        let hour = 8 + i64::from(u32::try_from(self.below(9)).unwrap_or(0));
        // The simulated "today" is 2026-01-05; some series begin in the past.
        let start_unix = 1_767_571_200 + (day - 10) * 86_400 + hour * 3600;
        let one = |r: Result<(CalendarItem, LedgerEntry), crate::state::Refusal>| {
            r.map(|(_, e)| vec![e]).unwrap_or_default()
        };
        match action {
            Action::CreateSingle => {
                let new = NewItem {
                    start: rfc3339(start_unix),
                    end: rfc3339(start_unix + 1800),
                    ..NewItem::single(&self.subject("meeting"))
                };
                one(shared.create(g, mailbox, new))
            }
            Action::CreateSeries => {
                let occurrences = 3 + u32::try_from(self.below(8)).unwrap_or(0);
                let new = NewItem {
                    start: rfc3339(start_unix),
                    end: rfc3339(start_unix + 3600),
                    recurrence: Some(Recurrence {
                        interval_weeks: 1,
                        occurrences,
                    }),
                    ..NewItem::recurring(&self.subject("weekly"))
                };
                one(shared.create(g, mailbox, new))
            }
            Action::Modify => match self.pick(&own) {
                Some(i) => {
                    let subject = format!("{} (edited)", i.subject.trim_end_matches(" (edited)"));
                    one(shared.modify(g, mailbox, &i.id, |i| i.subject = subject))
                }
                None => Vec::new(),
            },
            Action::EditOccurrence | Action::MoveOccurrence => {
                let Some(m) = self.pick(&masters) else {
                    return Vec::new();
                };
                let n = m.recurrence.as_ref().map_or(0, |r| r.occurrences);
                let index = 1 + u32::try_from(self.below(n as usize)).unwrap_or(0);
                let shift = if action == Action::MoveOccurrence {
                    3600
                } else {
                    0
                };
                let subject = self.subject("occurrence");
                shared
                    .edit_occurrence(g, mailbox, &m.id, index, |o| {
                        shift_occurrence(o, &subject, shift);
                    })
                    .map(|(_, e)| vec![e])
                    .unwrap_or_default()
            }
            Action::DeleteOccurrence => {
                let Some(m) = self.pick(&masters) else {
                    return Vec::new();
                };
                let n = m.recurrence.as_ref().map_or(0, |r| r.occurrences);
                let index = 1 + u32::try_from(self.below(n as usize)).unwrap_or(0);
                one(shared.delete_occurrence(g, mailbox, &m.id, index))
            }
            Action::Split => {
                let candidates: Vec<CalendarItem> = masters
                    .iter()
                    .filter(|m| m.recurrence.as_ref().is_some_and(|r| r.occurrences >= 3))
                    .cloned()
                    .collect();
                let Some(m) = self.pick(&candidates) else {
                    return Vec::new();
                };
                let starts = m.occurrence_starts();
                let k = 1 + self.below(starts.len().saturating_sub(2));
                // The ongoing part moves one weekday later (seed: Thursday to Friday).
                let Some(from) = starts.get(k).and_then(|s| parse_rfc3339(s)) else {
                    return Vec::new();
                };
                shared
                    .split(g, mailbox, &m.id, &rfc3339(from + 86_400), Some(from))
                    .map(|(_, e)| vec![e])
                    .unwrap_or_default()
            }
            Action::Cancel => {
                let open: Vec<CalendarItem> =
                    own.iter().filter(|i| !i.is_cancelled).cloned().collect();
                match self.pick(&open) {
                    Some(i) => one(shared.cancel(g, mailbox, &i.id)),
                    None => Vec::new(),
                }
            }
            Action::SoftDelete => match self.pick(items) {
                Some(i) => one(shared.move_to(g, mailbox, &i.id, DELETED_ITEMS_FOLDER)),
                None => Vec::new(),
            },
            Action::Delete => match self.pick(items) {
                Some(i) => one(shared.delete(g, mailbox, &i.id)),
                None => Vec::new(),
            },
            Action::AttendeeCopy => {
                let others: Vec<String> = self
                    .mailboxes
                    .iter()
                    .filter(|m| !m.eq_ignore_ascii_case(mailbox))
                    .cloned()
                    .collect();
                let (Some(i), Some(attendee)) = (self.pick(&own), self.pick(&others)) else {
                    return Vec::new();
                };
                if i.kind == CalendarKind::Exception {
                    return Vec::new();
                }
                let new = NewItem {
                    subject: i.subject.clone(),
                    start: i.start.clone(),
                    end: i.end.clone(),
                    kind: i.kind,
                    uid: Some(i.uid.clone()),
                    instance_date: None,
                    recurrence: i.recurrence.clone(),
                    organizer: Some(mailbox.to_string()),
                };
                one(shared.create(g, &attendee, new))
            }
            Action::Orphan => {
                let others: Vec<String> = self
                    .mailboxes
                    .iter()
                    .filter(|m| !m.eq_ignore_ascii_case(mailbox))
                    .cloned()
                    .collect();
                let own_masters: Vec<CalendarItem> = masters
                    .iter()
                    .filter(|m| m.organizer.eq_ignore_ascii_case(mailbox))
                    .cloned()
                    .collect();
                let (Some(m), Some(attendee)) = (self.pick(&own_masters), self.pick(&others))
                else {
                    return Vec::new();
                };
                let starts = m.occurrence_starts();
                let Some(original) = self.pick(&starts) else {
                    return Vec::new();
                };
                let end = parse_rfc3339(&original).map(|s| rfc3339(s + m.duration_seconds()));
                let new = NewItem {
                    subject: format!("{} (one occurrence)", m.subject),
                    start: original.clone(),
                    end: end.unwrap_or_else(|| original.clone()),
                    kind: CalendarKind::Exception,
                    uid: Some(m.uid.clone()),
                    instance_date: parse_date(&original),
                    recurrence: None,
                    organizer: Some(mailbox.to_string()),
                };
                one(shared.create(g, &attendee, new))
            }
        }
    }
}
