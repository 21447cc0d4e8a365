//! `ews-notify request`: print the SOAP XML of an EWS request, for use with curl.
//!
//! ```text
//! ews-notify request subscribe --mode streaming --folder calendar --event created --event modified
//! ews-notify request subscribe --mode pull --folder inbox          # every event type
//! ews-notify request get-streaming-events --subscription-id ID --connection-timeout 30
//! ews-notify request http-headers --anchor-mailbox room1@example.com --prefer-server-affinity
//! ```
//! Every value is checked by the core builders; an out-of-range one is an error
//! (`error[out_of_range]: ...`, exit status 1), never clamped.

use std::io::Write;

use clap::{Subcommand, ValueEnum};
use ews_notify::GlobalObjectId;
use ews_notify::request::{
    EventType, FindItemRequest, FolderId, GetEventsRequest, GetItemRequest,
    GetStreamingEventsRequest, HttpHeaders, ItemRef, RequestHeader, SubscribeRequest,
    SubscriptionStatus, SyncFolderItemsRequest, UnsubscribeRequest, parse_date_time,
    send_notification_result,
};

use crate::input::format_error;

/// Arguments of `request`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    builder: Builder,
}

/// The SOAP header options every request takes.
#[derive(clap::Args)]
struct HeaderArgs {
    /// `RequestServerVersion`, e.g. Exchange2010_SP1, Exchange2013_SP1 (the default).
    #[arg(long = "server-version", value_name = "VERSION")]
    server_version: Option<String>,
    /// Act as this mailbox (`ExchangeImpersonation` with an SMTP address).
    #[arg(long, value_name = "SMTP")]
    impersonate: Option<String>,
}

impl HeaderArgs {
    fn header(&self) -> Result<RequestHeader, ews_notify::Error> {
        RequestHeader::from_text(self.server_version.as_deref(), self.impersonate.as_deref())
    }
}

/// Which folders a request names.
#[derive(clap::Args)]
struct FolderArgs {
    /// A distinguished folder (calendar, inbox, ...). Repeatable.
    #[arg(long = "folder", value_name = "NAME")]
    folders: Vec<String>,
    /// A folder by its EWS id. Repeatable.
    #[arg(long = "folder-id", value_name = "ID")]
    folder_ids: Vec<String>,
    /// The mailbox that holds the distinguished folders (delegate access).
    #[arg(long, value_name = "SMTP")]
    mailbox: Option<String>,
}

