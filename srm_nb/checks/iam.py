"""Identity and access: root, users, credentials, password policy, policies and role trust."""

from __future__ import annotations

import pandas as pd

from .base import ERROR, FAIL, PASS, ROOT_USER, account_finding, assessed_at, empty, fill, flag, parse_json, verdicts
from .policy import (
    external_trusts_without_external_id,
    grants_full_admin,
    service_wildcard_actions,
    trusted_accounts,
    trusts_everyone,
)

KEY_MAX_AGE_DAYS = 90
UNUSED_CREDENTIAL_DAYS = 45
ROOT_RECENT_USE_DAYS = 90
# AWS managed policies, by the ARN's tail after the partition (a customer managed policy of the
# same name has the account id where these have "aws").
SUPPORT_POLICY = ":iam::aws:policy/AWSSupportAccess"
CLOUDSHELL_POLICY = ":iam::aws:policy/AWSCloudShellFullAccess"


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


def _json_list(series: pd.Series) -> pd.Series:
    return parse_json(series).map(lambda v: v if isinstance(v, list) else [])


def _summary_value(s, key: str) -> int | None:
    summary = s.table("iam_account_summary")
    found = summary.loc[summary["key"] == key, "value"]
    return None if found.empty else int(found.iloc[0])


def _identities(s) -> pd.DataFrame:
    """Users, groups and roles in one frame: kind, name, arn, attached ARNs, inline policies."""
    frames = []
    for kind, table, name_col in (("user", "iam_users", "user_name"), ("group", "iam_groups", "group_name"),
                                  ("role", "iam_roles", "role_name")):
        t = s.table(table)
        frames.append(pd.DataFrame({
            "kind": kind, "name": t[name_col].astype(str), "arn": t["arn"], "region": t["region"],
            "attached": _json_list(t["attached_policy_arns"]),
            "inline": _json_list(t["inline_policies_json"]),
        }))
    return pd.concat(frames, ignore_index=True)


# -- root ------------------------------------------------------------------------------------------

def iam_root_mfa_enabled(s) -> pd.DataFrame:
    on = _summary_value(s, "AccountMFAEnabled")
    if on is None:
        return account_finding(s, ERROR, "Could not evaluate: the account summary does not report "
                                         "AccountMFAEnabled, so root MFA is unknown.")
    return account_finding(s, PASS if on == 1 else FAIL,
                           "The root user has MFA enabled." if on == 1 else "The root user has no MFA device.")


def iam_root_hardware_mfa_enabled(s) -> pd.DataFrame:
    on = _summary_value(s, "AccountMFAEnabled")
    devices = s.table("iam_mfa_devices")
    virtual = devices[devices["user_arn"].astype(str).str.endswith(":root")]
    if on is None:
        return account_finding(s, ERROR, "Could not evaluate: the account summary does not report "
                                         "AccountMFAEnabled, so root MFA is unknown.")
    if on != 1:
        return account_finding(s, FAIL, "The root user has no MFA device at all.")
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


def _stale(active: pd.Series, last_used: pd.Series, since: pd.Series, now) -> pd.Series:
    """An enabled credential unused for the limit: last used long ago, or never used and set up
    (created/rotated) long ago."""
    used_days = _days_since(last_used, now)
    since_days = _days_since(since, now)
    age = used_days.where(used_days.notna(), since_days)
    return active & (age > UNUSED_CREDENTIAL_DAYS)


def iam_user_unused_credentials_disabled(s) -> pd.DataFrame:
    users = _report_users(s)
    now = assessed_at(s)
    pw = _stale(flag(users["password_enabled"]), users["password_last_used"],
                users["password_last_changed"].where(users["password_last_changed"].notna(),
                                                     users["user_creation_time"]), now)
    k1 = _stale(flag(users["access_key_1_active"]), users["access_key_1_last_used_date"],
                users["access_key_1_last_rotated"], now)
    k2 = _stale(flag(users["access_key_2_active"]), users["access_key_2_last_used_date"],
                users["access_key_2_last_rotated"], now)
    named = [stale.fillna(False).map({True: f"{label}, ", False: ""}) for label, stale in
             (("password", pw), ("access key 1", k1), ("access key 2", k2))]
    users["stale"] = (named[0] + named[1] + named[2]).str.rstrip(", ")
    return verdicts(users, ~(pw | k1 | k2), resource_id="user",
                    pass_detail=f"User {{user}} has no enabled credential unused for more than "
                                f"{UNUSED_CREDENTIAL_DAYS} days.",
                    fail_detail=f"User {{user}} has enabled credentials unused for more than "
                                f"{UNUSED_CREDENTIAL_DAYS} days: {{stale}}.")


