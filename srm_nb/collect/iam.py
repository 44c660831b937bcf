"""IAM: the account's identities, credentials and policies (a global service)."""

from __future__ import annotations

import csv
import io
import time

from .base import GLOBAL, Ctx, collector, to_json

# The credential report's own CSV column names, kept as they are.
REPORT_COLUMNS = (
    "region", "user", "arn", "user_creation_time", "password_enabled",
    "password_last_used", "password_last_changed", "mfa_active",
    "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
    "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
    "cert_1_active", "cert_2_active",
)


@collector(
    "iam_account",
    service="iam",
    scope=GLOBAL,
    operations=(
        "GetAccountSummary",
        "GetAccountPasswordPolicy",
        "ListAccountAliases",
        "GenerateCredentialReport",
        "GetCredentialReport",
    ),
    tables={
        "iam_account_summary": ("region", "key", "value"),
        "iam_password_policy": (
            "region", "exists", "minimum_password_length", "require_symbols", "require_numbers",
            "require_uppercase", "require_lowercase", "allow_users_to_change_password",
            "max_password_age", "password_reuse_prevention", "hard_expiry",
        ),
        "iam_account_aliases": ("region", "alias"),
        "iam_credential_report": REPORT_COLUMNS,
    },
)
def collect_account(ctx: Ctx) -> None:
    """Account summary, password policy, alias and the credential report (root included)."""
    summary = ctx.call("GetAccountSummary", table="iam_account_summary")
    if summary is not None:
        ctx.add("iam_account_summary",
                [{"key": k, "value": int(v)} for k, v in summary.get("SummaryMap", {}).items()])

    policy = ctx.call("GetAccountPasswordPolicy", table="iam_password_policy", absent=("NoSuchEntity",))
    if policy is not None:
        p = policy.get("PasswordPolicy")
        row = {"exists": p is not None}
        if p:
            row.update(
                minimum_password_length=p.get("MinimumPasswordLength"),
                require_symbols=p.get("RequireSymbols"),
                require_numbers=p.get("RequireNumbers"),
                require_uppercase=p.get("RequireUppercaseCharacters"),
                require_lowercase=p.get("RequireLowercaseCharacters"),
                allow_users_to_change_password=p.get("AllowUsersToChangePassword"),
                max_password_age=p.get("MaxPasswordAge"),
                password_reuse_prevention=p.get("PasswordReusePrevention"),
                hard_expiry=p.get("HardExpiry"),
            )
        ctx.add("iam_password_policy", row)

    aliases = ctx.paginate("ListAccountAliases", "AccountAliases", table="iam_account_aliases")
    if aliases:
        ctx.add("iam_account_aliases", [{"alias": a} for a in aliases])

    # The report is generated asynchronously; poll briefly until it is ready.
    for attempt in range(10):
        gen = ctx.call("GenerateCredentialReport", table="iam_credential_report")
        if gen is None:
            return
        if gen.get("State") == "COMPLETE":
            break
        time.sleep(min(0.5 * (attempt + 1), 3))
    report = ctx.call("GetCredentialReport", table="iam_credential_report")
    if report is None:
        return
    content = report.get("Content", b"")
    text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
    cols = set(REPORT_COLUMNS)
    rows = []
    for rec in csv.DictReader(io.StringIO(text)):
        rows.append({k: _report_value(v) for k, v in rec.items() if k in cols})
    ctx.add("iam_credential_report", rows)


def _report_value(v: str):
    """The credential report writes 'N/A', 'not_supported' and 'no_information' for 'none'."""
    if v in ("N/A", "not_supported", "no_information", ""):
        return None
    if v in ("true", "false"):
        return v == "true"
    return v


@collector(
    "iam_users",
    service="iam",
    scope=GLOBAL,
    operations=("ListUsers", "ListMFADevices", "ListAccessKeys", "GetAccessKeyLastUsed",
                "GetLoginProfile", "ListAttachedUserPolicies", "ListUserPolicies"),
    tables={
        "iam_users": ("region", "user_name", "user_id", "arn", "create_date", "password_last_used",
                      "has_console_password", "attached_policy_arns", "inline_policy_names"),
        "iam_mfa_devices": ("region", "user_name", "serial_number", "enable_date"),
        "iam_access_keys": ("region", "user_name", "access_key_id", "status", "create_date",
                            "last_used_date", "last_used_service"),
    },
)
def collect_users(ctx: Ctx) -> None:
    """Users, their MFA devices, access keys (with last use), console passwords and policies."""
    users = ctx.paginate("ListUsers", "Users", table=("iam_users", "iam_mfa_devices", "iam_access_keys"))
    if users is None:
        return
    for u in users:
        name = u["UserName"]
        login = ctx.call("GetLoginProfile", UserName=name, table="iam_users", resource_id=name,
                         absent=("NoSuchEntity",))
        attached = ctx.paginate("ListAttachedUserPolicies", "AttachedPolicies", UserName=name,
                                table="iam_users", resource_id=name)
        inline = ctx.paginate("ListUserPolicies", "PolicyNames", UserName=name, table="iam_users",
                              resource_id=name)
        ctx.add("iam_users", {
            "user_name": name,
            "user_id": u.get("UserId"),
            "arn": u.get("Arn"),
            "create_date": u.get("CreateDate"),
            "password_last_used": u.get("PasswordLastUsed"),
            "has_console_password": None if login is None else bool(login.get("LoginProfile")),
            "attached_policy_arns": to_json([p["PolicyArn"] for p in attached or []]),
            "inline_policy_names": to_json(inline or []),
        })
        mfa = ctx.paginate("ListMFADevices", "MFADevices", UserName=name, table="iam_mfa_devices",
                           resource_id=name)
        ctx.add("iam_mfa_devices", [
            {"user_name": name, "serial_number": d["SerialNumber"], "enable_date": d.get("EnableDate")}
            for d in mfa or []
        ])
        keys = ctx.paginate("ListAccessKeys", "AccessKeyMetadata", UserName=name,
                            table="iam_access_keys", resource_id=name)
        for k in keys or []:
            used = ctx.call("GetAccessKeyLastUsed", AccessKeyId=k["AccessKeyId"],
                            table="iam_access_keys", resource_id=name) or {}
            last = used.get("AccessKeyLastUsed", {})
            ctx.add("iam_access_keys", {
                "user_name": name,
                "access_key_id": k["AccessKeyId"],
                "status": k.get("Status"),
                "create_date": k.get("CreateDate"),
                "last_used_date": last.get("LastUsedDate"),
                "last_used_service": last.get("ServiceName"),
            })
