"""Run the command line: `python -m postmortem`."""

import sys

from postmortem.cli import main

sys.exit(main())
