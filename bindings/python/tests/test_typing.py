"""The type stubs match the native module (``mypy.stubtest``), and typed code checks against them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import ews_notify

TESTS = Path(__file__).resolve().parent


def test_package_is_typed() -> None:
    package = Path(ews_notify.__file__).parent
    assert (package / "py.typed").is_file(), "py.typed is missing from the installed package"
    assert (package / "_native.pyi").is_file(), "_native.pyi is missing from the installed package"


def test_stubs_match_the_native_module() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "ews_notify"],
        capture_output=True,
        text=True,
        cwd=TESTS,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_test_suite_type_checks_against_the_stubs() -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir=/dev/null",
            "--explicit-package-bases",
            str(TESTS),
        ],
        capture_output=True,
        text=True,
        cwd=TESTS,
    )
    assert run.returncode == 0, run.stdout + run.stderr
