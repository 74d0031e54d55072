"""The sessions-table writer: one short transaction per poll, a session_states row per transition."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

LAST_SEEN_EVERY_S = 30

if TYPE_CHECKING:
    from ..store import Store
    from .poller import SessionSnapshot


def write_poll(store: "Store", snaps: list["SessionSnapshot"], *, polled: list[str], unavailable: dict[str, str],
               now: int, default_policy: str = "ask") -> list[dict[str, Any]]:
    """Upsert every seen pane, mark vanished ones gone, mark sessions of unreachable servers unknown."""
    transitions: list[dict[str, Any]] = []
    seen = {s.key for s in snaps}
    with store.write() as conn:
        rows = {r["key"]: r for r in conn.execute(
            "SELECT id, key, socket, name, tmux_session, pane_id, pane_pid, agent_kind, project_dir, state,"
            " context_left, reset_at, detail, last_seen_at, gone_at FROM sessions")}

        def transition(session_id: int, key: str, old: str | None, new: str, detail: str | None) -> None:
            conn.execute("INSERT INTO session_states (session_id, at, from_state, to_state, detail)"
                         " VALUES (?, ?, ?, ?, ?)", (session_id, now, old, new, detail))
            transitions.append({"key": key, "session_id": session_id, "from": old, "to": new, "detail": detail})

        for s in snaps:
            row = rows.get(s.key)
            detail = s.prompt or s.detail
            if row is None:
                cur = conn.execute(
                    "INSERT INTO sessions (key, name, socket, tmux_session, pane_id, pane_pid, agent_kind,"
                    " project_dir, state, state_since, context_left, reset_at, detail, restart_policy,"
                    " created_at, started_at, last_seen_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (s.key, s.name, s.socket, s.tmux_session, s.pane_id, s.pane_pid, s.agent_kind, s.project_dir,
                     s.state, now, s.context_left, s.reset_at, detail, default_policy, now, now, now))
                transition(int(cur.lastrowid or 0), s.key, None, s.state, s.detail)
                continue
            revived = row["gone_at"] is not None
            changed = revived or row["state"] != s.state
            context = s.context_left if s.context_left is not None else row["context_left"]
            same = (row["name"], row["tmux_session"], row["pane_id"], row["pane_pid"], row["agent_kind"],
                    row["project_dir"], row["context_left"], row["reset_at"], row["detail"]) == (
                    s.name, s.tmux_session, s.pane_id, s.pane_pid, s.agent_kind, s.project_dir, context,
                    s.reset_at, detail)
            if same and not changed and now - (row["last_seen_at"] or 0) < LAST_SEEN_EVERY_S:
                continue  # nothing new: no write (the console polls every second)
            conn.execute(
                "UPDATE sessions SET name=?, socket=?, tmux_session=?, pane_id=?, pane_pid=?, agent_kind=?,"
                " project_dir=?, state=?, state_since=CASE WHEN ? THEN ? ELSE state_since END, context_left=?,"
                " reset_at=?, detail=?, last_seen_at=?, gone_at=NULL,"
                " started_at=CASE WHEN pane_pid IS NOT ? OR ? THEN ? ELSE started_at END WHERE id=?",
                (s.name, s.socket, s.tmux_session, s.pane_id, s.pane_pid, s.agent_kind, s.project_dir, s.state,
                 changed, now, context, s.reset_at, detail, now, s.pane_pid, revived, now, row["id"]))
            if changed:
                transition(row["id"], s.key, None if revived else row["state"], s.state, s.detail)

        for key, row in rows.items():
            if row["gone_at"] is not None or key in seen:
                continue
            if row["socket"] in polled:
                conn.execute("UPDATE sessions SET gone_at=?, state='dead', state_since=?, detail='pane closed'"
                             " WHERE id=?", (now, now, row["id"]))
                if row["state"] != "dead":
                    transition(row["id"], key, row["state"], "dead", "pane closed")
            elif row["socket"] in unavailable:
                if row["state"] != "unknown":
                    reason = f"tmux server unavailable: {unavailable[row['socket']]}"
                    conn.execute("UPDATE sessions SET state='unknown', state_since=?, detail=? WHERE id=?",
                                 (now, reason, row["id"]))
                    transition(row["id"], key, row["state"], "unknown", reason)
            else:
                # Its socket is no longer in [tmux] sockets: nothing watches it, so its last state would stay
                # listed for good (and an 'idle' one could still be handed a prompt). It leaves the live list;
                # a pane seen again, once the socket is back, revives the row.
                reason = f"tmux socket {row['socket']} is no longer watched ([tmux] sockets)"
                conn.execute("UPDATE sessions SET gone_at=?, state='unknown', state_since=?, detail=? WHERE id=?",
                             (now, now, reason, row["id"]))
                if row["state"] != "unknown":
                    transition(row["id"], key, row["state"], "unknown", reason)
    return transitions
