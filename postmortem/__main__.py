"""Run the command line: `python -m postmortem`."""

import sys

from .cli import main

sys.exit(main())
