"""Shared pytest configuration for unit tests and docstring examples: plot headless."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
