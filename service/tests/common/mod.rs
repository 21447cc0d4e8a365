//! Shared by the service's integration tests: the simulator's workload, the `serve` child
//! process, and the comparison of a sink's content with what the simulator generated.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ews_sim::{LogEvent, LogKind, NewItem, Simulator, ids};

/// A tiny seeded generator.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A fresh temporary directory.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "ews-notify-{name}-{}-{}",
        std::process::id(),
        Rng(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64)
        .next()
            % 1_000_000
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// How to run `serve`: `EWS_NOTIFY_BIN` (the real `ews-notify`) when set, else this crate's
/// `ews-notify-serve` (cargo builds it for the integration tests).
pub fn serve_command(config: &Path) -> Command {
    let mut c = match std::env::var_os("EWS_NOTIFY_BIN") {
        Some(bin) => {
            let mut c = Command::new(bin);
            c.arg("serve");
            c
        }
        None => Command::new(env!("CARGO_BIN_EXE_ews-notify-serve")),
    };
    c.arg("--config").arg(config);
    c
}

/// A running `serve` child.
pub struct Serve {
    pub child: Child,
}

impl Serve {
    pub fn start(config: &Path, log: &Path, env: &[(&str, &str)]) -> Self {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        let mut c = serve_command(config);
        for (k, v) in env {
            c.env(k, v);
        }
        let child = c
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        Self { child }
    }

    /// SIGKILL: no chance to flush anything.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, then the exit status (bounded wait: 30 s).
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let ok = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -TERM failed");
        for _ in 0..300 {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.child.kill().unwrap();
        panic!("serve did not exit within 30 s of SIGTERM");
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Changes made to the simulator's mailboxes by a background thread until stopped.
pub struct Workload {
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<usize>>,
}

impl Workload {
    /// Every `pause`, one change per mailbox: create (40 %), modify (40 %) or delete (20 %).
    pub fn start(sim: Arc<Simulator>, names: Vec<String>, seed: u64, pause: Duration) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let handle = std::thread::spawn(move || {
            let mut rng = Rng(seed);
            let mut live: Vec<Vec<String>> = vec![Vec::new(); names.len()];
            let mut rounds = 0;
            while !s.load(Ordering::Relaxed) {
                for (i, n) in names.iter().enumerate() {
                    let r = rng.next() % 10;
                    if live[i].is_empty() || r < 4 {
                        let item = sim.create_item(n, NewItem::single("meeting")).unwrap();
                        live[i].push(item.id);
                    } else if r < 8 {
                        let k = (rng.next() as usize) % live[i].len();
                        sim.modify_item(n, &live[i][k], "moved").unwrap();
                    } else {
                        let k = (rng.next() as usize) % live[i].len();
                        let id = live[i].swap_remove(k);
                        assert!(sim.delete_item(n, &id));
                    }
                }
                rounds += 1;
                std::thread::sleep(pause);
            }
            rounds
        });
        Self {
            stop,
            handle: Some(handle),
        }
    }

    /// Stops; returns the rounds made.
    pub fn stop(mut self) -> usize {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.take().unwrap().join().unwrap()
    }
}

/// One line of the sink, as far as the check needs it.
#[derive(Debug, Clone)]
pub struct Line {
    pub event_id: String,
    pub mailbox: String,
    pub kind: String,
    pub origin: String,
    pub item: Option<(String, Option<String>)>,
    pub folder: Option<String>,
}

/// Reads the canonical JSON lines of a sink.
pub fn parse_lines(text: &str) -> Vec<Line> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(parse_line)
        .collect()
}

pub fn parse_line(l: &str) -> Line {
    let v: serde_json::Value =
        serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"));
    let s = |x: &serde_json::Value| x.as_str().map(ToString::to_string);
    Line {
        event_id: s(&v["eventId"]).expect("eventId"),
        mailbox: s(&v["mailbox"]).expect("mailbox"),
        kind: s(&v["event"]["kind"]).expect("kind"),
        origin: s(&v["origin"]).expect("origin"),
        item: s(&v["event"]["itemId"]["id"]).map(|id| (id, s(&v["event"]["itemId"]["changeKey"]))),
        folder: s(&v["event"]["folderId"]["id"]),
    }
}

/// What the comparison found.
#[derive(Debug, Default)]
pub struct Verdict {
    /// Item changes generated (after each mailbox's baseline).
    pub generated: usize,
    /// Delivered as themselves.
    pub exact: usize,
    /// Covered by a later state of the item (a catch-up collapses changes).
    pub covered: usize,
    /// Items created and deleted inside a gap a catch-up spanned: nothing to report.
    pub vanished: usize,
    /// Changes not delivered.
    pub missing: Vec<String>,
    /// Delivered events the simulator never generated.
    pub invented: Vec<String>,
    /// One change under two ids, or one id for two changes.
    pub id_conflicts: Vec<String>,
    /// Lines that repeat an earlier one (same id).
    pub repeats: usize,
    pub lines: usize,
}

/// Mailbox, kind, object id, change key (none for deletions).
type Change = (String, String, String, Option<String>);

fn kind_of(k: LogKind) -> &'static str {
    match k {
        LogKind::Created => "created",
        LogKind::Modified | LogKind::FolderModified => "modified",
        LogKind::Deleted => "deleted",
        LogKind::Moved => "moved",
    }
}

