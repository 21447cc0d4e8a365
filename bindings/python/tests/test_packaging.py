"""What the installed package offers beyond parsing: split_envelopes as Node and WASM have it,
GlobalObjectIds that pickle and deep-copy, and the metadata a wheel carries."""

from __future__ import annotations

import copy
import multiprocessing
import pickle
from importlib import metadata

import pytest

import ews_notify
from conftest import BODIES

GOID_HEX = (
    "040000008200E00074C5B7101A82E00807D803195025D461E473C801"
    "0000000000000000100000002A5844B3A444F74A9C246C60886F116B"
)


def _streamed(body: bytes) -> list[bytes]:
    splitter = ews_notify.StreamSplitter()
    splitter.feed(body)
    out = list(splitter)
    splitter.finish()
    return out


def test_split_envelopes_gives_the_stream_splitters_envelopes() -> None:
    bodies = sorted(BODIES.glob("*.xml"))
    checked = 0
    for path in bodies:
        body = path.read_bytes()
        try:
            expected = _streamed(body)
        except ews_notify.ParseError as error:
            with pytest.raises(ews_notify.ParseError) as raised:
                ews_notify.split_envelopes(body)
            assert (raised.value.code, raised.value.offset) == (error.code, error.offset), path
            continue
        assert ews_notify.split_envelopes(body) == expected, path
        checked += 1
    assert checked >= 5, "corpus went missing"


def test_split_envelopes_takes_text_and_limits() -> None:
    one = '<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"/>'
    assert ews_notify.split_envelopes(one + "\n" + one) == [one.encode()] * 2
    with pytest.raises(ews_notify.ParseError) as raised:
        ews_notify.split_envelopes(one * 3, max_stream_bytes=100)
    assert raised.value.code == "too_large"
    with pytest.raises(TypeError):
        ews_notify.split_envelopes(42)  # type: ignore[arg-type]


def _uid(goid: ews_notify.GlobalObjectId) -> str:
    return goid.ical_uid


def test_global_object_ids_pickle_deep_copy_and_cross_processes() -> None:
    goid = ews_notify.GlobalObjectId.from_hex(GOID_HEX)
    again = pickle.loads(pickle.dumps(goid))
    assert again == goid and again.hex == goid.hex
    assert copy.deepcopy(goid) == goid
    assert copy.copy(goid) == goid
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        assert pool.map(_uid, [goid]) == [goid.ical_uid]


def test_the_installed_distribution_carries_its_metadata() -> None:
    meta = metadata.metadata("ews-notify")
    assert meta["License-Expression"] == "MIT OR Apache-2.0"
    files = {str(f) for f in metadata.files("ews-notify") or []}
    assert any(f.endswith("LICENSE-MIT") for f in files), files
    assert any(f.endswith("LICENSE-APACHE") for f in files), files
    classifiers = meta.get_all("Classifier") or []
    assert "Typing :: Typed" in classifiers
    assert any(c.startswith("Programming Language :: Python :: 3.") for c in classifiers)
