"""AWS Organizations: the account is governed as part of an organization."""

from __future__ import annotations

import pandas as pd

from .base import FAIL, PASS, account_finding


def organizations_account_member(s) -> pd.DataFrame:
    org = s.table("organizations_organization")
    member = org[org["in_organization"].fillna(False).astype(bool)]
    if member.empty:
        return account_finding(s, FAIL, "The account is not part of an AWS Organizations organization: "
                                        "no service control policies or central security services apply.")
    o = member.iloc[0]
    role = ("the management account" if str(o["management_account_id"]) == s.account_id
            else f"a member (management account {o['management_account_id']})")
    return account_finding(s, PASS, f"The account belongs to organization {o['organization_id']} as {role}; "
                                    f"feature set {o['feature_set']}.")
