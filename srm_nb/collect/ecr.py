"""ECR: private repositories, how their images are scanned, kept, encrypted and shared.

Scanning is configured at two levels: the registry's scanning configuration (BASIC or ENHANCED,
with rules choosing repositories by name filter) and, in basic mode only, a repository's own
legacy scan-on-push flag. BatchGetRepositoryScanningConfiguration answers what applies to each
repository, up to 25 repositories a call. Lifecycle and repository policies have no list form:
one call each per repository. Nothing here reads an image, a layer or a registry credential.
"""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json

SCAN_BATCH = 25  # BatchGetRepositoryScanningConfiguration takes at most 25 names
REPOSITORY_WORKERS = 4

REPOSITORY_TABLES = ("ecr_repositories", "ecr_repository_scanning", "ecr_lifecycle_policies",
                     "ecr_repository_policies")


@collector(
    "ecr",
    service="ecr",
    scope=REGIONAL,
    operations=("DescribeRepositories", "GetRegistryScanningConfiguration",
                "BatchGetRepositoryScanningConfiguration", "GetLifecyclePolicy", "GetRepositoryPolicy"),
    tables={
        "ecr_repositories": ("region", "repository_name", "arn", "uri", "created_at",
                             "image_tag_mutability", "scan_on_push", "encryption_type", "kms_key"),
        "ecr_registry_scanning": ("region", "registry_id", "scan_type", "rules_json"),
        "ecr_repository_scanning": ("region", "repository_name", "scan_frequency", "scan_on_push",
                                    "applied_filters_json"),
        "ecr_lifecycle_policies": ("region", "repository_name", "policy_text"),
        "ecr_repository_policies": ("region", "repository_name", "policy_json"),
    },
)
def collect_ecr(ctx: Ctx) -> None:
    """Repositories with their tag mutability and encryption, the registry's scanning
    configuration and what it applies to each repository, lifecycle and repository policies."""
    config = ctx.call("GetRegistryScanningConfiguration", table="ecr_registry_scanning")
    if config is not None:
        scanning = config.get("scanningConfiguration") or {}
        ctx.add("ecr_registry_scanning", {
            "registry_id": config.get("registryId"), "scan_type": scanning.get("scanType"),
            "rules_json": to_json(scanning.get("rules", [])),
        })
    repos = ctx.paginate("DescribeRepositories", "repositories", table=REPOSITORY_TABLES)
    if not repos:
        return
    ctx.add("ecr_repositories", [{
        "repository_name": r["repositoryName"],
        "arn": r.get("repositoryArn"),
        "uri": r.get("repositoryUri"),
        "created_at": r.get("createdAt"),
        "image_tag_mutability": r.get("imageTagMutability"),
        "scan_on_push": (r.get("imageScanningConfiguration") or {}).get("scanOnPush"),
        "encryption_type": (r.get("encryptionConfiguration") or {}).get("encryptionType"),
        "kms_key": (r.get("encryptionConfiguration") or {}).get("kmsKey"),
    } for r in repos])
    names = [r["repositoryName"] for r in repos]
    for start in range(0, len(names), SCAN_BATCH):
        _collect_scanning(ctx, names[start:start + SCAN_BATCH])
    ctx.map(lambda name: _collect_policies(ctx, name), names, workers=REPOSITORY_WORKERS)


def _collect_scanning(ctx: Ctx, names: list[str]) -> None:
    got = ctx.call("BatchGetRepositoryScanningConfiguration", repositoryNames=names,
                   table="ecr_repository_scanning", resource_id=tuple(names))
    if got is None:
        return
    ctx.add("ecr_repository_scanning", [{
        "repository_name": c["repositoryName"],
        "scan_frequency": c.get("scanFrequency"),
        "scan_on_push": c.get("scanOnPush"),
        "applied_filters_json": to_json(c.get("appliedScanFilters", [])),
    } for c in got.get("scanningConfigurations", [])])
    for failure in got.get("failures", []):  # answered, but not for this repository
        ctx.gap("ecr_repository_scanning", "error", failure.get("failureCode", "Unknown"),
                failure.get("failureReason", ""), "BatchGetRepositoryScanningConfiguration",
                failure.get("repositoryName", ""))


def _collect_policies(ctx: Ctx, name: str) -> None:
    # No lifecycle policy and no repository policy are facts (the repository has none).
    lifecycle = ctx.call("GetLifecyclePolicy", repositoryName=name, table="ecr_lifecycle_policies",
                         resource_id=name, absent=("LifecyclePolicyNotFoundException",))
    if lifecycle is not None:
        ctx.add("ecr_lifecycle_policies", {"repository_name": name,
                                           "policy_text": lifecycle.get("lifecyclePolicyText")})
    policy = ctx.call("GetRepositoryPolicy", repositoryName=name, table="ecr_repository_policies",
                      resource_id=name, absent=("RepositoryPolicyNotFoundException",))
    if policy is not None:
        ctx.add("ecr_repository_policies", {"repository_name": name,
                                            "policy_json": policy.get("policyText")})
