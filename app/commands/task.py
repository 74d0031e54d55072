"""`fleetdeck task ...`: add, list, show, cancel, retry and import prompts in the queue."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    from fleetdeck.app.cli import positive_int

    p = sub.add_parser("task", help="the task queue: add, list, show, cancel, retry, import prompts")
    tasks = p.add_subparsers(dest="task_command", metavar="ACTION", parser_class=type(p))
    p.set_defaults(handler=lambda args, ctx: _missing(p))

    a = tasks.add_parser("add", help="queue a prompt (text, --file F, or - for stdin)")
    a.add_argument("text", nargs="?", help="the prompt; `-` reads it from stdin")
    a.add_argument("--file", "-f", metavar="F", help="read the prompt from file F (`-` for stdin)")
    a.add_argument("--project", metavar="DIR", help="only a session working in DIR may take it")
    a.add_argument("--workflow", metavar="NAME", help="workflow name (ETA history is kept per workflow)")
    a.add_argument("--priority", type=int, default=0, metavar="N", help="higher goes first (default 0)")
    a.add_argument("--agent", metavar="KIND", help="only this agent kind: claude, codex, aider, gemini")
    a.add_argument("--session", metavar="NAME", help="only this session may take it")
    a.add_argument("--json", action="store_true", help="print the new prompt as JSON")
    a.set_defaults(handler=add)

    ls = tasks.add_parser("list", help="list prompts in queue order")
    ls.add_argument("--status", metavar="S", help="pending, assigning, running, completed, failed, cancelled, active")
    ls.add_argument("--limit", type=positive_int, default=200, help="at most this many rows (default 200)")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(handler=list_)

    for name, helptext, handler in (("show", "show one prompt, whole text included", show),
                                    ("cancel", "cancel a pending prompt", cancel),
                                    ("retry", "queue a failed or cancelled prompt again", retry)):
        sp = tasks.add_parser(name, help=helptext)
        sp.add_argument("id", type=int, help="prompt id")
        sp.add_argument("--json", action="store_true", help="print JSON")
        if name == "cancel":
            sp.add_argument("--dry-run", action="store_true", help="say what would happen, change nothing")
        sp.set_defaults(handler=handler)

    im = tasks.add_parser("import", help="queue one prompt per JSON line (text, project, workflow, priority, agent)")
    im.add_argument("file", help="a .jsonl file, or - for stdin")
    im.add_argument("--json", action="store_true", help="print the result as JSON")
    im.set_defaults(handler=import_)


def _missing(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 64


def _read_bytes(source: str) -> bytes:
    from fleetdeck.services.errors import FleetdeckError
    from fleetdeck.services.exitcodes import ExitCode

    if source == "-":
        return sys.stdin.buffer.read()
    try:
        with open(source, "rb") as handle:
            return handle.read()
    except OSError as exc:  # missing, a folder, unreadable: sysexits' "no input"
        raise FleetdeckError(f"cannot read {source}: {exc.strerror or exc}", ExitCode.NOINPUT) from None


def _prompt_text(args: argparse.Namespace) -> str:
    from fleetdeck.services.errors import DataError, UsageError

    if args.file is not None and args.text is not None:
        raise UsageError("give the prompt as text or with --file, not both")
    if args.file is None and args.text is None:  # nothing given at all: a usage error, not an empty prompt
        raise UsageError("give the prompt as text, with --file F, or as - to read stdin")
    source = args.file if args.file is not None else ("-" if args.text == "-" else None)
    if source is None:
        return args.text
    data = _read_bytes(source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"prompt is not UTF-8 text (byte {exc.start})") from None


def add(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json
    from fleetdeck.services.queue.prompts import NewPrompt, add_prompt

    new = NewPrompt(text=_prompt_text(args), project_dir=args.project, workflow=args.workflow,
                    priority=args.priority, agent_kind=args.agent, session=args.session, source="cli")
    prompt_id = add_prompt(ctx.store, new, now=ctx.clock.now(),
                           max_attempts=int(ctx.config.get("queue", "max_attempts", 3)))
    if args.json:
        print_json({"id": prompt_id, "status": "pending", "length": len(new.text)}, stream=sys.stdout)
    else:
        print(f"queued prompt #{prompt_id} ({len(new.text):,} characters, priority {args.priority})")
    return 0


def list_(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json, print_table
    from fleetdeck.services.clock import utc_iso
    from fleetdeck.services.queue.prompts import list_prompts

    rows = list_prompts(ctx.store, args.status, args.limit)
    if args.json:
        for r in rows:
            for key in ("created_at", "started_at", "finished_at"):
                r[key] = utc_iso(r[key])
        print_json(rows, stream=sys.stdout)
        return 0
    now = ctx.clock.now()
    print_table(
        [(r["id"], r["status"], r["priority"], r["workflow"], r["project_dir"], r["session_name"],
          _age(now - r["created_at"]), r["preview"][:60].replace("\n", " ")) for r in rows],
        ("ID", "STATUS", "PRI", "WORKFLOW", "PROJECT", "SESSION", "AGE", "PROMPT"), align="rlrlllrl",
        stream=sys.stdout)
    return 0


def _age(seconds: float) -> str:
    from fleetdeck.services.queue.snapshot import human_duration

    return human_duration(max(seconds, 0))


def show(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json, visible
    from fleetdeck.services.clock import utc_iso
    from fleetdeck.services.queue.prompts import get_prompt

    row = get_prompt(ctx.store, args.id)
    for key in ("created_at", "assigned_at", "started_at", "finished_at", "updated_at"):
        row[key] = utc_iso(row[key])
    if args.json:
        print_json(row, stream=sys.stdout)
        return 0
    text = row.pop("text")
    for key, value in row.items():
        if value is not None:
            print(f"{key + ':':<18} {visible(str(value))}")
    print("text:")
    text = visible(text)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def cancel(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json
    from fleetdeck.services.errors import DataError
    from fleetdeck.services.queue.prompts import cancel_prompt, get_prompt

    if args.dry_run:
        row = get_prompt(ctx.store, args.id)
        if row["status"] != "pending":
            raise DataError(f"prompt #{args.id} is {row['status']}; only pending prompts can be cancelled")
        message = f"would cancel prompt #{args.id}"
    else:
        cancel_prompt(ctx.store, args.id, now=ctx.clock.now())
        message = f"cancelled prompt #{args.id}"
    if args.json:
        print_json({"id": args.id, "status": "pending" if args.dry_run else "cancelled", "dry_run": args.dry_run},
                   stream=sys.stdout)
    else:
        print(message)
    return 0


def retry(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json
    from fleetdeck.services.queue.prompts import retry_prompt

    retry_prompt(ctx.store, args.id, now=ctx.clock.now())
    if args.json:
        print_json({"id": args.id, "status": "pending"}, stream=sys.stdout)
    else:
        print(f"prompt #{args.id} queued again")
    return 0


def import_(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json
    from fleetdeck.services.queue.prompts import import_jsonl

    data = _read_bytes(args.file)
    result = import_jsonl(ctx.store, data.splitlines(), now=ctx.clock.now(),
                          max_attempts=int(ctx.config.get("queue", "max_attempts", 3)))
    if args.json:
        print_json(result.__dict__, stream=sys.stdout)
    else:
        print(f"imported {result.added} prompts ({result.already} already queued, {result.torn} torn lines skipped,"
              f" {len(result.invalid)} invalid)")
        problems = sorted([f"line {n}: not a JSON object" for n in result.torn_lines] + result.invalid,
                          key=lambda text: int(text.split(":", 1)[0].removeprefix("line ")))
        for problem in problems[:20]:
            print(f"  {problem}", file=sys.stderr)
        if len(problems) > 20:
            print(f"  ... and {len(problems) - 20} more (`--json` lists them all)", file=sys.stderr)
    return 0
