"""`fleetdeck alerts list` (the outbox and channel health) and `fleetdeck alerts test CHANNEL`."""

from __future__ import annotations

import argparse

CHANNELS = ("slack", "telegram", "desktop", "console")


def register(sub: argparse._SubParsersAction) -> None:
    from fleetdeck.app.cli import positive_int

    p = sub.add_parser("alerts", help="alert channels and the notification outbox")
    asub = p.add_subparsers(dest="alerts_command", metavar="COMMAND")
    lp = asub.add_parser("list", help="recent notifications, their delivery per channel, failing channels")
    lp.add_argument("--limit", type=positive_int, default=30, help="how many messages (default 30)")
    lp.add_argument("--json", action="store_true", help="print JSON")
    lp.set_defaults(handler=list_alerts)
    tp = asub.add_parser("test", help="send a test message to one channel now")
    tp.add_argument("channel", choices=CHANNELS, help="slack, telegram, desktop or console")
    tp.add_argument("--json", action="store_true", help="print JSON")
    tp.set_defaults(handler=test_channel)
    p.set_defaults(handler=lambda args, ctx: list_alerts(argparse.Namespace(limit=30, json=False), ctx))


def list_alerts(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json, print_table
    from fleetdeck.services.clock import utc_iso
    from fleetdeck.services.notify.delivery import channel_health, outbox_rows

    notify = ctx.config.section("notify")
    health = channel_health(ctx.store, notify)
    rows = outbox_rows(ctx.store, args.limit)
    if args.json:
        print_json({"channels": health, "outbox": rows})
        return 0
    print_table([(h["channel"], "FAILING" if h["failing"] else "ok", h["pending"], h["last_error"] or "")
                 for h in health], ("CHANNEL", "STATE", "PENDING", "LAST ERROR"), align="llrl")
    print()
    if not rows:
        print("the outbox is empty")
        return 0
    print_table([(r["id"], utc_iso(r["created_at"]), r["severity"], r["status"],
                  " ".join(f"{c}:{s}" for c, s in sorted(r["channels"].items())) or "-", r["title"][:60])
                 for r in rows], ("ID", "CREATED", "SEVERITY", "STATUS", "CHANNELS", "TITLE"), align="rlllll")
    return 0


def test_channel(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.app.output import print_json
    from fleetdeck.services.errors import ConfigError, UnavailableError
    from fleetdeck.services.notify.channels import configured_channels
    from fleetdeck.services.notify.delivery import deliver_pending
    from fleetdeck.services.notify.outbox import enqueue

    notify = ctx.config.section("notify")
    channels = configured_channels(notify)
    if args.channel not in channels:
        hint = {"slack": "set [notify] slack_webhook", "telegram": "set [notify] telegram_token and telegram_chat_id",
                "desktop": "install notify-send (libnotify-bin) and set [notify] desktop = true"}[args.channel]
        raise ConfigError(f"channel {args.channel} is not configured: {hint}")
    ctx.setup_logging()
    now = ctx.clock.now()
    message_id = enqueue(ctx.store, source="alerts-test", title="fleetdeck test message",
                         body=f"If you can read this, {args.channel} alerts work.", channel=args.channel, now=now)
    report = deliver_pending(ctx.store, notify, channels={args.channel: channels[args.channel]},
                             now_fn=ctx.clock.now)
    row = ctx.store.query_one("SELECT status, last_error FROM outbox_deliveries WHERE outbox_id = ?", (message_id,))
    ok = row is not None and row["status"] == "sent"
    if args.json:
        print_json({"channel": args.channel, "sent": ok, "error": None if ok else (row["last_error"] if row else None),
                    **report.as_dict()})
    elif ok:
        print(f"sent a test message to {args.channel}")
    if not ok:
        error = (row["last_error"] if row else None) or report.failed.get(args.channel) or "not delivered"
        raise UnavailableError(f"{args.channel}: {error} (it stays queued and is retried by deliver-alerts)")
    return 0
