"""Identity and access: root, users, credentials, password policy."""

from __future__ import annotations

import pandas as pd

from .base import FAIL, PASS, account_finding, verdicts

KEY_MAX_AGE_DAYS = 90


def iam_root_mfa_enabled(s) -> pd.DataFrame:
    summary = s.table("iam_account_summary")
    mfa = summary.loc[summary["key"] == "AccountMFAEnabled", "value"]
    if mfa.empty:
        return account_finding(s, FAIL, "The account summary does not report root MFA.")
    on = int(mfa.iloc[0]) == 1
    return account_finding(s, PASS if on else FAIL,
                           "The root user has MFA enabled." if on else "The root user has no MFA device.")


def iam_user_console_mfa_enabled(s) -> pd.DataFrame:
    users = s.table("iam_users")
    console = users[users["has_console_password"].fillna(False).astype(bool)]
    mfa_users = set(s.table("iam_mfa_devices")["user_name"])
    return verdicts(console, console["user_name"].isin(mfa_users), resource_id="user_name",
                    pass_detail="User {user_name} signs in to the console with MFA.",
                    fail_detail="User {user_name} has a console password but no MFA device.")


def iam_access_key_rotated_90_days(s) -> pd.DataFrame:
    keys = s.table("iam_access_keys")
    keys = keys[keys["status"] == "Active"].copy()
    now = pd.Timestamp(s.manifest.get("started_at") or pd.Timestamp.now(tz="UTC"))
    keys["age_days"] = (now - pd.to_datetime(keys["create_date"], utc=True)).dt.days
    keys["arn"] = "arn:" + s.partition + ":iam::" + s.account_id + ":user/" + keys["user_name"].astype(str)
    keys["key"] = keys["user_name"].astype(str) + "/" + keys["access_key_id"].astype(str)
    return verdicts(keys, keys["age_days"] <= KEY_MAX_AGE_DAYS, resource_id="key",
                    pass_detail="Access key {access_key_id} of {user_name} is {age_days} days old.",
                    fail_detail=f"Access key {{access_key_id}} of {{user_name}} is {{age_days}} days old "
                                f"(more than {KEY_MAX_AGE_DAYS}).")


def iam_password_policy_strong(s) -> pd.DataFrame:
    pol = s.table("iam_password_policy")
    if pol.empty or not bool(pol["exists"].iloc[0]):
        return account_finding(s, FAIL, "The account has no IAM password policy.")
    p = pol.iloc[0]
    weak = []
    if (p["minimum_password_length"] or 0) < 14:
        weak.append(f"minimum length {p['minimum_password_length']} < 14")
    if (p["password_reuse_prevention"] or 0) < 24:
        weak.append(f"reuse prevention {p['password_reuse_prevention'] or 0} < 24")
    if weak:
        return account_finding(s, FAIL, "The password policy is weak: " + "; ".join(weak) + ".")
    return account_finding(s, PASS, "The password policy requires 14+ characters and prevents reuse of 24.")
