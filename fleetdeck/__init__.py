"""fleetdeck: an operations console for fleets of AI coding agents in tmux."""

import os as _os

__version__ = "0.1.0"

# In a source checkout app/, services/, widgets/ and styles/ sit beside this folder (ARCHITECTURE.md), and the
# editable install is a plain path entry (pyproject: editable_mode = "compat"): setuptools' default editable
# finder maps them, but its import costs every command ~17 ms of start-up (pathlib, urllib, ipaddress). An
# installed wheel has them inside this folder and skips this.
_here = _os.path.dirname(__file__)
if not _os.path.isdir(_os.path.join(_here, "app")):
    __path__.append(_os.path.dirname(_here))  # noqa: F821 - a package's __path__ is set before its code runs
del _here
