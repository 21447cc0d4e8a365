//! `ews-notify parse`: envelopes to canonical JSON.
//!
//! One envelope is read up to `--max-bytes` (never more). With `--stream`, the input (a file or
//! a live pipe such as `curl -N`) is fed to core's incremental [`StreamSplitter`] as it arrives,
//! and each envelope is printed (and flushed) as soon as its root end tag is in: memory holds
//! the envelope in progress, not the body.

use std::io::{Read, Write};

use ews_notify::streaming::StreamSplitter;
use ews_notify::{Limits, Parser};

use crate::input::{CliError, format_error, open};

/// Arguments of `parse`.
#[derive(clap::Args)]
pub struct Args {
    /// The file to read, or `-` for standard input.
    file: String,
    /// Read a GetStreamingEvents HTTP body (several envelopes back to back) and print one
    /// JSON line per envelope as soon as it is complete, in bounded memory (a file or a live
    /// pipe: `curl -N ... | ews-notify parse --stream -`). Error offsets count from the start
    /// of the body.
    #[arg(long)]
    stream: bool,
    /// Indent the JSON for reading (the keys keep their canonical order). With --stream,
    /// envelopes are then separated by a newline but no longer one per line.
    #[arg(long)]
    pretty: bool,
    #[command(flatten)]
    limits: LimitArgs,
}

/// The reader's limits, one flag each (sizes take a K, M or G suffix: powers of 1024).
#[derive(clap::Args)]
pub struct LimitArgs {
    /// Largest envelope accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value = "16M", value_parser = parse_size)]
    max_bytes: u64,
    /// Deepest element nesting accepted.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_depth)]
    max_depth: usize,
    /// Most events accepted in one envelope.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_events)]
    max_events: usize,
    /// With --stream: most bytes read from the body in all; 0 for no limit (an endless pipe).
    #[arg(long, value_name = "BYTES", default_value = "256M", value_parser = parse_size)]
    max_stream_bytes: u64,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_bytes: usize::try_from(self.max_bytes).unwrap_or(usize::MAX),
            max_depth: self.max_depth,
            max_events: self.max_events,
            max_stream_bytes: match self.max_stream_bytes {
                0 => u64::MAX,
                n => n,
            },
        }
    }
}

/// `4096`, `64K`, `16M`, `1G` (K, M, G: powers of 1024; a trailing `B` or `iB` is allowed).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (digits, shift) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 10),
        Some((i, 'm' | 'M')) => (&t[..i], 20),
        Some((i, 'g' | 'G')) => (&t[..i], 30),
        _ => (t, 0),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("expected a size such as 4096, 64K, 16M or 1G, got `{text}`"))?;
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("`{text}` is too large"))
}

/// Runs `parse`.
pub fn run(args: &Args) -> Result<(), CliError> {
    let limits = args.limits.limits();
    let input = open(&args.file)?;
    if args.stream {
        stream(input, &args.file, limits, args.pretty)
    } else {
        one(input, &args.file, limits, args.pretty)
    }
}

fn write_json(
    out: &mut impl Write,
    envelope: &ews_notify::Envelope<'_>,
    pretty: bool,
) -> Result<(), CliError> {
    let text = if pretty {
        serde_json::to_string_pretty(envelope)
            .map_err(|e| CliError::Io(format!("error[json]: {e}")))?
    } else {
        envelope.to_json()
    };
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(|e| CliError::Io(format!("error[io]: cannot write: {e}")))
}

/// One envelope: read at most `max_bytes + 1` bytes, so a huge input is refused unread.
fn one(input: Box<dyn Read>, name: &str, limits: Limits, pretty: bool) -> Result<(), CliError> {
    let mut bytes = Vec::new();
    let cap = (limits.max_bytes as u64).saturating_add(1);
    input
        .take(cap)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::Io(format!("error[io]: cannot read {name}: {e}")))?;
    let envelope = Parser::new()
        .limits(limits)
        .parse_notification(&bytes)
        .map_err(|e| CliError::Rejected(format_error(&e)))?;
    write_json(&mut std::io::stdout().lock(), &envelope, pretty)
}

/// A streaming body, chunk by chunk as `read` returns it (a pipe returns what has arrived).
fn stream(
    mut input: Box<dyn Read>,
    name: &str,
    limits: Limits,
    pretty: bool,
) -> Result<(), CliError> {
    let parser = Parser::new().limits(limits);
    let mut splitter = StreamSplitter::with_limits(limits);
    let mut starts = Starts::default();
    let mut out = std::io::stdout().lock();
    let mut chunk = vec![0u8; 64 * 1024];
    let rejected = |e: ews_notify::Error| CliError::Rejected(format_error(&e));
    loop {
        let n = match input.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CliError::Io(format!("error[io]: cannot read {name}: {e}"))),
        };
        starts.push(&chunk[..n]);
        // A `too_large` from feed still leaves the envelopes before it to take.
        let fed = splitter.feed(&chunk[..n]);
        while let Some(envelope) = splitter.next_envelope().map_err(rejected)? {
            let start = starts.take(&envelope);
            let parsed = parser
                .parse_notification(&envelope)
                .map_err(|e| rejected(e.shifted(start)))?;
            write_json(&mut out, &parsed, pretty)?;
        }
        fed.map_err(rejected)?;
    }
    splitter.finish().map_err(rejected)?;
    Ok(())
}

/// Finds where each envelope the splitter hands out starts in the body, for error offsets.
///
/// Between envelopes a body holds only white space (anything else is an error of the
/// splitter, and comments or processing instructions before a root element belong to the
/// envelope's bytes), so the next envelope starts at the first byte after the previous one that
/// is not white space. Holds the bytes not yet matched to an envelope: the envelope in
/// progress, as the splitter does.
#[derive(Default)]
struct Starts {
    pending: std::collections::VecDeque<u8>,
    /// Body offset of `pending[0]`.
    base: usize,
}

impl Starts {
    fn push(&mut self, chunk: &[u8]) {
        self.pending.extend(chunk);
        // Leading white space always lies between envelopes (an envelope starts with `<` or a
        // byte order mark): drop it now, so endless blank input holds no memory.
        while let Some(b' ' | b'\t' | b'\r' | b'\n') = self.pending.front() {
            self.pending.pop_front();
            self.base += 1;
        }
    }

    /// The start of `envelope`, which is the next one in the body; forgets its bytes.
    fn take(&mut self, envelope: &[u8]) -> usize {
        let blank = self
            .pending
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .count();
        let start = self.base + blank;
        let used = (blank + envelope.len()).min(self.pending.len());
        self.pending.drain(..used);
        self.base += used;
        start
    }
}
