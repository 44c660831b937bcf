"""Demo IAM Access Analyzer: one account analyzer in the home region, none elsewhere.

moto 5.2.5 has no Access Analyzer at all, so the fake layer answers ListAnalyzers (GET /analyzer,
signing name "access-analyzer") in the real response shape: us-east-1 has the analyzer,
eu-west-1 and ap-southeast-2 have none (CIS "Access Analyzer in all regions": FAIL there).
"""

from __future__ import annotations

from . import DEMO_ACCOUNT_ID, DemoAws
from .server import FakeRequest, FakeResponse

ANALYZER_REGIONS = {"us-east-1": "northwind-external-access"}


def seed(aws: DemoAws) -> None:
    """Nothing to create: the analyzers exist only in the fake layer."""


def _list_analyzers(req: FakeRequest) -> FakeResponse:
    name = ANALYZER_REGIONS.get(req.region)
    wanted = req.params.get("type")
    analyzers = []
    if name and wanted in (None, "", "ACCOUNT"):
        analyzers.append({
            "arn": f"arn:aws:access-analyzer:{req.region}:{DEMO_ACCOUNT_ID}:analyzer/{name}",
            "name": name,
            "type": "ACCOUNT",
            "createdAt": "2025-02-11T10:04:00Z",
            "lastResourceAnalyzed": "arn:aws:s3:::northwind-datalake-prod",
            "lastResourceAnalyzedAt": "2026-10-31T22:15:00Z",
            "tags": {},
            "status": "ACTIVE",
        })
    return FakeResponse({"analyzers": analyzers}, content_type="application/json")


FAKES = {("access-analyzer", "ListAnalyzers"): _list_analyzers}
