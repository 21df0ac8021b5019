"""One exception type for bad input, so the command line can print one clear line and exit non-zero."""


class InputError(Exception):
    """Bad input: the message names the file (and line or sample) and what is wrong."""
