"""``python -m censorsim``."""

import sys

from censorsim.cli import main

sys.exit(main())
