"""``python -m linreg``: see ``linreg.cli``."""

import sys

from linreg.cli import main

sys.exit(main())
