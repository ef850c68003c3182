"""The lessons, one script each. Run one as ``python demos/NAME.py`` or ``autograd-mlp demo NAME``."""
