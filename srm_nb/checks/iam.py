"""Identity and access: root, users, credentials, password policy, policies and role trust."""

from __future__ import annotations

import pandas as pd

from .base import ERROR, FAIL, PASS, ROOT_USER, account_finding, assessed_at, flag, verdicts
from .iam_policies import json_list

KEY_MAX_AGE_DAYS = 90
UNUSED_CREDENTIAL_DAYS = 45  # CIS, FSBP IAM.22
UNUSED_CREDENTIAL_DAYS_FSBP = 90  # FSBP IAM.8
ROOT_RECENT_USE_DAYS = 90


# -- helpers ---------------------------------------------------------------------------------------

def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, utc=True, errors="coerce", format="mixed")


def _days_since(series: pd.Series, now: pd.Timestamp) -> pd.Series:
    return (now - _dates(series)).dt.days


def _report_users(s) -> pd.DataFrame:
    """The credential report without the root row."""
    report = s.table("iam_credential_report")
    return report[report["user"] != ROOT_USER].copy()


def _root_row(s) -> pd.Series | None:
    report = s.table("iam_credential_report")
    root = report[report["user"] == ROOT_USER]
    return None if root.empty else root.iloc[0]


def _no_root_row(s) -> pd.DataFrame:
    return account_finding(s, ERROR, "The credential report has no root user row: root usage "
                                     "cannot be judged from this snapshot.")


def _summary_value(s, key: str) -> int | None:
    summary = s.table("iam_account_summary")
    found = summary.loc[summary["key"] == key, "value"]
    return None if found.empty else int(found.iloc[0])


# -- root ------------------------------------------------------------------------------------------

def _root_without_credentials(s) -> bool | None:
    """True when the root user has no password and no access keys (root credentials removed, as
    centralized root access does in member accounts); None when the summary does not say."""
    password, keys = _summary_value(s, "AccountPasswordPresent"), _summary_value(s, "AccountAccessKeysPresent")
    if password is None or keys is None:
        return None
    return password == 0 and keys == 0


_NO_ROOT_CREDENTIALS = ("The root user has no password and no access keys (root credentials removed, e.g. by "
                        "centralized root access): there is no root sign-in to protect with MFA.")
_MFA_UNKNOWN = "Could not evaluate: the account summary does not report AccountMFAEnabled, so root MFA is unknown."
_PASSWORD_UNKNOWN = ("Could not evaluate: root has no MFA, and the account summary does not report "
                     "AccountPasswordPresent / AccountAccessKeysPresent, so whether root has credentials to "
                     "protect is unknown.")


def iam_root_mfa_enabled(s) -> pd.DataFrame:
    """IAM.9 and CIS pass when root has MFA or has no credentials at all (AccountPasswordPresent 0)."""
    on = _summary_value(s, "AccountMFAEnabled")
    if on == 1:
        return account_finding(s, PASS, "The root user has MFA enabled.")
    bare = _root_without_credentials(s)
    if bare:
        return account_finding(s, PASS, _NO_ROOT_CREDENTIALS)
    if on is None or bare is None:
        return account_finding(s, ERROR, _MFA_UNKNOWN if on is None else _PASSWORD_UNKNOWN)
    return account_finding(s, FAIL, "The root user has a password and no MFA device.")


def iam_root_hardware_mfa_enabled(s) -> pd.DataFrame:
    on = _summary_value(s, "AccountMFAEnabled")
    devices = s.table("iam_mfa_devices")
    virtual = devices[devices["user_arn"].astype(str).str.endswith(":root")]
    bare = _root_without_credentials(s)
    if on != 1 and bare:
        return account_finding(s, PASS, _NO_ROOT_CREDENTIALS)
    if on is None or (on != 1 and bare is None):
        return account_finding(s, ERROR, _MFA_UNKNOWN if on is None else _PASSWORD_UNKNOWN)
    if on != 1:
        return account_finding(s, FAIL, "The root user has a password and no MFA device at all.")
    if not virtual.empty:
        return account_finding(s, FAIL, "The root user's MFA is a virtual device "
                                        f"({virtual['serial_number'].iloc[0]}), not a hardware key.")
    return account_finding(s, PASS, "The root user's MFA is a hardware device (no virtual MFA "
                                    "device is assigned to root).")


