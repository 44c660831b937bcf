"""Identity and access: what IAM policies grant, who holds AWS managed policies that matter, and who
may assume roles.

FSBP and CIS read "full admin" differently, so each id sits on the check that follows its reading:
IAM.1 (and IAM.21) judge every customer managed policy, attached or not, except those used as
permissions boundaries (the Config rules' excludePermissionBoundaryPolicy); CIS lists the policies
attached to someone (`list-policies --only-attached`), AWS managed AdministratorAccess included.
Likewise IAM.18 accepts AWSSupportAccess on a user, a group with members or a role, where CIS asks
for a role. KMS.1 and KMS.2 read the same documents for decryption allowed with every KMS key:
customer managed policies (attached or not, boundaries excepted) and inline policies.
"""

from __future__ import annotations

import fnmatch

import pandas as pd

from .base import FAIL, PASS, account_finding, as_list, empty, fill, parse_json, verdicts
from .policy import (
    external_trusts_without_external_id,
    grants_full_admin,
    service_wildcard_actions,
    statements,
    trusted_accounts,
    trusts_everyone,
)

# AWS managed policies, by the ARN's tail after the partition (a customer managed policy of the
# same name has the account id where these have "aws").
SUPPORT_POLICY = ":iam::aws:policy/AWSSupportAccess"
CLOUDSHELL_POLICY = ":iam::aws:policy/AWSCloudShellFullAccess"
# The AWS managed policy that allows "*" on "*" (its document is AWS's, not collected).
ADMIN_POLICY = ":iam::aws:policy/AdministratorAccess"


def json_list(series: pd.Series) -> pd.Series:
    return parse_json(series).map(lambda v: v if isinstance(v, list) else [])


def identities(s) -> pd.DataFrame:
    """Users, groups and roles in one frame: kind, name, arn, attached ARNs, inline policies."""
    frames = []
    for kind, table, name_col in (("user", "iam_users", "user_name"), ("group", "iam_groups", "group_name"),
                                  ("role", "iam_roles", "role_name")):
        t = s.table(table)
        frames.append(pd.DataFrame({
            "kind": kind, "name": t[name_col].astype(str), "arn": t["arn"], "region": t["region"],
            "attached": json_list(t["attached_policy_arns"]),
            "inline": json_list(t["inline_policies_json"]),
        }))
    return pd.concat(frames, ignore_index=True)


def _holders(ids: pd.DataFrame, policy_tail: str) -> pd.DataFrame:
    """The identities with the AWS managed policy ending in `policy_tail` attached."""
    return ids[ids["attached"].map(lambda arns: any(str(a).endswith(policy_tail) for a in arns))]


# -- customer managed policies ---------------------------------------------------------------------

def _customer_policies(s) -> pd.DataFrame:
    """Customer managed policies, without those used as a permissions boundary (the FSBP rules
    exclude them: a boundary caps permissions, it grants none)."""
    pols = s.table("iam_policies")
    boundaries = set(s.table("iam_users")["permissions_boundary_arn"].dropna()) | \
        set(s.table("iam_roles")["permissions_boundary_arn"].dropna())
    pols = pols[~pols["arn"].isin(boundaries)].copy()
    n = pols["attachment_count"].fillna(0).astype(int)
    pols["use"] = n.map(lambda k: f"attached to {k} identity(ies)" if k else "not attached to anyone yet")
    return pols


def iam_policy_no_full_admin(s) -> pd.DataFrame:
    pols = _customer_policies(s)
    admin = parse_json(pols["document_json"]).map(grants_full_admin)
    return verdicts(pols, ~admin, resource_id="policy_name",
                    pass_detail="Customer managed policy {policy_name} does not grant '*:*'.",
                    fail_detail="Customer managed policy {policy_name} grants full administrative privileges "
                                "('Action': '*' on '*'); it is {use}.")


def iam_policy_no_service_wildcard(s) -> pd.DataFrame:
    pols = _customer_policies(s)
    pols["wildcards"] = parse_json(pols["document_json"]).map(lambda d: ", ".join(service_wildcard_actions(d)))
    return verdicts(pols, pols["wildcards"] == "", resource_id="policy_name",
                    pass_detail="Customer managed policy {policy_name} allows no 'service:*' action.",
                    fail_detail="Customer managed policy {policy_name} ({use}) allows every action of a "
                                "service: {wildcards}.")


# FSBP KMS.1 and KMS.2 (Config iam-customer-policy-blocked-kms-actions and
# iam-inline-policy-blocked-kms-actions): the decryption actions must not be allowed on every key.
KMS_DECRYPT_ACTIONS = ("kms:Decrypt", "kms:ReEncryptFrom")


