//! The service's configuration: a TOML file, every key of which the environment can set.
//!
//! An environment variable `EWS_NOTIFY_<SECTION>__<KEY>` sets `[section] key`; each further
//! `__` goes one table deeper (`EWS_NOTIFY_SINK__NATS__URL` sets `[sink.nats] url`). Names are
//! matched in lower case; a value is read as a TOML value when it is one (`42`, `true`,
//! `["a", "b"]`) and as a string otherwise. Variables without a `__` after the prefix are not
//! configuration and are left alone. The environment wins over the file.
//!
//! Secrets never come from the file's text or from argv: a key ending in `_env` names an
//! environment variable that holds the secret, a key ending in `_file` a file that does.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// Prefix of the environment variables that set configuration keys.
pub const ENV_PREFIX: &str = "EWS_NOTIFY_";

/// Why a configuration could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not TOML.
    #[error("`{path}` is not TOML: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A key has a bad value, is unknown, or is missing.
    #[error("key `{key}`: {message}")]
    Key {
        /// Dotted key name (`sink.nats.url`).
        key: String,
        /// What is wrong.
        message: String,
    },
}

impl ConfigError {
    fn key(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Key {
            key: key.into(),
            message: message.into(),
        }
    }

    /// The dotted name of the key at fault, when one is.
    pub fn key_name(&self) -> Option<&str> {
        match self {
            Self::Key { key, .. } => Some(key),
            _ => None,
        }
    }
}

/// The whole configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The Exchange server and how to follow it.
    pub exchange: Exchange,
    /// Which mailboxes to follow.
    #[serde(default)]
    pub mailboxes: Mailboxes,
    /// The state file and the outbox bound.
    #[serde(default)]
    pub state: State,
    /// Where events go.
    #[serde(default)]
    pub sink: Sink,
    /// `/metrics`, `/healthz`, `/readyz`.
    #[serde(default)]
    pub http: Http,
    /// What a SIGTERM does.
    #[serde(default)]
    pub shutdown: Shutdown,
}

/// How events are read from Exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// `GetStreamingEvents`, up to 200 mailboxes per connection.
    #[default]
    Streaming,
    /// `GetEvents` polling.
    Pull,
    /// Push notifications to a listener of ours.
    Push,
}

impl Mode {
    /// Lower-case name, as in the config and the metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Streaming => "streaming",
            Self::Pull => "pull",
            Self::Push => "push",
        }
    }
}

/// How the service authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Auth {
    /// HTTP Basic (`user` + password).
    #[default]
    Basic,
    /// NTLMv2 (`user` as `DOMAIN\user` + password).
    Ntlm,
    /// An OAuth bearer token.
    Bearer,
}

/// `[exchange]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exchange {
    /// The EWS endpoint.
    pub url: String,
    /// Streaming (default), pull or push.
    #[serde(default)]
    pub mode: Mode,
    /// Basic (default), ntlm or bearer.
    #[serde(default)]
    pub auth: Auth,
    /// User name (Basic, NTLM).
    pub user: Option<String>,
    /// Environment variable holding the password.
    pub password_env: Option<String>,
    /// File holding the password (trailing newline ignored).
    pub password_file: Option<PathBuf>,
    /// Environment variable holding the bearer token.
    pub token_env: Option<String>,
    /// File holding the bearer token.
    pub token_file: Option<PathBuf>,
    /// Extra CA certificates (PEM) to trust.
    pub ca_file: Option<PathBuf>,
    /// HTTP proxy for every request.
    pub proxy: Option<String>,
    /// Send ExchangeImpersonation for each mailbox.
    #[serde(default)]
    pub impersonate: bool,
    /// Distinguished folder followed in each mailbox.
    #[serde(default = "default_folder")]
    pub folder: String,
    /// Pull mode: pause between polls with nothing more to fetch, in milliseconds.
    #[serde(default = "default_pull_interval_ms")]
    pub pull_interval_ms: u64,
    /// Most requests in flight to the server.
    pub max_concurrency: Option<usize>,
    /// Timeout of one request, in seconds.
    pub request_timeout_secs: Option<u64>,
    /// Streaming: `ConnectionTimeout` in minutes (1-30).
    #[serde(default = "default_connection_minutes")]
    pub streaming_connection_minutes: u32,
    /// Streaming: a connection silent this long is reopened, in seconds.
    #[serde(default = "default_heartbeat_secs")]
    pub heartbeat_deadline_secs: u64,
    /// Push mode: the listener.
    pub push: Option<Push>,
}

