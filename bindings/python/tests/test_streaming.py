"""StreamSplitter: streaming bodies fed in random chunks give the same envelopes and errors as
the whole body fed at once."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import List, Optional, Tuple

import pytest

import ews_notify
from conftest import CORPUS, case_id

BODIES = sorted((CORPUS / "streaming" / "bodies").glob("*.xml"))

Outcome = Tuple[List[bytes], Optional[Tuple[str, Optional[int]]]]


def _drain(splitter: ews_notify.StreamSplitter, out: List[bytes]) -> None:
    out.extend(splitter)


def _split(body: bytes, sizes: List[int]) -> Outcome:
    """Feeds `body` in chunks of `sizes` (cycled); the envelopes and the first error."""
    splitter = ews_notify.StreamSplitter()
    envelopes: List[bytes] = []
    pos = 0
    index = 0
    try:
        while pos < len(body):
            size = sizes[index % len(sizes)]
            index += 1
            splitter.feed(body[pos : pos + size])
            pos += size
            _drain(splitter, envelopes)
        splitter.finish()
        _drain(splitter, envelopes)
    except ews_notify.ParseError as error:
        return envelopes, (error.code, error.offset)
    return envelopes, None


def test_streaming_bodies_were_found() -> None:
    assert len(BODIES) >= 5, "the streaming bodies went missing"


@pytest.mark.parametrize("path", BODIES, ids=[case_id(p) for p in BODIES])
def test_random_chunks_give_the_same_envelopes_as_one_chunk(path: Path) -> None:
    body = path.read_bytes()
    whole = _split(body, [len(body) or 1])
    envelopes, error = whole
    # Envelopes come out in order, each the exact bytes of the body.
    pos = 0
    for envelope in envelopes:
        found = body.find(envelope, pos)
        assert found >= pos, "an envelope is not a slice of the body, in order"
        pos = found + len(envelope)
    rng = random.Random(path.name)
    for _ in range(25):
        sizes = [rng.randint(1, 97) for _ in range(16)]
        assert _split(body, sizes) == whole, f"chunk sizes {sizes}"
    if len(body) <= 20_000:
        assert _split(body, [1]) == whole, "one byte at a time"


def _items(body: bytes, outcome: Outcome) -> List[str]:
    """The golden's items: each envelope's canonical JSON, or the error that ends the body
    (from the splitter, or from parsing that envelope), its offset counted from the body's start.
    """
    envelopes, split_error = outcome
    items: List[str] = []
    pos = 0
    for envelope in envelopes:
        start = body.index(envelope, pos)
        pos = start + len(envelope)
        try:
            items.append(ews_notify.parse_notification(envelope).to_json())
        except ews_notify.ParseError as error:
            offset = None if error.offset is None else start + error.offset
            items.append(_error_json(error.code, offset))
            return items
    if split_error is not None:
        items.append(_error_json(*split_error))
    return items


def _error_json(code: str, offset: Optional[int]) -> str:
    return json.dumps({"error": {"code": code, "offset": offset}}, separators=(",", ":"))


@pytest.mark.parametrize("path", BODIES, ids=[case_id(p) for p in BODIES])
def test_body_matches_its_golden_whatever_the_chunks(path: Path) -> None:
    body = path.read_bytes()
    golden = json.loads(path.with_suffix(".json").read_text("utf-8"))
    expected = [json.dumps(item, separators=(",", ":"), ensure_ascii=False) for item in golden]
    assert _items(body, _split(body, [len(body) or 1])) == expected
    rng = random.Random(path.name + "golden")
    sizes = [rng.randint(1, 4096) for _ in range(8)]
    assert _items(body, _split(body, sizes)) == expected, f"chunk sizes {sizes}"


def test_a_body_with_several_envelopes_parses_each() -> None:
    path = CORPUS / "streaming" / "bodies" / "streaming_two_envelopes_then_closed.xml"
    envelopes, error = _split(path.read_bytes(), [7])
    assert error is None and len(envelopes) >= 2
    statuses = [
        m.connection_status
        for e in envelopes
        for m in ews_notify.parse_notification(e).response_messages
    ]
    assert statuses[-1] == "Closed", statuses


def test_finish_inside_an_envelope_is_unexpected_eof() -> None:
    body = b'<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body>'
    splitter = ews_notify.StreamSplitter()
    splitter.feed(body)
    assert list(splitter) == []
    assert splitter.bytes_seen == len(body)
    assert splitter.buffered == len(body)
    with pytest.raises(ews_notify.ParseError) as raised:
        splitter.finish()
    assert (raised.value.code, raised.value.offset) == ("unexpected_eof", len(body))
    # The splitter stays failed: every later call raises the same error.
    with pytest.raises(ews_notify.ParseError) as again:
        splitter.next_envelope()
    assert (again.value.code, again.value.offset) == ("unexpected_eof", len(body))
    with pytest.raises(ews_notify.ParseError):
        splitter.feed(b"</Body></Envelope>")


def test_stream_budget_is_enforced() -> None:
    one = b'<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"/>'
    splitter = ews_notify.StreamSplitter(max_stream_bytes=len(one) + 5)
    splitter.feed(one)
    with pytest.raises(ews_notify.ParseError) as raised:
        splitter.feed(one)
    assert raised.value.code == "too_large"
    assert splitter.next_envelope() == one, "envelopes before the error still come out"
    splitter = ews_notify.StreamSplitter(max_bytes=10)
    splitter.feed(one)
    with pytest.raises(ews_notify.ParseError) as raised:
        list(splitter)
    assert raised.value.code == "too_large"
