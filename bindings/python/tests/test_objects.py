"""The typed objects: attributes agree with the canonical JSON, they are frozen, they compare."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

import ews_notify
from conftest import case_id, corpus_cases, golden_error



def _parsed() -> List[Tuple[Path, ews_notify.Envelope]]:
    """The corpus inputs that must parse (a mismatch with a golden is test_corpus's to report)."""
    out = []
    for xml, golden in corpus_cases():
        if golden_error(golden.read_text("utf-8")) is None:
            try:
                out.append((xml, ews_notify.parse_notification(xml.read_bytes())))
            except ews_notify.ParseError:
                continue
    return out


PARSED = _parsed()
ITEM_KINDS = ("getItemResponse", "findItemResponse", "syncFolderItemsResponse")
IDS = [case_id(x) for x, _ in PARSED]


def _object_id(value: Optional[ews_notify.ObjectId]) -> Optional[Dict[str, Any]]:
    if value is None:
        return None
    return {"id": value.id, "changeKey": value.change_key}


def _event(event: ews_notify.Event) -> Dict[str, Any]:
    return {
        "kind": event.kind,
        "watermark": event.watermark,
        "timestamp": event.timestamp,
        "itemId": _object_id(event.item_id),
        "folderId": _object_id(event.folder_id),
        "parentFolderId": _object_id(event.parent_folder_id),
        "oldItemId": _object_id(event.old_item_id),
        "oldFolderId": _object_id(event.old_folder_id),
        "oldParentFolderId": _object_id(event.old_parent_folder_id),
        "unreadCount": event.unread_count,
    }


def _subset(expected: Dict[str, Any], actual: Dict[str, Any]) -> Dict[str, Any]:
    """`actual` limited to the keys `expected` has (the JSON may carry more, e.g. unknown)."""
    return {k: actual.get(k) for k in expected}


@pytest.mark.parametrize(("xml", "envelope"), PARSED, ids=IDS)
def test_attributes_agree_with_the_json(xml: Any, envelope: ews_notify.Envelope) -> None:
    data = envelope.to_dict()
    assert envelope.kind == data["kind"]
    assert envelope.soap_version == data["soapVersion"]
    if envelope.server_version is None:
        assert data["serverVersion"] is None
    else:
        assert envelope.server_version.to_dict() == data["serverVersion"]
        sv = envelope.server_version
        assert [
            sv.major_version,
            sv.minor_version,
            sv.major_build_number,
            sv.minor_build_number,
            sv.version,
        ] == list(data["serverVersion"].values())
    if envelope.kind == "fault":
        fault = envelope.fault
        assert fault is not None, "a fault envelope exposes its fault"
        assert envelope.response_messages == []
        assert fault.fault_code == data["faultCode"]
        assert fault.fault_string == data["faultString"]
        assert fault.response_code == data["responseCode"]
        assert fault.message_text == data["messageText"]
        assert fault.back_off_milliseconds == data["backOffMilliseconds"]
        pairs = fault.message_xml
        assert (dict(pairs) if pairs is not None else None) == data["messageXml"]
        return
    assert envelope.fault is None
    if envelope.kind not in ITEM_KINDS:
        assert envelope.item_response_messages == []
    if envelope.kind in ITEM_KINDS:
        assert envelope.response_messages == [], "item responses are not notification messages"
        item_messages = envelope.item_response_messages
        assert [m.to_dict() for m in item_messages] == data["responseMessages"]
        for item_message, mdata in zip(item_messages, data["responseMessages"]):
            assert item_message.response_class == mdata["responseClass"]
            assert item_message.response_code == mdata["responseCode"]
            assert item_message.back_off_milliseconds == mdata["backOffMilliseconds"]
            assert item_message.sync_state == mdata.get("syncState")
            assert item_message.total_items_in_view == mdata.get("totalItemsInView")
            changes = item_message.changes
            items = item_message.items + [c.item for c in changes if c.item is not None]
            expected_items = mdata.get("items", []) + [
                c["item"] for c in mdata.get("changes", []) if c.get("item") is not None
            ]
            assert [i.to_dict() for i in items] == expected_items
            for item, idata in zip(items, expected_items):
                assert item.subject == idata["subject"]
                assert item.calendar_item_type == idata["calendarItemType"]
                assert _object_id(item.item_id) == idata["itemId"]
                goid = item.global_object_id
                assert (goid.to_dict() if goid else None) == idata["globalObjectId"]
                assert item.uid == idata["uid"]
            for change, cdata in zip(changes, mdata.get("changes", [])):
                assert change.kind == cdata["kind"]
                assert change.to_dict() == cdata
        return
    messages = envelope.response_messages
    assert len(messages) == len(data["responseMessages"])
    for message, mdata in zip(messages, data["responseMessages"]):
        assert message.to_dict() == mdata
        assert message.response_class == mdata["responseClass"]
        assert message.response_code == mdata["responseCode"]
        assert message.message_text == mdata["messageText"]
        assert message.descriptive_link_key == mdata["descriptiveLinkKey"]
        pairs = message.message_xml
        assert (dict(pairs) if pairs is not None else None) == mdata["messageXml"]
        assert message.back_off_milliseconds == mdata["backOffMilliseconds"]
        assert message.subscription_id == mdata["subscriptionId"]
        assert message.watermark == mdata["watermark"]
        assert message.connection_status == mdata["connectionStatus"]
        assert message.error_subscription_ids == mdata["errorSubscriptionIds"]
        assert message.unknown_elements == mdata.get("unknownElements", [])
        notifications = message.notifications
        assert len(notifications) == len(mdata["notifications"])
        for notification, ndata in zip(notifications, mdata["notifications"]):
            assert notification.to_dict() == ndata
            assert notification.subscription_id == ndata["subscriptionId"]
            assert notification.previous_watermark == ndata["previousWatermark"]
            assert notification.more_events == ndata["moreEvents"]
            events = notification.events
            assert len(events) == len(ndata["events"])
            for event, edata in zip(events, ndata["events"]):
                assert event.to_dict() == edata
                mine = _event(event)
                assert mine == _subset(mine, edata)
                if event.kind == "unknown":
                    assert event.unknown_name, "an unknown event keeps its element name"
                else:
                    assert event.unknown_name is None


def _all_events(envelope: ews_notify.Envelope) -> List[ews_notify.Event]:
    return [
        e for m in envelope.response_messages for n in m.notifications for e in n.events
    ]


def test_the_corpus_has_events_of_many_kinds() -> None:
    kinds = {e.kind for _, env in PARSED for e in _all_events(env)}
    assert {"created", "deleted", "modified", "moved", "newMail", "status"} <= kinds, kinds


@pytest.mark.parametrize(("xml", "envelope"), PARSED, ids=IDS)
def test_objects_are_frozen_and_compare_by_value(xml: Any, envelope: ews_notify.Envelope) -> None:
    again = ews_notify.parse_notification(xml.read_bytes())
    assert envelope == again
    assert envelope is not again
    with pytest.raises(AttributeError):
        envelope.kind = "fault"  # type: ignore[misc]
    with pytest.raises(TypeError):
        hash(envelope)
    assert repr(envelope).startswith("<Envelope " + envelope.kind)
    for message in envelope.response_messages:
        assert repr(message).startswith("<ResponseMessage ")
        for notification in message.notifications:
            assert repr(notification).startswith("<Notification subscription_id=")
            for event in notification.events:
                assert repr(event).startswith("<Event " + event.kind)
                assert event == event
                if event.item_id is not None:
                    same = event.item_id
                    assert same == event.item_id and hash(same) == hash(event.item_id)
                    assert repr(same).startswith("ObjectId(id='")


def test_parse_rejects_other_types() -> None:
    with pytest.raises(TypeError):
        ews_notify.parse_notification(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ews_notify.parse_notification(memoryview(b"<a/>"))  # type: ignore[arg-type]


def test_limits_are_keyword_only_and_enforced() -> None:
    xml, envelope = next((x, e) for x, e in PARSED if _all_events(e))
    data = xml.read_bytes()
    with pytest.raises(ews_notify.ParseError) as raised:
        ews_notify.parse_notification(data, max_bytes=len(data) - 1)
    assert raised.value.code == "too_large"
    assert ews_notify.parse_notification(data, max_bytes=len(data)) == envelope
    with pytest.raises(ews_notify.ParseError) as raised:
        ews_notify.parse_notification(data, max_depth=3)
    assert raised.value.code == "too_deep"
    events = len(_all_events(envelope))
    with pytest.raises(ews_notify.ParseError) as raised:
        ews_notify.parse_notification(data, max_events=events - 1)
    assert raised.value.code == "too_many_events"
    assert ews_notify.parse_notification(data, max_events=events) == envelope
    with pytest.raises(TypeError):
        ews_notify.parse_notification(data, len(data))  # type: ignore[call-arg]


def test_errors_carry_code_offset_and_a_message() -> None:
    with pytest.raises(ews_notify.ParseError) as raised:
        ews_notify.parse_notification(b"<!DOCTYPE x [<!ENTITY a 'b'>]><x/>")
    error = raised.value
    assert error.code == "dtd_refused"
    assert error.offset == 0
    assert "document type declarations are refused" in str(error)
    assert error.args[1:] == ("dtd_refused", 0)
    import pickle

    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), copy.code, copy.offset, str(copy)) == (
        ews_notify.ParseError,
        error.code,
        error.offset,
        str(error),
    )
