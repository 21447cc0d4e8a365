#!/usr/bin/env bash
# Python package `ews_notify`: the distributions we would upload, built as a release would be,
# and the test suite run against the wheel installed into a fresh venv.
#
# - abi3 wheel for x86_64 glibc, tagged manylinux2014 (glibc 2.17: RHEL 8, Ubuntu 20.04,
#   Debian 11, Amazon Linux 2), linked with zig (ziglang from PyPI) against that glibc;
# - abi3 wheel for x86_64 musl, tagged musllinux_1_2 (Alpine), target from rustup;
# - the sdist.
# Checks each file's tags and license files, then installs the manylinux wheel into a new venv
# and runs pytest there (corpus conformance, GOID vectors, streaming, doctests, stubtest).
# pytest exiting 5 ("no tests collected") is a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ews-notify/target}"
TOOLS="${EWS_NOTIFY_PY_VENV:-$HOME/.cache/ews-notify/venv-python}"
MATURIN_VERSION=1.16.0
ZIGLANG_VERSION=0.17.1
PYTEST_VERSION=9.2.0
MYPY_VERSION=2.4.1
start=$SECONDS

if [ ! -x "$TOOLS/bin/python" ]; then
  python3 -m venv "$TOOLS"
fi
have() { # have PACKAGE VERSION: the exact version is installed in the tool venv
  [ "$("$TOOLS/bin/python" -m pip show "$1" 2>/dev/null | sed -n 's/^Version: //p')" = "$2" ]
}
need=()
have maturin "$MATURIN_VERSION" || need+=("maturin==$MATURIN_VERSION")
have ziglang "$ZIGLANG_VERSION" || need+=("ziglang==$ZIGLANG_VERSION")
if [ "${#need[@]}" -gt 0 ]; then
  "$TOOLS/bin/python" -m pip install --quiet --disable-pip-version-check "${need[@]}"
fi
rustup target add x86_64-unknown-linux-musl >/dev/null
export PATH="$TOOLS/bin:$PATH"

dist="$CARGO_TARGET_DIR/python-dist"
rm -rf "$dist"
maturin build --release --quiet -m bindings/python/Cargo.toml --out "$dist" \
  --zig --compatibility manylinux2014 --interpreter "$TOOLS/bin/python"
maturin build --release --quiet -m bindings/python/Cargo.toml --out "$dist" \
  --zig --target x86_64-unknown-linux-musl --compatibility musllinux_1_2 --interpreter "$TOOLS/bin/python"
maturin sdist -m bindings/python/Cargo.toml --out "$dist"
echo "built in $((SECONDS - start))s:"
ls -l "$dist"

python3 - "$dist" <<'PY'
import sys, tarfile, zipfile
from pathlib import Path
dist = Path(sys.argv[1])
def one(pattern):
    found = sorted(dist.glob(pattern))
    assert len(found) == 1, f"expected one {pattern}, found {[f.name for f in found]}"
    return found[0]
for pattern in ("ews_notify-*-cp39-abi3-*manylinux2014_x86_64*.whl",
                "ews_notify-*-cp39-abi3-musllinux_1_2_x86_64.whl"):
    wheel = one(pattern)
    names = zipfile.ZipFile(wheel).namelist()
    for need in ("LICENSE-MIT", "LICENSE-APACHE", "ews_notify/py.typed", "ews_notify/_native.pyi"):
        assert any(n.endswith(need) for n in names), f"{wheel.name} lacks {need}"
    meta = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("/METADATA"))).decode()
    assert "License-Expression: MIT OR Apache-2.0" in meta, wheel.name
    print(f"ok {wheel.name} ({wheel.stat().st_size // 1024} KiB)")
sdist = one("ews_notify-*.tar.gz")
names = tarfile.open(sdist).getnames()
for need in ("LICENSE-MIT", "LICENSE-APACHE", "pyproject.toml", "core/src/lib.rs"):
    assert any(n.endswith(need) for n in names), f"{sdist.name} lacks {need}"
print(f"ok {sdist.name} ({sdist.stat().st_size // 1024} KiB)")
PY

# The suite against the installed manylinux wheel, in a venv that has never seen the source.
venv=$(mktemp -d)
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  "pytest==$PYTEST_VERSION" "mypy==$MYPY_VERSION"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index \
  "$dist"/ews_notify-*manylinux2014_x86_64*.whl
cd bindings/python
status=0
"$venv/bin/python" -c 'import ews_notify, sys; assert "site-packages" in ews_notify.__file__, ews_notify.__file__'
"$venv/bin/python" -m pytest -q -p no:cacheprovider tests || status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
echo "python step: ${SECONDS}s"
exit "$status"
