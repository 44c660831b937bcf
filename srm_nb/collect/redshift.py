"""Redshift: provisioned clusters, their audit logging and the security settings of their
parameter groups; Redshift Serverless workgroups and namespaces.

Logging status has no list form (one DescribeLoggingStatus per cluster). Parameters are read
once per parameter group in use, and only the few the checks judge are kept; a failed read is a
gap for every cluster that uses the group, since the verdicts are about those clusters.
"""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json

# Parameters a check judges: TLS required for connections; user activity (query) logging.
WATCHED_PARAMETERS = ("require_ssl", "enable_user_activity_logging")
WORKERS = 4


@collector(
    "redshift",
    service="redshift",
    scope=REGIONAL,
    operations=("DescribeClusters", "DescribeLoggingStatus", "DescribeClusterParameters"),
    tables={
        "redshift_clusters": ("region", "cluster_id", "arn", "status", "node_type",
                              "number_of_nodes", "publicly_accessible", "encrypted", "kms_key_id",
                              "automated_snapshot_retention_period", "allow_version_upgrade",
                              "enhanced_vpc_routing", "master_username", "db_name", "port",
                              "vpc_id", "vpc_security_group_ids_json", "parameter_groups_json",
                              "multi_az", "cluster_version", "tags_json"),
        "redshift_logging": ("region", "cluster_id", "logging_enabled", "log_destination_type",
                             "bucket_name", "log_exports_json"),
        "redshift_parameters": ("region", "parameter_group", "name", "value"),
    },
)
def collect_redshift(ctx: Ctx) -> None:
    """Clusters (exposure, encryption, snapshots, upgrades, routing, default names, Multi-AZ),
    audit logging per cluster, and the TLS and activity-logging parameters of their groups."""
    clusters = ctx.paginate("DescribeClusters", "Clusters",
                            table=("redshift_clusters", "redshift_logging", "redshift_parameters"))
    if not clusters:
        return
    ctx.add("redshift_clusters", [_cluster_row(ctx, c) for c in clusters])
    ctx.map(lambda c: _logging(ctx, c["ClusterIdentifier"]), clusters, workers=WORKERS)
    users: dict[str, list[str]] = {}  # parameter group -> the clusters that use it
    for c in clusters:
        for g in c.get("ClusterParameterGroups") or []:
            users.setdefault(g["ParameterGroupName"], []).append(c["ClusterIdentifier"])
    ctx.map(lambda group: _parameters(ctx, group, tuple(users[group])), sorted(users), workers=WORKERS)


def _cluster_row(ctx: Ctx, c: dict) -> dict:
    cid = c["ClusterIdentifier"]
    return {
        "cluster_id": cid,
        "arn": ctx.arn("redshift", f"cluster:{cid}"),
        "status": c.get("ClusterStatus"),
        "node_type": c.get("NodeType"),
        "number_of_nodes": c.get("NumberOfNodes"),
        "publicly_accessible": c.get("PubliclyAccessible"),
        "encrypted": c.get("Encrypted"),
        "kms_key_id": c.get("KmsKeyId"),
        "automated_snapshot_retention_period": c.get("AutomatedSnapshotRetentionPeriod"),
        "allow_version_upgrade": c.get("AllowVersionUpgrade"),
        "enhanced_vpc_routing": c.get("EnhancedVpcRouting"),
        "master_username": c.get("MasterUsername"),
        "db_name": c.get("DBName"),
        "port": (c.get("Endpoint") or {}).get("Port"),
        "vpc_id": c.get("VpcId"),
        "vpc_security_group_ids_json": to_json([g.get("VpcSecurityGroupId")
                                                for g in c.get("VpcSecurityGroups") or []]),
        "parameter_groups_json": to_json([g.get("ParameterGroupName")
                                          for g in c.get("ClusterParameterGroups") or []]),
        # "Enabled" on a Multi-AZ deployment; "Disabled", or absent on clusters older than the
        # feature, which are all single-AZ.
        "multi_az": str(c.get("MultiAZ") or "").lower() in ("enabled", "true"),
        "cluster_version": c.get("ClusterVersion"),
        "tags_json": to_json({t["Key"]: t.get("Value") for t in c.get("Tags") or []}),
    }


def _logging(ctx: Ctx, cluster_id: str) -> None:
    status = ctx.call("DescribeLoggingStatus", table="redshift_logging", resource_id=cluster_id,
                      ClusterIdentifier=cluster_id)
    if status is None:
        return
    ctx.add("redshift_logging", {
        "cluster_id": cluster_id,
        "logging_enabled": status.get("LoggingEnabled"),
        "log_destination_type": status.get("LogDestinationType"),
        "bucket_name": status.get("BucketName"),
        "log_exports_json": to_json(status.get("LogExports") or []),
    })


def _parameters(ctx: Ctx, group: str, clusters: tuple[str, ...]) -> None:
    params = ctx.paginate("DescribeClusterParameters", "Parameters", table="redshift_parameters",
                          resource_id=clusters, ParameterGroupName=group)
    if params is None:
        return
    ctx.add("redshift_parameters", [{
        "parameter_group": group, "name": p["ParameterName"], "value": p.get("ParameterValue"),
    } for p in params if p.get("ParameterName") in WATCHED_PARAMETERS])


@collector(
    "redshift_serverless",
    service="redshift-serverless",
    scope=REGIONAL,
    operations=("ListWorkgroups", "ListNamespaces"),
    tables={
        "redshift_serverless_workgroups": ("region", "workgroup_name", "arn", "namespace_name",
                                           "status", "publicly_accessible", "enhanced_vpc_routing",
                                           "require_ssl", "port"),
        "redshift_serverless_namespaces": ("region", "namespace_name", "arn", "status",
                                           "admin_username", "db_name", "kms_key_id",
                                           "log_exports_json"),
    },
)
def collect_redshift_serverless(ctx: Ctx) -> None:
    """Serverless workgroups (exposure, routing, TLS parameter) and namespaces (admin user,
    encryption key, exported logs): both list forms carry every setting."""
    groups = ctx.paginate("ListWorkgroups", "workgroups", table="redshift_serverless_workgroups")
    ctx.add("redshift_serverless_workgroups", [{
        "workgroup_name": w["workgroupName"],
        "arn": w.get("workgroupArn"),
        "namespace_name": w.get("namespaceName"),
        "status": w.get("status"),
        "publicly_accessible": w.get("publiclyAccessible"),
        "enhanced_vpc_routing": w.get("enhancedVpcRouting"),
        "require_ssl": next((p.get("parameterValue") for p in w.get("configParameters") or []
                             if p.get("parameterKey") == "require_ssl"), None),
        "port": w.get("port"),
    } for w in groups or []])
    spaces = ctx.paginate("ListNamespaces", "namespaces", table="redshift_serverless_namespaces")
    ctx.add("redshift_serverless_namespaces", [{
        "namespace_name": n["namespaceName"],
        "arn": n.get("namespaceArn"),
        "status": n.get("status"),
        "admin_username": n.get("adminUsername"),
        "db_name": n.get("dbName"),
        "kms_key_id": n.get("kmsKeyId"),
        "log_exports_json": to_json(n.get("logExports") or []),
    } for n in spaces or []])
