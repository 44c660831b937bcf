"""AWS Organizations: is the account part of an organization."""

from __future__ import annotations

from .base import GLOBAL, Ctx, collector


@collector(
    "organizations",
    service="organizations",
    scope=GLOBAL,
    operations=("DescribeOrganization",),
    tables={"organizations_organization": ("region", "in_organization", "organization_id", "arn",
                                           "management_account_id", "feature_set")},
    in_flight=2,  # Organizations allows a few requests a second
)
def collect_organization(ctx: Ctx) -> None:
    """The organization the account belongs to; 'not in use' is recorded as a fact, not a failure."""
    got = ctx.call("DescribeOrganization", table="organizations_organization",
                   absent=("AWSOrganizationsNotInUseException",))
    if got is None:
        return
    org = got.get("Organization") or {}
    ctx.add("organizations_organization", {
        "in_organization": bool(org),
        "organization_id": org.get("Id"),
        "arn": org.get("Arn"),
        "management_account_id": org.get("MasterAccountId"),
        "feature_set": org.get("FeatureSet"),
    })
