"""Send the bad-input corpus through the three ways in: the CLI, the batch scan and the API.

Each ``check_*`` function returns one :class:`PathOutcome` per input, judged against the
input's expectation (``hardening.bad_inputs``): a review where one is expected, the
right error code where a refusal is expected, and never a traceback, a 5xx, an
``internal_error`` or a half-written output. The tests in ``tests/hardening`` assert on
these outcomes; ``run(quick)`` counts them for ``make hardening``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from hardening.bad_inputs import REFUSED, REVIEWED, BadInput, generate

REPO = Path(__file__).resolve().parents[1]
CONTRACT_TYPE = "procurement"
SCRIPT_MARKER = "<script>alert('owned')</script>"


@dataclass(frozen=True)
class PathOutcome:
    input: str  # the BadInput name
    way: str  # cli | cli-subprocess | batch | api
    result: str  # reviewed | refused | failed
    code: str | None = None  # the error code when refused
    problem: str | None = None  # why the outcome is wrong (None: as expected)

    @property
    def ok(self) -> bool:
        return self.problem is None


def judge(item: BadInput, way: str, *, reviewed: bool, code: str | None, problem: str | None = None) -> PathOutcome:
    """Compare what happened with what ``item`` expects."""
    if problem is None:
        if reviewed and item.expected == REFUSED:
            problem = "reviewed, but must be refused"
        elif not reviewed and not item.accepts_error(code or ""):
            problem = f"refused with {code!r}, expected " + (
                "a review" if item.expected == REVIEWED else " or ".join(item.codes))
    return PathOutcome(item.name, way, "reviewed" if reviewed else ("refused" if code else "failed"), code, problem)


# ---------------------------------------------------------------- CLI


@contextlib.contextmanager
def cli_engine(engine: Any) -> Iterator[None]:
    """Make ``risk-copilot`` in this process use ``engine`` (loaded once) instead of a new one."""
    from risk_copilot import cli

    original = cli._engine
    cli._engine = lambda args: engine
    try:
        yield
    finally:
        cli._engine = original


def check_cli(items: list[BadInput], engine: Any, out_dir: Path) -> list[PathOutcome]:
    """``risk-copilot review`` in process (``cli.main``): exit 0 with a complete JSON
    review, or exit 2 with one ``error: <code>: ...`` line and no output file. Inputs
    holding HTML also go through ``--format html``, whose page must show it escaped."""
    from risk_copilot.cli import main

    outcomes = []
    out_dir.mkdir(parents=True, exist_ok=True)
    with cli_engine(engine):
        for item in items:
            out = out_dir / (item.name + ".json")
            rc, stdout, stderr = _run_cli_main(main, ["review", str(item.path), "--type", CONTRACT_TYPE,
                                                      "--format", "json", "--out", str(out)])
            outcome = _judge_cli(item, "cli", rc, stdout, stderr, out)
            if outcome.ok and outcome.result == "reviewed" and SCRIPT_MARKER in json.loads(out.read_text())["text"]:
                page = out_dir / (item.name + ".html")
                rc, _, stderr = _run_cli_main(main, ["review", str(item.path), "--type", CONTRACT_TYPE,
                                                     "--format", "html", "--out", str(page)])
                html = page.read_text(encoding="utf-8") if rc == 0 else ""
                if rc != 0 or SCRIPT_MARKER in html or "&lt;script&gt;alert(" not in html:
                    outcome = judge(item, "cli", reviewed=True, code=None,
                                    problem=f"HTML report does not show the clause's HTML escaped (exit {rc})")
            outcomes.append(outcome)
    return outcomes


def _run_cli_main(main: Any, argv: list[str]) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            rc = main(argv)
        except SystemExit as exc:  # argparse
            rc = exc.code if isinstance(exc.code, int) else 1
    return rc, stdout.getvalue(), stderr.getvalue()


def _judge_cli(item: BadInput, way: str, rc: int, stdout: str, stderr: str, out: Path) -> PathOutcome:
    if "Traceback" in stderr or "Traceback" in stdout:
        return judge(item, way, reviewed=False, code=None, problem="traceback printed")
    if rc == 0:
        try:
            review = json.loads(out.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            return judge(item, way, reviewed=True, code=None, problem=f"exit 0 without a readable review ({exc})")
        if not review.get("clauses") or "risk_score" not in review:
            return judge(item, way, reviewed=True, code=None, problem="exit 0 with an incomplete review")
        return judge(item, way, reviewed=True, code=None)
    if rc == 2:
        lines = stderr.strip().splitlines()
        if len(lines) != 1 or not lines[0].startswith("error: "):
            return judge(item, way, reviewed=False, code=None, problem=f"exit 2 without one error line: {stderr!r}")
        code = lines[0].split(":")[1].strip()
        if out.exists():
            return judge(item, way, reviewed=False, code=code, problem="an output file was written for a refused input")
        return judge(item, way, reviewed=False, code=code)
    return judge(item, way, reviewed=False, code=None, problem=f"exit {rc}: {stderr.strip()[:300]!r}")


@dataclass(frozen=True)
class SubprocessRun:
    outcome: PathOutcome
    peak_rss_mb: float
    seconds: float


# Runs the CLI and writes its own peak RSS (VmHWM, kB) to the file named by argv[1] at exit.
# Not ru_maxrss from wait4: Linux carries a forked child's maxrss over from the parent (the
# pages it shared at fork), so a child of a big process would report the parent's size.
_PEAK_WRAPPER = """
import atexit, runpy, sys
peak_file = sys.argv.pop(1)
def write_peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                with open(peak_file, "w") as out:
                    out.write(line.split()[1])
