"""Every crash the fuzzers found (``make fuzz``), with the crashing input inline, now
handled: each input goes through the same fuzz target that crashed on it and must pass.

Crashes found so far:

* ``ingest_docx`` (2026-12-03, two inputs): a zip whose central directory claims "zip
  version 6.9" made ``zipfile`` raise ``NotImplementedError``, uncaught by
  ``detect.sniff_magic`` and ``docx_reader.check_zip_safety`` (API 500, CLI exit 1,
  batch ``internal_error``); the same ``zipfile`` errors could escape the zip upload of
  batch scans. Fixed: ``risk_copilot.ingest.detect.ZIP_READ_ERRORS``.
"""

from __future__ import annotations

import base64
import io
import struct
import zipfile

import pytest

from hardening.fuzz.targets import TARGETS
from risk_copilot.batch.errors import BatchError
from risk_copilot.errors import IngestError
from risk_copilot.ingest import ingest_bytes

# ingest_docx-1cb8014abed1a3fa: starts "PK\x03z", so it is not sniffed as a zip; read as .docx
ZIP_VERSION_69_NAMED_DOCX = base64.b64decode(
    "UEsDegQUAAAACAAAACEAeW4z1+gAAACtAQAAEwAAAFtDb250ZW50X1R5cGVzXS54bWx9UMlOwzAQ/RVrrihx4IAQitMDyxE4"
    "lA8Y2ZPEqvxc3l8vMLIdlzVvlYQCn8DiFcsHd0+35XazRsesVtWHANmhl3ywfiwfyi1qVYuwC2aXWynCV26h/0pIjDyRLkd5"
    "J9hjIxqjMrU2qgJr3CQ4cQLra87Vf8L7Wy7pL9+S7xOSn9uzL1BLAQIUABQAAAAI+AAAIQB5bjPX6AAAAK0BAAATAAAAAAAA"
    "AAAAAAAAAAAAAABbQ29udGVudF9UeXBlc10ueG1sUEsBAhQDRQyMtn9/luv2aWZ2pxAnZwVURQmMrHRqslrApT9t9sBiQqtw"
    "GQEAAF9yZWxzLy5yZWxzUEsBAhQAFAAAAAgAAAAhAFDJHk40AQAAFwQAABEAAAAAAAAAAAAAAAAA7wEAAHdvcmQvZG9jdW1l"
    "bnQueG1sUEsFBgAAAAADAAMAuQAAAFIDAAAAAA=="
)
# ingest_docx-74880b3441c32b7e: a real local header, so format detection opens it as a zip
ZIP_VERSION_69_SNIFFED = base64.b64decode(
    "UEsDBBQAAAAIAAAAIQB5bjPX6AAAAK0BAAATAAAAW0NvbnRlbnRfVHlwZXNdLnhtbH1QyU7DMBD9FWuuKHHggBCK0wPLETiU"
    "DxjZk8SqN3nc0v49Tlt6QIXjzFv1+tXeO7GjzDYGBbdtB4KCjsaGScHn+rV5AMEFg0EXAyk4EMNq6NeHRCyqNrCCuZT0KCXr"
    "mTxyGxOFiowxeyz1zJNMqDc4kbzrunupYygUSlMWDxj6Zxpx64p42df3qUcmxyCeTsQlSwGm5KzGUnG5C+ZXSnNOaKvyyOHZ"
    "Jr6pBJBXExbk74Cz7r0Ok60h8YG5vKGvLPkVs5Em6q2vyvZ/mys94zhaTRf94pZy1MRcF/euvSAebfjpL49zD99QSwMEFAAA"
    "AAgAAAAhAJv9N+qtAAAAKQEAAAsAAABfcmVscy8ucmVsc43POw7CMAwG4KtE3mlaBoRQ0y4IqSsqB7ASN61oHkrCo7cnAwNF"
    "DIy2f3+W6/ZpZnanECdnBVRFCYysdGqyWsClP232wGJCq3B2lgQsFKFt6jPNmPJKHCcfWTZsFDCm5A+cRzmSwVg4TzZPBhcM"
    "plwGzT3KK2ri27Lc8fBpwNpknRIQOlUB6xdP/9huGCZJRydvhmz6ceIrkWUMmpKAhwuKq3e7yCzwpuarF5sXUEsDBBQAAAAI"
    "AAAAIQBQyR5ONAEAABcEAAARAAAAd29yZC9kb2N1bWVudC54bWyd001LwzAYwPGvkuXgzWbd+5o2Q3SCF92hHoZ4iO3jVmhe"
    "SOrmvr3pgriAB83lH5rSHwn0yVefokUHMLZRssBpMsQIZKXqRu4K/FzeXy8wsh2XNW+VhAKfwOIVywd3T7fldrNGx6xW1YcA"
    "2aGXfLB+LB/KLWpVi7ALZpdbKcJXbqH/SkiMPJHSuIbY2GMjGtcQm3hsTOMaYlOPTWhcQ2zmsSmNa4jNPTajcQ2xhcfmNK4h"
    "tvTYgsYVs1eWX/zMbiykzY4F3nedzgix1R4Et4nSIN27d2UC79yj2ZGjMrU2qgJr3dSIloyGwxkRvJG4J99UfepX3cf0OeuZ"
    "1bxyA6UNWDAHwCxNUAlGuO4bi252BuB8lJbbziI3fegE3CQ5cQLra87Vf8L7Wy7pL9+S7xOSn9uzL1BLAQIUABQAAAAI+AAA"
    "IQB5bjPX6AAAAK0BAAATAAAAAAAAAAAAAAAAAAAAAABbQ29udGVudF9UeXBlc10ueG1sUEsBAhQDRQyMtn9/luv2aWZ2pxAn"
    "ZwVURQmMrHRqslrApT9t9sBiQqtwGQEAAF9yZWxzLy5yZWxzUEsBAhQAFAAAAAgAAAAhAFDJHk40AQAAFwQAABEAAAAAAAAA"
    "AAAAAAAA7wEAAHdvcmQvZG9jdW1lbnQueG1sUEsFBgAAAAADAAMAuQAAAFIDAAAAAA=="
)