def _every_key(resource) -> bool:
    """A Resource pattern that names every KMS key: "*", or a KMS ARN whose key part is a wildcard
    (arn:aws:kms:*:*:key/*, arn:aws:kms:eu-west-1:111122223333:*)."""
    parts = str(resource).strip().lower().split(":", 5)
    if parts == ["*"]:
        return True
    if len(parts) < 3 or parts[0] != "arn" or parts[2] not in ("kms", "*"):
        return False
    if len(parts) < 6:  # arn:aws:kms:* (the wildcard covers region, account and key)
        return parts[-1] == "*"
    return parts[5] in ("*", "key/*")


def _allows(st: dict, action: str) -> bool:
    act = action.lower()
    if "NotAction" in st:
        return not any(fnmatch.fnmatchcase(act, str(p).lower()) for p in as_list(st["NotAction"]))
    return any(fnmatch.fnmatchcase(act, str(p).lower()) for p in as_list(st.get("Action")))


def _on_every_key(st: dict) -> bool:
    if "NotResource" in st:  # every resource but those listed
        return not any(_every_key(r) for r in as_list(st["NotResource"]))
    return any(_every_key(r) for r in as_list(st.get("Resource")))


def kms_decrypt_on_every_key(doc) -> str | None:
    """The decryption actions the document allows on every KMS key, as text ("" for none; None
    when there is no document to read). Like IAM, "*" and "kms:*" include them; a condition does
    not narrow the grant to some keys, an unconditional Deny of the action on every key cancels it."""
    if doc is None:
        return None
    sts = statements(doc)
    found = []
    for action in KMS_DECRYPT_ACTIONS:
        allowed = any(st.get("Effect") == "Allow" and _allows(st, action) and _on_every_key(st) for st in sts)
        denied = any(st.get("Effect") == "Deny" and not st.get("Condition") and _allows(st, action)
                     and _on_every_key(st) for st in sts)
        if allowed and not denied:
            found.append(action)
    return ", ".join(found)


def _no_decrypt(decrypt: pd.Series) -> pd.Series:
    return (decrypt == "").where(decrypt.notna())


def iam_policy_no_kms_decrypt_all_keys(s) -> pd.DataFrame:
    pols = _customer_policies(s)
    pols["decrypt"] = parse_json(pols["document_json"]).map(kms_decrypt_on_every_key)
    return verdicts(pols, _no_decrypt(pols["decrypt"]), resource_id="policy_name",
                    pass_detail="Customer managed policy {policy_name} does not allow decryption with "
                                "every KMS key.",
                    fail_detail="Customer managed policy {policy_name} ({use}) allows {decrypt} on every KMS "
                                "key; name the keys the job needs.")


def iam_inline_policy_no_kms_decrypt_all_keys(s) -> pd.DataFrame:
    ids = _inline_policies(s)
    if ids.empty:
        return empty()
    ids["decrypt"] = ids["inline"].map(lambda p: kms_decrypt_on_every_key(p.get("document") if isinstance(p, dict)
                                                                          else None))
    return verdicts(ids, _no_decrypt(ids["decrypt"]), resource_id="rid",
                    pass_detail="Inline policy {policy} of {kind} {name} does not allow decryption with "
                                "every KMS key.",
                    fail_detail="Inline policy {policy} of {kind} {name} allows {decrypt} on every KMS key; "
                                "name the keys the job needs.")


def iam_attached_policy_no_full_admin(s) -> pd.DataFrame:
    """CIS: no policy attached to a user, group or role grants '*:*': attached customer managed
    policies by their document, and AWS managed AdministratorAccess wherever it is attached."""
    pols = s.table("iam_policies")
    pols = pols[pols["attachment_count"].fillna(0).astype(int) > 0].copy()
    admin = parse_json(pols["document_json"]).map(grants_full_admin)
    found = verdicts(pols, ~admin, resource_id="policy_name",
                     pass_detail="Attached customer managed policy {policy_name} does not grant '*:*'.",
                     fail_detail="Customer managed policy {policy_name} grants full administrative privileges "
                                 "('Action': '*' on '*') and is attached to {attachment_count} identity(ies).")
    holders = _holders(identities(s), ADMIN_POLICY)
    if holders.empty:
        return found
    who = ", ".join(sorted(holders["kind"] + " " + holders["name"]))
    managed = account_finding(s, FAIL, f"The AWS managed policy AdministratorAccess ('*:*') is attached to {who}.")
    managed["resource_id"] = "AdministratorAccess"
    managed["resource_arn"] = f"arn:{s.partition}:iam::aws:policy/AdministratorAccess"
    return pd.concat([found, managed], ignore_index=True)


