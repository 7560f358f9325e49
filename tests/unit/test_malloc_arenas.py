"""The server bounds glibc's malloc arenas (api/malloc_arenas.py)."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys

import pytest

from api.malloc_arenas import limit_malloc_arenas


def test_zero_or_negative_leaves_glibc_alone():
    assert limit_malloc_arenas(0) is False
    assert limit_malloc_arenas(-3) is False


@pytest.mark.skipif(not sys.platform.startswith("linux") or not ctypes.util.find_library("c"), reason="glibc only")
def test_threads_share_the_bounded_arenas():
    # in a fresh process: 16 threads that each allocate get at most 2 arenas (glibc's malloc_info counts them)
    code = r'''
import ctypes, ctypes.util, threading, tempfile, os, re
from api.malloc_arenas import limit_malloc_arenas
assert limit_malloc_arenas(2)
barrier = threading.Barrier(16)
def work():
    blocks = [bytearray(2048) for _ in range(200)]
    barrier.wait()
threads = [threading.Thread(target=work) for _ in range(16)]
[t.start() for t in threads]; [t.join() for t in threads]
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.fdopen.restype = ctypes.c_void_p
libc.fdopen.argtypes = (ctypes.c_int, ctypes.c_char_p)
libc.malloc_info.argtypes = (ctypes.c_int, ctypes.c_void_p)
libc.fclose.argtypes = (ctypes.c_void_p,)
fd, path = tempfile.mkstemp()
stream = libc.fdopen(fd, b"w")
libc.malloc_info(0, stream); libc.fclose(stream)
print(len(re.findall(r'<heap nr="\d+">', open(path).read())))
os.unlink(path)
'''
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert int(out.stdout.strip()) <= 2
