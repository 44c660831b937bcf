"""Redshift: exposure (public endpoint, security groups open on the cluster port, routing),
encryption at rest and TLS, snapshots, logging, upgrades, default names and Multi-AZ; and the same
customer settings of Redshift Serverless workgroups and namespaces.

The parameter-group checks read each cluster's group from `redshift_parameters`; a group whose
parameters could not be read is a gap recorded against the clusters that use it.
"""

from __future__ import annotations

import pandas as pd

from .base import flag, parse_json, verdicts
from .ec2 import WORLD

MIN_SNAPSHOT_DAYS = 7  # Security Hub's default for Redshift.3 (MinRetentionPeriod)
DEFAULT_ADMIN = "awsuser"
DEFAULT_DATABASE = "dev"


def _clusters(s) -> pd.DataFrame:
    return s.table("redshift_clusters").copy()


def _with_parameter(s, name: str) -> pd.DataFrame:
    """Clusters with `group` (their parameter group) and `value` (the parameter's value there;
    NA when it was not read)."""
    c = _clusters(s)
    c["group"] = parse_json(c["parameter_groups_json"]).map(lambda groups: (groups or [None])[0])
    p = s.table("redshift_parameters")
    p = p[p["name"] == name][["region", "parameter_group", "value"]]
    return c.merge(p.rename(columns={"parameter_group": "group"}), on=["region", "group"], how="left")


def _lower(values: pd.Series) -> pd.Series:
    """Text in lower case, NA where missing (so a comparison stays NA, and becomes ERROR)."""
    return values.astype("string").str.strip().str.lower()


def _is_true(values: pd.Series) -> pd.Series:
    return _lower(values) == "true"


def redshift_cluster_not_public(s) -> pd.DataFrame:
    c = _clusters(s)
    return verdicts(c, ~flag(c["publicly_accessible"]), resource_id="cluster_id",
                    pass_detail="Cluster {cluster_id} is not publicly accessible.",
                    fail_detail="Cluster {cluster_id} is publicly accessible: its endpoint resolves to a public IP address.")


def redshift_cluster_require_ssl(s) -> pd.DataFrame:
    c = _with_parameter(s, "require_ssl")
    return verdicts(c, _is_true(c["value"]), resource_id="cluster_id",
                    pass_detail="Cluster {cluster_id} requires TLS (require_ssl is true in parameter group {group}).",
                    fail_detail="Cluster {cluster_id} accepts unencrypted connections (require_ssl is {value} in parameter group {group}).")


def redshift_cluster_user_activity_logging(s) -> pd.DataFrame:
    c = _with_parameter(s, "enable_user_activity_logging")
    return verdicts(c, _is_true(c["value"]), resource_id="cluster_id",
                    pass_detail="Cluster {cluster_id} logs each query before it runs (enable_user_activity_logging in {group}).",
                    fail_detail="Cluster {cluster_id} does not log the queries users run (enable_user_activity_logging is {value} in parameter group {group}).")


def redshift_cluster_automated_snapshots(s) -> pd.DataFrame:
    c = _clusters(s)
    days = pd.to_numeric(c["automated_snapshot_retention_period"], errors="coerce").astype("Float64")
    return verdicts(c, days >= MIN_SNAPSHOT_DAYS, resource_id="cluster_id",
                    pass_detail="Cluster {cluster_id} keeps automated snapshots for {automated_snapshot_retention_period} days.",
                    fail_detail="Cluster {cluster_id} keeps automated snapshots for {automated_snapshot_retention_period} days (fewer than 7).")


def redshift_cluster_audit_logging(s) -> pd.DataFrame:
    c = _clusters(s).merge(s.table("redshift_logging")[["region", "cluster_id", "logging_enabled",
                                                        "log_destination_type"]],
                           on=["region", "cluster_id"], how="left")
    named = (c["log_destination_type"].astype("string").str.len() > 0).fillna(False)
    c["destination"] = c["log_destination_type"].where(named, "s3")  # older answers: S3 only
    return verdicts(c, flag(c["logging_enabled"]), resource_id="cluster_id",
                    pass_detail="Cluster {cluster_id} writes connection and user audit logs (to {destination}).",
                    fail_detail="Cluster {cluster_id} has audit logging off: connections and user changes leave no record.")


