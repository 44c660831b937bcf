"""Demo GuardDuty: on in the home region only."""

from __future__ import annotations

from . import DemoAws


def seed(aws: DemoAws) -> None:
    aws.client("guardduty", "us-east-1").create_detector(Enable=True)
