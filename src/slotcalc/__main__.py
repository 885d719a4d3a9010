"""``python -m slotcalc``: the command line of :mod:`slotcalc.cli`."""

import sys

from .cli import main

sys.exit(main())
