#!/usr/bin/env python3
"""ews_notify vs exchangelib: the same corpus envelopes through both parsers.

exchangelib has no separate parser: its service classes parse responses. This drives those
classes' own response path, with no network, exactly as exchangelib's tests do:
``SendNotification(protocol=None).parse(body)`` for push, ``GetEvents(account=...).parse(body)``
for pull and ``GetStreamingEvents(account=...).parse(body)`` for streaming bodies. Each returns
``exchangelib.properties.Notification`` objects with typed events.

For every input the script first checks that both extract the same notifications and events
(ids, change keys, watermarks, timestamps, kinds), then times both with ``timeit`` (median of
``--repeat`` runs; by default on the process CPU-time clock, which a busy shared machine
disturbs far less than wall time) and prints microseconds per call and the ratio. Two ews_notify figures are
given: ``parse`` (``parse_notification``: objects are built when read) and ``parse+walk``
(parse, then read every field of every event, the work exchangelib always does).

Usage (a venv with ews_notify installed and ``pip install exchangelib==5.6.0``):

    python benches/python/compare_exchangelib.py [--repeat 7] [--markdown]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
import timeit
import types
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, List, Tuple

import ews_notify
from exchangelib.services import GetEvents, GetStreamingEvents, SendNotification

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "corpus"

# (label, corpus path, service, whole streaming body?)
INPUTS = [
    ("push, seed CreatedEvent", "push/created_event_wrapped_tags.xml", "push", False),
    (
        "push, typical (2 events)",
        "push/calendar_item_created_default_calendar_nbsp_replaced.xml",
        "push",
        False,
    ),
    ("pull, GetEvents 1,000 events", "pull/get_events_1000_events.xml", "pull", False),
    ("streaming, 1 envelope", "streaming/streaming_several_notifications.xml", "stream", False),
    ("streaming body, 100 envelopes", "streaming/bodies/streaming_100_envelopes.xml", "stream", True),
]

# exchangelib event class name -> canonical ews_notify kind.
KINDS = {
    "CopiedEvent": "copied",
    "CreatedEvent": "created",
    "DeletedEvent": "deleted",
    "ModifiedEvent": "modified",
    "MovedEvent": "moved",
    "NewMailEvent": "newMail",
    "StatusEvent": "status",
    "FreeBusyChangedEvent": "freeBusyChanged",
}

Row = Tuple[Any, ...]


def _service(kind: str) -> Any:
    account = types.SimpleNamespace(protocol=None)  # parse() never touches the network
    if kind == "push":
        return SendNotification(protocol=None)
    if kind == "pull":
        return GetEvents(account=account)
    return GetStreamingEvents(account=account)


def exchangelib_parse(service: Any, data: bytes) -> List[Any]:
    return list(service.parse(data))


def ews_parse_one(data: bytes) -> ews_notify.Envelope:
    return ews_notify.parse_notification(data)


def ews_parse_body(data: bytes) -> List[ews_notify.Envelope]:
    splitter = ews_notify.StreamSplitter()
    splitter.feed(data)
    splitter.finish()
    return [ews_notify.parse_notification(envelope) for envelope in splitter]


def _id(value: Any) -> Tuple[Any, Any]:
    if value is None:
        return (None, None)
    return (value.id, getattr(value, "change_key", getattr(value, "changekey", None)))


def _timestamp(text: Any) -> Any:
    if text is None:
        return None
    if isinstance(text, str):
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return datetime.datetime.fromisoformat(text.isoformat())


def ews_rows(envelopes: List[ews_notify.Envelope]) -> List[Row]:
    """Every field of every event (the walk): one row per notification."""
    rows: List[Row] = []
    for envelope in envelopes:
        for message in envelope.response_messages:
            for n in message.notifications:
                events = tuple(
                    (
                        e.kind,
                        e.watermark,
                        _timestamp(e.timestamp),
                        _id(e.item_id),
                        _id(e.folder_id),
                        _id(e.parent_folder_id),
                        _id(e.old_item_id),
                        _id(e.old_folder_id),
                        _id(e.old_parent_folder_id),
                    )
                    for e in n.events
                )
                rows.append((n.subscription_id, n.previous_watermark, n.more_events, events))
    return rows


def exchangelib_rows(notifications: List[Any]) -> List[Row]:
    rows: List[Row] = []
    for n in notifications:
        if isinstance(n, Exception):
            raise n
        events = tuple(
            (
                KINDS[type(e).__name__],
                e.watermark,
                _timestamp(getattr(e, "timestamp", None)),
                _id(getattr(e, "item_id", None)),
                _id(getattr(e, "folder_id", None)),
                _id(getattr(e, "parent_folder_id", None)),
                _id(getattr(e, "old_item_id", None)),
                _id(getattr(e, "old_folder_id", None)),
                _id(getattr(e, "old_parent_folder_id", None)),
            )
            for e in n.events
        )
        rows.append((n.subscription_id, n.previous_watermark, n.more_events, events))
    return rows


def walk(envelopes: List[ews_notify.Envelope]) -> int:
    """Reads every field of every event, as exchangelib's objects hold them."""
    touched = 0
    for envelope in envelopes:
        for message in envelope.response_messages:
            for n in message.notifications:
                n.subscription_id, n.previous_watermark, n.more_events
                for e in n.events:
                    e.kind, e.watermark, e.timestamp, e.item_id, e.folder_id
                    e.parent_folder_id, e.old_item_id, e.old_folder_id, e.old_parent_folder_id
                    touched += 1
    return touched


