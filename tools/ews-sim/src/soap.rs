//! The SOAP envelopes the simulator sends, shaped like Exchange 2013+ answers (the corpus
//! captures): `s:` SOAP 1.1 envelope, `ServerVersionInfo` header, `m:`/`t:` prefixes.

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::state::{CalendarItem, EventPage, LogEvent, LogKind, Refusal, SyncChange, SyncPage};

const M: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";
const T: &str = "http://schemas.microsoft.com/exchange/services/2006/types";

/// PSETID_Meeting, the property set of PidLidGlobalObjectId (0x3) and
/// PidLidCleanGlobalObjectId (0x23), [MS-OXPROPS].
pub const PSETID_MEETING: &str = "6ED8DA90-450B-101B-98DA-00AA003F1305";

/// Escapes text for element content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// A response envelope around `body` (one element in the `m:` namespace, with `t:` bound).
pub fn envelope(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">\
<s:Header><h:ServerVersionInfo MajorVersion=\"15\" MinorVersion=\"20\" MajorBuildNumber=\"7452\" \
MinorBuildNumber=\"28\" Version=\"V2018_01_08\" xmlns:h=\"{T}\" \
xmlns=\"{T}\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" \
xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"/></s:Header>\
<s:Body xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">{body}</s:Body></s:Envelope>"
    )
}

/// `<m:{op}Response>` with one response message per entry of `messages` (already XML).
pub(crate) fn response(op: &str, messages: &str) -> String {
    envelope(&format!(
        "<m:{op}Response xmlns:m=\"{M}\" xmlns:t=\"{T}\"><m:ResponseMessages>{messages}\
</m:ResponseMessages></m:{op}Response>"
    ))
}

pub(crate) fn success_open(op: &str) -> String {
    format!(
        "<m:{op}ResponseMessage ResponseClass=\"Success\"><m:ResponseCode>NoError</m:ResponseCode>"
    )
}

/// An error response message for `op` (no closing tag: callers may add elements).
pub(crate) fn error_open(op: &str, code: &str, text: &str, back_off_ms: Option<u64>) -> String {
    let mut s = format!(
        "<m:{op}ResponseMessage ResponseClass=\"Error\"><m:MessageText>{}</m:MessageText>\
<m:ResponseCode>{code}</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>",
        esc(text)
    );
    if let Some(ms) = back_off_ms {
        let _ = write!(
            s,
            "<m:MessageXml><t:Value Name=\"BackOffMilliseconds\">{ms}</t:Value></m:MessageXml>"
        );
    }
    s
}

/// A whole response whose single message is an error.
pub fn error_response(op: &str, refusal: Refusal) -> String {
    response(
        op,
        &format!(
            "{}</m:{op}ResponseMessage>",
            error_open(op, refusal.code(), refusal.text(), None)
        ),
    )
}

/// A whole response whose single message is `ErrorReadEventsFailed` naming the subscription
/// in `MessageXml`, as in the seed's capture.
pub fn read_events_failed_response(op: &str, subscription_id: &str) -> String {
    let r = Refusal::ReadEventsFailed;
    response(
        op,
        &format!(
            "{}<m:MessageXml><t:Value Name=\"SubscriptionId\">{}</t:Value></m:MessageXml>\
</m:{op}ResponseMessage>",
            error_open(op, r.code(), r.text(), None),
            esc(subscription_id)
        ),
    )
}

/// The `SendNotification` a push subscription gets when its events cannot be read: one error
/// message, `ErrorReadEventsFailed` with the subscription id (the seed's capture).
pub fn send_notification_read_events_failed(subscription_id: &str) -> String {
    let r = Refusal::ReadEventsFailed;
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
<soap11:Envelope xmlns:soap11=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap11:Header>\
<t:RequestServerVersion xmlns:t=\"{T}\" Version=\"Exchange2013\"/></soap11:Header><soap11:Body>\
<m:SendNotification xmlns:t=\"{T}\" xmlns:m=\"{M}\"><m:ResponseMessages>\
<m:SendNotificationResponseMessage ResponseClass=\"Error\"><m:MessageText>{}</m:MessageText>\
<m:ResponseCode>{}</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>\
<m:MessageXml><t:Value Name=\"SubscriptionId\">{}</t:Value></m:MessageXml>\
</m:SendNotificationResponseMessage></m:ResponseMessages></m:SendNotification></soap11:Body>\
</soap11:Envelope>",
        esc(r.text()),
        r.code(),
        esc(subscription_id)
    )
}

