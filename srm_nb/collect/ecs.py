"""ECS: clusters, their services and task sets, and the latest active revision of each task
definition family with its containers' security settings.

Task definitions carry containers' environment variables, whose values may be secrets: only the
variable names are kept (what FSBP ECS.8 judges), never a value. DescribeTaskDefinition of a
family answers its latest ACTIVE revision, the one Security Hub evaluates. Services list their
task sets (CodeDeploy and EXTERNAL deployments) themselves, so no DescribeTaskSets is needed.
"""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json

DESCRIBE_CLUSTERS_BATCH = 100  # DescribeClusters takes at most 100 clusters
DESCRIBE_SERVICES_BATCH = 10  # DescribeServices takes at most 10 services
CLUSTER_WORKERS = FAMILY_WORKERS = 4

SERVICE_TABLES = ("ecs_services", "ecs_task_sets")
TASK_DEFINITION_TABLES = ("ecs_task_definitions", "ecs_containers")


@collector(
    "ecs",
    service="ecs",
    scope=REGIONAL,
    operations=("ListClusters", "DescribeClusters", "ListServices", "DescribeServices",
                "ListTaskDefinitionFamilies", "DescribeTaskDefinition"),
    tables={
        "ecs_clusters": ("region", "cluster_name", "arn", "status", "container_insights"),
        "ecs_services": ("region", "cluster_name", "service_name", "arn", "launch_type",
                         "capacity_providers_json", "platform_version", "platform_family",
                         "assign_public_ip", "task_definition"),
        "ecs_task_sets": ("region", "cluster_name", "service_name", "task_set_id", "arn",
                          "launch_type", "assign_public_ip", "status"),
        "ecs_task_definitions": ("region", "family", "revision", "arn", "network_mode", "pid_mode",
                                 "os_family", "requires_compatibilities_json", "efs_volumes_json"),
        "ecs_containers": ("region", "family", "revision", "container_name", "privileged", "user",
                           "readonly_root_filesystem", "log_driver", "environment_names_json"),
    },
)
def collect_ecs(ctx: Ctx) -> None:
    """Clusters (Container Insights), services and task sets (public IPs, Fargate platform), and
    the latest active task definition of every family with its containers."""
    arns = ctx.paginate("ListClusters", "clusterArns", table=("ecs_clusters", *SERVICE_TABLES))
    for start in range(0, len(arns or []), DESCRIBE_CLUSTERS_BATCH):
        batch = arns[start:start + DESCRIBE_CLUSTERS_BATCH]
        got = ctx.call("DescribeClusters", clusters=batch, include=["SETTINGS"],
                       table="ecs_clusters", resource_id=tuple(_name(a) for a in batch))
        ctx.add("ecs_clusters", [{
            "cluster_name": c["clusterName"], "arn": c.get("clusterArn"), "status": c.get("status"),
            "container_insights": next((st.get("value") for st in c.get("settings", [])
                                        if st.get("name") == "containerInsights"), None),
        } for c in (got or {}).get("clusters", [])])
    ctx.map(lambda arn: _collect_services(ctx, _name(arn)), arns or [], workers=CLUSTER_WORKERS)
    families = ctx.paginate("ListTaskDefinitionFamilies", "families", status="ACTIVE",
                            table=TASK_DEFINITION_TABLES)
    ctx.map(lambda family: _collect_task_definition(ctx, family), families or [], workers=FAMILY_WORKERS)


def _name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _public_ip(item: dict) -> str | None:
    return ((item.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}).get("assignPublicIp")


def _collect_services(ctx: Ctx, cluster: str) -> None:
    arns = ctx.paginate("ListServices", "serviceArns", cluster=cluster, table=SERVICE_TABLES,
                        resource_id=cluster)
    for start in range(0, len(arns or []), DESCRIBE_SERVICES_BATCH):
        batch = arns[start:start + DESCRIBE_SERVICES_BATCH]
        got = ctx.call("DescribeServices", cluster=cluster, services=batch, table=SERVICE_TABLES,
                       resource_id=tuple(f"{cluster}/{_name(a)}" for a in batch))
        for svc in (got or {}).get("services", []):
            row = {"cluster_name": cluster, "service_name": svc["serviceName"]}
            ctx.add("ecs_services", {
                **row, "arn": svc.get("serviceArn"), "launch_type": svc.get("launchType"),
                "capacity_providers_json": to_json([p.get("capacityProvider")
                                                    for p in svc.get("capacityProviderStrategy") or []]),
                "platform_version": svc.get("platformVersion"),
                "platform_family": svc.get("platformFamily"),
                "assign_public_ip": _public_ip(svc),
                "task_definition": svc.get("taskDefinition"),
            })
            ctx.add("ecs_task_sets", [{
                **row, "task_set_id": ts.get("id"), "arn": ts.get("taskSetArn"),
                "launch_type": ts.get("launchType"), "assign_public_ip": _public_ip(ts),
                "status": ts.get("status"),
            } for ts in svc.get("taskSets") or []])


def _collect_task_definition(ctx: Ctx, family: str) -> None:
    got = ctx.call("DescribeTaskDefinition", taskDefinition=family, table=TASK_DEFINITION_TABLES,
                   resource_id=family)
    if got is None:
        return
    td = got.get("taskDefinition") or {}
    key = {"family": td.get("family", family), "revision": td.get("revision")}
    efs = [{"volume": v.get("name"),
            "transit_encryption": (v.get("efsVolumeConfiguration") or {}).get("transitEncryption")}
           for v in td.get("volumes") or [] if "efsVolumeConfiguration" in v]
    ctx.add("ecs_task_definitions", {
        **key, "arn": td.get("taskDefinitionArn"),
        "network_mode": td.get("networkMode"), "pid_mode": td.get("pidMode"),
        "os_family": (td.get("runtimePlatform") or {}).get("operatingSystemFamily"),
        "requires_compatibilities_json": to_json(td.get("requiresCompatibilities", [])),
        "efs_volumes_json": to_json(efs),
    })
    ctx.add("ecs_containers", [{
        **key, "container_name": c.get("name"),
        "privileged": c.get("privileged"), "user": c.get("user"),
        "readonly_root_filesystem": c.get("readonlyRootFilesystem"),
        "log_driver": (c.get("logConfiguration") or {}).get("logDriver"),
        # Names only: a value may be a secret, and no check needs one.
        "environment_names_json": to_json(sorted(e.get("name", "") for e in c.get("environment") or [])),
    } for c in td.get("containerDefinitions") or []])
