"""Masking: replace the variable parts of a message (ids, numbers, hex, paths, IPs, times, quoted values) with <*>.

Words and error codes stay, so two messages that differ only in what varies mask to the same text. One set of
rules for every source: no per-system tuning.
"""

from __future__ import annotations

import re

WILDCARD = "<*>"

# Order matters: wider shapes (URLs, paths, times, IPs) are taken before the bare numbers inside them.
# Each rule names the characters it cannot match without (any one of them) and whether it needs a digit, so
# most messages skip most rules without a regex scan. ``mask`` applies them in this order, written out.
_RULES: tuple[tuple[re.Pattern[str], tuple[str, ...], bool], ...] = (
    (re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://\S+"), ("://",), False),                                # URLs
    (re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"), ("@",), False),                                # e-mail
    (re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"), ("-",), True),
    # Syslog dates before the times inside them; month names as guards keep the scan off most lines.
    (re.compile(r"\b(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                r"\s+\d{1,2}\s+\d{1,2}:\d{2}:\d{2}(?:\s+\d{4})?\b"),
     ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), True),
    # IPv4[:port], ISO date-times, times in one scan. Each starts with \d and checks what precedes it with a
    # lookbehind after that digit, so the regex engine can skip to digits instead of trying every position.
    (re.compile(r"\d(?:(?<![\w.]\d)\d{0,2}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?::\d+)?(?![\w.])"
                r"|(?<!\w\d)\d{3}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
                r"|(?<!\w\d)\d?:\d{2}:\d{2}(?:[.,]\d+)?\b)"), (".", ":", "-"), True),
    (re.compile(r"(?<![/\w.-])(?:[a-zA-Z0-9-]+\.)+(?:com|net|org|edu|gov|mil|int|io|info|biz|local|lan|[a-z]{2})\b"
                r"(?![.\w])"), (".",), False),                                                     # host names
    (re.compile(r"\b\d+(?:\.\d+)?\s?(?:[KMGTP]i?B|B)\b"), ("B ", "B,", "KB", "MB", "GB", "TB", "PB", "iB"), True),                                 # sizes
    (re.compile(r"(?:~(?<![\w/.]~)/|\.(?<![\w/.]\.)\.?/|/(?<![\w/.]/))[\w.@%+-]+(?:/[\w.@%+-]+)+/?"), ("/",),
     False),                                                                                      # paths
    (re.compile(r"\b[A-Za-z]:\\[^\s]+"), (":\\",), False),                                           # Windows paths
    (re.compile(r"\b0[xX][0-9a-fA-F]+\b"), ("0x", "0X"), True),                                     # 0x hex
    (re.compile(r"'[^'\s]*\d[^'\s]*'|\"[^\"\s]*\d[^\"\s]*\""), ("'", '"'), True),                   # quoted ids
)

_HOLE = "\x00"
_MAYBE_VARIABLE = re.compile(r"[\d=(\x00]|\.\.|[0-9a-fA-F]{8}")
_HAS_DIGIT = re.compile(r"\d")
_ERROR_CODE = re.compile(r"^[A-Z]{2,8}[-_]?\d{2,6}$")
_KEY_VALUE = re.compile(r"^([A-Za-z_][\w.-]*=)(.+)$")
_EDGE = re.compile(r"^([(\[{<'\"]*)(.*?)([)\]}>'\",;:.!?]*)$")
_CALL = re.compile(r"^([A-Za-z_][\w]*)(\.{2,}|\()(?!\))(.+?)\)?$")
_HEX_WORD = re.compile(r"^[0-9a-fA-F]{8,}$")


def _mask_token(token: str) -> str:
    if token == WILDCARD:
        return token
    if WILDCARD in token:  # keep earlier masks out of the edge/call patterns below
        return _mask_token(token.replace(WILDCARD, _HOLE)).replace(_HOLE, WILDCARD)
    if not _MAYBE_VARIABLE.search(token):
        return token
    if token == "()":  # an empty value where others have one: "connection from <*> () at"
        return f"({WILDCARD})"
    lead, core, trail = _EDGE.match(token).groups()  # type: ignore[union-attr]
    kv = _KEY_VALUE.match(core) if "=" in core else None
    if kv:  # key=value: the key is a word, the value varies
        return f"{lead}{kv.group(1)}{WILDCARD}{trail}"
    call = _CALL.match(core)
    if call:  # name(args) / name......value: the name is a word, what follows varies
        close = ")" if call.group(2) == "(" and not trail.startswith(")") else ""
        return f"{lead}{call.group(1)}{call.group(2)}{WILDCARD}{close}{trail}"
    if not _HAS_DIGIT.search(token) and not _HEX_WORD.match(token):
        return token if _HOLE not in token or token == _HOLE else _collapse(lead, core, trail)
    if not core or _ERROR_CODE.match(core):
        return token
    return f"{lead}{WILDCARD}{trail}"


def _collapse(lead: str, core: str, trail: str) -> str:
    """A token built around an earlier mask ("<*>:<*>", "[<*>]"): keep its word parts."""
    return f"{lead}{core}{trail}"


def zeroed(message: str) -> bytes:
    """The message's UTF-8 bytes with every ASCII digit turned into 0: masking only looks at digit positions,
    so messages with equal ``zeroed`` forms mask the same (callers cache on it)."""
    return message.encode("utf-8", "replace").translate(_ZERO)


def mask(message: str, key: bytes | None = None) -> str:
    """The message with every variable part replaced by <*>, whitespace collapsed. (``key`` is accepted for
    callers that have ``zeroed(message)`` at hand; the str guards below turned out faster than byte guards.)

    The rules of ``_RULES`` in their order, written out: a loop over the rules and their guards cost as much
    as the regex scans. A few rules have a cheaper necessary condition checked before the scan (it holds for
    any match in the text as it stands, so skipping the scan when it fails changes nothing)."""
    m = message
    has_digit = _HAS_DIGIT.search(m) is not None
    if "://" in m:
        m = _URL(WILDCARD, m)
    if "@" in m:
        m = _EMAIL(WILDCARD, m)
    if has_digit:
        if "-" in m and m.count("-") >= 4:  # a UUID has four dashes
            m = _UUID(WILDCARD, m)
        if ("Jan" in m or "Feb" in m or "Mar" in m or "Apr" in m or "May" in m or "Jun" in m or "Jul" in m
                or "Aug" in m or "Sep" in m or "Oct" in m or "Nov" in m or "Dec" in m):
            m = _SYSLOG_DATE(WILDCARD, m)
        if _IP_TIME_HINT(m) is not None:  # the guards . : - with a digit after one of them
            m = _IP_TIME(WILDCARD, m)
    if "." in m and _HOST_HINT(m) is not None:  # a dot and a two-letter (or longer) lower-case suffix
        m = _HOST(WILDCARD, m)
    if has_digit and ("B " in m or "B," in m or "KB" in m or "MB" in m or "GB" in m or "TB" in m or "PB" in m
                      or "iB" in m):
        m = _SIZE(WILDCARD, m)
    if "/" in m and m.count("/") >= 2:  # a path has a slash before its first part and one after
        m = _PATH(WILDCARD, m)
    if ":\\" in m:
        m = _WINDOWS_PATH(WILDCARD, m)
    if has_digit:
        if "0x" in m or "0X" in m:
            m = _HEX(WILDCARD, m)
        if "'" in m or '"' in m:
            m = _QUOTED(WILDCARD, m)
    tokens = m.split()
    # the regex engine flags the tokens that may hold a variable (a C-level map); only those reach Python
    return " ".join([t if flag is None else WILDCARD if t.isdigit() else _mask_token_cached(t)
                     for t, flag in zip(tokens, map(_MAYBE_VARIABLE.search, tokens))])


(_URL, _EMAIL, _UUID, _SYSLOG_DATE, _IP_TIME, _HOST, _SIZE, _PATH, _WINDOWS_PATH, _HEX, _QUOTED) = (
    pattern.sub for pattern, _, _ in _RULES)
_IP_TIME_HINT = re.compile(r"[.:-]\d").search
_HOST_HINT = re.compile(r"\.[a-z][a-z]").search


_TOKEN_SHAPES: dict[bytes, tuple[int, int] | None] = {}
_VERBATIM = (-1, -1)
_ZERO = bytes.maketrans(b"123456789", b"000000000")


def clear_caches() -> None:
    """Forget cached token shapes (benchmarks start each timed run cold)."""
    _TOKEN_SHAPES.clear()


def _mask_token_cached(token: str) -> str:
    """``_mask_token`` through a cache keyed on the token with its digits zeroed.

    The rules look at digit positions, never digit values, and every result is the token itself or a prefix
    of it + <*> + a suffix of it, so the cache stores only (prefix length, suffix length)."""
    key = token.encode("utf-8", "replace").translate(_ZERO)
    shape = _TOKEN_SHAPES.get(key)
    if shape is not None:
        if shape is _VERBATIM:
            return token
        return token[: shape[0]] + WILDCARD + token[len(token) - shape[1]:] if shape[1] else token[: shape[0]] + WILDCARD
    out = _mask_token(token)
    if out == token:
        shape = _VERBATIM
    else:
        i = out.find(WILDCARD)
        tail = len(out) - i - len(WILDCARD)
        ok = i >= 0 and out[:i] == token[:i] and (tail == 0 or out[len(out) - tail:] == token[len(token) - tail:])
        ok = ok and WILDCARD not in out[i + len(WILDCARD):] and i + tail <= len(token)
        shape = (i, tail) if ok else None
    if shape is not None:
        if len(_TOKEN_SHAPES) >= 100_000:
            _TOKEN_SHAPES.clear()
        _TOKEN_SHAPES[key] = shape
    return out


def tokens(message: str) -> list[str]:
    return mask(message).split()
