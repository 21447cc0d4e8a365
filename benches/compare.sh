#!/usr/bin/env bash
# One table of ratios: our parse against the bare quick-xml loop (Rust, from the last
# `cargo bench --bench parse` / `--bench streaming` run), against the peer libraries of the
# cross-language comparisons present (benches/python/compare*.py, benches/node/compare*.{js,mjs},
# the WASM page in headless Chromium: benches/wasm/run.mjs), and GlobalObjectId decodes per
# second (from the last `cargo bench --bench goid` run).
# A comparison whose tools are missing is listed as skipped, with the reason.
#
#   benches/compare.sh            # PYTHON=/path/to/venv/bin/python to pick the interpreter
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${CARGO_TARGET_DIR:-$HOME/.cache/ews-notify/target}
python=${PYTHON:-}
if [[ -z $python ]]; then
    for candidate in "$root/.venv/bin/python" "$root/bindings/python/.venv/bin/python" python3; do
        if command -v "$candidate" >/dev/null 2>&1; then python=$candidate; break; fi
    done
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Each comparison writes its Markdown table to $out/<name>.md, or a reason to $out/<name>.skip.
for script in "$root"/benches/python/compare*.py; do
    [[ -e $script ]] || continue
    name="python/$(basename "$script" .py)"
    file=$out/$(echo "$name" | tr / _)
    if "$python" "$script" --markdown >"$file.md" 2>"$file.err"; then
        echo "$name" >"$file.name"
    else
        { echo "$name"; tail -1 "$file.err"; } >"$file.skip"
    fi
done
for script in "$root"/benches/node/compare*.js "$root"/benches/node/compare*.mjs; do
    [[ -e $script ]] || continue
    name="node/$(basename "${script%.*}")"
    file=$out/$(echo "$name" | tr / _)
    if (cd "$(dirname "$script")" && node "$script") >"$file.md" 2>"$file.err"; then
        echo "$name" >"$file.name"
    else
        { echo "$name"; tail -1 "$file.err"; } >"$file.skip"
    fi
done
# The WASM page in headless Chromium, side by side with fast-xml-parser in the same page.
if [[ -e $root/benches/wasm/run.mjs ]]; then
    file=$out/wasm_chromium
    if node "$root/benches/wasm/run.mjs" >"$file.md" 2>"$file.err"; then
        echo "wasm/chromium" >"$file.name"
    else
        { echo "wasm/chromium"; grep -v '^\s*at ' "$file.err" | grep . | tail -1; } >"$file.skip"
    fi
fi

python3 - "$out" "$target/criterion" <<'PY'
import json, pathlib, re, sys

out, criterion = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
rows = []  # (comparison, input, ours, other name, other, unit)


def median_us(group, bench):
    f = criterion / group / bench / "new" / "estimates.json"
    if not f.is_file():
        return None
    return json.loads(f.read_text())["median"]["point_estimate"] / 1000.0


# Rust: full parse vs the bare quick-xml loop over the same bytes (same criterion run).
if (criterion / "parse").is_dir():
    for bench in sorted(p.name for p in (criterion / "parse").iterdir() if p.is_dir() and p.name != "report"):
        ours, bare = median_us("parse", bench), median_us("bare_quick_xml", bench)
        if ours and bare:
            rows.append(("rust: bare quick-xml loop", bench, ours, "bare loop", bare, "µs"))
stream = criterion / "streaming"
if stream.is_dir():
    for split_parse in sorted(stream.glob("split_parse_*")):
        suffix = split_parse.name[len("split_parse_"):]
        ours = median_us("streaming", split_parse.name)
        bare = median_us("streaming", "bare_quick_xml_" + suffix)
        if ours and bare:
            rows.append(("rust: bare quick-xml loop", "split+parse " + suffix, ours, "bare loop", bare, "µs"))
# GlobalObjectId decode from base64: GOIDs per second on one core (criterion runs on one thread).
goid_rates = []
goid_dir = criterion / "goid"
if goid_dir.is_dir():
    for bench in sorted(goid_dir.glob("from_base64_*")):
        ns = median_us("goid", bench.name)
        if ns:
            goid_rates.append((bench.name[len("from_base64_"):], 1.0 / ns))  # per µs = M/s
if not rows:
    print("# rust: no criterion results under", criterion, "(run cargo bench -p ews-notify-benches first)")

skipped = []
def markdown_rows(comparison, text):
    """A Markdown table with an ews_notify µs column and a peer µs column (python comparisons)."""
    lines = [l for l in text.splitlines() if l.startswith("|")]
    if len(lines) < 3:
        return None
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    timed = [i for i, h in enumerate(header) if h.endswith("µs")]
    ours = next((i for i in timed if "ews" in header[i].lower()), None)
    peer = next((i for i in reversed(timed) if "ews" not in header[i].lower()), None)
    if ours is None or peer is None:
        return None
    peer_name = header[peer].removesuffix("µs").strip()
    out = []
    for l in lines[2:]:
        cells = [c.strip() for c in l.strip("|").split("|")]
        try:
            a = float(cells[ours].replace(",", ""))
            b = float(cells[peer].replace(",", ""))
        except (ValueError, IndexError):
            continue
        out.append((comparison, cells[0], a, peer_name, b, "µs"))
    return out


def block_rows(comparison, text):
    """Blocks of `label: ...` then `  name  N ms ...` lines, ours first (node comparison)."""
    out, label, base = [], None, None
    for l in text.splitlines():
        m = re.match(r"^(\S.*?): \d+ files", l)
        if m:
            label, base = m.group(1), None
            continue
        m = re.match(r"^  (.+?)\s+([\d.]+) ms\s", l)
        if m and label:
            name, ms = m.group(1).strip(), float(m.group(2))
            if base is None:
                base = ms
            else:
                out.append((comparison, label, base, name, ms, "ms per run"))
    return out or None


skipped = []
for name_file in sorted(out.glob("*.name")):
    comparison = name_file.read_text().strip()
    text = name_file.with_suffix(".md").read_text()
    for l in text.splitlines():
        if l.startswith("#") or re.match(r"^(node v|HeadlessChrome/|Chrome/|fast-xml-parser:|ews-javascript-api:|  differs)", l):
            print(f"# {comparison}: {l.lstrip('# ')}")
    found = markdown_rows(comparison, text) or block_rows(comparison, text)
    if not found:
        skipped.append((comparison, "printed no table this script could read"))
        continue
    rows += found
for skip in sorted(out.glob("*.skip")):
    name, *reason = skip.read_text().splitlines()
    skipped.append((name, reason[0] if reason else "failed"))

print()
print("| comparison | input | ews-notify | other | other's time | other / ours |")
print("|---|---|---:|---|---:|---:|")
for comparison, label, a, other, b, unit in rows:
    print(f"| {comparison} | {label} | {a:,.2f} {unit} | {other} | {b:,.2f} {unit} | {b / a:,.2f}x |")
for name, reason in skipped:
    print(f"| {name} | skipped: {reason} | | | | |")
if goid_rates:
    print()
    print("| GlobalObjectId | vector | from_base64 per core | target | ratio to target |")
    print("|---|---|---:|---:|---:|")
    for name, rate in goid_rates:
        print(f"| rust: goid/from_base64 | {name} | {rate:,.1f} M/s | 10 M/s | {rate / 10:,.2f} |")
else:
    print("# goid: no criterion results (run cargo bench -p ews-notify-benches --bench goid)")
PY
