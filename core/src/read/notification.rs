//! `Notification` elements and the events in them, shared by push, pull and streaming.
//!
//! See <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/notification-ex15websvcsotherref>.

use super::context::{Ctx, invalid, missing, object_id, parse_number};
use crate::error::{Error, ErrorKind};
use crate::model::{Event, EventKind, Notification};
use crate::xml::{self, Elem, Ns};

/// Reads one `Notification` element (already started).
pub(crate) fn notification<'a>(
    ctx: &mut Ctx<'a>,
    elem: &Elem<'a>,
) -> Result<Notification<'a>, Error> {
    let mut subscription_id = None;
    let mut previous_watermark = None;
    let mut more_events = None;
    let mut events = Vec::new();
    while let Some(child) = ctx.xml.child("Notification")? {
        let local = if child.ns == Ns::Types {
            child.local
        } else {
            ""
        };
        match local {
            "SubscriptionId" => subscription_id = Some(ctx.xml.text("SubscriptionId", false)?),
            "PreviousWatermark" => {
                previous_watermark = Some(ctx.xml.text("PreviousWatermark", false)?);
            }
            "MoreEvents" => {
                let text = ctx.xml.text("MoreEvents", false)?;
                more_events = Some(match xml::trim(text).as_ref() {
                    "true" | "1" => true,
                    "false" | "0" => false,
                    other => return Err(invalid("MoreEvents", other, child.offset)),
                });
            }
            _ => {
                ctx.events += 1;
                if ctx.events > ctx.limits.max_events {
                    return Err(Error::at(
                        ErrorKind::TooManyEvents {
                            limit: ctx.limits.max_events,
                        },
                        child.offset,
                    ));
                }
                // An element that is not a known event (a newer event type, or one in another
                // namespace) is kept as `Unknown` with its name, never dropped.
                let kind = EventKind::from_element(local)
                    .unwrap_or_else(|| EventKind::Unknown(child.display_name()));
                events.push(event(ctx, kind)?);
            }
        }
    }
    let subscription_id =
        subscription_id.ok_or_else(|| missing("SubscriptionId", "Notification", elem.offset))?;
    Ok(Notification {
        subscription_id,
        previous_watermark,
        more_events,
        events,
    })
}

/// Reads the children of one event element (already started).
fn event<'a>(ctx: &mut Ctx<'a>, kind: EventKind<'a>) -> Result<Event<'a>, Error> {
    // An unknown element's content model is unknown too: text in it (`<t:Foo>bar</t:Foo>`) is
    // passed over rather than refused, so the element and the events after it stay visible.
    let mixed = matches!(kind, EventKind::Unknown(_));
    let mut e = Event::new(kind);
    loop {
        let next = if mixed {
            ctx.xml.child_mixed()?
        } else {
            ctx.xml.child("Event")?
        };
        let Some(child) = next else { break };
        let local = if child.ns == Ns::Types {
            child.local
        } else {
            ""
        };
        match local {
            "Watermark" => e.watermark = Some(ctx.xml.text("Watermark", false)?),
            "TimeStamp" => e.timestamp = Some(ctx.xml.text("TimeStamp", false)?),
            "ItemId" => e.item_id = Some(object_id(ctx, &child, "ItemId")?),
            "FolderId" => e.folder_id = Some(object_id(ctx, &child, "FolderId")?),
            "ParentFolderId" => {
                e.parent_folder_id = Some(object_id(ctx, &child, "ParentFolderId")?);
            }
            "OldItemId" => e.old_item_id = Some(object_id(ctx, &child, "OldItemId")?),
            "OldFolderId" => e.old_folder_id = Some(object_id(ctx, &child, "OldFolderId")?),
            "OldParentFolderId" => {
                e.old_parent_folder_id = Some(object_id(ctx, &child, "OldParentFolderId")?);
            }
            "UnreadCount" => {
                let text = ctx.xml.text("UnreadCount", false)?;
                e.unread_count = Some(parse_number(&text, "UnreadCount", child.offset)?);
            }
            _ => {
                e.unknown_elements.push(child.display_name());
                ctx.xml.skip()?;
            }
        }
    }
    Ok(e)
}