/// `[exchange.push]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Push {
    /// Address the listener binds.
    pub bind: SocketAddr,
    /// URL the server reaches the listener at (default `http://{bind}`).
    pub public_url: Option<String>,
    /// Environment variable holding the secret path segment.
    pub secret_env: Option<String>,
    /// File holding the secret path segment.
    pub secret_file: Option<PathBuf>,
    /// `StatusFrequency` in minutes.
    #[serde(default = "default_status_minutes")]
    pub status_frequency_minutes: u32,
}

/// `[mailboxes]`: the union of every source.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mailboxes {
    /// Addresses listed in the config.
    #[serde(default)]
    pub list: Vec<String>,
    /// A file with one address per line (`#` starts a comment); re-read when it changes and
    /// on SIGHUP.
    pub file: Option<PathBuf>,
    /// A command (program and arguments, no shell) whose standard output lists addresses,
    /// one per line; re-run every `command_interval_secs` and on SIGHUP.
    #[serde(default)]
    pub command: Vec<String>,
    /// Seconds between runs of `command`.
    #[serde(default = "default_reload_secs")]
    pub command_interval_secs: u64,
    /// Seconds between checks of `file` for a change.
    #[serde(default = "default_file_poll_secs")]
    pub file_poll_secs: u64,
    /// Seconds a removed mailbox's state is kept before it is dropped (a mailbox that comes
    /// back within it resumes where it stood).
    #[serde(default = "default_grace_secs")]
    pub remove_grace_secs: u64,
}

impl Default for Mailboxes {
    fn default() -> Self {
        Self {
            list: Vec::new(),
            file: None,
            command: Vec::new(),
            command_interval_secs: default_reload_secs(),
            file_poll_secs: default_file_poll_secs(),
            remove_grace_secs: default_grace_secs(),
        }
    }
}

/// `[state]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// The SQLite file.
    #[serde(default = "default_state_path")]
    pub path: PathBuf,
    /// Most events held in the outbox; past it, reading from Exchange pauses.
    #[serde(default = "default_outbox_max")]
    pub outbox_max: u64,
}

impl Default for State {
    fn default() -> Self {
        Self {
            path: default_state_path(),
            outbox_max: default_outbox_max(),
        }
    }
}

/// Which sink events go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SinkKind {
    /// JSON lines on standard output.
    #[default]
    Stdout,
    /// JSON lines appended to a file.
    File,
    /// NATS JetStream.
    Nats,
    /// Redis Streams.
    Redis,
    /// HTTP POST per event.
    Webhook,
    /// RabbitMQ (AMQP 0-9-1).
    Amqp,
}

/// The message format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// The canonical event JSON.
    #[default]
    Json,
    /// CloudEvents 1.0, structured JSON mode.
    CloudEvents,
}

/// `[sink]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sink {
    /// stdout (default), file, nats, redis, webhook or amqp.
    #[serde(default)]
    pub kind: SinkKind,
    /// json (default) or cloudevents.
    #[serde(default)]
    pub format: Format,
    /// Most events handed to the sink at once.
    #[serde(default = "default_batch")]
    pub batch: usize,
    /// `[sink.file]`.
    pub file: Option<FileSink>,
    /// `[sink.nats]`.
    pub nats: Option<NatsSink>,
    /// `[sink.redis]`.
    pub redis: Option<RedisSink>,
    /// `[sink.webhook]`.
    pub webhook: Option<WebhookSink>,
    /// `[sink.amqp]`.
    pub amqp: Option<AmqpSink>,
}

impl Default for Sink {
    fn default() -> Self {
        Self {
            kind: SinkKind::default(),
            format: Format::default(),
            batch: default_batch(),
            file: None,
            nats: None,
            redis: None,
            webhook: None,
            amqp: None,
        }
    }
}

