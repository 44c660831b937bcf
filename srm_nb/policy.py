"""The least-privilege IAM policy, derived from the collectors' declarations (not a hand-kept list)."""

from __future__ import annotations

from .collect import load_collectors

# Calls the session itself makes before any collector runs.
SESSION_ACTIONS = ("sts:GetCallerIdentity", "ec2:DescribeRegions")


def least_privilege_policy() -> dict:
    actions = set(SESSION_ACTIONS)
    for c in load_collectors().values():
        actions.update(c.iam_actions)
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "SrmWorkbookReadOnly",
            "Effect": "Allow",
            "Action": sorted(actions),
            "Resource": "*",
        }],
    }
