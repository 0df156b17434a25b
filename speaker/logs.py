"""Logging set-up for the command-line program: one line per record, fit for journald."""

from __future__ import annotations

import logging
import sys

FORMAT = "%(levelname)s %(name)s: %(message)s"


def configure(debug: bool = False) -> None:
    """Send records to stderr; ``debug`` lowers the level from INFO to DEBUG."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    # Third-party libraries are chatty at DEBUG; keep them at WARNING.
    for noisy in ("numba", "urllib3", "filelock", "matplotlib", "PIL", "comtypes"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