/// `[sink.file]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSink {
    /// The file events are appended to.
    pub path: PathBuf,
    /// fsync after each batch (default true).
    #[serde(default = "yes")]
    pub fsync: bool,
}

/// `[sink.nats]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NatsSink {
    /// Server URL(s), comma-separated (`nats://127.0.0.1:4222`).
    pub url: String,
    /// Subject events are published on (default `ews.events`).
    #[serde(default = "default_subject")]
    pub subject: String,
    /// Stream to create when missing, over `subject` (none: it must exist).
    pub stream: Option<String>,
    /// Environment variable holding a token.
    pub token_env: Option<String>,
}

/// `[sink.redis]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisSink {
    /// `redis://[:password@]host:port/db` (a password belongs in `EWS_NOTIFY_SINK__REDIS__URL`,
    /// not in the file).
    pub url: String,
    /// Stream key (default `ews:events`).
    #[serde(default = "default_redis_stream")]
    pub stream: String,
    /// Trim the stream to about this many entries (`MAXLEN ~`); none: no trimming.
    pub max_len: Option<u64>,
}

/// `[sink.webhook]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSink {
    /// The URL events are POSTed to.
    pub url: String,
    /// Environment variable holding the HMAC-SHA256 key of the signature header.
    pub secret_env: Option<String>,
    /// File holding that key.
    pub secret_file: Option<PathBuf>,
    /// Timeout of one POST, in seconds.
    #[serde(default = "default_webhook_timeout")]
    pub timeout_secs: u64,
}

/// `[sink.amqp]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmqpSink {
    /// `amqp://user:password@host:5672/%2f` (credentials belong in `EWS_NOTIFY_SINK__AMQP__URL`).
    pub url: String,
    /// Exchange published to (default: the default exchange, `""`).
    #[serde(default)]
    pub exchange: String,
    /// Routing key (default: `queue`).
    pub routing_key: Option<String>,
    /// A durable queue declared at connect (with the default exchange, also the routing key).
    pub queue: Option<String>,
}

fn default_webhook_timeout() -> u64 {
    10
}

fn default_redis_stream() -> String {
    "ews:events".into()
}

/// `[http]`: the operations endpoint.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Http {
    /// Address of `/metrics`, `/healthz`, `/readyz` (none: no endpoint).
    pub bind: Option<SocketAddr>,
}

/// `[shutdown]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shutdown {
    /// Seconds to keep delivering the outbox after SIGTERM.
    #[serde(default = "default_flush_secs")]
    pub flush_timeout_secs: u64,
}

impl Default for Shutdown {
    fn default() -> Self {
        Self {
            flush_timeout_secs: default_flush_secs(),
        }
    }
}

fn default_folder() -> String {
    "calendar".into()
}
fn default_pull_interval_ms() -> u64 {
    10_000
}
fn default_connection_minutes() -> u32 {
    30
}
fn default_heartbeat_secs() -> u64 {
    180
}
fn default_status_minutes() -> u32 {
    1
}
fn default_reload_secs() -> u64 {
    300
}
fn default_file_poll_secs() -> u64 {
    5
}
fn default_grace_secs() -> u64 {
    3600
}
fn default_state_path() -> PathBuf {
    PathBuf::from("ews-notify.db")
}
fn default_outbox_max() -> u64 {
    1_000_000
}
fn default_batch() -> usize {
    256
}
fn default_subject() -> String {
    "ews.events".into()
}
fn default_flush_secs() -> u64 {
    10
}
fn yes() -> bool {
    true
}

impl Config {
    /// Reads `path`, applies the environment `env` (name, value pairs; pass
    /// `std::env::vars()`), and checks the result.
    ///
    /// # Errors
    /// [`ConfigError`] naming the file or the key at fault.
    pub fn load(
        path: &Path,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_toml(&text, env).map_err(|e| match e {
            ConfigError::Syntax { message, .. } => ConfigError::Syntax {
                path: path.to_path_buf(),
                message,
            },
            other => other,
        })
    }

