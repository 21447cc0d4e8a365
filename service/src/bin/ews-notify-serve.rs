//! `ews-notify-serve --config FILE [--log-format text|json]`: the service alone, as `ews-notify serve` runs it, without
//! the rest of the CLI (a smaller container image; the crash tests run it as a child process,
//! or the real `ews-notify` when `EWS_NOTIFY_BIN` is set).

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args
        .iter()
        .position(|a| a == "--config")
        .and_then(|i| args.get(i + 1))
    else {
        eprintln!("usage: ews-notify-serve --config FILE [--log-format text|json]");
        return ExitCode::FAILURE;
    };
    let config = match ews_notify_service::Config::load(path.as_ref(), std::env::vars()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error[config]: {e}");
            return ExitCode::FAILURE;
        }
    };
    let json = args
        .windows(2)
        .any(|w| w[0] == "--log-format" && w[1] == "json");
    ews_notify_service::log::init(if json {
        ews_notify_service::log::LogFormat::Json
    } else {
        ews_notify_service::log::LogFormat::Text
    });
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error[runtime]: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(ews_notify_service::serve_until_signal(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error[serve]: {e}");
            ExitCode::FAILURE
        }
    }
}