def iam_user_single_active_access_key(s) -> pd.DataFrame:
    users = _report_users(s)
    both = flag(users["access_key_1_active"]) & flag(users["access_key_2_active"])
    return verdicts(users, ~both, resource_id="user",
                    pass_detail="User {user} has at most one active access key.",
                    fail_detail="User {user} has two active access keys.")


def iam_user_no_unused_key_from_setup(s) -> pd.DataFrame:
    """CIS: console users should not get access keys at setup. A key created with the user and
    never used is the trace such a setup leaves."""
    users = _report_users(s)
    password = flag(users["password_enabled"])
    console = users[password.fillna(True)].copy()  # a user whose password flag is missing: ERROR
    created = _dates(console["user_creation_time"])
    unused = []
    for n in ("1", "2"):
        active = flag(console[f"access_key_{n}_active"])
        never_used = console[f"access_key_{n}_last_used_date"].isna()
        # No rotation date: the key never existed (the report says N/A), so it was not made at setup.
        at_setup = (_dates(console[f"access_key_{n}_last_rotated"]) - created).dt.total_seconds().abs() <= 3600
        unused.append(active & never_used & at_setup)
    bad = unused[0] | unused[1]
    return verdicts(console, ~bad, resource_id="user", unknown=password.isna(),
                    pass_detail="Console user {user} has no unused access key created at user setup.",
                    fail_detail="Console user {user} has an active access key created with the user and "
                                "never used.")


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


# -- policies --------------------------------------------------------------------------------------

def iam_policy_no_full_admin(s) -> pd.DataFrame:
    pols = s.table("iam_policies")
    pols = pols[pols["attachment_count"].fillna(0).astype(int) > 0].copy()
    admin = parse_json(pols["document_json"]).map(grants_full_admin)
    return verdicts(pols, ~admin, resource_id="policy_name",
                    pass_detail="Attached customer managed policy {policy_name} does not grant '*:*'.",
                    fail_detail="Customer managed policy {policy_name} grants full administrative "
                                "privileges ('Action': '*' on '*') and is attached to {attachment_count} "
                                "identity(ies).")


def iam_policy_no_service_wildcard(s) -> pd.DataFrame:
    pols = s.table("iam_policies")
    pols = pols[pols["attachment_count"].fillna(0).astype(int) > 0].copy()
    pols["wildcards"] = parse_json(pols["document_json"]).map(lambda d: ", ".join(service_wildcard_actions(d)))
    return verdicts(pols, pols["wildcards"] == "", resource_id="policy_name",
                    pass_detail="Customer managed policy {policy_name} allows no 'service:*' action.",
                    fail_detail="Customer managed policy {policy_name} allows every action of a "
                                "service: {wildcards}.")


def iam_inline_policy_no_full_admin(s) -> pd.DataFrame:
    ids = _identities(s).explode("inline").dropna(subset=["inline"])
    if ids.empty:
        return empty()
    ids = ids.reset_index(drop=True)
    ids["policy"] = ids["inline"].map(lambda p: p.get("name") if isinstance(p, dict) else None)
    ids["rid"] = fill(ids, "{kind}/{name}/{policy}")
    admin = ids["inline"].map(lambda p: isinstance(p, dict) and grants_full_admin(p.get("document")))
    return verdicts(ids, ~admin, resource_id="rid",
                    pass_detail="Inline policy {policy} of {kind} {name} does not grant '*:*'.",
                    fail_detail="Inline policy {policy} of {kind} {name} grants full administrative "
                                "privileges ('Action': '*' on '*').")


