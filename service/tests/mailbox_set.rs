//! The mailbox set changes while `serve` runs: the file is rewritten (one mailbox removed, one
//! added) and SIGHUP reloads it; the added mailbox delivers, the removed one stops and its
//! state is dropped after its grace period, the one kept is not disturbed. `/metrics` and
//! `/healthz` answer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write as _};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use common::{Serve, free_port, parse_lines, temp_dir, wait_until};
use ews_sim::{Config, NewItem, Simulator};

fn get(port: u16, path: &str) -> Option<String> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    Some(buf)
}

fn stored(db: &std::path::Path) -> Vec<(String, Option<i64>)> {
    let c = rusqlite::Connection::open(db).unwrap();
    c.busy_timeout(Duration::from_secs(5)).unwrap();
    let mut s = c
        .prepare("SELECT mailbox, removed_at FROM mailbox ORDER BY mailbox")
        .unwrap();
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn mailboxes_added_and_removed_on_sighup_without_disturbing_the_rest() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sim = Arc::new(rt.block_on(Simulator::start(Config::default())).unwrap());
    for n in ["a@x.test", "b@x.test", "c@x.test"] {
        sim.add_mailbox(n);
    }
    let dir = temp_dir("mailbox-set");
    let list = dir.join("mailboxes.txt");
    std::fs::write(&list, "a@x.test\nb@x.test\n").unwrap();
    let db = dir.join("state.db");
    let events = dir.join("events.jsonl");
    let http = free_port();
    let config = dir.join("c.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[exchange]
url = "{url}"
mode = "pull"
user = "svc"
password_env = "EWS_NOTIFY_SET_PASSWORD"
pull_interval_ms = 50

[mailboxes]
file = "{list}"
# Only SIGHUP reloads within this test (the file is not polled in time).
file_poll_secs = 3600
remove_grace_secs = 1

[state]
path = "{db}"

[sink]
kind = "file"

[sink.file]
path = "{events}"

[http]
bind = "127.0.0.1:{http}"
"#,
            url = sim.url(),
            list = list.display(),
            db = db.display(),
            events = events.display(),
        ),
    )
    .unwrap();
    let log = dir.join("serve.log");
    let serve = Serve::start(&config, &log, &[("EWS_NOTIFY_SET_PASSWORD", "secret")]);
    assert!(wait_until(Duration::from_secs(30), || sim
        .stats()
        .subscriptions
        >= 2));
    let delivered = |m: &str| {
        parse_lines(&std::fs::read_to_string(&events).unwrap_or_default())
            .into_iter()
            .filter(|l| l.mailbox == m)
            .count()
    };
    sim.create_item("a@x.test", NewItem::single("a1")).unwrap();
    sim.create_item("b@x.test", NewItem::single("b1")).unwrap();
    assert!(
        wait_until(Duration::from_secs(30), || delivered("a@x.test") > 0
            && delivered("b@x.test") > 0),
        "first events; log {}",
        log.display()
    );
    assert!(get(http, "/healthz").unwrap().contains("200 OK"));

    // a leaves, c joins; SIGHUP makes serve read the file again.
    std::fs::write(&list, "b@x.test\nc@x.test\n").unwrap();
    let ok = Command::new("kill")
        .args(["-HUP", &serve.child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    assert!(
        wait_until(Duration::from_secs(30), || sim.stats().subscriptions >= 3),
        "c was not subscribed after SIGHUP; log {}",
        log.display()
    );
    let a_before = delivered("a@x.test");
    sim.create_item("a@x.test", NewItem::single("a2, unwatched"))
        .unwrap();
    sim.create_item("c@x.test", NewItem::single("c1")).unwrap();
    sim.create_item("b@x.test", NewItem::single("b2")).unwrap();
    assert!(
        wait_until(Duration::from_secs(30), || delivered("c@x.test") > 0
            && delivered("b@x.test") >= 4),
        "c's and b's events; log {}",
        log.display()
    );
    assert_eq!(
        delivered("a@x.test"),
        a_before,
        "a removed mailbox delivers nothing more"
    );
    // a's state goes once its grace period (1 s) is over; b and c stay.
    assert!(
        wait_until(Duration::from_secs(30), || {
            let s = stored(&db);
            s.iter().all(|(m, _)| m != "a@x.test")
                && s.iter().any(|(m, r)| m == "b@x.test" && r.is_none())
                && s.iter().any(|(m, r)| m == "c@x.test" && r.is_none())
        }),
        "state after the grace period: {:?}",
        stored(&db)
    );
    let metrics = get(http, "/metrics").unwrap();
    assert!(
        metrics.contains("ews_notify_subscriptions{state=\"active\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("ews_notify_mailbox_reloads_total 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("ews_notify_events_in_total{kind=\"item.created\",mode=\"pull\",origin=\"notification\"}"),
        "{metrics}"
    );
    assert!(serve.terminate().success());
    drop(rt);
    let _ = std::fs::remove_dir_all(&dir);
}
