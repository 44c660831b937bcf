"""Mute file: accepted risks, as data.

    mutes:
      - check_id: s3_bucket_tls_required          # every finding of a check...
        resource_id: northwind-public-assets      # ...optionally only this resource
        reason: Public website bucket, reviewed by the security team (TICKET-42)
        expires: 2027-03-31                       # optional; after this date the mute is ignored
      - finding_uid: 3f2a9c0d1e4b5a6c7d8e         # one finding, by the uid in findings.csv
        reason: Break-glass user, MFA device in the safe

A muted finding keeps its status, is shown as muted, is left out of every score, and is listed
in the report's appendix with its reason. An expired mute no longer applies and is listed too,
so accepted risks get reviewed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from .errors import UsageError

ALLOWED = {"check_id", "resource_id", "finding_uid", "reason", "expires"}


@dataclass(frozen=True)
class Mute:
    reason: str
    check_id: str = ""
    resource_id: str = ""
    finding_uid: str = ""
    expires: dt.date | None = None

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires < today

    @property
    def target(self) -> str:
        if self.finding_uid:
            return f"finding {self.finding_uid}"
        return self.check_id + (f" on {self.resource_id}" if self.resource_id else " (all resources)")


def load_mutes(path: str | Path, known_checks: set[str] | None = None) -> list[Mute]:
    """Parse and validate a mute file; every problem is named, with the entry's position."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise UsageError(f"cannot read the mute file {path}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise UsageError(f"the mute file {path} is not valid YAML: {exc}") from exc
    entries = raw.get("mutes") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise UsageError(f"the mute file {path} needs a top-level `mutes:` list (see `srm assess --help`)")
    mutes, problems = [], []
    for n, e in enumerate(entries, 1):
        where = f"entry {n}"
        if not isinstance(e, dict):
            problems.append(f"{where}: expected a mapping with check_id or finding_uid, and reason")
            continue
        unknown = set(e) - ALLOWED
        if unknown:
            problems.append(f"{where}: unknown field(s) {sorted(unknown)} (allowed: {', '.join(sorted(ALLOWED))})")
        if bool(e.get("check_id")) == bool(e.get("finding_uid")):
            problems.append(f"{where}: give exactly one of check_id or finding_uid")
        if e.get("resource_id") and not e.get("check_id"):
            problems.append(f"{where}: resource_id narrows a check_id mute")
        if not str(e.get("reason") or "").strip():
            problems.append(f"{where}: a mute needs a reason")
        if known_checks is not None and e.get("check_id") and e["check_id"] not in known_checks:
            problems.append(f"{where}: unknown check id {e['check_id']!r} (see `srm checks`)")
        expires = e.get("expires")
        if expires is not None and not isinstance(expires, dt.date):
            try:
                expires = dt.date.fromisoformat(str(expires))
            except ValueError:
                problems.append(f"{where}: expires must be a date like 2027-03-31, not {expires!r}")
                expires = None
        if isinstance(expires, dt.datetime):
            expires = expires.date()
        mutes.append(Mute(reason=" ".join(str(e.get("reason") or "").split()),
                          check_id=str(e.get("check_id") or ""), resource_id=str(e.get("resource_id") or ""),
                          finding_uid=str(e.get("finding_uid") or ""), expires=expires))
    if problems:
        raise UsageError(f"the mute file {path} is invalid:\n  " + "\n  ".join(problems))
    return mutes


def apply_mutes(findings: pd.DataFrame, mutes: list[Mute], today: dt.date | None = None) -> pd.DataFrame:
    """Findings with `muted` (bool) and `mute_reason` columns; expired mutes do not apply."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    out = findings.copy()
    reason = pd.Series([""] * len(out), index=out.index, dtype=object)
    for m in mutes:
        if m.expired(today):
            continue
        if m.finding_uid:
            hit = out["finding_uid"] == m.finding_uid
        else:
            hit = out["check_id"] == m.check_id
            if m.resource_id:
                hit &= out["resource_id"].astype(str) == m.resource_id
        label = m.reason + (f" (until {m.expires.isoformat()})" if m.expires else "")
        reason = reason.where(~(hit & (reason == "")), label)
    out["muted"] = reason != ""
    out["mute_reason"] = reason
    return out


def mutes_frame(mutes: list[Mute], findings: pd.DataFrame, today: dt.date | None = None) -> pd.DataFrame:
    """The mute file as a table for the appendix: target, reason, expiry, state, findings muted."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    rows = []
    for m in mutes:
        if m.finding_uid:
            n = int((findings["finding_uid"] == m.finding_uid).sum())
        else:
            hit = findings["check_id"] == m.check_id
            if m.resource_id:
                hit &= findings["resource_id"].astype(str) == m.resource_id
            n = int(hit.sum())
        rows.append({"target": m.target, "reason": m.reason,
                     "expires": m.expires.isoformat() if m.expires else "never",
                     "state": "expired: not applied" if m.expired(today) else ("active" if n else "matches nothing"),
                     "findings": 0 if m.expired(today) else n})
    return pd.DataFrame(rows, columns=["target", "reason", "expires", "state", "findings"])
