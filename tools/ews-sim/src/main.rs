//! `ews-sim`: the EWS simulator as a server of its own, for trying an EWS client by hand and
//! for black-box tests. Prints its EWS URL as the first line of standard output, then serves
//! until SIGTERM or SIGINT; optionally makes calendar changes on its own and writes a ledger
//! of every change as JSON lines. See the crate's README for every operation it answers.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use ews_sim::generate::Generator;
use ews_sim::{Config, Faults, NtlmAccount, Simulator};

/// A test double of an Exchange server's EWS endpoint (not Exchange: see README).
#[derive(Debug, Parser)]
#[command(name = "ews-sim", version, about, long_about = None)]
struct Args {
    /// Address to listen on (port 0: one the OS picks; the URL line says which).
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// A mailbox to serve (repeatable). Basic credentials of any password are accepted.
    #[arg(long = "mailbox", value_name = "SMTP")]
    mailboxes: Vec<String>,
    /// Also serve N generated mailboxes, user1@example.com ... userN@example.com.
    #[arg(long = "mailboxes", value_name = "N", default_value_t = 0)]
    generated_mailboxes: u32,
    /// A distribution list for ResolveNames and ExpandDL (repeatable):
    /// `team@example.com=a@example.com,b@example.com`.
    #[arg(long = "group", value_name = "DL=MEMBER,...")]
    groups: Vec<String>,
    /// Calendar changes per second the simulator makes on its own, across the mailboxes
    /// (0: none; only clients change anything).
    #[arg(long, default_value_t = 0.0)]
    rate: f64,
    /// Stop generating after this many changes (keeps serving).
    #[arg(long, value_name = "N")]
    changes: Option<u64>,
    /// Append one JSON line per change (generated or made by a client) to FILE.
    #[arg(long, value_name = "FILE")]
    ledger: Option<PathBuf>,
    /// Seed of the change generator and of the fault draws.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Length of one protocol minute in milliseconds (ConnectionTimeout, pull Timeout,
    /// StatusFrequency). Exchange: 60000.
    #[arg(long, default_value_t = 60_000)]
    minute_ms: u64,
    /// Interval of keep-alive envelopes on an idle streaming connection, in milliseconds.
    #[arg(long, default_value_t = 5_000)]
    heartbeat_ms: u64,
    /// Require NTLMv2 as DOMAIN\user:password instead of accepting Basic.
    #[arg(long, value_name = "DOMAIN\\USER:PASSWORD")]
    ntlm: Option<String>,
    /// Refuse requests that do not impersonate the mailbox they open (ErrorAccessDenied).
    #[arg(long)]
    require_impersonation: bool,
    /// Fault: per mille of requests answered ErrorServerBusy as a SOAP fault.
    #[arg(long, default_value_t = 0)]
    fault_server_busy: u32,
    /// Fault: per mille of requests answered ErrorServerBusy as a response message.
    #[arg(long, default_value_t = 0)]
    fault_server_busy_message: u32,
    /// Fault: per mille of requests answered HTTP 503.
    #[arg(long, default_value_t = 0)]
    fault_http_503: u32,
    /// Fault: per mille of requests delayed by --fault-delay-ms.
    #[arg(long, default_value_t = 0)]
    fault_delay: u32,
    /// Fault: per mille of requests naming a subscription that forget it first.
    #[arg(long, default_value_t = 0)]
    fault_forget_subscription: u32,
    /// Fault: per mille of GetEvents / SyncFolderItems requests that drop the mailbox's event
    /// log (watermarks become invalid).
    #[arg(long, default_value_t = 0)]
    fault_forget_log: u32,
    /// Fault: per mille of answers / streaming envelopes cut in half, connection dropped.
    #[arg(long, default_value_t = 0)]
    fault_drop_mid_envelope: u32,
    /// Fault: per mille of streaming polls that close the connection early.
    #[arg(long, default_value_t = 0)]
    fault_close_stream_early: u32,
    /// Fault: per mille of answers with `Connection: close`.
    #[arg(long, default_value_t = 0)]
    fault_connection_close: u32,
    /// Fault: per mille of GetEvents, streaming polls and push deliveries answered
    /// ErrorReadEventsFailed (the subscription is lost).
    #[arg(long, default_value_t = 0)]
    fault_read_events_failed: u32,
    /// BackOffMilliseconds sent with ErrorServerBusy.
    #[arg(long, default_value_t = 1_000)]
    fault_back_off_ms: u64,
    /// The delay of --fault-delay, in milliseconds.
    #[arg(long, default_value_t = 2_000)]
    fault_delay_ms: u64,
}