atexit.register(write_peak)
sys.argv[0] = "risk-copilot"
runpy.run_module("risk_copilot.cli", run_name="__main__", alter_sys=True)
"""


def check_cli_subprocess(item: BadInput, out_dir: Path, *, python: str | None = None) -> SubprocessRun:
    """The real ``risk-copilot review`` in a fresh process, with its own peak RSS."""
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / (item.name + ".sub.json")
    peak_file = out_dir / (item.name + ".peak")
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false",
               PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("RISK_COPILOT_DEBUG", None)
    started = time.perf_counter()
    proc = subprocess.run([python or sys.executable, "-c", _PEAK_WRAPPER, str(peak_file), "review", str(item.path),
                           "--type", CONTRACT_TYPE, "--format", "json", "--out", str(out)],
                          cwd=REPO, env=env, capture_output=True, text=True, errors="replace")
    seconds = time.perf_counter() - started
    err_text = "\n".join(line for line in proc.stderr.splitlines() if not _is_library_noise(line))
    outcome = _judge_cli(item, "cli-subprocess", proc.returncode, proc.stdout, err_text, out)
    try:
        peak_mb = int(peak_file.read_text()) / 1024.0
    except (OSError, ValueError):
        peak_mb = float("nan")
        if outcome.ok:
            outcome = judge(item, "cli-subprocess", reviewed=outcome.result == "reviewed", code=outcome.code,
                            problem="the process did not report its peak memory (killed?)")
    return SubprocessRun(outcome, peak_mb, seconds)


def _is_library_noise(line: str) -> bool:
    # warnings that third-party libraries print on import are not the CLI's error line
    return "Warning:" in line or line.startswith("  warnings.warn(")


# ---------------------------------------------------------------- batch scan


def check_batch(items: list[BadInput], folder: Path, engine: Any, out_dir: Path) -> tuple[list[PathOutcome], dict]:
    """One ``run_scan`` over the whole corpus folder (in this process, on ``engine``).

    Every file must end as a committed result (reviewed, or an error with its code),
    never ``internal_error``/``worker_crashed``; no ``*.tmp`` file may be left, every
    reviewed contract has its page, and pages show HTML from clauses escaped."""
    from api.scan_service import InProcessRunner
    from risk_copilot.batch.contract_pages import contract_page_name
    from risk_copilot.batch.results_store import ResultsStore
    from risk_copilot.batch.scan import run_scan
    from risk_copilot.batch.worker import ContractWorker

    runner = InProcessRunner(ContractWorker.from_engine(engine, name="hardening"), threading.Event())
    status = run_scan([folder], out_dir, contract_type=CONTRACT_TYPE, show_progress=False, runner=runner,
                      settings=engine.settings)
    store = ResultsStore.open_readonly(out_dir)
    try:
        rows = store.result_rows()
        sha_of = {path: sha for sha, paths in store.paths_by_sha().items() for path in paths}
    finally:
        store.close()
    by_sha = {r["sha256"]: r for r in rows}
    by_path = {r["path"]: r for r in rows}
    leftovers = [str(p.relative_to(out_dir)) for p in Path(out_dir).rglob("*.tmp")]
    outcomes = []
    for item in items:
        path = str(item.path)
        row = by_sha.get(sha_of.get(path, "")) or by_path.get(path)
        if row is None:
            outcomes.append(judge(item, "batch", reviewed=False, code=None, problem="no result recorded"))
            continue
        if row["status"] in ("reviewed", "other"):
            page = Path(out_dir) / contract_page_name(row["sha256"])
            problem = None
            if row["status"] == "reviewed" and not page.exists():
                problem = "reviewed without its contract page"
            elif row["status"] == "reviewed" and SCRIPT_MARKER in page.read_text(encoding="utf-8"):
                problem = "contract page shows a <script> from the contract unescaped"
            outcomes.append(judge(item, "batch", reviewed=True, code=None, problem=problem))
        else:
            code = row["error_code"]
            problem = f"{code}: {row['error_message']}" if code in ("internal_error", "worker_crashed") else None
            outcomes.append(judge(item, "batch", reviewed=False, code=code, problem=problem))
    if leftovers:
        outcomes.append(PathOutcome("(scan folder)", "batch", "failed", None, f"half-written files left: {leftovers}"))
    if status.get("state") != "finished":
        outcomes.append(PathOutcome("(scan)", "batch", "failed", None, f"scan ended in state {status.get('state')}"))
    return outcomes, status


# ---------------------------------------------------------------- API


def check_api(items: list[BadInput], client: Any, token: str) -> list[PathOutcome]:
    """``POST /v1/reviews`` as a multipart upload: 201 with a review, or a 4xx in the one
    error shape; never a 5xx."""
    outcomes = []
    for item in items:
        data = item.path.read_bytes()
        response = client.post("/v1/reviews", headers={"Authorization": f"Bearer {token}"},
                               data={"contract_type": CONTRACT_TYPE},
                               files={"file": (item.name, data, "application/octet-stream")})
        outcomes.append(judge_api_response(item, response))
    return outcomes


def judge_api_response(item: BadInput, response: Any) -> PathOutcome:
    status = response.status_code
    if status >= 500:
        return judge(item, "api", reviewed=False, code=None, problem=f"HTTP {status}: {response.text[:300]}")
    try:
        body = response.json()
    except ValueError:
        return judge(item, "api", reviewed=False, code=None, problem=f"HTTP {status} without JSON")
    if status == 201:
        if not body.get("clauses") or "risk_score" not in body:
            return judge(item, "api", reviewed=True, code=None, problem="201 with an incomplete review")
        return judge(item, "api", reviewed=True, code=None)
    shape_ok = (isinstance(body, dict) and set(body) == {"error"} and isinstance(body["error"], dict)
                and set(body["error"]) == {"code", "message", "details"})
    if not (400 <= status < 500) or not shape_ok:
        return judge(item, "api", reviewed=False, code=None, problem=f"HTTP {status} not in the error shape: {body}")
    if "Traceback" in json.dumps(body):
        return judge(item, "api", reviewed=False, code=None, problem="traceback in the error body")
    code = body["error"]["code"]
    # the body-size limit answers before the reviewer sees the file: payload_too_large is file_too_large
    if code == "payload_too_large" and "file_too_large" in item.codes:
        code = "file_too_large"
    return judge(item, "api", reviewed=False, code=code)


@contextlib.contextmanager
def api_client(engine: Any, data_dir: Path) -> Iterator[tuple[Any, str]]:
    """A TestClient over a fresh SQLite-backed app sharing ``engine``, and a legal token."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import ApiSettings
    from clm_core.composition import build_clm
    from clm_core.reviewer_adapter import RiskCopilotReviewer
    from clm_core.settings import ClmSettings

    data_dir.mkdir(parents=True, exist_ok=True)
    clm = build_clm(ClmSettings(database_url=f"sqlite:///{data_dir / 'clm.sqlite3'}"),
                    reviewer=RiskCopilotReviewer(engine))
    clm.migrate()
    clm.seed()
    token = clm.access.create_token(role="legal", organisation="lakeshore").token
    app = create_app(ApiSettings(cookie_secure=False, log_level="ERROR", data_root=data_dir / "api"),
                     clm=clm, engine=engine)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client, token
    finally:
        clm.close()