CRASHES = [
    ("ingest_docx", ZIP_VERSION_69_NAMED_DOCX),
    ("ingest_docx", ZIP_VERSION_69_SNIFFED),
]


@pytest.mark.parametrize("target,data", CRASHES, ids=[f"{t}-{k}" for k, (t, _) in enumerate(CRASHES)])
def test_crashing_input_is_handled(target, data):
    TARGETS[target](data)  # raised before the fix


@pytest.mark.parametrize("data", [ZIP_VERSION_69_NAMED_DOCX, ZIP_VERSION_69_SNIFFED])
def test_zip_version_69_is_a_coded_refusal(data):
    with pytest.raises(IngestError) as exc:
        ingest_bytes(data, "contract.docx")
    assert exc.value.code in ("corrupt_file", "unsupported_format")
    with pytest.raises(IngestError):  # the same bytes named .txt are not text either
        ingest_bytes(data, "contract.txt")


def _zip_with_version(version: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "1. Term. This Agreement lasts one year.")
    data = bytearray(buf.getvalue())
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 6, version)  # "version needed to extract"
    return bytes(data)


def _zip_with_method(method: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "1. Term. This Agreement lasts one year.")
    data = bytearray(buf.getvalue())
    struct.pack_into("<H", data, data.index(b"PK\x03\x04") + 8, method)
    struct.pack_into("<H", data, data.index(b"PK\x01\x02") + 10, method)
    return bytes(data)


@pytest.mark.parametrize("data", [_zip_with_version(69), _zip_with_method(99)], ids=["version-6.9", "method-99"])
def test_scan_zip_upload_with_unreadable_entries_is_corrupt_zip(tmp_path, data):
    from risk_copilot.batch.upload_zip import extract_upload_zip

    upload = tmp_path / "upload.zip"
    upload.write_bytes(data)
    with pytest.raises(BatchError) as exc:
        extract_upload_zip(upload, tmp_path / "unpacked")
    assert exc.value.code == "corrupt_zip"
