"""The `srm` command. It parses options and calls one function per subcommand; all logic lives in
the package."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path

from . import __version__
from .cli_fleet import add_fleet_parsers, cmd_accounts, cmd_fleet  # light: their work is imported when run
from .cli_runs import add_run_parsers, cmd_diff, cmd_pack, cmd_sql, cmd_verify
from .errors import SrmError, UsageError
from .vocabulary import PAPERS, SEVERITIES

EXIT_OK, EXIT_FINDINGS, EXIT_INTERRUPTED = 0, 1, 130

EPILOG = """\
examples:
  srm demo                                   assess the built-in demo account
  srm assess --profile client-audit --regions us-east-1,eu-west-1
  srm assess --role-arn arn:aws:iam::111122223333:role/Auditor --external-id X1 --regions all
  srm collect --profile client-audit --output snapshots/
  srm assess --snapshot snapshots/111122223333/20261128T101500Z/snapshot
  srm assess --profile client-audit --mute accepted-risks.yaml --previous outputs/111122223333/20261101T090000Z
  srm checks --domain identity_access --severity high
  srm policy > srm-readonly-policy.json
  srm assess --profile client-audit --client "Example Corp" --engagement ENG-2026-042 --paper letter
  srm pack outputs/111122223333/20261128T101500Z --output example-corp-evidence.zip
  srm verify example-corp-evidence.zip
  srm sql "SELECT severity, count(*) FROM findings WHERE status = 'FAIL' AND latest GROUP BY 1"
  srm diff outputs/111122223333/20261101T090000Z outputs/111122223333/20261128T101500Z
  srm fleet --organization --role-name SrmAudit --regions us-east-1,eu-west-1 --parallel 8
  srm accounts --organization --role-name SrmAudit --ou /Root/Workloads > accounts.yaml
  srm fleet --accounts accounts.yaml --no-pdf --resume outputs/fleet/20261128T101500Z
  srm demo --organization                    a demo Organization assessed as a fleet, and its portfolio

exit codes:
  0 the run completed (findings may fail: see --fail-on)
  1 findings at or above the --fail-on severity failed (srm diff: a new failure at --fail-on-new)
  2 bad usage   3 credentials   4 snapshot   5 read-only guard   6 report rendering
  7 check catalog   8 `srm verify`: the pack was altered (a file changed, added or removed)
  9 `srm fleet`: some accounts could not be assessed (the others were; fleet.json says why)
  130 interrupted (Ctrl-C or SIGTERM): no partial snapshot or report is left behind