    /// [`Config::load`] from text.
    ///
    /// # Errors
    /// [`ConfigError`] naming the key at fault.
    pub fn from_toml(
        text: &str,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let mut table: toml::Table =
            text.parse()
                .map_err(|e: toml::de::Error| ConfigError::Syntax {
                    path: PathBuf::new(),
                    message: e.message().to_string(),
                })?;
        let vars: BTreeMap<String, String> = env.into_iter().collect();
        for (name, value) in &vars {
            let Some(rest) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            if !rest.contains("__") {
                continue;
            }
            let path: Vec<String> = rest.split("__").map(str::to_ascii_lowercase).collect();
            set_path(&mut table, &path, parse_env_value(value))
                .map_err(|m| ConfigError::key(path.join("."), format!("{m} (from ${name})")))?;
        }
        let config: Config = serde_path_to_error::deserialize(toml::Value::Table(table))
            .map_err(|e| ConfigError::key(e.path().to_string(), e.inner().to_string()))?;
        config.check()?;
        Ok(config)
    }

    /// Checks what types alone cannot: each sink has its section, secrets are readable.
    fn check(&self) -> Result<(), ConfigError> {
        let ex = &self.exchange;
        if !(ex.url.starts_with("http://") || ex.url.starts_with("https://")) {
            return Err(ConfigError::key(
                "exchange.url",
                "must start with http:// or https://",
            ));
        }
        match ex.auth {
            Auth::Basic | Auth::Ntlm => {
                if ex.user.is_none() {
                    return Err(ConfigError::key(
                        "exchange.user",
                        "missing (needed by basic and ntlm auth)",
                    ));
                }
                secret(
                    "exchange.password",
                    ex.password_env.as_deref(),
                    ex.password_file.as_deref(),
                )?;
            }
            Auth::Bearer => {
                secret(
                    "exchange.token",
                    ex.token_env.as_deref(),
                    ex.token_file.as_deref(),
                )?;
            }
        }
        if ex.mode == Mode::Push {
            let Some(p) = &ex.push else {
                return Err(ConfigError::key(
                    "exchange.push",
                    "missing (needed by mode = \"push\")",
                ));
            };
            secret(
                "exchange.push.secret",
                p.secret_env.as_deref(),
                p.secret_file.as_deref(),
            )?;
        }
        if !(1..=30).contains(&ex.streaming_connection_minutes) {
            return Err(ConfigError::key(
                "exchange.streaming_connection_minutes",
                "must be between 1 and 30",
            ));
        }
        if self.state.outbox_max == 0 {
            return Err(ConfigError::key("state.outbox_max", "must be at least 1"));
        }
        if self.sink.batch == 0 {
            return Err(ConfigError::key("sink.batch", "must be at least 1"));
        }
        match self.sink.kind {
            SinkKind::Stdout => {}
            SinkKind::File if self.sink.file.is_none() => {
                return Err(ConfigError::key(
                    "sink.file",
                    "missing (needed by kind = \"file\")",
                ));
            }
            SinkKind::Nats if self.sink.nats.is_none() => {
                return Err(ConfigError::key(
                    "sink.nats",
                    "missing (needed by kind = \"nats\")",
                ));
            }
            SinkKind::Redis if self.sink.redis.is_none() => {
                return Err(ConfigError::key(
                    "sink.redis",
                    "missing (needed by kind = \"redis\")",
                ));
            }
            SinkKind::Webhook => match &self.sink.webhook {
                None => {
                    return Err(ConfigError::key(
                        "sink.webhook",
                        "missing (needed by kind = \"webhook\")",
                    ));
                }
                Some(w) if !(w.url.starts_with("http://") || w.url.starts_with("https://")) => {
                    return Err(ConfigError::key(
                        "sink.webhook.url",
                        "must start with http:// or https://",
                    ));
                }
                Some(w) if w.secret_env.is_some() || w.secret_file.is_some() => {
                    secret(
                        "sink.webhook.secret",
                        w.secret_env.as_deref(),
                        w.secret_file.as_deref(),
                    )?;
                }
                Some(_) => {}
            },
            SinkKind::Amqp => match &self.sink.amqp {
                None => {
                    return Err(ConfigError::key(
                        "sink.amqp",
                        "missing (needed by kind = \"amqp\")",
                    ));
                }
                Some(a) if a.routing_key.is_none() && a.queue.is_none() => {
                    return Err(ConfigError::key(
                        "sink.amqp.routing_key",
                        "missing: set routing_key or queue",
                    ));
                }
                Some(_) => {}
            },
            SinkKind::File | SinkKind::Nats | SinkKind::Redis => {}
        }
        if self.mailboxes.command.first().is_some_and(String::is_empty) {
            return Err(ConfigError::key(
                "mailboxes.command",
                "the program name is empty",
            ));
        }
        Ok(())
    }