def _inline_policies(s) -> pd.DataFrame:
    """One row per inline policy of a user, group or role: kind, name, policy, rid, inline."""
    ids = identities(s).explode("inline").dropna(subset=["inline"])
    if ids.empty:
        return ids
    ids = ids.reset_index(drop=True)
    ids["policy"] = ids["inline"].map(lambda p: p.get("name") if isinstance(p, dict) else None)
    ids["rid"] = fill(ids, "{kind}/{name}/{policy}")
    return ids


def iam_inline_policy_no_full_admin(s) -> pd.DataFrame:
    ids = _inline_policies(s)
    if ids.empty:
        return empty()
    admin = ids["inline"].map(lambda p: isinstance(p, dict) and grants_full_admin(p.get("document")))
    return verdicts(ids, ~admin, resource_id="rid",
                    pass_detail="Inline policy {policy} of {kind} {name} does not grant '*:*'.",
                    fail_detail="Inline policy {policy} of {kind} {name} grants full administrative "
                                "privileges ('Action': '*' on '*').")


def iam_user_no_direct_policies(s) -> pd.DataFrame:
    users = s.table("iam_users").copy()
    users["n_attached"] = json_list(users["attached_policy_arns"]).map(len)
    users["n_inline"] = json_list(users["inline_policies_json"]).map(len)
    ok = (users["n_attached"] == 0) & (users["n_inline"] == 0)
    return verdicts(users, ok, resource_id="user_name",
                    pass_detail="User {user_name} receives permissions only through groups.",
                    fail_detail="User {user_name} has {n_attached} attached and {n_inline} inline "
                                "policy(ies) of its own; grant permissions through groups.")


# -- AWS managed policies that matter ----------------------------------------------------------------

def iam_support_role_exists(s) -> pd.DataFrame:
    """CIS: a role (PolicyRoles of list-entities-for-policy) holds AWSSupportAccess."""
    roles = s.table("iam_roles")
    support = roles[json_list(roles["attached_policy_arns"]).map(
        lambda arns: any(str(a).endswith(SUPPORT_POLICY) for a in arns))]
    if support.empty:
        return account_finding(s, FAIL, "No IAM role has the AWSSupportAccess policy: nobody can "
                                        "manage incidents with AWS Support without using root or admins.")
    return account_finding(s, PASS, "Role(s) with AWSSupportAccess: " + ", ".join(support["role_name"]) + ".")


def iam_support_access_attached(s) -> pd.DataFrame:
    """FSBP IAM.18 (Config iam-policy-in-use, policyUsageType ANY): AWSSupportAccess attached to a
    user, to a group with at least one member, or to a role."""
    ids = identities(s)
    members = {g for groups in json_list(s.table("iam_users")["group_names"]) for g in groups}
    holders = _holders(ids, SUPPORT_POLICY)
    holders = holders[(holders["kind"] != "group") | holders["name"].isin(members)]
    if holders.empty:
        return account_finding(s, FAIL, "AWSSupportAccess is attached to no user, role or group with members: "
                                        "nobody can open and follow AWS Support cases without broader rights.")
    who = ", ".join(sorted(holders["kind"] + " " + holders["name"]))
    return account_finding(s, PASS, f"AWSSupportAccess is attached to {who}.")


def iam_cloudshell_full_access_not_attached(s) -> pd.DataFrame:
    ids = _holders(identities(s), CLOUDSHELL_POLICY)
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
                                "provider) with no limiting condition (an external id is not one: it is not "
                                "a secret).")


def iam_role_cross_account_external_id(s) -> pd.DataFrame:
    roles = s.table("iam_roles").copy()
    trust = parse_json(roles["trust_policy_json"])
    own = s.account_id
    roles["external"] = trust.map(lambda d: ", ".join(sorted(a for a in (trusted_accounts(d) if d else set())
                                                             if a != own)))
    roles["exposed"] = trust.map(lambda d: ", ".join(external_trusts_without_external_id(d, own)) if d else "")
    cross = roles[roles["external"] != ""]
    return verdicts(cross, cross["exposed"] == "", resource_id="role_name",
                    pass_detail="Role {role_name} trusts account(s) {external} and requires an "
                                "sts:ExternalId (or organization) condition.",
                    fail_detail="Role {role_name} trusts account(s) {exposed} with no sts:ExternalId "
                                "condition (confused deputy).")
