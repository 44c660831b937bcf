"""EKS: the cluster API endpoint is private, the control plane's audit log is on, Kubernetes
secrets are envelope-encrypted with KMS, and the Kubernetes version is in standard support."""

from __future__ import annotations

from datetime import date

import pandas as pd

from .base import assessed_at, flag, parse_json, verdicts

# Kubernetes minor version -> (end of standard support, end of extended support) on EKS, from
# the Amazon EKS Kubernetes release calendar
# (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html). Security Hub's
# EKS.2 counts a version as supported until its end of standard support; extended support is a
# paid grace period, after which EKS upgrades the cluster itself. Refresh with each EKS release.
EKS_SUPPORT = {
    "1.23": (date(2023, 10, 11), date(2024, 10, 11)), "1.24": (date(2024, 1, 31), date(2025, 1, 31)),
    "1.25": (date(2024, 5, 1), date(2025, 5, 1)), "1.26": (date(2024, 6, 11), date(2025, 6, 11)),
    "1.27": (date(2024, 7, 24), date(2025, 7, 24)), "1.28": (date(2024, 11, 26), date(2025, 11, 26)),
    "1.29": (date(2025, 3, 23), date(2026, 3, 23)), "1.30": (date(2025, 7, 23), date(2026, 7, 23)),
    "1.31": (date(2025, 11, 26), date(2026, 11, 26)), "1.32": (date(2026, 3, 23), date(2027, 3, 23)),
    "1.33": (date(2026, 7, 29), date(2027, 7, 29)), "1.34": (date(2026, 12, 2), date(2027, 12, 2)),
    "1.35": (date(2027, 3, 27), date(2028, 3, 27)),
}


def _minor(version: str) -> tuple[int, int] | None:
    parts = str(version).split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return None


OLDEST_KNOWN = min(_minor(v) for v in EKS_SUPPORT)


def _lists(column: pd.Series, item: str) -> pd.Series:
    """Whether each JSON list in `column` holds `item`; NA where the list was not read."""
    return parse_json(column).map(lambda v: None if v is None else item in v).astype("boolean")


def eks_cluster_endpoint_not_public(s) -> pd.DataFrame:
    clusters = s.table("eks_clusters").copy()
    cidrs = parse_json(clusters["public_access_cidrs_json"]).map(lambda c: c or ["0.0.0.0/0"])
    clusters["reach"] = cidrs.map(lambda c: "the whole internet" if "0.0.0.0/0" in c or "::/0" in c
                                  else f"{len(c)} allowed CIDR range(s)")
    return verdicts(clusters, ~flag(clusters["endpoint_public_access"]), resource_id="cluster_name",
                    pass_detail="Cluster {cluster_name}'s Kubernetes API endpoint is private (reachable from its VPC only).",
                    fail_detail="Cluster {cluster_name}'s Kubernetes API endpoint is public, open to {reach}: "
                                "anyone who gets a credential can reach the API server.")


def eks_cluster_audit_logging(s) -> pd.DataFrame:
    clusters = s.table("eks_clusters").copy()
    clusters["enabled"] = parse_json(clusters["log_types_json"]).map(lambda t: ", ".join(t) if t else "none")
    return verdicts(clusters, _lists(clusters["log_types_json"], "audit"), resource_id="cluster_name",
                    pass_detail="Cluster {cluster_name} sends its Kubernetes audit log to CloudWatch Logs (enabled: {enabled}).",
                    fail_detail="Cluster {cluster_name} does not log the Kubernetes audit log (enabled: {enabled}): "
                                "who did what through the Kubernetes API cannot be traced.")


def eks_cluster_secrets_encrypted(s) -> pd.DataFrame:
    clusters = s.table("eks_clusters")
    return verdicts(clusters, _lists(clusters["encrypted_resources_json"], "secrets"), resource_id="cluster_name",
                    pass_detail="Cluster {cluster_name} envelope-encrypts Kubernetes secrets with KMS key {secrets_key_arn}.",
                    fail_detail="Cluster {cluster_name} does not envelope-encrypt Kubernetes secrets with a KMS key: "
                                "they are only as protected as etcd's own storage encryption.")


def eks_cluster_supported_version(s) -> pd.DataFrame:
    clusters = s.table("eks_clusters").copy()
    today = assessed_at(s).date()
    version = clusters["version"].astype(object)
    minor = version.map(lambda v: _minor(v) if isinstance(v, str) else None)
    older = minor.map(lambda m: m is not None and m < OLDEST_KNOWN)
    known = version.isin(list(EKS_SUPPORT))
    # Per version of the calendar, not per cluster: what the assessment day means for it.
    supported = {v: today < std for v, (std, _) in EKS_SUPPORT.items()}
    outlook = {v: f"standard support until {std}" for v, (std, _) in EKS_SUPPORT.items()}
    why = {v: (f"left standard support on {std} and is in paid extended support until {ext}" if today < ext
               else f"left standard support on {std} and all support on {ext}")
           for v, (std, ext) in EKS_SUPPORT.items()}
    clusters["outlook"] = version.map(outlook).fillna("no end of standard support announced yet")
    clusters["why"] = version.map(why).where(~older, "is older than every version EKS still lists")
    # A version newer than the calendar has no announced end; one older than it is long gone.
    passed = version.map(supported).where(known, ~older).astype("boolean").where(minor.notna())
    return verdicts(clusters, passed, resource_id="cluster_name",
                    pass_detail="Cluster {cluster_name} runs Kubernetes {version}: {outlook}.",
                    fail_detail="Cluster {cluster_name} runs Kubernetes {version}, which {why}: upgrade it "
                                "before EKS does so on its own schedule.")