    /// The password (Basic, NTLM) read from its variable or file.
    ///
    /// # Errors
    /// [`ConfigError`] when neither is set or readable.
    pub fn password(&self) -> Result<String, ConfigError> {
        let ex = &self.exchange;
        secret(
            "exchange.password",
            ex.password_env.as_deref(),
            ex.password_file.as_deref(),
        )
    }

    /// The bearer token read from its variable or file.
    ///
    /// # Errors
    /// [`ConfigError`] when neither is set or readable.
    pub fn token(&self) -> Result<String, ConfigError> {
        let ex = &self.exchange;
        secret(
            "exchange.token",
            ex.token_env.as_deref(),
            ex.token_file.as_deref(),
        )
    }

    /// The push listener's secret path segment.
    ///
    /// # Errors
    /// [`ConfigError`] when `[exchange.push]` or its secret is missing.
    pub fn push_secret(&self) -> Result<String, ConfigError> {
        let Some(p) = &self.exchange.push else {
            return Err(ConfigError::key("exchange.push", "missing"));
        };
        secret(
            "exchange.push.secret",
            p.secret_env.as_deref(),
            p.secret_file.as_deref(),
        )
    }

    /// The pause between polls in pull mode.
    pub fn pull_interval(&self) -> Duration {
        Duration::from_millis(self.exchange.pull_interval_ms)
    }
}

/// Reads a secret from the environment variable `var` or the file `file` (`key` names both in
/// errors as `key_env` / `key_file`).
fn secret(key: &str, var: Option<&str>, file: Option<&Path>) -> Result<String, ConfigError> {
    match (var, file) {
        (Some(_), Some(_)) => Err(ConfigError::key(
            format!("{key}_env"),
            format!("set either {key}_env or {key}_file, not both"),
        )),
        (Some(v), None) => std::env::var(v).map_err(|_| {
            ConfigError::key(
                format!("{key}_env"),
                format!("environment variable `{v}` is not set"),
            )
        }),
        (None, Some(f)) => std::fs::read_to_string(f)
            .map(|s| s.trim_end_matches(['\r', '\n']).to_string())
            .map_err(|e| {
                ConfigError::key(
                    format!("{key}_file"),
                    format!("cannot read `{}`: {e}", f.display()),
                )
            }),
        (None, None) => Err(ConfigError::key(
            format!("{key}_env"),
            format!("missing: set {key}_env or {key}_file"),
        )),
    }
}

fn parse_env_value(text: &str) -> toml::Value {
    // `x = <text>` parses only when the text is a TOML value; anything else is a string.
    match format!("x = {text}").parse::<toml::Table>() {
        Ok(mut t) => t
            .remove("x")
            .unwrap_or_else(|| toml::Value::String(text.to_string())),
        Err(_) => toml::Value::String(text.to_string()),
    }
}

