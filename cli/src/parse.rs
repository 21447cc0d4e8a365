//! `ews-notify parse`: envelopes to canonical JSON.

use std::io::Write;

use crate::input::{format_error, read};

/// Arguments of `parse`.
#[derive(clap::Args)]
pub struct Args {
    /// The file to read, or `-` for standard input.
    file: String,
    /// Read a GetStreamingEvents HTTP body (several envelopes back to back) and print one
    /// JSON line per envelope. Error offsets count from the start of the body.
    #[arg(long)]
    stream: bool,
}

/// Runs `parse`.
pub fn run(args: &Args) -> Result<(), String> {
    let bytes = read(&args.file)?;
    let mut out = std::io::stdout().lock();
    let io = |e: std::io::Error| format!("error[io]: cannot write: {e}");
    if !args.stream {
        let envelope = ews_notify::parse_notification(&bytes).map_err(|e| format_error(&e))?;
        return writeln!(out, "{}", envelope.to_json()).map_err(io);
    }
    for envelope in ews_notify::streaming::split(&bytes) {
        let slice = envelope.map_err(|e| format_error(&e))?;
        let start = offset_in(&bytes, slice);
        let parsed =
            ews_notify::parse_notification(slice).map_err(|e| format_error(&e.shifted(start)))?;
        writeln!(out, "{}", parsed.to_json()).map_err(io)?;
    }
    Ok(())
}

/// Where `slice` starts in `body` (the splitter hands out slices of the body).
fn offset_in(body: &[u8], slice: &[u8]) -> usize {
    (slice.as_ptr() as usize).saturating_sub(body.as_ptr() as usize)
}
