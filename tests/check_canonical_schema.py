"""Validates every golden canonical JSON in tests/corpus against docs/canonical.schema.json.

Usage: python3 tests/check_canonical_schema.py   (needs the `jsonschema` package)
Exits 1 when a golden does not match the schema, when a corpus folder is missing or empty,
or when the schema accepts a broken value. The schema is generated from the Rust types
(`BLESS=1 cargo test -p ews-notify-tests --test generated`); this check is what ties it to
their real `Serialize` output.
"""

import glob
import json
import pathlib
import sys

import jsonschema

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Every folder of single-envelope goldens (tests/src/lib.rs `KINDS`).
KINDS = ["push", "pull", "streaming", "subscribe", "fault", "items", "malformed", "regressions"]


def main() -> int:
    schema = json.loads((ROOT / "docs/canonical.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    values = []
    for kind in KINDS:
        paths = sorted(glob.glob(str(ROOT / "tests/corpus" / kind / "*.json")))
        if not paths:
            print(f"tests/corpus/{kind}: no goldens found: corpus went missing")
            return 1
        for path in paths:
            values.append((path, json.loads(pathlib.Path(path).read_text())))
    for path in sorted(glob.glob(str(ROOT / "tests/corpus/streaming/bodies/*.json"))):
        for i, item in enumerate(json.loads(pathlib.Path(path).read_text())):
            values.append((f"{path}[{i}]", item))
    checked, failed = 0, 0
    for path, value in values:
        if "error" in value:
            continue
        checked += 1
        errors = list(validator.iter_errors(value))
        if errors:
            failed += 1
            print(f"{path}: {errors[0].message[:300]}")
    if checked < 100:
        print(f"only {checked} goldens checked: corpus went missing")
        return 1
    kinds_seen = {v["kind"] for _, v in values if "kind" in v}
    every_kind = {
        "sendNotification", "getEventsResponse", "getStreamingEventsResponse", "subscribeResponse",
        "unsubscribeResponse", "getItemResponse", "findItemResponse", "syncFolderItemsResponse",
        "fault",
    }
    if kinds_seen != every_kind:
        print(f"goldens cover {sorted(kinds_seen)}, not every envelope kind {sorted(every_kind)}")
        return 1
    # The `watch` / `listen` line (`$defs/EventLine`): every golden event, wrapped as the CLI
    # wraps it, is a valid line; a line without `position` is not.
    line_validator = jsonschema.Draft202012Validator({"$ref": "#/$defs/EventLine", "$defs": schema["$defs"]})
    lines = 0
    for path, value in values:
        for message in value.get("responseMessages", []):
            for notification in message.get("notifications", []):
                for event in notification["events"]:
                    line = {
                        "mailbox": "room1@example.com",
                        "event": event,
                        "origin": "notification",
                        "position": {"watermark": event["watermark"], "syncState": None,
                                     "resumeFrom": "watermark" if event["watermark"] else None},
                    }
                    lines += 1
                    errors = list(line_validator.iter_errors(line))
                    if errors:
                        failed += 1
                        print(f"{path}: event line: {errors[0].message[:300]}")
    if lines < 50:
        print(f"only {lines} event lines checked")
        return 1
    del line["position"]
    if line_validator.is_valid(line):
        print("the schema accepts an event line without position")
        return 1
    # The schema must not accept everything: a value without a required key fails.
    probe = next(v for _, v in values if v.get("kind") == "sendNotification")
    probe = json.loads(json.dumps(probe))
    del probe["responseMessages"][0]["responseCode"]
    if validator.is_valid(probe):
        print("the schema accepts a response message without responseCode")
        return 1
    print(f"canonical schema: {checked} goldens and {lines} event lines checked, {failed} invalid")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
