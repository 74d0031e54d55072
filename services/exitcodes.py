"""Process exit codes, following BSD sysexits so cron wrappers and scripts can tell failures apart."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1
    USAGE = 64  # EX_USAGE: bad command line
    DATAERR = 65  # EX_DATAERR: bad input data
    NOINPUT = 66  # EX_NOINPUT: input file missing or unreadable
    UNAVAILABLE = 69  # EX_UNAVAILABLE: tmux, a remote or a model is down
    SOFTWARE = 70  # EX_SOFTWARE: a bug or an unexpected failure inside a job
    CANTCREAT = 73  # EX_CANTCREAT: cannot create a file or directory
    IOERR = 74  # EX_IOERR
    TEMPFAIL = 75  # EX_TEMPFAIL: busy (a lock is held) - retry later
    CONFIG = 78  # EX_CONFIG: configuration missing or invalid
