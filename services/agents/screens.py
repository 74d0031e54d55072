"""What each agent kind draws, for the simulated agent (wording from REFERENCE.md and the real captures).

Pure functions: given the simulator's visible state they return the screen lines and the pane title.
Stdlib only, because the simulator must run with nothing installed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BRAILLE = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
STARS = "✳✶✻✽✢·"


@dataclass
class View:
    kind: str
    state: str  # working, permission, idle, usage_limited
    width: int
    context: int
    tick: int = 0
    elapsed: int = 0
    typed: str = ""
    reset_text: str = ""
    command: str = "echo 'hi' > ~/test_permission_file.txt"
    history: list[str] = field(default_factory=list)


def render(view: View) -> tuple[list[str], str]:
    return {"claude": _claude, "codex": _codex, "gemini": _gemini, "aider": _aider}[view.kind](view)


def _rule(view: View, ch: str = "─") -> str:
    return ch * max(10, view.width)


def _typed_lines(prefix: str, typed: str) -> list[str]:
    lines = typed.split("\n") if typed else [""]
    return [prefix + lines[0]] + ["  " + ln for ln in lines[1:]]


def _claude(v: View) -> tuple[list[str], str]:
    w = max(40, v.width)
    top = "╭─── Claude Code v2.1.2 " + "─" * (w - 25) + "╮"
    out = [top, "│" + " Welcome back!".ljust(w - 2) + "│", "╰" + "─" * (w - 2) + "╯", ""]
    out += v.history
    title = "✳ Claude Code"
    ctx = f"Context left until auto-compact: {v.context}%"
    if v.state == "working":
        star = STARS[v.tick % len(STARS)]
        out += ["", f"{star} Pollinating… (esc to interrupt · {v.elapsed}s · thinking)", ""]
        title = f"{BRAILLE[v.tick % len(BRAILLE)]} Working on task"
        out += [_rule(v), "❯ ", _rule(v), "  ? for shortcuts".ljust(w - len(ctx) - 1) + ctx]
    elif v.state == "permission":
        out += ["", "⏺ Bash(" + v.command + ")", "  ⎿  Running…", "", _rule(v), " Bash command", "",
                "   " + v.command, "   Run a shell command", "", " Do you want to proceed?", " ❯ 1. Yes",
                "   2. Yes, and don't ask again for this command", "   3. Type here to tell Claude what to do differently",
                "", " Esc to cancel"]
    else:
        if v.state == "usage_limited":
            out += ["", f"  ⎿  Claude usage limit reached. Your limit will reset at {v.reset_text}."]
        out += ["", _rule(v)] + _typed_lines("❯ ", v.typed) + [_rule(v)]
        out += ["  ? for shortcuts".ljust(w - len(ctx) - 1) + ctx]
    return out, title


def _codex(v: View) -> tuple[list[str], str]:
    out = ["╭" + "─" * 50 + "╮", "│ >_ OpenAI Codex (v0.130.0)".ljust(51) + "│", "╰" + "─" * 50 + "╯", ""]
    out += v.history
    foot = f"  {v.context}% context left · ? for shortcuts"
    if v.state == "working":
        out += ["", f"• Working ({v.elapsed}s • esc to interrupt)", "", "› ", "", foot]
    elif v.state == "permission":
        out += ["", "  Would you like to run the following command?", "", "  $ " + v.command, "",
                "› 1. Yes, proceed (y)", "  2. Yes, and don't ask again for this command (a)",
                "  3. No, and tell Codex what to do differently (esc)", "",
                "  Press enter to confirm or esc to cancel"]
    else:
        if v.state == "usage_limited":
            out += ["", f"■ You've hit your usage limit. Try again at {v.reset_text}."]
        out += [""] + _typed_lines("› ", v.typed) + ["", foot]
    return out, "codex"


def _gemini(v: View) -> tuple[list[str], str]:
    out = [" Gemini CLI v1.2.3", "", "Tips for getting started:", ""]
    out += v.history
    foot = f"~/project        no sandbox        gemini-2.5-pro ({v.context}% context left)"
    box = "─" * max(10, v.width - 2)
    if v.state == "working":
        out += ["", f"{BRAILLE[v.tick % len(BRAILLE)]} Thinking... (esc to cancel, {v.elapsed}s)", "",
                "╭" + box + "╮", "│ >   Type your message or @path/to/file", "╰" + box + "╯", foot]
        title = "✦  Working…"
    elif v.state == "permission":
        out += ["╭" + box + "╮", "│ Action Required", "│", "│ ?  Shell " + v.command, "│",
                "│ Allow execution of [" + v.command.split()[0] + "]?", "│", "│ ● 1. Allow once",
                "│   2. Allow for this session", "│   3. No, suggest changes (esc)", "╰" + box + "╯", foot]
        title = "✋  Action Required"
    else:
        if v.state == "usage_limited":
            out += ["", f"✕ Usage limit reached for gemini-2.5-pro. Your quota resets at {v.reset_text}."]
        typed = v.typed or "  Type your message or @path/to/file"
        out += ["╭" + box + "╮"] + _typed_lines("│ >   ", typed) + ["╰" + box + "╯", foot]
        title = "◇  Ready"
    return out, title


def _aider(v: View) -> tuple[list[str], str]:
    out = ["Aider v0.75.3", "Main model: anthropic/claude-sonnet-4 with diff edit format", "Git repo: .git",
           _rule(v)]
    out += v.history
    if v.state == "working":
        bar = "░█"[v.tick % 2] + "█░"[v.tick % 2]
        out += ["", f"{bar} Waiting for anthropic/claude-sonnet-4"]
    elif v.state == "permission":
        out += ["", v.command, "Run shell command? (Y)es/(N)o/(D)on't ask again [Yes]: "]
    else:
        if v.state == "usage_limited":
            out += ["", "litellm.RateLimitError: AnthropicException - usage limit reached.",
                    f"Your limit will reset at {v.reset_text}."]
        out += ["", _rule(v)] + _typed_lines("> ", v.typed)
    return out, "aider"