# ---------------------------------------------------------------- make hardening


def run(quick: bool) -> dict[str, Any]:
    """Generate the corpus (without the large inputs when ``quick``) and send it through
    the CLI, one batch scan and the API; a few inputs also through the real CLI process
    with its peak memory. Returns the figures; never raises on a failed check."""
    from risk_copilot.engine import ReviewEngine
    from risk_copilot.settings import ReviewerSettings

    started = time.perf_counter()
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bad-inputs-") as tmp:
        root = Path(tmp)
        items = generate(root / "corpus", large=not quick)
        engine = ReviewEngine(ReviewerSettings())  # the index cache of `make run` (var/index)
        outcomes = check_cli(items, engine, root / "cli")
        batch_outcomes, _ = check_batch(items, root / "corpus", engine, root / "scan")
        outcomes += batch_outcomes
        with api_client(engine, root / "api") as (client, token):
            outcomes += check_api(items, client, token)
        chosen = [i for i in items if i.name in SUBPROCESS_INPUTS]
        runs = [check_cli_subprocess(i, root / "sub") for i in chosen]
        outcomes += [r.outcome for r in runs]
        review_rss = max((r.peak_rss_mb for r in runs if r.outcome.result == "reviewed"), default=0.0)
        refused_rss = max((r.peak_rss_mb for r in runs if r.outcome.result != "reviewed"), default=0.0)
        figures["review_peak_rss_mb"] = round(review_rss, 1)  # a small contract, model loaded
        figures["refused_peak_rss_mb"] = round(refused_rss, 1)  # worst hostile input, as a process
        if not refused_rss < REFUSED_PEAK_CEILING_MB:
            outcomes.append(PathOutcome("(memory)", "cli-subprocess", "failed", None,
                                        f"a refused input peaked at {refused_rss:.0f} MB (ceiling "
                                        f"{REFUSED_PEAK_CEILING_MB} MB; a small review: {review_rss:.0f} MB)"))
    failures = [o for o in outcomes if not o.ok]
    figures.update({
        "inputs": len(items),
        "tried": len(outcomes),
        "handled": len(outcomes) - len(failures),
        "reviewed": sum(o.result == "reviewed" for o in outcomes),
        "refused": sum(o.result == "refused" for o in outcomes),
        "failures": len(failures),
        "seconds": round(time.perf_counter() - started, 1),
        "ok": not failures,
    })
    for o in failures[:10]:
        print(f"bad input {o.input} via {o.way}: {o.problem}", file=sys.stderr)
    return figures


# inputs also run through a fresh ``risk-copilot`` process (traceback-free exit 2, peak memory);
# latin1.txt is reviewed: its peak is the baseline the refused inputs are held to
SUBPROCESS_INPUTS = ("latin1.txt", "empty.txt", "png-renamed.pdf", "zip-bomb.docx", "zip-bomb-lying.docx", "xxe.docx",
                     "encrypted.pdf", "fifty-mb.txt", "one-5mb-line.txt")
# A refused input is refused before the model loads and before its bulk is read or inflated:
# the process stays near the interpreter's own ~85 MB (a small review peaks near 270 MB).
REFUSED_PEAK_CEILING_MB = 150
