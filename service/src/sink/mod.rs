//! Sinks: where the forwarder delivers the outbox. A sink acknowledges a batch (or a prefix of
//! it); only acknowledged events leave the outbox, so a sink that fails gets the rest again,
//! each with the `eventId` it had.

use std::io::Write;
use std::path::PathBuf;

use serde_json::json;

use crate::config::{self, Format, SinkKind};
use crate::store::Pending;

#[cfg(feature = "amqp")]
mod amqp;
#[cfg(feature = "nats")]
mod nats;
#[cfg(feature = "redis")]
mod redis;
pub mod webhook;

/// Why a sink did not take a batch.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SinkError {
    /// Writing to a file or stdout failed.
    #[error("sink I/O: {0}")]
    Io(#[from] std::io::Error),
    /// The sink could not be reached or refused.
    #[error("sink unreachable: {0}")]
    Unreachable(String),
    /// The sink answered that it did not take the event.
    #[error("sink refused event {event_id}: {reason}")]
    Refused {
        /// The event.
        event_id: String,
        /// What the sink said.
        reason: String,
    },
    /// This build has no such sink.
    #[error("sink `{0}` is not in this build (feature disabled)")]
    NotBuilt(&'static str),
}

/// A batch the sink took only in part: `acknowledged` events from the start were taken.
#[derive(Debug)]
pub struct Partial {
    /// Events acknowledged from the start of the batch.
    pub acknowledged: usize,
    /// Why the rest was not.
    pub error: SinkError,
}

/// A connected sink.
pub enum Sink {
    /// JSON lines on standard output.
    Stdout(Format),
    /// JSON lines appended to a file.
    File(FileSink),
    /// NATS JetStream.
    #[cfg(feature = "nats")]
    Nats(Box<nats::NatsSink>),
    /// Redis Streams.
    #[cfg(feature = "redis")]
    Redis(Box<redis::RedisSink>),
    /// An HTTP webhook.
    Webhook(Box<webhook::WebhookSink>),
    /// RabbitMQ (AMQP 0-9-1).
    #[cfg(feature = "amqp")]
    Amqp(Box<amqp::AmqpSink>),
}

impl Sink {
    /// Connects the sink the configuration names.
    ///
    /// # Errors
    /// [`SinkError`] when it cannot be reached or opened.
    pub async fn connect(cfg: &config::Sink) -> Result<Self, SinkError> {
        match cfg.kind {
            SinkKind::Stdout => Ok(Self::Stdout(cfg.format)),
            SinkKind::File => {
                let Some(f) = &cfg.file else {
                    return Err(SinkError::Unreachable("[sink.file] missing".into()));
                };
                Ok(Self::File(FileSink::open(
                    f.path.clone(),
                    f.fsync,
                    cfg.format,
                )?))
            }
            #[cfg(feature = "nats")]
            SinkKind::Nats => {
                let Some(n) = &cfg.nats else {
                    return Err(SinkError::Unreachable("[sink.nats] missing".into()));
                };
                Ok(Self::Nats(Box::new(
                    nats::NatsSink::connect(n, cfg.format).await?,
                )))
            }
            #[cfg(not(feature = "nats"))]
            SinkKind::Nats => Err(SinkError::NotBuilt("nats")),
            #[cfg(feature = "redis")]
            SinkKind::Redis => {
                let Some(r) = &cfg.redis else {
                    return Err(SinkError::Unreachable("[sink.redis] missing".into()));
                };
                Ok(Self::Redis(Box::new(
                    redis::RedisSink::connect(r, cfg.format).await?,
                )))
            }
            #[cfg(not(feature = "redis"))]
            SinkKind::Redis => Err(SinkError::NotBuilt("redis")),
            #[cfg(feature = "amqp")]
            SinkKind::Amqp => {
                let Some(a) = &cfg.amqp else {
                    return Err(SinkError::Unreachable("[sink.amqp] missing".into()));
                };
                Ok(Self::Amqp(Box::new(
                    amqp::AmqpSink::connect(a, cfg.format).await?,
                )))
            }
            #[cfg(not(feature = "amqp"))]
            SinkKind::Amqp => Err(SinkError::NotBuilt("amqp")),
            SinkKind::Webhook => {
                let Some(w) = &cfg.webhook else {
                    return Err(SinkError::Unreachable("[sink.webhook] missing".into()));
                };
                Ok(Self::Webhook(Box::new(webhook::WebhookSink::new(
                    w, cfg.format,
                )?)))
            }
        }
    }

    /// The sink's name, for metrics and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Stdout(_) => "stdout",
            Self::File(_) => "file",
            #[cfg(feature = "nats")]
            Self::Nats(_) => "nats",
            #[cfg(feature = "redis")]
            Self::Redis(_) => "redis",
            Self::Webhook(_) => "webhook",
            #[cfg(feature = "amqp")]
            Self::Amqp(_) => "amqp",
        }
    }

    /// Delivers `batch` in order.
    ///
    /// # Errors
    /// [`Partial`]: how many from the start were acknowledged, and why the rest was not.
    pub async fn send(&mut self, batch: &[Pending]) -> Result<(), Partial> {
        match self {
            Self::Stdout(format) => {
                let mut out = std::io::stdout().lock();
                let r = write_lines(&mut out, *format, batch).and_then(|()| out.flush());
                r.map_err(|e| Partial {
                    acknowledged: 0,
                    error: e.into(),
                })
            }
            Self::File(f) => f.send(batch),
            #[cfg(feature = "nats")]
            Self::Nats(n) => n.send(batch).await,
            #[cfg(feature = "redis")]
            Self::Redis(r) => r.send(batch).await,
            Self::Webhook(w) => w.send(batch).await,
            #[cfg(feature = "amqp")]
            Self::Amqp(a) => a.send(batch).await,
        }
    }
}

