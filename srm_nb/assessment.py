"""An assessment: everything the report presents, computed once and saved in the run folder.

`assess()` builds it from a snapshot (the checks, the mutes, the scores, the live responsibility
matrix, the seed's common mistakes, the trend and the changes since the previous run);
`Assessment.save()` writes it beside the snapshot; `Assessment.load()` reads it back, so the report
notebook, the exports and later runs present and compare without computing anything again.

Files of a run folder written here:
  findings.parquet   every finding (mutes applied, remediation fields)
  scores.json        the summary: context, scores, matrix, common mistakes, mutes, trend, changes
  changes.parquet    what changed since the previous run (only when there is one)
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path

import pandas as pd

from . import __version__
from .checks import CATALOG_VERSION, catalog_frame, load_catalog, run_checks
from .engagement import Engagement
from .errors import SnapshotError, UsageError
from .history import (CHANGES_FILE, FINDINGS_FILE, SCORES_FILE, TREND_COLUMNS, History, change_counts,
                      diff, load_history, trend_points)
from .mutes import apply_mutes, load_mutes, mutes_frame
from .scoring import SEVERITY_WEIGHTS, overall, score_by
from .snapshot import Snapshot
from .vocabulary import DOMAINS, EFFORTS, FAIL, SEVERITIES

SCORES_SCHEMA = 3  # 3: findings carry each check's risk statement
SCORE_GROUPS = {"domain": "by_area", "service": "by_service", "region": "by_region",
                "service_domain": "by_service_area"}
# The seed's "common mistakes", each measured by the checks its selectors pick (matrix syntax).
COMMON_MISTAKES = (
    ("Public S3 buckets", "Leaving S3 buckets public unintentionally.",
     ({"service": "s3", "id": ("*public*", "*acl*")},)),
    ("No MFA", "Not enabling MFA or enforcing strong IAM policies.",
     ({"service": "iam", "id": ("*mfa*",)},)),
    ("No backups", "Assuming backups are taken care of automatically for all services.",
     ({"domain": "backup"},)),
    ("CloudTrail or Config off", "Ignoring CloudTrail or Config for auditing.",
     ({"service": "cloudtrail", "id": ("*logging*", "*enabled*", "*multiregion*")},
      {"service": "config", "id": ("*recorder*", "*enabled*")})),
)
CATALOG_APPENDIX_COLUMNS = ["check_id", "severity", "domain", "service", "cis_ids", "fsbp_ids", "title"]


@dataclass
class Assessment:
    snapshot: Snapshot
    findings: pd.DataFrame
    overall: dict
    scores: dict[str, pd.DataFrame]  # keyed by SCORE_GROUPS: "domain", "service", "region"...
    matrix: pd.DataFrame  # the live matrix of the services in use
    services: dict  # {"in_use": [names], "not_in_use": [names], "models": {model: text}}
    common_mistakes: pd.DataFrame
    mutes: pd.DataFrame  # the mute file, entry by entry, with what each matched
    trend: pd.DataFrame  # history.TREND_COLUMNS, earlier runs then this one
    changes: pd.DataFrame | None  # history.diff against the previous run; None without one
    context: dict = field(default_factory=dict)  # label, engagement, versions, previous run, history
    catalog: pd.DataFrame = field(default_factory=pd.DataFrame)  # the checks this run applied

    # -- derived views (cheap, from the findings) -------------------------------------------
    @cached_property
    def active(self) -> pd.DataFrame:
        """Findings that are not muted."""
        return self.findings[~self.findings["muted"]]

    @cached_property
    def failing_checks(self) -> pd.DataFrame:
        """Failing checks (not muted), most severe first, quickest fixes first at equal severity,
        then by reach: what top risks, the area sections and the remediation plan list."""
        return failing_checks(self.active)

    # -- disk -------------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder = Path(folder)
        self.findings.to_parquet(folder / FINDINGS_FILE, index=False)
        if self.changes is not None:
            self.changes.to_parquet(folder / CHANGES_FILE, index=False)
        (folder / SCORES_FILE).write_text(json.dumps(self.summary(), indent=2, default=str),
                                         encoding="utf-8")

    def summary(self) -> dict:
        """The scores.json document: what later runs, fleets and scripts read of this run."""
        m = self.snapshot.manifest
        return _clean({
            "schema": SCORES_SCHEMA,
            "tool_version": __version__,
            "catalog_version": self.context.get("catalog_version", CATALOG_VERSION),
            "account_id": self.snapshot.account_id,
            "account_alias": m.get("account_alias", ""),
            "label": self.context.get("label", ""),
            "engagement": self.context.get("engagement") or Engagement().to_dict(),
            "assessed_at": m.get("started_at", ""),
            "generated_at": self.context.get("generated_at", ""),
            "regions": self.snapshot.regions,
            "scoring": {"weights": SEVERITY_WEIGHTS, "model": "severity-weighted pass rate per check; "
                        "ERROR counts as not passed; N/A, MANUAL and muted excluded"},
            "overall": self.overall,
            **{key: self.scores[by].to_dict(orient="records") for by, key in SCORE_GROUPS.items()},
            "matrix": self.matrix.to_dict(orient="records"),
            "services": self.services,
            "common_mistakes": self.common_mistakes.to_dict(orient="records"),
            "mutes": self.mutes.to_dict(orient="records"),
            "status_counts": self.findings["status"].value_counts().to_dict(),
            "previous_run": self.context.get("previous_run"),
            "history_problems": self.context.get("history_problems", []),
            "trend": self.trend.to_dict(orient="records"),
            "changes": change_counts(self.changes) if self.changes is not None else None,
            "catalog": self.catalog.to_dict(orient="records"),
        })

    @classmethod
    def load(cls, folder: str | Path) -> "Assessment":
        """A run folder written by `save()` (with its snapshot/), read back as it was computed."""
        folder = Path(folder)
        try:
            doc = json.loads((folder / SCORES_FILE).read_text())
            findings = pd.read_parquet(folder / FINDINGS_FILE)
        except (OSError, ValueError) as exc:
            raise SnapshotError(f"{folder} is not a complete run folder ({exc}): assess the snapshot "
                                "again with `srm assess --snapshot`") from exc
        if doc.get("schema") != SCORES_SCHEMA:
            raise SnapshotError(f"{folder} was written by srm-workbook {doc.get('tool_version', '?')} "
                                f"(scores schema {doc.get('schema')}): assess its snapshot again")
        changes_file = folder / CHANGES_FILE
        frame = pd.DataFrame.from_records
        return cls(
            snapshot=Snapshot.load(folder / "snapshot"),
            findings=findings,
            overall=doc["overall"],
            scores={by: _score_frame(doc.get(key) or [], by) for by, key in SCORE_GROUPS.items()},
            matrix=frame(doc.get("matrix") or [], columns=_matrix_columns()),
            services=doc.get("services") or {},
            common_mistakes=frame(doc.get("common_mistakes") or [], columns=MISTAKE_COLUMNS),
            mutes=frame(doc.get("mutes") or [], columns=list(mutes_frame([], findings).columns)),
            trend=frame(doc.get("trend") or [], columns=list(TREND_COLUMNS)),
            changes=pd.read_parquet(changes_file) if changes_file.is_file() else None,
            context={**{k: doc.get(k) for k in ("label", "catalog_version", "generated_at",
                                                "previous_run", "history_problems")},
                     "engagement": Engagement.from_dict(doc.get("engagement")).to_dict()},
            catalog=frame(doc.get("catalog") or [], columns=CATALOG_APPENDIX_COLUMNS),
        )


# -- building -----------------------------------------------------------------------------------

def assess(snapshot: Snapshot | str | Path, *, mute_file: str | Path | None = None,
           previous_run: str | Path | None = None, label: str = "",
           engagement: Engagement | None = None) -> Assessment:
    """Check a snapshot and compute everything its report shows."""
    s = snapshot if isinstance(snapshot, Snapshot) else Snapshot.load(snapshot)
    mutes = load_mutes(mute_file, known_checks=set(load_catalog())) if mute_file else []
    return build(s, run_checks(s), mutes=mutes, history=load_history(previous_run, s.account_id),
                 label=label, engagement=engagement)


def build(snapshot: Snapshot, findings: pd.DataFrame, *, mutes=(), history: History | None = None,
          label: str = "", engagement: Engagement | None = None) -> Assessment:
    """The assessment of `findings` (the checks' output) on `snapshot`."""
    from .matrix import live_matrix, load_matrix, services_in_use

    history = history or History()
    findings = apply_mutes(findings, list(mutes))
    scores = {by: _scores(findings, by) for by in SCORE_GROUPS}
    total = overall(findings)
    total["muted"] = int(findings["muted"].sum())
    matrix = load_matrix(strict=False)
    used = services_in_use(matrix, snapshot, findings)
    previous = history.previous
    changes = None
    if previous is not None and previous.findings is not None:
        changes = diff(previous.findings, findings)
    trend = trend_points(history, snapshot.manifest.get("started_at", "now"), total,
                         scores["domain"].to_dict(orient="records"))
    catalog = catalog_frame()
    return Assessment(
        snapshot=snapshot, findings=findings, overall=total, scores=scores,
        matrix=live_matrix(matrix, findings, used),
        services={"in_use": [matrix.services[k].name for k in used],
                  "not_in_use": [s.name for k, s in matrix.services.items() if k not in used],
                  "models": dict(matrix.models)},
        common_mistakes=common_mistakes(findings[~findings["muted"]]),
        mutes=mutes_frame(list(mutes), findings),
        trend=trend, changes=changes,
        context={"label": label, "catalog_version": CATALOG_VERSION,
                 "engagement": (engagement or Engagement()).to_dict(),
                 "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                 "previous_run": None if previous is None else {
                     "folder": str(previous.folder), "when": previous.when,
                     "overall": previous.scores.get("overall", {})},
                 "history_problems": list(history.problems)},
        catalog=catalog[CATALOG_APPENDIX_COLUMNS].sort_values(["domain", "check_id"]).reset_index(drop=True),
    )


