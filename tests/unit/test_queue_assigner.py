"""The assigner's rules, on a real store; the tmux side is a recording stand-in here (tests/integration pastes
into real panes)."""

from __future__ import annotations

from pathlib import Path

from fleetdeck.services.queue.assigner import Policy, assign_once
from fleetdeck.services.queue.prompts import NewPrompt, add_prompt, get_prompt

NOW = 1_767_225_600.0


class Panes:
    """What the assigner pasted where, and what each pane shows."""

    def __init__(self) -> None:
        self.pasted: list[tuple[str, str]] = []
        self.screens: dict[str, str] = {}

    def paste(self, socket: str, target: str, text: str, *, enter_delay: float = 0.0) -> None:
        self.pasted.append((target, text))
        self.screens[target] = self.screens.get(target, "") + text

    def capture(self, socket: str, target: str) -> str:
        return self.screens.get(target, "")


def add_session(store, name: str, *, state: str = "idle", project: str | None = None, kind: str = "claude",
                since: float = NOW - 100) -> int:
    cur = store.execute(
        "INSERT INTO sessions (key, name, socket, pane_id, agent_kind, project_dir, state, state_since, created_at)"
        " VALUES (?, ?, 'sock', ?, ?, ?, ?, ?, ?)",
        (f"sock:{name}", name, f"%{name}", kind, project, state, int(since), int(NOW - 1000)))
    return int(cur.lastrowid)


def set_state(store, session_id: int, state: str, at: float) -> None:
    store.execute("UPDATE sessions SET state = ?, state_since = ? WHERE id = ?", (state, int(at), session_id))


def run(store, panes: Panes, now: float = NOW, **kw) -> object:
    return assign_once(store, now, kw.pop("policy", Policy(enter_delay=0)), paste=panes.paste,
                       capture=panes.capture, **kw)


def test_highest_priority_then_oldest_goes_first_and_each_session_gets_one(store) -> None:
    panes = Panes()
    add_session(store, "a")
    add_session(store, "b")
    old = add_prompt(store, NewPrompt("old"), now=NOW - 50)
    urgent = add_prompt(store, NewPrompt("urgent", priority=9), now=NOW)
    newer = add_prompt(store, NewPrompt("newer"), now=NOW - 10)
    report = run(store, panes)
    assert [p for p, _ in report.assigned] == [urgent, old]
    assert get_prompt(store, newer)["status"] == "pending"
    # Nothing changes on the next pass: both sessions are busy with a prompt even though still 'idle'.
    assert run(store, panes, NOW + 1).assigned == []
    assert len(panes.pasted) == 2


def test_a_prompt_goes_only_to_a_session_in_its_project_and_of_its_agent_kind(store, tmp_path: Path) -> None:
    panes = Panes()
    (tmp_path / "p1").mkdir()
    project = str((tmp_path / "p1").resolve())
    add_session(store, "elsewhere", project="/srv/other")
    add_session(store, "codex-here", project=project, kind="codex")
    right = add_session(store, "claude-here", project=project)
    add_session(store, "a-shell", project=project, kind="shell")
    prompt = add_prompt(store, NewPrompt("fix", project_dir=project, agent_kind="claude"), now=NOW)
    assert run(store, panes).assigned == [(prompt, right)]


def test_busy_and_dead_sessions_get_nothing(store) -> None:
    panes = Panes()
    add_session(store, "w", state="working")
    add_session(store, "d", state="dead")
    add_prompt(store, NewPrompt("x"), now=NOW)
    assert run(store, panes).assigned == [] and panes.pasted == []


def test_a_prompt_completes_when_its_session_is_idle_again(store) -> None:
    panes = Panes()
    sid = add_session(store, "a")
    prompt = add_prompt(store, NewPrompt("work"), now=NOW)
    run(store, panes)
    assert get_prompt(store, prompt)["status"] == "running"
    set_state(store, sid, "working", NOW + 1)
    assert run(store, panes, NOW + 2).completed == []
    set_state(store, sid, "idle", NOW + 30)
    report = run(store, panes, NOW + 31)
    row = get_prompt(store, prompt)
    assert report.completed == [prompt] and row["status"] == "completed"
    assert row["finished_at"] - row["started_at"] == 30


