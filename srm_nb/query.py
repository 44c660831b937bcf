"""SQL over every run (`srm sql`, `srm.sql`): DuckDB views over the Parquet files the runs hold.

Views: `runs` (one row a run), `findings` (every run's findings), `scores` (per run: overall and
per area, service and region, told apart by `scope`), and one per snapshot table, `calls` and
`gaps` included. Each carries `account_id`, `run_stamp` and `latest` (the account's newest run).

Nothing is copied: a view reads its files when a query runs, and only the views a query names are
set up, so a query about findings never opens the snapshots. Read-only by two locks: only a single
SELECT statement is run (COPY, ATTACH, CREATE, EXPORT, SET... are refused before DuckDB runs
anything), and DuckDB may open no file but the runs' Parquet files (external access off, the
configuration locked), so nothing can read other files, or write, attach or load anything.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd

from .errors import QueryError, UsageError
from .history import FINDINGS_FILE
from .textformat import frame_text
from .workbench import run_index, summaries

RUN_KEYS = ("account_id", "run_stamp", "latest")
# Views built from the runs' summaries (small tables made in memory), and what each holds.
SUMMARY_VIEWS = {"runs": "one row a run: stamp, score, coverage, counts, path, problem",
                 "scores": "score and coverage per run, by scope: overall, area, service, region"}
DESCRIPTIONS = {**SUMMARY_VIEWS, "findings": "every finding of every run (mutes applied)",
                "calls": "snapshot: every API request and its outcome",
                "gaps": "snapshot: data that could not be collected (the checks on it are ERROR)"}
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def sql(query: str, outputs_root: str | Path = "outputs") -> pd.DataFrame:
    """The result of one SELECT over the runs under `outputs_root`. QueryError carries DuckDB's
    message for bad SQL, and refuses anything but a single SELECT."""
    require_one_select(query)
    names = {w.lower() for w in _WORD.findall(query)}
    with connect(outputs_root, views=names) as con:
        try:
            return con.execute(query).df()
        except duckdb.Error as exc:
            raise QueryError(str(exc)) from exc


def require_one_select(query: str) -> None:
    """QueryError unless `query` is one SELECT statement (DuckDB's parser decides)."""
    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as exc:
        raise QueryError(str(exc)) from exc
    kinds = [s.type.name for s in statements]
    if kinds != ["SELECT"]:
        raise QueryError(f"srm sql runs one SELECT statement and nothing that writes, attaches or "
                         f"configures; this query has: {', '.join(kinds) or 'no statement'}")


def connect(outputs_root: str | Path, views: set[str] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection over the runs under `outputs_root` with the views named in
    `views` (all of them when None), locked: it can read those views' files and nothing else."""
    index = run_index(outputs_root)
    if index.empty:
        raise UsageError(f"no runs under {outputs_root}: run `srm demo` or `srm assess` first "
                         "(or point --outputs at the folder they wrote)")
    files = parquet_files(index)
    wanted = set(DESCRIPTIONS) | set(files) if views is None else set(views)
    con = duckdb.connect(":memory:")
    try:
        if wanted & set(SUMMARY_VIEWS):
            run_table, score_table = summaries(outputs_root)
            _table(con, "runs", run_table)
            _table(con, "scores", score_table)
        chosen = {name: rows for name, rows in files.items() if name in wanted}
        mapping = pd.concat([pd.DataFrame(rows, columns=["file", *RUN_KEYS]) for rows in chosen.values()]
                            or [pd.DataFrame(columns=["file", *RUN_KEYS])], ignore_index=True)
        _table(con, "_run_files", mapping.astype({"latest": bool}))
        con.execute(f"SET allowed_paths = {_list(mapping['file'])}")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        for name, rows in chosen.items():
            con.execute(_view_sql(name, [r[0] for r in rows]))
    except BaseException as exc:
        con.close()
        if isinstance(exc, duckdb.Error):  # a damaged Parquet file: DuckDB names it
            raise QueryError(str(exc)) from exc
        raise
    return con


def parquet_files(index: pd.DataFrame) -> dict[str, list[tuple]]:
    """{view name: [(file, account_id, run_stamp, latest)]}: findings and every snapshot table
    present in at least one run."""
    out: dict[str, list[tuple]] = {}
    for run in index.itertuples(index=False):
        folder = Path(run.path)
        keys = (run.account_id, run.run_stamp, bool(run.latest))
        if (folder / FINDINGS_FILE).is_file():
            out.setdefault("findings", []).append((str(folder / FINDINGS_FILE), *keys))
        for file in sorted((folder / "snapshot" / "tables").glob("*.parquet")):
            if file.stem not in SUMMARY_VIEWS and not file.stem.startswith("_"):
                out.setdefault(file.stem, []).append((str(file), *keys))
    return out


def _view_sql(name: str, files: list[str]) -> str:
    """The run's keys first, then the file's own columns (a column of the same name, such as a
    table's account_id, gives way to the run's)."""
    keys = ", ".join(f"'{k}'" for k in RUN_KEYS)
    return (f'CREATE VIEW "{name}" AS SELECT r.account_id, r.run_stamp, r.latest, t.* EXCLUDE (filename) '
            f"FROM (SELECT COLUMNS(lambda c: c NOT IN ({keys})) "
            f"FROM read_parquet({_list(files)}, filename = true, union_by_name = true)) t "
            f"JOIN _run_files r ON t.filename = r.file")


def _table(con, name: str, frame: pd.DataFrame) -> None:
    con.register("_frame", frame)
    con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _frame')
    con.unregister("_frame")


def _list(values) -> str:
    return "[" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]"


def schema(outputs_root: str | Path = "outputs") -> pd.DataFrame:
    """Every view with its columns and their types (view, description, column, type)."""
    with connect(outputs_root) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT internal "
                                           "UNION SELECT view_name FROM duckdb_views() WHERE NOT internal")
                 .fetchall() if not r[0].startswith("_")]
        known = list(DESCRIPTIONS)  # the views of the data model first, then the snapshot's tables
        order = sorted(names, key=lambda n: (known.index(n) if n in known else len(known), n))
        rows = [(n, DESCRIPTIONS.get(n, "snapshot table"), col, typ) for n in order
                for col, typ, *_ in con.execute(f'DESCRIBE "{n}"').fetchall()]
    return pd.DataFrame(rows, columns=["view", "description", "column", "type"])


def sql_text(query: str | None, outputs_root: str | Path = "outputs", fmt: str = "table",
             show_schema: bool = False) -> str:
    """`srm sql`'s output: the query's result, or (`show_schema`) the views and their columns."""
    if show_schema:
        s = schema(outputs_root)
        if fmt != "table":
            return frame_text(s, fmt)
        lines, width = [], int(s["column"].str.len().max())
        for view, cols in s.groupby("view", sort=False):
            lines.append(f"{view}: {cols['description'].iloc[0]}")
            lines += [f"  {c:<{width}}  {t}" for c, t in zip(cols["column"], cols["type"])]
        return "\n".join(lines) + "\n"
    if not query:
        raise UsageError("give a query, e.g. srm sql \"SELECT * FROM runs\", or --schema for the views")
    return frame_text(sql(query, outputs_root), fmt)
