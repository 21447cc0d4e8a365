"""Cross-binding conformance: the whole corpus through ``parse_notification(...).to_json()``.

Each output must equal the golden re-serialized compactly, byte for byte; inputs whose golden
is ``{"error": {...}}`` must raise ``ParseError`` with that code and offset.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ews_notify
from conftest import CORPUS, case_id, compact, corpus_cases, golden_error

CASES = corpus_cases()


def _is_utf8(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# Inputs that are not UTF-8 have no `str` form; they are covered by the bytes test.
STR_CASES = [(x, g) for x, g in CASES if _is_utf8(x)]
# The corpus has well over this many golden cases; fewer means it went missing.
MIN_CASES = 40


def test_corpus_was_found() -> None:
    assert CORPUS.is_dir(), f"corpus directory {CORPUS} is missing"
    assert len(CASES) >= MIN_CASES, f"only {len(CASES)} corpus cases under {CORPUS}"
    errors = [xml for xml, golden in CASES if golden_error(golden.read_text("utf-8"))]
    assert errors, "the corpus holds no input that must fail"
    assert len(errors) < len(CASES), "the corpus holds no input that must parse"


@pytest.mark.parametrize(("xml", "golden"), CASES, ids=[case_id(x) for x, _ in CASES])
def test_bytes_input_matches_golden(xml: Path, golden: Path) -> None:
    data = xml.read_bytes()
    text = golden.read_text("utf-8")
    expected_error = golden_error(text)
    if expected_error is None:
        envelope = ews_notify.parse_notification(data)
        assert envelope.to_json() == compact(text)
        assert envelope.to_dict() == json.loads(text)
    else:
        with pytest.raises(ews_notify.ParseError) as raised:
            ews_notify.parse_notification(data)
        assert (raised.value.code, raised.value.offset) == (
            expected_error["code"],
            expected_error["offset"],
        ), str(raised.value)
        assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(("xml", "golden"), STR_CASES, ids=[case_id(x) for x, _ in STR_CASES])
def test_str_input_gives_the_same_result_as_bytes(xml: Path, golden: Path) -> None:
    data = xml.read_bytes()
    text = data.decode("utf-8")
    try:
        from_bytes = ews_notify.parse_notification(data).to_json()
    except ews_notify.ParseError as error:
        with pytest.raises(ews_notify.ParseError) as raised:
            ews_notify.parse_notification(text)
        assert (raised.value.code, raised.value.offset) == (error.code, error.offset)
        return
    assert ews_notify.parse_notification(text).to_json() == from_bytes
    assert ews_notify.parse_notification(bytearray(data)).to_json() == from_bytes
