"""One scan per output folder: an ``flock`` on ``DIR/.scan.lock`` (released by the kernel
when the holder dies, even by SIGKILL). The file holds the pid of the scan; a scan that
ends (normally or with an error) removes it, a killed scan leaves it behind, stale: the
next scan takes the lock over since no process holds it."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from risk_copilot.batch.errors import BatchError


class ScanLock:
    def __init__(self, out_dir: Path) -> None:
        self.path = Path(out_dir) / ".scan.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise BatchError(f"another scan is writing to {self.path.parent}", code="scan_in_progress") from None
            # the holder may have removed the file between our open and flock: lock the file that is there
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            try:
                self.path.unlink(missing_ok=True)  # while still holding the lock (see acquire)
            except OSError:
                pass
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "ScanLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def is_locked(out_dir: Path) -> bool:
    """True while a live process holds the scan lock of ``out_dir``."""
    path = Path(out_dir) / ".scan.lock"
    if not path.exists():
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:  # the scan ended meanwhile
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
