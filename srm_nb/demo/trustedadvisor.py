"""Demo Trusted Advisor: Northwind pays for Business support, so the Support API answers.

moto 5.2.5 answers DescribeTrustedAdvisorChecks (its static catalogue, 17 security checks) but
not DescribeTrustedAdvisorCheckSummaries, which the fake layer answers in the real shape: the
checks matching the rest of the story are red or yellow (root MFA, password policy, open
security groups, public S3 bucket, old access keys), the others green.
"""

from __future__ import annotations

from . import DemoAws, demo_now
from .server import FakeRequest, FakeResponse

# Trusted Advisor check name -> (status, resources flagged); unnamed checks are green.
NOT_GREEN = {
    "MFA on Root Account": ("error", 1),
    "IAM Password Policy": ("warning", 1),
    "Security Groups - Specific Ports Unrestricted": ("error", 2),
    "Amazon S3 Bucket Permissions": ("warning", 1),
    "IAM Access Key Rotation": ("warning", 1),
}


def seed(aws: DemoAws) -> None:
    """Nothing to create: check results exist only in the fake layer."""


def _names() -> dict[str, str]:
    from moto.support.models import ADVISOR_CHECKS

    return {c["id"]: c["name"] for c in ADVISOR_CHECKS["checks"]}


def _summaries(req: FakeRequest) -> FakeResponse:
    names = _names()
    summaries = []
    for check_id in req.params.get("checkIds", []):
        status, flagged = NOT_GREEN.get(names.get(check_id, ""), ("ok", 0))
        summaries.append({
            "checkId": check_id,
            "timestamp": demo_now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "status": status,
            "hasFlaggedResources": flagged > 0,
            "resourcesSummary": {"resourcesProcessed": 12, "resourcesFlagged": flagged,
                                 "resourcesIgnored": 0, "resourcesSuppressed": 0},
            "categorySpecificSummary": {"costOptimizing": {"estimatedMonthlySavings": 0.0,
                                                           "estimatedPercentMonthlySavings": 0.0}},
        })
    return FakeResponse({"summaries": summaries})


FAKES = {("support", "DescribeTrustedAdvisorCheckSummaries"): _summaries}