def iam_root_access_keys_absent(s) -> pd.DataFrame:
    present = _summary_value(s, "AccountAccessKeysPresent")
    if present is None:
        return account_finding(s, ERROR, "Could not evaluate: the account summary does not report "
                                         "AccountAccessKeysPresent, so root access keys are unknown.")
    if present:
        return account_finding(s, FAIL, "The root user has access keys.")
    return account_finding(s, PASS, "The root user has no access keys.")


def iam_root_not_used_recently(s) -> pd.DataFrame:
    root = _root_row(s)
    if root is None:
        return _no_root_row(s)
    now = assessed_at(s)
    uses = {"password": root.get("password_last_used"),
            "access key 1": root.get("access_key_1_last_used_date"),
            "access key 2": root.get("access_key_2_last_used_date")}
    recent = []
    for what, when in uses.items():
        ts = pd.to_datetime(when, utc=True, errors="coerce") if when else pd.NaT
        if pd.notna(ts) and (now - ts).days <= ROOT_RECENT_USE_DAYS:
            recent.append(f"{what} on {ts.date()}")
    if recent:
        return account_finding(s, FAIL, f"The root user was used in the last {ROOT_RECENT_USE_DAYS} "
                                        "days: " + ", ".join(recent) + ".")
    return account_finding(s, PASS, f"The root user has not been used in the last {ROOT_RECENT_USE_DAYS} days.")


# -- users and credentials -------------------------------------------------------------------------

def iam_user_console_mfa_enabled(s) -> pd.DataFrame:
    users = _report_users(s)
    password = flag(users["password_enabled"])
    console = users[password.fillna(True)].copy()  # a user whose password flag is missing: ERROR
    virtual = set(s.table("iam_mfa_devices")["user_arn"].astype(str))
    ok = flag(console["mfa_active"]) | console["arn"].astype(str).isin(virtual)
    return verdicts(console, ok, resource_id="user", unknown=password.isna(),
                    pass_detail="User {user} signs in to the console with MFA.",
                    fail_detail="User {user} has a console password but no MFA device.")


def iam_access_key_rotated_90_days(s) -> pd.DataFrame:
    keys = s.table("iam_access_keys")
    keys = keys[keys["status"] == "Active"].copy()
    keys["age_days"] = _days_since(keys["create_date"], assessed_at(s))
    keys["arn"] = "arn:" + s.partition + ":iam::" + s.account_id + ":user/" + keys["user_name"].astype(str)
    keys["key"] = keys["user_name"].astype(str) + "/" + keys["access_key_id"].astype(str)
    return verdicts(keys, keys["age_days"] <= KEY_MAX_AGE_DAYS, resource_id="key",
                    pass_detail="Access key {access_key_id} of {user_name} is {age_days} days old.",
                    fail_detail=f"Access key {{access_key_id}} of {{user_name}} is {{age_days}} days old "
                                f"(more than {KEY_MAX_AGE_DAYS}).")


def _stale(active: pd.Series, last_used: pd.Series, since: pd.Series, now, days: int) -> pd.Series:
    """An enabled credential unused for `days` or more: last used that long ago, or never used and
    set up (created/rotated) that long ago."""
    used_days = _days_since(last_used, now)
    since_days = _days_since(since, now)
    age = used_days.where(used_days.notna(), since_days)
    return active & (age >= days)


