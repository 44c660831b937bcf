"""GuardDuty: threat detection in every region, and the protection plans each detector runs.

A plan is a detector feature (S3_DATA_EVENTS, EKS_AUDIT_LOGS...). Runtime Monitoring also needs
its security agent deployed: the FSBP controls for EKS, ECS Fargate and EC2 runtime monitoring
ask for GuardDuty's automated agent management of that resource type (the feature's additional
configuration). A plan is judged on enabled detectors only: a region without one is reported by
guardduty_detector_enabled.
"""

from __future__ import annotations

import pandas as pd

from .base import parse_json, per_region, verdicts


def guardduty_detector_enabled(s) -> pd.DataFrame:
    det = s.table("guardduty_detectors")
    ok = set(det.loc[det["status"] == "ENABLED", "region"])
    return per_region(s, ok, pass_detail="GuardDuty is enabled in {region}.",
                      fail_detail="GuardDuty is not enabled in {region}: threats there go undetected.")


def _plan(s, features: tuple[str, ...], plan: str, agent: str | None = None) -> pd.DataFrame:
    """One verdict per enabled detector: PASS when one of `features` is ENABLED (and, with
    `agent`, that feature's automated agent management too)."""
    det = s.table("guardduty_detectors")
    det = det[det["status"] == "ENABLED"].copy()
    feats = s.table("guardduty_features")
    feats = feats[feats["feature"].isin(features)]
    on = feats["status"] == "ENABLED"
    if agent is not None:
        on = on & parse_json(feats["agents_json"]).map(lambda a: (a or {}).get(agent) == "ENABLED").astype(bool)
    enabled = feats.loc[on, ["region", "detector_id"]].drop_duplicates().assign(on=True)
    # A feature the detector does not list is not configured there.
    det = det.merge(enabled, on=["region", "detector_id"], how="left")
    det["plan"] = plan
    return verdicts(det, det["on"].fillna(False).astype(bool), resource_id="detector_id",
                    pass_detail="GuardDuty detector {detector_id} in {region} runs {plan}.",
                    fail_detail="GuardDuty detector {detector_id} in {region} does not run {plan}.")


def guardduty_detector_s3_protection(s) -> pd.DataFrame:
    return _plan(s, ("S3_DATA_EVENTS",), "S3 Protection (S3 data events)")


def guardduty_detector_eks_audit_logs(s) -> pd.DataFrame:
    return _plan(s, ("EKS_AUDIT_LOGS",), "EKS Protection (EKS audit log monitoring)")


def guardduty_detector_malware_protection(s) -> pd.DataFrame:
    return _plan(s, ("EBS_MALWARE_PROTECTION",), "Malware Protection for EC2 (EBS volume scans)")


def guardduty_detector_rds_protection(s) -> pd.DataFrame:
    return _plan(s, ("RDS_LOGIN_EVENTS",), "RDS Protection (RDS login activity)")


def guardduty_detector_lambda_protection(s) -> pd.DataFrame:
    return _plan(s, ("LAMBDA_NETWORK_LOGS",), "Lambda Protection (Lambda network activity)")


def guardduty_detector_runtime_monitoring(s) -> pd.DataFrame:
    return _plan(s, ("RUNTIME_MONITORING",), "Runtime Monitoring")


def guardduty_detector_eks_runtime_monitoring(s) -> pd.DataFrame:
    # EKS Runtime Monitoring predates Runtime Monitoring, which now includes it.
    return _plan(s, ("RUNTIME_MONITORING", "EKS_RUNTIME_MONITORING"),
                 "EKS Runtime Monitoring with automated agent management", agent="EKS_ADDON_MANAGEMENT")


def guardduty_detector_ecs_runtime_monitoring(s) -> pd.DataFrame:
    return _plan(s, ("RUNTIME_MONITORING",), "ECS Fargate Runtime Monitoring with automated agent management",
                 agent="ECS_FARGATE_AGENT_MANAGEMENT")


def guardduty_detector_ec2_runtime_monitoring(s) -> pd.DataFrame:
    return _plan(s, ("RUNTIME_MONITORING",), "EC2 Runtime Monitoring with automated agent management",
                 agent="EC2_AGENT_MANAGEMENT")
