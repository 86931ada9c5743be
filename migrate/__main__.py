"""`python -m migrate` runs the same CLI as the `zoho-migrate` console script."""

import sys

from migrate.cli import main

sys.exit(main())
