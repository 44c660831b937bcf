"""The two entry points the CLI calls: `resolve_scope` (which accounts, from an Organization or an
accounts file, filtered; what `srm accounts` prints) and `assess_fleet` (resolve, then run)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from .accounts import AccountSpec, Filters, load_accounts_file
from .runner import FleetResult, run_fleet


@dataclass
class Scope:
    accounts: list[AccountSpec]
    skipped: list[dict] = field(default_factory=list)  # not ACTIVE in the Organization
    meta: dict = field(default_factory=dict)  # source, organization id, caller: into fleet.json
    engagement: dict = field(default_factory=dict)  # from the accounts file
    notes: list[str] = field(default_factory=list)


def resolve_scope(*, organization: bool = False, role_name: str | None = None, accounts_file: Path | None = None,
                  external_id: str | None = None, filters: Filters = Filters(), profile: str | None = None,
                  endpoint_url: str | None = None) -> Scope:
    """The accounts to assess, validated and filtered, before any work starts."""
    if organization == bool(accounts_file):
        raise UsageError("give either --organization (with --role-name) or --accounts FILE")
    if accounts_file:
        f = load_accounts_file(accounts_file)
        specs = f.accounts
        if external_id:  # the option fills in where the file has none
            specs = [s if s.external_id else _with(s, external_id=external_id) for s in specs]
        scope = Scope(accounts=specs, engagement=f.engagement,
                      meta={"source": f"accounts file {Path(accounts_file).name}"})
    else:
        if not role_name:
            raise UsageError("--organization needs --role-name: the role to assume in each account")
        from ..aws import make_access
        from .organization import discover

        org = discover(make_access(profile=profile, endpoint_url=endpoint_url), role_name, external_id)
        scope = Scope(accounts=org.accounts, skipped=org.skipped,
                      meta={"source": "organization", "organization_id": org.id,
                            "management_account_id": org.management_account_id, "caller": org.caller.arn})
        for s in org.skipped:
            scope.notes.append(f"skipped {s['account_id']} {s['name']}: {s['reason']}")
        if org.caller.account_id in {a.account_id for a in org.accounts}:
            scope.notes.append(f"the calling account {org.caller.account_id} is assessed through role "
                               f"{role_name} when it has one, else with the caller's own credentials")
    kept = [s for s in scope.accounts if filters.keep(s)]
    if filters != Filters():
        scope.notes.append(f"filters keep {len(kept)} of {len(scope.accounts)} account(s)")
    scope.accounts = kept
    if not kept:
        raise UsageError("no account to assess: the filters (--include, --exclude, --tag, --ou) left none")
    return scope


def _with(spec: AccountSpec, **changes) -> AccountSpec:
    from dataclasses import replace

    return replace(spec, **changes)


def assess_fleet(scope_kw: dict, options: dict, *, output_root: Path, parallel: int, dask_scheduler: str | None,
                 resume: Path | None, quiet: bool) -> FleetResult:
    """Resolve the scope and assess it; `options` are the single-account options (worker.py)."""
    from ..engagement import load_engagement

    if parallel < 1:
        raise UsageError("--parallel must be at least 1")
    services = options.get("services")
    if services:
        from ..collect import load_collectors

        known = {c.name for c in load_collectors().values()} | {c.service for c in load_collectors().values()}
        unknown = sorted(set(services) - known)
        if unknown:
            raise UsageError(f"no collector named {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    if options.get("mute_file") and not Path(options["mute_file"]).is_file():
        raise UsageError(f"mute file {options['mute_file']} does not exist")
    scope = resolve_scope(**scope_kw)
    engagement = load_engagement(options.pop("engagement_file", None),
                                 **{**scope.engagement, **(options.get("engagement") or {})})
    options = {**options, "engagement": engagement.to_dict()}
    if not quiet:
        for note in scope.notes:
            print(f"note: {note}", file=sys.stderr)
    result = run_fleet(scope.accounts, options, output_root=output_root, parallel=parallel,
                       dask_scheduler=dask_scheduler, resume=resume, quiet=quiet, skipped=scope.skipped,
                       meta=scope.meta)
    result.notes = scope.notes
    return result
