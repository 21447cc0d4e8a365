//! `--meetings` for `watch` and `listen`: instead of one line per item event, one JSON line per
//! meeting event (`docs/meetings.md`), the items bound in batches and correlated per mailbox.
//! Ignored events, recoveries and failures go to stderr.

use std::io::Write;

use ews_notify_client::meetings::{IgnoreReason, MeetingStream, MeetingUpdate};
use ews_notify_client::{Client, EventStream, Watch};

/// Prints the meeting events of `streams` (one per watch, in the same order) as JSON lines
/// until `count` of them (0: no limit) or until every stream ended. Fails when a stream ended
/// with an error and no count was reached.
pub(crate) async fn print(
    client: &Client,
    watches: Vec<Watch>,
    streams: Vec<EventStream>,
    count: u64,
) -> Result<(), String> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<MeetingUpdate>(64);
    for (watch, events) in watches.into_iter().zip(streams) {
        let tx = tx.clone();
        let mut meetings = MeetingStream::new(client.clone(), watch, events);
        tokio::spawn(async move {
            while let Some(u) = meetings.next().await {
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
            MeetingUpdate::Meeting(m) => {
                let mut out = std::io::stdout().lock();
                writeln!(out, "{}", m.to_json()).map_err(io)?;
                out.flush().map_err(io)?;
                printed += 1;
                if count != 0 && printed >= count {
                    return Ok(());
                }
            }
            MeetingUpdate::Ignored { mailbox, ignored } => {
                if ignored.reason != IgnoreReason::FolderEvent {
                    eprintln!(
                        "ignored {mailbox}: {} {} ({:?})",
                        ignored.event_kind,
                        ignored.item_id.as_deref().unwrap_or("-"),
                        ignored.reason
                    );
                }
            }
            MeetingUpdate::BindFailed { mailbox, error } => {
                eprintln!("getitem failed {mailbox}: {error} (reported from the map)");
            }
            MeetingUpdate::Recovery { mailbox, recovery } => {
                eprintln!("recovery {mailbox}: {recovery:?}");
            }
            MeetingUpdate::Failed { mailbox, error } => {
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
