"""EKS: clusters' Kubernetes version, API endpoint exposure, control-plane logging and envelope
encryption of Kubernetes secrets. EKS has no list form with details: one DescribeCluster each."""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json

CLUSTER_WORKERS = 4


@collector(
    "eks",
    service="eks",
    scope=REGIONAL,
    operations=("ListClusters", "DescribeCluster"),
    tables={
        "eks_clusters": ("region", "cluster_name", "arn", "version", "platform_version", "status",
                         "endpoint_public_access", "endpoint_private_access", "public_access_cidrs_json",
                         "log_types_json", "secrets_key_arn", "encrypted_resources_json"),
    },
)
def collect_eks(ctx: Ctx) -> None:
    """Every cluster with its version, endpoint access, enabled log types and secrets encryption."""
    names = ctx.paginate("ListClusters", "clusters")
    ctx.map(lambda name: _collect_cluster(ctx, name), names or [], workers=CLUSTER_WORKERS)


def _collect_cluster(ctx: Ctx, name: str) -> None:
    got = ctx.call("DescribeCluster", name=name, resource_id=name)
    if got is None:
        return
    c = got.get("cluster") or {}
    vpc = c.get("resourcesVpcConfig") or {}
    logging = (c.get("logging") or {}).get("clusterLogging") or []
    enabled = sorted({t for entry in logging if entry.get("enabled") for t in entry.get("types") or []})
    secrets = [e for e in c.get("encryptionConfig") or [] if "secrets" in (e.get("resources") or [])]
    ctx.add("eks_clusters", {
        "cluster_name": c.get("name", name), "arn": c.get("arn"), "version": c.get("version"),
        "platform_version": c.get("platformVersion"), "status": c.get("status"),
        "endpoint_public_access": vpc.get("endpointPublicAccess"),
        "endpoint_private_access": vpc.get("endpointPrivateAccess"),
        "public_access_cidrs_json": to_json(vpc.get("publicAccessCidrs")),
        "log_types_json": to_json(enabled),
        "secrets_key_arn": ((secrets[0].get("provider") or {}).get("keyArn") if secrets else None),
        "encrypted_resources_json": to_json(sorted({r for e in c.get("encryptionConfig") or []
                                                    for r in e.get("resources") or []})),
    })
