"""Amazon Inspector (inspector2): which scan types are on for this account in each region.

BatchGetAccountStatus answers, for the accounts asked about, the status of each scan type (EC2,
ECR, Lambda standard, Lambda code). An account that cannot be answered for is listed in
`failedAccounts` with an error code: that is a gap, not "disabled".
"""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector

SCAN_TYPES = {"ec2": "ec2", "ecr": "ecr", "lambda": "lambda", "lambdaCode": "lambda_code"}


@collector(
    "inspector",
    service="inspector2",
    scope=REGIONAL,
    operations=("BatchGetAccountStatus",),
    tables={"inspector_account_status": ("region", "account_id", "state", "ec2", "ecr", "lambda",
                                         "lambda_code")},
)
def collect_inspector(ctx: Ctx) -> None:
    """This account's Inspector state and the status of each scan type, per region."""
    got = ctx.call("BatchGetAccountStatus", accountIds=[ctx.account_id])
    if got is None:
        return
    for failed in got.get("failedAccounts", []):
        ctx.gap("inspector_account_status", "error", failed.get("errorCode", "Unknown"),
                failed.get("errorMessage", ""), "BatchGetAccountStatus")
    for account in got.get("accounts", []):
        if account.get("accountId") != ctx.account_id:
            continue
        states = account.get("resourceState") or {}
        ctx.add("inspector_account_status", {
            "account_id": account["accountId"],
            "state": (account.get("state") or {}).get("status"),
            # A scan type missing from the answer is unknown (None), not disabled.
            **{column: (states.get(key) or {}).get("status") for key, column in SCAN_TYPES.items()},
        })
