"""Demo Amazon Inspector: every scan type is on in the home region (us-east-1), none in the
other demo regions, where Northwind never activated Inspector."""

from __future__ import annotations

from . import DEMO_ACCOUNT_ID, DemoAws


def seed(aws: DemoAws) -> None:
    aws.client("inspector2", "us-east-1").enable(accountIds=[DEMO_ACCOUNT_ID],
                                                 resourceTypes=["EC2", "ECR", "LAMBDA", "LAMBDA_CODE"])
