//! Each sink against its real server, started here on a free port and stopped after: `serve`
//! follows simulated mailboxes (pull) while changes are made and is SIGKILLed once; the
//! sink's content must then hold every change, nothing invented, each repeat with its id.
//!
//! A missing server binary prints `SKIPPED: <test> (no <binary>)` and returns, unless
//! `EWS_NOTIFY_REQUIRE_SINKS=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::{
    Line, Serve, Workload, compare, free_port, ledger, parse_line, require, temp_dir, wait_until,
};
use ews_sim::{Config, NewItem, Simulator};

/// A server process, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn listening(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// Runs `serve` with `sink` (the `[sink]` tables) over 4 mailboxes; `read` gives the sink's
/// content as canonical JSON bodies.
fn run_sink(name: &str, dir: &Path, sink: &str, read: &dyn Fn() -> Vec<String>) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sim = Arc::new(rt.block_on(Simulator::start(Config::default())).unwrap());
    let names: Vec<String> = (0..4).map(|i| format!("user{i}@example.com")).collect();
    for n in &names {
        sim.add_mailbox(n);
    }
    let config = dir.join("ews-notify.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[exchange]
url = "{sim}"
mode = "pull"
user = "svc"
password_env = "EWS_NOTIFY_SINK_PASSWORD"
pull_interval_ms = 50

[mailboxes]
list = {names:?}

[state]
path = "{dir}/state.db"

{sink}
"#,
            sim = sim.url(),
            dir = dir.display(),
        ),
    )
    .unwrap();
    let env = [("EWS_NOTIFY_SINK_PASSWORD", "secret")];
    let log = dir.join("serve.log");
    let mut serve = Serve::start(&config, &log, &env);
    assert!(
        wait_until(Duration::from_secs(30), || sim.stats().subscriptions >= 4),
        "{name}: no subscriptions; log {}",
        log.display()
    );
    let baseline: HashMap<String, usize> = names
        .iter()
        .map(|n| (n.clone(), sim.generated(n).len()))
        .collect();
    for n in &names {
        sim.create_item(n, NewItem::single("first")).unwrap();
    }
    let lines = || -> Vec<Line> { read().iter().map(|b| parse_line(b)).collect() };
    assert!(
        wait_until(Duration::from_secs(30), || lines().len() >= names.len()),
        "{name}: first events missing; log {}",
        log.display()
    );
    let workload = Workload::start(sim.clone(), names.clone(), 5, Duration::from_millis(40));
    std::thread::sleep(Duration::from_millis(700));
    serve.kill();
    serve = Serve::start(&config, &log, &env);
    std::thread::sleep(Duration::from_millis(700));
    workload.stop();
    let mut v = compare(&lines(), &ledger(&sim, &names), &baseline);
    wait_until(Duration::from_secs(60), || {
        v = compare(&lines(), &ledger(&sim, &names), &baseline);
        v.missing.is_empty()
    });
    let status = serve.terminate();
    eprintln!(
        "{name}: {} item changes generated, {} delivered as themselves, {} messages, {} repeats",
        v.generated, v.exact, v.lines, v.repeats
    );
    assert!(status.success(), "{name}: SIGTERM must exit 0: {status}");
    assert!(v.missing.is_empty(), "{name}: lost {:?}", v.missing);
    assert!(v.invented.is_empty(), "{name}: invented {:?}", v.invented);
    assert!(v.id_conflicts.is_empty(), "{name}: {:?}", v.id_conflicts);
    assert!(v.generated >= 8, "{name}: the workload made changes");
    drop(rt);
}

