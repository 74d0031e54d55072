"""fleetdeck: an operations console for fleets of AI coding agents in tmux."""

__version__ = "0.1.0"
