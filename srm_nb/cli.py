"""The `srm` command. It parses options and calls one function per subcommand; all logic lives in
the package."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__
from .errors import SrmError

EXIT_OK, EXIT_FINDINGS = 0, 1

EPILOG = """\
examples:
  srm demo                                   assess the built-in demo account
  srm assess --profile client-audit --regions us-east-1,eu-west-1
  srm assess --role-arn arn:aws:iam::111122223333:role/Auditor --external-id X1 --regions all
  srm collect --profile client-audit --output snapshots/
  srm assess --snapshot snapshots/111122223333/20261128T101500Z/snapshot
  srm checks --domain identity_access --severity high
  srm policy > srm-readonly-policy.json

exit codes:
  0 the run completed (findings may fail: see --fail-on)
  1 findings at or above the --fail-on severity failed
  2 bad usage   3 credentials   4 snapshot   5 read-only guard   6 report rendering
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


def _report_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--output", default="outputs", type=Path,
                   help="outputs root; the run goes to OUTPUT/<account-id>/<UTC timestamp>/ (default: outputs/)")
    p.add_argument("--label", default="", help="account label shown on the report cover")
    p.add_argument("--fail-on", choices=["critical", "high", "medium", "low", "informational"],
                   help="exit 1 when a finding of this severity or worse fails")


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
    _report_options(p)
    _common(p)

    p = sub.add_parser("collect", help="collect an account into a snapshot only",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _aws_options(p)
    p.add_argument("--output", default="outputs", type=Path,
                   help="snapshots root; writes OUTPUT/<account-id>/<UTC timestamp>/snapshot (default: outputs/)")
    _common(p)

    p = sub.add_parser("checks", help="list the check catalog",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--domain", help="responsibility area id, e.g. identity_access")
    p.add_argument("--service", help="AWS service, e.g. s3")
    p.add_argument("--severity", help="critical, high, medium, low or informational")
    p.add_argument("--framework", choices=["cis", "fsbp"], help="only checks mapped to this framework")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")

    sub.add_parser("policy", help="print the least-privilege IAM policy srm-workbook needs (JSON)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command](args)
    except SrmError as exc:
        print(f"srm: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("srm: interrupted; no partial snapshot or report was kept", file=sys.stderr)
        return 130


def _say(args, text: str) -> None:
    if not getattr(args, "quiet", False):
        print(text, file=sys.stderr)


def _finish(args, result) -> int:
    from .checks.base import SEVERITIES

    o = result.assessment.overall
    print(f"Report: {result.report}")
    _say(args, f"Score {o['score']:.0f}/100, coverage {o['coverage']:.0f}%: "
               f"{o['passed']} passed, {o['failed']} failed, {o['errors']} could not be evaluated.")
    if args.fail_on:
        worst = SEVERITIES[: SEVERITIES.index(args.fail_on) + 1]
        f = result.assessment.findings
        if ((f["status"] == "FAIL") & f["severity"].isin(worst)).any():
            return EXIT_FINDINGS
    return EXIT_OK


def _access(args):
    from .aws import make_access

    return make_access(profile=args.profile, role_arn=args.role_arn, external_id=args.external_id,
                       session_name=args.session_name, endpoint_url=args.endpoint_url)


def cmd_assess(args) -> int:
    from .pipeline import assess_snapshot
    from .snapshot import Snapshot

    if args.snapshot:
        snapshot = Snapshot.load(args.snapshot)
    else:
        from .collect.runner import collect

        snapshot = collect(_access(args), args.regions, quiet=args.quiet)
    return _finish(args, assess_snapshot(snapshot, args.output, label=args.label, quiet=args.quiet))


def cmd_demo(args) -> int:
    from .demo.run import collect_demo
    from .pipeline import assess_snapshot

    _say(args, "Seeding the demo account (Northwind Analytics) into a local moto server...")
    snapshot = collect_demo(quiet=args.quiet)
    return _finish(args, assess_snapshot(snapshot, args.output, label=args.label or "Demo: Northwind Analytics",
                                         quiet=args.quiet))


def cmd_collect(args) -> int:
    from .collect.runner import collect
    from .pipeline import new_run_folder

    snapshot = collect(_access(args), args.regions, quiet=args.quiet)
    path = snapshot.save(new_run_folder(args.output, snapshot.account_id) / "snapshot")
    print(f"Snapshot: {path}")
    return EXIT_OK


def cmd_checks(args) -> int:
    from .checks import catalog_frame

    df = catalog_frame()
    for key in ("domain", "service", "severity"):
        if getattr(args, key):
            df = df[df[key] == getattr(args, key)]
    if args.framework:
        df = df[df[f"{args.framework}_ids"] != ""]
    if args.format == "csv":
        df.to_csv(sys.stdout, index=False)
    elif args.format == "json":
        print(df.to_json(orient="records", indent=2))
    else:
        import pandas as pd

        with pd.option_context("display.max_rows", None, "display.max_colwidth", 60, "display.width", 200):
            print(df[["check_id", "severity", "domain", "cis_ids", "fsbp_ids", "title"]].to_string(index=False))
        print(f"\n{len(df)} checks")
    return EXIT_OK


def cmd_policy(args) -> int:
    from .policy import least_privilege_policy

    print(json.dumps(least_privilege_policy(), indent=2))
    return EXIT_OK


COMMANDS = {"assess": cmd_assess, "demo": cmd_demo, "collect": cmd_collect, "checks": cmd_checks,
            "policy": cmd_policy}

if __name__ == "__main__":
    sys.exit(main())
