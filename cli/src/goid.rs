//! `ews-notify goid`: decode a GlobalObjectId, or build one from an iCalendar UID, and print the
//! canonical GOID JSON (the same string as `GlobalObjectId::to_json` in every binding).

use std::io::Write;

use ews_notify::GlobalObjectId;

use crate::input::{format_error, read};

/// Arguments of `goid`.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["value", "uid"])))]
pub struct Args {
    /// The GlobalObjectId as base64 (the EWS `ExtendedProperty` value) or hex in either case;
    /// `-` reads it from standard input.
    value: Option<String>,
    /// Go the other way: the GlobalObjectId an iCalendar UID stands for ([MS-OXCICAL]
    /// 2.1.3.1.1.20.26). A third-party UID is wrapped in the `vCal-Uid` form.
    #[arg(long, conflicts_with = "value")]
    uid: Option<String>,
    /// With --uid: the date of the iCalendar RECURRENCE-ID (YYYY-MM-DD), written into the id as
    /// the instance date of an exception.
    #[arg(long, requires = "uid", conflicts_with = "value", value_parser = parse_date)]
    instance_date: Option<time::Date>,
}

fn parse_date(text: &str) -> Result<time::Date, String> {
    time::Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|e| format!("expected a date written YYYY-MM-DD: {e}"))
}

/// Runs `goid`.
pub fn run(args: &Args) -> Result<(), String> {
    let goid = match (&args.uid, &args.value) {
        (Some(uid), _) => GlobalObjectId::from_ical_uid(uid, args.instance_date),
        (None, Some(value)) if value == "-" => {
            let bytes = read(value)?;
            let text = String::from_utf8(bytes)
                .map_err(|e| format!("error[io]: standard input is not UTF-8: {e}"))?;
            GlobalObjectId::decode(&text)
        }
        (None, Some(value)) => GlobalObjectId::decode(value),
        (None, None) => return Err(String::from("error[usage]: give a VALUE or --uid UID")),
    }
    .map_err(|e| format_error(&e))?;
    writeln!(std::io::stdout().lock(), "{}", goid.to_json())
        .map_err(|e| format!("error[io]: cannot write: {e}"))
}