fn write_lines(out: &mut impl Write, format: Format, batch: &[Pending]) -> std::io::Result<()> {
    let mut buf = String::new();
    for p in batch {
        buf.push_str(&render(format, p));
        buf.push('\n');
    }
    out.write_all(buf.as_bytes())
}

/// The message for one event in `format`: the canonical JSON, or a CloudEvents 1.0 structured
/// JSON envelope whose `data` is the canonical JSON.
pub fn render(format: Format, p: &Pending) -> String {
    match format {
        Format::Json => p.record.body.clone(),
        Format::CloudEvents => {
            let data: serde_json::Value =
                serde_json::from_str(&p.record.body).unwrap_or(serde_json::Value::Null);
            let mut ce = json!({
                "specversion": "1.0",
                "id": p.record.event_id,
                "source": format!("urn:ews-notify:mailbox:{}", p.record.mailbox),
                "type": format!("org.ews-notify.{}", p.record.kind),
                "subject": p.record.mailbox,
                "datacontenttype": "application/json",
                "data": data,
            });
            if let (Some(t), Some(obj)) = (&p.record.time, ce.as_object_mut()) {
                obj.insert("time".into(), json!(t));
            }
            ce.to_string()
        }
    }
}

/// JSON lines appended to a file, fsynced per batch when asked.
pub struct FileSink {
    file: std::fs::File,
    fsync: bool,
    format: Format,
}

impl FileSink {
    /// Opens `path` for appending. A torn last line (a write cut by a crash) is cut off first:
    /// its event was not acknowledged and comes again.
    ///
    /// # Errors
    /// [`SinkError::Io`] when the file cannot be opened or repaired.
    pub fn open(path: PathBuf, fsync: bool, format: Format) -> Result<Self, SinkError> {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(&path)?;
        let len = file.metadata()?.len();
        if len > 0 {
            // Find the last newline, reading backwards in blocks.
            let mut end = len;
            let mut keep = 0;
            let mut buf = vec![0u8; 64 * 1024];
            'scan: while end > 0 {
                let start = end.saturating_sub(buf.len() as u64);
                let n = usize::try_from(end - start).unwrap_or(0);
                file.seek(SeekFrom::Start(start))?;
                file.read_exact(&mut buf[..n])?;
                if let Some(i) = buf[..n].iter().rposition(|&b| b == b'\n') {
                    keep = start + i as u64 + 1;
                    break 'scan;
                }
                end = start;
            }
            if keep != len {
                tracing::warn!(path = %path.display(), cut = len - keep, "file sink: cutting a torn last line");
                file.set_len(keep)?;
                file.sync_all()?;
            }
        }
        Ok(Self {
            file,
            fsync,
            format,
        })
    }

    fn send(&mut self, batch: &[Pending]) -> Result<(), Partial> {
        let r = write_lines(&mut self.file, self.format, batch).and_then(|()| {
            if self.fsync {
                self.file.sync_data()
            } else {
                Ok(())
            }
        });
        r.map_err(|e| Partial {
            acknowledged: 0,
            error: e.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::store::Record;

    fn pending(id: &str) -> Pending {
        Pending {
            seq: 1,
            record: Record {
                event_id: id.into(),
                mailbox: "a@x".into(),
                kind: "item.created".into(),
                time: Some("2026-01-02T03:04:05Z".into()),
                body: format!("{{\"eventId\":\"{id}\"}}"),
            },
        }
    }

    #[test]
    fn cloudevents_wraps_the_canonical_json() {
        let v: serde_json::Value =
            serde_json::from_str(&render(Format::CloudEvents, &pending("e1"))).unwrap();
        assert_eq!(v["specversion"], "1.0");
        assert_eq!(v["id"], "e1");
        assert_eq!(v["type"], "org.ews-notify.item.created");
        assert_eq!(v["time"], "2026-01-02T03:04:05Z");
        assert_eq!(v["data"]["eventId"], "e1");
    }

    #[test]
    fn file_sink_cuts_a_torn_line_and_appends() {
        let dir = std::env::temp_dir().join(format!("ews-notify-sink-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("events.jsonl");
        std::fs::write(&path, "{\"eventId\":\"e0\"}\n{\"eventId\":\"tor").unwrap();
        let mut s = FileSink::open(path.clone(), true, Format::Json).unwrap();
        s.send(&[pending("e1")]).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"eventId\":\"e0\"}\n{\"eventId\":\"e1\"}\n"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