/// A SOAP fault (HTTP 500) with an EWS response code, the way Exchange refuses a request it
/// cannot process at all (an unknown operation, an unreadable body).
pub fn fault(code: &str, text: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault>\
<faultcode xmlns:a=\"{T}\">a:{code}</faultcode>\
<faultstring xml:lang=\"en-US\">{}</faultstring>\
<detail><e:ResponseCode xmlns:e=\"http://schemas.microsoft.com/exchange/services/2006/errors\">{code}</e:ResponseCode>\
<e:Message xmlns:e=\"http://schemas.microsoft.com/exchange/services/2006/errors\">{}</e:Message>\
</detail></s:Fault></s:Body></s:Envelope>",
        esc(text),
        esc(text)
    )
}

/// A whole response whose single message is `ErrorServerBusy` with a back-off (the
/// response-message form of throttling).
pub fn busy_response(op: &str, back_off_ms: u64) -> String {
    let text = "The server cannot service this request right now. Try again later.";
    response(
        op,
        &format!(
            "{}</m:{op}ResponseMessage>",
            error_open(op, "ErrorServerBusy", text, Some(back_off_ms))
        ),
    )
}

/// The SOAP fault form of `ErrorServerBusy` (what Exchange Online sends when throttling).
pub fn busy_fault(back_off_ms: u64) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault>\
<faultcode xmlns:a=\"{T}\">a:ErrorServerBusy</faultcode>\
<faultstring xml:lang=\"en-US\">The server cannot service this request right now. Try again later.</faultstring>\
<detail><e:ResponseCode xmlns:e=\"http://schemas.microsoft.com/exchange/services/2006/errors\">ErrorServerBusy</e:ResponseCode>\
<e:Message xmlns:e=\"http://schemas.microsoft.com/exchange/services/2006/errors\">The server cannot service this request right now. Try again later.</e:Message>\
<t:MessageXml xmlns:t=\"{T}\"><t:Value Name=\"BackOffMilliseconds\">{back_off_ms}</t:Value></t:MessageXml>\
</detail></s:Fault></s:Body></s:Envelope>"
    )
}

/// SubscribeResponse. `watermark` is sent for pull and push subscriptions only.
pub fn subscribe_response(id: &str, watermark: Option<&str>) -> String {
    let mut m = success_open("Subscribe");
    let _ = write!(m, "<m:SubscriptionId>{}</m:SubscriptionId>", esc(id));
    if let Some(w) = watermark {
        let _ = write!(m, "<m:Watermark>{}</m:Watermark>", esc(w));
    }
    m.push_str("</m:SubscribeResponseMessage>");
    response("Subscribe", &m)
}

/// UnsubscribeResponse.
pub fn unsubscribe_response() -> String {
    response(
        "Unsubscribe",
        &format!(
            "{}</m:UnsubscribeResponseMessage>",
            success_open("Unsubscribe")
        ),
    )
}

fn event_xml(out: &mut String, e: &LogEvent, with_watermark: Option<&str>) {
    let name = e.kind.element();
    let _ = write!(out, "<t:{name}>");
    if let Some(w) = with_watermark {
        let _ = write!(out, "<t:Watermark>{}</t:Watermark>", esc(w));
    }
    let _ = write!(out, "<t:TimeStamp>{}</t:TimeStamp>", e.timestamp);
    let ck = |ck: &Option<String>| match ck {
        Some(ck) => format!(" ChangeKey=\"{}\"", esc(ck)),
        None => String::new(),
    };
    match (e.kind, &e.item_id, &e.folder_id) {
        (LogKind::FolderModified, _, Some(f)) => {
            let _ = write!(out, "<t:FolderId Id=\"{}\"{}/>", esc(f), ck(&e.change_key));
        }
        (_, Some(i), _) => {
            let _ = write!(out, "<t:ItemId Id=\"{}\"{}/>", esc(i), ck(&e.change_key));
        }
        _ => {}
    }
    let _ = write!(
        out,
        "<t:ParentFolderId Id=\"{}\" ChangeKey=\"AQAAAA==\"/>",
        esc(&e.parent_folder_id)
    );
    if let (Some(old), Some(old_parent)) = (&e.old_item_id, &e.old_parent_folder_id) {
        let _ = write!(
            out,
            "<t:OldItemId Id=\"{}\"/><t:OldParentFolderId Id=\"{}\" ChangeKey=\"AQAAAA==\"/>",
            esc(old),
            esc(old_parent)
        );
    }
    let _ = write!(out, "</t:{name}>");
}

