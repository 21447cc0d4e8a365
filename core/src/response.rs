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

use std::borrow::Cow;

use crate::envelope::{ConnectionStatus, MessageXml, ResponseClass, ResponseMessage};
use crate::error::{Error, ErrorKind};
use crate::fault::ResponseCode;
use crate::notification;
use crate::parser::{Ctx, invalid, missing, unexpected};
use crate::xml::{self, Elem, Ns};

/// The required `ResponseClass` attribute of the response message `elem` named `name`.
pub(crate) fn response_class(
    ctx: &Ctx<'_>,
    elem: &Elem<'_>,
    name: &'static str,
) -> Result<ResponseClass, Error> {
    match ctx.xml.attr(elem, "ResponseClass")? {
        None => Err(Error::at(
            ErrorKind::MissingAttribute {
                name: "ResponseClass",
                element: name,
            },
            elem.offset,
        )),
        Some(value) => match xml::trim(value).as_ref() {
            "Success" => Ok(ResponseClass::Success),
            "Warning" => Ok(ResponseClass::Warning),
            "Error" => Ok(ResponseClass::Error),
            other => Err(invalid("ResponseClass", other, elem.offset)),
        },
    }
}

/// Reads one response message element (already started) named `name`.
pub(crate) fn response_message<'a>(
    ctx: &mut Ctx<'a>,
    elem: &Elem<'a>,
    name: &'static str,
) -> Result<ResponseMessage<'a>, Error> {
    let response_class = response_class(ctx, elem, name)?;
    let mut m = ResponseMessage {
        response_class,
        response_code: None,
        message_text: None,
        descriptive_link_key: None,
        message_xml: None,
        back_off_milliseconds: None,
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
        match local {
            "ResponseCode" => {
                let code = xml::trim(ctx.xml.text("ResponseCode", false)?);
                m.response_code = Some(ResponseCode::parse(code));
            }
            "MessageText" => m.message_text = Some(ctx.xml.text("MessageText", false)?),
            "DescriptiveLinkKey" => {
                m.descriptive_link_key = Some(ctx.xml.text("DescriptiveLinkKey", false)?);
            }
            "MessageXml" => m.message_xml = Some(message_xml(ctx)?),
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
    m.back_off_milliseconds = m.message_xml.as_ref().and_then(back_off_milliseconds);
    Ok(m)
}

/// Reads a `MessageXml` element (already started): `Value Name="..."` children become pairs;
/// any other child becomes a pair keyed by its local name with its text content.
pub(crate) fn message_xml<'a>(ctx: &mut Ctx<'a>) -> Result<MessageXml<'a>, Error> {
    let mut xml = MessageXml::default();
    while let Some(child) = ctx.xml.child("MessageXml")? {
        if child.local == "Value" && child.ns.is_ews() {
            let Some(name) = ctx.xml.attr(&child, "Name")? else {
                return Err(Error::at(
                    ErrorKind::MissingAttribute {
                        name: "Name",
                        element: "Value",
                    },
                    child.offset,
                ));
            };
            let value = ctx.xml.text("Value", false)?;
            xml.entries.push((name, value));
        } else {
            let name: Cow<'a, str> = child.display_name();
            let value = ctx.xml.text("MessageXml", true)?;
            xml.entries.push((name, value));
        }
    }
    Ok(xml)
}

/// `BackOffMilliseconds` from `MessageXml`, when it is a valid number.
pub(crate) fn back_off_milliseconds(xml: &MessageXml<'_>) -> Option<u64> {
    xml.get("BackOffMilliseconds")?
        .trim_matches([' ', '\t', '\r', '\n'])
        .parse()
        .ok()
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