/// Compares sink lines with the ledger: `ledger[mailbox]` is every event generated, and
/// `baseline[mailbox]` how many of them came before the service was expected to see them.
pub fn compare(
    lines: &[Line],
    ledger: &HashMap<String, Vec<LogEvent>>,
    baseline: &HashMap<String, usize>,
) -> Verdict {
    let mut v = Verdict {
        lines: lines.len(),
        ..Verdict::default()
    };
    // Ids: one per change, one change per id.
    let mut id_of: HashMap<Change, HashSet<String>> = HashMap::new();
    let mut change_of: HashMap<String, HashSet<Change>> = HashMap::new();
    let mut seen_ids = HashSet::new();
    for l in lines {
        let obj = l
            .item
            .as_ref()
            .map(|(id, ck)| {
                (
                    id.clone(),
                    if l.kind == "deleted" {
                        None
                    } else {
                        ck.clone()
                    },
                )
            })
            .or_else(|| l.folder.clone().map(|f| (f, None)))
            .unwrap_or_default();
        let key = (l.mailbox.clone(), l.kind.clone(), obj.0, obj.1);
        id_of
            .entry(key.clone())
            .or_default()
            .insert(l.event_id.clone());
        change_of.entry(l.event_id.clone()).or_default().insert(key);
        if !seen_ids.insert(l.event_id.clone()) {
            v.repeats += 1;
        }
    }
    for (k, ids) in &id_of {
        // Folder events without a change key hash their watermark: several ids are expected.
        if ids.len() > 1 && k.1 != "modified" || ids.len() > 1 && k.3.is_some() {
            v.id_conflicts.push(format!("{k:?} has ids {ids:?}"));
        }
    }
    for (id, ks) in &change_of {
        if ks.len() > 1 {
            v.id_conflicts.push(format!("{id} names {ks:?}"));
        }
    }
    let mut by_mailbox: HashMap<&str, Vec<&Line>> = HashMap::new();
    for l in lines {
        by_mailbox.entry(&l.mailbox).or_default().push(l);
    }
    for (mailbox, generated) in ledger {
        let delivered = by_mailbox
            .get(mailbox.as_str())
            .cloned()
            .unwrap_or_default();
        // Nothing invented: every delivered item state exists in the ledger.
        let states: HashSet<(String, Option<String>)> = generated
            .iter()
            .filter_map(|g| Some((g.item_id.clone()?, g.change_key.clone())))
            .collect();
        let deleted: HashSet<&str> = generated
            .iter()
            .filter(|g| g.kind == LogKind::Deleted)
            .filter_map(|g| g.item_id.as_deref())
            .collect();
        let folders: HashSet<&str> = generated
            .iter()
            .filter_map(|g| g.folder_id.as_deref())
            .collect();
        for l in &delivered {
            let ok = match (&l.item, l.kind.as_str()) {
                (Some((id, _)), "deleted") => deleted.contains(id.as_str()),
                (Some((id, ck)), _) => states.contains(&(id.clone(), ck.clone())),
                (None, _) => l.folder.as_deref().is_some_and(|f| folders.contains(f)),
            };
            if !ok {
                v.invented.push(format!("{mailbox}: {l:?}"));
            }
        }
        // Every item change since the baseline: delivered, or covered by a later state.
        let from = baseline.get(mailbox).copied().unwrap_or(0);
        let version = |ck: &Option<String>| ck.as_deref().and_then(ids::decode_change_key);
        for g in generated.iter().skip(from) {
            let Some(id) = &g.item_id else { continue };
            v.generated += 1;
            let same_item: Vec<&&Line> = delivered
                .iter()
                .filter(|l| l.item.as_ref().is_some_and(|(i, _)| i == id))
                .collect();
            let exact = same_item.iter().any(|l| {
                l.kind == kind_of(g.kind)
                    && (g.kind == LogKind::Deleted
                        || l.item.as_ref().is_some_and(|(_, ck)| *ck == g.change_key))
            });
            if exact {
                v.exact += 1;
                continue;
            }
            let later = g.kind != LogKind::Deleted
                && same_item.iter().any(|l| {
                    l.kind == "deleted"
                        || l.item.as_ref().is_some_and(|(_, ck)| {
                            version(ck).unwrap_or(0) >= version(&g.change_key).unwrap_or(u32::MAX)
                        })
                });
            if later {
                v.covered += 1;
            } else if same_item.is_empty() && deleted.contains(id.as_str()) {
                v.vanished += 1;
            } else {
                v.missing.push(format!("{mailbox}: {g:?}"));
            }
        }
    }
    v
}

/// Waits (bounded) until `done` holds; polls every 100 ms.
pub fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    done()
}

/// The ledger of every mailbox.
pub fn ledger(sim: &Simulator, names: &[String]) -> HashMap<String, Vec<LogEvent>> {
    names
        .iter()
        .map(|n| (n.clone(), sim.generated(n)))
        .collect()
}

/// The binary, or `None` after printing SKIPPED (a failure when sinks are required).
pub fn require(binary: &str, test: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        // RabbitMQ's own script first: /usr/sbin's wrapper switches user and ignores the
        // environment that makes the node private.
        std::iter::once(PathBuf::from("/usr/lib/rabbitmq/bin"))
            .chain(std::env::split_paths(&paths))
            .chain([PathBuf::from("/usr/sbin")])
            .map(|d| d.join(binary))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("EWS_NOTIFY_REQUIRE_SINKS").as_deref() != Ok("1"),
            "{test}: {binary} missing and EWS_NOTIFY_REQUIRE_SINKS=1"
        );
        println!("SKIPPED: {test} (no {binary})");
    }
    found
}
