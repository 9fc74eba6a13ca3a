"""``python -m linreg``: see ``linreg.cli``."""

import sys

try:
    from linreg.cli import main
except KeyboardInterrupt:  # Ctrl-C while torch is still importing
    print("linreg: interrupted", file=sys.stderr)
    sys.exit(130)

sys.exit(main())
