"""Every ``>>>`` example in the package's docstrings runs and prints what it says."""

from __future__ import annotations

import datetime
import doctest
import inspect
from typing import Dict, List, Tuple

import pytest

import ews_notify
import ews_notify._errors


def _docstrings() -> List[Tuple[str, str]]:
    found: Dict[str, str] = {}

    def add(name: str, obj: object) -> None:
        doc = getattr(obj, "__doc__", None)
        if isinstance(doc, str) and ">>>" in doc and doc not in found.values():
            found[name] = doc

    add("ews_notify", ews_notify)
    add("ews_notify._errors", ews_notify._errors)
    for name in ews_notify.__all__:
        obj = getattr(ews_notify, name)
        add(name, obj)
        if inspect.isclass(obj):
            for attr in vars(obj):
                add(f"{name}.{attr}", getattr(obj, attr, None))
    return sorted(found.items())


DOCSTRINGS = _docstrings()


def test_the_docs_have_examples() -> None:
    names = [name for name, _ in DOCSTRINGS]
    for expected in ("ews_notify", "parse_notification", "StreamSplitter", "GlobalObjectId"):
        assert expected in names, f"{expected} lost its example"
    assert len(DOCSTRINGS) >= 8, names


@pytest.mark.parametrize(("name", "doc"), DOCSTRINGS, ids=[n for n, _ in DOCSTRINGS])
def test_docstring_examples_run(name: str, doc: str) -> None:
    globs = {**vars(ews_notify), "ews_notify": ews_notify, "datetime": datetime}
    test = doctest.DocTestParser().get_doctest(doc, globs, name, None, 0)
    assert test.examples, f"{name} has no example"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: List[str] = []
    runner.run(test, out=report.append)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, "".join(report)
    assert result.attempted == len(test.examples)
