"""The scan's progress bar (Rich, on stderr): done/total, contracts per minute, elapsed,
ETA, and running counts of reviewed / other / failed files. Rates count only the files
reviewed in this run (skipped files would make the ETA lie)."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, SpinnerColumn, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)
from rich.text import Text


class ContractsPerMinuteColumn(ProgressColumn):
    def render(self, task) -> Text:
        elapsed = task.finished_time if task.finished else task.elapsed
        if not task.completed or not elapsed:
            return Text("-- /min", style="progress.data.speed")
        return Text(f"{60.0 * task.completed / elapsed:.1f} /min", style="progress.data.speed")


class ScanProgress:
    def __init__(self, total: int, *, skipped: int = 0, enabled: bool = True, console: Console | None = None) -> None:
        self.total = total
        self.skipped = skipped
        self.counts = {"reviewed": 0, "other": 0, "error": 0}
        self.console = console or Console(stderr=True)
        self.enabled = enabled
        self._started = time.time()
        self._first_result: float | None = None
        self._progress = Progress(
            SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            ContractsPerMinuteColumn(), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            TextColumn("{task.fields[counts]}"), console=self.console, disable=not enabled, transient=False,
            speed_estimate_period=120.0,
        )
        self._task = self._progress.add_task("loading workers", total=total, counts=self._counts_text())

    def _counts_text(self) -> str:
        c = self.counts
        text = f"reviewed {c['reviewed']} · other {c['other']} · failed {c['error']}"
        return text + (f" · skipped {self.skipped} done" if self.skipped else "")

    def __enter__(self) -> "ScanProgress":
        if self.enabled:
            self._progress.start()
            if self.skipped:
                self.console.print(f"skipping {self.skipped} file(s) already done in this folder")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self._progress.stop()

    def workers_ready(self) -> None:
        self._progress.update(self._task, description="scanning")

    def advance(self, outcome) -> None:
        if self._first_result is None:
            self._first_result = time.time()
        self.counts[outcome.status] += 1
        self._progress.update(self._task, advance=1, counts=self._counts_text())
        if outcome.status == "error" and self.enabled:
            self._progress.console.print(f"[yellow]failed[/] {outcome.path}: {outcome.error_code}: {outcome.error_message}")

    def rates(self) -> dict[str, Any]:
        done = sum(self.counts.values())
        elapsed = time.time() - self._started
        per_minute = 60.0 * done / elapsed if elapsed > 0 else 0.0
        remaining = self.total - done
        return {"rate_per_minute": round(per_minute, 2),
                "eta_seconds": round(remaining * 60.0 / per_minute, 1) if per_minute > 0 and remaining else 0.0}
