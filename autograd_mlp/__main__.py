"""``python -m autograd_mlp`` is the ``autograd-mlp`` command."""

import sys

from .cli import main

sys.exit(main())
