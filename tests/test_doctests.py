"""The docstring examples of the core modules run as doctests (README and docs/*.md run too,
through pytest's ``--doctest-glob``)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["slotcalc.model", "slotcalc.answers", "slotcalc.api", "slotcalc.jsonapi",
           "slotcalc._engine.sets", "slotcalc._engine.windows", "slotcalc.access"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
