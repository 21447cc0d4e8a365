#!/usr/bin/env bash
# Runs every shell command of README.md, so the README cannot rot.
#
# Each ```sh block is split into commands (lines joined at a trailing backslash, `#` comments
# dropped) and run from the repository root with bash -e. A marker on the line before a block
# says how to run it:
#
#   <!-- readme-test: exchange -->  the commands need a real Exchange server: each is run with
#                                   --dry-run appended, which checks every argument and stops
#   <!-- readme-test: serves -->    the command serves until stopped: it is started (on a free
#                                   port instead of the one written), must answer HTTP on that
#                                   port, and is then stopped
#   <!-- readme-test: install -->   `cargo install`: run with `--root` in a temporary directory
#                                   (not the user's ~/.cargo), then the installed binary must run
#
# `./scripts/test-all.sh` is the runner of this test, so it is checked to exist and be
# executable, not run again. Prints one line per command and a count; exits 1 if one failed.
set -uo pipefail
cd "$(dirname "$0")/.."

readme=README.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Extract: one file per command, named NNN-MODE.
python3 - "$readme" "$tmp" <<'PY'
import re, sys
from pathlib import Path
lines = Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()
out = Path(sys.argv[2])
n = 0
i = 0
while i < len(lines):
    if lines[i].strip() == "```sh":
        mode = "run"
        for back in (1, 2):
            m = re.match(r"<!-- readme-test: (\w+) -->", lines[i - back].strip()) if i >= back else None
            if m:
                mode = m.group(1)
                break
        i += 1
        command = ""
        while i < len(lines) and lines[i].strip() != "```":
            line = lines[i]
            # A `#` comment starts after white space outside quotes (simple shell lines only).
            line = re.sub(r"""\s+#(?=(?:[^'"]|'[^']*'|"[^"]*")*$).*$""", "", line)
            if line.endswith("\\"):
                command += line[:-1] + " "
            else:
                command += line
                if command.strip():
                    n += 1
                    (out / f"{n:03d}-{mode}").write_text(command.strip() + "\n", encoding="utf-8")
                command = ""
            i += 1
    i += 1
if n < 5:
    sys.exit(f"only {n} commands found in the README: extraction broke?")
PY
[ $? -eq 0 ] || exit 1

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

passed=0
failed=0
for file in "$tmp"/[0-9]*; do
  mode=${file##*-}
  command=$(cat "$file")
  log="$tmp/log"
  case $mode in
    run)
      if [[ $command == ./scripts/test-all.sh* ]]; then
        if [ -x scripts/test-all.sh ]; then ok=0; else ok=1; fi
        mode="exists (this test's own runner)"
      else
        bash -eo pipefail -c "$command" >"$log" 2>&1
        ok=$?
      fi
      ;;
    exchange)
      bash -eo pipefail -c "$command --dry-run" >"$log" 2>&1
      ok=$?
      mode="--dry-run (needs Exchange)"
      ;;
    install)
      bash -eo pipefail -c "$command --root $tmp/root" >"$log" 2>&1 &&
        "$tmp/root/bin/ews-notify" --version >>"$log" 2>&1
      ok=$?
      mode="install into a temporary --root"
      ;;
    serves)
      port=$(free_port)
      served=${command//8000/$port}
      setsid bash -eo pipefail -c "$served" >"$log" 2>&1 &
      pid=$!
      ok=1
      for _ in $(seq 1 600); do
        if curl -fs -o /dev/null "http://127.0.0.1:$port/"; then ok=0; break; fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
      done
      kill -- -"$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
      mode="serves on port $port"
      ;;
    *)
      echo "unknown readme-test marker '$mode'" >"$log"
      ok=1
      ;;
  esac
  if [ "$ok" -eq 0 ]; then
    passed=$((passed + 1))
    printf 'ok    [%s] %s\n' "$mode" "$command"
  else
    failed=$((failed + 1))
    printf 'FAIL  [%s] %s\n' "$mode" "$command"
    tail -20 "$log" 2>/dev/null | sed 's/^/      /'
  fi
done
echo "README commands: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
