"""The Ray engine: one Ray actor per worker, each holding one ``ContractWorker`` (the
model loads once per actor). ``address=None`` starts a private local Ray with
``num_cpus=workers`` and no dashboard; an address (``ray://host:10001`` or ``host:6379``
or ``auto``) joins an existing cluster, whose nodes must have this package installed.
Files are read by the actors, so on a cluster the paths must be visible to every node
(a shared mount).
"""

from __future__ import annotations

import os
from typing import Any, Iterable, Iterator

from risk_copilot.batch.errors import BatchError
from risk_copilot.batch.results_store import ScanOutcome
from risk_copilot.batch.scan_task import ScanTask

_OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


def _ray():
    try:
        import ray
    except ImportError as exc:
        raise BatchError("--engine ray needs the 'ray' package: pip install 'contract-risk-copilot[distributed]'",
                         code="ray_unavailable") from exc
    return ray


class RayRunner:
    def __init__(self, workers: int = 2, settings: dict[str, Any] | None = None, *, address: str | None = None,
                 torch_threads: int = 1, object_store_mb: int = 256) -> None:
        self.workers = max(1, int(workers))
        self.settings = settings or {}
        self.address = address
        self.torch_threads = torch_threads
        self.object_store_mb = object_store_mb
        self._started_ray = False
        self._actors: list[Any] = []
        self._actor_class = None

    def __enter__(self) -> "RayRunner":
        ray = _ray()
        if not ray.is_initialized():
            env = {"env_vars": dict(_OFFLINE_ENV)}
            if self.address:
                ray.init(address=self.address, runtime_env=env, log_to_driver=False)
            else:
                os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
                ray.init(num_cpus=self.workers, include_dashboard=False, log_to_driver=False, runtime_env=env,
                         object_store_memory=self.object_store_mb * 1024 * 1024, configure_logging=False)
            self._started_ray = True
        self._actor_class = ray.remote(num_cpus=1, max_restarts=0)(_RayContractWorker)
        self._actors = [self._new_actor() for _ in range(self.workers)]
        return self

    def _new_actor(self):
        return self._actor_class.remote(self.settings, self.torch_threads)

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        ray = _ray()
        for actor in self._actors:
            try:
                ray.kill(actor)
            except Exception:
                pass
        self._actors = []
        if self._started_ray and ray.is_initialized():
            ray.shutdown()
            self._started_ray = False

    def run(self, tasks: Iterable[ScanTask]) -> Iterator[ScanOutcome]:
        ray = _ray()
        from ray.exceptions import RayActorError, RayTaskError

        pending = list(tasks)
        pending.reverse()
        in_flight: dict[Any, tuple[int, ScanTask]] = {}
        load = [0] * len(self._actors)
        while pending or in_flight:
            for index in range(len(self._actors)):
                while pending and load[index] < 2:
                    task = pending.pop()
                    ref = self._actors[index].review.remote(task.path, task.sha256, task.requested_type)
                    in_flight[ref] = (index, task)
                    load[index] += 1
            ready, _ = ray.wait(list(in_flight), num_returns=1)
            for ref in ready:
                index, task = in_flight.pop(ref)
                load[index] -= 1
                try:
                    yield ray.get(ref)
                except RayActorError:
                    yield ScanOutcome(sha256=task.sha256, path=task.path, status="error", error_code="worker_crashed",
                                      error_message="the Ray worker died while reviewing this file")
                    self._actors[index] = self._new_actor()
                except RayTaskError as exc:
                    yield ScanOutcome(sha256=task.sha256, path=task.path, status="error", error_code="internal_error",
                                      error_message=str(exc)[:2000])


class _RayContractWorker:
    """A Ray actor around ``ContractWorker`` (one engine, loaded in ``__init__``)."""

    def __init__(self, settings: dict[str, Any], torch_threads: int) -> None:
        from risk_copilot.batch.worker import ContractWorker

        self.worker = ContractWorker(settings, torch_threads=torch_threads)
        self.worker.warm_up()

    def review(self, path: str, sha256: str, requested_type: str) -> ScanOutcome:
        return self.worker.review_file(path, sha256, requested_type)
