"""The portfolio: what the fleet report presents, computed once from the fleet folder and saved.

Inputs: `fleet.json` (every account's status, reason, run folder, scores per area and common
mistakes, written by the fleet runner) and `fleet_findings.parquet` (every assessed account's
findings, with account_id and account_name). `build_portfolio()` computes the tables below;
`Portfolio.save()` writes them to `portfolio.json`; `Portfolio.load()` reads them back, so the
notebook only presents.

The fleet's score is the mean of its accounts' scores (and so per area): each account counts
once, whatever its size, as each check counts once in an account's score. Coverage likewise.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from .assessment import COMMON_MISTAKES, SEVERITY_ORDER, _clean
from .errors import SnapshotError
from .exports import CSV_COLUMNS, neutralize
from .history import FINDINGS_FILE
from .vocabulary import DOMAINS, ERROR, FAIL, PASS

FLEET_FILE = "fleet.json"
FLEET_FINDINGS = "fleet_findings.parquet"
FLEET_FINDINGS_CSV = "fleet_findings.csv"
PORTFOLIO_FILE = "portfolio.json"
CIS_VERSION = "7.0"
SYSTEMIC_TOP = 15
SEVERE_TOP = 50
TABLES = ("accounts", "areas", "heatmap", "systemic", "mistakes", "cis", "severe", "not_assessed", "trend")


@dataclass
class Portfolio:
    cover: dict  # organization, counts, regions, fleet score and coverage, label, engagement
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # keyed by TABLES

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name in TABLES:
            return self.tables[name]
        raise AttributeError(name)

    def save(self, folder: Path) -> Path:
        doc = {"cover": self.cover, **{k: v.to_dict(orient="records") for k, v in self.tables.items()}}
        path = Path(folder) / PORTFOLIO_FILE
        path.write_text(json.dumps(_clean(doc), indent=2, default=str), encoding="utf-8")
        return path

    @classmethod
    def load(cls, folder: str | Path) -> "Portfolio":
        try:
            doc = json.loads((Path(folder) / PORTFOLIO_FILE).read_text())
        except (OSError, ValueError) as exc:
            raise SnapshotError(f"{folder} has no readable {PORTFOLIO_FILE} ({exc})") from exc
        return cls(cover=doc["cover"], tables={k: pd.DataFrame.from_records(doc.get(k) or [], columns=COLUMNS[k])
                                               for k in TABLES})


COLUMNS = {
    "accounts": ["rank", "account_id", "name", "ou", "score", "coverage", "failed", "critical", "high",
                 "errors", "report"],
    "areas": ["domain", "area", "score", "coverage", "accounts"],
    "heatmap": ["account_id", "domain", "score", "coverage"],
    "systemic": ["check_id", "title", "severity", "domain", "accounts_failing", "accounts_evaluated",
                 "share", "resources"],
    "mistakes": ["mistake", "description", "found", "unknown", "not_found", "not_measured", "accounts"],
    "cis": ["account_id", "name", "controls", "passed", "failed", "unknown", "pass_rate"],
    "severe": ["severity", "account_id", "account_name", "check_id", "title", "region", "resource_id", "detail"],
    "not_assessed": ["account_id", "name", "status", "reason"],
    "trend": ["account_id", "name", "score_before", "score", "delta", "coverage_before", "coverage"],
}


def read_fleet(folder: str | Path) -> dict:
    try:
        return json.loads((Path(folder) / FLEET_FILE).read_text())
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"{folder} is not a fleet folder: {FLEET_FILE} cannot be read ({exc})") from exc


def latest_fleet(output_root: Path, before: str) -> Path | None:
    """The most recent earlier fleet run that completed (for the portfolio's trend)."""
    root = Path(output_root) / "fleet"
    if not root.is_dir():
        return None
    runs = sorted(f for f in root.iterdir() if f.is_dir() and f.name < before and (f / FLEET_FILE).is_file())
    for f in reversed(runs):
        if read_fleet(f).get("status") == "complete":
            return f
    return None


def write_fleet_findings(doc: dict, folder: Path) -> pd.DataFrame:
    """Every assessed account's findings in one table (Parquet, and CSV with the findings CSV
    contract's columns first, then account_name)."""
    frames = []
    for a in doc["accounts"]:
        if a.get("status") == "assessed" and a.get("run_folder"):
            f = pd.read_parquet(Path(a["run_folder"]) / FINDINGS_FILE)
            frames.append(f.assign(account_id=a["account_id"], account_name=a.get("name") or ""))
    findings = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=[*CSV_COLUMNS, "account_name"])
    findings.to_parquet(folder / FLEET_FINDINGS, index=False)
    cols = [*CSV_COLUMNS, "account_name"]
    neutralize(findings.reindex(columns=cols)).to_csv(folder / FLEET_FINDINGS_CSV, index=False)
    return findings


