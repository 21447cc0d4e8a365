//! `ews-notify-service`: what `ews-notify serve` is. It follows a set of mailboxes through the
//! client, writes each change as a JSON event with a deterministic `eventId` into a durable
//! outbox together with the position it advances to, and forwards the outbox to a sink,
//! deleting only what the sink acknowledged.
//!
//! It holds the service's configuration ([`config`]), its durable state ([`store`]), the
//! events it emits ([`event`]), the sinks ([`sink`]), the mailbox set ([`mailboxes`]), the
//! metrics ([`metrics`]) and the run loop ([`run`]). It must not hold EWS parsing or request
//! building (core's job) nor HTTP transport to Exchange (the client's job); argument parsing
//! belongs to the CLI.
//!
//! The guarantee: every event the client delivers reaches the sink at least once, across
//! crashes, restarts and sink outages; a repeat carries the `eventId` it had before.
//!
//! Features:
//! - `nats` (default): the NATS JetStream sink.
//! - `redis` (default): the Redis Streams sink.
//! - `amqp` (default): the RabbitMQ (AMQP 0-9-1) sink.
//!
//! stdout, file and webhook sinks are always built.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod config;
pub mod event;
pub mod log;
pub mod mailboxes;
pub mod metrics;
pub mod run;
pub mod sink;
pub mod store;

pub use config::Config;
pub use run::{ServeError, serve, serve_until_signal};