"""




def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars or chatter; errors only")


def _aws_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("AWS access (standard boto3 credential chain)")
    g.add_argument("--profile", help="named profile from ~/.aws/config")
    g.add_argument("--role-arn", help="assume this role in the assessed account")
    g.add_argument("--external-id", help="external id the role's trust policy requires")
    g.add_argument("--session-name", default="srm-workbook", help="assumed-role session name")
    g.add_argument("--regions", default="all",
                   help="comma-separated regions, or 'all' (default: every region enabled for the account)")
    g.add_argument("--endpoint-url", help="AWS-compatible endpoint (default: $AWS_ENDPOINT_URL or AWS)")
    g.add_argument("--services", default="",
                   help="comma-separated collectors or AWS services to collect (default: all)")


def _report_options(p: argparse.ArgumentParser, fleet: bool = False) -> None:
    p.add_argument("--output", default="outputs", type=Path,
                   help="outputs root; the run goes to OUTPUT/<account-id>/<UTC timestamp>/ (default: outputs/)"
                        + ("; the portfolio to OUTPUT/fleet/<UTC timestamp>/" if fleet else ""))
    p.add_argument("--label", default="", help="label shown on the title page" + (
        " of the portfolio (each account's report shows the account's name)" if fleet else ""))
    p.add_argument("--fail-on", choices=SEVERITIES,
                   help="exit 1 when a finding of this severity or worse fails (muted findings never do)")
    p.add_argument("--previous", default="auto", metavar="FLEET_FOLDER" if fleet else "RUN_FOLDER",
                   help=("earlier fleet for the portfolio's trend (default: the latest earlier complete fleet "
                         "under --output; each account compares with its own latest run)" if fleet else
                         "earlier run of the same account for the trend (default: the latest earlier run "
                         "under --output)") + "; 'none' for no trend")
    p.add_argument("--mute", type=Path, metavar="FILE",
                   help="YAML of accepted risks: check ids or finding uids, each with a reason and an "
                        "optional expiry (muted findings are shown, listed, and left out of scores)")
    p.add_argument("--no-pdf", action="store_true", help="skip report.pdf (otherwise printed with headless "
                                                         "Chromium when it is installed)")
    p.add_argument("--timings", action="store_true",
                   help="print where the time went (collection per service, checks, exports, notebook, "
                        "HTML, PDF) and write it to timings.json in the run folder")
    g = p.add_argument_group("engagement details (on the title page, in scores.json, OCSF and XLSX)")
    g.add_argument("--client", help="the client the assessment is for")
    g.add_argument("--assessor", help='who assessed, e.g. "Jane Doe, Example Security Ltd"')
    g.add_argument("--engagement", help="the engagement's id or reference")
    g.add_argument("--classification", help='the line printed on every page (default "Confidential")')
    g.add_argument("--engagement-file", type=Path, metavar="FILE",
                   help="YAML with any of client, assessor, engagement, classification (options win)")
    g = p.add_argument_group("PDF")
    g.add_argument("--paper", choices=sorted(PAPERS), default="a4", help="paper size (default a4)")
    g.add_argument("--pdf-appendix", choices=["summary", "full"], default="summary",
                   help="summary (default): the PDF lists failing and unevaluated findings and counts "
                        "passes per check; full: every finding (the CSV and XLSX always hold every row)")
    g.add_argument("--pdf-tagged", action="store_true",
                   help="a tagged PDF for screen readers, with bookmarks from the headings (larger and "
                        "slower to print: about 11 MB instead of 0.8 MB at 3,700 findings)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="srm", description="Assess the customer side of the AWS Shared Responsibility Model.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"srm-workbook {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("assess", help="collect an account (or read a snapshot), check it, write the report",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _aws_options(p)
    p.add_argument("--snapshot", type=Path, help="assess this snapshot offline instead of collecting")
    _report_options(p)
    _common(p)

    p = sub.add_parser("demo", help="assess the built-in demo account (no AWS account needed)",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--organization", action="store_true",
                   help="a demo Organization instead (a management account and members in two OUs), "
                        "assessed as a fleet, with its portfolio")
    p.add_argument("--parallel", type=int, default=4, help="with --organization: accounts at once (default 4)")
    _report_options(p)
    _common(p)

    add_fleet_parsers(sub, _report_options, _common, EPILOG)

    p = sub.add_parser("collect", help="collect an account into a snapshot only",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _aws_options(p)
    p.add_argument("--output", default="outputs", type=Path,
                   help="snapshots root; writes OUTPUT/<account-id>/<UTC timestamp>/snapshot (default: outputs/)")
    _common(p)

    p = sub.add_parser("checks", help="list the check catalog",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--domain", "--area", dest="domain", help="responsibility area id, e.g. identity_access")
    p.add_argument("--service", help="AWS service, e.g. s3")
    p.add_argument("--severity", help="critical, high, medium, low or informational")
    p.add_argument("--framework", help="only checks mapped to it: cis (any version), cis-7.0, cis-5.0 "
                                       "or fsbp")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table",
                   help="table (default), csv (header row, one check a row) or json")

    pol = sub.add_parser(
        "policy", help="print the least-privilege IAM policy srm-workbook needs (JSON)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  srm policy > srm-readonly.json          # for the role each assessed account has\n"
               "  srm policy --fleet SrmAudit > fleet.json  # for whoever runs `srm fleet --organization`")
    pol.add_argument("--fleet", metavar="ROLE_NAME",
                     help="instead, the policy of the identity that runs a fleet: read the Organization "
                          "(management account or delegated administrator) and assume ROLE_NAME in each account")

    add_run_parsers(sub, _common, EPILOG)
    return parser


def main(argv: list[str] | None = None) -> int:
    from .lazy import defer_rfc3987_syntax

    defer_rfc3987_syntax()  # before papermill or nbconvert import jsonschema: a second saved
    # pyarrow's own allocator keeps what it freed: tens of MB more at the run's peak (the
    # report's kernel inherits the setting).
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    previous_term = _terminate_as_interrupt()
    try:
        return COMMANDS[args.command](args)
    except SrmError as exc:
        print(f"srm: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("srm: interrupted; no partial snapshot or report was kept", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)


def _terminate_as_interrupt():
    """SIGTERM (a scheduler's or `kill`'s stop) unwinds like Ctrl-C: collectors stop, temporary
    folders are removed, nothing that looks complete is left. Returns the previous handler."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)


