"""Shared pytest configuration for unit tests and docstring examples: plot headless."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # as tfedu.setup() does; kernels inherit it

import matplotlib  # noqa: E402

matplotlib.use("Agg")