def build_portfolio(folder: str | Path, *, label: str = "", previous: str | Path | None = None) -> Portfolio:
    folder = Path(folder)
    doc = read_fleet(folder)
    findings = pd.read_parquet(folder / FLEET_FINDINGS)
    accounts = pd.DataFrame.from_records(doc["accounts"])
    assessed = accounts[accounts["status"] == "assessed"] if len(accounts) else accounts
    prev = read_fleet(previous) if previous else None
    active = findings[~findings["muted"].fillna(False).astype(bool)] if "muted" in findings else findings
    tables = {
        "accounts": _ranking(assessed),
        "areas": _areas(assessed),
        "heatmap": _heatmap(assessed),
        "systemic": _systemic(active, len(assessed)),
        "mistakes": _mistakes(assessed),
        "cis": _cis(active, assessed),
        "severe": _severe(active),
        "not_assessed": _not_assessed(accounts),
        "trend": _trend(assessed, prev),
    }
    counts = accounts["status"].value_counts() if len(accounts) else pd.Series(dtype=int)
    regions = sorted({r for rs in assessed.get("regions", pd.Series(dtype=object)) for r in (rs or [])})
    cover = {
        "label": label or doc.get("label") or "", "organization_id": doc.get("organization_id") or "",
        "management_account_id": doc.get("management_account_id") or "", "source": doc.get("source") or "",
        "engagement": (doc.get("options") or {}).get("engagement") or {},
        "accounts": int(len(accounts)), **{k: int(counts.get(k, 0)) for k in
                                             ("assessed", "failed", "skipped", "not_run")},
        "regions": regions, "score": _mean(assessed, "score"), "coverage": _mean(assessed, "coverage"),
        "failed_findings": int((active["status"] == FAIL).sum()) if len(active) else 0,
        "status": doc.get("status", ""), "started_at": doc.get("started_at", ""),
        "previous_fleet": str(previous) if previous else "",
        "previous_at": (prev or {}).get("started_at", ""),
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    return Portfolio(cover=cover, tables={k: v.reindex(columns=COLUMNS[k]) for k, v in tables.items()})


def open_portfolio(fleet_folder: str | Path, *, label: str = "", previous: str | Path | None = None) -> Portfolio:
    """What the portfolio notebook presents: the saved model, or (a fixture fleet, a folder from
    an older run) one computed here."""
    if (Path(fleet_folder) / PORTFOLIO_FILE).is_file():
        return Portfolio.load(fleet_folder)
    return build_portfolio(fleet_folder, label=label, previous=previous or None)


# -- the tables ------------------------------------------------------------------------------------

def _mean(frame: pd.DataFrame, col: str):
    if frame.empty or col not in frame:
        return None
    v = pd.to_numeric(frame[col], errors="coerce").mean()
    return None if pd.isna(v) else float(v)


def _ranking(assessed: pd.DataFrame) -> pd.DataFrame:
    """Worst first: the accounts that need attention lead."""
    if assessed.empty:
        return pd.DataFrame(columns=COLUMNS["accounts"])
    sev = assessed["failing_by_severity"].map(lambda d: d or {})
    out = assessed.assign(critical=sev.map(lambda d: d.get("critical", 0)), high=sev.map(lambda d: d.get("high", 0)),
                          score=pd.to_numeric(assessed["score"], errors="coerce"))
    for col in ("failed", "critical", "high", "errors"):
        out[col] = pd.to_numeric(out[col], errors="coerce").fillna(0).astype(int)
    out = out.sort_values(["score", "account_id"], na_position="first").reset_index(drop=True)
    out["rank"] = range(1, len(out) + 1)
    return out


def _heatmap(assessed: pd.DataFrame) -> pd.DataFrame:
    rows = [{"account_id": a["account_id"], **area} for _, a in assessed.iterrows() for area in (a["by_area"] or [])]
    out = pd.DataFrame(rows, columns=["account_id", "domain", "score", "coverage"])
    for col in ("score", "coverage"):
        out[col] = pd.to_numeric(out[col], errors="coerce")
    return out


def _areas(assessed: pd.DataFrame) -> pd.DataFrame:
    h = _heatmap(assessed)
    if h.empty:
        return pd.DataFrame(columns=COLUMNS["areas"])
    g = h.groupby("domain").agg(score=("score", "mean"), coverage=("coverage", "mean"),
                                accounts=("score", "count")).reset_index()
    g["area"] = g["domain"].map(DOMAINS)
    return g.set_index("domain").reindex([d for d in DOMAINS if d in set(g["domain"])]).reset_index()


def _systemic(active: pd.DataFrame, n_accounts: int) -> pd.DataFrame:
    """Checks failing in the most accounts: candidates for one organization-wide fix."""
    if active.empty:
        return pd.DataFrame(columns=COLUMNS["systemic"])
    evaluated = active[active["status"].isin((PASS, FAIL))].groupby("check_id")["account_id"].nunique()
    bad = active[active["status"] == FAIL]
    g = bad.groupby("check_id").agg(title=("title", "first"), severity=("severity", "first"),
                                    domain=("domain", "first"), accounts_failing=("account_id", "nunique"),
                                    resources=("resource_id", "size")).reset_index()
    g["accounts_evaluated"] = g["check_id"].map(evaluated).fillna(0).astype(int)
    g["share"] = 100 * g["accounts_failing"] / max(n_accounts, 1)
    g["_s"] = g["severity"].map(SEVERITY_ORDER)
    return (g.sort_values(["accounts_failing", "_s", "check_id"], ascending=[False, True, True])
            .drop(columns="_s").head(SYSTEMIC_TOP).reset_index(drop=True))


def _mistakes(assessed: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for name, text, _ in COMMON_MISTAKES:
        states = {a["account_id"]: (a.get("mistakes") or {}).get(name, "not_measured")
                  for _, a in assessed.iterrows()}
        counts = pd.Series(list(states.values()), dtype=object).value_counts()
        rows.append({"mistake": name, "description": text,
                     **{k: int(counts.get(k, 0)) for k in ("found", "unknown", "not_found", "not_measured")},
                     "accounts": sorted(k for k, v in states.items() if v == "found")})
    return pd.DataFrame(rows, columns=COLUMNS["mistakes"])


def _cis(active: pd.DataFrame, assessed: pd.DataFrame) -> pd.DataFrame:
    """Per account, the CIS v7.0 controls its checks cover: a control passes when every finding
    of its checks passes, fails when one fails, is unknown when one could not be evaluated."""
    names = dict(zip(assessed["account_id"], assessed["name"])) if len(assessed) else {}
    f = active[active["status"].isin((PASS, FAIL, ERROR))][["account_id", "cis_ids", "status"]].copy()
    f["control"] = f["cis_ids"].fillna("").str.split()
    f = f.explode("control")
    f = f[f["control"].fillna("").str.startswith(f"{CIS_VERSION}:")]
    rank = {FAIL: 0, ERROR: 1, PASS: 2}
    per = (f.assign(r=f["status"].map(rank)).groupby(["account_id", "control"])["r"].min()
           .map({v: k for k, v in rank.items()}).rename("state").reset_index())
    rows = []
    for account_id in names:
        s = per[per["account_id"] == account_id]["state"].value_counts()
        n = int(s.sum())
        rows.append({"account_id": account_id, "name": names[account_id], "controls": n,
                     "passed": int(s.get(PASS, 0)), "failed": int(s.get(FAIL, 0)), "unknown": int(s.get(ERROR, 0)),
                     "pass_rate": 100 * s.get(PASS, 0) / n if n else None})
    return pd.DataFrame(rows, columns=COLUMNS["cis"]).sort_values(["pass_rate", "account_id"], na_position="first")


def _severe(active: pd.DataFrame) -> pd.DataFrame:
    bad = active[(active["status"] == FAIL) & active["severity"].isin(("critical", "high"))]
    bad = bad.assign(_s=bad["severity"].map(SEVERITY_ORDER))
    return bad.sort_values(["_s", "check_id", "account_id", "region", "resource_id"]).head(SEVERE_TOP)


def _not_assessed(accounts: pd.DataFrame) -> pd.DataFrame:
    if accounts.empty:
        return pd.DataFrame(columns=COLUMNS["not_assessed"])
    return accounts[accounts["status"] != "assessed"].sort_values(["status", "account_id"])


def _trend(assessed: pd.DataFrame, previous: dict | None) -> pd.DataFrame:
    if previous is None or assessed.empty:
        return pd.DataFrame(columns=COLUMNS["trend"])
    before = {a["account_id"]: a for a in previous.get("accounts", []) if a.get("status") == "assessed"}
    out = assessed[["account_id", "name", "score", "coverage"]].copy()
    out["score_before"] = out["account_id"].map(lambda i: (before.get(i) or {}).get("score"))
    out["coverage_before"] = out["account_id"].map(lambda i: (before.get(i) or {}).get("coverage"))
    for col in ("score", "coverage", "score_before", "coverage_before"):
        out[col] = pd.to_numeric(out[col], errors="coerce")
    out["delta"] = out["score"] - out["score_before"]
    return out.sort_values(["delta", "account_id"], na_position="last")


def report_link(fleet_folder: Path, run_folder: str) -> str:
    """Relative, so the output folder can be zipped and handed over."""
    return os.path.relpath(Path(run_folder) / "report.html", fleet_folder)
