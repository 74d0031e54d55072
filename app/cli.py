"""The `fleetdeck` command.

Subcommands live in ``app/commands/<name>.py``, each with ``register(subparsers)``; this module finds them.
Command modules import only argparse at module level and load services inside their handlers, which keeps
`fleetdeck --help` fast (a test checks no heavy library is imported).

Errors: a FleetdeckError prints one line ``fleetdeck: <message>`` and exits with its sysexits code; so do
SQLite's busy/damaged/read-only/full failures and output that cannot be written (mapped here, for every
command). Anything else is a bug: one line, exit 70, the traceback in the log file (and on stderr with --debug).
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from importlib import import_module

from fleetdeck import __version__

TYPE_CHECKING = False  # typing's own import is ~5 ms of every command; annotations here are never evaluated
if TYPE_CHECKING:
    from typing import Callable, Sequence

    Handler = Callable[[argparse.Namespace, object], int]

# argparse asks gettext for each of the ~180 messages it uses while the parser is built, and with no catalogue
# installed (the usual case) gettext searches the locale folders again on every call: about 18 ms of every
# command. The locale does not change within a run, so one lookup per message gives the same text.
argparse._ = functools.lru_cache(maxsize=None)(argparse._)  # type: ignore[attr-defined]

EPILOG = """\
Run `fleetdeck` in a terminal to open the console. Every console action also runs headless:
  fleetdeck jobs                 list jobs, their schedules and whether they change data
  fleetdeck run JOB [--dry-run]  run one job now (cron-safe: a lock per job, exit 75 when busy)
  fleetdeck schedule --cron      print crontab lines for the default schedule
