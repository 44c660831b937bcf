"""SQL over every run (`srm sql`, `srm.sql`): the views, the real CLI, and the read-only locks,
on copies of the demo run under other stamps and another account."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import srm_nb as srm
from conftest import run_srm
from srm_nb import query
from srm_nb.errors import QueryError, UsageError

ACCOUNT, OTHER = "123456789012", "444455556666"
RUNS = ((ACCOUNT, "20261101T000000Z"), (ACCOUNT, "20261201T000000Z"), (OTHER, "20261115T000000Z"))
ISSUE_QUERY = "SELECT severity, count(*) FROM findings WHERE status = 'FAIL' AND latest GROUP BY 1"


def copy_runs(demo: Path, root: Path) -> Path:
    """The demo run copied as three runs of two accounts, plus a collect-only folder newer than
    them and a fleet folder, neither of which is a run."""
    for account, stamp in RUNS:
        shutil.copytree(demo, root / account / stamp)
    scores = root / OTHER / "20261115T000000Z" / "scores.json"
    scores.write_text(json.dumps({**json.loads(scores.read_text()), "account_id": OTHER}))
    shutil.copytree(demo / "snapshot", root / ACCOUNT / "20261215T000000Z" / "snapshot")
    fleet = root / "fleet" / "20261201T000000Z"
    fleet.mkdir(parents=True)
    (fleet / "fleet.json").write_text("{}")
    shutil.copy(demo / "findings.parquet", fleet / "fleet_findings.parquet")
    return root


@pytest.fixture(scope="module")
def outputs(demo_run, tmp_path_factory):
    return copy_runs(demo_run[0], tmp_path_factory.mktemp("sql-outputs"))


@pytest.fixture
def own_outputs(demo_run, tmp_path):
    """A copy of its own, for tests that try to damage it."""
    return copy_runs(demo_run[0], tmp_path / "outputs")


@pytest.fixture(scope="module")
def demo_findings_frame(demo_run):
    return pd.read_parquet(demo_run[0] / "findings.parquet")


def test_views_hold_every_run_with_its_account_stamp_and_latest_flag(outputs, demo_findings_frame):
    runs = srm.sql("SELECT account_id, run_stamp, latest, score FROM runs ORDER BY run_stamp", outputs)
    assert list(zip(runs["account_id"], runs["run_stamp"], runs["latest"])) == [
        (ACCOUNT, "20261101T000000Z", False), (OTHER, "20261115T000000Z", True), (ACCOUNT, "20261201T000000Z", True)]
    per_run = srm.sql("SELECT account_id, run_stamp, latest, count(*) AS n FROM findings GROUP BY ALL", outputs)
    assert sorted(zip(per_run["account_id"], per_run["run_stamp"])) == sorted(RUNS)
    assert (per_run["n"] == len(demo_findings_frame)).all()
    # The table's own account_id column gives way to the run's (the copy under OTHER says ACCOUNT inside).
    pab = srm.sql("SELECT account_id, run_stamp, latest, configured FROM s3_account_public_access_block", outputs)
    assert sorted(pab["account_id"]) == [ACCOUNT, ACCOUNT, OTHER] and pab["latest"].sum() == 2
    tables = outputs / ACCOUNT / "20261201T000000Z" / "snapshot" / "tables"
    for name in ("calls", "gaps"):
        got = srm.sql(f"SELECT count(*) AS n, count(DISTINCT run_stamp) AS runs FROM {name}", outputs)
        assert got.loc[0, "n"] == 3 * len(pd.read_parquet(tables / f"{name}.parquet"))
    assert got.loc[0, "runs"] in (0, 3)
    areas = srm.sql("SELECT run_stamp, area, score FROM scores WHERE scope = 'area' AND latest", outputs)
    assert len(areas) == 2 * len(srm.open_run(outputs / ACCOUNT).scores)
    overall = srm.sql("SELECT score FROM scores WHERE scope = 'overall'", outputs)["score"]
    assert len(overall) == 3 and overall.nunique() == 1


def test_the_issue_query_through_the_cli_in_every_format(outputs, demo_findings_frame):
    expected = 2 * demo_findings_frame.loc[demo_findings_frame["status"] == "FAIL", "severity"].value_counts()
    proc = run_srm("sql", ISSUE_QUERY, "--outputs", str(outputs), "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    got = pd.read_csv(io.StringIO(proc.stdout)).set_index("severity")["count_star()"]
    assert got.sort_index().to_dict() == expected.sort_index().to_dict()
    records = json.loads(query.sql_text(ISSUE_QUERY + " ORDER BY 2 DESC", outputs, "json"))
    assert [r["severity"] for r in records] == list(expected.sort_values(ascending=False).index)
    table = query.sql_text(ISSUE_QUERY, outputs).splitlines()
    assert table[0].split() == ["severity", "count_star()"] and table[-1] == f"({len(expected)} rows)"


def test_schema_lists_every_view_with_its_columns(outputs):
    proc = run_srm("sql", "--schema", "--outputs", str(outputs), "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    schema = pd.read_csv(io.StringIO(proc.stdout))
    views = list(dict.fromkeys(schema["view"]))
    assert views[:5] == ["runs", "scores", "findings", "calls", "gaps"] and "iam_users" in views
    assert "fleet_findings" not in views and len(views) > 80
    for view, cols in schema.groupby("view"):
        assert {"account_id", "run_stamp", "latest"} <= set(cols["column"]), view
    text = query.sql_text(None, outputs, show_schema=True)
    assert "findings: every finding of every run" in text and "  user_name " in text


@pytest.mark.parametrize("bad, message", [
    ("SELEC severity FROM findings", "Parser Error"),
    ("SELECT nope FROM findings", "Binder Error"),
    ("SELECT * FROM no_such_table", "Catalog Error"),
    ("DELETE FROM findings", "one SELECT statement"),
])
def test_bad_sql_gets_duckdbs_message(outputs, bad, message):
    with pytest.raises(QueryError, match=message):
        srm.sql(bad, outputs)


def test_bad_sql_and_no_runs_exit_2_without_a_traceback(outputs, tmp_path):
    proc = run_srm("sql", "SELECT nope FROM findings", "--outputs", str(outputs))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith('srm: error: Binder Error: Referenced column "nope" not found')
    proc = run_srm("sql", "SELECT 1", "--outputs", str(tmp_path))
    assert proc.returncode == 2 and "no runs under" in proc.stderr
    with pytest.raises(UsageError, match="--schema"):
        query.sql_text(None, outputs)


def tree(root) -> dict:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(root.rglob("*"))}


def attacks(root) -> list[str]:
    findings = root / ACCOUNT / "20261201T000000Z" / "findings.parquet"
    return [
        f"COPY (SELECT 1 AS a) TO '{root}/evil.csv'",
        f"COPY findings TO '{findings}' (FORMAT parquet, USE_TMP_FILE false)",
        f"ATTACH '{root}/evil.duckdb'",
        f"ATTACH '{findings}'",
        "CREATE TABLE stolen AS SELECT * FROM findings",
        "CREATE OR REPLACE VIEW findings AS SELECT 1 AS a",
        "CREATE SECRET s (TYPE s3, KEY_ID 'x', SECRET 'y')",
        "INSERT INTO runs (account_id) VALUES ('x')",
        f"EXPORT DATABASE '{root}/export'",
        "SET enable_external_access = true",
        "INSTALL httpfs",
        f"SELECT 1; COPY (SELECT 1 AS a) TO '{root}/evil.csv'",
        f"SELECT * FROM query('COPY (SELECT 1 AS a) TO ''{root}/evil.csv''')",
        "SELECT * FROM read_text('/etc/hostname')",
        f"SELECT * FROM read_csv('{root.parent}/*.csv')",
    ]


def test_no_query_can_write_attach_configure_or_read_other_files(own_outputs):
    before = tree(own_outputs)
    for attack in attacks(own_outputs):
        with pytest.raises(QueryError):
            srm.sql(attack, own_outputs)
    assert tree(own_outputs) == before
    proc = run_srm("sql", f"COPY findings TO '{own_outputs}/x.csv'", "--outputs", str(own_outputs))
    assert proc.returncode == 2 and "one SELECT statement" in proc.stderr and "Traceback" not in proc.stderr
    assert tree(own_outputs) == before


def test_the_locked_connection_refuses_new_files_and_settings_on_its_own(own_outputs):
    """The second lock, without the SELECT-only check: DuckDB may open no file but the listed
    Parquet files (so rewriting one of them is what the SELECT-only check is there for)."""
    before = tree(own_outputs)
    with query.connect(own_outputs) as con:
        for statement in (f"COPY (SELECT 1 AS a) TO '{own_outputs}/evil.csv'", f"ATTACH '{own_outputs}/evil.duckdb'",
                          f"EXPORT DATABASE '{own_outputs}/export'", "SELECT * FROM read_text('/etc/hostname')",
                          "INSTALL httpfs"):
            with pytest.raises(duckdb.PermissionException):
                con.execute(statement)
        for setting in ("enable_external_access = true", "allowed_directories = ['/']", "lock_configuration = false"):
            with pytest.raises(duckdb.InvalidInputException, match="locked"):
                con.execute(f"SET {setting}")
        assert con.execute("SELECT count(*) FROM findings").fetchone()[0] > 0
    assert tree(own_outputs) == before


def test_only_the_views_a_query_names_are_opened(own_outputs):
    own_outputs = own_outputs.rename(own_outputs.with_name("it's outputs"))  # a quote in a path is data
    broken = own_outputs / ACCOUNT / "20261201T000000Z" / "snapshot" / "tables" / "iam_users.parquet"
    broken.write_bytes(b"not parquet")
    assert srm.sql("SELECT count(*) AS n FROM findings", own_outputs).loc[0, "n"] > 0
    with pytest.raises(QueryError, match="iam_users.parquet"):
        srm.sql("SELECT count(*) FROM iam_users", own_outputs)
    with query.connect(own_outputs, views={"findings"}) as con:
        names = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert names == {"findings"}