def _scores(findings: pd.DataFrame, by: str) -> pd.DataFrame:
    keys = ["service", "domain"] if by == "service_domain" else by
    out = score_by(findings, keys)
    if by == "domain":
        out["area"] = out["domain"].map(DOMAINS)
        present = set(out["domain"])
        out = out.set_index("domain").reindex([d for d in DOMAINS if d in present]).reset_index()
    return out


def _score_frame(records: list[dict], by: str) -> pd.DataFrame:
    keys = ["service", "domain"] if by == "service_domain" else [by]
    extra = ["area"] if by == "domain" else []
    cols = [*keys, "score", "coverage", "checks", "passed", "failed", "errors", *extra]
    out = pd.DataFrame.from_records(records, columns=cols)
    for col in ("score", "coverage"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    return out


def _matrix_columns() -> list[str]:
    from .matrix import MATRIX_COLUMNS

    return list(MATRIX_COLUMNS)


SEVERITY_ORDER = {s: i for i, s in enumerate(SEVERITIES)}
EFFORT_ORDER = {e: i for i, e in enumerate(EFFORTS)}
FAILING_COLUMNS = ["check_id", "title", "risk", "severity", "domain", "effort", "resources",
                   "remediation_console", "remediation_cli"]


def failing_checks(findings: pd.DataFrame) -> pd.DataFrame:
    """Failing findings grouped by check: most severe first, then quickest fix, then reach. Each
    carries its risk statement, the words the report lists failures by."""
    bad = findings[findings["status"] == FAIL]
    if bad.empty:
        return pd.DataFrame(columns=FAILING_COLUMNS)
    g = bad.groupby("check_id", sort=False).agg(
        title=("title", "first"), risk=("risk", "first"), severity=("severity", "first"),
        domain=("domain", "first"),
        effort=("effort", "first"), resources=("resource_id", "size"),
        remediation_console=("remediation_console", "first"),
        remediation_cli=("remediation_cli", "first")).reset_index()
    g["_s"] = g["severity"].map(SEVERITY_ORDER)
    g["_e"] = g["effort"].map(EFFORT_ORDER).fillna(1)
    return (g.sort_values(["_s", "_e", "resources", "check_id"], ascending=[True, True, False, True])
            .drop(columns=["_s", "_e"]).reset_index(drop=True))


MISTAKE_COLUMNS = ["mistake", "description", "state", "failed", "checks_failing", "examples"]


def common_mistakes(active: pd.DataFrame) -> pd.DataFrame:
    """The seed's common mistakes: found (a check fails), unknown (data missing), not found
    (everything evaluated passed) or not measured (no check ran)."""
    from .matrix import selector_matches

    catalog = load_catalog().values()
    rows = []
    for name, text, selectors in COMMON_MISTAKES:
        ids = [c.id for c in catalog if any(selector_matches(s, c) for s in selectors)]
        mine = active[active["check_id"].isin(ids)]
        worst = failing_checks(mine)
        state = ("found" if len(worst) else "unknown" if (mine["status"] == "ERROR").any()
                 else "not_found" if (mine["status"] == "PASS").any() else "not_measured")
        rows.append({"mistake": name, "description": text, "state": state,
                     "failed": int((mine["status"] == FAIL).sum()), "checks_failing": len(worst),
                     "examples": list(worst["risk"].head(3))})
    return pd.DataFrame(rows, columns=MISTAKE_COLUMNS)


def open_assessment(run_folder: str | Path = "", snapshot_path: str | Path = "") -> Assessment:
    """What the report notebook presents: a run folder `srm assess` wrote, or, without one, the
    assessment of a snapshot computed here."""
    if run_folder:
        return Assessment.load(run_folder)
    if not snapshot_path:
        raise UsageError("give the notebook a run_folder (written by `srm assess`) or a snapshot_path")
    return assess(snapshot_path)


def _clean(obj):
    """JSON-safe: NaN becomes null, numpy scalars become Python numbers."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "tolist") and not isinstance(obj, (str, bytes)):
        obj = obj.tolist()
        return _clean(obj) if isinstance(obj, list) else obj
    if isinstance(obj, float) and math.isnan(obj):
        return None
    return obj

