//! RabbitMQ (AMQP 0-9-1): persistent messages (`delivery_mode` 2, `message_id` = `eventId`),
//! published `mandatory` on a channel in confirm mode; a broker ack acknowledges the event.
//! A message the broker could not route (returned) or nacked is not acknowledged.

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions, QueueDeclareOptions};
use lapin::publisher_confirm::Confirmation;
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties};

use super::{Partial, SinkError, render};
use crate::config::{AmqpSink as Config, Format};
use crate::store::Pending;

/// A confirmed AMQP publisher.
pub struct AmqpSink {
    _connection: Connection,
    channel: Channel,
    exchange: String,
    routing_key: String,
    format: Format,
}

impl AmqpSink {
    /// Connects, opens a channel in confirm mode, and declares the queue when one is named.
    pub(super) async fn connect(cfg: &Config, format: Format) -> Result<Self, SinkError> {
        let unreachable = |e: lapin::Error| SinkError::Unreachable(format!("amqp: {e}"));
        let props = ConnectionProperties::default()
            .with_executor(tokio_executor_trait::Tokio::current())
            .with_reactor(tokio_reactor_trait::Tokio::current());
        let connection = Connection::connect(&cfg.url, props)
            .await
            .map_err(unreachable)?;
        let channel = connection.create_channel().await.map_err(unreachable)?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(unreachable)?;
        if let Some(q) = &cfg.queue {
            channel
                .queue_declare(
                    q.as_str(),
                    QueueDeclareOptions {
                        durable: true,
                        ..QueueDeclareOptions::default()
                    },
                    FieldTable::default(),
                )
                .await
                .map_err(unreachable)?;
        }
        Ok(Self {
            _connection: connection,
            channel,
            exchange: cfg.exchange.clone(),
            routing_key: cfg
                .routing_key
                .clone()
                .or_else(|| cfg.queue.clone())
                .unwrap_or_default(),
            format,
        })
    }

    /// Publishes the batch, then awaits the confirms in order.
    pub(super) async fn send(&mut self, batch: &[Pending]) -> Result<(), Partial> {
        let content_type = match self.format {
            Format::Json => "application/json",
            Format::CloudEvents => "application/cloudevents+json",
        };
        let mut confirms = Vec::with_capacity(batch.len());
        let mut error = None;
        for p in batch {
            let body = render(self.format, p);
            let props = BasicProperties::default()
                .with_delivery_mode(2)
                .with_message_id(p.record.event_id.as_str().into())
                .with_content_type(content_type.into())
                .with_type(p.record.kind.as_str().into());
            let r = self
                .channel
                .basic_publish(
                    self.exchange.as_str(),
                    self.routing_key.as_str(),
                    BasicPublishOptions {
                        mandatory: true,
                        ..BasicPublishOptions::default()
                    },
                    body.as_bytes(),
                    props,
                )
                .await;
            match r {
                Ok(c) => confirms.push(c),
                Err(e) => {
                    error = Some(SinkError::Unreachable(format!("amqp publish: {e}")));
                    break;
                }
            }
        }
        let sent = confirms.len();
        for (i, c) in confirms.into_iter().enumerate() {
            let failure = match c.await {
                Ok(Confirmation::Ack(None)) => continue,
                Ok(Confirmation::Ack(Some(_))) => SinkError::Refused {
                    event_id: batch[i].record.event_id.clone(),
                    reason: "unroutable (returned by the broker)".into(),
                },
                Ok(Confirmation::Nack(_)) => SinkError::Refused {
                    event_id: batch[i].record.event_id.clone(),
                    reason: "nacked by the broker".into(),
                },
                Ok(Confirmation::NotRequested) => {
                    SinkError::Unreachable("amqp: channel not in confirm mode".into())
                }
                Err(e) => SinkError::Unreachable(format!("amqp confirm: {e}")),
            };
            return Err(Partial {
                acknowledged: i,
                error: failure,
            });
        }
        match error {
            None => Ok(()),
            Some(error) => Err(Partial {
                acknowledged: sent,
                error,
            }),
        }
    }
}
