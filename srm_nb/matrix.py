"""The Shared Responsibility matrix: `data/srm_matrix.yaml`, validated, linked to the catalog,
and measured against an account's findings.

Each customer item links checks by explicit id and by selectors (see the YAML's header), so a
check added to the catalog later attaches to the matching items without editing the matrix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from .checks import load_catalog
from .vocabulary import DOMAINS
from .errors import CatalogError
from .scoring import score_by

MATRIX_FILE = Path(__file__).parent / "data" / "srm_matrix.yaml"
MODELS = ("infrastructure", "container", "abstracted")
SELECTOR_FIELDS = ("id", "service", "domain", "resource_type")
ITEM_FIELDS = {"id", "text", "domain", "checks", "select", "manual"}
SERVICE_FIELDS = {"name", "model", "scope", "in_use", "aws", "customer"}


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    domain: str
    checks: tuple[str, ...] = ()
    select: tuple[dict, ...] = ()
    manual: str = ""


@dataclass(frozen=True)
class Service:
    key: str
    name: str
    model: str
    aws: str
    items: tuple[Item, ...]
    scope: str = "resource"
    in_use_tables: tuple[str, ...] = ()
    in_use_types: tuple[str, ...] = ()


@dataclass
class Matrix:
    services: dict[str, Service]
    models: dict[str, str]
    resolved: dict[str, tuple[str, ...]] = field(default_factory=dict)  # item id -> check ids

    def items(self):
        for svc in self.services.values():
            for item in svc.items:
                yield svc, item


def _as_tuple(value) -> tuple:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def selector_matches(selector: dict, check) -> bool:
    """Every field given must match: service/domain exactly (one of a list), id/resource_type
    as globs (one of a list)."""
    for key, wanted in selector.items():
        value = getattr(check, key)
        options = _as_tuple(wanted)
        if key in ("id", "resource_type"):
            if not any(fnmatchcase(value, str(p)) for p in options):
                return False
        elif value not in options:
            return False
    return True


def _parse(raw: dict, source: str) -> tuple[Matrix, list[str]]:
    problems: list[str] = []
    if not isinstance(raw, dict) or not isinstance(raw.get("services"), dict):
        raise CatalogError(f"{source}: expected a mapping with `services`")
    models = raw.get("models") or {}
    services: dict[str, Service] = {}
    seen_items: set[str] = set()
    for key, svc in raw["services"].items():
        where = f"{source}: service {key}"
        if not isinstance(svc, dict):
            problems.append(f"{where}: expected a mapping")
            continue
        unknown = set(svc) - SERVICE_FIELDS
        if unknown:
            problems.append(f"{where}: unknown field(s) {sorted(unknown)}")
        if svc.get("model") not in MODELS:
            problems.append(f"{where}: model must be one of {', '.join(MODELS)}")
        for req in ("name", "aws", "customer"):
            if not svc.get(req):
                problems.append(f"{where}: missing {req}")
        if svc.get("scope", "resource") not in ("resource", "account"):
            problems.append(f"{where}: scope must be resource or account")
        in_use = svc.get("in_use") or {}
        items = []
        for n, it in enumerate(svc.get("customer") or []):
            iwhere = f"{where}: item {it.get('id', n) if isinstance(it, dict) else n}"
            if not isinstance(it, dict):
                problems.append(f"{iwhere}: expected a mapping")
                continue
            unknown = set(it) - ITEM_FIELDS
            if unknown:
                problems.append(f"{iwhere}: unknown field(s) {sorted(unknown)}")
            for req in ("id", "text", "domain"):
                if not it.get(req):
                    problems.append(f"{iwhere}: missing {req}")
            if it.get("domain") and it["domain"] not in DOMAINS:
                problems.append(f"{iwhere}: unknown domain {it['domain']!r}")
            if it.get("id") in seen_items:
                problems.append(f"{iwhere}: item id used twice")
            seen_items.add(it.get("id"))
            selectors = []
            for sel in _as_tuple(it.get("select")):
                if not isinstance(sel, dict) or not sel or set(sel) - set(SELECTOR_FIELDS):
                    problems.append(f"{iwhere}: a selector is a mapping of {', '.join(SELECTOR_FIELDS)}: {sel!r}")
                    continue
                selectors.append(dict(sel))
            if not it.get("checks") and not selectors and not it.get("manual"):
                problems.append(f"{iwhere}: link checks (`checks` or `select`) or say why it is `manual`")
            items.append(Item(id=str(it.get("id", "")), text=str(it.get("text", "")),
                              domain=str(it.get("domain", "")),
                              checks=tuple(str(c) for c in _as_tuple(it.get("checks"))),
                              select=tuple(selectors),
                              manual=" ".join(str(it.get("manual") or "").split())))
        services[key] = Service(key=key, name=str(svc.get("name", key)), model=str(svc.get("model", "")),
                                aws=" ".join(str(svc.get("aws", "")).split()), items=tuple(items),
                                scope=str(svc.get("scope", "resource")),
                                in_use_tables=tuple(_as_tuple(in_use.get("tables"))),
                                in_use_types=tuple(_as_tuple(in_use.get("resource_types"))))
    return Matrix(services=services, models=dict(models)), problems


def resolve(matrix: Matrix, catalog: dict) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """Item id -> the check ids linked to it (explicit first, then selected, catalog order), and
    the explicit ids that are not in the catalog."""
    resolved, unknown = {}, []
    for svc, item in matrix.items():
        ids = []
        for cid in item.checks:
            if cid in catalog:
                ids.append(cid)
            else:
                unknown.append(f"{svc.key}/{item.id}: check {cid!r} is not in the catalog")
        for check in catalog.values():
            if any(selector_matches(sel, check) for sel in item.select):
                ids.append(check.id)
        resolved[item.id] = tuple(dict.fromkeys(ids))
    return resolved, unknown


def load_matrix(path: Path | None = None, *, strict: bool = True) -> Matrix:
    """The matrix with every item's checks resolved against the catalog.

    `strict` raises on unknown explicit check ids (the tests and the lead want to know); the
    report loads it non-strict so one renamed check does not stop a client's report.
    """
    if path is None:
        return _load_default(strict)
    return _load(Path(path), strict)


@lru_cache(maxsize=2)
def _load_default(strict: bool) -> Matrix:
    return _load(MATRIX_FILE, strict)


def _load(path: Path, strict: bool) -> Matrix:
    try:
        raw = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"cannot read the responsibility matrix {path}: {exc}") from exc
    matrix, problems = _parse(raw, path.name)
    matrix.resolved, unknown = resolve(matrix, load_catalog())
    if strict:
        problems += unknown
    if problems:
        raise CatalogError("responsibility matrix is invalid:\n  " + "\n  ".join(problems))
    return matrix


# -- measured against an account --------------------------------------------------------------

def services_in_use(matrix: Matrix, snapshot, findings: pd.DataFrame) -> list[str]:
    """Services the account uses: a resource table with rows, or an evaluated finding on one of
    the service's resource types. Account-scope services (IAM, CloudTrail...) always count."""
    nonempty = [name for name, df in snapshot.tables.items() if len(df)]
    # PASS/FAIL only: an ERROR (say, the table was never collected) says nothing about use.
    evaluated = findings[findings["status"].isin(("PASS", "FAIL"))]
    types = set(evaluated["resource_type"].astype(str))
    used = []
    for key, svc in matrix.services.items():
        if (svc.scope == "account"
                or any(fnmatchcase(t, p) for t in nonempty for p in svc.in_use_tables)
                or any(fnmatchcase(t, p) for t in types for p in svc.in_use_types)):
            used.append(key)
    return used


