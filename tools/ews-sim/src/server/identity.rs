//! Who a request acts as: `ExchangeImpersonation` and `X-AnchorMailbox`, checked against the
//! mailboxes the request opens.
//!
//! A service account following many mailboxes impersonates each one and routes each request
//! with `X-AnchorMailbox`. With [`Config::require_impersonation`](super::Config) the simulator
//! refuses, as Exchange does for an account without rights of its own on the mailbox, a
//! request that opens a mailbox without impersonating it (`ErrorAccessDenied`). A missing or
//! foreign `X-AnchorMailbox` is not refused (Exchange would route the request through another
//! server, slower but working) but counted; a streaming group's Subscribe requests and
//! connection may name the group's anchor mailbox when they carry its affinity cookie.

use axum::http::HeaderMap;

use super::{RequestRecord, Shared, lock};
use crate::read::Request;
use crate::state::{Refusal, State};

/// The mailboxes (lower-case SMTP) request `req` opens.
fn opened(st: &State, req: &Request) -> Vec<String> {
    let name = |i: usize| {
        st.by_smtp
            .iter()
            .find(|&(_, &v)| v == i)
            .map(|(k, _)| k.clone())
    };
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    match req.operation.as_str() {
        "GetEvents" | "GetStreamingEvents" | "Unsubscribe" => {
            for n in req.all("SubscriptionId") {
                if let Some(s) = st.subscriptions.get(&n.text).and_then(|s| name(s.mailbox)) {
                    push(s);
                }
            }
        }
        "GetItem" => {
            for n in req.all("ItemId") {
                let owner = n
                    .attr("Id")
                    .and_then(|id| st.mailboxes.iter().position(|m| m.items.contains_key(id)));
                if let Some(s) = owner.and_then(name) {
                    push(s);
                }
            }
        }
        _ => {
            for n in req.all_in("EmailAddress", "Mailbox") {
                push(n.text.to_ascii_lowercase());
            }
        }
    }
    out
}

/// The SMTP address in the request's `ExchangeImpersonation` header.
fn impersonated(req: &Request) -> Option<String> {
    req.first("ExchangeImpersonation")?;
    req.all_in("SmtpAddress", "ConnectingSID")
        .chain(req.all_in("PrimarySmtpAddress", "ConnectingSID"))
        .next()
        .map(|n| n.text.clone())
}

/// Checks (and records, when asked) who `req` acts as. `Some` when it must be refused.
pub(super) fn check(shared: &Shared, req: &Request, headers: &HeaderMap) -> Option<Refusal> {
    let config = &shared.config;
    let anchor = headers
        .get("X-AnchorMailbox")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let acting = impersonated(req);
    let mailboxes = opened(&lock(&shared.state), req);
    if mailboxes.is_empty() {
        // Nothing opened (an unknown subscription or item): the operation answers for itself.
        return None;
    }
    let is_opened = |s: &Option<String>| {
        s.as_ref()
            .is_some_and(|s| mailboxes.contains(&s.to_ascii_lowercase()))
    };
    // Streaming connections serve a group: acting as one of its mailboxes is enough. Other
    // requests open one mailbox and must name it.
    let group = req.operation == "GetStreamingEvents";
    let fits = |s: &Option<String>| is_opened(s) && (group || mailboxes.len() == 1);
    // A group's Subscribe requests and its connection are anchored on the group's first
    // mailbox and carry the cookie its Subscribe answer set; that anchor need not be a
    // mailbox the request opens. Without a cookie, the anchor must be the mailbox itself.
    let with_cookie = headers
        .get(axum::http::header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.contains("X-BackEndOverrideCookie="));
    let group_anchor = matches!(req.operation.as_str(), "Subscribe" | "GetStreamingEvents")
        && with_cookie
        && anchor
            .as_deref()
            .is_some_and(|a| lock(&shared.state).mailbox(a).is_some());
    if !(fits(&anchor) || group_anchor) {
        shared.count(|s| s.anchor_mismatches += 1);
    }
    let refused = config.require_impersonation && !fits(&acting);
    if refused {
        shared.count(|s| s.impersonation_refusals += 1);
    }
    if config.record_requests {
        lock(&shared.requests).push(RequestRecord {
            operation: req.operation.clone(),
            impersonated: acting,
            anchor,
            mailboxes,
            refused,
        });
    }
    refused.then_some(Refusal::AccessDenied)
}
