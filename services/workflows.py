"""Workflow names: one rule for every place a user gives one (`fleetdeck log`, `track()`, the router, the queue).

A workflow names a kind of work in reports (`report --by workflow`) and in the queue's ETA history, so the same
name must be accepted, or refused, everywhere it can be typed.
"""

from __future__ import annotations

import re

from .errors import DataError

WORKFLOW_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/\-]{0,99}$")


def check_workflow(workflow: str | None) -> str | None:
    """``workflow`` unchanged, None for none, or DataError (exit 65) for a name the rule refuses."""
    if workflow is None:
        return None
    if not WORKFLOW_RE.match(workflow):
        raise DataError(f"workflow {workflow!r}: use letters, digits and - _ . : / (at most 100 characters)")
    return workflow
