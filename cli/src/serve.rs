//! `ews-notify serve`: the long-running service (see the `ews-notify-service` crate). Arguments
//! only; everything else is the service's.

use std::path::PathBuf;

use ews_notify_service::log::LogFormat;

/// `serve` arguments. Secrets never come from here: see the config's `*_env` / `*_file` keys.
#[derive(clap::Args)]
pub struct Args {
    /// The configuration file; every key can also be set as `EWS_NOTIFY_SECTION__KEY`.
    #[arg(long, default_value = "ews-notify.toml", value_name = "FILE")]
    config: PathBuf,
    /// Validate the configuration (with the environment applied) and exit.
    #[arg(long)]
    check: bool,
    /// Log line format on stderr (filter with RUST_LOG).
    #[arg(long, value_enum, default_value = "text")]
    log_format: Format,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

pub fn run(args: &Args) -> Result<(), String> {
    let config = ews_notify_service::Config::load(&args.config, std::env::vars())
        .map_err(|e| format!("error[config]: {e}"))?;
    if args.check {
        println!("{}: ok", args.config.display());
        return Ok(());
    }
    ews_notify_service::log::init(match args.log_format {
        Format::Text => LogFormat::Text,
        Format::Json => LogFormat::Json,
    });
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("error[runtime]: {e}"))?
        .block_on(ews_notify_service::serve_until_signal(config))
        .map_err(|e| format!("error[serve]: {e}"))
}
