"""Masking: replace the variable parts of a message (ids, numbers, hex, paths, IPs, times, quoted values) with <*>.

Words and error codes stay, so two messages that differ only in what varies mask to the same text. One set of
rules for every source: no per-system tuning.

How it runs: the few rules whose match may hold whitespace (syslog dates, "date time", "12 MB") run on the
whole message; every other rule matches inside one whitespace-separated token, so each token is masked on its
own and cached by its text with digits zeroed (the rules look at where digits are, never at their values). A
message whose tokens all have a known shape costs an encode, a split, a C-level map over a dict and a join.
"""

from __future__ import annotations

import re

WILDCARD = "<*>"

# Rules whose match may hold whitespace, run on the whole message in this order.
# A syslog date, "[Mon ]Jan  2 15:16:01[ 2005]" after a word boundary. Written as one alternative per weekday
# and month name, each starting with its name and checking the boundary after it ((?<!\w\w\w\w): the three
# letters are word characters, so the one before them is not), so that the regex engine skips to the
# characters that can start a name instead of trying a boundary at every position (about 3.5x faster).
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_CLOCK = r"\s+\d{1,2}\s+\d{1,2}:\d{2}:\d{2}(?:\s+\d{4})?\b"
_SYSLOG_DATE = re.compile("|".join([rf"{day}(?<!\w\w\w\w)\s+(?:{'|'.join(_MONTHS)}){_CLOCK}"
                                    for day in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")]
                                   + [rf"{month}(?<!\w\w\w\w){_CLOCK}" for month in _MONTHS])).sub
_DATE_SPACE_TIME = re.compile(r"\d(?<!\w\d)\d{3}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
                              r"(?:Z|[+-]\d{2}:?\d{2})?").sub
_DATE_SPACE_HINT = re.compile(r"-\d\d \d\d:").search  # in every match of _DATE_SPACE_TIME; found from a '-'
# "12 MB" after a word boundary; like _IP_TIME, it checks the boundary after its first digit.
_SIZE_SPACE = re.compile(r"\d(?<!\w\d)\d*(?:\.\d+)?\s(?:[KMGTP]i?B|B)\b").sub
# The token a match of those rules ends in, zeroed: a time ("15:16:01", "03:04") or a size unit ("MB,").
_SPAN_END = re.compile(rb"0?0:00|(?:[KMGTP]i?)?B(?!\w)").match
_SPAN_END_LETTER = frozenset(b"BKMGTP")  # the first byte of a match not starting with a digit
_SPAN_END_ZERO = (b"0:00", b"00:00")  # what _SPAN_END matches from a first byte 0, without a regex call
# Every match of the three rules above holds whitespace then a time ("4 15:16", "02 03:04") or a digit,
# whitespace and a size unit. The scan starts at ':' or 'B' and looks back, so most of the line is skipped.
_SPAN_HINT = re.compile(r":\d\d(?:(?<=\s\d:\d\d)|(?<=\s\d\d:\d\d))"
                        r"|B(?:(?<=\d\sB)|(?<=\d\s[KMGTP]B)|(?<=\d\s[KMGTP]iB))\b").search

# Rules that match inside one token, applied to each token in this order. Wider shapes (URLs, paths, times,
# IPs) are taken before the bare numbers inside them.
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://\S+").sub
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b").sub
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b").sub
# IPv4[:port], ISO date-times, times in one scan. Each starts with \d and checks what precedes it with a
# lookbehind after that digit, so the regex engine can skip to digits instead of trying every position.
_IP_TIME = re.compile(r"\d(?:(?<![\w.]\d)\d{0,2}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?::\d+)?(?![\w.])"
                      r"|(?<!\w\d)\d{3}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
                      r"|(?<!\w\d)\d?:\d{2}:\d{2}(?:[.,]\d+)?\b)").sub
_IP_TIME_HINT = re.compile(r"[.:-]\d").search
# The same on an ASCII token's key (digits zeroed), narrower: what every match holds (the digits of an IPv4
# address, a time's ':00:00', a date-time's '-00-00T00:00'). Rules only put <*> in place of a part of the
# token, so a later rule's match is a run of the token's own characters, found in its key as well.
_IP_TIME_KEY = re.compile(rb"0\.0{1,3}\.0{1,3}\.0|:00:00|-00-00T00:00").search
_SIZE_KEY = re.compile(rb"0(?:[KMGTP]i?)?B").search  # likewise for _SIZE: a digit, then the unit
_HOST = re.compile(r"(?<![/\w.-])(?:[a-zA-Z0-9-]+\.)+"
                   r"(?:com|net|org|edu|gov|mil|int|io|info|biz|local|lan|[a-z]{2})\b(?![.\w])").sub
_HOST_HINT = re.compile(r"\.[a-z]{2,}+(?![.\w])").search  # (possessive: never retried shorter)
_SIZE = re.compile(r"\b\d+(?:\.\d+)?(?:[KMGTP]i?B|B)\b").sub
_PATH = re.compile(r"(?:~(?<![\w/.]~)/|\.(?<![\w/.]\.)\.?/|/(?<![\w/.]/))[\w.@%+-]+(?:/[\w.@%+-]+)+/?").sub
_WINDOWS_PATH = re.compile(r"\b[A-Za-z]:\\[^\s]+").sub
_HEX = re.compile(r"\b0[xX][0-9a-fA-F]+\b").sub
_QUOTED = re.compile(r"'[^'\s]*\d[^'\s]*'|\"[^\"\s]*\d[^\"\s]*\"").sub

# A token without any of these is a word no rule can change: a digit; '@' (e-mail), '/' (URL, path), ':\\'
# (Windows path), '.' before two lower-case letters (host); '=', '(', '..', a NUL or eight hex digits in a row
# (``_mask_token``); '<' (an earlier <*>).
_SPECIAL = re.compile(r"[\d@/=(<\x00]|:\\|\.(?:[a-z][a-z]|\.)|[0-9a-fA-F]{8}").search
_HEX8 = re.compile(r"[0-9a-fA-F]{8}").search
has_digit = re.compile(r"\d").search

# The commonest variable tokens, whatever is between brackets or punctuation: a number or hex value (with a
# digit; unless it is an error code), an IPv4 address[:port] (also after a '/'), a word=value (no quotes,
# slashes or backslashes in the value: rules for those may take trailing punctuation). The rules would make
# each lead + <*> + trail, so they are skipped.
_SIMPLE = re.compile(r"([(\[{<]*)(0[xX][0-9a-fA-F]+|[0-9a-fA-F]*\d[0-9a-fA-F]*)([)\]}>,;:.!?]*)"
                     r"|([(\[{<]*/?)\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?::\d+)?(?![\w.])([)\]}>,;:.!?]*)"
                     r"|([A-Za-z_]+=)[^'\"/\\<\s]*?[^'\"/\\<\s)\]}>,;:.!?]([)\]}>,;:.!?]*)").fullmatch
_SIMPLE_CHARS = b"0123456789abcdefABCDEFxX([{<)]}>,;:.!?/"  # every ASCII character _SIMPLE takes but for '='
_MAX_CACHED_TOKEN = 256  # bytes; longer tokens are masked each time rather than held

_HOLE = "\x00"
_MAYBE_VARIABLE = re.compile(r"[\d=(\x00]|\.\.|[0-9a-fA-F]{8}").search
_ERROR_CODE = re.compile(r"^[A-Z]{2,8}[-_]?\d{2,6}$").match
_KEY_VALUE = re.compile(r"^([A-Za-z_][\w.-]*=)(.+)$").match
_LEAD = "([{<'\""  # brackets and quotes a token may open with, and close with (with punctuation)
_TRAIL = ")]}>'\",;:.!?"
_CALL = re.compile(r"^([A-Za-z_][\w]*)(\.{2,}|\()(?!\))(.+?)\)?$").match
_HEX_WORD = re.compile(r"^[0-9a-fA-F]{8,}$").match


def mask(message: str, key: bytes | None = None) -> str:
    """The message with every variable part replaced by <*>, whitespace collapsed. ``key`` is
    ``zeroed(message)`` when the caller has it at hand."""
    return mask_kept(message, key)[0]


def mask_kept(message: str, key: bytes | None = None) -> tuple[str, bool]:
    """``mask``, and whether the masked text kept any digit (an error code, say): when it kept none, every
    message of the same ``zeroed`` form masks to the same text."""
    out, kept = mask_tokens(message, key)
    return " ".join(out), kept


def mask_tokens(message: str, key: bytes | None = None, spans_done: bool = False) -> tuple[list[str], bool]:
    """``mask_kept`` with the masked text as its list of tokens (never empty, never holding whitespace: so
    the text joined with single spaces splits back into this list), which the miner keeps."""
    m = message
    if key is None:
        key = m.encode("utf-8", "replace").translate(DIGITS_TO_ZERO)
    tokens = None
    # Non-ASCII text: split as str does, then zero each token. ASCII: bytes.split() splits where str.split()
    # does but for \x1c-\x1f, which no cached key holds, so a line with them reaches the loop below.
    keys = key.split() if key.isascii() else _keys(tokens := m.split())
    out = list(map(_WORDS_get, keys))  # in C; only tokens of a shape not seen before reach the loop below
    kept = False  # _WORDS holds only masked tokens without digits
    if not all(out):  # a None (masked tokens are never empty); cheaper than `None in out`
        if tokens is None:
            tokens = m.split()
            if "\x1c" in m or "\x1d" in m or "\x1e" in m or "\x1f" in m:
                keys = _keys(tokens)
                out = list(map(_WORDS_get, keys))
        if len(_WORDS) >= _CACHE_SIZE or len(_SPAN_ENDS) >= _CACHE_SIZE:
            _WORDS.clear()  # together: a key in _WORDS must be in _SPAN_ENDS when it matches _SPAN_END
            _SPAN_ENDS.clear()
            _NUMBERS.clear()  # (it grows with _WORDS)
            out = [None] * len(keys)  # every token again, so that _SPAN_ENDS knows this message's keys too
        # the new shapes (a message has one or two), found by C scans of the list (cheaper than building a
        # compress/map/range pipeline); a key holding b"0" (a digit) is never a word
        i = -1
        for _ in range(out.count(None)):
            i = out.index(None, i + 1)
            t, k = tokens[i], keys[i]
            if 48 in k:
                if k[0] == 48:
                    if k.startswith(_SPAN_END_ZERO):
                        _SPAN_ENDS.add(k)
                elif k[0] in _SPAN_END_LETTER and _SPAN_END(k) is not None:
                    _SPAN_ENDS.add(k)
                out[i], digits = _masked_token(t, k)
                if digits:
                    kept = True
                continue
            if k[0] in _SPAN_END_LETTER and _SPAN_END(k) is not None:
                _SPAN_ENDS.add(k)
            # A word: nothing _SPECIAL finds (of which a letters-only token can hold only eight hex letters)
            if (len(t) < 8 or _HEX8(t) is None) if t.isalpha() else _SPECIAL(t) is None:
                _WORDS[k] = out[i] = t  # (so without digits: its key is itself)
            else:
                out[i], digits = _masked_token(t, k)
                if digits:
                    kept = True
    # A token that can end a match of the whitespace-holding rules: those run first on the whole message.
    if (not spans_done and (":" in m or "B" in m) and not _SPAN_ENDS.isdisjoint(keys)
            and _SPAN_HINT(m) is not None):
        if ":" in m and ("Jan" in m or "Feb" in m or "Mar" in m or "Apr" in m or "May" in m or "Jun" in m
                         or "Jul" in m or "Aug" in m or "Sep" in m or "Oct" in m or "Nov" in m or "Dec" in m):
            m = _SYSLOG_DATE(WILDCARD, m)
        if "-" in m and _DATE_SPACE_HINT(m) is not None:
            m = _DATE_SPACE_TIME(WILDCARD, m)
        if "B" in m:
            m = _SIZE_SPACE(WILDCARD, m)
        return mask_tokens(m, None, True)
    return out, kept


def _keys(tokens: list[str]) -> list[bytes]:
    return [t.encode("utf-8", "replace").translate(DIGITS_TO_ZERO) for t in tokens]


def _masked_token(token: str, key: bytes) -> tuple[str, bool]:
    """One token through the token rules and ``_mask_token``, and whether the result kept digits. A result
    without digits is the same for every token of the same ``key`` (the token with its digits zeroed) and
    goes to ``_WORDS``; one that kept digits is remembered as a shape: the token itself, or (prefix length,
    suffix length) around one <*>."""
    shape = _KEPT.get(key) if _KEPT else None  # (usually empty: few tokens keep digits)
    if shape is not None:
        if shape is _VERBATIM:
            return token, True
        head, tail = shape
        return token[:head] + WILDCARD + (token[len(token) - tail:] if tail else ""), True
    # (Regex calls cost ~0.4 us each however small the pattern: cheap tests come first.)
    digit = 48 in key or (not key.isascii() and has_digit(token) is not None)  # 48: b"0", digits zeroed
    # _SIMPLE matches no '='-less ASCII token with a character outside its first two shapes (most tokens
    # that reach the rules: ids with '_', words with letters past 'f'); strip leaves such a character.
    if "=" not in token and key.isascii() and key.strip(_SIMPLE_CHARS):
        simple = None
    else:
        # A number like one seen before but for its hex letters (0x0b85eee0). (ASCII only: a lone surrogate
        # is '?' in the key, which _SIMPLE would take for punctuation.)
        if _NUMBERS and digit and token.isascii():
            hit = _NUMBERS.get(key.translate(_HEX_TO_ZERO))
            if hit is not None and key[hit[1]] not in _UPPER_HEX:  # (an upper-case start may be an error code)
                out = hit[0]
                if len(key) <= _MAX_CACHED_TOKEN:
                    _WORDS[key] = out
                return out, False
        simple = _SIMPLE(token)
    number = simple[2] if simple is not None else None
    if simple is not None and (number is None or not number[0].isupper() or _ERROR_CODE(number) is None):
        # what the rules would make of it, without running them: lead and trail hold no digit
        if simple[1] is not None:
            out = simple[1] + WILDCARD + simple[3]
            if not number.isdigit() and len(key) <= _MAX_CACHED_TOKEN and token.isascii():  # see _NUMBERS
                _NUMBERS[key.translate(_HEX_TO_ZERO)] = (out, len(simple[1]))
        elif simple[4] is not None:
            out = simple[4] + WILDCARD + simple[5]
        else:
            out = simple[6] + WILDCARD + simple[7]
        if len(key) <= _MAX_CACHED_TOKEN:
            _WORDS[key] = out
        return out, False
    m = _token_rules(token, digit, key)
    out = _mask_token(m, digit if m == token else None)
    if not digit or out == WILDCARD or has_digit(out) is None:  # no digit in, none out
        if len(key) <= _MAX_CACHED_TOKEN:
            _WORDS[key] = out
        return out, False
    if len(_KEPT) >= _CACHE_SIZE:
        _KEPT.clear()
    if out == token:
        _KEPT[key] = _VERBATIM
    else:
        i = out.find(WILDCARD)
        tail = len(out) - i - len(WILDCARD)
        if (i >= 0 and WILDCARD not in out[i + len(WILDCARD):] and i + tail <= len(token)
                and out[:i] == token[:i] and out[len(out) - tail:] == token[len(token) - tail:]):
            _KEPT[key] = (i, tail)
    return out, True


def _token_rules(m: str, digit: bool, key: bytes) -> str:
    """The token rules on a token ``m`` of ``key`` (its UTF-8 with digits zeroed)."""
    if "://" in m:
        m = _URL(WILDCARD, m)
    if "@" in m:
        m = _EMAIL(WILDCARD, m)
    if digit:
        if m.count("-") >= 4:  # a UUID has four dashes
            m = _UUID(WILDCARD, m)
        # an IPv4 address has three dots, a time two colons, an ISO date-time a 'T' and a colon; and one of
        # . : - comes before a digit
        if ((m.count(".") >= 3 or m.count(":") >= 2 or ("T" in m and ":" in m))
                and (_IP_TIME_KEY(key) if key.isascii() else _IP_TIME_HINT(m)) is not None):
            m = _IP_TIME(WILDCARD, m)
    if "." in m and _HOST_HINT(m) is not None:  # a dot, then a lower-case suffix that ends the name
        m = _HOST(WILDCARD, m)
    if digit and "B" in m and (not key.isascii() or _SIZE_KEY(key) is not None):
        m = _SIZE(WILDCARD, m)
    if "/" in m and m.count("/") >= 2:  # a path has a slash before its first part and one after
        m = _PATH(WILDCARD, m)
    if ":\\" in m:
        m = _WINDOWS_PATH(WILDCARD, m)
    if digit:
        if "0x" in m or "0X" in m:
            m = _HEX(WILDCARD, m)
        if "'" in m or '"' in m:
            m = _QUOTED(WILDCARD, m)
    return m


def _mask_token(token: str, digit: bool | None = None) -> str:
    """The token phase; ``digit``: whether the token holds a digit, when the caller knows."""
    if token == WILDCARD:
        return token
    if WILDCARD in token:  # keep earlier masks out of the edge/call patterns below
        # With its masks as holes, the token is left as it is unless it has a key=value or a call shape
        # ('=', '(', '..') or a digit; so such a token without them comes back unchanged (nor a NUL, which
        # the way back would turn into a mask), and only the others take the way round.
        if ("=" not in token and "(" not in token and ".." not in token and _HOLE not in token
                and has_digit(token) is None):
            return token
        return _mask_token(token.replace(WILDCARD, _HOLE)).replace(_HOLE, WILDCARD)
    if digit is None:
        digit = has_digit(token) is not None
    if not digit and _MAYBE_VARIABLE(token) is None:
        return token
    if token.isdigit():
        return WILDCARD
    if token == "()":  # an empty value where others have one: "connection from <*> () at"
        return f"({WILDCARD})"
    rest = token.lstrip(_LEAD)  # (what ^([(\[{<'"]*)(.*?)([)\]}>'",;:.!?]*)$ would find, in C string calls)
    lead = token[: len(token) - len(rest)]
    core = rest.rstrip(_TRAIL)
    trail = rest[len(core):]
    kv = _KEY_VALUE(core) if "=" in core else None
    if kv:  # key=value: the key is a word, the value varies
        return f"{lead}{kv.group(1)}{WILDCARD}{trail}"
    call = _CALL(core) if "(" in core or ".." in core else None
    if call:  # name(args) / name......value: the name is a word, what follows varies
        close = ")" if call.group(2) == "(" and not trail.startswith(")") else ""
        return f"{lead}{call.group(1)}{call.group(2)}{WILDCARD}{close}{trail}"
    if not digit and _HEX_WORD(token) is None:
        return token  # words around an earlier mask ("<*>:<*>", "[<*>]") stay
    if not core or (core[0].isupper() and _ERROR_CODE(core)):
        return token
    return f"{lead}{WILDCARD}{trail}"


DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")  # for bytes.translate: see ``zeroed``
_CACHE_SIZE = 100_000  # entries per cache; a full cache is cleared
_WORDS: dict[bytes, str] = {}  # token with digits zeroed -> masked token, when that kept no digit
_WORDS_get = _WORDS.get
_SPAN_ENDS: set[bytes] = set()  # keys seen that match _SPAN_END
_KEPT: dict[bytes, tuple[int, int]] = {}  # the same for tokens whose masked form kept digits: its shape
# A number between brackets and punctuation (``_SIMPLE``'s first shape) masks to lead + <*> + trail whatever
# its hex letters are: keyed by its key with hex letters zeroed too, (that masked token, where the number
# starts), so that 0x0b85eee0 and 0x1438f9e0 cost one regex call between them, not one each. A token of the
# same class key is such a number as well (the lead and trail are the same characters, the number the same
# run of hex characters, 'x' at the same place); it takes the entry when it has a digit (a hex word without
# one is no number) and does not start with an upper-case letter (which may make an error code).
_NUMBERS: dict[bytes, tuple[str, int]] = {}
_HEX_TO_ZERO = bytes.maketrans(b"abcdefABCDEF", b"000000000000")
_UPPER_HEX = frozenset(b"ABCDEF")
_VERBATIM = (-1, -1)


def zeroed(message: str) -> bytes:
    """The message's UTF-8 bytes with every ASCII digit turned into 0: masking only looks at digit positions,
    so messages with equal ``zeroed`` forms mask alike (the same text, when no digit is kept)."""
    return message.encode("utf-8", "replace").translate(DIGITS_TO_ZERO)


def clear_caches() -> None:
    """Forget cached tokens (benchmarks start each timed run cold)."""
    _WORDS.clear()
    _SPAN_ENDS.clear()
    _KEPT.clear()
    _NUMBERS.clear()


def tokens(message: str) -> list[str]:
    return mask(message).split()
