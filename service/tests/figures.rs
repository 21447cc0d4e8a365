//! Figures for benches/RESULTS.md, printed, never asserted on time (ignored by default):
//! `cargo test --release -p ews-notify-service --test figures -- --ignored --nocapture --test-threads 1`
//!
//! - outbox to sink: events/s the forwarder delivers from a prefilled outbox, per sink;
//! - end to end: a burst of changes over 50 pull mailboxes, simulator to file, events/s;
//! - RSS per mailbox: serve's resident memory following 10 and then 210 streaming mailboxes;
//! - restart to ready: SIGKILL, start again, until `/readyz` answers 200.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Serve, free_port, parse_lines, require, temp_dir, wait_until};
use ews_notify_service::store::{Record, SqliteStore, StateStore};
use ews_sim::{Config, NewItem, Simulator};

const ENV: &[(&str, &str)] = &[("EWS_NOTIFY_FIG_PASSWORD", "secret")];

fn exchange(url: &str, mode: &str) -> String {
    format!(
        "[exchange]\nurl = \"{url}\"\nmode = \"{mode}\"\nuser = \"svc\"\npassword_env = \"EWS_NOTIFY_FIG_PASSWORD\"\npull_interval_ms = 50\n"
    )
}

fn depth(db: &Path) -> u64 {
    let c = rusqlite::Connection::open(db).unwrap();
    c.busy_timeout(Duration::from_secs(5)).unwrap();
    c.query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get::<_, i64>(0))
        .unwrap() as u64
}

fn rss_kib(pid: u32) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    s.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

fn http_status(port: u16, path: &str) -> Option<u16> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    buf.split_whitespace().nth(1)?.parse().ok()
}

/// Prefills `n` events, starts serve with `sink`, and times the outbox draining.
fn outbox_to_sink(name: &str, sink: &str, n: usize) {
    let dir = temp_dir(&format!("fig-{name}"));
    let db = dir.join("state.db");
    {
        let store = SqliteStore::open(&db).unwrap();
        let body = r#"{"eventId":"ID","type":"item.created","mailbox":"a@x","origin":"notification","mode":"pull","event":{"kind":"created","watermark":"AAAA","timestamp":"2026-01-01T00:00:00Z","itemId":{"id":"AAMkAGI2TG93AAA=","changeKey":"DwAAABYAAAA"},"folderId":null,"parentFolderId":{"id":"AQMkAGI2AAA=","changeKey":null},"oldItemId":null,"oldFolderId":null,"oldParentFolderId":null}}"#;
        let records: Vec<Record> = (0..n)
            .map(|i| {
                let id = format!("{i:032x}");
                Record {
                    body: body.replace("\"ID\"", &format!("\"{id}\"")),
                    event_id: id,
                    mailbox: "a@x".into(),
                    kind: "item.created".into(),
                    time: None,
                }
            })
            .collect();
        for chunk in records.chunks(1000) {
            store.commit(chunk, &[]).unwrap();
        }
    }
    let config = dir.join("c.toml");
    std::fs::write(
        &config,
        format!(
            "{}\n[state]\npath = \"{}\"\n\n{sink}",
            exchange("http://127.0.0.1:9/EWS", "pull"),
            db.display()
        ),
    )
    .unwrap();
    let started = Instant::now();
    let serve = Serve::start(&config, &dir.join("serve.log"), ENV);
    assert!(
        wait_until(Duration::from_secs(600), || depth(&db) == 0),
        "{name}: outbox not drained"
    );
    let secs = started.elapsed().as_secs_f64();
    println!(
        "FIGURE outbox->sink {name}: {n} events in {secs:.2} s = {:.0} events/s (incl. start)",
        n as f64 / secs
    );
    serve.terminate();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "figures: run with --ignored --nocapture"]
fn figures_outbox_to_sink() {
    let n = 20_000;
    outbox_to_sink(
        "file",
        &format!(
            "[sink]\nkind = \"file\"\nbatch = 256\n[sink.file]\npath = \"{}\"\n",
            std::env::temp_dir()
                .join("ews-notify-fig-file.jsonl")
                .display()
        ),
        n,
    );
    if let Some(bin) = require("nats-server", "figures nats") {
        let port = free_port();
        let dir = temp_dir("fig-nats-js");
        let mut child = Command::new(bin)
            .args(["-a", "127.0.0.1", "-p", &port.to_string(), "-js", "-sd"])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        assert!(wait_until(Duration::from_secs(10), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        }));
        outbox_to_sink(
            "nats",
            &format!(
                "[sink]\nkind = \"nats\"\nbatch = 256\n[sink.nats]\nurl = \"nats://127.0.0.1:{port}\"\nsubject = \"ews.fig\"\nstream = \"FIG\"\n"
            ),
            n,
        );
        let _ = child.kill();
        let _ = child.wait();
    }
    if let Some(bin) = require("redis-server", "figures redis") {
        let port = free_port();
        let dir = temp_dir("fig-redis-data");
        let mut child = Command::new(bin)
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
            ])
            .args(["--appendonly", "no", "--dir"])
            .arg(&dir)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        assert!(wait_until(Duration::from_secs(10), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        }));
        outbox_to_sink(
            "redis",
            &format!(
                "[sink]\nkind = \"redis\"\nbatch = 256\n[sink.redis]\nurl = \"redis://127.0.0.1:{port}/\"\n"
            ),
            n,
        );
        let _ = child.kill();
        let _ = child.wait();
    }
}

