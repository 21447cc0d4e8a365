//! `ews-notify listen`: push notifications. Listens for `SendNotification`, subscribes each
//! mailbox to it, and prints one JSON line per event on stdout (the `watch` format).

use std::net::{IpAddr, SocketAddr};

use ews_notify_client::{ListenerTls, PushOptions, listen_push};

use crate::watch::{Server, runtime};

/// Arguments of `listen`.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("secret").required(true).args(["secret_env", "secret_file"])))]
pub struct Args {
    #[command(flatten)]
    server: Server,
    /// Port to listen on (0: any free port; the URL is printed on stderr).
    #[arg(long)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "0.0.0.0")]
    bind: IpAddr,
    /// Environment variable holding the path segment the notification URL carries;
    /// requests without it get 404 (URL-safe characters only). Never on the command line,
    /// where `ps` shows it.
    #[arg(long, value_name = "NAME")]
    secret_env: Option<String>,
    /// File holding that path segment (surrounding whitespace ignored), instead of
    /// --secret-env.
    #[arg(long, value_name = "PATH", conflicts_with = "secret_env")]
    secret_file: Option<String>,
    /// Serve HTTPS with this certificate chain (PEM, the listener's certificate first); the
    /// EWS server must trust its issuer.
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    tls_cert: Option<String>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    tls_key: Option<String>,
    /// Base URL the server reaches this listener at, without the secret (default:
    /// `http://{bind}:{port}`, `https://` with --tls-cert), e.g. behind a reverse proxy.
    #[arg(long, value_name = "URL")]
    callback_url: Option<String>,
    /// StatusFrequency asked for, in minutes (1-1440); a subscription silent for twice as long
    /// is re-created.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1440))]
    status_frequency: u32,
}

/// Runs `listen`.
pub fn run(args: &Args) -> Result<(), String> {
    let secret = match (&args.secret_env, &args.secret_file) {
        (Some(var), _) => std::env::var(var)
            .map_err(|_| format!("error[usage]: environment variable {var} is not set"))?,
        (None, Some(path)) => std::fs::read_to_string(path)
            .map_err(|e| format!("error[io]: {path}: {e}"))?
            .trim()
            .to_string(),
        (None, None) => {
            return Err("error[usage]: give the secret with --secret-env or --secret-file".into());
        }
    };
    if secret.is_empty()
        || !secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
    {
        return Err(
            "error[usage]: the secret (--secret-env / --secret-file) must be non-empty and use \
             only A-Z a-z 0-9 - . _ ~"
                .into(),
        );
    }
    if args.callback_url.is_none() && args.bind.is_unspecified() {
        eprintln!(
            "warning: listening on {} without --callback-url: the server is told to call an \
unspecified address",
            args.bind
        );
    }
    let rt = runtime()?;
    rt.block_on(async {
        let client = args.server.client()?;
        let mut options = PushOptions::new(SocketAddr::new(args.bind, args.port), &secret);
        options.public_url = args.callback_url.clone();
        options.status_frequency_minutes = args.status_frequency;
        if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
            let read =
                |path: &str| std::fs::read(path).map_err(|e| format!("error[io]: {path}: {e}"));
            options.tls = Some(ListenerTls {
                certificate_chain_pem: read(cert)?,
                private_key_pem: read(key)?,
            });
        }
        let listener = listen_push(&client, args.server.watches(), options)
            .await
            .map_err(|e| format!("error[transport]: {e}"))?;
        // The URL without its secret: stderr ends up in logs.
        let url = listener.url();
        let shown = url.strip_suffix(secret.as_str()).unwrap_or(url);
        eprintln!("listening at {shown}<secret>");
        args.server.print(&client, listener.streams).await
    })
}