/// The `t:Notification` of a pull or push message: watermarks on every event.
fn notification_with_watermarks(
    subscription_id: &str,
    previous: &str,
    events: &[LogEvent],
    more: bool,
    status_watermark: &str,
    watermark_of: &dyn Fn(u64) -> String,
) -> String {
    let mut n = format!(
        "<m:Notification><t:SubscriptionId>{}</t:SubscriptionId>\
<t:PreviousWatermark>{}</t:PreviousWatermark><t:MoreEvents>{more}</t:MoreEvents>",
        esc(subscription_id),
        esc(previous)
    );
    if events.is_empty() {
        // Nothing new: Exchange answers with a StatusEvent carrying the current watermark.
        let _ = write!(
            n,
            "<t:StatusEvent><t:Watermark>{}</t:Watermark></t:StatusEvent>",
            esc(status_watermark)
        );
    }
    for e in events {
        event_xml(&mut n, e, Some(&watermark_of(e.position)));
    }
    n.push_str("</m:Notification>");
    n
}

/// GetEventsResponse for one page.
pub(crate) fn get_events_response(
    subscription_id: &str,
    page: &EventPage,
    watermark_of: &dyn Fn(u64) -> String,
) -> String {
    let mut m = success_open("GetEvents");
    m.push_str(&notification_with_watermarks(
        subscription_id,
        &page.previous_watermark,
        &page.events,
        page.more,
        &page.head_watermark,
        watermark_of,
    ));
    m.push_str("</m:GetEventsResponseMessage>");
    response("GetEvents", &m)
}

/// A `SendNotification` request body for a push listener.
pub fn send_notification(
    subscription_id: &str,
    previous: &str,
    events: &[LogEvent],
    more: bool,
    watermark_of: &dyn Fn(u64) -> String,
) -> String {
    let mut m = String::from(
        "<m:SendNotificationResponseMessage ResponseClass=\"Success\">\
<m:ResponseCode>NoError</m:ResponseCode>",
    );
    m.push_str(&notification_with_watermarks(
        subscription_id,
        previous,
        events,
        more,
        previous,
        watermark_of,
    ));
    m.push_str("</m:SendNotificationResponseMessage>");
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
<soap11:Envelope xmlns:soap11=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap11:Header>\
<t:RequestServerVersion xmlns:t=\"{T}\" Version=\"Exchange2013\"/></soap11:Header><soap11:Body>\
<m:SendNotification xmlns:t=\"{T}\" xmlns:m=\"{M}\"><m:ResponseMessages>{m}</m:ResponseMessages>\
</m:SendNotification></soap11:Body></soap11:Envelope>"
    )
}

/// What one GetStreamingEvents envelope carries.
#[derive(Debug, Default)]
pub struct StreamingMessage<'a> {
    /// Events per subscription id; subscriptions without events are left out.
    pub notifications: Vec<(&'a str, Vec<LogEvent>)>,
    /// Subscriptions the server no longer knows (sent with `ResponseClass="Error"`).
    pub error_subscription_ids: Vec<String>,
    /// `Closed` ends the connection; `OK` otherwise.
    pub closed: bool,
    /// The error names `ErrorReadEventsFailed` (the server lost the subscriptions' events)
    /// instead of `ErrorSubscriptionNotFound`.
    pub read_events_failed: bool,
}