def test_a_crashed_session_means_a_retry_until_attempts_run_out(store) -> None:
    panes = Panes()
    sid = add_session(store, "a")
    prompt = add_prompt(store, NewPrompt("flaky"), now=NOW, max_attempts=2)
    for attempt in (1, 2):
        t = NOW + attempt * 100
        set_state(store, sid, "idle", t - 50)
        run(store, panes, t)
        assert get_prompt(store, prompt)["attempts"] == attempt
        set_state(store, sid, "dead", t + 1)
        run(store, panes, t + 2)
    row = get_prompt(store, prompt)
    assert row["status"] == "failed" and "session ended" in row["error"]
    assert len(panes.pasted) == 2


def test_a_prompt_running_past_the_timeout_is_retried(store) -> None:
    panes = Panes()
    sid = add_session(store, "a")
    prompt = add_prompt(store, NewPrompt("slow"), now=NOW)
    run(store, panes, policy=Policy(timeout_s=60, enter_delay=0))
    set_state(store, sid, "working", NOW + 1)
    run(store, panes, NOW + 61, policy=Policy(timeout_s=60, enter_delay=0))
    row = get_prompt(store, prompt)
    assert row["status"] == "pending" and "timed out" in row["error"]


def test_reconcile_marks_a_prompt_seen_in_its_pane_running_and_requeues_one_never_sent(store) -> None:
    panes = Panes()
    a = add_session(store, "a")
    b = add_session(store, "b")
    sent = add_prompt(store, NewPrompt("this one was pasted before the crash"), now=NOW)
    unsent = add_prompt(store, NewPrompt("this one was not"), now=NOW)
    # What a kill -9 between the 'assigning' commit and the paste (or the 'running' commit) leaves behind.
    for prompt, session in ((sent, a), (unsent, b)):
        store.execute("UPDATE prompts SET status = 'assigning', session_id = ?, assigned_at = ?, attempts = 1"
                      " WHERE id = ?", (session, int(NOW), prompt))
    panes.screens["%a"] = "> this one was pasted\n   before the crash"
    # Within the grace period nothing is decided yet.
    early = run(store, panes, NOW + 1)
    assert early.reconciled_sent == [] and get_prompt(store, sent)["status"] == "assigning"
    report = run(store, panes, NOW + 20)
    assert report.reconciled_sent == [sent] and report.reconciled_unsent == [unsent]
    assert get_prompt(store, sent)["status"] == "running"
    # The unsent prompt went back to pending and was then given (once) to the free session b.
    assert panes.pasted == [("%b", "this one was not")]
    assert get_prompt(store, unsent)["attempts"] == 1


def test_dry_run_changes_nothing(store) -> None:
    panes = Panes()
    add_session(store, "a")
    prompt = add_prompt(store, NewPrompt("x"), now=NOW)
    report = run(store, panes, dry_run=True)
    assert len(report.assigned) == 1 and panes.pasted == []
    assert get_prompt(store, prompt)["status"] == "pending"


def test_a_pinned_prompt_waits_for_its_session(store) -> None:
    panes = Panes()
    add_session(store, "free")
    busy = add_session(store, "busy", state="working")
    prompt = add_prompt(store, NewPrompt("for busy", session="busy"), now=NOW)
    assert run(store, panes).assigned == []
    set_state(store, busy, "idle", NOW + 5)
    assert run(store, panes, NOW + 6).assigned == [(prompt, busy)]


def test_the_snapshot_counts_each_agent_once_and_never_calls_a_waiting_one_working(store) -> None:
    from fleetdeck.services.queue.snapshot import session_counts, take_snapshot

    for i, state in enumerate(["idle", "idle", "working", "permission", "permission", "usage_limited", "dead"]):
        add_session(store, f"a{i}", state=state)
    snap = take_snapshot(store.conn, NOW)
    counts = {k: snap[f"{k}_sessions"] for k in ("idle", "working", "permission", "usage_limited")}
    assert counts == {"idle": 2, "working": 1, "permission": 2, "usage_limited": 1}
    assert snap["sessions"] == sum(counts.values()) == 6, "the dead one is not an agent at work"
    assert session_counts(snap) == ["2 idle", "1 working", "2 waiting for permission", "1 usage-limited"]
    quiet = take_snapshot(store.conn, NOW) | {"permission_sessions": 0, "usage_limited_sessions": 0}
    assert session_counts(quiet, short=True) == ["2 idle", "1 working"], "nobody waiting: nothing said of it"
