//! Durable state in one SQLite file: each mailbox's position and an outbox of events not yet
//! acknowledged by the sink.
//!
//! A batch of events and the positions it advances to are written in one transaction, so a
//! position is never ahead of the events it covers: after a crash at any moment, the service
//! resumes from a position whose events are all in the outbox, and reads again whatever came
//! after it. The forwarder deletes an event only once the sink acknowledged it.
//!
//! [`StateStore`] is the seam for other backends (a key-value store shared by workers); the
//! service only ever talks to the trait.

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use ews_notify_client::Position;
use rusqlite::{Connection, params};

/// Why the state could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite refused.
    #[error("state database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The file's schema is newer than this program knows.
    #[error("state database schema version {found} is newer than {known}")]
    Schema {
        /// Version in the file.
        found: i64,
        /// Newest version this program knows.
        known: i64,
    },
}

/// One event on its way to the sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The deterministic event id: a repeat carries the id it had before.
    pub event_id: String,
    /// The mailbox it belongs to.
    pub mailbox: String,
    /// `item.created`, `meeting.updated`, ...: for routing and CloudEvents' `type`.
    pub kind: String,
    /// The event's time (RFC 3339), when known.
    pub time: Option<String>,
    /// The canonical JSON of the event.
    pub body: String,
}

/// An outbox row: a [`Record`] and its place in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// Outbox order; acknowledge with it.
    pub seq: i64,
    /// The event.
    pub record: Record,
}

/// What a mailbox's stored state says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailboxState {
    /// Where to resume.
    pub position: Position,
    /// Unix time it left the mailbox set; `None` while followed.
    pub removed_at: Option<i64>,
}

/// The durable state the service needs. Implemented by [`SqliteStore`]; a shared store for
/// several workers implements the same calls.
pub trait StateStore: Send + Sync + 'static {
    /// Every mailbox's stored state.
    ///
    /// # Errors
    /// [`StoreError`] when the store cannot be read.
    fn mailboxes(&self) -> Result<Vec<(String, MailboxState)>, StoreError>;
    /// Appends `events` to the outbox and stores `positions`, all or nothing.
    ///
    /// # Errors
    /// [`StoreError`]; nothing was written then.
    fn commit(&self, events: &[Record], positions: &[(String, Position)])
    -> Result<(), StoreError>;
    /// Events in the outbox.
    ///
    /// # Errors
    /// [`StoreError`] when the store cannot be read.
    fn outbox_depth(&self) -> Result<u64, StoreError>;
    /// The oldest `limit` outbox events, in order.
    ///
    /// # Errors
    /// [`StoreError`] when the store cannot be read.
    fn pending(&self, limit: usize) -> Result<Vec<Pending>, StoreError>;
    /// Deletes acknowledged events.
    ///
    /// # Errors
    /// [`StoreError`]; the events stay and are sent again.
    fn acknowledge(&self, seqs: &[i64]) -> Result<(), StoreError>;
    /// Marks `mailbox` as followed (`removed_at` cleared) or as removed at `now`.
    ///
    /// # Errors
    /// [`StoreError`] when the store cannot be written.
    fn set_removed(&self, mailbox: &str, removed_at: Option<i64>) -> Result<(), StoreError>;
    /// Drops the state of mailboxes removed before `cutoff` (unix time); returns them.
    ///
    /// # Errors
    /// [`StoreError`] when the store cannot be written.
    fn drop_removed_before(&self, cutoff: i64) -> Result<Vec<String>, StoreError>;
}

const SCHEMA_VERSION: i64 = 1;

