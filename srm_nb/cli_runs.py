"""The subcommands that work on finished runs: `srm pack` and `srm verify` (the evidence pack),
`srm sql` (DuckDB over every run) and `srm diff` (two runs of an account). Like cli.py, they parse
options and call one function each."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .vocabulary import SEVERITIES

EXIT_OK, EXIT_FINDINGS = 0, 1

SQL_EPILOG = """\
examples:
  srm sql --schema                           the views and their columns
  srm sql "SELECT severity, count(*) FROM findings WHERE status = 'FAIL' AND latest GROUP BY 1"
  srm sql "SELECT account_id, run_stamp, score, coverage FROM runs ORDER BY run_stamp" --format csv
  srm sql "SELECT role_name, trust_policy_json FROM iam_roles WHERE latest" --outputs fleet-outputs/
  more in docs/queries.md

views: runs, findings, scores, calls, gaps and one per snapshot table, each with account_id,
run_stamp and latest (the account's newest run). Only one SELECT runs; nothing can be written.
exit codes: 0 done, 2 bad SQL (DuckDB's message), a statement other than SELECT, or no runs
"""

DIFF_EPILOG = """\
examples:
  srm diff outputs/111122223333/20261101T090000Z outputs/111122223333/20261128T101500Z
  srm diff RUN_A RUN_B --format csv > changes.csv
  srm diff RUN_A RUN_B --fail-on-new high    exit 1 when a high or critical finding newly fails

Findings are matched by their stable finding uid: new, fixed, still failing, no longer evaluated,
gone, muted; plus the score and coverage delta per area. The report's "changes" section is the
same comparison against the previous run.
exit codes: 0 done, 1 a new failure reached --fail-on-new, 2 bad usage (not a run, other account)
"""


def add_run_parsers(sub, common, epilog: str) -> None:
    """`srm pack`, `verify`, `sql` and `diff`; `common` is cli.py's --quiet option."""
    p = sub.add_parser("pack", help="zip a run folder into an evidence pack with SHA256SUMS and pack.json",
                       epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run_folder", type=Path, metavar="RUN_FOLDER", help="the run folder `srm assess` printed")
    p.add_argument("--output", type=Path, metavar="FILE.zip",
                   help="the zip to write (default: srm-evidence-<account>-<stamp>.zip here)")
    p.add_argument("--force", action="store_true", help="replace FILE.zip when it exists")
    common(p)

    p = sub.add_parser("verify", help="recompute every digest of an evidence pack; exit 8 when altered",
                       epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("pack", type=Path, metavar="FILE.zip")
    common(p)

    p = sub.add_parser("sql", help="query every run with SQL (DuckDB): findings, scores, snapshot tables",
                       epilog=SQL_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("query", nargs="?", help="one SELECT statement")
    p.add_argument("--outputs", default="outputs", type=Path,
                   help="outputs root srm assess wrote to (or one account's folder) (default: outputs/)")
    p.add_argument("--schema", action="store_true", help="list the views and their columns")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table",
                   help="table (default), csv (header row) or json (records)")

    p = sub.add_parser("diff", help="what changed between two runs of an account",
                       epilog=DIFF_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run_a", type=Path, metavar="RUN_A", help="the earlier run folder")
    p.add_argument("run_b", type=Path, metavar="RUN_B", help="the later run folder")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table",
                   help="table (default: summary, score delta, changed findings), csv (one changed "
                        "finding a row) or json")
    p.add_argument("--fail-on-new", choices=SEVERITIES, metavar="SEVERITY",
                   help="exit 1 when a finding of this severity or worse fails in RUN_B and did not in "
                        f"RUN_A ({', '.join(SEVERITIES)})")


def cmd_pack(args) -> int:
    from .pack import make_pack

    out = make_pack(args.run_folder, args.output, force=args.force)
    print(f"Evidence pack: {out}")
    if not args.quiet:
        print(f"Check it with: srm verify {out}", file=sys.stderr)
    return EXIT_OK


def cmd_verify(args) -> int:
    from .errors import IntegrityError
    from .pack import SUMS, verify_pack

    v = verify_pack(args.pack)
    for label, names in (("altered", v.altered), ("missing", v.missing), ("added", v.unlisted)):
        for name in names:
            print(f"{label}: {name}")
    for problem in v.problems:
        print(f"problem: {problem}")
    if not v.intact:
        print(f"srm: {args.pack} FAILED verification: do not rely on it; ask for the pack again",
              file=sys.stderr)
        return IntegrityError.exit_code
    m = v.meta
    print(f"OK: {v.files} files match {SUMS} (sha256 {m.get('sha256sums_sha256')}); account "
          f"{m.get('account_id')}, assessed {m.get('collection_started_at')}, srm-workbook {m.get('tool_version')}")
    return EXIT_OK


def cmd_sql(args) -> int:
    from .query import sql_text

    sys.stdout.write(sql_text(args.query, args.outputs, args.format, show_schema=args.schema))
    return EXIT_OK


def cmd_diff(args) -> int:
    from .workbench import diff, diff_text

    d = diff(args.run_a, args.run_b)
    sys.stdout.write(diff_text(d, args.format))
    if args.fail_on_new and len(d.new_failures(args.fail_on_new)):
        return EXIT_FINDINGS
    return EXIT_OK