def redshift_cluster_version_upgrade(s) -> pd.DataFrame:
    c = _clusters(s)
    return verdicts(c, flag(c["allow_version_upgrade"]), resource_id="cluster_id",
                    pass_detail="Cluster {cluster_id} receives major engine upgrades in its maintenance window.",
                    fail_detail="Cluster {cluster_id} does not allow major version upgrades: engine fixes wait for someone to apply them.")


def redshift_cluster_enhanced_vpc_routing(s) -> pd.DataFrame:
    c = _clusters(s)
    return verdicts(c, flag(c["enhanced_vpc_routing"]), resource_id="cluster_id",
                    pass_detail="Cluster {cluster_id} sends COPY and UNLOAD traffic through its VPC.",
                    fail_detail="Cluster {cluster_id} sends COPY and UNLOAD traffic outside its VPC, past its security groups and flow logs.")


def redshift_cluster_custom_admin_username(s) -> pd.DataFrame:
    c = _clusters(s)
    return verdicts(c, _lower(c["master_username"]) != DEFAULT_ADMIN, resource_id="cluster_id",
                    pass_detail="Cluster {cluster_id} has its own admin user name.",
                    fail_detail="Cluster {cluster_id} keeps the default admin user name awsuser: half of a login is public knowledge.")


def redshift_cluster_custom_database_name(s) -> pd.DataFrame:
    c = _clusters(s)
    return verdicts(c, _lower(c["db_name"]) != DEFAULT_DATABASE, resource_id="cluster_id",
                    pass_detail="Cluster {cluster_id} names its database {db_name}.",
                    fail_detail="Cluster {cluster_id} keeps the default database name dev.")


def redshift_cluster_encrypted(s) -> pd.DataFrame:
    c = _clusters(s)
    return verdicts(c, flag(c["encrypted"]), resource_id="cluster_id",
                    pass_detail="Cluster {cluster_id} encrypts its data and snapshots at rest.",
                    fail_detail="Cluster {cluster_id} stores its data and snapshots unencrypted.")


def redshift_cluster_multi_az(s) -> pd.DataFrame:
    c = _clusters(s)
    return verdicts(c, flag(c["multi_az"]), resource_id="cluster_id",
                    pass_detail="Cluster {cluster_id} is a Multi-AZ deployment.",
                    fail_detail="Cluster {cluster_id} runs in a single Availability Zone: an AZ outage stops the warehouse.")


def redshift_cluster_port_restricted(s) -> pd.DataFrame:
    """FSBP Redshift.15: no ingress rule of the cluster's security groups admits 0.0.0.0/0 or
    ::/0 on the cluster port (all-traffic rules included). A group that was not read (another
    account's, or deleted) leaves the verdict unknown unless another group already opens it."""
    c = _clusters(s)
    keys = ["region", "cluster_id"]
    pairs = c[[*keys, "port"]].assign(
        group_id=parse_json(c["vpc_security_group_ids_json"]).map(lambda g: g or [])).explode("group_id")
    pairs = pairs[pairs["group_id"].notna()]
    groups = s.table("ec2_security_groups")[["region", "group_id"]].drop_duplicates()
    pairs = pairs.merge(groups, on=["region", "group_id"], how="left", indicator="read")
    rules = s.table("ec2_security_group_rules")
    r = rules[(rules["direction"] == "ingress") & rules["source"].isin(list(WORLD.values()))]
    hits = pairs.merge(r[["region", "group_id", "ip_protocol", "from_port", "to_port", "source"]],
                       on=["region", "group_id"], how="inner")
    proto = hits["ip_protocol"].astype(str).str.lower()
    port = pd.to_numeric(hits["port"], errors="coerce")
    covered = (proto == "-1") | (proto.isin(["tcp", "6"])
                                 & (pd.to_numeric(hits["from_port"], errors="coerce") <= port)
                                 & (pd.to_numeric(hits["to_port"], errors="coerce") >= port))
    hits = hits[covered]
    opened = (hits.assign(by=hits["group_id"] + " from " + hits["source"])
              .groupby(keys)["by"].agg(lambda x: ", ".join(sorted(set(x)))).rename("open_by"))
    unread = (pairs[pairs["read"] == "left_only"].groupby(keys)["group_id"]
              .agg(lambda x: ", ".join(sorted(set(x)))).rename("unread"))
    c = c.merge(opened, on=keys, how="left").merge(unread, on=keys, how="left")
    return verdicts(c, c["open_by"].isna(), resource_id="cluster_id",
                    unknown=c["unread"].notna() & c["open_by"].isna(),
                    unknown_detail="Could not judge cluster {cluster_id}: its security group(s) {unread} were not among the groups read.",
                    pass_detail="No security group of cluster {cluster_id} admits the internet on port {port}.",
                    fail_detail="Cluster {cluster_id} admits the whole internet on port {port} ({open_by}).")


