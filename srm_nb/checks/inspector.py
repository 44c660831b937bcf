"""Amazon Inspector: vulnerability scanning of EC2 instances, ECR images and Lambda functions is
on in every region (the "patching and antivirus" part of the customer's responsibility that
Systems Manager's patch data does not cover)."""

from __future__ import annotations

import pandas as pd

from .base import per_region


def _scan_type(s, column: str, what: str, risk: str) -> pd.DataFrame:
    status = s.table("inspector_account_status")
    ok = set(status.loc[status[column] == "ENABLED", "region"])
    unknown = set(status.loc[status[column].isna(), "region"])
    # A region whose answer lists no status for this account has Inspector off there.
    return per_region(s, ok, unknown_regions=unknown - ok,
                      pass_detail=f"Amazon Inspector scans {what} in {{region}}.",
                      fail_detail=f"Amazon Inspector does not scan {what} in {{region}}: {risk}.")


def inspector_ec2_scanning_enabled(s) -> pd.DataFrame:
    return _scan_type(s, "ec2", "EC2 instances", "software vulnerabilities and network exposure on "
                      "instances go unreported")


def inspector_ecr_scanning_enabled(s) -> pd.DataFrame:
    return _scan_type(s, "ecr", "ECR container images", "vulnerable packages in images go unreported")


def inspector_lambda_scanning_enabled(s) -> pd.DataFrame:
    return _scan_type(s, "lambda", "Lambda functions' dependencies (standard scanning)",
                      "vulnerable packages in functions and layers go unreported")


def inspector_lambda_code_scanning_enabled(s) -> pd.DataFrame:
    return _scan_type(s, "lambda_code", "Lambda functions' own code (code scanning)",
                      "injection flaws, leaked credentials and weak cryptography in function code go unreported")
