//! NATS JetStream: each event published with `Nats-Msg-Id` = `eventId` (the stream's
//! de-duplication window drops a repeat), acknowledged by its PubAck.

use async_nats::jetstream::{self, context::Publish};

use super::{Partial, SinkError, render};
use crate::config::{Format, NatsSink as Config};
use crate::store::Pending;

/// A JetStream publisher.
pub struct NatsSink {
    js: jetstream::Context,
    subject: String,
    format: Format,
}

impl NatsSink {
    /// Connects, and creates the configured stream over the subject when it is missing.
    pub(super) async fn connect(cfg: &Config, format: Format) -> Result<Self, SinkError> {
        let mut options =
            async_nats::ConnectOptions::new().connection_timeout(std::time::Duration::from_secs(5));
        if let Some(var) = &cfg.token_env {
            let token = std::env::var(var).map_err(|_| {
                SinkError::Unreachable(format!("`{var}` (sink.nats.token_env) is not set"))
            })?;
            options = options.token(token);
        }
        let urls: Vec<&str> = cfg.url.split(',').map(str::trim).collect();
        let client = options
            .connect(urls.as_slice())
            .await
            .map_err(|e| SinkError::Unreachable(format!("nats {}: {e}", cfg.url)))?;
        let js = jetstream::new(client);
        if let Some(stream) = &cfg.stream {
            js.get_or_create_stream(jetstream::stream::Config {
                name: stream.clone(),
                subjects: vec![cfg.subject.clone()],
                ..Default::default()
            })
            .await
            .map_err(|e| SinkError::Unreachable(format!("nats stream {stream}: {e}")))?;
        }
        Ok(Self {
            js,
            subject: cfg.subject.clone(),
            format,
        })
    }

    /// Publishes the batch, then awaits the PubAcks in order; the acknowledged prefix counts.
    pub(super) async fn send(&mut self, batch: &[Pending]) -> Result<(), Partial> {
        let mut acks = Vec::with_capacity(batch.len());
        let mut error = None;
        for p in batch {
            let publish = Publish::build()
                .payload(render(self.format, p).into())
                .message_id(&p.record.event_id);
            match self.js.send_publish(self.subject.clone(), publish).await {
                Ok(ack) => acks.push(ack),
                Err(e) => {
                    error = Some(SinkError::Unreachable(format!("nats publish: {e}")));
                    break;
                }
            }
        }
        let sent = acks.len();
        for (i, ack) in acks.into_iter().enumerate() {
            if let Err(e) = ack.await {
                return Err(Partial {
                    acknowledged: i,
                    error: SinkError::Unreachable(format!("nats PubAck: {e}")),
                });
            }
        }
        // Every publish before the one that failed was acknowledged above.
        match error {
            None => Ok(()),
            Some(error) => Err(Partial {
                acknowledged: sent,
                error,
            }),
        }
    }
}