def iam_user_no_direct_policies(s) -> pd.DataFrame:
    users = s.table("iam_users").copy()
    users["n_attached"] = _json_list(users["attached_policy_arns"]).map(len)
    users["n_inline"] = _json_list(users["inline_policies_json"]).map(len)
    ok = (users["n_attached"] == 0) & (users["n_inline"] == 0)
    return verdicts(users, ok, resource_id="user_name",
                    pass_detail="User {user_name} receives permissions only through groups.",
                    fail_detail="User {user_name} has {n_attached} attached and {n_inline} inline "
                                "policy(ies) of its own; grant permissions through groups.")


def iam_support_role_exists(s) -> pd.DataFrame:
    roles = s.table("iam_roles")
    attached = _json_list(roles["attached_policy_arns"])
    support = roles[attached.map(lambda arns: any(str(a).endswith(SUPPORT_POLICY) for a in arns))]
    if support.empty:
        return account_finding(s, FAIL, "No IAM role has the AWSSupportAccess policy: nobody can "
                                        "manage incidents with AWS Support without using root or admins.")
    return account_finding(s, PASS, "Role(s) with AWSSupportAccess: " + ", ".join(support["role_name"]) + ".")


def iam_cloudshell_full_access_not_attached(s) -> pd.DataFrame:
    ids = _identities(s)
    ids = ids[ids["attached"].map(lambda arns: any(str(a).endswith(CLOUDSHELL_POLICY) for a in arns))]
    if ids.empty:
        return account_finding(s, PASS, "No user, group or role has AWSCloudShellFullAccess attached.")
    ids = ids.assign(rid=fill(ids, "{kind}/{name}"))
    return verdicts(ids, pd.Series(False, index=ids.index), resource_id="rid",
                    pass_detail="", fail_detail="{kind} {name} has AWSCloudShellFullAccess attached "
                                                "(file transfer in and out of CloudShell).")


# -- roles -----------------------------------------------------------------------------------------

def iam_role_trust_not_public(s) -> pd.DataFrame:
    roles = s.table("iam_roles")
    public = parse_json(roles["trust_policy_json"]).map(lambda d: bool(d) and trusts_everyone(d))
    return verdicts(roles, ~public, resource_id="role_name",
                    pass_detail="Role {role_name} can be assumed only by the principals its trust policy names.",
                    fail_detail="Role {role_name} trusts everyone (Principal '*', or an open web identity "
                                "provider) with no limiting condition.")


def iam_role_cross_account_external_id(s) -> pd.DataFrame:
    roles = s.table("iam_roles").copy()
    trust = parse_json(roles["trust_policy_json"])
    own = s.account_id
    roles["external"] = trust.map(lambda d: ", ".join(
        sorted(a for a in _accounts(d) if a != own)))
    roles["exposed"] = trust.map(lambda d: ", ".join(external_trusts_without_external_id(d, own)) if d else "")
    cross = roles[roles["external"] != ""]
    return verdicts(cross, cross["exposed"] == "", resource_id="role_name",
                    pass_detail="Role {role_name} trusts account(s) {external} and requires an "
                                "sts:ExternalId (or organization) condition.",
                    fail_detail="Role {role_name} trusts account(s) {exposed} with no sts:ExternalId "
                                "condition (confused deputy).")


def _accounts(doc) -> set[str]:
    return trusted_accounts(doc) if doc else set()


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
    """CIS: EC2 instances get AWS access from an instance role, not from keys stored on them."""
    inst = s.table("ec2_instances")
    inst = inst[~inst["state"].isin(("terminated", "shutting-down"))]
    return verdicts(inst, inst["instance_profile_arn"].notna() & (inst["instance_profile_arn"].astype(str) != ""),
                    resource_id="instance_id",
                    pass_detail="Instance {instance_id} uses instance profile {instance_profile_arn}.",
                    fail_detail="Instance {instance_id} has no instance profile: anything it does on AWS "
                                "needs long-lived keys stored on it.")
