"""Demo CloudTrail: one multi-region trail, logging, but without log file validation."""

from __future__ import annotations

from . import DemoAws


def seed(aws: DemoAws) -> None:
    ct = aws.client("cloudtrail", "eu-west-1")
    ct.create_trail(Name="northwind-audit", S3BucketName="northwind-cloudtrail-logs",
                    IsMultiRegionTrail=True, EnableLogFileValidation=False)
    ct.start_logging(Name="northwind-audit")
