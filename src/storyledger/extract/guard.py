"""Per-document isolation for extraction: a document whose extractors raise or run past a time
budget becomes a recorded failure, and the batch goes on.

One article must never stop a build of thousands: an extractor bug on an odd sentence, or a
loop that never ends, is that document's problem. The document itself is still stored and
searchable; the failure is stored beside it (``extraction_problems``) and reported.

The budget is enforced where the work runs:

* in a process's main thread (the in-process engine, local pool workers) by a CPU-time timer
  (``SIGPROF``), so that a loaded machine does not fail documents, and a wall-clock backstop
  (``SIGALRM``, a few times longer) that also interrupts a blocking call such as ``time.sleep``;
* in any other thread (Dask workers run tasks in threads) by raising an asynchronous exception
  in that thread, which lands at the next Python instruction — a Python loop is stopped, a
  single long call into C code is stopped only when it returns.
"""

from __future__ import annotations

import ctypes
import signal
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

# A news article extracts in well under a second; one taking minutes is stuck, not slow.
DEFAULT_DOC_SECONDS = 60.0
WALL_FACTOR = 5  # in a process's main thread: the CPU budget, and this many times it on the clock

T = TypeVar("T")


class ExtractionTimeout(BaseException):
    """Raised inside extraction when a document's budget is spent. A ``BaseException`` so that
    an extractor's own ``except Exception`` cannot swallow it."""


@dataclass(frozen=True)
class ExtractionFailure:
    """A document whose extraction failed: which stage, how, and the error as text."""

    doc_id: str
    stage: str  # parse / time / attribution / quantities / claims / dating
    kind: str  # "error" or "timeout"
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        if self.kind == "timeout":
            return f"extraction stopped in the {self.stage} stage: {self.message}"
        return f"extraction failed in the {self.stage} stage: {self.message}"


class StageTracker:
    """Which extraction stage is running, so a failure can name it."""

    def __init__(self) -> None:
        self.stage = "parse"


def run_guarded(doc_id: str, work: Callable[[StageTracker], T], seconds: float | None) -> T | ExtractionFailure:
    """``work(tracker)``, or the failure it ran into. ``seconds`` of None or 0 means no budget."""
    tracker = StageTracker()
    try:
        with _time_budget(seconds):
            return work(tracker)
    except ExtractionTimeout:
        return ExtractionFailure(doc_id, tracker.stage, "timeout",
                                 f"still running after {seconds:g} s of work (raise --doc-seconds if the "
                                 "document is legitimately long)")
    except Exception as error:  # noqa: BLE001 — any extractor bug is this document's problem
        where = traceback.extract_tb(error.__traceback__)[-1]
        return ExtractionFailure(doc_id, tracker.stage, "error",
                                 f"{type(error).__name__}: {error} (at {where.name}, line {where.lineno})")


@contextmanager
def _time_budget(seconds: float | None) -> Iterator[None]:
    if not seconds:
        yield
    elif threading.current_thread() is threading.main_thread():
        with _alarm(seconds):
            yield
    else:
        with _async_exception_after(seconds):
            yield


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """The budget in CPU seconds (a busy machine does not make a document fail), with a wall-clock
    backstop of WALL_FACTOR times it for work that waits instead of computing."""
    def expire(signum: int, frame: object) -> None:
        raise ExtractionTimeout

    previous = {number: signal.signal(number, expire) for number in (signal.SIGPROF, signal.SIGALRM)}
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.setitimer(signal.ITIMER_REAL, seconds * WALL_FACTOR)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        for number, handler in previous.items():
            signal.signal(number, handler)


def _set_async_exc(thread_id: int, exception: type[BaseException] | None) -> None:
    """Raise ``exception`` in thread ``thread_id`` at its next Python instruction (None clears
    one still pending)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception) if exception else None)


@contextmanager
def _async_exception_after(seconds: float) -> Iterator[None]:
    thread_id = threading.get_ident()
    lock = threading.Lock()
    state = {"done": False, "fired": False}

    def expire() -> None:
        with lock:
            if not state["done"]:
                _set_async_exc(thread_id, ExtractionTimeout)
                state["fired"] = True

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            state["done"] = True
            if state["fired"]:  # fired as the work ended: clear it so it cannot land later
                _set_async_exc(thread_id, None)
