"""Issue 7 item 5: faults, each injected for real and checked for what must survive it.

- ``postgres_outage``: a private PostgreSQL (initdb/pg_ctl as the ``postgres`` OS user, in a temporary
  folder, on a free loopback port: the machine's shared server is never touched) is stopped with
  ``pg_ctl -m immediate`` while a client writes vendors through the API, then started again. While it
  is down every write gets 503 ``database_unavailable`` with ``Retry-After`` (never a 500); afterwards
  writes succeed again, every acknowledged write is stored, no refused one is, and the audit hash chain
  (one audit row per vendor, written in the same transaction) still verifies: no partial writes.
- ``erp_outage``: the ERP connector refuses deliveries while a procurement contract is executed; the
  outbox retries with back-off, delivers once the ERP is back, a crash between delivery and marking
  redelivers, and exactly one purchase agreement exists.
- ``kill_during_scan``: runs tests/integration/batch/test_kill_and_resume.py (SIGKILL of a real
  scan and its workers mid-run, then ``--resume``: nothing lost, nothing duplicated).
- ``full_disk``: the reports of a real scan are written into a tiny tmpfs that fills up (a real
  ENOSPC; RLIMIT_FSIZE in a child, EFBIG, where mounting is not allowed): the error is ``disk_full``
  with a message naming the folder, no temporary file is left, and the previous report is intact.

``run(quick)`` returns flat figures and never raises for a failed check."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parent.parent
CASES = REPO.parent / "shared" / "cases"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


class PrivatePostgres:
    """A throw-away PostgreSQL cluster owned by the ``postgres`` OS user (initdb refuses root)."""

    def __init__(self) -> None:
        bindir = _pg_bin()
        if bindir is None:
            raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql")
        # its own folder directly under the system temp dir: the postgres user cannot enter ours (0700)
        self.bindir, self.folder, self.port = bindir, Path(tempfile.mkdtemp(prefix="fault-pg-")), _free_port()
        self.data = self.folder / "data"
        shutil.chown(self.folder, "postgres", "postgres")
        self.folder.chmod(0o700)
        self._as_postgres([str(bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                           "--no-sync"])

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, argv: list[str]) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(prefix + argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c max_connections=40")
        self._as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options,
                           "-l", str(self.folder / "server.log"), "-w", "start"])

    def stop(self, mode: str = "immediate") -> None:
        self._as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def remove(self) -> None:
        if self.running():
            self.stop("fast")
        shutil.rmtree(self.folder, ignore_errors=True)


def _lazy_engine() -> Any:
    from risk_copilot.engine import ReviewEngine
    from risk_copilot.settings import ReviewerSettings

    return ReviewEngine(ReviewerSettings())  # loads nothing until a review runs; none does here


def postgres_outage(folder: Path, *, down_seconds: float = 3.0, engine: Any = None) -> dict[str, Any]:
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from api.app import create_app
    from api.settings import ApiSettings
    from clm_core.composition import build_clm
    from clm_core.phrase_reviewer import PhraseRiskReviewer
    from clm_core.settings import ClmSettings
    from clm_core.store import tables as t

    pg = PrivatePostgres()
    clm = None
    try:
        pg.start()
        clm = build_clm(ClmSettings(database_url=pg.url), reviewer=PhraseRiskReviewer())
        clm.migrate()
        clm.seed()
        token = clm.access.create_token(role="contract_manager", organisation="lakeshore").token
        app = create_app(ApiSettings(warm_up=False, log_level="CRITICAL", data_root=folder / "api-data"), clm=clm,
                         engine=engine or _lazy_engine())
        outcomes: list[dict[str, Any]] = []
        phase = {"name": "before"}
        stop = threading.Event()

        def writer() -> None:
            with TestClient(app, raise_server_exceptions=False) as client:
                i = 0
                while not stop.is_set():
                    i += 1
                    code = f"PG{i:05d}"
                    r = client.post("/v1/vendors", headers={"Authorization": f"Bearer {token}"},
                                    json={"code": code, "name": f"Vendor {i}"})
                    try:
                        error = (r.json().get("error") or {}).get("code")
                    except (ValueError, AttributeError):
                        error = None
                    outcomes.append({"code": code, "phase": phase["name"], "status": r.status_code,
                                     "retry_after": r.headers.get("retry-after"), "error": error})
                    time.sleep(0.05)

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        time.sleep(1.5)
        phase["name"] = "stopping"
        pg.stop("immediate")
        phase["name"] = "down"
        time.sleep(down_seconds)
        phase["name"] = "starting"
        pg.start()
        phase["name"] = "after"
        deadline = time.monotonic() + 20
        recovered = lambda: sum(1 for o in outcomes if o["phase"] == "after" and o["status"] == 201)  # noqa: E731
        while time.monotonic() < deadline and recovered() < 5:
            time.sleep(0.2)
        stop.set()
        thread.join(timeout=30)

        with clm.context.session_factory() as s:
            stored = set(s.scalars(select(t.Vendor.code).where(t.Vendor.code.like("PG%"))))
            audited = set(s.scalars(select(t.AuditEntry.entity_id).where(t.AuditEntry.action == "vendor.created",
                                                                       t.AuditEntry.entity_id.like("PG%"))))
        chain = clm.verify_audit()
    finally:
        if clm is not None:
            clm.close()
        pg.remove()

    down = [o for o in outcomes if o["phase"] == "down"]
    transition = [o for o in outcomes if o["phase"] in ("stopping", "starting")]
    acknowledged = {o["code"] for o in outcomes if o["status"] == 201}
    refused = {o["code"] for o in outcomes if o["status"] == 503}
    bad_down = [o for o in down if o["status"] != 503 or o["error"] != "database_unavailable" or not o["retry_after"]]
    server_errors = [o for o in outcomes if o["status"] >= 500 and o["status"] != 503]
    figures = {
        "writes": len(outcomes), "writes_while_down": len(down), "refused_503": len(refused),
        "acknowledged": len(acknowledged), "recovered_writes": sum(1 for o in outcomes
                                                                   if o["phase"] == "after" and o["status"] == 201),
        "server_errors": len(server_errors), "lost_acknowledged": len(acknowledged - stored),
        "stored_although_refused": len(refused & stored), "vendor_rows_without_audit": len(stored - audited),
        "audit_chain_ok": chain.ok, "writes_during_stop_or_start": len(transition)}
    figures["ok"] = bool(down and not bad_down and not server_errors and figures["recovered_writes"] >= 5
                         and not figures["lost_acknowledged"] and not figures["stored_although_refused"]
                         and not figures["vendor_rows_without_audit"] and chain.ok)
    if bad_down:
        figures["bad_answers_while_down"] = bad_down[:3]
    return figures


# --- the ERP connector down ------------------------------------------------------------------------------

class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class SwitchableConnector:
    """The ERP: refuses every delivery while ``down`` (as a connector does when the ERP is unreachable)."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.down, self.refused, self.delivered = inner, True, 0, 0

    def deliver(self, topic: str, key: str, payload: dict[str, Any]) -> Any:
        from clm_core.erp.connector import ConnectorUnavailable

        if self.down:
            self.refused += 1
            raise ConnectorUnavailable("the ERP does not answer (connection refused)")
        self.delivered += 1
        return self.inner.deliver(topic, key, payload)


