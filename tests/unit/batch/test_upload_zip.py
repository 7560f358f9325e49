import stat
import zipfile

import pytest

from risk_copilot.batch.errors import BatchError
from risk_copilot.batch.upload_zip import UploadLimits, extract_upload_zip


def make_zip(path, entries):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            if isinstance(name, zipfile.ZipInfo):
                archive.writestr(name, data)
            else:
                archive.writestr(name, data)
    return path


def test_returns_the_contracts_keeping_folders_and_writes_other_files_for_the_scan_to_report(tmp_path):
    z = make_zip(tmp_path / "u.zip", [("a/nda.txt", "1. x"), ("a/b/supply.docx", b"PK.."), ("readme.exe", b"MZ"),
                                      ("__MACOSX/a/._nda.txt", "junk"), ("a/.hidden.md", "x"), ("dir/", "")])
    files = extract_upload_zip(z, tmp_path / "dest")
    assert sorted(p.relative_to(tmp_path / "dest").as_posix() for p in files) == ["a/b/supply.docx", "a/nda.txt"]
    assert (tmp_path / "dest" / "a" / "nda.txt").read_text() == "1. x"
    written = sorted(p.relative_to(tmp_path / "dest").as_posix() for p in (tmp_path / "dest").rglob("*") if p.is_file())
    assert written == ["a/b/supply.docx", "a/nda.txt", "readme.exe"]  # not the hidden and macOS files


@pytest.mark.parametrize("name", ["../evil.txt", "a/../../evil.txt", "/etc/evil.txt", "C:/evil.txt", "..\\evil.txt"])
def test_path_traversal_is_refused_and_nothing_is_written(tmp_path, name):
    z = make_zip(tmp_path / "u.zip", [("ok.txt", "fine"), (name, "evil")])
    with pytest.raises(BatchError) as err:
        extract_upload_zip(z, tmp_path / "work" / "dest")
    assert err.value.code == "unsafe_zip_entry"
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "work" / "evil.txt").exists()
    assert not (tmp_path / "work" / "dest").exists()
    assert list((tmp_path / "work").iterdir()) == [], "the staging folder is removed"


def test_symlink_entries_are_refused(tmp_path):
    info = zipfile.ZipInfo("link.txt")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    z = make_zip(tmp_path / "u.zip", [(info, "/etc/passwd")])
    with pytest.raises(BatchError) as err:
        extract_upload_zip(z, tmp_path / "dest")
    assert err.value.code == "unsafe_zip_entry"


def test_zip_bomb_is_stopped_by_ratio_before_it_is_written_out(tmp_path):
    z = make_zip(tmp_path / "bomb.zip", [("bomb.txt", b"0" * 50_000_000)])
    assert z.stat().st_size < 100_000
    with pytest.raises(BatchError) as err:
        extract_upload_zip(z, tmp_path / "dest", UploadLimits(max_file_bytes=100_000_000, max_ratio=100))
    assert err.value.code == "zip_ratio_exceeded"
    assert not (tmp_path / "dest").exists()


def test_size_and_count_limits(tmp_path):
    z = make_zip(tmp_path / "big.zip", [(f"f{i}.txt", "x" * 2000) for i in range(5)])
    with pytest.raises(BatchError) as err:
        extract_upload_zip(z, tmp_path / "d1", UploadLimits(max_file_bytes=1000))
    assert err.value.code == "zip_too_large"
    with pytest.raises(BatchError) as err:
        extract_upload_zip(z, tmp_path / "d2", UploadLimits(max_total_bytes=5000))
    assert err.value.code == "zip_too_large"
    with pytest.raises(BatchError) as err:
        extract_upload_zip(z, tmp_path / "d3", UploadLimits(max_files=4))
    assert err.value.code == "zip_too_many_files"


def test_not_a_zip(tmp_path):
    (tmp_path / "x.zip").write_bytes(b"not a zip at all")
    with pytest.raises(BatchError) as err:
        extract_upload_zip(tmp_path / "x.zip", tmp_path / "dest")
    assert err.value.code == "corrupt_zip"


def _count_writes(monkeypatch):
    """Count the files the extractor opens for writing."""
    import builtins

    import risk_copilot.batch.upload_zip as upload_zip

    opened = []

    def spy(file, mode="r", *args, **kwargs):
        if any(c in mode for c in "wxa"):
            opened.append(file)
        return builtins.open(file, mode, *args, **kwargs)

    monkeypatch.setattr(upload_zip, "open", spy, raising=False)
    return opened


def test_many_small_bombs_are_refused_from_declared_sizes_before_anything_is_written(tmp_path, monkeypatch):
    z = make_zip(tmp_path / "many.zip", [(f"part{i}.txt", b"0" * 900_000) for i in range(60)])  # ~54 MB in ~55 KB
    assert z.stat().st_size < 100_000
    opened = _count_writes(monkeypatch)
    with pytest.raises(BatchError) as err:
        extract_upload_zip(z, tmp_path / "work" / "dest", UploadLimits(max_ratio=200))
    assert err.value.code == "zip_ratio_exceeded"
    assert opened == [], "nothing is unpacked once the declared sizes are refused"
    assert list((tmp_path / "work").iterdir()) == []


@pytest.mark.parametrize("limits,code", [
    (UploadLimits(max_file_bytes=1000), "zip_too_large"),
    (UploadLimits(max_total_bytes=5000), "zip_too_large"),
    (UploadLimits(max_files=4), "zip_too_many_files"),
])
def test_declared_size_and_count_limits_refuse_before_writing(tmp_path, monkeypatch, limits, code):
    z = make_zip(tmp_path / "big.zip", [(f"f{i}.txt", "x" * 2000) for i in range(5)])
    opened = _count_writes(monkeypatch)
    with pytest.raises(BatchError) as err:
        extract_upload_zip(z, tmp_path / "work" / "dest", limits)
    assert err.value.code == code and opened == []
    assert list((tmp_path / "work").iterdir()) == []


def test_the_bytes_really_written_are_checked_while_unpacking_not_only_the_headers(tmp_path, monkeypatch):
    """Headers that lie (here: the declared-size check sees nothing) still cannot unpack a
    bomb: the running total is held to the overall ratio against the archive's size."""
    import risk_copilot.batch.upload_zip as upload_zip

    z = make_zip(tmp_path / "many.zip", [(f"part{i}.txt", b"0" * 900_000) for i in range(60)])
    real_plan = upload_zip._planned_entries
    monkeypatch.setattr(upload_zip, "_planned_entries",
                        lambda archive, size, limits: real_plan(archive, size, UploadLimits(max_ratio=1e12)))
    written = []
    real_open = open

    def spy(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        if "x" in mode:
            written.append(file)
        return handle

    monkeypatch.setattr(upload_zip, "open", spy, raising=False)
    with pytest.raises(BatchError) as err:
        extract_upload_zip(z, tmp_path / "work" / "dest", UploadLimits(max_ratio=50))
    assert err.value.code == "zip_ratio_exceeded"
    # stopped near max(1 MB, 50 x ~55 KB), not after 54 MB: a handful of 900 KB entries at most
    assert len(written) <= 5
    assert list((tmp_path / "work").iterdir()) == []