#[test]
fn redis_stream_takes_every_change() {
    let Some(bin) = require("redis-server", "redis_sink") else {
        return;
    };
    let dir = temp_dir("redis");
    let port = free_port();
    let _server = Server(
        Command::new(bin)
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
            .unwrap(),
    );
    assert!(wait_until(Duration::from_secs(10), || listening(port)));
    let url = format!("redis://127.0.0.1:{port}/");
    let sink = format!(
        "[sink]\nkind = \"redis\"\n\n[sink.redis]\nurl = \"{url}\"\nstream = \"ews:test\"\n"
    );
    let read = || -> Vec<String> {
        let client = redis::Client::open(url.as_str()).unwrap();
        let mut con = client.get_connection().unwrap();
        let reply: redis::streams::StreamRangeReply = redis::cmd("XRANGE")
            .arg("ews:test")
            .arg("-")
            .arg("+")
            .query(&mut con)
            .unwrap();
        reply
            .ids
            .iter()
            .map(|e| {
                let id: String = e.get("eventId").unwrap();
                let data: String = e.get("data").unwrap();
                assert_eq!(
                    parse_line(&data).event_id,
                    id,
                    "the eventId field is the event's"
                );
                data
            })
            .collect()
    };
    run_sink("redis", &dir, &sink, &read);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn webhook_takes_every_change_signed_through_refusals() {
    use axum::body::Bytes;
    use axum::http::{HeaderMap, StatusCode};
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let dir = temp_dir("webhook");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let received: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let bad_signatures = Arc::new(AtomicUsize::new(0));
    let calls = Arc::new(AtomicUsize::new(0));
    let secret = "whsec-test";
    let (r, b, c) = (received.clone(), bad_signatures.clone(), calls.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let (r, b, c) = (r.clone(), b.clone(), c.clone());
            async move {
                // Every fifth call is refused: the sink must retry it, in order.
                if c.fetch_add(1, Ordering::Relaxed) % 5 == 4 {
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
                let sig = headers
                    .get("Ews-Notify-Signature")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("sha256="))
                    .unwrap_or("");
                let tag: Vec<u8> = (0..sig.len() / 2)
                    .filter_map(|i| u8::from_str_radix(sig.get(2 * i..2 * i + 2)?, 16).ok())
                    .collect();
                if ring::hmac::verify(&key, &body, &tag).is_err() {
                    b.fetch_add(1, Ordering::Relaxed);
                    return StatusCode::UNAUTHORIZED;
                }
                let text = String::from_utf8(body.to_vec()).unwrap();
                let id = headers
                    .get("Ews-Notify-Event-Id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                assert_eq!(parse_line(&text).event_id, id, "the header names the event");
                r.lock().unwrap().push(text);
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    rt.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    // The key comes from a file, as a systemd credential would.
    let key_file = dir.join("webhook.key");
    std::fs::write(&key_file, format!("{secret}\n")).unwrap();
    let sink = format!(
        "[sink]\nkind = \"webhook\"\n\n[sink.webhook]\nurl = \"http://127.0.0.1:{port}/hook\"\nsecret_file = \"{}\"\n",
        key_file.display()
    );
    let read = || received.lock().unwrap().clone();
    run_sink("webhook", &dir, &sink, &read);
    assert_eq!(
        bad_signatures.load(Ordering::Relaxed),
        0,
        "a signature did not verify"
    );
    assert!(
        calls.load(Ordering::Relaxed) >= 5,
        "refusals were exercised"
    );
    drop(rt);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A private RabbitMQ node (its own ports, data, logs and epmd), stopped when dropped.
struct Rabbit {
    env: Vec<(String, String)>,
    ctl: std::path::PathBuf,
    epmd_port: u16,
    child: Option<Child>,
}

impl Rabbit {
    fn start(server: &Path, dir: &Path, port: u16) -> Self {
        let epmd_port = free_port();
        let env: Vec<(String, String)> = vec![
            ("RABBITMQ_NODE_PORT".into(), port.to_string()),
            ("RABBITMQ_DIST_PORT".into(), free_port().to_string()),
            (
                "RABBITMQ_NODENAME".into(),
                format!("ewsnotify{port}@localhost"),
            ),
            (
                "RABBITMQ_MNESIA_BASE".into(),
                dir.join("mnesia").display().to_string(),
            ),
            (
                "RABBITMQ_LOG_BASE".into(),
                dir.join("log").display().to_string(),
            ),
            (
                "RABBITMQ_PID_FILE".into(),
                dir.join("rabbit.pid").display().to_string(),
            ),
            ("ERL_EPMD_PORT".into(), epmd_port.to_string()),
        ];
        let child = Command::new(server)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let ctl = server.with_file_name("rabbitmqctl");
        Self {
            env,
            ctl,
            epmd_port,
            child: Some(child),
        }
    }
}

impl Drop for Rabbit {
    fn drop(&mut self) {
        let _ = Command::new(&self.ctl)
            .arg("stop")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        // The node's own epmd (on its private port), not anyone else's.
        let _ = Command::new("epmd")
            .args(["-port", &self.epmd_port.to_string(), "-kill"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

#[test]
fn rabbitmq_queue_takes_every_change_with_confirms() {
    let Some(server) = require("rabbitmq-server", "amqp_sink") else {
        return;
    };
    let dir = temp_dir("amqp");
    let port = free_port();
    let _rabbit = Rabbit::start(&server, &dir, port);
    assert!(
        wait_until(Duration::from_secs(60), || listening(port)),
        "rabbitmq-server did not listen on {port}"
    );
    let url = format!("amqp://guest:guest@127.0.0.1:{port}/%2f");
    let sink =
        format!("[sink]\nkind = \"amqp\"\n\n[sink.amqp]\nurl = \"{url}\"\nqueue = \"ews-test\"\n");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let got: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let read = || -> Vec<String> {
        rt.block_on(async {
            use lapin::options::BasicGetOptions;
            let props = lapin::ConnectionProperties::default()
                .with_executor(tokio_executor_trait::Tokio::current())
                .with_reactor(tokio_reactor_trait::Tokio::current());
            let Ok(conn) = lapin::Connection::connect(&url, props).await else {
                return;
            };
            let ch = conn.create_channel().await.unwrap();
            while let Ok(Some(m)) = ch
                .basic_get("ews-test", BasicGetOptions { no_ack: true })
                .await
            {
                let body = String::from_utf8(m.delivery.data.clone()).unwrap();
                let id = m
                    .delivery
                    .properties
                    .message_id()
                    .as_ref()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default();
                assert_eq!(parse_line(&body).event_id, id, "message_id is the eventId");
                assert_eq!(
                    *m.delivery.properties.delivery_mode(),
                    Some(2),
                    "messages are persistent"
                );
                got.lock().unwrap().push(body);
            }
            let _ = conn.close(200, "done").await;
        });
        got.lock().unwrap().clone()
    };
    run_sink("amqp", &dir, &sink, &read);
    drop(rt);
}