def _unused_credentials(s, days: int) -> pd.DataFrame:
    users = _report_users(s)
    now = assessed_at(s)
    pw = _stale(flag(users["password_enabled"]), users["password_last_used"],
                users["password_last_changed"].where(users["password_last_changed"].notna(),
                                                     users["user_creation_time"]), now, days)
    k1 = _stale(flag(users["access_key_1_active"]), users["access_key_1_last_used_date"],
                users["access_key_1_last_rotated"], now, days)
    k2 = _stale(flag(users["access_key_2_active"]), users["access_key_2_last_used_date"],
                users["access_key_2_last_rotated"], now, days)
    named = [stale.fillna(False).map({True: f"{label}, ", False: ""}) for label, stale in
             (("password", pw), ("access key 1", k1), ("access key 2", k2))]
    users["stale"] = (named[0] + named[1] + named[2]).str.rstrip(", ")
    return verdicts(users, ~(pw | k1 | k2), resource_id="user",
                    pass_detail=f"User {{user}} has no enabled credential unused for {days} days or more.",
                    fail_detail=f"User {{user}} has enabled credentials unused for {days} days or more: {{stale}}.")


def iam_user_unused_credentials_disabled(s) -> pd.DataFrame:
    """CIS and FSBP IAM.22: 45 days."""
    return _unused_credentials(s, UNUSED_CREDENTIAL_DAYS)


def iam_user_credentials_unused_90_days(s) -> pd.DataFrame:
    """FSBP IAM.8: the same reading with its own threshold, 90 days (maxCredentialUsageAge)."""
    return _unused_credentials(s, UNUSED_CREDENTIAL_DAYS_FSBP)


def iam_user_single_active_access_key(s) -> pd.DataFrame:
    users = _report_users(s)
    both = flag(users["access_key_1_active"]) & flag(users["access_key_2_active"])
    return verdicts(users, ~both, resource_id="user",
                    pass_detail="User {user} has at most one active access key.",
                    fail_detail="User {user} has two active access keys.")


def iam_user_no_unused_key_from_setup(s) -> pd.DataFrame:
    """CIS v5.0 1.10: console users should not get access keys at setup. Its audit reads the
    credential report and fails a console user with an active key that was never used, whenever
    the key was created (the report has no key creation date to compare with the user's)."""
    users = _report_users(s)
    password = flag(users["password_enabled"])
    console = users[password.fillna(True)].copy()  # a user whose password flag is missing: ERROR
    unused = [flag(console[f"access_key_{n}_active"]) & console[f"access_key_{n}_last_used_date"].isna()
              for n in ("1", "2")]
    bad = unused[0] | unused[1]
    return verdicts(console, ~bad, resource_id="user", unknown=password.isna(),
                    pass_detail="Console user {user} has no active access key that was never used.",
                    fail_detail="Console user {user} has an active access key that was never used.")


def iam_user_console_without_access_keys(s) -> pd.DataFrame:
    """People sign in; workloads use roles. A user with both a console password and an active
    access key is a person carrying long-lived keys."""
    users = _report_users(s)
    has_key = flag(users["access_key_1_active"]) | flag(users["access_key_2_active"])
    keyed = users[has_key.fillna(True)].copy()  # a user whose key flags are missing: ERROR
    console = flag(keyed["password_enabled"])
    return verdicts(keyed, ~console, resource_id="user", unknown=has_key.isna(),
                    pass_detail="User {user} has an access key but no console password (a workload "
                                "identity; prefer an IAM role where the workload runs on AWS).",
                    fail_detail="User {user} has both a console password and an active access key: a "
                                "person with long-lived keys. Use roles or IAM Identity Center.")


# -- password policy -------------------------------------------------------------------------------

def _password_policy(s, no_policy: str) -> pd.Series | pd.DataFrame:
    """The account's password policy, or the finding when it has none (FAIL with `no_policy`)
    or whether it has one is missing (ERROR)."""
    pol = s.table("iam_password_policy")
    exists = flag(pol["exists"]).iloc[0] if len(pol) else False  # no row: the read failed, a gap
    if pd.isna(exists):
        return account_finding(s, ERROR, "Could not evaluate: whether the account has a password policy "
                                         "is missing from the snapshot.")
    return pol.iloc[0] if exists else account_finding(s, FAIL, no_policy)


