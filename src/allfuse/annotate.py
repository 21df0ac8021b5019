"""Not yet written."""


def add_arguments(parser) -> None:
    pass


def run(args) -> int:
    raise NotImplementedError