def _say(args, text: str) -> None:
    if not getattr(args, "quiet", False):
        print(text, file=sys.stderr)


def _finish(args, result, started: float, collected: bool) -> int:
    if args.timings:
        _timings(result, started, collected)
    o = result.assessment.overall
    print(f"Report: {result.report}")
    if result.pdf:
        _say(args, f"PDF: {result.pdf}")
    elif result.pdf_problem and not args.no_pdf:
        print(f"srm: {result.pdf_problem}", file=sys.stderr)  # said even in --quiet: a file is missing
    _say(args, f"Exports: {', '.join(p.name for p in result.exports.values())} in {result.folder}")
    score = "n/a" if o["score"] != o["score"] else f"{o['score']:.0f}"
    coverage = "n/a" if o["coverage"] != o["coverage"] else f"{o['coverage']:.0f}"
    _say(args, f"Score {score}/100, coverage {coverage}%: {o['passed']} passed, {o['failed']} failed, "
               f"{o['errors']} could not be evaluated" + (f", {o['muted']} muted." if o.get("muted") else "."))
    if args.fail_on:
        worst = SEVERITIES[: SEVERITIES.index(args.fail_on) + 1]
        f = result.assessment.active
        if ((f["status"] == "FAIL") & f["severity"].isin(worst)).any():
            return EXIT_FINDINGS
    return EXIT_OK


def _timings(result, started: float, collected: bool) -> None:
    import time

    from .pipeline import write_timings

    collect = result.assessment.snapshot.manifest.get("timings") if collected else None
    result.timings["total"] = round(time.perf_counter() - started, 3)
    write_timings(result, collect)
    lines = ["timings (wall seconds):"]
    if collect:
        lines.append(f"  {'collect':<10}{collect['seconds']:>8.2f}")
        for service, t in sorted(collect["services"].items(), key=lambda kv: -kv[1]["seconds"]):
            lines.append(f"    {service:<16}{t['seconds']:>8.2f}  {t['calls']:>5} calls")
    lines += [f"  {name:<10}{seconds:>8.2f}" for name, seconds in result.timings.items()]
    print("\n".join(lines), file=sys.stderr)


def _access(args):
    from .aws import make_access

    return make_access(profile=args.profile, role_arn=args.role_arn, external_id=args.external_id,
                       session_name=args.session_name, endpoint_url=args.endpoint_url)


def _collect(args):
    from .collect.runner import collect

    services = [s.strip() for s in args.services.split(",") if s.strip()] or None
    return collect(_access(args), args.regions, services=services, quiet=args.quiet)


def cmd_assess(args) -> int:
    import time

    from .apart import call_apart
    from .pipeline import assess_snapshot, ready_to_report
    from .snapshot import Snapshot

    started = time.perf_counter()
    if args.snapshot:
        snapshot = Snapshot.load(args.snapshot)
    else:  # in a process of its own: the collection's memory does not stay for the report's
        snapshot = call_apart(_collect, args, meanwhile=ready_to_report)
    return _finish(args, assess_snapshot(snapshot, args.output, **_report_kwargs(args)), started,
                   collected=not args.snapshot)