def _int(v) -> int:
    """Numbers of the policy; AWS omits PasswordReusePrevention and MaxPasswordAge when unset (0)."""
    return 0 if v is None or pd.isna(v) else int(v)


def iam_password_policy_strong(s) -> pd.DataFrame:
    p = _password_policy(s, "The account has no IAM password policy.")
    if isinstance(p, pd.DataFrame):
        return p
    required = flag(pd.Series({label: p.get(col) for col, label in (
        ("require_uppercase", "an uppercase letter"), ("require_lowercase", "a lowercase letter"),
        ("require_numbers", "a number"), ("require_symbols", "a symbol"))}))
    weak = list(required.index[required.eq(False).fillna(False).to_numpy()])
    if _int(p["minimum_password_length"]) < 8:
        weak.append(f"length {p['minimum_password_length']} >= 8")
    if weak:
        return account_finding(s, FAIL, "The password policy does not require " + ", ".join(weak) + ".")
    if required.isna().any():
        return account_finding(s, ERROR, "Could not evaluate: the password policy's character "
                                         "requirements are missing from the snapshot.")
    return account_finding(s, PASS, "The password policy requires upper and lower case, numbers, "
                                    "symbols and at least 8 characters.")


def iam_password_policy_length_14(s) -> pd.DataFrame:
    p = _password_policy(s, "The account has no IAM password policy (AWS default: 8 characters).")
    if isinstance(p, pd.DataFrame):
        return p
    n = _int(p["minimum_password_length"])
    return account_finding(s, PASS if n >= 14 else FAIL,
                           f"The password policy's minimum length is {n} (14 or more required).")


def iam_password_policy_reuse_24(s) -> pd.DataFrame:
    p = _password_policy(s, "The account has no IAM password policy: passwords may be reused.")
    if isinstance(p, pd.DataFrame):
        return p
    n = _int(p["password_reuse_prevention"])
    return account_finding(s, PASS if n >= 24 else FAIL,
                           f"The password policy prevents reuse of the last {n} passwords (24 required).")


# -- certificates ----------------------------------------------------------------------------------

def iam_server_certificate_not_expired(s) -> pd.DataFrame:
    certs = s.table("iam_server_certificates").copy()
    expiry = _dates(certs["expiration"])
    certs["expires"] = expiry.dt.date.astype(str)
    unknown = expiry.isna()
    ok = (expiry > assessed_at(s)) & ~unknown
    return verdicts(certs, ok, resource_id="name", unknown=unknown,
                    pass_detail="Server certificate {name} is valid until {expires}.",
                    fail_detail="Server certificate {name} expired on {expires}: delete it.")


# -- workloads -------------------------------------------------------------------------------------

def iam_instance_role_attached(s) -> pd.DataFrame:
    """CIS: EC2 instances get AWS access from an instance role, not from keys stored on them. An
    instance profile that holds no role gives none (the console's "No roles attached to instance
    profile"): a profile is known to hold a role when some role lists it."""
    inst = s.table("ec2_instances")
    inst = inst[~inst["state"].isin(("terminated", "shutting-down"))].copy()
    with_role = {a for arns in json_list(s.table("iam_roles")["instance_profile_arns"]) for a in arns}
    profile = inst["instance_profile_arn"].astype(object)
    has_profile = profile.notna() & (profile.astype(str) != "")
    inst["why"] = pd.Series("has no instance profile", index=inst.index).where(
        ~has_profile, "has instance profile " + profile.astype(str) + ", which holds no IAM role")
    return verdicts(inst, has_profile & profile.isin(with_role), resource_id="instance_id",
                    pass_detail="Instance {instance_id} uses instance profile {instance_profile_arn} with a role.",
                    fail_detail="Instance {instance_id} {why}: anything it does on AWS needs long-lived keys "
                                "stored on it.")
