"""Shared pytest configuration for unit tests, docstring examples and lessons (kernels inherit the environment)."""
import atexit
import os
import shutil
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # as tfedu.setup() does

# Exercise checks record progress; the suite's own checks must not land in the developer's record.
_PROGRESS_DIR = tempfile.mkdtemp(prefix="tfedu-test-progress-")
os.environ["TFEDU_PROGRESS"] = os.path.join(_PROGRESS_DIR, "progress.jsonl")
atexit.register(shutil.rmtree, _PROGRESS_DIR, ignore_errors=True)

import matplotlib  # noqa: E402

matplotlib.use("Agg")
