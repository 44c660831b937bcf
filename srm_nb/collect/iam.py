"""IAM: the account's identities, credentials and policies (a global service)."""

from __future__ import annotations

import csv
import io
import time

from ..vocabulary import ROOT_USER
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


# GetAccountAuthorizationDetails' result lists, one per entity type.
AUTHORIZATION_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


def _policy_list(entries: list[dict] | None) -> str | None:
    """Inline policies as JSON: [{"name": ..., "document": {...}}]."""
    return to_json([{"name": p.get("PolicyName"), "document": p.get("PolicyDocument")}
                    for p in entries or []])


def _attached(entity: dict) -> str | None:
    return to_json([p["PolicyArn"] for p in entity.get("AttachedManagedPolicies") or []])


def _boundary(entity: dict) -> str | None:
    """The managed policy set as the identity's permissions boundary, if any."""
    return (entity.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")


@collector(
    "iam_users",
    service="iam",
    scope=GLOBAL,
    operations=("GetAccountAuthorizationDetails", "ListAccessKeys", "GetAccessKeyLastUsed"),
    tables={
        "iam_users": ("region", "user_name", "user_id", "arn", "path", "create_date", "group_names",
                      "attached_policy_arns", "inline_policy_names", "inline_policies_json",
                      "permissions_boundary_arn"),
        "iam_groups": ("region", "group_name", "group_id", "arn", "create_date",
                       "attached_policy_arns", "inline_policies_json"),
        "iam_roles": ("region", "role_name", "role_id", "arn", "path", "create_date",
                      "trust_policy_json", "attached_policy_arns", "inline_policies_json",
                      "last_used_date", "service_linked", "permissions_boundary_arn",
                      "instance_profile_arns"),
        "iam_policies": ("region", "policy_name", "policy_id", "arn", "path", "attachment_count",
                         "default_version_id", "document_json"),
        "iam_access_keys": ("region", "user_name", "access_key_id", "status", "create_date",
                            "last_used_date", "last_used_service"),
    },
    in_flight=4,  # IAM throttles early, account-wide
)
def collect_users(ctx: Ctx) -> None:
    """Users, groups, roles (trust policies), customer-managed and inline policies with their
    documents (GetAccountAuthorizationDetails), and each user's access keys with their last use."""
    # One paginated call answers all four lists (customer-managed policies only: AWS-managed ones
    # are known by ARN and would add ~1,000 rows). A failed page leaves every table it feeds
    # missing, the access keys included, since they are listed per user.
    details = ctx.paginate("GetAccountAuthorizationDetails", AUTHORIZATION_LISTS,
                           Filter=["User", "Group", "Role", "LocalManagedPolicy"],
                           table=("iam_users", "iam_groups", "iam_roles", "iam_policies",
                                  "iam_access_keys")) or {}
    users = details.get("UserDetailList", [])
    for u in users:
        ctx.add("iam_users", {
            "user_name": u["UserName"],
            "user_id": u.get("UserId"),
            "arn": u.get("Arn"),
            "path": u.get("Path"),
            "create_date": u.get("CreateDate"),
            "group_names": to_json(u.get("GroupList") or []),
            "attached_policy_arns": _attached(u),
            "inline_policy_names": to_json([p.get("PolicyName") for p in u.get("UserPolicyList") or []]),
            "inline_policies_json": _policy_list(u.get("UserPolicyList")),
            "permissions_boundary_arn": _boundary(u),
        })

    ctx.add("iam_groups", [{
        "group_name": g["GroupName"],
        "group_id": g.get("GroupId"),
        "arn": g.get("Arn"),
        "create_date": g.get("CreateDate"),
        "attached_policy_arns": _attached(g),
        "inline_policies_json": _policy_list(g.get("GroupPolicyList")),
    } for g in details.get("GroupDetailList", [])])

    ctx.add("iam_roles", [{
        "role_name": r["RoleName"],
        "role_id": r.get("RoleId"),
        "arn": r.get("Arn"),
        "path": r.get("Path"),
        "create_date": r.get("CreateDate"),
        "trust_policy_json": to_json(r.get("AssumeRolePolicyDocument")),
        "attached_policy_arns": _attached(r),
        "inline_policies_json": _policy_list(r.get("RolePolicyList")),
        "last_used_date": (r.get("RoleLastUsed") or {}).get("LastUsedDate"),
        "service_linked": str(r.get("Path", "")).startswith("/aws-service-role/"),
        "permissions_boundary_arn": _boundary(r),
        # The instance profiles that hold this role: a profile in no role's list holds no role.
        "instance_profile_arns": to_json([p.get("Arn") for p in r.get("InstanceProfileList") or []]),
    } for r in details.get("RoleDetailList", [])])

    rows = []
    for p in details.get("Policies", []):
        default = next((v for v in p.get("PolicyVersionList") or [] if v.get("IsDefaultVersion")), {})
        rows.append({
            # The ARN ends with the name (moto omits PolicyName here; AWS sends it).
            "policy_name": p.get("PolicyName") or str(p.get("Arn", "")).rsplit("/", 1)[-1],
            "policy_id": p.get("PolicyId"),
            "arn": p.get("Arn"),
            "path": p.get("Path"),
            "attachment_count": p.get("AttachmentCount"),
            "default_version_id": p.get("DefaultVersionId"),
            "document_json": to_json(default.get("Document")),
        })
    ctx.add("iam_policies", rows)

    # Access keys have no account-wide list: one ListAccessKeys per user, a few users at a time.
    def user_keys(user: dict) -> None:
        name = user["UserName"]
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

    ctx.map(user_keys, users)


@collector(
    "iam_mfa_devices",
    service="iam",
    scope=GLOBAL,
    operations=("ListVirtualMFADevices",),
    tables={"iam_mfa_devices": ("region", "user_name", "user_arn", "serial_number", "enable_date",
                                "kind")},
)
def collect_mfa_devices(ctx: Ctx) -> None:
    """Every virtual MFA assignment in one list; the root's device shows with User arn ...:root.
    Hardware and FIDO devices of users are not listed here: the credential report's mfa_active
    has them."""
    devices = ctx.paginate("ListVirtualMFADevices", "VirtualMFADevices", AssignmentStatus="Assigned",
                           table="iam_mfa_devices")
    ctx.add("iam_mfa_devices", [_mfa_row(d) for d in devices or [] if d.get("User")])


@collector(
    "iam_server_certificates",
    service="iam",
    scope=GLOBAL,
    operations=("ListServerCertificates",),
    tables={"iam_server_certificates": ("region", "name", "arn", "server_certificate_id",
                                        "upload_date", "expiration")},
)
def collect_server_certificates(ctx: Ctx) -> None:
    """Server certificates stored in IAM (their expiry)."""
    certs = ctx.paginate("ListServerCertificates", "ServerCertificateMetadataList",
                         table="iam_server_certificates")
    ctx.add("iam_server_certificates", [{
        "name": c.get("ServerCertificateName"),
        "arn": c.get("Arn"),
        "server_certificate_id": c.get("ServerCertificateId"),
        "upload_date": c.get("UploadDate"),
        "expiration": c.get("Expiration"),
    } for c in certs or []])


def _mfa_row(device: dict) -> dict:
    user = device["User"]
    arn = str(user.get("Arn", ""))
    is_root = arn.endswith(":root")
    return {
        "user_name": ROOT_USER if is_root else user.get("UserName"),
        "user_arn": arn,
        "serial_number": device.get("SerialNumber"),
        "enable_date": device.get("EnableDate"),
        "kind": "virtual",
    }
