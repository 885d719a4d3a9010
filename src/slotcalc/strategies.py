"""Hypothesis strategies for slotcalc inputs (being written; see issue 7)."""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    """Register slotcalc's strategies with ``st.from_type`` (filled in shortly)."""
