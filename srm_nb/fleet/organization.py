"""An AWS Organization's accounts, read from the management account or a delegated
administrator: each account with its OU path and tags, and the accounts that are not ACTIVE.

The OU tree is walked from the root (one ListOrganizationalUnitsForParent and one
ListAccountsForParent per OU), so every account's OU path comes without a call per account;
tags are one ListTagsForResource per account. Every call is read-only, through the same guarded
clients as the collectors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from botocore.exceptions import BotoCoreError, ClientError

from ..aws import HOME_REGION, AwsAccess, Identity
from ..errors import CredentialsError
from .accounts import OU_TAG, AccountSpec

# What discovery calls in the management (or delegated administrator) account.
OPERATIONS = frozenset({"DescribeOrganization", "ListRoots", "ListOrganizationalUnitsForParent",
                        "ListAccountsForParent", "ListTagsForResource"})
IAM_ACTIONS = sorted(f"organizations:{op}" for op in OPERATIONS)


@dataclass
class Organization:
    id: str
    management_account_id: str
    caller: Identity
    accounts: list[AccountSpec] = field(default_factory=list)  # ACTIVE accounts
    skipped: list[dict] = field(default_factory=list)  # {account_id, name, reason} not ACTIVE


def discover(access: AwsAccess, role_name: str, external_id: str | None = None) -> Organization:
    """The Organization seen from `access`. Each ACTIVE account is to be assessed through
    `role_name`; the calling account falls back to the caller's credentials when it has no such
    role. Raises CredentialsError when the Organization cannot be read."""
    caller = access.identity()
    org = access.client("organizations", HOME_REGION.get(caller.partition, "us-east-1"), OPERATIONS)
    try:
        o = org.describe_organization()["Organization"]
        roots = _pages(org, "list_roots", "Roots")
        found: list[tuple[dict, str]] = []
        queue = [(r["Id"], "/" + r.get("Name", "Root")) for r in roots]
        while queue:
            parent, path = queue.pop(0)
            found.extend((a, path) for a in _pages(org, "list_accounts_for_parent", "Accounts", ParentId=parent))
            for ou in _pages(org, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent):
                queue.append((ou["Id"], f"{path}/{ou['Name']}"))
        tags = {a["Id"]: _pages(org, "list_tags_for_resource", "Tags", ResourceId=a["Id"])
                for a, _ in found if a.get("Status") == "ACTIVE"}
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        raise CredentialsError(
            f"could not read the Organization as {caller.arn} ({code}): run from the management "
            "account or a delegated administrator, with organizations:List*/Describe* allowed "
            "(`srm fleet --help`)") from exc
    except BotoCoreError as exc:
        raise CredentialsError(f"could not reach AWS Organizations ({exc})") from exc
    result = Organization(id=o["Id"], management_account_id=o.get("MasterAccountId", ""), caller=caller)
    for a, path in sorted(found, key=lambda x: x[0]["Id"]):
        if a.get("Status") != "ACTIVE":
            result.skipped.append({"account_id": a["Id"], "name": a.get("Name", ""),
                                   "reason": f"account status {a.get('Status', '?')}, not ACTIVE"})
            continue
        labels = [f"{OU_TAG}:{path}"] + [f"{t['Key']}:{t['Value']}" for t in tags.get(a["Id"], [])
                                         if t.get("Key") != OU_TAG]
        result.accounts.append(AccountSpec(
            account_id=a["Id"], name=a.get("Name", ""), roles=(role_name,), external_id=external_id,
            tags=tuple(labels), caller_fallback=a["Id"] == caller.account_id))
    return result


def _pages(client, method: str, key: str, **params) -> list:
    out = []
    for page in client.get_paginator(method).paginate(**params):
        out.extend(page.get(key, []))
    return out
