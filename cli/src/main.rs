//! `ews-notify`: read, build and follow Microsoft Exchange (EWS) notifications.
//!
//! ```text
//! ews-notify parse FILE|-            one envelope -> canonical JSON
//! ews-notify parse --stream FILE|-   a GetStreamingEvents body -> one JSON line per envelope, as it arrives
//! ews-notify goid VALUE|-            a GlobalObjectId (base64 or hex) -> canonical GOID JSON
//! ews-notify goid --uid UID [--instance-date YYYY-MM-DD]   the GlobalObjectId of an iCalendar UID
//! ews-notify request BUILDER ...    an EWS request (subscribe, get-item, ...) -> SOAP XML
//! ews-notify watch --url URL --mailbox SMTP ...   follow mailboxes -> one JSON line per event
//! ews-notify listen --port N --secret-env VAR --url URL --mailbox SMTP ...   push, the same lines
//! ews-notify serve --config ews-notify.toml [--check]   the service: outbox + sink
//! ews-notify completions SHELL | man   shell completions, the man page
//! ```
//! Errors go to stderr as `error[code] at byte N: message`; the exit status says which kind of
//! failure it was (see [`EXIT_CODES`]).

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

mod demo;
mod goid;
mod input;
mod listen;
mod meetings;
mod parse;
mod request;
mod serve;
mod watch;

use input::CliError;

/// The exit statuses, as `--help` and docs/cli.md list them.
const EXIT_CODES: &str = "\
Exit status:
  0  success
  1  input rejected: not well-formed, not an EWS envelope, over a limit, a bad GOID or request value
  2  usage error: unknown command or flag, a missing or malformed argument
  3  I/O error: a file or standard input/output could not be read or written
  4  network or server failure: connection, TLS, HTTP status, or the server ended a watch";

/// Read, build and follow Microsoft Exchange (EWS) notifications: parse push, pull and
/// streaming envelopes to canonical JSON, decode calendar GlobalObjectIds, print EWS requests
/// for curl, and follow mailboxes of a server (streaming, pull or push) as JSON lines.
#[derive(Parser)]
#[command(name = "ews-notify", version, after_help = EXIT_CODES)]
struct Cli {
    /// Check the arguments and stop: print the command that would run and exit 0 (or 2 for a
    /// usage error) without reading input or contacting a server.
    #[arg(long, global = true)]
    dry_run: bool,
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
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) of ews-notify: `ews-notify man > ews-notify.1`.
    Man,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.dry_run {
        let name = Cli::command()
            .get_matches_from(std::env::args_os())
            .subcommand_name()
            .unwrap_or_default()
            .to_string();
        println!("dry run: the arguments of `ews-notify {name}` are valid");
        return ExitCode::SUCCESS;
    }
    let result = match cli.command {
        Command::Parse(args) => parse::run(&args),
        Command::Goid(args) => goid::run(&args).map_err(CliError::from),
        Command::Request(args) => request::run(&args).map_err(CliError::from),
        Command::Demo(args) => demo::run(&args).map_err(CliError::from),
        Command::Watch(args) => watch::run(&args).map_err(CliError::from),
        Command::Listen(args) => listen::run(&args).map_err(CliError::from),
        Command::Serve(args) => serve::run(&args).map_err(CliError::from),
        Command::Completions { shell } => {
            let mut out = std::io::stdout().lock();
            clap_complete::generate(shell, &mut Cli::command(), "ews-notify", &mut out);
            out.flush()
                .map_err(|e| CliError::Io(format!("error[io]: cannot write: {e}")))
        }
        Command::Man => man(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", e.message());
            e.exit_code()
        }
    }
}

/// The man page, from the same definitions as `--help` (so it cannot drift from it).
fn man() -> Result<(), CliError> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| CliError::Io(format!("error[io]: {e}")))?;
    std::io::stdout()
        .lock()
        .write_all(&out)
        .map_err(|e| CliError::Io(format!("error[io]: cannot write: {e}")))
}
