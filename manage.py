#!/usr/bin/env python
"""Django's command-line utility; `jisp` (jisp/cli.py) is the same with a shorter name."""

import sys

if __name__ == "__main__":
    from jisp.cli import main

    sys.exit(main())
