"""The local engine: a pool of ``spawn``-ed worker processes, one ``ReviewEngine`` each.

Each worker process embeds with one thread (torch / ONNX Runtime), whatever the number of
workers: parallelism comes from workers (two workers on two cores beat one worker with
two threads, since tokenising, segmentation and rules are single-threaded), and the
int8 embedding path gives bit-identical vectors only at a fixed thread count, so a
portfolio scanned with 1 or 4 workers, locally or on Ray, gets the same results.
A worker that dies (segfault, OOM kill) breaks the pool; the files that were in flight are
retried one at a time in a fresh pool, and a file that kills a worker on its own is
recorded as ``worker_crashed`` so the batch goes on.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Iterable, Iterator

from risk_copilot.batch.results_store import ScanOutcome
from risk_copilot.batch.scan_task import ScanTask

_WORKER = None  # the ContractWorker of this worker process (set by the pool initializer)


DEFAULT_WORKER = "risk_copilot.batch.worker:ContractWorker"


def _init_worker(worker_class: str, settings: dict[str, Any], torch_threads: int) -> None:
    global _WORKER
    import importlib

    module_name, _, class_name = worker_class.partition(":")
    factory = getattr(importlib.import_module(module_name), class_name)
    _WORKER = factory(settings, torch_threads=torch_threads)
    _WORKER.warm_up()


def _review(task: ScanTask) -> ScanOutcome:
    return _WORKER.review_file(task.path, task.sha256, task.requested_type)


class LocalRunner:
    def __init__(self, workers: int = 1, settings: dict[str, Any] | None = None, *, torch_threads: int | None = None,
                 worker_class: str = DEFAULT_WORKER) -> None:
        """``worker_class`` ("module:Class", importable in a fresh process) builds each
        worker's reviewer; tests pass a fake."""
        self.workers = max(1, int(workers))
        self.worker_class = worker_class
        self.settings = settings or {}
        self.torch_threads = 1 if torch_threads is None else torch_threads
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker, initargs=(self.worker_class, self.settings, self.torch_threads),
        )

    def __enter__(self) -> "LocalRunner":
        self._pool = self._new_pool()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def run(self, tasks: Iterable[ScanTask]) -> Iterator[ScanOutcome]:
        """Yield one outcome per task, in completion order."""
        pending = deque(tasks)
        suspects: deque[ScanTask] = deque()
        in_flight: dict[Future, tuple[ScanTask, bool]] = {}
        window = 2 * self.workers
        if self._pool is None:
            self._pool = self._new_pool()
        while pending or suspects or in_flight:
            broken = False
            try:
                # suspects (in flight when a worker died) run alone, so the culprit is known
                if suspects and not in_flight:
                    task = suspects[0]
                    in_flight[self._pool.submit(_review, task)] = (task, True)
                    suspects.popleft()
                while not suspects and pending and len(in_flight) < window:
                    task = pending[0]
                    in_flight[self._pool.submit(_review, task)] = (task, False)
                    pending.popleft()
            except BrokenProcessPool:  # a worker died before we saw its future fail
                broken = True
            if not broken:
                done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
                for future in done:
                    task, alone = in_flight.pop(future)
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        broken = True
                        if alone:
                            yield crashed_outcome(task)
                        else:
                            suspects.append(task)
                        continue
                    yield outcome
            if broken:
                for task, alone in in_flight.values():
                    if alone:
                        yield crashed_outcome(task)
                    else:
                        suspects.append(task)
                in_flight.clear()
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()


def crashed_outcome(task: ScanTask) -> ScanOutcome:
    return ScanOutcome(sha256=task.sha256, path=task.path, status="error", error_code="worker_crashed",
                       error_message="the worker process died while reviewing this file (crash or out of memory)")