def _execute_procurement(clm: Any, channel: Any) -> int:
    from datetime import date

    from clm_core.demo_scenario import HOLDERS, LINES

    vendor = clm.contracts.create_vendor("carl", code="ERPV", name="ERP Vendor Co.", contact_name="Erin Vendor",
                                         contact_email="erin@erpv.example")
    c = clm.contracts.create_contract("carl", template_key="procurement-supply", title="ERP outage order",
                                      vendor_id=vendor, attributes={}, effective_date=date(2026, 3, 1), lines=LINES,
                                      variant_choices={"termination": "supplier-convenience"})
    review = clm.approvals.submit("carl", c.id)
    for f in review.findings:
        if f.flagged:
            clm.approvals.accept_risk(HOLDERS.get(f.approver_role or "legal", "lena"), c.id, f.finding_id,
                                      reason="business-need", note="accepted for the fault run")
    for step in review.steps:
        clm.approvals.approve(HOLDERS[step.role], c.id, role=step.role)
    sent = clm.signatures.send_for_signature("carl", c.id, internal_signer="abby")
    _, sha = clm.signatures.document_for_signing(sent.invitations[0].token)
    clm.signatures.sign(sent.invitations[0].token, document_sha256=sha)
    token = [b.split("token ", 1)[1].split(" ", 1)[0] for to, _, b in channel.sent
             if to == "abby@lakeshore.example" and "token " in b][-1]
    status = clm.signatures.sign(token, document_sha256=sha)
    if status != "Executed":
        raise RuntimeError(f"the contract ended {status}, not Executed")
    return c.id


