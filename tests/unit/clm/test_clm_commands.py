from __future__ import annotations

import argparse

from clm_core.__main__ import main
from clm_core.commands import register


def test_register_adds_subcommands_with_funcs():
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    for argv in (["seed"], ["db", "upgrade"], ["audit", "verify"], ["jobs", "expire", "--today", "2026-01-01"],
                 ["outbox", "dispatch"], ["outbox", "requeue-dead"], ["report", "high-risk", "--as", "carl"]):
        args = parser.parse_args(argv)
        assert callable(args.func), argv


def test_cli_seed_verify_and_tamper(tmp_path, capsys):
    import sqlite3

    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert main(["seed", "--database-url", url]) == 0
    assert '"roles": 7' in capsys.readouterr().out
    assert main(["seed", "--database-url", url]) == 0
    assert capsys.readouterr().out.strip() == '{"created": {}, "updated": {}}'
    assert main(["audit", "verify", "--database-url", url]) == 0
    conn = sqlite3.connect(tmp_path / "cli.sqlite3")
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET actor = 'mallory'")
    conn.commit()
    conn.close()
    assert main(["audit", "verify", "--database-url", url]) == 1
    assert main(["report", "high-risk", "--as", "nobody", "--database-url", url]) == 2
    assert '"code": "not_found"' in capsys.readouterr().err


def test_demo_walks_the_whole_lifecycle(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    assert main(["demo", "--database-url", url]) == 0
    out = capsys.readouterr().out
    assert "agreement PA-000001: Effective, 3 lines" in out
    assert "release order refused: price_above_agreement: unit price 150 exceeds the agreed 148" in out
    assert "agreement v2: 4 lines, expires 2029-02-01" in out
    assert "terminated; agreement Closed" in out and "audit chain: ok" in out
