"""The meeting correlator from Python: the seed's split series, fed as raw envelopes."""

from __future__ import annotations

from typing import Any

import pytest

import ews_notify
from conftest import REPO

FIXTURES = REPO / "meetings" / "tests" / "fixtures"
OLD = "BAAAAIIA4AB0xbcQGoLgCAAAAADIsGZkvZTOAQAAAAAAAAAAEAAAAL7jcbkKvu5CkiLigoQ5+PI="
NEW = "BAAAAIIA4AB0xbcQGoLgCAAAAAAouLOLvZTOAQAAAAAAAAAAEAAAAKD44Bwh7SFNoqxBurnSKYk="
MAILBOX = "test@test.com"


def feed(c: ews_notify.Correlator, events: str, answer: str | None) -> list[dict[str, Any]]:
    ids = c.accept(MAILBOX, (FIXTURES / events).read_bytes())
    if answer is None:
        assert ids == []
        return c.bound()
    request = c.get_item_request(ids)
    assert 'PropertyId="35"' in request and "calendar:DeletedOccurrences" in request
    return c.bound((FIXTURES / answer).read_bytes())


def test_split_series_names_every_part() -> None:
    c = ews_notify.Correlator()
    created = feed(c, "seed-2.1-created-events.xml", "seed-2.1-getitem.xml")
    assert [e["change"] for e in created] == ["created"]
    assert created[0]["meeting"]["cleanGlobalObjectId"] == OLD
    assert list(created[0])[:3] == ["kind", "eventId", "change"]
    split = feed(c, "seed-2.3-split-events.xml", "seed-2.3-split-getitem.xml")
    assert [e["change"] for e in split] == ["updated", "seriesSplit"]
    assert split[1]["meeting"]["cleanGlobalObjectId"] == NEW
    assert split[1]["split"]["previousMeeting"]["cleanGlobalObjectId"] == OLD
    assert split[1]["split"]["splitDate"] == "2013-08-09"
    deleted = feed(c, "seed-2.4-2.5-deleted-events.xml", None)
    assert [(e["change"], e["meeting"]["cleanGlobalObjectId"]) for e in deleted] == [
        ("deleted", OLD),
        ("deleted", NEW),
    ]
    assert c.tracked == 0


def test_one_batch_at_a_time_and_typed_errors() -> None:
    c = ews_notify.Correlator()
    c.accept(MAILBOX, (FIXTURES / "seed-2.1-created-events.xml").read_text())
    assert c.pending == MAILBOX
    with pytest.raises(RuntimeError):
        c.accept(MAILBOX, (FIXTURES / "seed-2.1-created-events.xml").read_bytes())
    with pytest.raises(ews_notify.ParseError) as bad:
        c.bound(b"<s:Envelope")
    assert bad.value.code == "unexpected_eof"
    assert c.pending == MAILBOX, "a bad answer leaves the batch waiting"
    # A failed GetItem: the created item cannot be named, and says why.
    events = c.bound(None)
    assert [(e["change"], e["reason"]) for e in events] == [("unresolved", "noAnswer")]
    with pytest.raises(ews_notify.ParseError) as wrong:
        c.accept(MAILBOX, (FIXTURES / "getitem-item-not-found.xml").read_bytes())
    assert wrong.value.code == "unexpected_body"
    with pytest.raises(RuntimeError):
        c.bound()
