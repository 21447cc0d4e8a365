"""GlobalObjectId: the shared vectors, and the Python-side types (datetime, date, bytes, hash)."""

from __future__ import annotations

import datetime
import json
from typing import Any, Dict, List

import pytest

import ews_notify
from conftest import CORPUS
from ews_notify import GlobalObjectId

VECTORS: List[Dict[str, Any]] = json.loads((CORPUS / "goid" / "vectors.json").read_text("utf-8"))[
    "vectors"
]
# 1601-01-01 to 1970-01-01 in 100 ns ticks.
UNIX_EPOCH_AS_FILETIME = 116_444_736_000_000_000


def test_vectors_were_found() -> None:
    assert len(VECTORS) >= 30, "the GOID vectors went missing"
    assert any("error" in v["expected"] for v in VECTORS)
    assert any("uid" in v["input"] for v in VECTORS)


def _decode(given: Dict[str, Any]) -> GlobalObjectId:
    if "hex" in given:
        return GlobalObjectId.from_hex(given["hex"])
    if "base64" in given:
        return GlobalObjectId.from_base64(given["base64"])
    if "text" in given:
        return GlobalObjectId.decode(given["text"])
    date = given.get("instanceDate")
    return GlobalObjectId.from_ical_uid(
        given["uid"], datetime.date.fromisoformat(date) if date else None
    )


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_vector(vector: Dict[str, Any]) -> None:
    expected = vector["expected"]
    if "error" in expected:
        with pytest.raises(ews_notify.GoidError) as raised:
            _decode(vector["input"])
        assert (raised.value.code, raised.value.offset) == (
            expected["error"]["code"],
            expected["error"]["offset"],
        ), str(raised.value)
        assert isinstance(raised.value, ews_notify.ParseError)
        return
    goid = _decode(vector["input"])
    assert goid.to_json() == json.dumps(expected, separators=(",", ":"), ensure_ascii=False)
    assert goid.to_dict() == expected
    for key, value in vector.get("published", {}).items():
        assert expected[key] == value, f"published {key} changed"
    # Every property agrees with the canonical JSON.
    assert goid.hex == expected["hex"]
    assert goid.base64 == expected["base64"]
    assert bytes(goid) == goid.to_bytes() == bytes.fromhex(expected["hex"])
    date = goid.instance_date
    assert (date.isoformat() if date else None) == expected["instanceDate"]
    assert goid.data_size == expected["dataSize"]
    assert goid.data.hex().upper() == expected["dataHex"]
    assert goid.vcal_uid == expected["vcalUid"]
    assert goid.is_exception == expected["isException"]
    assert goid.clean().hex == expected["cleanHex"]
    assert goid.clean().base64 == expected["cleanBase64"] == goid.restriction_value
    assert goid.ical_uid == expected["icalUid"]
    assert [
        {"code": w.code, "offset": w.offset, "message": w.message} for w in goid.warnings
    ] == expected["warnings"]
    assert len(goid.reserved) == 8
    _check_creation_time(goid, expected["creationTime"])
    # Bytes identity, cleaning and meeting identity.
    assert GlobalObjectId(bytes(goid)) == goid
    assert hash(GlobalObjectId.from_bytes(bytes(goid))) == hash(goid)
    assert goid.same_meeting(goid.clean()) and ews_notify.same_meeting(goid.clean(), goid)
    assert (goid == goid.clean()) == (not goid.is_exception)
    assert not goid.clean().is_exception


def _check_creation_time(goid: GlobalObjectId, expected: Any) -> None:
    ticks = goid.creation_filetime
    created = goid.creation_time
    if expected is None:
        assert created is None
        return
    assert created is not None
    assert created.tzinfo is datetime.timezone.utc, "creation_time is an aware UTC datetime"
    # The canonical text has all seven tick digits; datetime keeps the first six.
    assert created.strftime("%Y-%m-%dT%H:%M:%S.%f") == expected[:26]
    assert expected.endswith("Z") and len(expected) == 28
    assert int(expected[26]) == ticks % 10, "the seventh digit is the tick the datetime drops"
    since_epoch = created - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    micros = (since_epoch.days * 86_400 + since_epoch.seconds) * 1_000_000 + since_epoch.microseconds
    assert micros * 10 + ticks % 10 == ticks - UNIX_EPOCH_AS_FILETIME


def test_equality_is_on_exact_bytes_and_same_meeting_on_the_clean_form() -> None:
    series = GlobalObjectId.from_hex(
        "040000008200E00074C5B7101A82E008000000005025D461E473C801"
        "0000000000000000100000002A5844B3A444F74A9C246C60886F116B"
    )
    exception = series.with_instance_date(datetime.date(2008, 3, 25))
    assert exception.is_exception and exception.instance_date == datetime.date(2008, 3, 25)
    assert exception != series, "== compares exact bytes"
    assert len({series, exception}) == 2
    assert exception.same_meeting(series)
    assert exception.clean() == series and hash(exception.clean()) == hash(series)
    assert {exception.clean(): "meeting"}[series] == "meeting"
    assert exception != exception.hex  # never equal to a non-GOID
    assert repr(exception) == f"GlobalObjectId.from_hex('{exception.hex}')"
    other = GlobalObjectId.from_ical_uid("some-other-system-uid")
    assert not other.same_meeting(series)
    assert series.with_instance_date(None) == series


def test_constructors_accept_bytes_like_and_reject_other_types() -> None:
    goid = GlobalObjectId.from_base64(
        "BAAAAIIA4AB0xbcQGoLgCAAAAABqFxwHnpTOAQAAAAAAAAAAEAAAAErmMOMEWQpJoohCYDFvDhU="
    )
    assert GlobalObjectId(bytearray(bytes(goid))) == goid
    with pytest.raises(TypeError):
        GlobalObjectId("not bytes")  # type: ignore[arg-type]
    with pytest.raises(ews_notify.GoidError) as raised:
        GlobalObjectId(b"\x04\x00\x00")
    assert (raised.value.code, raised.value.offset) == ("goid_too_short", 3)
