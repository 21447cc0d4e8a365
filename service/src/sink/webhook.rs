//! A webhook: one HTTP POST per event, in outbox order; a 2xx answer acknowledges it. The body
//! is the message (canonical JSON or CloudEvents structured JSON); headers carry the
//! `eventId` (`Ews-Notify-Event-Id`, also as `Idempotency-Key`) and, when a secret is set,
//! `Ews-Notify-Signature: sha256=<hex HMAC-SHA256 of the body>`. A failure stops the batch;
//! the forwarder retries after a capped exponential back-off with jitter.

use std::time::Duration;

use super::{Partial, SinkError, render};
use crate::config::{Format, WebhookSink as Config};
use crate::store::Pending;

/// The signature header's name.
pub const SIGNATURE_HEADER: &str = "Ews-Notify-Signature";
/// The event id header's name.
pub const EVENT_ID_HEADER: &str = "Ews-Notify-Event-Id";

/// A webhook endpoint.
pub struct WebhookSink {
    http: reqwest::Client,
    url: String,
    key: Option<ring::hmac::Key>,
    format: Format,
}

/// `sha256=` and the hex HMAC-SHA256 of `body` under `secret`: what a receiver recomputes.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    hex_signature(&key, body)
}

fn hex_signature(key: &ring::hmac::Key, body: &[u8]) -> String {
    let tag = ring::hmac::sign(key, body);
    let mut out = String::from("sha256=");
    for b in tag.as_ref() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

impl WebhookSink {
    /// A client for `cfg.url` (nothing is sent until the first event).
    pub(super) fn new(cfg: &Config, format: Format) -> Result<Self, SinkError> {
        let secret = match (&cfg.secret_env, &cfg.secret_file) {
            (Some(v), _) => Some(std::env::var(v).map_err(|_| {
                SinkError::Unreachable(format!("`{v}` (sink.webhook.secret_env) is not set"))
            })?),
            (None, Some(f)) => Some(
                std::fs::read_to_string(f)
                    .map_err(SinkError::Io)?
                    .trim_end_matches(['\r', '\n'])
                    .to_string(),
            ),
            (None, None) => None,
        };
        // reqwest is built without a bundled crypto provider: use ring unless one is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(cfg.timeout_secs))
            .build()
            .map_err(|e| SinkError::Unreachable(format!("webhook client: {e}")))?;
        Ok(Self {
            http,
            url: cfg.url.clone(),
            key: secret.map(|s| ring::hmac::Key::new(ring::hmac::HMAC_SHA256, s.as_bytes())),
            format,
        })
    }

    /// POSTs each event in order; stops at the first that is not acknowledged.
    pub(super) async fn send(&mut self, batch: &[Pending]) -> Result<(), Partial> {
        let content_type = match self.format {
            Format::Json => "application/json",
            Format::CloudEvents => "application/cloudevents+json",
        };
        for (i, p) in batch.iter().enumerate() {
            let body = render(self.format, p);
            let mut req = self
                .http
                .post(&self.url)
                .header("Content-Type", content_type)
                .header(EVENT_ID_HEADER, &p.record.event_id)
                .header("Idempotency-Key", &p.record.event_id);
            if let Some(key) = &self.key {
                req = req.header(SIGNATURE_HEADER, hex_signature(key, body.as_bytes()));
            }
            let error = match req.body(body).send().await {
                Ok(r) if r.status().is_success() => continue,
                Ok(r) => SinkError::Refused {
                    event_id: p.record.event_id.clone(),
                    reason: format!("HTTP {}", r.status()),
                },
                Err(e) => SinkError::Unreachable(format!("webhook: {e}")),
            };
            return Err(Partial {
                acknowledged: i,
                error,
            });
        }
        Ok(())
    }
}