/// One GetStreamingEventsResponse envelope (a connection sends many).
pub fn streaming_envelope(msg: &StreamingMessage<'_>) -> String {
    let refusal = if msg.read_events_failed {
        Refusal::ReadEventsFailed
    } else {
        Refusal::SubscriptionNotFound
    };
    let mut m = if msg.error_subscription_ids.is_empty() {
        success_open("GetStreamingEvents")
    } else {
        error_open("GetStreamingEvents", refusal.code(), refusal.text(), None)
    };
    if !msg.notifications.is_empty() {
        m.push_str("<m:Notifications>");
        for (id, events) in &msg.notifications {
            // The schema puts a streaming `Notification` in the types namespace
            // (`NonEmptyArrayOfNotificationsType`), but Exchange sends it in the messages
            // namespace (the capture in the seeds, Microsoft's documentation), and clients
            // look for it there (exchangelib finds no notification under `t:`). The simulator
            // sends what Exchange sends; its schema test maps the prefix back.
            let _ = write!(
                m,
                "<m:Notification><t:SubscriptionId>{}</t:SubscriptionId>",
                esc(id)
            );
            for e in events {
                event_xml(&mut m, e, None);
            }
            m.push_str("</m:Notification>");
        }
        m.push_str("</m:Notifications>");
    }
    if !msg.error_subscription_ids.is_empty() {
        m.push_str("<m:ErrorSubscriptionIds>");
        for id in &msg.error_subscription_ids {
            let _ = write!(m, "<t:SubscriptionId>{}</t:SubscriptionId>", esc(id));
        }
        m.push_str("</m:ErrorSubscriptionIds>");
    }
    let status = if msg.closed { "Closed" } else { "OK" };
    let _ = write!(
        m,
        "<m:ConnectionStatus>{status}</m:ConnectionStatus></m:GetStreamingEventsResponseMessage>"
    );
    response("GetStreamingEvents", &m)
}

/// A calendar item as GetItem, FindItem and SyncFolderItems return it, with the GOID
/// properties, seen from its organizer's mailbox (see [`calendar_item_in`]).
pub fn calendar_item_xml(out: &mut String, item: &CalendarItem, parent_folder_id: &str) {
    calendar_item_in(out, item, parent_folder_id, &item.organizer, &[], None);
}

/// The day of the week of an RFC 3339 date-time, as `DaysOfWeek` spells it.
fn weekday(text: &str) -> &'static str {
    const DAYS: [&str; 7] = [
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
    ];
    let days = crate::state::parse_rfc3339(text).map_or(0, |u| u.div_euclid(86_400));
    DAYS[usize::try_from(days.rem_euclid(7)).unwrap_or(0)]
}