def erp_outage(folder: Path, *, retries_while_down: int = 4) -> dict[str, Any]:
    from sqlalchemy import func, select

    from clm_core.composition import build_clm
    from clm_core.phrase_reviewer import PhraseRiskReviewer
    from clm_core.services.context import RecordingChannel
    from clm_core.settings import ClmSettings
    from clm_core.store import tables as t

    clock, channel = _Clock(), RecordingChannel()
    clm = build_clm(ClmSettings(database_url=f"sqlite:///{folder / 'erp.sqlite3'}", signing_secret="fault-run-secret"),
                    reviewer=PhraseRiskReviewer(), clock=clock, channel=channel)
    try:
        clm.migrate()
        clm.seed()
        erp = SwitchableConnector(clm.outbox.connector)
        clm.outbox.connector = erp
        contract_id = _execute_procurement(clm, channel)
        retried = 0
        for _ in range(retries_while_down):  # each attempt fails; the next is due after the back-off
            retried += clm.outbox.dispatch_due().retried
            clock.now += timedelta(hours=2)
        with clm.context.session_factory() as s:
            pending = s.scalar(select(func.count()).select_from(t.OutboxMessage).where(
                t.OutboxMessage.status == "pending"))
            agreements_while_down = s.scalar(select(func.count()).select_from(t.ErpAgreement))
        erp.down = False

        def crash(_msg) -> None:  # the process dies after the ERP applied the message, before it is marked
            raise KeyboardInterrupt("killed between delivery and marking")

        clm.outbox.after_deliver = crash
        try:
            clm.outbox.dispatch_due()
        except KeyboardInterrupt:
            pass
        clm.outbox.after_deliver = None
        delivered = 0
        for _ in range(3):
            clock.now += timedelta(hours=2)
            delivered += clm.outbox.dispatch_due().sent
        with clm.context.session_factory() as s:
            agreements = s.scalar(select(func.count()).select_from(t.ErpAgreement))
            left = s.scalar(select(func.count()).select_from(t.OutboxMessage).where(
                t.OutboxMessage.status != "sent"))
        number = clm.contracts.get("carl", contract_id).agreement_number
    finally:
        clm.close()
    figures = {"deliveries_refused": erp.refused, "retries_scheduled": retried, "pending_while_down": pending,
               "agreements_while_down": agreements_while_down, "delivered_after_recovery": delivered,
               "agreements": agreements, "undelivered_messages": left, "agreement_number": number}
    figures["ok"] = (erp.refused >= retries_while_down and agreements_while_down == 0 and pending >= 1
                     and agreements == 1 and left == 0 and bool(number))
    return figures


# --- SIGKILL during a batch scan -----------------------------------------------------------------------

def kill_during_scan(timeout: float = 1500) -> dict[str, Any]:
    test = "tests/integration/batch/test_kill_and_resume.py"
    started = time.monotonic()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    try:
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test], cwd=REPO,
                              env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"{test} did not finish in {timeout:.0f} s"}
    summary = (done.stdout.strip().splitlines() or [""])[-1]
    return {"ok": done.returncode == 0, "test": test, "result": summary,
            "seconds": round(time.monotonic() - started, 1)}


# --- a full disk while writing reports ------------------------------------------------------------------

def _scan(src: Path, out: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "risk_copilot.batch", "scan", str(src), "--out", str(out),
                           "--type", "auto", "--quiet"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=900)


