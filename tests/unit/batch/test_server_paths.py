import os

import pytest

from risk_copilot.batch.errors import BatchError
from risk_copilot.batch.server_paths import resolve_under_root


def test_paths_inside_the_root_resolve(tmp_path):
    (tmp_path / "root" / "legal").mkdir(parents=True)
    assert resolve_under_root(tmp_path / "root", "legal") == (tmp_path / "root" / "legal").resolve()
    assert resolve_under_root(tmp_path / "root", str(tmp_path / "root" / "legal")).name == "legal"


@pytest.mark.parametrize("requested", ["..", "../other", "legal/../../other", "/etc"])
def test_paths_leaving_the_root_are_refused(tmp_path, requested):
    (tmp_path / "root" / "legal").mkdir(parents=True)
    (tmp_path / "other").mkdir()
    with pytest.raises(BatchError) as err:
        resolve_under_root(tmp_path / "root", requested)
    assert err.value.code == "path_outside_root"


def test_a_symlink_out_of_the_root_is_refused(tmp_path):
    (tmp_path / "root").mkdir()
    (tmp_path / "secret").mkdir()
    os.symlink(tmp_path / "secret", tmp_path / "root" / "link")
    with pytest.raises(BatchError) as err:
        resolve_under_root(tmp_path / "root", "link")
    assert err.value.code == "path_outside_root"
    with pytest.raises(BatchError) as err:
        resolve_under_root(tmp_path / "root", "missing")
    assert err.value.code == "file_not_found"
