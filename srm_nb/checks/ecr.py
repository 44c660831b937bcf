"""ECR: private repositories scan their images, keep tags immutable, expire old images, are not
shared with everyone and are encrypted under a key the customer controls."""

from __future__ import annotations

import pandas as pd

from .base import flag, parse_json, regional_merge, verdicts
from .kms import customer_managed
from .policy import is_public_policy

SCANNING_FREQUENCIES = {"SCAN_ON_PUSH": "on push", "CONTINUOUS_SCAN": "continuously"}
IMMUTABLE = ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION")


def ecr_repository_scan_enabled(s) -> pd.DataFrame:
    repos = s.table("ecr_repositories").rename(columns={"scan_on_push": "legacy_scan_on_push"})
    df = regional_merge(repos, s.table("ecr_repository_scanning"), "repository_name",
                        ["scan_frequency"])
    df = df.merge(s.table("ecr_registry_scanning")[["region", "scan_type"]].drop_duplicates("region"),
                  on="region", how="left")
    by_rule = df["scan_frequency"].isin(list(SCANNING_FREQUENCIES))
    # In basic mode a repository's own scan-on-push flag still applies; enhanced mode ignores it.
    legacy = flag(df["legacy_scan_on_push"]).fillna(False) & (df["scan_type"] == "BASIC")
    passed = (by_rule | legacy).astype("boolean").mask(~by_rule & ~legacy & df["scan_frequency"].isna())
    df["how"] = df["scan_frequency"].map(SCANNING_FREQUENCIES).fillna("on push")
    df["scan_type"] = df["scan_type"].fillna("unknown")
    return verdicts(df, passed, resource_id="repository_name",
                    pass_detail="Repository {repository_name} scans its images {how} ({scan_type} scanning).",
                    fail_detail="Repository {repository_name} is not scanned on push or continuously (scan "
                                "frequency {scan_frequency}, {scan_type} scanning): vulnerable images go unnoticed.")


def ecr_repository_tag_immutable(s) -> pd.DataFrame:
    repos = s.table("ecr_repositories")
    known = repos["image_tag_mutability"].notna()
    passed = repos["image_tag_mutability"].isin(IMMUTABLE).astype("boolean").where(known)
    return verdicts(repos, passed, resource_id="repository_name",
                    pass_detail="Repository {repository_name} has immutable image tags ({image_tag_mutability}).",
                    fail_detail="Repository {repository_name} lets an image tag be pushed again "
                                "({image_tag_mutability}): a tag can be pointed at a different image.")


def ecr_repository_lifecycle_policy(s) -> pd.DataFrame:
    # Every repository whose policy was read has a row (an empty one when it has none).
    df = regional_merge(s.table("ecr_repositories"), s.table("ecr_lifecycle_policies"),
                        "repository_name", ["policy_text"], how="inner")
    has = df["policy_text"].notna() & (df["policy_text"].astype(str).str.strip() != "")
    return verdicts(df, has, resource_id="repository_name",
                    pass_detail="Repository {repository_name} has a lifecycle policy that expires images.",
                    fail_detail="Repository {repository_name} has no lifecycle policy: old, unpatched images "
                                "pile up and stay deployable.")


def ecr_repository_policy_not_public(s) -> pd.DataFrame:
    df = regional_merge(s.table("ecr_repositories"), s.table("ecr_repository_policies"),
                        "repository_name", ["policy_json"], how="inner")
    public = parse_json(df["policy_json"]).map(lambda p: bool(p) and is_public_policy(p))
    return verdicts(df, ~public, resource_id="repository_name",
                    pass_detail="Repository {repository_name}'s policy does not open it to everyone.",
                    fail_detail="Repository {repository_name}'s policy lets anyone (Principal '*' without a "
                                "limiting condition) reach it: its images can be pulled or changed by any AWS account.")


def ecr_repository_cmk_encryption(s) -> pd.DataFrame:
    repos = s.table("ecr_repositories").copy()
    kms = repos["encryption_type"] == "KMS"
    cmk = customer_managed(s, repos["kms_key"].where(kms))
    passed = (kms & cmk).where(repos["encryption_type"].notna())
    repos["key"] = repos["kms_key"].where(kms, "an S3-managed AES-256 key")
    return verdicts(repos, passed, resource_id="repository_name",
                    pass_detail="Repository {repository_name} is encrypted with customer managed KMS key {kms_key}.",
                    fail_detail="Repository {repository_name} is encrypted with {key}, not a customer managed "
                                "KMS key: its key policy, rotation and use cannot be controlled or audited.")