# -- Redshift Serverless ----------------------------------------------------------------------------

SERVERLESS_DEFAULT_ADMIN = "admin"
SERVERLESS_AUDIT_LOGS = ("connectionlog", "userlog")  # the logs RedshiftServerless.6 asks for


def redshift_serverless_workgroup_not_public(s) -> pd.DataFrame:
    w = s.table("redshift_serverless_workgroups")
    return verdicts(w, ~flag(w["publicly_accessible"]), resource_id="workgroup_name",
                    pass_detail="Serverless workgroup {workgroup_name} is not publicly accessible.",
                    fail_detail="Serverless workgroup {workgroup_name} is publicly accessible: an Elastic IP address exposes it outside its VPC.")


def redshift_serverless_workgroup_enhanced_vpc_routing(s) -> pd.DataFrame:
    w = s.table("redshift_serverless_workgroups")
    return verdicts(w, flag(w["enhanced_vpc_routing"]), resource_id="workgroup_name",
                    pass_detail="Serverless workgroup {workgroup_name} sends COPY and UNLOAD traffic through its VPC.",
                    fail_detail="Serverless workgroup {workgroup_name} sends COPY and UNLOAD traffic outside its VPC.")


def redshift_serverless_workgroup_require_ssl(s) -> pd.DataFrame:
    w = s.table("redshift_serverless_workgroups")
    return verdicts(w, _is_true(w["require_ssl"]), resource_id="workgroup_name",
                    pass_detail="Serverless workgroup {workgroup_name} requires TLS for connections.",
                    fail_detail="Serverless workgroup {workgroup_name} accepts unencrypted connections (require_ssl is {require_ssl}).")


def redshift_serverless_namespace_custom_admin_username(s) -> pd.DataFrame:
    n = s.table("redshift_serverless_namespaces")
    return verdicts(n, _lower(n["admin_username"]) != SERVERLESS_DEFAULT_ADMIN, resource_id="namespace_name",
                    pass_detail="Serverless namespace {namespace_name} has its own admin user name.",
                    fail_detail="Serverless namespace {namespace_name} keeps the default admin user name admin.")


def redshift_serverless_namespace_logs_exported(s) -> pd.DataFrame:
    n = s.table("redshift_serverless_namespaces").copy()
    exported = parse_json(n["log_exports_json"]).map(lambda logs: set(logs or []))
    n["missing"] = exported.map(lambda logs: ", ".join(x for x in SERVERLESS_AUDIT_LOGS if x not in logs))
    passed = (n["missing"] == "").astype("boolean").where(n["log_exports_json"].notna())
    return verdicts(n, passed, resource_id="namespace_name",
                    pass_detail="Serverless namespace {namespace_name} exports its connection and user logs to CloudWatch Logs.",
                    fail_detail="Serverless namespace {namespace_name} does not export {missing} to CloudWatch Logs.")
