"""`fleetdeck sessions`: one poll, the table of agent sessions; and the pane's actions, headless."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sessions", help="poll tmux once and list agent sessions (and act on one)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=list_sessions)
    acts = p.add_subparsers(dest="action", metavar="ACTION")
    a = acts.add_parser("send", help="paste a prompt into a session (text from --text or stdin)")
    a.add_argument("session", help="key, name or id")
    a.add_argument("--text", help="the prompt (default: read stdin)")
    a.set_defaults(handler=send)
    a = acts.add_parser("answer", help="answer a permission prompt")
    a.add_argument("session")
    a.add_argument("answer", choices=("yes", "no"))
    a.set_defaults(handler=answer)
    for name, helptext in (("restart", "restart with a handoff note"), ("kill", "kill the session's pane")):
        a = acts.add_parser(name, help=helptext)
        a.add_argument("session")
        a.add_argument("--dry-run", action="store_true", help="say what would happen, change nothing")
        a.set_defaults(handler=restart if name == "restart" else kill)
    a = acts.add_parser("policy", help="set a session's restart policy (off, ask, auto)")
    a.add_argument("session")
    a.add_argument("policy", choices=("off", "ask", "auto"))
    a.set_defaults(handler=policy)
    a = acts.add_parser("new", help="start an agent in a new tmux session")
    a.add_argument("--name", required=True)
    a.add_argument("--dir", required=True, help="project directory")
    a.add_argument("--command", required=True, help="agent command line, e.g. claude")
    a.add_argument("--socket", help="tmux socket (default: the first in [tmux] sockets)")
    a.set_defaults(handler=new)


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = int(seconds)
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else (f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s")


def list_sessions(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    import asyncio

    from fleetdeck.app.output import print_json, print_table
    from fleetdeck.services.clock import utc_iso
    from fleetdeck.services.health import poll_once

    result = asyncio.run(poll_once(ctx.store, ctx.config, ctx.clock))
    now = ctx.clock.now()
    rows = [dict(r) for r in ctx.store.query(
        "SELECT * FROM sessions WHERE gone_at IS NULL ORDER BY socket, name")]
    if args.json:
        print_json({
            "sessions": [{
                "key": r["key"], "name": r["name"], "socket": r["socket"], "pane_id": r["pane_id"],
                "pane_pid": r["pane_pid"], "agent_kind": r["agent_kind"], "project_dir": r["project_dir"],
                "state": r["state"], "state_since": utc_iso(r["state_since"]), "context_left": r["context_left"],
                "reset_at": utc_iso(r["reset_at"]), "restarts": r["restarts"], "restart_policy": r["restart_policy"],
                "detail": r["detail"]} for r in rows],
            "unavailable": result.unavailable,
        })
    else:
        print_table(
            [(r["name"], r["agent_kind"], r["state"], _age(now - r["state_since"] if r["state_since"] else None),
              f"{r['context_left']}%" if r["context_left"] is not None else "-", r["restarts"],
              r["project_dir"] or "-", r["key"]) for r in rows],
            ("NAME", "AGENT", "STATE", "FOR", "CONTEXT", "RESTARTS", "PROJECT", "KEY"), align="lllrrrll")
        for socket, reason in result.unavailable.items():
            print(f"tmux {socket}: unavailable ({reason})", file=sys.stderr)
    import shutil

    # No server on a socket is no sessions; no tmux at all means the list cannot be true, whatever it holds.
    return 69 if shutil.which("tmux") is None else 0


def send(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.services.health import ops

    text = args.text if args.text is not None else sys.stdin.read()
    s = ops.send(ctx.store, args.session, text)
    print(f"sent {len(text)} characters to {s['name']}")
    return 0


def answer(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.services.health import ops

    s = ops.answer(ctx.store, args.session, args.answer == "yes")
    print(f"answered {args.answer} to {s['name']}")
    return 0


def restart(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.services.health import ops

    print(ops.restart(ctx.store, ctx.config, args.session, dry_run=args.dry_run))
    return 0


def policy(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.services.health import ops

    print(ops.set_policy(ctx.store, args.session, args.policy))
    return 0


def kill(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.services.health import ops

    print(ops.kill(ctx.store, args.session, dry_run=args.dry_run))
    return 0


def new(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.services.health import ops

    print(ops.new(ctx.config, args.name, args.dir, args.command, args.socket))
    return 0
