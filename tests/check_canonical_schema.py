"""Validates every golden canonical JSON in tests/corpus against docs/canonical.schema.json.

Usage: python3 tests/check_canonical_schema.py   (needs the `jsonschema` package)
Exits 1 when a golden does not match the schema, or when the schema accepts a broken value.
"""

import glob
import json
import pathlib
import sys

import jsonschema

ROOT = pathlib.Path(__file__).resolve().parent.parent
KINDS = ["push", "pull", "streaming", "subscribe", "fault", "malformed", "regressions"]


def main() -> int:
    schema = json.loads((ROOT / "docs/canonical.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    values = []
    for kind in KINDS:
        for path in sorted(glob.glob(str(ROOT / "tests/corpus" / kind / "*.json"))):
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
    # The schema must not accept everything: a value without a required key fails.
    probe = next(v for _, v in values if v.get("kind") == "sendNotification")
    probe = json.loads(json.dumps(probe))
    del probe["responseMessages"][0]["responseCode"]
    if validator.is_valid(probe):
        print("the schema accepts a response message without responseCode")
        return 1
    print(f"canonical schema: {checked} goldens valid, {failed} invalid")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
