"""exchangelib, a client we did not write, against the `ews-sim` binary.

exchangelib sets up an account with Basic credentials and no autodiscover, creates, edits,
cancels and deletes meetings (a single meeting, a weekly series, one occurrence edited and one
deleted, the series split by a new weekday), follows the calendar with a pull and a streaming
subscription, and reads its own notifications. Every event exchangelib received is compared,
in order, with the events the simulator's ledger says each change produced.

The binary comes from EWS_SIM_BIN (`.ci/steps/exchangelib.sh` builds it).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from exchangelib import (
    BASIC,
    DELEGATE,
    Account,
    Attendee,
    CalendarItem,
    Configuration,
    Credentials,
    EWSDate,
    EWSDateTime,
    EWSTimeZone,
    ExtendedProperty,
    Mailbox,
)
from exchangelib.fields import THURSDAY
from exchangelib.items import SEND_TO_ALL_AND_SAVE_COPY, SEND_TO_NONE
from exchangelib.recurrence import Recurrence, WeeklyPattern

ALICE = "alice@example.com"
BOB = "bob@example.com"
TEAM = "team@example.com"
UTC = EWSTimeZone("UTC")


class SimGlobalObjectId(ExtendedProperty):
    """PidLidGlobalObjectId ([MS-OXPROPS]), asked for by its distinguished property set."""

    distinguished_property_set_id = "Meeting"
    property_id = 0x03
    property_type = "Binary"


class SimCleanGlobalObjectId(ExtendedProperty):
    """PidLidCleanGlobalObjectId, asked for by the property set's GUID."""

    property_set_id = "6ed8da90-450b-101b-98da-00aa003f1305"
    property_id = 0x23
    property_type = "Binary"


CalendarItem.register("sim_goid", SimGlobalObjectId)
CalendarItem.register("sim_clean_goid", SimCleanGlobalObjectId)