def item_status(statuses: pd.Series, manual: bool) -> str:
    """The worst evaluated verdict: FAIL, then ERROR, then PASS; else MANUAL or NOT_APPLICABLE."""
    present = set(statuses)
    for s in ("FAIL", "ERROR", "PASS"):
        if s in present:
            return s
    if manual or "MANUAL" in present or not present:
        return "MANUAL"
    return "NOT_APPLICABLE"


MATRIX_COLUMNS = ("service", "service_name", "model", "aws", "item", "text", "domain", "checks", "status",
                  "score", "coverage", "passed", "failed", "errors", "muted", "manual")


def live_matrix(matrix: Matrix, findings: pd.DataFrame, services: list[str] | None = None) -> pd.DataFrame:
    """One row per (service, customer item) with the measured status of the item.

    The item's score is the scoring model's (`scoring.score_by`) over the findings of its
    checks. Muted findings do not decide an item's status; they are counted in `muted`.
    """
    chosen = [(svc, item) for svc, item in matrix.items() if services is None or svc.key in services]
    links = pd.DataFrame([(svc.key, item.id, cid) for svc, item in chosen
                          for cid in matrix.resolved.get(item.id, ())], columns=["service", "item", "check_id"])
    cols = [c for c in ("check_id", "severity", "status", "muted") if c in findings.columns]
    linked = links.merge(findings[cols], on="check_id")
    muted = (linked["muted"].fillna(False).astype(bool) if "muted" in linked.columns
             else pd.Series(False, index=linked.index))
    scores = score_by(linked, ["service", "item"]).set_index(["service", "item"])
    statuses = linked[~muted].groupby(["service", "item"])["status"].agg(set)
    muted_counts = linked[muted].groupby(["service", "item"]).size()
    rows = []
    for svc, item in chosen:
        key = (svc.key, item.id)
        ids = matrix.resolved.get(item.id, ())
        sc = scores.loc[key] if key in scores.index else None
        rows.append({
            "service": svc.key, "service_name": svc.name, "model": svc.model, "aws": svc.aws,
            "item": item.id, "text": item.text, "domain": item.domain, "checks": " ".join(ids),
            "status": item_status(pd.Series(sorted(statuses.get(key, set())), dtype=object),
                                  bool(item.manual and not ids)),
            "score": float("nan") if sc is None else float(sc["score"]),
            "coverage": float("nan") if sc is None else float(sc["coverage"]),
            "passed": 0 if sc is None else int(sc["passed"]),
            "failed": 0 if sc is None else int(sc["failed"]),
            "errors": 0 if sc is None else int(sc["errors"]),
            "muted": int(muted_counts.get(key, 0)),
            "manual": item.manual,
        })
    return pd.DataFrame(rows, columns=list(MATRIX_COLUMNS))
