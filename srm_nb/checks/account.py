"""AWS account settings: who AWS contacts about security."""

from __future__ import annotations

import pandas as pd

from .base import ERROR, FAIL, PASS, account_finding, flag


def account_security_contact_registered(s) -> pd.DataFrame:
    contacts = s.table("account_alternate_contacts")
    security = contacts[contacts["contact_type"] == "SECURITY"]
    registered = flag(security["registered"])
    if registered.any():
        return account_finding(s, PASS, "A security alternate contact is registered "
                                        f"({security.loc[registered.fillna(False), 'email_address'].iloc[0]}).")
    if registered.isna().any():
        return account_finding(s, ERROR, "Could not evaluate: whether a security alternate contact is "
                                         "registered is missing from the snapshot.")
    return account_finding(s, FAIL, "No security alternate contact is registered: AWS security "
                                    "notices go only to the root user's email address.")
