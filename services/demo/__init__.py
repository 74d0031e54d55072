"""The demo fleet: simulated agents in a private tmux server, plus a seeded store (see fleet.py, seed.py)."""
