"""The console's five panes, in layout order: (name, controller class path, widget class path).

Each area owns its two files (app/panes/<name>.py and widgets/<name>.py); this list only wires them.
"""

PANES: list[tuple[str, str, str]] = [
    ("sessions", "fleetdeck.app.panes.sessions:SessionsController", "fleetdeck.widgets.sessions:SessionsPane"),
    ("queue", "fleetdeck.app.panes.queue:QueueController", "fleetdeck.widgets.queue:QueuePane"),
    ("spend", "fleetdeck.app.panes.spend:SpendController", "fleetdeck.widgets.spend:SpendPane"),
    ("errors", "fleetdeck.app.panes.errors:ErrorsController", "fleetdeck.widgets.errors:ErrorsPane"),
    ("metrics", "fleetdeck.app.panes.metrics:MetricsController", "fleetdeck.widgets.metrics:MetricsPane"),
]
