"""EKS: the collector against moto and the endpoint, logging, secrets encryption and version
checks, the version against the snapshot's date."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from srm_nb.aws import AwsAccess
from srm_nb.checks.eks import EKS_SUPPORT
from srm_nb.collect.runner import collect
from test_ec2_checks import REGION, run, snapshot

ROLE = "arn:aws:iam::123456789012:role/eks"


@mock_aws
def test_collected_clusters_and_their_verdicts():
    key = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]
    subnet = boto3.client("ec2", region_name=REGION).describe_subnets()["Subnets"][0]["SubnetId"]
    eks = boto3.client("eks", region_name=REGION)
    eks.create_cluster(name="prod", version="1.35", roleArn=ROLE,
                       resourcesVpcConfig={"subnetIds": [subnet], "endpointPublicAccess": False, "endpointPrivateAccess": True},
                       logging={"clusterLogging": [{"types": ["audit"], "enabled": True},
                                                   {"types": ["api"], "enabled": False}]},
                       encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": key}}])
    eks.create_cluster(name="lab", version="1.27", roleArn=ROLE,
                       resourcesVpcConfig={"subnetIds": [subnet], "endpointPublicAccess": True,
                                           "publicAccessCidrs": ["203.0.113.0/24"]})
    s = collect(AwsAccess(session=boto3.Session(region_name=REGION)), [REGION], services=["eks"], quiet=True)
    assert s.gaps.empty
    clusters = s.table("eks_clusters").set_index("cluster_name")
    assert json.loads(clusters.loc["prod", "log_types_json"]) == ["audit"]
    assert clusters.loc["prod", "secrets_key_arn"] == key
    s.manifest["started_at"] = "2026-11-01T09:00:00+00:00"
    for check in ("eks_cluster_endpoint_not_public", "eks_cluster_audit_logging", "eks_cluster_secrets_encrypted",
                  "eks_cluster_supported_version"):
        assert run(s, check) == {"prod": "PASS", "lab": "FAIL"}, check


def cluster(name, **extra):
    return {"cluster_name": name, "arn": f"arn:aws:eks:{REGION}:1:cluster/{name}", **extra}


@pytest.mark.parametrize("version, status", [
    ("1.35", "PASS"),
    ("1.34", "PASS"),  # standard support ends 2026-12-02, after the snapshot (2026-11-10)
    ("1.31", "FAIL"),  # left standard support on 2025-11-26: in paid extended support
    ("1.29", "FAIL"),  # out of all support
    ("1.19", "FAIL"),  # older than the calendar
    ("1.40", "PASS"),  # newer than the calendar: no end announced
    ("unknown", "ERROR"),
])
def test_kubernetes_version_against_the_snapshot_date(version, status):
    s = snapshot(eks_clusters=[cluster("c", version=version)])
    s.manifest["started_at"] = "2026-11-10T12:00:00+00:00"
    assert run(s, "eks_cluster_supported_version") == {"c": status}


def test_version_calendar_is_ordered():
    assert all(std < ext for std, ext in EKS_SUPPORT.values())
    assert list(EKS_SUPPORT) == sorted(EKS_SUPPORT, key=lambda v: tuple(map(int, v.split("."))))


def test_endpoint_forms():
    s = snapshot(eks_clusters=[cluster("private", endpoint_public_access=False),
                               cluster("open", endpoint_public_access=True),
                               cluster("limited", endpoint_public_access=True, public_access_cidrs_json='["198.51.100.0/24"]'),
                               cluster("unread", endpoint_public_access=None)])
    assert run(s, "eks_cluster_endpoint_not_public") == {"private": "PASS", "open": "FAIL", "limited": "FAIL",
                                                         "unread": "ERROR"}


def test_logging_and_encryption_not_read_are_errors():
    s = snapshot(eks_clusters=[cluster("c", log_types_json=None, encrypted_resources_json=None)])
    assert run(s, "eks_cluster_audit_logging") == {"c": "ERROR"}
    assert run(s, "eks_cluster_secrets_encrypted") == {"c": "ERROR"}
    s = snapshot(eks_clusters=[cluster("c", log_types_json='["api", "scheduler"]', encrypted_resources_json="[]")])
    assert run(s, "eks_cluster_audit_logging") == {"c": "FAIL"}
    assert run(s, "eks_cluster_secrets_encrypted") == {"c": "FAIL"}
