"""Fast, safe parser for Microsoft Exchange (EWS) notifications.

``ews_notify`` reads the SOAP envelopes Exchange sends to notification clients (push
``SendNotification``, pull ``GetEventsResponse``, streaming ``GetStreamingEventsResponse``,
subscribe/unsubscribe responses and SOAP faults) into frozen, typed objects; decodes calendar
GlobalObjectIds; and builds the EWS requests a notification client sends. The work is done by the
ews-notify Rust crate; every binding returns the same canonical JSON for the same input.

Example:
    >>> import ews_notify
    >>> envelope = ews_notify.parse_notification(
    ...     b'<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body>'
    ...     b'<GetEventsResponse xmlns="http://schemas.microsoft.com/exchange/services/2006/messages">'
    ...     b'<ResponseMessages><GetEventsResponseMessage ResponseClass="Success">'
    ...     b'<ResponseCode>NoError</ResponseCode><Notification>'
    ...     b'<SubscriptionId xmlns="http://schemas.microsoft.com/exchange/services/2006/types">sub</SubscriptionId>'
    ...     b'</Notification></GetEventsResponseMessage></ResponseMessages>'
    ...     b'</GetEventsResponse></Body></Envelope>')
    >>> envelope.kind
    'getEventsResponse'
    >>> envelope.response_messages[0].notifications[0].subscription_id
    'sub'
"""

import copyreg

from ._errors import GoidError, ParseError, RequestError
from ._native import (
    CalendarItem,
    Correlator,
    Envelope,
    Event,
    ExtendedFieldUri,
    ExtendedProperty,
    Fault,
    GlobalObjectId,
    GoidWarning,
    ItemResponseMessage,
    Mailbox,
    Notification,
    ObjectId,
    ResponseMessage,
    ServerVersion,
    StreamSplitter,
    SyncChange,
    __version__,
    calendar_view_request,
    find_item_by_clean_goid_request,
    get_events_request,
    get_item_request,
    get_streaming_events_request,
    http_headers,
    parse_notification,
    pull_subscribe_request,
    push_subscribe_request,
    same_meeting,
    send_notification_result,
    split_envelopes,
    streaming_subscribe_request,
    sync_folder_items_request,
    unsubscribe_request,
)

__all__ = [
    "CalendarItem",
    "Correlator",
    "Envelope",
    "Event",
    "ExtendedFieldUri",
    "ExtendedProperty",
    "Fault",
    "GlobalObjectId",
    "GoidError",
    "GoidWarning",
    "ItemResponseMessage",
    "Mailbox",
    "Notification",
    "ObjectId",
    "ParseError",
    "RequestError",
    "ResponseMessage",
    "ServerVersion",
    "StreamSplitter",
    "SyncChange",
    "__version__",
    "calendar_view_request",
    "find_item_by_clean_goid_request",
    "get_events_request",
    "get_item_request",
    "get_streaming_events_request",
    "http_headers",
    "parse_notification",
    "pull_subscribe_request",
    "push_subscribe_request",
    "same_meeting",
    "send_notification_result",
    "split_envelopes",
    "streaming_subscribe_request",
    "sync_folder_items_request",
    "unsubscribe_request",
]


def _goid_from_bytes(data: bytes) -> GlobalObjectId:
    """Rebuilds a pickled :class:`GlobalObjectId` from its raw bytes."""
    return GlobalObjectId.from_bytes(data)


def _reduce_goid(goid: GlobalObjectId) -> tuple[object, tuple[bytes]]:
    return (_goid_from_bytes, (goid.to_bytes(),))


# GlobalObjectIds pickle and deep-copy (so they cross ``multiprocessing``) as their raw bytes.
copyreg.pickle(GlobalObjectId, _reduce_goid)  # type: ignore[arg-type]