/// A calendar item as `mailbox` holds it: every property a meeting client binds
/// (GlobalObjectId and CleanGlobalObjectId, UID, RecurrenceId / OriginalStart, Start, End,
/// IsCancelled, CalendarItemType, Organizer, AppointmentState, LastModifiedTime, ChangeKey,
/// and for a master its Recurrence, first and last occurrence, modified and deleted
/// occurrences). `occurrence_ids` holds the ids of a master's occurrences by index (from 1),
/// for `ModifiedOccurrences`; empty elsewhere. `property_set` is how the GOID properties name
/// their property set, as the request named it (`DistinguishedPropertySetId="Meeting"` or
/// `PropertySetId="..."` in the request's spelling); `PropertySetId` with the GUID when `None`.
pub fn calendar_item_in(
    out: &mut String,
    item: &CalendarItem,
    parent_folder_id: &str,
    mailbox: &str,
    occurrence_ids: &[String],
    property_set: Option<&str>,
) {
    let default_set = format!("PropertySetId=\"{PSETID_MEETING}\"");
    let set = property_set.unwrap_or(&default_set);
    use crate::state::CalendarKind;
    let _ = write!(
        out,
        "<t:CalendarItem><t:ItemId Id=\"{}\" ChangeKey=\"{}\"/>\
<t:ParentFolderId Id=\"{}\" ChangeKey=\"AQAAAA==\"/><t:ItemClass>IPM.Appointment</t:ItemClass>\
<t:Subject>{}</t:Subject>",
        esc(&item.id),
        esc(&item.change_key()),
        esc(parent_folder_id),
        esc(&item.subject)
    );
    for (id, bytes) in [("3", &item.goid), ("35", &item.clean_goid)] {
        let _ = write!(
            out,
            "<t:ExtendedProperty><t:ExtendedFieldURI {set} \
PropertyId=\"{id}\" PropertyType=\"Binary\"/><t:Value>{}</t:Value></t:ExtendedProperty>",
            STANDARD.encode(bytes)
        );
    }
    if !item.last_modified.is_empty() {
        let _ = write!(
            out,
            "<t:LastModifiedTime>{}</t:LastModifiedTime>",
            item.last_modified
        );
    }
    let _ = write!(out, "<t:UID>{}</t:UID>", esc(&item.uid));
    let instance = matches!(
        item.kind,
        CalendarKind::Occurrence | CalendarKind::Exception
    );
    if let (true, Some(o)) = (instance, &item.original_start) {
        let _ = write!(out, "<t:RecurrenceId>{o}</t:RecurrenceId>");
    }
    let _ = write!(
        out,
        "<t:Start>{}</t:Start><t:End>{}</t:End>",
        item.start, item.end
    );
    if let (true, Some(o)) = (instance, &item.original_start) {
        let _ = write!(out, "<t:OriginalStart>{o}</t:OriginalStart>");
    }
    let organizer = if item.organizer.is_empty() {
        mailbox
    } else {
        item.organizer.as_str()
    };
    let received = !organizer.is_empty() && !organizer.eq_ignore_ascii_case(mailbox);
    let _ = write!(
        out,
        "<t:IsMeeting>true</t:IsMeeting><t:IsCancelled>{}</t:IsCancelled>\
<t:IsRecurring>{}</t:IsRecurring><t:CalendarItemType>{}</t:CalendarItemType>",
        item.is_cancelled,
        item.kind != CalendarKind::Single,
        item.kind.as_str()
    );
    if !organizer.is_empty() {
        let name = organizer.split('@').next().unwrap_or(organizer);
        let _ = write!(
            out,
            "<t:Organizer><t:Mailbox><t:Name>{}</t:Name><t:EmailAddress>{}</t:EmailAddress>\
<t:RoutingType>SMTP</t:RoutingType><t:MailboxType>Mailbox</t:MailboxType></t:Mailbox></t:Organizer>",
            esc(name),
            esc(organizer)
        );
    }
    // [MS-OXOCAL] 2.2.1.10 PidLidAppointmentStateFlags: meeting 0x1, received 0x2,
    // cancelled 0x4.
    let state = 1 | if received { 2 } else { 0 } | if item.is_cancelled { 4 } else { 0 };
    let _ = write!(out, "<t:AppointmentState>{state}</t:AppointmentState>");
    if let (CalendarKind::RecurringMaster, Some(r)) = (item.kind, &item.recurrence) {
        let _ = write!(
            out,
            "<t:Recurrence><t:WeeklyRecurrence><t:Interval>{}</t:Interval>\
<t:DaysOfWeek>{}</t:DaysOfWeek></t:WeeklyRecurrence><t:NumberedRecurrence>\
<t:StartDate>{}</t:StartDate><t:NumberOfOccurrences>{}</t:NumberOfOccurrences>\
</t:NumberedRecurrence></t:Recurrence>",
            r.interval_weeks.max(1),
            weekday(&item.start),
            item.start.get(..10).unwrap_or_default(),
            r.occurrences.max(1)
        );
        let starts = item.occurrence_starts();
        let duration = item.duration_seconds();
        let info = |out: &mut String, tag: &str, index: usize| {
            let Some(original) = starts.get(index) else {
                return;
            };
            let exception = item
                .modified_occurrences
                .iter()
                .find(|o| usize::try_from(o.index).ok() == Some(index + 1));
            let (start, end) = match exception {
                Some(o) => (o.start.clone(), o.end.clone()),
                None => {
                    let s = crate::state::parse_rfc3339(original).unwrap_or(0);
                    (original.clone(), crate::state::rfc3339(s + duration))
                }
            };
            let id = exception
                .map(|o| o.id.clone())
                .or_else(|| occurrence_ids.get(index).cloned())
                .unwrap_or_default();
            let _ = write!(
                out,
                "<t:{tag}><t:ItemId Id=\"{}\" ChangeKey=\"{}\"/><t:Start>{start}</t:Start>\
<t:End>{end}</t:End><t:OriginalStart>{original}</t:OriginalStart></t:{tag}>",
                esc(&id),
                esc(&item.change_key())
            );
        };
        if !starts.is_empty() && !occurrence_ids.is_empty() {
            info(out, "FirstOccurrence", 0);
            info(out, "LastOccurrence", starts.len() - 1);
        }
        if !item.modified_occurrences.is_empty() {
            out.push_str("<t:ModifiedOccurrences>");
            for o in &item.modified_occurrences {
                let _ = write!(
                    out,
                    "<t:Occurrence><t:ItemId Id=\"{}\" ChangeKey=\"{}\"/><t:Start>{}</t:Start>\
<t:End>{}</t:End><t:OriginalStart>{}</t:OriginalStart></t:Occurrence>",
                    esc(&o.id),
                    esc(&crate::ids::change_key(o.version)),
                    o.start,
                    o.end,
                    o.original_start
                );
            }
            out.push_str("</t:ModifiedOccurrences>");
        }
        if !item.deleted_occurrences.is_empty() {
            out.push_str("<t:DeletedOccurrences>");
            for d in &item.deleted_occurrences {
                let _ = write!(
                    out,
                    "<t:DeletedOccurrence><t:Start>{d}</t:Start></t:DeletedOccurrence>"
                );
            }
            out.push_str("</t:DeletedOccurrences>");
        }
    }
    out.push_str("</t:CalendarItem>");
}

