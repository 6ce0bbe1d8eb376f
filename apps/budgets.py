"""What one request may cost the server: time, queue places and memory, shared by every demo.

A public Space serves strangers at once on two cores, so every request has a budget that holds
with all demos loaded:

- time: work that scales with its settings (a Gatys optimisation, a clip, long speech) fits
  ``WORK_SECONDS``; iterative work thins its steps to fit and says so, one-shot work is capped
  by its inputs (characters, pixels, lines);
- queue: at most ``QUEUE_SIZE`` requests wait at once; a request past that is told the server
  is busy instead of piling up work nobody may still be waiting for;
- memory: after a request, freed memory is handed back to the system (``release_memory``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
import time

# About two minutes from click to result on two cores, queueing for the one slot included.
WORK_SECONDS = float(os.environ.get("SHOWCASE_WORK_SECONDS", "90"))
# Speech is made one request at a time, so the next person waits for this one: a shorter budget
# (about 3 minutes of audio at the shipped voice's speed).
SPEECH_SECONDS = float(os.environ.get("SHOWCASE_SPEECH_SECONDS", "20"))
# Room for 20 people with a few requests each (the load test: 20 clients, one request each at a
# time, never came near it); past it, work would wait minutes for people who may have left.
QUEUE_SIZE = int(os.environ.get("SHOWCASE_QUEUE_SIZE", "64"))
# malloc_trim walks the heap: at most this often, so many small requests do not pay for it.
TRIM_INTERVAL_S = 2.0


def _glibc(function: str):
    """A function of the C library by name, or None where there is no glibc."""
    name = ctypes.util.find_library("c")
    return getattr(ctypes.CDLL(name), function, None) if name else None


class _Trimmer:
    """One daemon thread that trims after requests: at most once per TRIM_INTERVAL_S, and
    always once after the last request of a burst."""

    def __init__(self):
        self.trim = _glibc("malloc_trim")
        self.wanted = threading.Event()
        self.thread = None
        self.lock = threading.Lock()

    def request(self) -> bool:
        if self.trim is None:
            return False
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(
                    target=self._run, daemon=True, name="showcase-malloc-trim"
                )
                self.thread.start()
        self.wanted.set()
        return True

    def _run(self):
        while True:
            self.wanted.wait()
            self.wanted.clear()
            self.trim(0)
            time.sleep(TRIM_INTERVAL_S)


_trimmer = _Trimmer()


M_ARENA_MAX = -8  # mallopt's parameter number, from glibc's malloc.h


def configure_server_memory() -> None:
    """Memory settings for a long-running server; call before TensorFlow is imported.

    With oneDNN (TensorFlow's default CPU kernels on x86), TensorFlow allocates large tensors
    from its own pool (a BFC allocator), which keeps every region it ever grew to: measured with
    four 1024 px fast styles in one process, 0.45 GB stayed above the loaded model for good.
    ``TF_ONEDNN_USE_SYSTEM_ALLOCATOR=1`` sends them to malloc instead, so the trim after each
    request gives them back (0.79 GB after, 0.81 GB loaded) at the same speed (0.18-0.22 s per
    512 px fast style either way). A value the user set is kept.
    """
    os.environ.setdefault("TF_ONEDNN_USE_SYSTEM_ALLOCATOR", "1")
    limit_arenas()


def limit_arenas(arenas: int = 2) -> bool:
    """Let glibc keep at most ``arenas`` malloc arenas instead of up to eight per core.

    Each of the server's worker threads would otherwise get an arena of its own, and memory
    freed in one cannot serve another: measured with four large fast-style requests at once,
    the peak fell from 1.62 to 1.44 GB and what stayed after a trim from 1.23 to 1.16 GB.
    Call it at start-up, before the threads exist. Returns False without glibc.
    """
    mallopt = _glibc("mallopt")
    return bool(mallopt and mallopt(M_ARENA_MAX, arenas))


def release_memory() -> bool:
    """Hand memory freed by finished requests back to the system (glibc's ``malloc_trim``).

    TensorFlow's CPU kernels allocate their tensors with malloc, from one arena per thread;
    glibc keeps freed arena memory for reuse, so a server's RSS would stay at its highest peak
    long after a large request. The trim runs in a background thread, soon after the request.
    Returns False where there is no glibc (nothing to do there in this form).
    """
    return _trimmer.request()
