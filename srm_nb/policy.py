"""The least-privilege IAM policy, derived from the collectors' declarations (not a hand-kept list).

Each collector declares the API operations it may call; `collect.actions.iam_actions_for` turns an
operation into the IAM action(s) that authorize it (S3's ListBuckets is s3:ListAllMyBuckets,
elbv2's prefix is elasticloadbalancing...). The run's own calls (who am I, which regions are
enabled) are added. `unknown_actions` checks the result against policyuniverse's list of real
IAM actions, so a missing mapping is caught by a test rather than by a denied call at a client.
"""

from __future__ import annotations

from .collect import load_collectors
from .collect.actions import iam_actions_for
from .collect.runner import SESSION_OPERATIONS
from .errors import UsageError


def session_actions() -> list[str]:
    """Actions the run itself needs before any collector runs."""
    return sorted({a for service, ops in SESSION_OPERATIONS.items() for op in ops
                   for a in iam_actions_for(service, op)})


def required_actions(collectors: list[str] | None = None) -> list[str]:
    """Every IAM action the given collectors (default: all) and the session need."""
    actions = set(session_actions())
    for c in load_collectors().values():
        if collectors is None or c.name in collectors or c.service in collectors:
            actions.update(c.iam_actions)
    return sorted(actions)


def least_privilege_policy(collectors: list[str] | None = None) -> dict:
    """The policy document: one Allow statement of exact actions (no wildcards)."""
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "SrmWorkbookReadOnly",
            "Effect": "Allow",
            "Action": required_actions(collectors),
            "Resource": "*",
        }],
    }


def fleet_caller_policy(role_name: str) -> dict:
    """The policy of the identity that runs `srm fleet --organization`: read the Organization's
    accounts, OUs and tags, and assume `role_name` (which carries `least_privilege_policy()`) in
    each account. Nothing else: the assessments themselves run as that role."""
    from .fleet.accounts import ROLE_NAME
    from .fleet.organization import IAM_ACTIONS

    if not ROLE_NAME.fullmatch(role_name):
        raise UsageError(f"{role_name!r} is not an IAM role name (letters, digits and +=,.@_-, "
                         "with an optional path such as audit/SrmAudit)")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "SrmFleetReadOrganization", "Effect": "Allow", "Action": IAM_ACTIONS, "Resource": "*"},
            {"Sid": "SrmFleetAssumeAuditRole", "Effect": "Allow", "Action": "sts:AssumeRole",
             "Resource": f"arn:*:iam::*:role/{role_name}"},
        ],
    }


def unknown_actions(actions: list[str]) -> list[str]:
    """Actions that are not real IAM actions according to policyuniverse's data (case-insensitive).

    policyuniverse's list lags new AWS services, so this is a warning, not a refusal.
    """
    from policyuniverse import all_permissions

    return sorted(a for a in actions if a.lower() not in all_permissions)
