"""Demo Systems Manager: which Northwind instances SSM manages, and how patched they are.

- `web-1`: managed, online, fully patched.
- `app-1`: managed, online, 2 critical and 3 security patches missing, 1 failed install.
- `bastion`: registered once, agent since lost (ConnectionLost), never scanned.
- `legacy-win-01` (eu-west-1): not managed at all.
- State Manager: in us-east-1, one resource out of compliance with its association.

moto 5.2.5 does not implement the three SSM operations the collector reads, so this module only
fakes them (FAKES below, answered by server.FakeOperations in the real API's JSON shapes),
finding the story's instances by their Name tag in moto's EC2 state:
ssm DescribeInstanceInformation, DescribeInstancePatchStates, ListComplianceSummaries.
"""

from __future__ import annotations

from . import DEMO_ACCOUNT_ID, DemoAws, demo_now
from .scale import original_name
from .server import FakeRequest, FakeResponse

ORDER = 60
# Name tag: (ping status, platform name, platform version)
MANAGED = {
    "web-1": ("Online", "Amazon Linux", "2023"),
    "app-1": ("Online", "Amazon Linux", "2023"),
    "bastion": ("ConnectionLost", "Ubuntu", "20.04"),
}
# Name tag: patch counts (installed, missing, failed, critical missing, security missing)
PATCHES = {
    "web-1": (212, 0, 0, 0, 0),
    "app-1": (188, 7, 1, 2, 3),
}
BASELINE = "pb-0a1b2c3d4e5f60718"  # a fixed id: AWS-AmazonLinux2023DefaultPatchBaseline's shape
ASSOCIATION_SUMMARY = {"us-east-1": (2, 1)}  # region: (compliant, non-compliant resources)


def seed(aws: DemoAws) -> None:
    """Nothing to create: SSM's view of the instances is answered by FAKES."""


def _named_instances(region: str) -> dict[str, str]:
    """Name tag -> instance id for the live instances moto holds in `region`."""
    from moto.ec2.models import ec2_backends

    backend = ec2_backends[DEMO_ACCOUNT_ID][region]
    found = {}
    for reservation in backend.reservations.values():
        for inst in reservation.instances:
            if inst.state == "terminated":
                continue
            tags = {t["key"]: t["value"] for t in inst.get_tags()}
            if "Name" in tags:
                found[tags["Name"]] = inst.id
    return found


def _story(name: str) -> str:
    """The story's name of an instance: a scaled copy (demo/scale.py) plays its original's part."""
    return original_name(name)


def _epoch(days_ago: float) -> float:
    return demo_now().timestamp() - days_ago * 86400


def _instance_information(req: FakeRequest) -> FakeResponse:
    items = []
    for name, iid in sorted(_named_instances(req.region).items()):
        if _story(name) not in MANAGED:
            continue
        ping, platform, version = MANAGED[_story(name)]
        items.append({
            "InstanceId": iid, "PingStatus": ping,
            "LastPingDateTime": _epoch(0.01 if ping == "Online" else 41),
            "AgentVersion": "3.3.1142.0", "IsLatestVersion": ping == "Online",
            "PlatformType": "Linux", "PlatformName": platform, "PlatformVersion": version,
            "ResourceType": "EC2Instance", "ComputerName": f"{name}.northwind.internal",
        })
    return FakeResponse({"InstanceInformationList": items})


def _patch_states(req: FakeRequest) -> FakeResponse:
    wanted = set(req.params.get("InstanceIds") or [])
    states = []
    for name, iid in sorted(_named_instances(req.region).items()):
        if iid not in wanted or _story(name) not in PATCHES:
            continue
        installed, missing, failed, critical, security = PATCHES[_story(name)]
        states.append({
            "InstanceId": iid, "PatchGroup": "northwind-linux", "BaselineId": BASELINE,
            "OperationStartTime": _epoch(2.1), "OperationEndTime": _epoch(2),
            "Operation": "Scan", "InstalledCount": installed, "InstalledOtherCount": 0,
            "InstalledPendingRebootCount": 0, "InstalledRejectedCount": 0,
            "MissingCount": missing, "FailedCount": failed, "UnreportedNotApplicableCount": 0,
            "NotApplicableCount": 1200, "CriticalNonCompliantCount": critical,
            "SecurityNonCompliantCount": security, "OtherNonCompliantCount": max(missing - critical - security, 0),
        })
    return FakeResponse({"InstancePatchStates": states})


def _summary(compliant: int, non_compliant: int, critical: int = 0, high: int = 0) -> dict:
    zero = {"CriticalCount": 0, "HighCount": 0, "MediumCount": 0, "LowCount": 0,
            "InformationalCount": 0, "UnspecifiedCount": 0}
    return {
        "CompliantSummary": {"CompliantCount": compliant, "SeveritySummary": dict(zero)},
        "NonCompliantSummary": {"NonCompliantCount": non_compliant,
                                "SeveritySummary": {**zero, "CriticalCount": critical, "HighCount": high}},
    }


def _compliance_summaries(req: FakeRequest) -> FakeResponse:
    names = _named_instances(req.region)
    items = []
    scanned = [_story(n) for n in names if _story(n) in PATCHES]
    if scanned:
        bad = [n for n in scanned if PATCHES[n][3] or PATCHES[n][4] or PATCHES[n][2]]
        items.append({"ComplianceType": "Patch",
                      **_summary(len(scanned) - len(bad), len(bad), sum(PATCHES[n][3] for n in bad),
                                 sum(PATCHES[n][4] for n in bad))})
    if req.region in ASSOCIATION_SUMMARY:
        ok, bad_count = ASSOCIATION_SUMMARY[req.region]
        items.append({"ComplianceType": "Association", **_summary(ok, bad_count, 0, bad_count)})
    return FakeResponse({"ComplianceSummaryItems": items})


FAKES = {
    ("ssm", "DescribeInstanceInformation"): _instance_information,
    ("ssm", "DescribeInstancePatchStates"): _patch_states,
    ("ssm", "ListComplianceSummaries"): _compliance_summaries,
}
