"""Shared fixtures: where the corpus is, and how goldens compare."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

REPO = Path(__file__).resolve().parents[3]
CORPUS = Path(os.environ.get("EWS_NOTIFY_CORPUS", REPO / "tests" / "corpus"))
BODIES = CORPUS / "streaming" / "bodies"


def corpus_cases() -> List[Tuple[Path, Path]]:
    """Every ``tests/corpus/**/*.xml`` that has a golden ``.json`` beside it, sorted.

    Whole streaming bodies (``streaming/bodies``) hold several envelopes; their goldens are
    lists, checked by test_streaming.
    """
    cases = []
    for xml in sorted(CORPUS.rglob("*.xml")):
        if xml.parent == BODIES:
            continue
        golden = xml.with_suffix(".json")
        if golden.is_file():
            cases.append((xml, golden))
    return cases


def compact(golden_text: str) -> str:
    """The golden re-serialized compactly: the canonical JSON every binding must produce."""
    return json.dumps(json.loads(golden_text), separators=(",", ":"), ensure_ascii=False)


def golden_error(golden_text: str) -> Optional[Dict[str, Any]]:
    """``{"code": ..., "offset": ...}`` when the golden says the input must fail, else None."""
    value = json.loads(golden_text)
    if isinstance(value, dict) and set(value) == {"error"}:
        error: Dict[str, Any] = value["error"]
        return error
    return None


def case_id(xml: Path) -> str:
    return xml.relative_to(CORPUS).as_posix()
