"""Running a student's answer safely: a time limit, and error locations in the student's own code."""
from __future__ import annotations

import ctypes
import os
import threading
import traceback

__all__ = ["CheckTimeout"]

_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class CheckTimeout(BaseException):
    """Raised inside a check that ran past its time limit (a BaseException, so student code cannot catch it)."""


class _Watchdog:
    """Stop the calling thread with :class:`CheckTimeout` after ``seconds``.

    The exception is raised at the next Python bytecode the thread runs, so a
    loop written in Python stops; a single long TensorFlow op finishes first.
    """

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.fired = False
        self._lock = threading.Lock()
        self._running = False

    def _fire(self):
        with self._lock:
            if self._running:
                self.fired = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self._thread), ctypes.py_object(CheckTimeout))

    def __enter__(self):
        if self.seconds:
            self._thread = threading.get_ident()
            self._running = True
            self._timer = threading.Timer(self.seconds, self._fire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc):
        if self.seconds:
            with self._lock:
                self._running = False
            self._timer.cancel()
        return False

    def clear(self):
        """Drop a timeout that fired but was not raised yet (the check ended just in time)."""
        if self.fired:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(threading.get_ident()), None)


def _student_line(error: BaseException) -> str:
    """Where the error happened, in the student's own code when it is there (not in tfedu or a library)."""
    frames = traceback.extract_tb(error.__traceback__)
    own = [frame for frame in frames
           if not os.path.abspath(frame.filename).startswith(_PACKAGE_ROOT + os.sep)
           and "site-packages" not in frame.filename and "/lib/python" not in frame.filename]
    frame = (own or frames)[-1] if (own or frames) else None
    if frame is None:
        return ""
    if own:
        code = f": {frame.line.strip()}" if frame.line else ""
        return f" (line {frame.lineno} of your code{code})"
    return f" (line {frame.lineno} of {os.path.basename(frame.filename)})"
