"""GuardDuty: enabled in every region."""

from __future__ import annotations

import boto3
from moto import mock_aws

from srm_nb.aws import AwsAccess
from srm_nb.checks import load_catalog
from srm_nb.checks.runner import run_check
from srm_nb.collect.runner import collect


@mock_aws
def test_detector_enabled_per_region():
    boto3.client("guardduty", region_name="us-east-1").create_detector(Enable=True)
    boto3.client("guardduty", region_name="ap-southeast-2").create_detector(Enable=False)
    s = collect(AwsAccess(session=boto3.Session(region_name="us-east-1")),
                ["us-east-1", "eu-west-1", "ap-southeast-2"], services=["guardduty"], quiet=True)
    assert s.gaps.empty
    r = run_check(load_catalog()["guardduty_detector_enabled"], s)
    assert dict(zip(r["region"], r["status"])) == {"us-east-1": "PASS", "eu-west-1": "FAIL",
                                                   "ap-southeast-2": "FAIL"}
