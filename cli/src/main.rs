//! `ews-notify`: read EWS notification envelopes and print the canonical JSON.
//!
//! ```text
//! ews-notify parse FILE|-            one envelope -> canonical JSON
//! ews-notify parse --stream FILE|-   a GetStreamingEvents body -> one JSON line per envelope
//! ews-notify goid VALUE|-            a GlobalObjectId (base64 or hex) -> canonical GOID JSON
//! ews-notify goid --uid UID [--instance-date YYYY-MM-DD]   the GlobalObjectId of an iCalendar UID
//! ews-notify request BUILDER ...    an EWS request (subscribe, get-item, ...) -> SOAP XML
//! ews-notify watch --url URL --mailbox SMTP ...   follow mailboxes -> one JSON line per event
//! ews-notify listen --port N --secret-env VAR --url URL --mailbox SMTP ...   push, the same lines
//! ews-notify serve --config ews-notify.toml [--check]   the service: outbox + sink
//! ```
//! Errors go to stderr as `error[code] at byte N: message`, exit status 1.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod demo;
mod goid;
mod input;
mod listen;
mod meetings;
mod parse;
mod request;
mod serve;
mod watch;

/// Read Microsoft Exchange (EWS) notification envelopes.
#[derive(Parser)]
#[command(name = "ews-notify", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Each subcommand lives in its own module: one variant here, one arm in `main`.
#[derive(Subcommand)]
enum Command {
    /// Parse one SOAP envelope (or, with --stream, a streaming body) and print canonical JSON.
    Parse(parse::Args),
    /// Decode a GlobalObjectId (base64 or hex), or build one from an iCalendar UID, and print
    /// its canonical JSON.
    Goid(goid::Args),
    /// Print the SOAP XML of an EWS request (subscribe, get-events, get-item, ...).
    Request(request::Args),
    /// Follow mailboxes of an in-process EWS simulator through injected faults.
    Demo(demo::Args),
    /// Follow mailboxes of an EWS server (streaming or pull); one JSON line per event.
    Watch(watch::Args),
    /// Receive push notifications for mailboxes of an EWS server; one JSON line per event.
    Listen(listen::Args),
    /// Run the service: follow a set of mailboxes into a durable outbox and deliver it to a sink.
    Serve(serve::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Parse(args) => parse::run(&args),
        Command::Goid(args) => goid::run(&args),
        Command::Request(args) => request::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Watch(args) => watch::run(&args),
        Command::Listen(args) => listen::run(&args),
        Command::Serve(args) => serve::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}