#[test]
#[ignore = "figures: run with --ignored --nocapture"]
fn figures_end_to_end_rss_and_restart() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sim = Arc::new(rt.block_on(Simulator::start(Config::default())).unwrap());
    // End to end: 50 pull mailboxes, a burst of 40 changes each.
    let dir = temp_dir("fig-e2e");
    let names: Vec<String> = (0..50).map(|i| format!("e2e{i}@example.com")).collect();
    for n in &names {
        sim.add_mailbox(n);
    }
    let http = free_port();
    let events = dir.join("events.jsonl");
    let config = dir.join("c.toml");
    std::fs::write(
        &config,
        format!(
            "{}\n[mailboxes]\nlist = {names:?}\n[state]\npath = \"{}\"\n[sink]\nkind = \"file\"\n[sink.file]\npath = \"{}\"\n[http]\nbind = \"127.0.0.1:{http}\"\n",
            exchange(&sim.url(), "pull"),
            dir.join("state.db").display(),
            events.display()
        ),
    )
    .unwrap();
    let log = dir.join("serve.log");
    let serve = Serve::start(&config, &log, ENV);
    assert!(wait_until(Duration::from_secs(60), || sim
        .stats()
        .subscriptions
        >= 50));
    let before: usize = names.iter().map(|n| sim.generated(n).len()).sum();
    let started = Instant::now();
    for _ in 0..40 {
        for n in &names {
            sim.create_item(n, NewItem::single("burst")).unwrap();
        }
    }
    let after: usize = names.iter().map(|n| sim.generated(n).len()).sum();
    let expected = after - before;
    assert!(wait_until(Duration::from_secs(300), || {
        parse_lines(&std::fs::read_to_string(&events).unwrap_or_default()).len() >= expected
    }));
    let secs = started.elapsed().as_secs_f64();
    println!(
        "FIGURE end-to-end pull/file: {expected} events (50 mailboxes) in {secs:.2} s = {:.0} events/s",
        expected as f64 / secs
    );
    // Restart to ready: SIGKILL, start again, time until /readyz answers 200.
    serve.kill();
    let t = Instant::now();
    let serve = Serve::start(&config, &log, ENV);
    assert!(wait_until(Duration::from_secs(60), || http_status(
        http, "/readyz"
    ) == Some(200)));
    println!(
        "FIGURE restart-to-ready (50 pull mailboxes, SIGKILL then start): {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    serve.terminate();

    // RSS: 10 streaming mailboxes, then 210 (a second connection).
    let dir = temp_dir("fig-rss");
    let list = dir.join("mailboxes.txt");
    let names: Vec<String> = (0..210).map(|i| format!("rss{i}@example.com")).collect();
    for n in &names {
        sim.add_mailbox(n);
    }
    std::fs::write(&list, names[..10].join("\n")).unwrap();
    let config = dir.join("c.toml");
    std::fs::write(
        &config,
        format!(
            "{}\n[mailboxes]\nfile = \"{}\"\nfile_poll_secs = 1\n[state]\npath = \"{}\"\n[sink]\nkind = \"file\"\n[sink.file]\npath = \"{}\"\n",
            exchange(&sim.url(), "streaming"),
            list.display(),
            dir.join("state.db").display(),
            dir.join("events.jsonl").display()
        ),
    )
    .unwrap();
    let serve = Serve::start(&config, &dir.join("serve.log"), ENV);
    let subs = sim.stats().subscriptions;
    assert!(wait_until(Duration::from_secs(60), || sim
        .stats()
        .subscriptions
        >= subs + 10));
    std::thread::sleep(Duration::from_secs(2));
    let small = rss_kib(serve.child.id());
    std::fs::write(&list, names.join("\n")).unwrap();
    assert!(wait_until(Duration::from_secs(120), || sim
        .stats()
        .subscriptions
        >= subs + 210));
    std::thread::sleep(Duration::from_secs(2));
    let large = rss_kib(serve.child.id());
    println!(
        "FIGURE RSS streaming: {small} KiB with 10 mailboxes, {large} KiB with 210: {:.1} KiB per added mailbox",
        (large as f64 - small as f64) / 200.0
    );
    serve.terminate();
    drop(rt);
}
