"""AWS Organizations: the account is governed as part of an organization."""

from __future__ import annotations

import pandas as pd

from .base import ERROR, FAIL, PASS, account_finding, flag


def organizations_account_member(s) -> pd.DataFrame:
    org = s.table("organizations_organization")
    member = flag(org["in_organization"])
    if not member.any():
        if member.isna().any():
            return account_finding(s, ERROR, "Could not evaluate: whether the account belongs to an "
                                             "organization is missing from the snapshot.")
        return account_finding(s, FAIL, "The account is not part of an AWS Organizations organization: "
                                        "no service control policies or central security services apply.")
    o = org[member.fillna(False)].iloc[0]
    role = ("the management account" if str(o["management_account_id"]) == s.account_id
            else f"a member (management account {o['management_account_id']})")
    return account_finding(s, PASS, f"The account belongs to organization {o['organization_id']} as {role}; "
                                    f"feature set {o['feature_set']}.")
