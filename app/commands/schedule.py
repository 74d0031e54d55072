"""`fleetdeck schedule`: crontab lines or systemd timer units for the default schedule."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schedule", help="print crontab lines or write systemd timers for every scheduled job")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--cron", action="store_true", help="print crontab lines")
    group.add_argument("--systemd", metavar="DIR", help="write fleetdeck-JOB.service and .timer files into DIR")
    group.add_argument("--json", action="store_true", help="print the schedule as JSON")
    p.set_defaults(handler=schedule)


# Where fleetdeck's files are and which transcripts it reads: cron and systemd start jobs with an environment
# of their own, so a job must be told these or it would use another database than this shell's. Settings
# overridden as FLEETDECK_<SECTION>_<KEY> are not carried (they may hold secrets, and units are world-readable):
# they belong in the config file.
CARRIED = ("FLEETDECK_HOME", "FLEETDECK_CONFIG", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME",
           "CLAUDE_CONFIG_DIR", "CODEX_HOME")


def _carried_env() -> list[tuple[str, str]]:
    """The set ones, as absolute paths (cron runs in $HOME); a relative XDG one is ignored, as fleetdeck does."""
    import os

    return [(name, os.path.abspath(os.path.expanduser(os.environ[name]))) for name in CARRIED
            if os.environ.get(name) and (not name.startswith("XDG_") or os.path.isabs(os.environ[name]))]


def _fleetdeck_command() -> str:
    import shlex
    import shutil

    found = shutil.which("fleetdeck")
    if found:
        return found
    return f"{shlex.quote(sys.executable)} -m fleetdeck.app.cli"


def _unit_text(text: str) -> str:
    """Text inside a unit file's double quotes: systemd reads % as a specifier and backslash as an escape."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")


def schedule(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    import shlex
    from pathlib import Path

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
        home = ctx.paths.ensure()  # the lines append to a log in it, and the shell will not create its folder
        log = home.log_dir / "cron.log"
        print("# fleetdeck default schedule - install with: fleetdeck schedule --cron | crontab -")
        print("# Each job takes its own lock: an overlapping run exits 75 at once and the next tick retries.")
        env = "".join(f"{name}={shlex.quote(value)} " for name, value in _carried_env())
        for spec, cron in entries:
            line = f"{env}{command} run {spec.name} >> {shlex.quote(str(log))} 2>&1"
            print(f"{cron} {line.replace('%', chr(92) + '%')}")  # crontab reads a bare % as a newline
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
                + "".join(f'Environment="{_unit_text(f"{name}={value}")}"\n' for name, value in _carried_env())
                + f"ExecStart={_unit_text(command)} run {spec.name}\n"
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
