"""`python -m credit_scoring_kedro.demo_data --help`."""

import sys

from credit_scoring_kedro.demo_data.cli import main

sys.exit(main())
