"""The fleet's subcommands, `srm fleet` and `srm accounts`, and `srm demo --organization`. Like
cli.py, they parse options and call one function each (`fleet.scope.assess_fleet`,
`fleet.scope.resolve_scope`, `demo.fleet.run_demo_organization`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .vocabulary import SEVERITIES

EXIT_PARTIAL_FLEET = 9  # some accounts could not be assessed (the others were)

FLEET_EPILOG = """
fleet:
  Each account goes through exactly `srm assess` into OUTPUT/<account-id>/<stamp>/; the portfolio
  (portfolio.html, fleet.json, fleet_findings.parquet/.csv) goes to OUTPUT/fleet/<stamp>/.
  --organization lists the Organization's accounts from the management account or a delegated
  administrator (organizations:DescribeOrganization, ListRoots, ListOrganizationalUnitsForParent,
  ListAccountsForParent, ListTagsForResource) and assumes arn:<partition>:iam::<id>:role/ROLE in
  each (`srm policy --fleet ROLE` prints that caller's policy; `srm policy`, the role's); accounts
  that are not ACTIVE are skipped. The accounts file (--accounts) is YAML: per
  account account_id (required), name, role (a name, an ARN, or a list: a role chain),
  external_id, profile, regions, tags ("key:value"); the same keys at the top are defaults, and
  client, assessor, engagement, classification there go on every report.
  Exit 9 when some accounts could not be assessed (fleet.json says why; --resume re-runs them).
"""


def add_fleet_parsers(sub, report_options, common, epilog: str) -> None:
    """`srm fleet` and `srm accounts`; `report_options` and `common` are cli.py's option groups."""
    fmt = argparse.RawDescriptionHelpFormatter
    p = sub.add_parser("fleet", help="assess many accounts (an Organization or an accounts file) and write "
                                     "the portfolio report", epilog=epilog + FLEET_EPILOG, formatter_class=fmt)
    _scope_options(p)
    g = p.add_argument_group("how the fleet runs")
    g.add_argument("--parallel", type=int, default=4,
                   help="accounts assessed at once, each in its own process (default 4)")
    g.add_argument("--resume", type=Path, metavar="FLEET_FOLDER",
                   help="continue an interrupted fleet: accounts already assessed are skipped")
    g.add_argument("--dask-scheduler", metavar="tcp://HOST:8786",
                   help="one task per account on this Dask cluster instead of local processes (the workers "
                        "need srm-workbook installed and --output on a shared filesystem)")
    g = p.add_argument_group("each account (as srm assess)")
    g.add_argument("--regions", default="all", help="comma-separated regions, or 'all' (default); an account's "
                                                    "own `regions` in the accounts file win")
    g.add_argument("--services", default="", help="comma-separated collectors or AWS services (default: all)")
    report_options(p, fleet=True)
    common(p)

    p = sub.add_parser("accounts", help="print an accounts file (YAML) of the Organization, to review and "
                                        "edit before `srm fleet --accounts`", epilog=epilog + FLEET_EPILOG,
                       formatter_class=fmt)
    _scope_options(p, organization_only=True)
    common(p)


def _scope_options(p: argparse.ArgumentParser, organization_only: bool = False) -> None:
    g = p.add_argument_group("which accounts")
    if organization_only:
        g.add_argument("--organization", action="store_true", required=True,
                       help="the AWS Organization's accounts (from its management account)")
    else:
        src = g.add_mutually_exclusive_group(required=True)
        src.add_argument("--organization", action="store_true",
                         help="every ACTIVE account of the AWS Organization (from its management account "
                              "or a delegated administrator)")
        src.add_argument("--accounts", type=Path, metavar="FILE", help="an accounts file (YAML, see below)")
    g.add_argument("--role-name", metavar="ROLE", help="with --organization: the role to assume in each account")
    g.add_argument("--external-id", help="external id the roles' trust policies require (never written down)")
    g.add_argument("--include", default="", metavar="ID,...", help="only these account ids")
    g.add_argument("--exclude", default="", metavar="ID,...", help="not these account ids")
    g.add_argument("--tag", action="append", default=[], metavar="KEY:VALUE",
                   help="only accounts with this tag (repeatable: all must match)")
    g.add_argument("--ou", default="", metavar="/Root/OU", help="only accounts in this OU and below")
    g.add_argument("--profile", help="named profile for the base credentials (the management account's)")
    g.add_argument("--session-name", default="srm-workbook", help="assumed-role session name")
    g.add_argument("--endpoint-url", help="AWS-compatible endpoint (default: $AWS_ENDPOINT_URL or AWS)")


