//! Reading the input named on the command line, the one error format of the tool, and what
//! each kind of failure exits with.

use std::io::Read;
use std::process::ExitCode;

/// A failure, by what the user should look at; each kind has its own exit status.
#[derive(Debug)]
pub enum CliError {
    /// The input was read but refused (malformed XML, not an EWS envelope, a limit, a bad GOID
    /// or request value): exit status 1.
    Rejected(String),
    /// The command line asks for something impossible: exit status 2 (as for clap's own errors).
    Usage(String),
    /// A file or standard input/output could not be read or written: exit status 3.
    Io(String),
    /// The network or the EWS server failed (connection, TLS, HTTP status, a SOAP fault that
    /// ends a watch): exit status 4.
    Server(String),
}

impl CliError {
    /// The exit status of this kind (see `ews-notify --help`, docs/cli.md).
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Self::Rejected(_) => 1,
            Self::Usage(_) => 2,
            Self::Io(_) => 3,
            Self::Server(_) => 4,
        })
    }

    /// The message printed on standard error.
    pub fn message(&self) -> &str {
        match self {
            Self::Rejected(m) | Self::Usage(m) | Self::Io(m) | Self::Server(m) => m,
        }
    }
}

impl From<String> for CliError {
    /// Messages of the commands that report plain strings, sorted by their `error[code]`.
    fn from(message: String) -> Self {
        let code = message
            .strip_prefix("error[")
            .and_then(|rest| rest.split(']').next())
            .unwrap_or("");
        match code {
            "usage" => Self::Usage(message),
            "io" | "json" => Self::Io(message),
            "transport" | "server" | "fault" => Self::Server(message),
            "" => Self::Io(message),
            _ => Self::Rejected(message),
        }
    }
}

/// The bytes of `path`, or of standard input when `path` is `-`.
pub fn read(path: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    let result = if path == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(path).map(|b| bytes = b)
    };
    result.map_err(|e| format!("error[io]: cannot read {path}: {e}"))?;
    Ok(bytes)
}

/// A reader of `path`, or of standard input when `path` is `-` (unbuffered: a read returns what
/// has arrived on a pipe).
pub fn open(path: &str) -> Result<Box<dyn Read>, CliError> {
    if path == "-" {
        return Ok(Box::new(std::io::stdin()));
    }
    std::fs::File::open(path)
        .map(|f| Box::new(f) as Box<dyn Read>)
        .map_err(|e| CliError::Io(format!("error[io]: cannot read {path}: {e}")))
}

/// `error[code] at byte N: message` (or without ` at byte N` when there is no offset).
pub fn format_error(e: &ews_notify::Error) -> String {
    match e.offset() {
        Some(offset) => format!("error[{}] at byte {offset}: {}", e.code(), e.kind()),
        None => format!("error[{}]: {}", e.code(), e.kind()),
    }
}
