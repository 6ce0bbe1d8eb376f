"""showcase.lazy: every model, network and decoder is built once, by one request, on first use."""

from __future__ import annotations

import threading
import time

import pytest

from showcase.errors import ShowcaseError
from showcase.lazy import Lazy, LazyByKey, once


def slow_counter():
    calls = []

    def make(*key):
        calls.append(key)
        time.sleep(0.05)  # long enough for every thread to arrive while the first builds
        return object()

    return make, calls


def all_at_once(work, threads: int = 8) -> list:
    results, start = [None] * threads, threading.Barrier(threads)

    def run(index):
        start.wait()
        results[index] = work()

    pool = [threading.Thread(target=run, args=(index,)) for index in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return results


def test_concurrent_first_requests_build_once_and_share_it():
    make, calls = slow_counter()
    lazy = Lazy(make)
    results = all_at_once(lazy.get)
    assert len(calls) == 1 and lazy.made
    assert all(result is results[0] for result in results)


def test_a_failure_or_nothing_yet_is_tried_again():
    attempts = []

    def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise ShowcaseError("no weights yet")
        return None if len(attempts) == 2 else "model"

    lazy = Lazy(flaky)
    with pytest.raises(ShowcaseError):
        lazy.get()
    assert lazy.get() is None and not lazy.made  # a loader that found nothing is asked again
    assert lazy.get() == "model" and lazy.get() == "model"
    assert len(attempts) == 3


def test_one_value_per_key():
    make, calls = slow_counter()
    by_key = LazyByKey(make)
    first = all_at_once(lambda: by_key.get((16, 30)))
    assert len(calls) == 1 and all(value is first[0] for value in first)
    assert by_key.get((32, 30)) is not first[0]
    assert calls == [((16, 30),), ((32, 30),)]


def test_once_decorates_a_function_of_no_arguments():
    make, calls = slow_counter()
    built = once(make)
    assert built() is built() and len(calls) == 1
    assert built.lazy.made


def test_warming_in_the_background_reports_a_message_instead_of_raising(caplog):
    def missing():
        raise ShowcaseError("no checkpoint found")

    Lazy(missing).warm_in_background().join(timeout=5)
    assert "no checkpoint found" in caplog.text
