//! The operations around folders and items that a general EWS client needs besides
//! notifications, answered as Exchange answers them: `ConvertId` (what clients send to learn
//! the server's version), `GetFolder`, `FindFolder`, `CreateItem`, `UpdateItem`, `DeleteItem`,
//! `GetItem`, `FindItem`, `ResolveNames` and `ExpandDL`. Calendar items only: any other item
//! kind in CreateItem is refused per item with `ErrorInvalidRequest`.

mod folder;
mod name;
mod read;
mod write;

use prelude::*;

/// What every operation of this module uses.
mod prelude {
    pub(super) use std::fmt::Write as _;

    pub(super) use axum::http::{HeaderMap, StatusCode};
    pub(super) use axum::response::Response;

    pub(super) use super::super::{NewItem, Shared, lock, xml_response};
    pub(super) use super::folder::*;
    pub(super) use super::name::*;
    pub(super) use super::read::*;
    pub(super) use super::write::*;
    pub(super) use super::{children, error_message, own_mailbox, page, smtp_of, utc};
    pub(super) use crate::ids;
    pub(super) use crate::ledger::Source;
    pub(super) use crate::read::Request;
    pub(super) use crate::soap::{self, esc};
    pub(super) use crate::state::{
        CALENDAR_FOLDER, CalendarItem, CalendarKind, DELETED_ITEMS_FOLDER, FOLDERS,
        MSG_FOLDER_ROOT, Mailbox, ROOT_FOLDER, Recurrence, Refusal, State, parse_rfc3339, rfc3339,
    };
}

/// Answers the operations of this module; `None` for an operation the simulator does not
/// serve.
pub(super) fn answer(shared: &Shared, req: &Request, headers: &HeaderMap) -> Option<Response> {
    let body = match req.operation.as_str() {
        "ConvertId" => convert_id(req),
        "GetFolder" => get_folder(shared, req, headers),
        "FindFolder" => find_folder(shared, req, headers),
        "CreateItem" => create_item(shared, req, headers),
        "UpdateItem" => update_item(shared, req, headers),
        "DeleteItem" => delete_item(shared, req, headers),
        "GetItem" => get_item(shared, req, headers),
        "FindItem" => find_item(shared, req, headers),
        "ResolveNames" => resolve_names(shared, req),
        "ExpandDL" => expand_dl(shared, req),
        _ => return None,
    };
    Some(xml_response(StatusCode::OK, body, None))
}

/// The caller's own mailbox: the one it impersonates, else its `X-AnchorMailbox`, else the
/// user of its Basic credentials. (Mailboxes named inside the request, such as attendees,
/// are not the caller's.)
pub(super) fn own_mailbox(st: &State, req: &Request, headers: &HeaderMap) -> Option<usize> {
    let impersonated = req
        .first("ExchangeImpersonation")
        .and_then(|_| {
            req.all("SmtpAddress")
                .chain(req.all("PrimarySmtpAddress"))
                .next()
        })
        .map(|n| n.text.clone());
    let anchor = headers
        .get("X-AnchorMailbox")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    impersonated
        .or(anchor)
        .or_else(|| super::basic_user(headers))
        .and_then(|s| st.mailbox(&s))
}

/// The children of every element named `parent`, each with its subtree, in document order.
pub(super) fn children(req: &Request, parent: &str) -> Vec<Request> {
    let mut out = Vec::new();
    for (i, n) in req.nodes.iter().enumerate() {
        if n.parent != parent {
            continue;
        }
        let inner = req.nodes[i + 1..]
            .iter()
            .take_while(|m| m.depth > n.depth)
            .cloned();
        out.push(Request {
            operation: req.operation.clone(),
            nodes: std::iter::once(n.clone()).chain(inner).collect(),
        });
    }
    out
}

pub(super) fn error_message(op: &str, refusal: Refusal, extra: &str) -> String {
    format!(
        "{}{extra}</m:{op}ResponseMessage>",
        soap::error_open(op, refusal.code(), refusal.text(), None)
    )
}

/// `Offset` and `MaxEntriesReturned` of an indexed page view, if any.
pub(super) fn page(req: &Request, view: &str) -> (usize, Option<usize>) {
    let Some(v) = req.first(view) else {
        return (0, None);
    };
    let offset = v.attr("Offset").and_then(|o| o.parse().ok()).unwrap_or(0);
    let max = v.attr("MaxEntriesReturned").and_then(|o| o.parse().ok());
    (offset, max)
}

/// The SMTP address of mailbox `mb`.
pub(super) fn smtp_of(st: &State, mb: usize) -> String {
    st.by_smtp
        .iter()
        .find(|&(_, &v)| v == mb)
        .map(|(k, _)| k.clone())
        .unwrap_or_default()
}

/// A date-time as the simulator keeps it (RFC 3339 UTC), from any RFC 3339 text.
pub(super) fn utc(text: &str) -> Option<String> {
    parse_rfc3339(text).map(rfc3339)
}