def _report_kwargs(args) -> dict:
    from .engagement import load_engagement
    from .pipeline import PrintOptions

    previous = None if str(args.previous).lower() in ("none", "") else args.previous
    engagement = load_engagement(args.engagement_file, client=args.client, assessor=args.assessor,
                                 engagement=args.engagement, classification=args.classification)
    return dict(label=args.label, quiet=args.quiet, previous=previous, mute_file=args.mute,
                pdf=not args.no_pdf, engagement=engagement,
                printing=PrintOptions(paper=args.paper, appendix=args.pdf_appendix,
                                      tagged=args.pdf_tagged))


DEMO_EXTRA = "pip install 'srm-workbook[demo]' (pipx: pipx inject srm-workbook 'moto[server]==5.2.5')"


def cmd_demo(args) -> int:
    import time
    from importlib.util import find_spec

    if find_spec("moto") is None or find_spec("flask") is None:
        raise UsageError(f"the demo account is served by moto's server, which is not installed: {DEMO_EXTRA}")
    if args.organization:
        from .cli_fleet import demo_organization

        return demo_organization(args)
    from .apart import call_apart
    from .pipeline import assess_snapshot, ready_to_report

    def seed_and_collect(quiet: bool):  # in the child: moto and the demo modules stay there
        from .demo.run import collect_demo

        return collect_demo(quiet=quiet)

    _say(args, "Seeding the demo account (Northwind Analytics) into a local moto server...")
    started = time.perf_counter()
    snapshot = call_apart(seed_and_collect, args.quiet, meanwhile=ready_to_report)
    if not (args.client or args.engagement_file):
        args.client = "Northwind Analytics (demo)"
    kwargs = _report_kwargs(args)
    kwargs["label"] = args.label or "Demo: Northwind Analytics"
    return _finish(args, assess_snapshot(snapshot, args.output, **kwargs), started, collected=True)


def cmd_collect(args) -> int:
    from .pipeline import new_run_folder

    snapshot = _collect(args)
    path = snapshot.save(new_run_folder(args.output, snapshot.account_id) / "snapshot")
    m = snapshot.manifest
    failed = ", ".join(f"{n} {k}" for k, n in sorted(m.get("error_counts", {}).items()))
    _say(args, f"{m['call_count']} API calls in {len(m['regions'])} region(s)"
               + (f"; {failed}; {m.get('gap_count', 0)} data gaps (checks on them report ERROR)"
                  if failed else "; no failed calls"))
    print(f"Snapshot: {path}")
    return EXIT_OK


def cmd_checks(args) -> int:
    from .checks.catalog import catalog_metadata, select_rows
    from .checks.docs import catalog_text

    # The metadata alone: listing the catalog needs neither the check functions nor pandas.
    rows = select_rows(catalog_metadata().values(), domain=args.domain, service=args.service,
                       severity=args.severity, framework=args.framework)
    sys.stdout.write(catalog_text(rows, args.format, framework=args.framework))
    return EXIT_OK


def cmd_policy(args) -> int:
    from .policy import fleet_caller_policy, least_privilege_policy

    policy = fleet_caller_policy(args.fleet) if args.fleet else least_privilege_policy()
    print(json.dumps(policy, indent=2))
    return EXIT_OK

COMMANDS = {"assess": cmd_assess, "demo": cmd_demo, "collect": cmd_collect, "checks": cmd_checks,
            "policy": cmd_policy, "pack": cmd_pack, "verify": cmd_verify, "fleet": cmd_fleet,
            "accounts": cmd_accounts, "sql": cmd_sql, "diff": cmd_diff}


def run() -> None:
    """The `srm` console script. After an interrupt, collector threads may still be blocked on a
    slow or unreachable endpoint (botocore waits up to its read timeout, with retries); the
    interpreter would join them before exiting. Everything worth keeping is already cleaned up,
    so leave at once with 130 instead of hanging on a stop a scheduler asked for."""
    import threading

    code = main()
    if code == EXIT_INTERRUPTED and any(t.is_alive() and not t.daemon
                                        for t in threading.enumerate()
                                        if t is not threading.main_thread()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
