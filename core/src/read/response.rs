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
        element_name: None,
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

/// Reads a `GetEventsResponse`'s messages like [`messages`], and also a message element in the
/// messages namespace under another name that carries a `ResponseClass` attribute: gromox
/// (3.10) writes `m:x` for every `GetEventsResponseMessage`. Such a message is read by its
/// position and content, and keeps its name in [`ResponseMessage::element_name`]. Any other
/// element stays `unexpected_element`, as in [`messages`].
pub(crate) fn get_events_messages<'a>(
    ctx: &mut Ctx<'a>,
    message: &Elem<'a>,
) -> Result<Vec<ResponseMessage<'a>>, Error> {
    const KIND: &str = "GetEventsResponse";
    const ITEM: &str = "GetEventsResponseMessage";
    let mut messages = None;
    while let Some(child) = ctx.xml.child(KIND)? {
        if child.is(Ns::Messages, "ResponseMessages") && messages.is_none() {
            let mut list = Vec::new();
            while let Some(m) = ctx.xml.child("ResponseMessages")? {
                if m.is(Ns::Messages, ITEM) {
                    list.push(response_message(ctx, &m, ITEM)?);
                } else if m.ns == Ns::Messages && ctx.xml.attr(&m, "ResponseClass")?.is_some() {
                    let mut read = response_message(ctx, &m, ITEM)?;
                    read.element_name = Some(std::borrow::Cow::Borrowed(m.local));
                    list.push(read);
                } else {
                    return Err(unexpected(&m, "ResponseMessages"));
                }
            }
            messages = Some(list);
        } else {
            return Err(unexpected(&child, KIND));
        }
    }
    messages.ok_or_else(|| missing("ResponseMessages", KIND, message.offset))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use crate::Body;

    /// A GetEvents answer captured from gromox 3.10 (see tests/corpus/README.md).
    const GROMOX: &[u8] = include_bytes!(
        "../../../tests/corpus/regressions/issue-21-gromox-get-events-message-named-x.xml"
    );

    const ENVELOPE: &str = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><s:Body>BODY</s:Body></s:Envelope>"#;

    fn body(inner: &str) -> String {
        ENVELOPE.replace("BODY", inner)
    }

    fn code(xml: &str) -> (&'static str, Option<usize>) {
        let e = crate::parse_notification(xml.as_bytes()).unwrap_err();
        (e.code(), e.offset())
    }

    #[test]
    fn gromox_get_events_message_named_x_is_read_by_its_position() {
        let env = crate::parse_notification(GROMOX).unwrap();
        let Body::GetEventsResponse(messages) = &env.body else {
            panic!("a GetEventsResponse: {:?}", env.body);
        };
        assert_eq!(messages.len(), 1);
        let m = &messages[0];
        assert_eq!(
            m.element_name.as_deref(),
            Some("x"),
            "the odd name stays visible"
        );
        assert_eq!(m.notifications.len(), 1, "its Notification is read");
        assert!(
            !m.notifications[0].events.is_empty(),
            "and the events in it"
        );
    }

    #[test]
    fn well_named_get_events_message_has_no_element_name() {
        let xml = body(
            r#"<m:GetEventsResponse><m:ResponseMessages><m:GetEventsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode></m:GetEventsResponseMessage></m:ResponseMessages></m:GetEventsResponse>"#,
        );
        let env = crate::parse_notification(xml.as_bytes()).unwrap();
        let json = env.to_json();
        assert!(!json.contains("elementName"), "{json}");
        assert_eq!(env.body.response_messages()[0].element_name, None);
    }

    #[test]
    fn misnamed_message_without_response_class_stays_unexpected() {
        let inner = r#"<m:GetEventsResponse><m:ResponseMessages><m:x><m:ResponseCode>NoError</m:ResponseCode></m:x></m:ResponseMessages></m:GetEventsResponse>"#;
        let xml = body(inner);
        let at = xml.find("<m:x>").unwrap();
        assert_eq!(code(&xml), ("unexpected_element", Some(at)));
    }

    #[test]
    fn misnamed_message_outside_the_messages_namespace_stays_unexpected() {
        let inner = r#"<m:GetEventsResponse><m:ResponseMessages><t:x ResponseClass="Success"/></m:ResponseMessages></m:GetEventsResponse>"#;
        let xml = body(inner);
        let at = xml.find("<t:x").unwrap();
        assert_eq!(code(&xml), ("unexpected_element", Some(at)));
    }

    #[test]
    fn misnamed_message_of_other_kinds_stays_unexpected() {
        for kind in [
            "SendNotification",
            "SubscribeResponse",
            "GetStreamingEventsResponse",
        ] {
            let inner = format!(
                r#"<m:{kind}><m:ResponseMessages><m:x ResponseClass="Success"/></m:ResponseMessages></m:{kind}>"#
            );
            let xml = body(&inner);
            let at = xml.find("<m:x").unwrap();
            assert_eq!(code(&xml), ("unexpected_element", Some(at)), "{kind}");
        }
    }
}