/// GetItemResponse: one message per requested id, in order.
pub fn get_item_response(items: &[Result<CalendarItem, Refusal>], parent: &str) -> String {
    let mut ms = String::new();
    for r in items {
        match r {
            Ok(item) => {
                ms.push_str(&success_open("GetItem"));
                ms.push_str("<m:Items>");
                calendar_item_xml(&mut ms, item, parent);
                ms.push_str("</m:Items></m:GetItemResponseMessage>");
            }
            Err(refusal) => {
                ms.push_str(&error_open("GetItem", refusal.code(), refusal.text(), None));
                ms.push_str("<m:Items/></m:GetItemResponseMessage>");
            }
        }
    }
    response("GetItem", &ms)
}

/// FindItemResponse over a calendar folder.
pub fn find_item_response(items: &[CalendarItem], parent: &str) -> String {
    let mut m = success_open("FindItem");
    let _ = write!(
        m,
        "<m:RootFolder TotalItemsInView=\"{}\" IncludesLastItemInRange=\"true\"><t:Items>",
        items.len()
    );
    for item in items {
        calendar_item_xml(&mut m, item, parent);
    }
    m.push_str("</t:Items></m:RootFolder></m:FindItemResponseMessage>");
    response("FindItem", &m)
}

/// SyncFolderItemsResponse for one page.
pub fn sync_folder_items_response(page: &SyncPage, parent: &str) -> String {
    let mut m = success_open("SyncFolderItems");
    let _ = write!(
        m,
        "<m:SyncState>{}</m:SyncState><m:IncludesLastItemInRange>{}</m:IncludesLastItemInRange><m:Changes>",
        esc(&page.sync_state),
        page.includes_last
    );
    for c in &page.changes {
        match c {
            SyncChange::Create(item) => {
                m.push_str("<t:Create>");
                calendar_item_xml(&mut m, item, parent);
                m.push_str("</t:Create>");
            }
            SyncChange::Update(item) => {
                m.push_str("<t:Update>");
                calendar_item_xml(&mut m, item, parent);
                m.push_str("</t:Update>");
            }
            SyncChange::Delete(id) => {
                let _ = write!(m, "<t:Delete><t:ItemId Id=\"{}\"/></t:Delete>", esc(id));
            }
        }
    }
    m.push_str("</m:Changes></m:SyncFolderItemsResponseMessage>");
    response("SyncFolderItems", &m)
}