fn ntlm_account(text: &str) -> Result<NtlmAccount, String> {
    let (who, password) = text
        .split_once(':')
        .ok_or("--ntlm wants DOMAIN\\USER:PASSWORD")?;
    let (domain, user) = who
        .split_once('\\')
        .ok_or("--ntlm wants DOMAIN\\USER:PASSWORD")?;
    Ok(NtlmAccount {
        domain: domain.into(),
        user: user.into(),
        password: password.into(),
        channel_binding_certificate: None,
    })
}

fn config(args: &Args) -> Result<Config, String> {
    Ok(Config {
        seed: args.seed,
        faults: Faults {
            server_busy_fault: args.fault_server_busy,
            server_busy_message: args.fault_server_busy_message,
            http_503: args.fault_http_503,
            delay_chance: args.fault_delay,
            forget_subscription: args.fault_forget_subscription,
            forget_log: args.fault_forget_log,
            drop_mid_envelope: args.fault_drop_mid_envelope,
            close_stream_early: args.fault_close_stream_early,
            connection_close: args.fault_connection_close,
            read_events_failed: args.fault_read_events_failed,
            back_off: Duration::from_millis(args.fault_back_off_ms),
            delay: Duration::from_millis(args.fault_delay_ms),
        },
        minute: Duration::from_millis(args.minute_ms.max(1)),
        heartbeat: Duration::from_millis(args.heartbeat_ms.max(1)),
        ntlm: args.ntlm.as_deref().map(ntlm_account).transpose()?,
        require_impersonation: args.require_impersonation,
        ..Config::default()
    })
}

async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

async fn run(args: Args) -> Result<(), String> {
    let mut mailboxes: Vec<String> = args
        .mailboxes
        .iter()
        .map(|m| m.to_ascii_lowercase())
        .collect();
    for i in 1..=args.generated_mailboxes {
        mailboxes.push(format!("user{i}@example.com"));
    }
    if mailboxes.is_empty() {
        return Err("no mailbox: give --mailbox SMTP or --mailboxes N".into());
    }
    let sim = Simulator::start_on(args.addr, config(&args)?)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    for m in &mailboxes {
        sim.add_mailbox(m);
    }
    for g in &args.groups {
        let (dl, members) = g
            .split_once('=')
            .ok_or_else(|| format!("--group {g}: want DL=MEMBER,..."))?;
        let members: Vec<String> = members
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .collect();
        sim.add_group(dl.trim(), &members);
    }
    if let Some(path) = &args.ledger {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("cannot open ledger {}: {e}", path.display()))?;
        sim.set_ledger_writer(Box::new(std::io::BufWriter::new(file)));
    }
    {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", sim.url()).map_err(|e| e.to_string())?;
        out.flush().map_err(|e| e.to_string())?;
    }
    eprintln!(
        "ews-sim: serving {} mailbox(es); stop with SIGTERM or Ctrl-C",
        mailboxes.len()
    );
    let generate = async {
        if args.rate <= 0.0 || !args.rate.is_finite() {
            return std::future::pending::<()>().await;
        }
        let mut generator = Generator::new(args.seed, mailboxes.clone());
        let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / args.rate));
        let mut made = 0u64;
        loop {
            tick.tick().await;
            if args.changes.is_some_and(|n| made >= n) {
                return std::future::pending::<()>().await;
            }
            made += generator.step(&sim).len() as u64;
        }
    };
    tokio::select! {
        () = stopped() => {}
        () = generate => {}
    }
    eprintln!("ews-sim: stopping");
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ews-sim: error: {e}");
            ExitCode::FAILURE
        }
    }
}
