//! `ews-notify watch`: follow mailboxes of a real EWS server (streaming or pull) and print one
//! JSON line per event on stdout; recoveries and failures go to stderr.
//!
//! A line is `{"mailbox":...,"event":{canonical event JSON},"origin":"notification"|"catchUp",
//! "position":{"watermark":...,"syncState":...,"resumeFrom":...}}`. Persist `position` to
//! resume later; `resumeFrom` says whether a resumption starts from the watermark or, on a
//! server that gives no watermarks, from the SyncFolderItems state.

use std::io::Write;
use std::time::Duration;

use ews_notify_client::{
    Client, Delivered, Origin, Position, StreamingOptions, Update, Watch, watch_pull,
    watch_streaming,
};
use serde::Serialize;

/// The server and how to reach it: shared by `watch` and `listen`.
#[derive(clap::Args)]
pub struct Server {
    /// The EWS endpoint, e.g. `https://mail.example.com/EWS/Exchange.asmx`.
    #[arg(long)]
    url: String,
    /// User name (with --password-env): HTTP Basic, or NTLM with --ntlm (`DOMAIN\\user` or
    /// `user@domain`).
    #[arg(long, requires = "password_env")]
    user: Option<String>,
    /// Environment variable holding the password.
    #[arg(
        long,
        value_name = "VAR",
        requires = "user",
        conflicts_with = "bearer_env"
    )]
    password_env: Option<String>,
    /// Authenticate --user with NTLM (NTLMv2, with channel bindings over TLS) instead of Basic,
    /// as on-premises Exchange offers it.
    #[arg(long, requires = "user")]
    ntlm: bool,
    /// Environment variable holding an OAuth bearer token.
    #[arg(long, value_name = "VAR")]
    bearer_env: Option<String>,
    /// Also trust the CA certificate(s) in this PEM file.
    #[arg(long, value_name = "PEM")]
    ca_file: Option<String>,
    /// HTTP proxy for every request (`http://[user:password@]host:port`); by default the one
    /// HTTPS_PROXY / HTTP_PROXY / ALL_PROXY name, less NO_PROXY. NTLM connections go through
    /// it as CONNECT tunnels.
    #[arg(long, value_name = "URL")]
    proxy: Option<String>,
    /// A mailbox to follow (SMTP address); repeat for several.
    #[arg(long = "mailbox", value_name = "SMTP", required = true)]
    mailboxes: Vec<String>,
    /// Send ExchangeImpersonation for each mailbox (a service account following many).
    #[arg(long)]
    impersonate: bool,
    /// Distinguished folder to follow.
    #[arg(long, default_value = "calendar")]
    folder: String,
    /// Stop after printing this many events (0: run until interrupted or every watch failed).
    #[arg(long, default_value_t = 0)]
    count: u64,
}

impl Server {
    /// The client for `--url` with its credentials and CA.
    pub fn client(&self) -> Result<Client, String> {
        let mut b = Client::builder(self.url.clone());
        if let (Some(user), Some(var)) = (&self.user, &self.password_env) {
            b = if self.ntlm {
                b.ntlm(user.clone(), env(var)?)
            } else {
                b.basic(user.clone(), env(var)?)
            };
        }
        if let Some(var) = &self.bearer_env {
            let var = var.clone();
            // Read at start (so a missing variable fails now) and again on each refresh.
            env(&var)?;
            b = b.bearer(std::sync::Arc::new(move |_refresh| {
                std::env::var(&var).map_err(|e| format!("${var}: {e}"))
            }));
        }
        if let Some(url) = &self.proxy {
            b = b.proxy(url.clone());
        }
        if let Some(path) = &self.ca_file {
            let pem = std::fs::read(path).map_err(|e| format!("error[io]: {path}: {e}"))?;
            b = b.add_ca_pem(pem);
        }
        b.build().map_err(|e| format!("error[transport]: {e}"))
    }

    /// One watch per `--mailbox`.
    pub fn watches(&self) -> Vec<Watch> {
        self.mailboxes
            .iter()
            .map(|m| {
                let mut w = Watch::calendar(m.clone());
                w.folder = self.folder.clone();
                w.impersonate = self.impersonate;
                w
            })
            .collect()
    }

