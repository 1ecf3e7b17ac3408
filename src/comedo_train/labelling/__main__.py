"""``python -m comedo_train.labelling``."""

import sys

from comedo_train.labelling.cli import main

sys.exit(main())