@pytest.fixture
def sim():
    binary = os.environ.get("EWS_SIM_BIN")
    if not binary:
        pytest.fail("EWS_SIM_BIN must name the ews-sim binary (see .ci/steps/exchangelib.sh)")
    workdir = Path(tempfile.mkdtemp(prefix="ews-sim-exchangelib-"))
    ledger = workdir / "ledger.jsonl"
    proc = subprocess.Popen(
        [
            binary,
            "--addr", "127.0.0.1:0",
            "--mailbox", ALICE,
            "--mailbox", BOB,
            "--group", f"{TEAM}={ALICE},{BOB}",
            "--ledger", str(ledger),
            # One protocol minute lasts a second: a streaming connection of
            # ConnectionTimeout 1 closes after one second.
            "--minute-ms", "1000",
            "--heartbeat-ms", "200",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = proc.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:") and url.endswith("/EWS/Exchange.asmx"), url
    yield {"url": url, "ledger": ledger}
    proc.terminate()
    assert proc.wait(timeout=20) == 0, "ews-sim exits cleanly on SIGTERM"


def account(sim, smtp=ALICE, **kwargs) -> Account:
    config = Configuration(
        service_endpoint=sim["url"],
        credentials=Credentials(smtp, "any password"),
        auth_type=BASIC,
        **kwargs,
    )
    return Account(smtp, config=config, autodiscover=False, access_type=DELEGATE)


def ledger(sim) -> list[dict]:
    return [json.loads(line) for line in sim["ledger"].read_text().splitlines()]


def at(day: int, month: int = 1, year: int = 2026, hour: int = 9) -> EWSDateTime:
    return EWSDateTime(year, month, day, hour, tzinfo=UTC)


def seen(events) -> list[tuple]:
    """exchangelib's events as (kind, item or folder id, old item id); status events left out."""
    out = []
    for e in events:
        kind = type(e).__name__
        if kind == "StatusEvent":
            continue
        target = e.item_id.id if e.item_id is not None else e.folder_id.id
        old = getattr(e, "old_item_id", None)
        out.append((kind, target, old.id if old is not None else None))
    return out


def expected(entries: list[dict], mailbox: str, folder_id: str) -> list[tuple]:
    """The events of `entries` a subscription on `folder_id` of `mailbox` sees, in order."""
    out = []
    for entry in entries:
        if entry["mailbox"] != mailbox:
            continue
        for e in entry["events"]:
            if folder_id not in (e["parentFolderId"], e.get("oldParentFolderId"), e.get("folderId")):
                continue
            target = e["itemId"] if e["itemId"] is not None else e["folderId"]
            out.append((e["event"], target, e.get("oldItemId")))
    return out


def make_meetings(a: Account) -> dict:
    """The seed's scenarios through exchangelib; returns the ids involved."""
    cal = a.calendar
    single = CalendarItem(
        account=a,
        folder=cal,
        subject="1:1",
        start=at(20),
        end=at(20, hour=10),
        required_attendees=[Attendee(mailbox=Mailbox(email_address=BOB))],
    )
    single.save(send_meeting_invitations=SEND_TO_ALL_AND_SAVE_COPY)
    single.subject = "1:1 (agenda)"
    single.save(update_fields=["subject"], send_meeting_invitations=SEND_TO_NONE)

    # A weekly series that began in the past (the simulator's "now" is 2026-01-05).
    series = CalendarItem(
        account=a,
        folder=cal,
        subject="weekly sync",
        start=at(4, 12, 2025),
        end=at(4, 12, 2025, hour=10),
        recurrence=Recurrence(
            pattern=WeeklyPattern(interval=1, weekdays=[THURSDAY]),
            start=EWSDate(2025, 12, 4),
            number=8,
        ),
    )
    series.save(send_meeting_invitations=SEND_TO_NONE)

    # One occurrence edited (seed 1.4: with a new time), one deleted (seed 1.6).
    sixth = series.occurrence(6)
    sixth.refresh()
    assert sixth.type == "Occurrence" and sixth.start == at(8)
    sixth.subject = "weekly sync (moved)"
    sixth.start = at(8, hour=11)
    sixth.end = at(8, hour=12)
    sixth.save(update_fields=["subject", "start", "end"], send_meeting_invitations=SEND_TO_NONE)
    exception = a.calendar.get(id=sixth.id)
    seventh = series.occurrence(7)
    seventh.refresh()
    seventh.delete(send_meeting_cancellations=SEND_TO_NONE)

    # Seed 2.3: a new weekday for a series that began in the past splits it.
    series.refresh()
    series.start = at(5, 12, 2025)
    series.end = at(5, 12, 2025, hour=10)
    series.save(update_fields=["start", "end"], send_meeting_invitations=SEND_TO_NONE)

    # The organizer cancels the single meeting; deletes the ongoing part for good; moves the
    # past part to Deleted Items.
    single.refresh()
    single.cancel()
    return {"single": single.id, "series": series.id, "exception": exception}


def test_account_setup_folders_and_names(sim):
    a = account(sim)
    assert a.root.id and a.calendar.id and a.inbox.id and a.trash.id
    assert a.calendar.name == "Calendar"
    assert a.msg_folder_root.id != a.root.id
    names = {f.name for f in a.root.walk()}
    assert {"Calendar", "Inbox", "Deleted Items"} <= names
    resolved = a.protocol.resolve_names([BOB])
    assert [m.email_address for m in resolved] == [BOB]
    members = a.protocol.expand_dl(TEAM)
    assert sorted(m.email_address for m in members) == [ALICE, BOB]


def test_pull_notifications_match_the_ledger(sim):
    a = account(sim)
    cal = a.calendar
    subscription, watermark = cal.subscribe_to_pull()
    start = len(ledger(sim))
    ids = make_meetings(a)
    entries = ledger(sim)[start:]

    events = []
    for notification in cal.get_events(subscription, watermark):
        events.extend(notification.events)
    got = seen(events)
    want = expected(entries, ALICE, cal.id)
    # Every change logs an item event and the calendar's ModifiedEvent; the split two of
    # each, the cancellation a move out of the calendar.
    assert len(want) >= 16, want
    assert got == want, f"exchangelib saw {got}\nthe simulator did {want}"
    cal.unsubscribe(subscription)

    changes = [e["change"] for e in entries if e["mailbox"] == ALICE]
    for change in [
        "created", "modified", "seriesCreated", "occurrenceModified",
        "occurrenceDeleted", "seriesSplit", "moved",
    ]:
        assert change in changes, f"{change} in {changes}"
    # Bob got the invitation and the cancellation.
    bob = [e["change"] for e in entries if e["mailbox"] == BOB]
    assert bob == ["created", "cancelled"], bob

    # The split as exchangelib sees it: same ItemId, a new GlobalObjectId; the past part
    # carries the old one (the ledger names both).
    split = next(e for e in entries if e["change"] == "seriesSplit")
    created = next(e for e in entries if e["change"] == "seriesCreated")
    assert split["itemId"] == ids["series"]
    ongoing = a.calendar.get(id=ids["series"])
    past = a.calendar.get(id=split["split"]["pastItemId"])
    assert base64.b64encode(past.sim_goid).decode() == created["globalObjectId"]
    assert base64.b64encode(ongoing.sim_goid).decode() == split["globalObjectId"]
    assert ongoing.sim_goid != past.sim_goid
    assert ongoing.start == at(9)
    assert past.recurrence.boundary.number == 5 and ongoing.recurrence.boundary.number == 3


def test_streaming_notifications_match_the_ledger(sim):
    a = account(sim)
    cal = a.calendar
    subscription = cal.subscribe_to_streaming()
    start = len(ledger(sim))
    make_meetings(a)
    entries = ledger(sim)[start:]
    events = []
    for notification in cal.get_streaming_events(subscription, connection_timeout=1):
        events.extend(notification.events)
    got = seen(events)
    want = expected(entries, ALICE, cal.id)
    # Every change logs an item event and the calendar's ModifiedEvent; the split two of
    # each, the cancellation a move out of the calendar.
    assert len(want) >= 16, want
    assert got == want, f"exchangelib saw {got}\nthe simulator did {want}"
    cal.unsubscribe(subscription)


def test_items_as_exchangelib_reads_them(sim):
    a = account(sim)
    start = len(ledger(sim))
    ids = make_meetings(a)
    entries = ledger(sim)[start:]

    # GetItem of the exception (read before the split): its instance date, its series'
    # meeting key.
    exception = ids["exception"]
    assert exception.type == "Exception"
    assert exception.original_start == at(8) and exception.start == at(8, hour=11)
    assert exception.recurrence_id == at(8)
    occurrence_entry = next(e for e in entries if e["change"] == "occurrenceModified")
    assert occurrence_entry["instanceDate"] == "2026-01-08"
    assert base64.b64encode(exception.sim_clean_goid).decode() == occurrence_entry[
        "cleanGlobalObjectId"
    ]

    # The cancelled meeting left Alice's calendar and is cancelled in Bob's.
    bob = account(sim, BOB)
    cancelled = list(bob.calendar.all())
    assert [i.subject for i in cancelled] == ["Canceled: 1:1"]
    assert cancelled[0].is_cancelled
    assert all(i.organizer.email_address == ALICE for i in cancelled)

    # A CalendarView honours its window.
    view = list(a.calendar.view(start=at(1), end=at(20)))
    in_window = [i for i in view if i.subject.startswith("weekly sync")]
    assert [i.start for i in in_window] == [at(1), at(9), at(16)], [
        (i.subject, i.start, i.type) for i in in_window
    ]

    # Deletes: the moved-away single is in Deleted Items, a hard delete leaves nothing.
    assert any(i.subject == "1:1 (agenda)" for i in a.trash.all())
    series = a.calendar.get(id=ids["series"])
    series.delete(send_meeting_cancellations=SEND_TO_NONE)
    assert ledger(sim)[-1]["change"] == "deleted"
    assert ledger(sim)[-1]["itemId"] == ids["series"]
