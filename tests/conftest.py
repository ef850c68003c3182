"""Test-wide settings.

One BLAS thread: the suite runs one test at a time on small matrices, where a
second OpenBLAS thread only adds contention (4-9x slower on a busy 2-core
machine). Set before numpy is first imported by a test module.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