CLOCKS = {"process": time.process_time, "wall": time.perf_counter}


def per_call_us(fn: Callable[[], Any], repeat: int, clock: str) -> float:
    timer = timeit.Timer(fn, timer=CLOCKS[clock])
    number, _ = timer.autorange()
    runs = timer.repeat(repeat=repeat, number=number)
    return statistics.median(runs) / number * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="timeit runs (median is reported)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="process",
        help="process: CPU time of this process (steadier on a shared machine); wall: perf_counter",
    )
    args = parser.parse_args()

    results = []
    for label, path, kind, body in INPUTS:
        data = (CORPUS / path).read_bytes()
        service = _service(kind)
        parse = ews_parse_body if body else (lambda d: [ews_parse_one(d)])
        ours = ews_rows(parse(data))
        theirs = exchangelib_rows(exchangelib_parse(service, data))
        events = sum(len(r[3]) for r in ours)
        if ours != theirs:
            print(f"MISMATCH on {path}: the parsers disagree; not timing it", file=sys.stderr)
            for a, b in zip(ours, theirs):
                if a != b:
                    print(f"  ews_notify : {a}\n  exchangelib: {b}", file=sys.stderr)
                    break
            return 1
        if body:
            t_parse = per_call_us(lambda: ews_parse_body(data), args.repeat, args.clock)
            t_walk = per_call_us(lambda: walk(ews_parse_body(data)), args.repeat, args.clock)
        else:
            t_parse = per_call_us(lambda: ews_parse_one(data), args.repeat, args.clock)
            t_walk = per_call_us(lambda: walk([ews_parse_one(data)]), args.repeat, args.clock)
        t_theirs = per_call_us(lambda: exchangelib_parse(service, data), args.repeat, args.clock)
        results.append((label, path, len(data), events, t_parse, t_walk, t_theirs))

    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("ews-notify", "exchangelib", "lxml")
    )
    print(f"# {platform.python_implementation()} {platform.python_version()}, {versions}")
    print(
        f"# {platform.machine()} {_cpu()}; timeit median of {args.repeat} runs, "
        f"{args.clock} clock; load average {os.getloadavg()[0]:.1f}"
    )
    print("# every input: both parsers extracted the same notifications and events")
    if args.markdown:
        print(
            "| input | bytes | events | ews_notify parse µs | parse+walk µs | exchangelib µs "
            "| ratio (parse) | ratio (parse+walk) |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for label, path, size, events, a, b, c in results:
            print(
                f"| {label} (`{path}`) | {size:,} | {events:,} | {a:,.2f} | {b:,.2f} | {c:,.1f} "
                f"| {c / a:,.0f}x | {c / b:,.0f}x |"
            )
    else:
        for label, path, size, events, a, b, c in results:
            print(
                f"{label:32} {size:>9,} B {events:>6,} events  ews_notify {a:10,.2f} µs "
                f"(+walk {b:10,.2f} µs)  exchangelib {c:12,.1f} µs  "
                f"ratio {c / a:7,.0f}x ({c / b:,.0f}x with walk)"
            )
    return 0


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
