"""ECS: task definitions run containers unprivileged, as a non-root user, on a read-only root
filesystem, with logs and without credentials in plain environment variables, isolated from the
host's network and processes; services and task sets get no public IP; Fargate services follow
the latest platform; clusters report to Container Insights.

Task definitions are judged at their latest active revision (the one Security Hub evaluates),
one finding per family; a setting a container definition leaves out has the API's default
(not privileged, writable root filesystem, the image's user, which is root unless the image says
otherwise).
"""

from __future__ import annotations

import pandas as pd

from .base import flag, parse_json, verdicts

# The environment variable names FSBP ECS.8 looks for (its `secretKeys` parameter).
SECRET_ENV_NAMES = frozenset({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "ECS_ENGINE_AUTH_DATA"})
# The latest Fargate platform version per OS (AWS Fargate platform versions page); "LATEST"
# always resolves to it.
LATEST_FARGATE_PLATFORM = {"linux": "1.4.0", "windows": "1.0.0"}
FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
ROOT_USERS = ("root", "0")
WINDOWS_ADMIN = "containeradministrator"


def _task_definitions(s) -> pd.DataFrame:
    """The latest active task definitions, labelled family:revision for the details."""
    tds = s.table("ecs_task_definitions").copy()
    tds["label"] = tds["family"].astype(str) + ":" + tds["revision"].astype(str)
    return tds


def _with_service_id(df: pd.DataFrame) -> pd.DataFrame:
    """Service names repeat across clusters: cluster/service names one."""
    df = df.copy()
    df["service_id"] = df["cluster_name"].astype(str) + "/" + df["service_name"].astype(str)
    return df


def _judge_containers(s, bad: pd.Series, c: pd.DataFrame, *, pass_detail: str, fail_detail: str,
                      task_definitions: pd.DataFrame | None = None) -> pd.DataFrame:
    """One verdict per task definition: FAIL when any of its containers is `bad` (the names go
    in {containers}), ERROR when none is but some could not be judged (NA)."""
    tds = _task_definitions(s) if task_definitions is None else task_definitions
    key = ["region", "family"]
    bad = bad.astype("boolean")
    c = c.assign(n_bad=bad.fillna(False).astype(int), n_unknown=bad.isna().astype(int))
    per_td = c.groupby(key, as_index=False)[["n_bad", "n_unknown"]].sum()
    failing = (c[c["n_bad"] == 1].assign(container_name=lambda d: d["container_name"].astype(str))
               .drop_duplicates([*key, "container_name"]))
    names = (failing.sort_values("container_name").groupby(key)["container_name"].agg(", ".join)
             .rename("containers").reset_index())
    df = tds.merge(per_td, on=key, how="inner").merge(names, on=key, how="left")
    passed = (df["n_bad"] == 0).astype("boolean").mask((df["n_bad"] == 0) & (df["n_unknown"] > 0))
    return verdicts(df, passed, resource_id="family", pass_detail=pass_detail, fail_detail=fail_detail)


def ecs_taskdefinition_not_privileged(s) -> pd.DataFrame:
    c = s.table("ecs_containers")
    return _judge_containers(s, flag(c["privileged"]).fillna(False), c,
                             pass_detail="Task definition {label} runs no privileged container.",
                             fail_detail="Task definition {label} runs privileged container(s) {containers}: "
                                         "they have root-like access to the host.")


def ecs_taskdefinition_readonly_root_filesystem(s) -> pd.DataFrame:
    c = s.table("ecs_containers")
    return _judge_containers(s, ~flag(c["readonly_root_filesystem"]).fillna(False), c,
                             pass_detail="Task definition {label} mounts every container's root filesystem read-only.",
                             fail_detail="Task definition {label} lets container(s) {containers} write to their "
                                         "root filesystem: an intruder can alter binaries and configuration.")


def ecs_taskdefinition_no_environment_secrets(s) -> pd.DataFrame:
    c = s.table("ecs_containers")
    names = parse_json(c["environment_names_json"])
    secret = names.map(lambda n: None if n is None else bool(SECRET_ENV_NAMES & set(n)))
    return _judge_containers(s, secret.astype("boolean"), c,
                             pass_detail="Task definition {label} passes no AWS credentials in plain environment variables.",
                             fail_detail="Task definition {label} sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or "
                                         "ECS_ENGINE_AUTH_DATA as a plain environment variable in container(s) "
                                         "{containers}: anyone who can describe the task definition reads the credential.")


def ecs_taskdefinition_logging_configured(s) -> pd.DataFrame:
    c = s.table("ecs_containers")
    missing = c["log_driver"].isna() | (c["log_driver"].astype(str).str.strip() == "")
    return _judge_containers(s, missing, c,
                             pass_detail="Task definition {label} sends every container's logs to a log driver.",
                             fail_detail="Task definition {label} has no log configuration for container(s) "
                                         "{containers}: their output is lost when the task stops.")


