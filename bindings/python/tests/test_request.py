"""Request builders: they return core's XML, and core's checks raise RequestError."""

from __future__ import annotations

import datetime
import os
import subprocess
from pathlib import Path
from typing import Callable

import pytest

import ews_notify
from conftest import REPO

# Exchange's schema is not part of the repository: EWS_SCHEMA_DIR, else ../shared/ews-schema
# beside it (docs/ews-schema.md).
SCHEMA_DIR = Path(os.environ.get("EWS_SCHEMA_DIR") or REPO.parent / "shared" / "ews-schema")
SCHEMA = SCHEMA_DIR / "soap-envelope.xsd"
UTC = datetime.timezone.utc


def _requests() -> dict[str, str]:
    goid = ews_notify.GlobalObjectId.from_hex(
        "040000008200E00074C5B7101A82E00807D803195025D461E473C801"
        "0000000000000000100000002A5844B3A444F74A9C246C60886F116B"
    )
    return {
        "pull": ews_notify.pull_subscribe_request(
            event_types=["created", "ModifiedEvent", "deleted"],
            timeout_minutes=30,
            folders=["calendar"],
            mailbox="room1@example.com",
            watermark="AQAAAA==",
            version="Exchange2016",
            impersonate="room1@example.com",
        ),
        "push": ews_notify.push_subscribe_request(
            "https://listener.example.com/ews",
            event_types=["newMail"],
            status_frequency_minutes=5,
            folder_ids=["AAMkADk="],
        ),
        "streaming": ews_notify.streaming_subscribe_request(
            event_types=["created"], all_folders=True
        ),
        "get_events": ews_notify.get_events_request("sub-1", "AQAAAA=="),
        "get_streaming_events": ews_notify.get_streaming_events_request(["sub-1", "sub-2"], 30),
        "unsubscribe": ews_notify.unsubscribe_request("sub-1"),
        "send_notification_result": ews_notify.send_notification_result("Unsubscribe"),
        "get_item": ews_notify.get_item_request(["AAMk1"]),
        "find_item": ews_notify.find_item_by_clean_goid_request(goid.restriction_value),
        "calendar_view": ews_notify.calendar_view_request(
            datetime.datetime(2026, 1, 1, tzinfo=UTC),
            datetime.datetime(2026, 2, 1, tzinfo=UTC),
            max_entries=100,
        ),
        "sync_folder_items": ews_notify.sync_folder_items_request(
            512, folder="calendar", sync_state="H4sIAAAA", include_associated_items=True
        ),
    }


def test_builders_write_the_values_given() -> None:
    xml = _requests()
    assert "<t:Timeout>30</t:Timeout>" in xml["pull"]
    assert "room1@example.com" in xml["pull"] and 'Version="Exchange2016"' in xml["pull"]
    assert "<m:PushSubscriptionRequest" in xml["push"]
    assert "https://listener.example.com/ews" in xml["push"]
    assert "<m:StreamingSubscriptionRequest" in xml["streaming"]
    assert 'SubscribeToAllFolders="true"' in xml["streaming"]
    assert "<m:SubscriptionId>sub-1</m:SubscriptionId>" in xml["get_events"]
    assert "sub-2" in xml["get_streaming_events"]
    assert "Unsubscribe" in xml["send_notification_result"]
    assert 'Id="AAMk1"' in xml["get_item"]
    assert "BAAAAIIA4AB0xbcQGoLgCAAAAABQJdRh5HPIAQAAAAAAAAAAEAAAACpYRLOkRPdKnCRsYIhvEWs=" in (
        xml["find_item"]
    ), "the clean form is searched"
    assert "2026-01-01T00:00:00" in xml["calendar_view"]
    assert "NormalAndAssociatedItems" in xml["sync_folder_items"]
    for text in xml.values():
        assert text.startswith("<?xml") or text.startswith("<s:Envelope"), text[:80]


def _schema_or_skip(test: str) -> None:
    """Reports a missing schema as a skip (by name), or fails with EWS_SCHEMA_REQUIRED=1."""
    if SCHEMA.is_file():
        return
    if os.environ.get("EWS_SCHEMA_REQUIRED") == "1":
        pytest.fail(f"{test}: no EWS schema in {SCHEMA_DIR} and EWS_SCHEMA_REQUIRED=1")
    line = f"SKIPPED: ews_notify(python)::{test} (no EWS schema)"
    print(line)
    log = os.environ.get("EWS_SKIP_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(line + "\n")
    pytest.skip("no EWS schema")


def test_every_request_validates_against_the_ews_schema(tmp_path: Path) -> None:
    _schema_or_skip("test_every_request_validates_against_the_ews_schema")
    for name, text in _requests().items():
        if name == "send_notification_result":
            continue  # a response to Exchange, not a request: outside messages.xsd's roots
        path = tmp_path / f"{name}.xml"
        path.write_text(text, "utf-8")
        run = subprocess.run(
            ["xmllint", "--noout", "--schema", str(SCHEMA), str(path)],
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, f"{name}: {run.stderr}"


def test_get_item_takes_object_ids_from_events() -> None:
    xml = ews_notify.get_item_request(["AAMk1"])
    assert 'Id="AAMk1"' in xml
    with pytest.raises(TypeError):
        ews_notify.get_item_request([42])  # type: ignore[list-item]


BAD: list[tuple[str, Callable[[], str], str]] = [
    ("timeout 0", lambda: ews_notify.pull_subscribe_request(
        event_types=["created"], timeout_minutes=0, folders=["calendar"]), "out_of_range"),
    ("unknown event", lambda: ews_notify.streaming_subscribe_request(
        event_types=["exploded"], folders=["calendar"]), "unknown_name"),
    ("no event types", lambda: ews_notify.streaming_subscribe_request(
        event_types=[], folders=["calendar"]), "empty_list"),
    ("unknown folder", lambda: ews_notify.streaming_subscribe_request(
        event_types=["created"], folders=["attic"]), "unknown_name"),
    ("folders and all", lambda: ews_notify.streaming_subscribe_request(
        event_types=["created"], folders=["calendar"], all_folders=True), "conflicting_values"),
    ("unknown version", lambda: ews_notify.get_events_request(
        "sub", "wm", version="Exchange1999"), "unknown_name"),
    ("timeout 31", lambda: ews_notify.get_streaming_events_request(["sub"], 31), "out_of_range"),
    ("no subscriptions", lambda: ews_notify.get_streaming_events_request([], 30), "empty_list"),
    ("bad status", lambda: ews_notify.send_notification_result("maybe"), "unknown_name"),
    ("max 0", lambda: ews_notify.sync_folder_items_request(0, folder="calendar"), "out_of_range"),
    ("inverted", lambda: ews_notify.calendar_view_request(
        datetime.datetime(2026, 2, 1, tzinfo=UTC), datetime.datetime(2026, 1, 1, tzinfo=UTC)),
     "inverted_range"),
]


@pytest.mark.parametrize(("name", "build", "code"), BAD, ids=[b[0] for b in BAD])
def test_bad_values_raise_request_error(name: str, build: Callable[[], str], code: str) -> None:
    with pytest.raises(ews_notify.RequestError) as raised:
        build()
    assert raised.value.code == code, str(raised.value)
    assert isinstance(raised.value, ews_notify.ParseError)


def test_sync_folder_items_needs_one_folder() -> None:
    with pytest.raises(TypeError):
        ews_notify.sync_folder_items_request(10)
    with pytest.raises(TypeError):
        ews_notify.sync_folder_items_request(10, folder="calendar", folder_id="AAMk")
