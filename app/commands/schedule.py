"""`fleetdeck schedule`: crontab lines or systemd timer units for the default schedule."""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schedule", help="print crontab lines or write systemd timers for every scheduled job")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--cron", action="store_true", help="print crontab lines")
    group.add_argument("--systemd", metavar="DIR", help="write fleetdeck-JOB.service and .timer files into DIR")
    p.add_argument("--json", action="store_true", help="print the schedule as JSON")
    p.set_defaults(handler=schedule)


def _fleetdeck_command() -> str:
    found = shutil.which("fleetdeck")
    if found:
        return found
    return f"{shlex.quote(sys.executable)} -m fleetdeck.app.cli"


def schedule(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json
    from fleetdeck.services.errors import CantCreateError
    from fleetdeck.services.jobs import all_jobs, effective_schedule
    from fleetdeck.services.schedule import to_on_calendar

    config = ctx.config
    command = _fleetdeck_command()
    entries = [(spec, effective_schedule(spec, config)) for spec in all_jobs()]
    entries = [(spec, cron) for spec, cron in entries if cron]
    if args.json:
        print_json([{"job": s.name, "cron": c, "on_calendar": to_on_calendar(c)} for s, c in entries])
        return 0
    if args.cron:
        home = ctx.paths
        log = home.log_dir / "cron.log"
        print("# fleetdeck default schedule - install with: fleetdeck schedule --cron | crontab -")
        print("# Each job takes its own lock: an overlapping run exits 75 at once and the next tick retries.")
        for spec, cron in entries:
            print(f"{cron} {command} run {spec.name} >> {shlex.quote(str(log))} 2>&1")
        return 0
    target = Path(args.systemd).expanduser()
    try:
        target.mkdir(parents=True, exist_ok=True)
        for spec, cron in entries:
            unit = f"fleetdeck-{spec.name}"
            (target / f"{unit}.service").write_text(
                "[Unit]\n"
                f"Description=fleetdeck job {spec.name}: {spec.description}\n\n"
                "[Service]\n"
                "Type=oneshot\n"
                f"ExecStart={command} run {spec.name}\n"
                # 75 means another run holds the lock: not a failure of this unit.
                "SuccessExitStatus=75\n",
                encoding="utf-8",
            )
            (target / f"{unit}.timer").write_text(
                "[Unit]\n"
                f"Description=Run fleetdeck job {spec.name} ({cron})\n\n"
                "[Timer]\n"
                f"OnCalendar={to_on_calendar(cron)}\n"
                "Persistent=true\n"
                "RandomizedDelaySec=30\n\n"
                "[Install]\n"
                "WantedBy=timers.target\n",
                encoding="utf-8",
            )
    except OSError as exc:
        raise CantCreateError(f"cannot write units to {target}: {exc.strerror or exc}") from None
    names = " ".join(f"fleetdeck-{s.name}.timer" for s, _ in entries)
    print(f"wrote {2 * len(entries)} units to {target}")
    print(f"enable with: systemctl --user daemon-reload && systemctl --user enable --now {names}")
    return 0
