#!/usr/bin/env bash
# Builds the web demo into web-demo/dist/: the WebAssembly package (bindings/wasm/build.sh),
# the page, and a selection of corpus samples. The result is static files only; serve the
# folder as it is, for example: python3 -m http.server 8000 --bind 127.0.0.1 -d web-demo/dist
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
dist="$here/dist"
corpus="$root/tests/corpus"

if [ ! -x "$root/bindings/wasm/node_modules/.bin/wasm-opt" ]; then
    (cd "$root/bindings/wasm" && npm ci --no-audit --no-fund)
fi
"$root/bindings/wasm/build.sh"

rm -rf "$dist"
mkdir -p "$dist/pkg" "$dist/samples"
cp "$root/bindings/wasm/pkg/ews_notify.js" "$root/bindings/wasm/pkg/ews_notify_bg.wasm" "$dist/pkg/"
cp "$here/index.html" "$here/main.js" "$here/style.css" "$dist/"

# Samples: byte-exact copies of corpus files, listed in samples/index.json. The "pasted" group
# holds seed envelopes as the blog's page damaged them (no-break spaces), to show Repair.
python3 - "$corpus" "$dist/samples" <<'PY'
import json, shutil, sys
from pathlib import Path

corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
messages = [
    ("Push (SendNotification)", "push/created_event_blank_lines.xml", "Created event (seed blog)"),
    ("Push (SendNotification)", "push/calendar_item_created_default_calendar_nbsp_replaced.xml", "Calendar item created, folder modified"),
    ("Push (SendNotification)", "push/status_event_wrapped_tags.xml", "Status heartbeat"),
    ("Push (SendNotification)", "push/error_read_events_failed_blank_lines.xml", "ErrorReadEventsFailed (Korean message text)"),
    ("Pasted from a web page", "malformed/pasted_nbsp_calendar_item_created_default_calendar.xml", "Calendar item created, with the blog's no-break spaces"),
    ("Pasted from a web page", "malformed/pasted_nbsp_one_line_recurring_occurrence_modified.xml", "Recurring occurrence modified, on one line"),
    ("Pull (GetEvents)", "pull/get_events_every_event_kind.xml", "Every event kind"),
    ("Pull (GetEvents)", "pull/get_events_folder_events_moved_copied.xml", "Folders moved and copied (old ids)"),
    ("Pull (GetEvents)", "pull/get_events_error_server_busy_backoff.xml", "ErrorServerBusy with back-off"),
    ("Pull (GetEvents)", "pull/get_events_warning_expired_subscription.xml", "Warning: expired subscription"),
    ("Streaming (GetStreamingEvents)", "streaming/streaming_connection_status_ok.xml", "Connection OK"),
    ("Streaming (GetStreamingEvents)", "streaming/streaming_connection_status_closed.xml", "Connection closed"),
    ("Streaming (GetStreamingEvents)", "streaming/streaming_error_server_busy_backoff.xml", "ErrorServerBusy with back-off"),
    ("Streaming (GetStreamingEvents)", "streaming/streaming_error_subscription_ids_m_children.xml", "Failed subscription ids"),
    ("Streaming (GetStreamingEvents)", "streaming/bodies/streaming_two_envelopes_then_closed.xml", "A whole body: several envelopes"),
    ("Subscribe", "subscribe/subscribe_streaming_success.xml", "Streaming subscription created"),
    ("Subscribe", "subscribe/subscribe_pull_success_with_watermark.xml", "Pull subscription with watermark"),
    ("SOAP faults", "fault/fault_server_busy_backoff.xml", "ErrorServerBusy (SOAP 1.1)"),
    ("SOAP faults", "fault/fault_soap12_server_busy_backoff.xml", "ErrorServerBusy (SOAP 1.2)"),
    ("Edge cases", "regressions/issue-2-unknown-event-kind-kept.xml", "Unknown event kind kept"),
    ("Malformed", "malformed/mismatched_end_tag.xml", "Mismatched end tag"),
    ("Malformed", "malformed/doctype_billion_laughs.xml", "DOCTYPE (refused)"),
    ("Malformed", "malformed/invalid_utf8_in_text.xml", "Invalid UTF-8"),
]
goids = [
    ("seed-1.1", "Series (seed blog)"),
    ("ms-oxocal-exception-2008-03-25", "Exception ([MS-OXOCAL] example)"),
    ("seed-1.1-orphan-2013-08-13", "Orphan instance from its UID and date"),
    ("ms-asemail-4.3-example-2-from-uid", "Third-party UID"),
    ("warning-reserved-nonzero", "Readable, with a warning"),
    ("error-bad-base64", "Not base64"),
]
index = {"messages": [], "goids": []}
for group, rel, title in messages:
    src = corpus / rel
    name = ("pasted/" + src.name) if group.startswith("Pasted") else rel
    dst = out / name
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)  # fails the build if the corpus file went missing
    index["messages"].append({"group": group, "file": name, "title": title})
vectors = {v["name"]: v for v in json.loads((corpus / "goid/vectors.json").read_text())["vectors"]}
for name, title in goids:
    given = vectors[name]["input"]
    if "uid" in given:
        entry = {"mode": "uid", "value": given["uid"], "instanceDate": given.get("instanceDate")}
    else:
        entry = {"mode": "goid", "value": given.get("base64") or given.get("hex") or given["text"]}
    index["goids"].append({"title": title, **entry})
(out / "index.json").write_text(json.dumps(index, indent=1, ensure_ascii=False) + "\n")
print(f"{len(index['messages'])} message samples, {len(index['goids'])} id samples")
PY
echo "built $dist ($(du -sh "$dist" | cut -f1)); open it with:"
echo "  python3 -m http.server 8000 --bind 127.0.0.1 -d web-demo/dist   # then http://127.0.0.1:8000/"
