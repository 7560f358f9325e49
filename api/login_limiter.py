"""Login throttling for the web page: at most ``max_failures`` failed logins per username and
client address within a sliding ``window_seconds``; then 429 with ``Retry-After`` until the
oldest failure leaves the window. In-process (one instance per app, built by the composition
root); a deployment with several processes gets one budget per process."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from typing import Callable


class LoginRateLimiter:
    def __init__(self, max_failures: int, window_seconds: float, *, max_keys: int = 50_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures, self.window, self.max_keys, self.clock = max_failures, float(window_seconds), max_keys, clock
        self._failures: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(username: str, client: str | None) -> tuple[str, str]:
        return username.strip().casefold(), client or "-"

    def _recent(self, key: tuple[str, str], now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def retry_after(self, key: tuple[str, str]) -> int | None:
        """Seconds until ``key`` may try again, or None when it may try now."""
        with self._lock:
            now = self.clock()
            times = self._recent(key, now)
            if times is None or len(times) < self.max_failures:
                return None
            return max(1, math.ceil(times[-self.max_failures] + self.window - now))

    def failed(self, key: tuple[str, str]) -> None:
        with self._lock:
            now = self.clock()
            times = self._recent(key, now)
            if times is None:
                times = self._failures[key] = deque(maxlen=self.max_failures)
            times.append(now)
            self._failures.move_to_end(key)
            while len(self._failures) > self.max_keys:  # bounded memory under a spray of usernames
                self._failures.popitem(last=False)

    def succeeded(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._failures.pop(key, None)