    /// `--count`.
    pub fn count(&self) -> u64 {
        self.count
    }
}

fn env(var: &str) -> Result<String, String> {
    std::env::var(var).map_err(|_| format!("error[usage]: environment variable {var} is not set"))
}

/// Notification mode of `watch`.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Mode {
    /// GetStreamingEvents, up to 200 mailboxes per connection.
    Streaming,
    /// GetEvents polling.
    Pull,
}

/// Arguments of `watch`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    server: Server,
    /// Streaming or pull notifications.
    #[arg(long, value_enum, default_value = "streaming")]
    mode: Mode,
    /// Pull: wait between GetEvents calls with nothing new, in milliseconds.
    #[arg(long, default_value_t = 5000)]
    poll_ms: u64,
    /// Streaming: ConnectionTimeout asked for, in minutes (1-30).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=30))]
    connection_timeout: u32,
}

/// Runs `watch`.
pub fn run(args: &Args) -> Result<(), String> {
    let rt = runtime()?;
    rt.block_on(async {
        let client = args.server.client()?;
        let watches = args.server.watches();
        let streams = match args.mode {
            Mode::Pull => watches
                .into_iter()
                .map(|w| watch_pull(&client, w, Duration::from_millis(args.poll_ms)))
                .collect(),
            Mode::Streaming => watch_streaming(
                &client,
                watches,
                StreamingOptions {
                    connection_timeout_minutes: args.connection_timeout,
                    ..StreamingOptions::default()
                },
            ),
        };
        print_updates(streams, args.server.count()).await
    })
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("error: cannot start the runtime: {e}"))
}

/// One output line.
#[derive(Serialize)]
struct Line<'a> {
    mailbox: &'a str,
    event: &'a ews_notify::Event<'static>,
    origin: &'static str,
    position: PositionJson<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PositionJson<'a> {
    watermark: Option<&'a str>,
    sync_state: Option<&'a str>,
    /// What a resumption starts from: `"watermark"`, `"syncState"` (a server that gives no
    /// watermarks, such as gromox, resumes with a SyncFolderItems catch-up), or null.
    resume_from: Option<&'static str>,
}

/// The JSON line of a delivered event.
pub(crate) fn line(d: &Delivered) -> Result<String, String> {
    let Position {
        watermark,
        sync_state,
    } = &d.position;
    serde_json::to_string(&Line {
        mailbox: &d.mailbox,
        event: &d.event,
        origin: match d.origin {
            Origin::Notification => "notification",
            Origin::CatchUp => "catchUp",
        },
        position: PositionJson {
            watermark: watermark.as_deref(),
            sync_state: sync_state.as_deref(),
            resume_from: match (watermark, sync_state) {
                (Some(_), _) => Some("watermark"),
                (None, Some(_)) => Some("syncState"),
                (None, None) => None,
            },
        },
    })
    .map_err(|e| format!("error[json]: {e}"))
}

/// Prints every stream's events as JSON lines until `count` events (0: no limit) or until all
/// streams ended. Fails when a stream ended with an error and no count was reached.
pub(crate) async fn print_updates(
    streams: Vec<ews_notify_client::EventStream>,
    count: u64,
) -> Result<(), String> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Update>(64);
    for mut s in streams {
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Some(u) = s.next().await {
                if tx.send(u).await.is_err() {
                    return;
                }
            }
        });
    }
    drop(tx);
    let mut printed = 0;
    let mut failures = Vec::new();
    let io = |e: std::io::Error| format!("error[io]: cannot write: {e}");
    while let Some(u) = rx.recv().await {
        match u {
            Update::Event(d) => {
                let mut out = std::io::stdout().lock();
                writeln!(out, "{}", line(&d)?).map_err(io)?;
                out.flush().map_err(io)?;
                printed += 1;
                if count != 0 && printed >= count {
                    return Ok(());
                }
            }
            Update::Recovery { mailbox, recovery } => eprintln!("recovery {mailbox}: {recovery:?}"),
            Update::Failed { mailbox, error } => {
                eprintln!("failed {mailbox}: {error}");
                failures.push(mailbox);
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "error[transport]: stopped following {}",
            failures.join(", ")
        ))
    }
}
