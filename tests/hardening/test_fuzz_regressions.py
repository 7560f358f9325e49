"""Every crash the fuzzers found (``make fuzz``), with the crashing input inline, now
handled: each input goes through the same fuzz target that crashed on it and must pass.

Crashes found so far:

* ``ingest_docx`` (2026-12-03, two inputs): a zip whose central directory claims "zip
  version 6.9" made ``zipfile`` raise ``NotImplementedError``, uncaught by
  ``detect.sniff_magic`` and ``docx_reader.check_zip_safety`` (API 500, CLI exit 1,
  batch ``internal_error``); the same ``zipfile`` errors could escape the zip upload of
  batch scans. Fixed: ``risk_copilot.ingest.detect.ZIP_READ_ERRORS``.
* ``ingest_docx`` (2026-12-03, ``make fuzz`` 640 s): a zip part named with a newline
  and other control characters was quoted in the error message, which then spanned
  lines (the CLI's one-line error broke; a bidi override could disguise a name). Fixed:
  ``ReviewError`` escapes control, separator and bidi characters in every message.
* ``extract_clause_values`` (2026-12-03, ``make hardening-quick``): a party alias with a
  vertical tab inside ("C\\x0bs»omer") was stored as a key with the tab but looked up
  whitespace-normalised, so ``PartyRoles.find_role_mentions`` raised ``KeyError``.
  Fixed: keys and mentions share one normalisation (plus case folding), and a mention
  without a key is skipped, never raised.
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

# ingest_docx-031fe8c9e8ee17ad: a part name with "\n" in it, inflating past its declared size
PART_NAME_WITH_NEWLINE = base64.b64decode(
    "UEsDBBQAAAAIAOKWg13MVIwQ4AAAAJwBAAATAAAAW0NvbnRlbnRfVHlwZXNdLnhtbH2Qy07DMBBFf8XyFsUTukAIJekCyhJY"
    "lA+w7Eli4Zc8bil/z6QtXaDC0r6PM7rd+hC82GMhl2Ivb1UrBUaTrItTL9+3z829XA/d9isjCbZG6uVca34AIDNj0KRSxsjK"
    "mErQlZ9lgqzNh54QVm17BybFirE2demQQ/eEo975KjYH/j5hC3qS4vFkXFi91Dl7Z3RlHfbR/qI0Z4Li5NFDs8t0wwYJVwmL"
    "8jfgnHvlHYqzKN50qS86sAs+U7Fgk9kFTqr/a67cmcbRGbzkl7ZckkEiHjh4dVGCdvHnfjjOPXwDUEsDBBQAAAAIAOKWg102"
    "V97cogAAABgBAAALAAAAX3JlbHMvLnJlbHONzzsOwjAMBuCrRN6pCwNCqGkXhNQVlQNEiZtGNA8l4XV7MjBQxMBo+/dnueke"
    "dmY3isl4x2Fd1cDISa+M0xzOw3G1g65tTjSLXBJpMiGxsuIShynnsEdMciIrUuUDuTIZfbQilzJqDEJehCbc1PUW46cBS5P1"
    "ikPs1RrY8Az0j+3H0Ug6eHm15PKPE1+JIouoKXO4+6hQvdtVYQHbBhcvti9QSwMEFAAAAAgA4paDXflKt5HfAQAAAAUAABEA"
    "AAB3b3JkL2RvY3VtZW50LnhtbL1U24rbMBD9lcEvTWCJbC+7hbDJUlhKt/ShsNsPGNuTWKAb0iSOX/s9/ap+SSV5nbaUPjSF"
    "fbBG1pnR0Tm63N2ftIIj+SCt2RTVqizut3fDurPtQZNhiLAJ62FT9MxuLURoe9IYVtaRidjOeo0cf/1eDNZ3ztuWQpBmr5Wo"
    "y/JWaJSmSFM2thtTdLn57HN44lERDOsjqk3xgbCLlVUhEmYOekqS6qjmlPKMPXbzWM4X5wJxnj03vH3uCZ4OzilJ/k0AtowK"
    "lMRGKskjhB6VAmMZ6NQSdfDl6QGqq7Is0wcLawi0VCoaFCHorFLowxKkAdzvPe2RaZVYOXP/woxNXmzjxYyIWf7/eFBd4MF7"
    "ogB2B9+/fqtvytUkDtATOByxSfyS+ygpNj6asrgul9DhmIs8tSQdpy5CpJNdFH+0sn1d3fUFuj+dt1kGaNG5uL/IwIMFljp6"
    "sqhPyyiaYJcccpi15QEeSB0JFlW9BG0N9xFOTqRl5oRWodSv6sBlpz8qfxfPKeX73FodY5tOg4EKPqI5oB+hLutbQNPFO+Ck"
    "n9CHKFY35OG6CnyVUt7CIgkvnsnrYvmv0rlROUx57dmNl4U+MunfZpzqxJz7Z0W6qDd/LxETl3hhFvMTJH4+b9sfUEsDBBQA"
    "AAAIAOKWg11dZibQvAAAAEIBAAASAAAAd29yZC9udW1iZXJpbmcueG1sXZDNDoMgEIRfhZD0KthDD0btrYmXnvoCKFRJWDCA"
    "P4/f1aqxvbDZ+ZhhQn6fwZBR+aCdLWiacHov8ymzA9TKa9sS5DZkU0G7GPuMsdB0CkRIXK8ssrfzICKuvmWT87L3rlEhoBMM"
    "u3J+YyC0pUumqEP0oonPAcjPVsmC8vWKGQ0ijWNXQhQ+ogAAAADKtnIPOESpGg3CfBE6X2o+2CVNFp2tYJ2nZ7cosp5Lh/S/"
    "ZiX3IL7F2MXGTv9TfgBQSwECFAMUAAAACADiloNdzFSMEOAAAACcAQAAEwAAAAAAAAAAAAAAgAEAAAAAW0NvbnRlbnRfVHlw"
    "ZXNdLnhtbFBLAQIUAxQAAAAIAOKWg102V97cogAAABgBAAALAAAAAAAAAAAAAACAAREBAABfcmVscy8ucmVsc1BLAQIUAxQA"
    "AAAIAOKWg135SreR3wEAAAAFAAARAAAAAAAAAAAAAACAAdwBAAB3b3JkL2RvY3VtZW50LnhtbFBLAQIUAxQAAAAIAOKWg11d"
    "ZibQvAAAAEIBAAASAAAAAAAAAAAAAACAAeoDAABtRc5jDqTgjqXPmwphCl5Hi2xQSwUGAAAAAAQABAD5AAAA1gQAAAAA"
)

# extract_clause_values-4e385b1940e5cef5: an alias holding a vertical tab
ALIAS_WITH_VERTICAL_TAB = base64.b64decode(
    "VFtbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tUaGUgUmVjZWl2CAgICAgICAgICAgICGluZyBQYXIAAAAAAAAAUiBub3Qg"
    "ZGlzY2xvc2UgQ1tbW1tbW1tbW1tbW1tbW1tbaGlzIEFncmVlbWVudCBpcyBiZXR3ZWVuIEFjbWUgQ29ycC4sIGEgRGVsYXdh"
    "cmUgY29ycG9yYXRpb24gKCJDC3O7b21lciIpLCBhbmRQcmljZnMgbWF5IGluY3JlYW9kbmZpZW50aWFzbCBJbmUgYnkgZm9y"
    "bWF0aW9uIGFub3JtYXRpb24gYW5kIG1heSBub3QgYXIgaW50ZXJlc3QgYXQgMQEAAAAAAAAAACAAJS4YADVwZVN1cHBsaSB1"
    "c2UgaXQgZXhDbyljZXAudCBhcyBwZXJtaXR0ZWQu"
)

CRASHES = [
    ("ingest_docx", ZIP_VERSION_69_NAMED_DOCX),
    ("ingest_docx", ZIP_VERSION_69_SNIFFED),
    ("ingest_docx", PART_NAME_WITH_NEWLINE),
    ("extract_clause_values", ALIAS_WITH_VERTICAL_TAB),
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


def test_error_messages_stay_on_one_line_whatever_the_names_hold(tmp_path):
    with pytest.raises(IngestError) as exc:
        ingest_bytes(PART_NAME_WITH_NEWLINE, "contract.docx")
    assert "\n" not in exc.value.message and "\\x0a" in exc.value.message
    with pytest.raises(IngestError) as exc:
        ingest_bytes(b"", "evil\nerror: fake\u202egnp.txt")
    assert exc.value.message.count("\n") == 0 and "\u202e" not in exc.value.message
    assert "\\u202e" in exc.value.message and str(exc.value) == exc.value.message


def test_cli_error_for_a_file_named_with_a_newline_is_one_line(tmp_path, capsys):
    from risk_copilot.cli import main

    path = tmp_path / "two\nlines.txt"
    path.write_bytes(b"")
    assert main(["review", str(path), "--type", "nda"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: empty_document: ")


def test_party_mentions_match_aliases_with_odd_whitespace_and_case():
    from risk_copilot.extract import acting_parties, find_party_roles
    from risk_copilot.extract.parties import Party, PartyRoles

    roles = PartyRoles((Party(0, 10, "x", "Big\x0bBuyer", "customer", "Acme\tCorp."),
                        Party(0, 10, "y", "\u017fam", "supplier", None)))
    assert roles.find_role_mentions("The BIG  BUYER and acme corp. meet SAM.") == [
        ("customer", 4, 14), ("customer", 19, 29), ("supplier", 35, 38)]
    assert roles.role_of("the Big\nBuyer") == "customer"
    text = ALIAS_WITH_VERTICAL_TAB.decode("utf-8", "replace")
    acting_parties(text, find_party_roles(text))  # raised KeyError