REPORT_CHILD = """
import json, resource, signal, sys
from pathlib import Path
from risk_copilot.batch.errors import BatchError
from risk_copilot.batch.reports import write_reports
from risk_copilot.batch.results_store import ResultsStore
store = ResultsStore.open(Path(sys.argv[1]), reconcile=False)
if len(sys.argv) > 3:  # no mount: a file size limit instead (EFBIG rather than ENOSPC)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]), int(sys.argv[3])))
try:
    write_reports(store, Path(sys.argv[2]))
    print(json.dumps({"error": None}))
except BatchError as exc:
    print(json.dumps({"error": exc.code, "message": exc.message}))
"""


def _fill(folder: Path, leave_bytes: int) -> None:
    stat = os.statvfs(folder)
    free = stat.f_bavail * stat.f_frsize
    with open(folder / "filler.bin", "wb") as f:
        f.write(b"\0" * max(0, free - leave_bytes))


def full_disk(folder: Path, *, use_mount: bool = True) -> dict[str, Any]:
    src, scanned, target = folder / "in", folder / "scanned", folder / "reports"
    src.mkdir(parents=True)
    for name in ("base-nda.md", "base-procurement.md"):
        shutil.copy(CASES / name, src / name)
    done = _scan(src, scanned)
    if done.returncode != 0:
        return {"ok": False, "error": f"the scan failed: {done.stderr[-500:]}"}
    previous = (scanned / "report.html").read_bytes()
    target.mkdir()
    mounted = use_mount and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0755", "tmpfs",
                                            str(target)], capture_output=True).returncode == 0
    try:
        (target / "report.html").write_bytes(previous)  # the last good report, which must survive
        (target / "contracts").mkdir()
        argv = [sys.executable, "-c", REPORT_CHILD, str(scanned), str(target)]
        if mounted:
            _fill(target, leave_bytes=8 * 1024)  # room for the CSV files, not for the pages and the report
        else:
            argv.append(str(len(previous) // 4))
        child = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=300,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
        lines = child.stdout.strip().splitlines()
        answer = json.loads(lines[-1]) if lines else {"error": "crash", "message": child.stderr[-300:]}
        leftovers = [p.name for p in target.rglob("*.tmp")]
        intact = (target / "report.html").read_bytes() == previous
    finally:
        if mounted:
            subprocess.run(["umount", str(target)], capture_output=True)
    figures = {"mechanism": "tmpfs ENOSPC" if mounted else "RLIMIT_FSIZE EFBIG", "error_code": answer.get("error"),
               "message": answer.get("message"), "temporary_files_left": len(leftovers),
               "previous_report_intact": intact}
    figures["ok"] = answer.get("error") == "disk_full" and not leftovers and intact and \
        str(target) in (answer.get("message") or "")
    return figures


# --- the runner -----------------------------------------------------------------------------------------

FAULTS: dict[str, Callable[[Path, bool], dict[str, Any]]] = {
    "postgres_outage": lambda folder, quick: postgres_outage(folder, down_seconds=2.0 if quick else 5.0),
    "erp_outage": lambda folder, quick: erp_outage(folder),
    "kill_during_scan": lambda folder, quick: kill_during_scan(),
    "full_disk": lambda folder, quick: full_disk(folder),
}


def run(quick: bool) -> dict[str, Any]:
    """Figures for ``make hardening``: faults tried and survived, a few figures of each (never raises)."""
    figures: dict[str, Any] = {}
    survived = 0
    for name, fault in FAULTS.items():
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix=f"fault-{name}-") as tmp:
            try:
                result = fault(Path(tmp), quick)
            except Exception as exc:
                result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        result["seconds"] = round(time.monotonic() - started, 1)
        survived += bool(result.get("ok"))
        for key, value in result.items():
            figures[f"{name}_{key}"] = value
    return {"ok": survived == len(FAULTS), "faults_tried": len(FAULTS), "faults_survived": survived, **figures}


if __name__ == "__main__":  # python -m hardening.faults [--full] [name ...]
    names = [a for a in sys.argv[1:] if not a.startswith("--")]
    if names:
        FAULTS = {n: FAULTS[n] for n in names}  # noqa: F811
    print(json.dumps(run(quick="--full" not in sys.argv), indent=2, default=str))