Exit codes follow sysexits: 64 usage, 65 bad data, 69 unavailable, 73 can't create, 75 busy, 78 config.
"""


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors on one line with exit code 64."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(64, f"fleetdeck: {message} (see `{self.prog} --help`)\n")

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse builds a formatter for every add_argument, and without a width it imports shutil (with bz2,
        # lzma and zlib: ~4 ms of every start) to ask the terminal's; os answers the same question.
        return self.formatter_class(prog=self.prog, width=_terminal_width() - 2)


def positive_int(text: str) -> int:
    """An argparse type for counts and limits: a whole number of at least 1 (SQLite reads LIMIT -1 as none)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _terminal_width() -> int:
    """What shutil.get_terminal_size().columns says: $COLUMNS, else the terminal on stdout, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def _command_modules(package) -> list[str]:  # noqa: ANN001
    """Names of the command modules (a directory scan: cheaper than pkgutil, which imports inspect)."""
    names: set[str] = set()
    for folder in package.__path__:
        for entry in os.scandir(folder):
            if entry.name.endswith(".py") and not entry.name.startswith("_"):
                names.add(entry.name[:-3])
    return sorted(names)


def _commands(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser, or with ``only`` just the module of that name (the fast path for one command)."""
    parser = _Parser(
        prog="fleetdeck",
        description="Operations console for fleets of AI coding agents in tmux.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"fleetdeck {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    import fleetdeck.app.commands as commands_pkg

    names = _command_modules(commands_pkg)
    if only is not None:
        names = [only] if only in names else []
    for name in names:
        module = import_module(f"fleetdeck.app.commands.{name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def _wants_console(argv: Sequence[str]) -> bool:
    return not argv and sys.stdin.isatty() and sys.stdout.isatty()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if sys.stdout is None:  # started with stdout closed (`fleetdeck jobs >&-`): nothing it says could arrive
        if sys.stderr is not None:
            print("fleetdeck: standard output is closed", file=sys.stderr)
        return 74
    if _wants_console(argv):
        argv = ["console"]
    # --debug is the program's, but people add it at the end of the command that failed: take it anywhere
    # before a `--` (as no command has an option or value of that name, nothing else is lost).
    end = argv.index("--") if "--" in argv else len(argv)
    debug = "--debug" in argv[:end]
    if debug:
        argv = [a for i, a in enumerate(argv) if a != "--debug" or i >= end]
    # Most invocations name one command whose module has the same name: load only that module. Anything else
    # (`--help`, `run` living in jobs.py, a typo) gets the full parser.
    parser = None
    if argv and not argv[0].startswith("-"):
        quick = build_parser(only=argv[0])
        if argv[0] in _commands(quick):
            parser = quick
    if parser is None:
        parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    if extras:
        # argparse reports these from the top-level parser, whose help is not where the user should look.
        _innermost(parser, args).error(f"unrecognized arguments: {' '.join(extras)}")
    args.debug = debug
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 64
    from fleetdeck.app.context import CliContext
    from fleetdeck.services.errors import FleetdeckError

    ctx = CliContext(args)
    try:
        return int(handler(args, ctx) or 0)
    except FleetdeckError as exc:
        print(f"fleetdeck: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("fleetdeck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `fleetdeck report | head`: the reader went away; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001
        known = _database_failure(exc, ctx) or _write_failure(exc)
        if known is not None:
            print(f"fleetdeck: {known[0]}", file=sys.stderr)
            return known[1]
        if ctx.debug:
            import traceback

            traceback.print_exc()
        where = _log_traceback(ctx, argv)
        print(f"fleetdeck: internal error: {type(exc).__name__}: {exc} "
              f"({f'traceback in {where}; ' if where else ''}run with --debug to see it here)", file=sys.stderr)
        return 70
    finally:
        ctx.close()


def _innermost(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The (sub)parser of the command the user named, e.g. `fleetdeck restore`'s for `restore 1 --bogus`."""
    while True:
        action = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
        chosen = getattr(args, action.dest, None) if action is not None and action.dest != argparse.SUPPRESS else None
        if action is None or chosen not in action.choices:
            return parser
        parser = action.choices[chosen]


# SQLite's primary result codes (extended ones such as SQLITE_BUSY_SNAPSHOT start with them) that are the
# user's situation rather than a bug: another process holding the database, a damaged file, a full disk. The
# exception does not say which database; a lock or damage is all but always fleetdeck's own, shared one, so
# those name it; a file that cannot be opened or written may be any (a restore target, a backup's copy).
_SQLITE_FAILURES = (
    ("SQLITE_BUSY", 75, "database {db} is busy: {error}; try again later"),
    ("SQLITE_LOCKED", 75, "database {db} is busy: {error}; try again later"),
    ("SQLITE_NOTADB", 65, "database {db} is damaged: {error} (see `fleetdeck restore --help`)"),
    ("SQLITE_CORRUPT", 65, "database {db} is damaged: {error} (see `fleetdeck restore --help`)"),
    ("SQLITE_READONLY", 73, "cannot write a database: {error}"),
    ("SQLITE_CANTOPEN", 73, "cannot open a database: {error}"),
    ("SQLITE_FULL", 73, "cannot write a database: {error}"),
    ("SQLITE_IOERR", 74, "cannot read or write a database: {error}"),
)


def _database_failure(exc: BaseException, ctx: "object") -> tuple[str, int] | None:
    """A one-line message and sysexits code for an SQLite error the user can act on; None for anything else."""
    sqlite3 = sys.modules.get("sqlite3")  # an SQLite error means it is loaded; otherwise no need to load it
    if sqlite3 is None or not isinstance(exc, sqlite3.Error):
        return None
    name = getattr(exc, "sqlite_errorname", None) or ""
    for prefix, code, template in _SQLITE_FAILURES:
        if name.startswith(prefix):
            paths = getattr(ctx, "__dict__", {}).get("paths")  # set only if the command resolved its paths
            message = template.format(db=paths.db_file if paths is not None else "", error=exc)
            return message.replace("database  is", "database is"), code
    return None


def _log_traceback(ctx: "object", argv: Sequence[str]) -> str | None:
    """Write the traceback being handled to the log file (where a bug report starts); its path, or None when
    the log cannot be written either."""
    try:
        import traceback

        from loguru import logger

        ctx.setup_logging()  # type: ignore[attr-defined]
        logger.bind(file_only=True).error("internal error in `fleetdeck {}`:\n{}", " ".join(argv),
                                          traceback.format_exc())
        return str(ctx.paths.log_file)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - the one line on stderr still goes out
        return None


def _write_failure(exc: BaseException) -> tuple[str, int] | None:
    """A full disk or a failing device is the machine's state, not a bug: one line, 73 or 74."""
    import errno

    if not isinstance(exc, OSError) or exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EIO):
        return None
    what = exc.filename if exc.filename is not None else "the output"
    return f"cannot write {what}: {exc.strerror}", 74 if exc.errno == errno.EIO else 73


def entry() -> None:
    """The installed `fleetdeck` script: ``main``, then a quick exit when nothing is left for the interpreter's
    shutdown to do. Tearing down every module and object takes a report or an ingest that found nothing new
    about a tenth of its run; when no atexit callback is registered (a background spend writer, loguru's
    handlers, temporary files all register one) and no other thread runs, there is nothing it would save."""
    code = main()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None: started with it closed
                stream.flush()
    except BrokenPipeError:  # the reader went away (`fleetdeck report | head`): not an error
        pass
    except OSError as exc:  # the last of the output did not fit (`> /dev/full`): say so, once
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # shutdown's flush would fail again
        message, failed = _write_failure(exc) or (f"cannot write the output: {exc.strerror}", 74)
        print(f"fleetdeck: {message}", file=sys.stderr)
        code = code or failed
    else:
        import atexit

        threading = sys.modules.get("threading")  # not imported: no thread was started through it
        pending = getattr(atexit, "_ncallbacks", None)  # CPython's count; elsewhere, exit as usual
        if pending is not None and pending() == 0 and (threading is None or threading.active_count() == 1):
            os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
