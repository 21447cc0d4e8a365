//! Redis Streams: one `XADD` per event (fields `eventId`, `mailbox`, `type`, `data`), a batch in
//! one `MULTI`/`EXEC`, acknowledged by the reply; optional `MAXLEN ~ n` trimming. Redis has no
//! de-duplication: a repeat appears again with its `eventId`, for the consumer to drop.

use super::{Partial, SinkError, render};
use crate::config::{Format, RedisSink as Config};
use crate::store::Pending;

/// A Redis Streams producer.
pub struct RedisSink {
    con: redis::aio::MultiplexedConnection,
    stream: String,
    max_len: Option<u64>,
    format: Format,
}

impl RedisSink {
    /// Connects to `url` (`redis://127.0.0.1:6379/`).
    pub(super) async fn connect(cfg: &Config, format: Format) -> Result<Self, SinkError> {
        let unreachable = |e: redis::RedisError| SinkError::Unreachable(format!("redis: {e}"));
        let client = redis::Client::open(cfg.url.as_str()).map_err(unreachable)?;
        let con = client
            .get_multiplexed_async_connection()
            .await
            .map_err(unreachable)?;
        Ok(Self {
            con,
            stream: cfg.stream.clone(),
            max_len: cfg.max_len,
            format,
        })
    }

    /// Adds the batch to the stream in one transaction: all of it or none.
    pub(super) async fn send(&mut self, batch: &[Pending]) -> Result<(), Partial> {
        let mut pipe = redis::pipe();
        pipe.atomic();
        for p in batch {
            let cmd = pipe.cmd("XADD").arg(&self.stream);
            if let Some(n) = self.max_len {
                cmd.arg("MAXLEN").arg("~").arg(n);
            }
            cmd.arg("*")
                .arg("eventId")
                .arg(&p.record.event_id)
                .arg("mailbox")
                .arg(&p.record.mailbox)
                .arg("type")
                .arg(&p.record.kind)
                .arg("data")
                .arg(render(self.format, p));
        }
        let ids: Result<Vec<String>, _> = pipe.query_async(&mut self.con).await;
        match ids {
            Ok(ids) if ids.len() == batch.len() => Ok(()),
            Ok(ids) => Err(Partial {
                acknowledged: 0,
                error: SinkError::Unreachable(format!(
                    "redis: {} of {} XADDs answered",
                    ids.len(),
                    batch.len()
                )),
            }),
            Err(e) => Err(Partial {
                acknowledged: 0,
                error: SinkError::Unreachable(format!("redis XADD: {e}")),
            }),
        }
    }
}
