"""The ``health`` job: one pass of the session watcher (``fleetdeck watch`` runs it every 2 s)."""

from __future__ import annotations

from ..jobs import JobContext, JobResult, Progress, job


@job(
    "health",
    description="Poll agent sessions, record their states, notify, and apply restart/resume policies",
    mutates=True,
    watch_interval=2,
)
async def health(ctx: JobContext, progress: Progress) -> JobResult:
    from .policies import PolicyConfig, execute, load_inputs, notify_transitions, plan
    from .poller import default_poller, on_poller_loop, poll_once

    poller = default_poller()
    now = int(ctx.clock.now())
    cfg = PolicyConfig.from_config(ctx.config)
    progress(0, 3, "polling tmux")
    if ctx.dry_run:
        sockets = list(ctx.config.get("tmux", "sockets", ["default"]) or ["default"])
        result = await on_poller_loop(poller.scan(sockets, now=now))
        rows, pending, counts = load_inputs(ctx.store, now)
        by_key = {s.key: s for s in result.sessions}
        for r in rows:  # what the rows would say after this poll
            s = by_key.get(r["key"])
            if s is not None:
                r.update(state=s.state, context_left=s.context_left if s.context_left is not None
                         else r["context_left"], reset_at=s.reset_at)
        steps = plan(rows, pending, counts, now, cfg)
        done = [f"would {st.kind}: {st.name} ({st.detail})" for st in steps]
        notified = 0
        pane_errors = 0
    else:
        result = await poll_once(ctx.store, ctx.config, ctx.clock, ctx.events)
        progress(1, 3, "notifying")
        notified = notify_transitions(ctx.store, result, now)
        from .pane_errors import record_pane_errors

        pane_errors = record_pane_errors(ctx.store, result.sessions, config=ctx.config, now=now)
        progress(2, 3, "applying policies")
        rows, pending, counts = load_inputs(ctx.store, now)
        ids = {r["key"]: r["id"] for r in rows}
        screens = {ids[s.key]: s.screen for s in result.sessions if s.key in ids}
        steps = plan(rows, pending, counts, now, cfg)
        done = execute(ctx.store, steps, now=now, cfg=cfg, handoff_dir=ctx.paths.data_dir / "handoffs",
                       screens=screens)
    progress(3, 3, "done")
    states: dict[str, int] = {}
    for s in result.sessions:
        states[s.state] = states.get(s.state, 0) + 1
    parts = [f"{n} {st}" for st, n in sorted(states.items())]
    message = f"health: {len(result.sessions)} sessions" + (f" ({', '.join(parts)})" if parts else "")
    if result.unavailable:
        message += f"; unavailable: {', '.join(result.unavailable)}"
    if done:
        message += f"; {len(done)} actions"
    summary = {
        "sessions": len(result.sessions), "states": states, "transitions": len(result.transitions),
        "unavailable": result.unavailable, "actions": done, "notified": notified, "pane_errors": pane_errors,
        "poll_ms": round(result.elapsed_s * 1000, 1),
    }
    return JobResult(message, summary)