def ecs_taskdefinition_nonroot_user(s) -> pd.DataFrame:
    tds = _task_definitions(s)
    os_of = tds[["region", "family", "os_family"]].drop_duplicates(["region", "family"])
    c = s.table("ecs_containers").merge(os_of, on=["region", "family"], how="left")
    user = c["user"].astype(object).where(c["user"].notna(), "").astype(str).str.strip().str.lower()
    windows = c["os_family"].fillna("").astype(str).str.upper().str.startswith("WINDOWS")
    # "root", "0", "root:group", "0:0": the user part decides.
    linux_root = user.str.split(":").str[0].isin(("", *ROOT_USERS))
    windows_admin = user.isin(("", WINDOWS_ADMIN))
    bad = linux_root.where(~windows, windows_admin)
    tds = tds.assign(os_text=tds["os_family"].fillna("LINUX"))
    return _judge_containers(s, bad, c, task_definitions=tds,
                             pass_detail="Task definition {label} ({os_text}) names a non-administrator user for every container.",
                             fail_detail="Task definition {label} ({os_text}) runs container(s) {containers} as root "
                                         "(or ContainerAdministrator on Windows), or leaves the user to the image.")


def ecs_taskdefinition_no_host_pid(s) -> pd.DataFrame:
    tds = _task_definitions(s)
    return verdicts(tds, tds["pid_mode"] != "host", resource_id="family",
                    pass_detail="Task definition {label} does not share the host's process namespace.",
                    fail_detail="Task definition {label} uses pidMode host: its containers see and can signal "
                                "every process on the host.")


def ecs_taskdefinition_no_host_network(s) -> pd.DataFrame:
    tds = _task_definitions(s)
    tds["mode"] = tds["network_mode"].fillna("bridge (default)")
    return verdicts(tds, tds["network_mode"] != "host", resource_id="family",
                    pass_detail="Task definition {label} uses network mode {mode}, not the host's network.",
                    fail_detail="Task definition {label} uses network mode host: its containers share the host's "
                                "network stack, outside per-task security groups.")


def ecs_taskdefinition_efs_transit_encryption(s) -> pd.DataFrame:
    tds = _task_definitions(s)
    volumes = parse_json(tds["efs_volumes_json"])
    tds = tds[volumes.map(bool)].copy()
    plain = volumes[tds.index].map(lambda v: ", ".join(sorted(str(x.get("volume")) for x in v
                                                             if x.get("transit_encryption") != "ENABLED")))
    tds["volumes"] = plain
    return verdicts(tds, plain == "", resource_id="family",
                    pass_detail="Task definition {label} mounts its EFS volumes with encryption in transit.",
                    fail_detail="Task definition {label} mounts EFS volume(s) {volumes} without encryption in "
                                "transit: file data crosses the network in clear text.")


def ecs_cluster_container_insights(s) -> pd.DataFrame:
    clusters = s.table("ecs_clusters").copy()
    value = clusters["container_insights"].astype(object)
    passed = value.isin(["enabled", "enhanced"]).astype("boolean").where(value.notna())
    clusters["insights"] = value.fillna("not reported")
    return verdicts(clusters, passed, resource_id="cluster_name",
                    pass_detail="Cluster {cluster_name} reports to CloudWatch Container Insights ({insights}).",
                    fail_detail="Cluster {cluster_name} has Container Insights {insights}: task failures and "
                                "resource exhaustion go unseen.")


def ecs_service_no_public_ip(s) -> pd.DataFrame:
    svc = _with_service_id(s.table("ecs_services"))
    return verdicts(svc, svc["assign_public_ip"] != "ENABLED", resource_id="service_id",
                    pass_detail="Service {service_id} does not assign public IP addresses to its tasks.",
                    fail_detail="Service {service_id} assigns a public IP address to every task: the containers "
                                "are reachable from the internet where security groups allow.")


def ecs_taskset_no_public_ip(s) -> pd.DataFrame:
    sets = _with_service_id(s.table("ecs_task_sets"))
    return verdicts(sets, sets["assign_public_ip"] != "ENABLED", resource_id="task_set_id",
                    pass_detail="Task set {task_set_id} of service {service_id} does not assign public IP addresses.",
                    fail_detail="Task set {task_set_id} of service {service_id} assigns a public IP address to "
                                "every task: the containers are reachable from the internet where security groups allow.")


def ecs_service_fargate_latest_platform(s) -> pd.DataFrame:
    svc = _with_service_id(s.table("ecs_services"))
    providers = parse_json(svc["capacity_providers_json"])
    fargate = (svc["launch_type"] == "FARGATE") | providers.map(
        lambda p: any(x in FARGATE_PROVIDERS for x in p or [])).astype(bool)
    svc = svc[fargate].copy()
    os_key = svc["platform_family"].fillna("").astype(str).str.upper().str.startswith("WINDOWS").map(
        {True: "windows", False: "linux"})
    svc["latest"] = os_key.map(LATEST_FARGATE_PLATFORM)
    version = svc["platform_version"]
    passed = ((version == "LATEST") | (version == svc["latest"])).astype("boolean").where(version.notna())
    return verdicts(svc, passed, resource_id="service_id",
                    pass_detail="Fargate service {service_id} runs on platform version {platform_version} (latest: {latest}).",
                    fail_detail="Fargate service {service_id} is pinned to platform version {platform_version}, "
                                "not LATEST ({latest}): it misses the platform's newer kernel and runtime fixes.")