/// [`StateStore`] in one SQLite file (WAL, `synchronous = FULL`).
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens (creating when missing) the state file at `path`.
    ///
    /// # Errors
    /// [`StoreError`] when the file cannot be opened or has a newer schema.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::init(Connection::open(path)?)
    }

    /// A store in memory (tests).
    ///
    /// # Errors
    /// [`StoreError`] when SQLite refuses.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Self, StoreError> {
        // WAL: readers (the forwarder) do not block the writer. FULL: a commit is on disk
        // before it returns, so an acknowledged-to-Exchange position survives power loss too.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::Schema {
                found,
                known: SCHEMA_VERSION,
            });
        }
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS mailbox (
                 mailbox TEXT PRIMARY KEY,
                 subscription_id TEXT,
                 watermark TEXT,
                 sync_state TEXT,
                 removed_at INTEGER
             );
             CREATE TABLE IF NOT EXISTS outbox (
                 seq INTEGER PRIMARY KEY AUTOINCREMENT,
                 event_id TEXT NOT NULL,
                 mailbox TEXT NOT NULL,
                 kind TEXT NOT NULL,
                 time TEXT,
                 body TEXT NOT NULL
             );
             PRAGMA user_version = 1;",
        )?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl StateStore for SqliteStore {
    fn mailboxes(&self) -> Result<Vec<(String, MailboxState)>, StoreError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT mailbox, watermark, sync_state, removed_at FROM mailbox")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                MailboxState {
                    position: Position {
                        watermark: r.get(1)?,
                        sync_state: r.get(2)?,
                    },
                    removed_at: r.get(3)?,
                },
            ))
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn commit(
        &self,
        events: &[Record],
        positions: &[(String, Position)],
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO outbox (event_id, mailbox, kind, time, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for e in events {
                insert.execute(params![e.event_id, e.mailbox, e.kind, e.time, e.body])?;
            }
            let mut upsert = tx.prepare_cached(
                "INSERT INTO mailbox (mailbox, watermark, sync_state) VALUES (?1, ?2, ?3)
                 ON CONFLICT(mailbox) DO UPDATE SET watermark = ?2, sync_state = ?3",
            )?;
            for (mailbox, p) in positions {
                upsert.execute(params![mailbox, p.watermark, p.sync_state])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn outbox_depth(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn()
            .query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn pending(&self, limit: usize) -> Result<Vec<Pending>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT seq, event_id, mailbox, kind, time, body FROM outbox ORDER BY seq LIMIT ?1",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map([limit], |r| {
            Ok(Pending {
                seq: r.get(0)?,
                record: Record {
                    event_id: r.get(1)?,
                    mailbox: r.get(2)?,
                    kind: r.get(3)?,
                    time: r.get(4)?,
                    body: r.get(5)?,
                },
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn acknowledge(&self, seqs: &[i64]) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut del = tx.prepare_cached("DELETE FROM outbox WHERE seq = ?1")?;
            for s in seqs {
                del.execute([s])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn set_removed(&self, mailbox: &str, removed_at: Option<i64>) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO mailbox (mailbox, removed_at) VALUES (?1, ?2)
             ON CONFLICT(mailbox) DO UPDATE SET removed_at = ?2",
            params![mailbox, removed_at],
        )?;
        Ok(())
    }

    fn drop_removed_before(&self, cutoff: i64) -> Result<Vec<String>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let gone = {
            let mut stmt = tx.prepare(
                "DELETE FROM mailbox WHERE removed_at IS NOT NULL AND removed_at < ?1 RETURNING mailbox",
            )?;
            let rows = stmt.query_map([cutoff], |r| r.get::<_, String>(0))?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        tx.commit()?;
        Ok(gone)
    }
}

/// The stored position of one mailbox (convenience for tools and tests).
///
/// # Errors
/// [`StoreError`] when the store cannot be read.
pub fn position_of(store: &dyn StateStore, mailbox: &str) -> Result<Option<Position>, StoreError> {
    Ok(store
        .mailboxes()?
        .into_iter()
        .find(|(m, _)| m == mailbox)
        .map(|(_, s)| s.position))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn rec(id: &str, mailbox: &str) -> Record {
        Record {
            event_id: id.into(),
            mailbox: mailbox.into(),
            kind: "item.created".into(),
            time: None,
            body: format!("{{\"eventId\":\"{id}\"}}"),
        }
    }

    fn pos(w: &str) -> Position {
        Position {
            watermark: Some(w.into()),
            sync_state: Some(format!("s-{w}")),
        }
    }

    #[test]
    fn events_and_positions_commit_together_and_survive_reopen() {
        let dir = std::env::temp_dir().join(format!("ews-notify-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.db");
        let _ = std::fs::remove_file(&path);
        {
            let s = SqliteStore::open(&path).unwrap();
            s.commit(
                &[rec("e1", "a@x"), rec("e2", "a@x")],
                &[("a@x".into(), pos("w2"))],
            )
            .unwrap();
        }
        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.outbox_depth().unwrap(), 2);
        assert_eq!(position_of(&s, "a@x").unwrap(), Some(pos("w2")));
        let p = s.pending(10).unwrap();
        assert_eq!(
            p.iter()
                .map(|p| p.record.event_id.as_str())
                .collect::<Vec<_>>(),
            ["e1", "e2"],
            "outbox keeps commit order"
        );
        s.acknowledge(&[p[0].seq]).unwrap();
        assert_eq!(s.pending(10).unwrap()[0].record.event_id, "e2");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_commit_writes_neither_events_nor_positions() {
        let s = SqliteStore::in_memory().unwrap();
        s.commit(&[rec("e1", "a@x")], &[("a@x".into(), pos("w1"))])
            .unwrap();
        // Make the position upsert fail after the events were inserted in the transaction.
        s.conn()
            .execute_batch(
                "CREATE TRIGGER refuse BEFORE UPDATE ON mailbox BEGIN SELECT RAISE(ABORT, 'no'); END;",
            )
            .unwrap();
        let r = s.commit(&[rec("e2", "a@x")], &[("a@x".into(), pos("w2"))]);
        assert!(r.is_err(), "the trigger must refuse the update");
        assert_eq!(
            s.outbox_depth().unwrap(),
            1,
            "e2 rolled back with its position"
        );
        assert_eq!(position_of(&s, "a@x").unwrap(), Some(pos("w1")));
    }

    #[test]
    fn removed_mailboxes_are_dropped_after_their_grace() {
        let s = SqliteStore::in_memory().unwrap();
        s.commit(&[], &[("a@x".into(), pos("w1")), ("b@x".into(), pos("w1"))])
            .unwrap();
        s.set_removed("a@x", Some(100)).unwrap();
        s.set_removed("b@x", Some(200)).unwrap();
        assert_eq!(s.drop_removed_before(150).unwrap(), ["a@x"]);
        s.set_removed("b@x", None).unwrap();
        assert!(
            s.drop_removed_before(1000).unwrap().is_empty(),
            "b came back"
        );
        assert_eq!(s.mailboxes().unwrap().len(), 1);
    }
}
