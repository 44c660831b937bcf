"""AWS account settings: who AWS contacts about security."""

from __future__ import annotations

import pandas as pd

from .base import FAIL, PASS, account_finding


def account_security_contact_registered(s) -> pd.DataFrame:
    contacts = s.table("account_alternate_contacts")
    security = contacts[(contacts["contact_type"] == "SECURITY") & contacts["registered"].fillna(False).astype(bool)]
    if security.empty:
        return account_finding(s, FAIL, "No security alternate contact is registered: AWS security "
                                        "notices go only to the root user's email address.")
    return account_finding(s, PASS, "A security alternate contact is registered "
                                    f"({security['email_address'].iloc[0]}).")