fn set_path(table: &mut toml::Table, path: &[String], value: toml::Value) -> Result<(), String> {
    let Some((last, parents)) = path.split_last() else {
        return Err("empty key".into());
    };
    let mut t = table;
    for p in parents {
        let entry = t
            .entry(p.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        t = match entry {
            toml::Value::Table(inner) => inner,
            _ => return Err(format!("`{p}` is not a table")),
        };
    }
    t.insert(last.clone(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const MINIMAL: &str = r#"
        [exchange]
        url = "https://mail.example.com/EWS/Exchange.asmx"
        user = "svc"
        password_env = "EWS_NOTIFY_TEST_PASSWORD_SET"
    "#;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    fn set_password() {
        // Safety of set_var: tests in this module only ever set this one name to one value.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("EWS_NOTIFY_TEST_PASSWORD_SET", "pw");
        }
    }

    #[test]
    fn minimal_config_takes_defaults() {
        set_password();
        let c = Config::from_toml(MINIMAL, env(&[])).unwrap();
        assert_eq!(c.exchange.mode, Mode::Streaming);
        assert_eq!(c.sink.kind, SinkKind::Stdout);
        assert_eq!(c.exchange.folder, "calendar");
        assert_eq!(c.password().unwrap(), "pw");
    }

    #[test]
    fn environment_sets_nested_keys_and_typed_values() {
        set_password();
        let c = Config::from_toml(
            MINIMAL,
            env(&[
                ("EWS_NOTIFY_EXCHANGE__MODE", "pull"),
                ("EWS_NOTIFY_EXCHANGE__PULL_INTERVAL_MS", "250"),
                ("EWS_NOTIFY_SINK__KIND", "nats"),
                ("EWS_NOTIFY_SINK__NATS__URL", "nats://127.0.0.1:4222"),
                ("EWS_NOTIFY_MAILBOXES__LIST", r#"["a@x.test", "b@x.test"]"#),
                // Not configuration: no `__`.
                ("EWS_NOTIFY_REQUIRE_SINKS", "1"),
            ]),
        )
        .unwrap();
        assert_eq!(c.exchange.mode, Mode::Pull);
        assert_eq!(c.exchange.pull_interval_ms, 250);
        assert_eq!(c.sink.kind, SinkKind::Nats);
        assert_eq!(c.sink.nats.unwrap().url, "nats://127.0.0.1:4222");
        assert_eq!(c.mailboxes.list, ["a@x.test", "b@x.test"]);
    }

    #[test]
    fn unknown_key_is_named() {
        set_password();
        let e = Config::from_toml(&format!("{MINIMAL}\n[sink]\nkindd = \"file\"\n"), env(&[]))
            .unwrap_err();
        assert_eq!(e.key_name(), Some("sink.kindd"), "{e}");
        assert!(e.to_string().contains("kindd"), "{e}");
    }

    #[test]
    fn bad_value_is_named_with_its_path() {
        set_password();
        let e = Config::from_toml(
            MINIMAL,
            env(&[("EWS_NOTIFY_EXCHANGE__PULL_INTERVAL_MS", "soon")]),
        )
        .unwrap_err();
        assert_eq!(e.key_name(), Some("exchange.pull_interval_ms"), "{e}");
    }

    #[test]
    fn sink_without_its_section_is_refused() {
        set_password();
        let e = Config::from_toml(MINIMAL, env(&[("EWS_NOTIFY_SINK__KIND", "file")])).unwrap_err();
        assert_eq!(e.key_name(), Some("sink.file"), "{e}");
    }

    #[test]
    fn missing_secret_is_named() {
        let text = MINIMAL.replace("EWS_NOTIFY_TEST_PASSWORD_SET", "EWS_NOTIFY_TEST_NEVER_SET");
        let e = Config::from_toml(&text, env(&[])).unwrap_err();
        assert_eq!(e.key_name(), Some("exchange.password_env"), "{e}");
    }

    #[test]
    fn secret_from_file_drops_the_newline() {
        let dir = std::env::temp_dir().join(format!("ews-notify-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("pw");
        std::fs::write(&f, "s3cret\n").unwrap();
        let text = format!(
            "[exchange]\nurl = \"http://127.0.0.1:1/EWS\"\nuser = \"u\"\npassword_file = {:?}\n",
            f.display().to_string()
        );
        let c = Config::from_toml(&text, env(&[])).unwrap();
        assert_eq!(c.password().unwrap(), "s3cret");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_example_config_in_deploy_is_valid() {
        set_password();
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/ews-notify.example.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        // The example names EWS_PASSWORD; point it at a variable the test sets.
        let text = text.replace("\"EWS_PASSWORD\"", "\"EWS_NOTIFY_TEST_PASSWORD_SET\"");
        Config::from_toml(&text, env(&[])).unwrap();
    }
}
