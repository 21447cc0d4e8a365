//! `*ResponseMessage` elements: status, `MessageXml`, and what each message kind carries.
//!
//! One reader serves every kind, since they share `ResponseMessageType`:
//! - push `SendNotificationResponseMessage` and pull `GetEventsResponseMessage`: one
//!   `Notification`;
//! - streaming `GetStreamingEventsResponseMessage`: `Notifications` (any number),
//!   `ErrorSubscriptionIds` (with `m:` or `t:` children), `ConnectionStatus`;
//! - `SubscribeResponseMessage`: `SubscriptionId`, `Watermark`;
//! - `UnsubscribeResponseMessage`: status only.
//!
//! See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/responsemessages>.

use super::context::{Ctx, missing, unexpected};
use super::{notification, status};
use crate::error::Error;
use crate::model::{ConnectionStatus, ResponseMessage};
use crate::xml::{self, Elem, Ns};

/// Reads one response message element (already started) named `name`.
pub(crate) fn response_message<'a>(
    ctx: &mut Ctx<'a>,
    elem: &Elem<'a>,
    name: &'static str,
) -> Result<ResponseMessage<'a>, Error> {
    let mut m = ResponseMessage {
        status: status::start(ctx, elem, name)?,
        subscription_id: None,
        watermark: None,
        connection_status: None,
        error_subscription_ids: Vec::new(),
        notifications: Vec::new(),
        unknown_elements: Vec::new(),
    };
    while let Some(child) = ctx.xml.child(name)? {
        let local = if child.ns == Ns::Messages {
            child.local
        } else {
            ""
        };
        if status::read_field(ctx, &mut m.status, local)? {
            continue;
        }
        match local {
            "SubscriptionId" => m.subscription_id = Some(ctx.xml.text("SubscriptionId", false)?),
            "Watermark" => m.watermark = Some(ctx.xml.text("Watermark", false)?),
            "Notification" => m
                .notifications
                .push(notification::notification(ctx, &child)?),
            "Notifications" => {
                while let Some(n) = ctx.xml.child("Notifications")? {
                    // The schema puts `Notification` in the types namespace; Exchange and its
                    // documentation write `m:Notification`. Both are read.
                    if n.local == "Notification" && matches!(n.ns, Ns::Messages | Ns::Types) {
                        m.notifications.push(notification::notification(ctx, &n)?);
                    } else {
                        m.unknown_elements.push(n.display_name());
                        ctx.xml.skip()?;
                    }
                }
            }
            "ErrorSubscriptionIds" => {
                while let Some(id) = ctx.xml.child("ErrorSubscriptionIds")? {
                    if id.local == "SubscriptionId" && matches!(id.ns, Ns::Messages | Ns::Types) {
                        let text = ctx.xml.text("SubscriptionId", false)?;
                        m.error_subscription_ids.push(text);
                    } else {
                        m.unknown_elements.push(id.display_name());
                        ctx.xml.skip()?;
                    }
                }
            }
            "ConnectionStatus" => {
                let status = xml::trim(ctx.xml.text("ConnectionStatus", false)?);
                m.connection_status = Some(ConnectionStatus::parse(status));
            }
            _ => {
                m.unknown_elements.push(child.display_name());
                ctx.xml.skip()?;
            }
        }
    }
    status::finish(&mut m.status);
    Ok(m)
}

/// Reads one response message element (already started) named by its third argument.
pub(crate) type ReadMessage<'a, T> = fn(&mut Ctx<'a>, &Elem<'a>, &'static str) -> Result<T, Error>;

/// Reads `<Kind><ResponseMessages><KindResponseMessage/>...</ResponseMessages></Kind>`.
pub(crate) fn messages<'a, T>(
    ctx: &mut Ctx<'a>,
    message: &Elem<'a>,
    kind: &'static str,
    item: &'static str,
    read: ReadMessage<'a, T>,
) -> Result<Vec<T>, Error> {
    let mut messages = None;
    while let Some(child) = ctx.xml.child(kind)? {
        if child.is(Ns::Messages, "ResponseMessages") && messages.is_none() {
            let mut list = Vec::new();
            while let Some(m) = ctx.xml.child("ResponseMessages")? {
                if m.is(Ns::Messages, item) {
                    list.push(read(ctx, &m, item)?);
                } else {
                    return Err(unexpected(&m, "ResponseMessages"));
                }
            }
            messages = Some(list);
        } else {
            return Err(unexpected(&child, kind));
        }
    }
    messages.ok_or_else(|| missing("ResponseMessages", kind, message.offset))
}