impl FolderArgs {
    fn list(&self) -> Vec<FolderId> {
        FolderId::list(&self.folders, &self.folder_ids, self.mailbox.as_deref())
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Mode {
    Pull,
    Push,
    Streaming,
}

#[derive(Subcommand)]
enum Builder {
    /// `Subscribe`: a pull, push or streaming subscription.
    Subscribe {
        /// Which kind of subscription.
        #[arg(long, value_enum)]
        mode: Mode,
        #[command(flatten)]
        folders: FolderArgs,
        /// Watch every folder of the mailbox (`SubscribeToAllFolders`).
        #[arg(long)]
        all_folders: bool,
        /// An event type: created, deleted, modified, moved, copied, newMail, freeBusyChanged
        /// (or the EWS names, CreatedEvent, ...). Repeatable. Without --event, every event
        /// type is subscribed to.
        #[arg(long = "event", value_name = "TYPE")]
        events: Vec<String>,
        /// Resume from this watermark (pull and push).
        #[arg(long)]
        watermark: Option<String>,
        /// Pull: minutes without a GetEvents before the subscription expires (1-1440).
        #[arg(long, default_value_t = 30)]
        timeout: u32,
        /// Push: the listener's URL.
        #[arg(long)]
        url: Option<String>,
        /// Push: minutes between status heartbeats (1-1440).
        #[arg(long, default_value_t = 1)]
        status_frequency: u32,
        #[command(flatten)]
        header: HeaderArgs,
    },
    /// `GetEvents`: the events of a pull subscription since a watermark.
    GetEvents {
        /// The pull subscription.
        #[arg(long)]
        subscription_id: String,
        /// The last watermark seen.
        #[arg(long)]
        watermark: String,
        #[command(flatten)]
        header: HeaderArgs,
    },
    /// `GetStreamingEvents`: open a connection for 1-200 streaming subscriptions.
    GetStreamingEvents {
        /// A streaming subscription. Repeatable, 1 to 200.
        #[arg(long = "subscription-id", value_name = "ID")]
        subscription_ids: Vec<String>,
        /// Minutes the server keeps the connection open (1-30).
        #[arg(long, default_value_t = 30)]
        connection_timeout: u32,
        #[command(flatten)]
        header: HeaderArgs,
    },
    /// `Unsubscribe`: end a pull or streaming subscription.
    Unsubscribe {
        /// The subscription.
        #[arg(long)]
        subscription_id: String,
        #[command(flatten)]
        header: HeaderArgs,
    },
    /// `SendNotificationResult`: what a push listener answers (OK, or Unsubscribe).
    NotificationResult {
        /// Answer Unsubscribe instead of OK.
        #[arg(long)]
        unsubscribe: bool,
    },
    /// `GetItem`: calendar items with their GOIDs, UID and recurrence fields.
    GetItem {
        /// An item id (from a notification). Repeatable.
        #[arg(long = "item-id", value_name = "ID")]
        item_ids: Vec<String>,
        /// The recurring master of this occurrence or exception id. Repeatable.
        #[arg(long = "master-of", value_name = "ID")]
        master_of: Vec<String>,
        #[command(flatten)]
        header: HeaderArgs,
    },
    /// `FindItem`: the items of one meeting (by GOID) or a calendar view (by time window).
    #[command(group(clap::ArgGroup::new("search").required(true).args(["goid", "clean_goid", "start"])))]
    FindItem {
        /// A GlobalObjectId or CleanGlobalObjectId, hex or base64; its clean form is searched.
        #[arg(long, conflicts_with_all = ["clean_goid", "start"])]
        goid: Option<String>,
        /// A clean GOID in base64, used as given.
        #[arg(long, conflicts_with = "start")]
        clean_goid: Option<String>,
        /// Calendar view: window start, RFC 3339 (2026-11-23T00:00:00Z).
        #[arg(long, requires = "end")]
        start: Option<String>,
        /// Calendar view: window end, RFC 3339.
        #[arg(long, requires = "start")]
        end: Option<String>,
        /// Calendar view: at most this many entries.
        #[arg(long, requires = "start")]
        max_entries: Option<u32>,
        #[command(flatten)]
        folders: FolderArgs,
        #[command(flatten)]
        header: HeaderArgs,
    },
    /// `SyncFolderItems`: the changes to a folder since a sync state (from scratch without).
    SyncFolderItems {
        #[command(flatten)]
        folders: FolderArgs,
        /// The SyncState of the previous response.
        #[arg(long)]
        sync_state: Option<String>,
        /// Most changes per call (1-512).
        #[arg(long, default_value_t = 512)]
        max_changes: u32,
        #[command(flatten)]
        header: HeaderArgs,
    },
    /// The HTTP headers to send with a request (`Name: value` lines, for curl -H).
    HttpHeaders {
        /// `X-AnchorMailbox`: the mailbox the request is about.
        #[arg(long, value_name = "SMTP")]
        anchor_mailbox: Option<String>,
        /// `X-PreferServerAffinity: true` (subscriptions that share a server).
        #[arg(long)]
        prefer_server_affinity: bool,
        /// The `X-BackEndOverrideCookie` value a Subscribe response set.
        #[arg(long, value_name = "VALUE")]
        backend_override_cookie: Option<String>,
    },
}

/// Runs `request`.
pub fn run(args: &Args) -> Result<(), String> {
    let text = build(&args.builder).map_err(|e| format_error(&e))?;
    let mut out = std::io::stdout().lock();
    write!(out, "{text}").map_err(|e| format!("error[io]: cannot write: {e}"))
}

/// The text `builder` prints.
fn build(builder: &Builder) -> Result<String, ews_notify::Error> {
    match builder {
        Builder::Subscribe {
            mode,
            folders,
            all_folders,
            events,
            watermark,
            timeout,
            url,
            status_frequency,
            header,
        } => {
            let mut request = match mode {
                Mode::Pull => SubscribeRequest::pull(*timeout),
                Mode::Push => {
                    SubscribeRequest::push(url.clone().unwrap_or_default(), *status_frequency)
                }
                Mode::Streaming => SubscribeRequest::streaming(),
            };
            request = request.folders(folders.list());
            if *all_folders {
                request = request.all_folders();
            }
            if events.is_empty() {
                // No --event: every kind, as `--help` says.
                for event in EventType::ALL {
                    request = request.event_type(*event);
                }
            }
            for event in events {
                request = request.event_type(event.parse::<EventType>()?);
            }
            if let Some(w) = watermark {
                request = request.watermark(w.clone());
            }
            request.header(header.header()?).build()
        }
        Builder::GetEvents {
            subscription_id,
            watermark,
            header,
        } => GetEventsRequest::new(subscription_id.clone(), watermark.clone())
            .header(header.header()?)
            .build(),
        Builder::GetStreamingEvents {
            subscription_ids,
            connection_timeout,
            header,
        } => GetStreamingEventsRequest::new(subscription_ids.clone(), *connection_timeout)
            .header(header.header()?)
            .build(),
        Builder::Unsubscribe {
            subscription_id,
            header,
        } => UnsubscribeRequest::new(subscription_id.clone())
            .header(header.header()?)
            .build(),
        Builder::NotificationResult { unsubscribe } => {
            let status = if *unsubscribe {
                SubscriptionStatus::Unsubscribe
            } else {
                SubscriptionStatus::Ok
            };
            Ok(send_notification_result(status))
        }
        Builder::GetItem {
            item_ids,
            master_of,
            header,
        } => {
            let ids = item_ids.iter().map(|id| ItemRef::id(id.clone()));
            let masters = master_of.iter().map(|id| ItemRef::RecurringMaster {
                occurrence_id: id.clone(),
            });
            GetItemRequest::new(ids.chain(masters))
                .header(header.header()?)
                .build()
        }
        Builder::FindItem {
            goid,
            clean_goid,
            start,
            end,
            max_entries,
            folders,
            header,
        } => {
            let mut request = match (goid, clean_goid, start, end) {
                (Some(goid), _, _, _) => FindItemRequest::by_goid(&GlobalObjectId::decode(goid)?),
                (None, Some(clean), _, _) => FindItemRequest::by_clean_goid(clean.clone()),
                (None, None, Some(start), Some(end)) => {
                    let mut r = FindItemRequest::calendar_view(
                        parse_date_time(start)?,
                        parse_date_time(end)?,
                    );
                    if let Some(max) = max_entries {
                        r = r.max_entries(*max);
                    }
                    r
                }
                // clap requires one of --goid, --clean-goid or --start (with --end); an empty
                // clean GOID would make the builder report what is missing.
                _ => FindItemRequest::by_clean_goid(String::new()),
            };
            for folder in folders.list() {
                request = request.folder(folder);
            }
            request.header(header.header()?).build()
        }
        Builder::SyncFolderItems {
            folders,
            sync_state,
            max_changes,
            header,
        } => {
            let mut list = folders.list();
            let folder = match list.len() {
                0 => {
                    let calendar = FolderId::distinguished("calendar");
                    match &folders.mailbox {
                        Some(m) => calendar.with_mailbox(m.clone()),
                        None => calendar,
                    }
                }
                1 => list.remove(0),
                n => {
                    return Err(ews_notify::request::RequestError::TooManyValues {
                        name: "SyncFolderId",
                        len: n,
                        max: 1,
                    }
                    .into());
                }
            };
            let mut request = SyncFolderItemsRequest::new(folder, *max_changes);
            if let Some(state) = sync_state {
                request = request.sync_state(state.clone());
            }
            request.header(header.header()?).build()
        }
        Builder::HttpHeaders {
            anchor_mailbox,
            prefer_server_affinity,
            backend_override_cookie,
        } => {
            let mut headers = HttpHeaders::new().prefer_server_affinity(*prefer_server_affinity);
            if let Some(m) = anchor_mailbox {
                headers = headers.anchor_mailbox(m.clone());
            }
            if let Some(c) = backend_override_cookie {
                headers = headers.backend_override_cookie(c.clone());
            }
            Ok(headers
                .build()?
                .into_iter()
                .map(|(name, value)| format!("{name}: {value}\n"))
                .collect())
        }
    }
}