def _scope_kw(args) -> dict:
    from .fleet.accounts import parse_filters

    return dict(organization=args.organization, role_name=args.role_name,
                accounts_file=getattr(args, "accounts", None), external_id=args.external_id,
                filters=parse_filters(args.include, args.exclude, args.tag, args.ou), profile=args.profile,
                endpoint_url=args.endpoint_url)


def _options(args) -> dict:
    """The single-account options every account of a fleet gets (plain data, for any worker)."""
    import boto3

    region = boto3.Session().region_name or "us-east-1"
    previous = None if str(args.previous).lower() in ("none", "") else args.previous
    return dict(regions=args.regions, services=[s.strip() for s in args.services.split(",") if s.strip()],
                pdf=not args.no_pdf, mute_file=str(args.mute) if args.mute else None, label=args.label,
                engagement={k: v for k, v in (("client", args.client), ("assessor", args.assessor),
                                              ("engagement", args.engagement),
                                              ("classification", args.classification)) if v is not None},
                engagement_file=args.engagement_file, paper=args.paper, pdf_appendix=args.pdf_appendix,
                pdf_tagged=args.pdf_tagged,
                endpoint_url=args.endpoint_url, session_name=args.session_name, previous_fleet=previous,
                partition=boto3.Session().get_partition_for_region(region))


def cmd_fleet(args) -> int:
    from .fleet.scope import assess_fleet

    result = assess_fleet(_scope_kw(args), _options(args), output_root=args.output, parallel=args.parallel,
                          dask_scheduler=args.dask_scheduler, resume=args.resume, quiet=args.quiet)
    return _finish(args, result)


def cmd_accounts(args) -> int:
    from .fleet.accounts import accounts_yaml
    from .fleet.scope import resolve_scope

    scope = resolve_scope(**_scope_kw(args))
    for note in scope.notes:
        _say(args, f"note: {note}")
    header = (f"# srm-workbook accounts file: organization {scope.meta.get('organization_id')}, "
              f"{len(scope.accounts)} active account(s); review, edit, then: srm fleet --accounts FILE"
              + (" --external-id ID (never written here)" if args.external_id else ""))
    sys.stdout.write(accounts_yaml(scope.accounts, args.role_name, header=header))
    return 0


def demo_organization(args) -> int:
    """`srm demo --organization`: the demo Organization, assessed as a fleet."""
    from .demo.fleet import run_demo_organization

    args.regions, args.services, args.endpoint_url, args.session_name = "us-east-1", "", None, "srm-workbook"
    if not (args.client or args.engagement_file):
        args.client = "Northwind Holdings (demo)"
    _say(args, "Seeding the demo Organization (Northwind Holdings) into a local moto server...")
    return _finish(args, run_demo_organization(_options(args), output_root=args.output,
                                               parallel=args.parallel, quiet=args.quiet))


def _finish(args, result) -> int:
    from .sections import fmt_score

    print(f"Portfolio: {result.portfolio}")
    if result.pdf:
        _say(args, f"PDF: {result.pdf}")
    elif result.pdf_problem and not args.no_pdf:
        print(f"srm: {result.pdf_problem}", file=sys.stderr)
    failed = [a for a in result.accounts if a["status"] == "failed"]
    for a in failed:  # said even in --quiet: these accounts are missing from the portfolio
        print(f"srm: account {a['account_id']} could not be assessed: {a['reason']}", file=sys.stderr)
    assessed = [a for a in result.accounts if a["status"] == "assessed"]
    scores = [a["score"] for a in assessed if a.get("score") is not None]
    _say(args, f"{len(assessed)} account(s) assessed, {len(failed)} could not be, {result.count('skipped')} "
               f"skipped; fleet score {fmt_score(sum(scores) / len(scores) if scores else None)}/100; "
               f"fleet.json and fleet_findings.csv in {result.folder}")
    if failed:
        return EXIT_PARTIAL_FLEET
    if args.fail_on:
        worst = SEVERITIES[: SEVERITIES.index(args.fail_on) + 1]
        if any((a.get("failing_by_severity") or {}).get(s) for a in assessed for s in worst):
            return 1
    return 0


def _say(args, text: str) -> None:
    if not getattr(args, "quiet", False):
        print(text, file=sys.stderr)
