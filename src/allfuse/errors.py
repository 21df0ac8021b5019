"""One exception type for bad input, so the command line can print one clear line and exit non-zero."""


class InputError(Exception):
    """Bad input: the message names the file (and line or sample) and what is wrong."""


#: A failed step's one line quotes the first line of its log matching this (case-insensitive; an
#: extended regular expression, for ``grep -iE`` in the workflow's shell and for Python's ``re``),
#: else the log's last non-blank line.
LOG_ERROR_PATTERN = "error|fatal|exiting because|abort|terminat"


def step_failed_line(what: str, tool: str, status: object, message: str, log: object) -> str:
    """The one console line of a failed pipeline step: what (sample or step), the tool, its exit
    status, the log's own error line and where the whole log is. The workflow's shell wrapper
    fills it with shell variables, ``allfuse steps`` with values."""
    return f"allfuse: error: {what}: {tool} failed (exit {status}): {message} (log: {log})"
