"""Build an expensive object once per process, on first use, even under concurrent requests.

A Gradio server calls a demo from many threads at once; each model, network or decoder must be
built by exactly one of them while the others wait. Every such cache in showcase is a
:class:`Lazy` (or a function decorated with :func:`once`).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from showcase.errors import ShowcaseError

T = TypeVar("T")
log = logging.getLogger("showcase")


class Lazy(Generic[T]):
    """``make()``'s result, made by the first :meth:`get` and kept.

    A failure is not kept, and neither is None (what a loader returns when there is nothing to
    load yet): the next :meth:`get` tries again, so a model trained while a server runs is found.
    """

    def __init__(self, make: Callable[[], T]):
        self._make = make
        self._lock = threading.Lock()
        self._value: T | None = None
        self._made = False

    @property
    def made(self) -> bool:
        return self._made

    def get(self) -> T:
        if not self._made:
            with self._lock:
                if not self._made:
                    self._value = self._make()
                    self._made = self._value is not None
        return self._value

    def warm_in_background(self) -> threading.Thread:
        """Start making the value in a daemon thread, so the first request need not wait."""

        def warm():
            try:
                self.get()
            except ShowcaseError as err:  # the first request will show the same message
                log.warning("could not preload: %s", err)

        thread = threading.Thread(target=warm, daemon=True, name="showcase-warmup")
        thread.start()
        return thread


class LazyByKey(Generic[T]):
    """One :class:`Lazy` per key: ``get(key)`` makes ``make(key)`` once per distinct key."""

    def __init__(self, make: Callable[..., T]):
        self._make = make
        self._lock = threading.Lock()
        self._values: dict = {}

    def get(self, key) -> T:
        with self._lock:
            lazy = self._values.get(key)
            if lazy is None:
                lazy = self._values[key] = Lazy(functools.partial(self._make, key))
        return lazy.get()


def once(make: Callable[[], T]) -> Callable[[], T]:
    """Decorate a function of no arguments so that it runs once per process (thread-safe)."""
    lazy = Lazy(make)

    @functools.wraps(make)
    def get() -> T:
        return lazy.get()

    get.lazy = lazy
    return get
