"""One account of a fleet: `assess_account(task, options)`, a plain function of its inputs that
writes the account's run (exactly `srm assess`'s: collect, snapshot, checks, report, exports) and
its state file, and returns a small summary. The local process pool and a Dask worker run this
same function; a fleet is never a second code path for an account.

State file: FLEET/accounts/<account-id>.json, {"status": running|assessed|failed|interrupted,
"run_folder", "summary"...}. An account counts as done only when it says "assessed": a run folder
recorded as "running" belongs to an attempt that died (a killed worker, a lost Dask worker), and
the next attempt removes it, so no half run is ever left looking complete.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

from ..errors import SrmError
from ..vocabulary import FAIL, SEVERITIES
from .accounts import AccountSpec

STATE_DIR = "accounts"
ASSESSED, FAILED, RUNNING, INTERRUPTED, SKIPPED = "assessed", "failed", "running", "interrupted", "skipped"


def state_path(fleet_folder: str | Path, account_id: str) -> Path:
    return Path(fleet_folder) / STATE_DIR / f"{account_id}.json"


def read_state(fleet_folder: str | Path, account_id: str) -> dict | None:
    try:
        return json.loads(state_path(fleet_folder, account_id).read_text())
    except (OSError, ValueError):
        return None


def write_state(fleet_folder: str | Path, account_id: str, doc: dict) -> None:
    """Atomically: a reader sees the old state or the new one, never half of one."""
    path = state_path(fleet_folder, account_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(doc, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)


def discard_unfinished(fleet_folder: str | Path, account_id: str) -> None:
    """Remove the run folder of an attempt that never finished (its state says running)."""
    state = read_state(fleet_folder, account_id)
    if state and state.get("status") in (RUNNING, INTERRUPTED) and state.get("run_folder"):
        shutil.rmtree(state["run_folder"], ignore_errors=True)
        write_state(fleet_folder, account_id, {**state, "status": INTERRUPTED, "run_folder": None})


def assess_account(task: dict, options: dict) -> dict:
    """Assess one account into OUTPUT/<account-id>/<stamp>/ and return its summary.

    `task` is `AccountSpec.task()`; `options` the fleet's single-account options (plain data:
    output_root, fleet_folder, regions, services, pdf, mute_file, label, engagement, paper,
    pdf_appendix, pdf_tagged, endpoint_url, session_name, partition). A failure of the account
    (role denied, credentials, nothing readable) is returned as status "failed" with the reason,
    never raised.
    """
    spec = AccountSpec.from_task(task)
    fleet = options["fleet_folder"]
    discard_unfinished(fleet, spec.account_id)
    started = time.perf_counter()
    state = {"account": spec.public(), "status": RUNNING, "run_folder": None,
             "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    write_state(fleet, spec.account_id, state)
    try:
        summary = _assess(spec, options, state)
    except KeyboardInterrupt:
        discard_unfinished(fleet, spec.account_id)
        raise
    except SrmError as exc:
        summary = _failed(spec, str(exc))
    except Exception as exc:  # a bug in one account must not stop the fleet: say what it was
        summary = _failed(spec, f"unexpected {type(exc).__name__}: {exc}")
    if summary["status"] != ASSESSED and state.get("run_folder"):
        shutil.rmtree(state["run_folder"], ignore_errors=True)
        state["run_folder"] = None
    summary["seconds"] = round(time.perf_counter() - started, 1)
    write_state(fleet, spec.account_id, {**state, "status": summary["status"],
                                         "run_folder": summary.get("run_folder"), "summary": summary})
    return summary


def _failed(spec: AccountSpec, reason: str) -> dict:
    return {"account_id": spec.account_id, "name": spec.name, "status": FAILED, "reason": reason,
            "tags": list(spec.tags), "ou": spec.ou}


def _access(spec: AccountSpec, options: dict):
    """Credentials for the account, and how they were obtained (said in the report)."""
    from ..aws import make_access
    from ..errors import CredentialsError

    roles = spec.role_arns(options.get("partition") or "aws")
    kw = dict(profile=spec.profile, session_name=options.get("session_name") or "srm-workbook",
              endpoint_url=options.get("endpoint_url"))
    try:
        access = make_access(role_arn=roles, external_id=spec.external_id, **kw)
        return access, (f"role {' -> '.join(roles)}" if roles else
                        f"profile {spec.profile}" if spec.profile else "the caller's credentials")
    except CredentialsError as exc:
        if not spec.caller_fallback:
            raise
        return make_access(**kw), f"the caller's own credentials ({roles[-1]} could not be assumed: {exc})"


def _assess(spec: AccountSpec, options: dict, state: dict) -> dict:
    from ..collect.runner import collect
    from ..engagement import Engagement
    from ..pipeline import PrintOptions, assess_snapshot, new_run_folder

    access, how = _access(spec, options)
    snapshot = collect(access, list(spec.regions) or options.get("regions") or None,
                       services=options.get("services") or None, quiet=True)
    if snapshot.account_id != spec.account_id:
        return _failed(spec, f"the credentials reach account {snapshot.account_id}, not {spec.account_id} "
                             f"({how}): check the role or profile")
    calls = snapshot.calls
    read = calls[(calls["collector"] != "session") & (calls["status"] == "ok")]
    if len(calls[calls["collector"] != "session"]) and read.empty:
        codes = calls["error_code"].value_counts().head(3)
        return _failed(spec, "no configuration could be read: every call failed ("
                       + ", ".join(f"{n} {c}" for c, n in codes.items()) + ")")
    output_root = Path(options["output_root"])
    folder = new_run_folder(output_root, spec.account_id)
    state["run_folder"] = str(folder)
    write_state(options["fleet_folder"], spec.account_id, state)  # claimed before anything is written
    result = assess_snapshot(
        snapshot, output_root, folder=folder, label=options.get("label") or spec.name, quiet=True,
        previous="auto", mute_file=options.get("mute_file") or None, pdf=bool(options.get("pdf")),
        engagement=Engagement.from_dict(options.get("engagement")),
        printing=PrintOptions(paper=options.get("paper") or "a4",
                              appendix=options.get("pdf_appendix") or "summary",
                              tagged=bool(options.get("pdf_tagged"))))
    return _summary(spec, result, how)


def _summary(spec: AccountSpec, result, how: str) -> dict:
    a = result.assessment
    m = a.snapshot.manifest
    active = a.active
    failing = active[active["status"] == FAIL]["severity"].value_counts()
    areas = a.scores["domain"]
    return {
        "account_id": spec.account_id, "name": spec.name or m.get("account_alias", ""),
        "alias": m.get("account_alias", ""), "status": ASSESSED, "reason": "", "access": how,
        "run_folder": str(result.folder), "pdf": bool(result.pdf),
        "assessed_at": m.get("started_at", ""), "regions": list(m.get("regions", [])),
        "tags": list(spec.tags), "ou": spec.ou,
        **{k: _plain(a.overall.get(k)) for k in ("score", "coverage", "passed", "failed", "errors", "muted")},
        "failing_by_severity": {s: int(failing.get(s, 0)) for s in SEVERITIES},
        "by_area": [{k: _plain(r[k]) for k in ("domain", "score", "coverage", "failed")}
                    for r in areas.astype(object).where(areas.notna(), None).to_dict(orient="records")],
        "mistakes": dict(zip(a.common_mistakes["mistake"], a.common_mistakes["state"])),
    }


def _plain(v):
    """JSON-safe: NaN (no score) becomes None, numpy numbers plain ones."""
    if v is None:
        return None
    v = v.item() if hasattr(v, "item") else v
    return None if isinstance(v, float) and v != v else v
