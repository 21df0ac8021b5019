"""``python -m allfuse``: the same as the ``allfuse`` command (the workflow runs it this way)."""

import sys

from allfuse.cli import main

sys.exit(main())
