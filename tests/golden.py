"""The findings a change must not alter: the fixture snapshot's and the demo account's, kept in
tests/fixtures/golden/ and compared by tests/test_golden.py.

A change that alters results on purpose (a new check, a corrected verdict) regenerates them, and
the diff of these files shows exactly which findings changed:

    .venv/bin/python tests/golden.py

The fixture snapshot is fixed, so its findings are compared as they are. The demo is seeded anew
each run: moto makes up resource ids (instances, volumes, keys, access keys...) and the story is
dated from the day it runs, so those parts of its findings are masked before comparing.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "fixtures" / "golden"
FIXTURE_SNAPSHOT = ROOT / "tests" / "fixtures" / "snapshot"
COLUMNS = ["check_id", "region", "resource_id", "status", "detail"]

# What moto or the calendar chooses, masked in the demo's findings.
_MASKS = (
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"\b([a-z]{1,6})-[0-9a-f]{8,17}\b"), r"\1-<id>"),  # i-..., vol-..., sg-..., snap-...
    (re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b"), r"\1<key>"),
    (re.compile(r"\b[0-9a-z]{20,}\b"), "<id>"),  # a Lambda function URL's host...
    (re.compile(r"\d{4}-\d{2}-\d{2}([T ][0-9:.+]+Z?)?"), "<date>"),
    (re.compile(r"\d+"), "<n>"),
)


def mask(text: str) -> str:
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text


def fixture_rows() -> pd.DataFrame:
    """The fixture snapshot's findings, as the checks make them now."""
    from srm_nb.checks import run_checks
    from srm_nb.snapshot import Snapshot

    return rows(run_checks(Snapshot.load(FIXTURE_SNAPSHOT)))


# Services whose resource ids moto makes up in no shape a pattern can tell from a word (API
# Gateway's are lowercase letters): read from these findings' own resource ids (an API's, a
# distribution's, an integration's), and masked in these findings only.
_MADE_UP_IDS = ("apigateway", "cloudfront")


def demo_rows(findings: pd.DataFrame) -> pd.DataFrame:
    """A demo run's findings (findings.csv), with moto's ids and the dates masked."""
    out = rows(findings)
    theirs = out["check_id"].str.startswith(_MADE_UP_IDS)
    parts = out.loc[theirs, "resource_id"].str.split("/")
    ids = set(parts.str[0]) | set(parts[out.loc[theirs, "check_id"].str.contains("integration")].str[1])
    made_up = sorted((i for i in ids if "." not in i), key=len, reverse=True)  # not domain names
    if made_up:
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, made_up)) + r")\b")
        for col in ("resource_id", "detail"):
            out.loc[theirs, col] = out.loc[theirs, col].str.replace(pattern, "<made-up-id>", regex=True)
    for col in ("resource_id", "detail"):
        out[col] = out[col].map(mask)
    return out.sort_values(COLUMNS).reset_index(drop=True)


def rows(findings: pd.DataFrame) -> pd.DataFrame:
    out = findings.loc[:, COLUMNS].astype(str)
    return out.sort_values(COLUMNS).reset_index(drop=True)


def assert_same(got: pd.DataFrame, name: str) -> None:
    """`got` holds exactly the golden file's findings; else the ones that differ are named."""
    want = read(name)
    if got.reset_index(drop=True).equals(want):
        return
    diff = got.merge(want, how="outer", indicator=True)
    diff = diff[diff["_merge"] != "both"].assign(
        where=lambda d: d["_merge"].astype(str).map({"left_only": "now", "right_only": "golden"}))
    diff = diff.drop(columns="_merge")
    counts = f"{len(got)} findings now, {len(want)} in tests/fixtures/golden/{name}.csv"
    raise AssertionError(
        f"the {name} findings changed ({counts}); if on purpose, regenerate with "
        f"`.venv/bin/python tests/golden.py` and review the diff:\n{diff.head(20).to_string()}")


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(GOLDEN / f"{name}.csv", dtype=str, keep_default_na=False)


def write(name: str, frame: pd.DataFrame) -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    frame.to_csv(GOLDEN / f"{name}.csv", index=False)


def main() -> int:
    import tempfile

    sys.path.insert(0, str(ROOT))
    write("fixture", fixture_rows())
    with tempfile.TemporaryDirectory() as out:
        from srm_nb.cli import main as srm

        code = srm(["demo", "--output", out, "--quiet", "--no-pdf", "--previous", "none"])
        if code:
            return code
        found = next(Path(out).rglob("findings.csv"))
        write("demo", demo_rows(pd.read_csv(found, dtype=str, keep_default_na=False)))
    print(f"wrote {GOLDEN}/fixture.csv and demo.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
