"""Demo OpenSearch Service (us-east-1): the product search done right, a partner catalog left
public, and a legacy Elasticsearch log domain open to anyone.

- `northwind-search` (OpenSearch 2.13): in the production VPC, encrypted at rest and between
  nodes, HTTPS with the latest TLS policy, fine-grained access control, audit and error logs,
  three data nodes over three zones, three dedicated masters, up-to-date service software, an
  access policy for the application role only.
- `partner-catalog` (OpenSearch 2.11): public endpoint, but its access policy admits one partner
  address range only; HTTPS with an older TLS policy, no fine-grained access control, no logs.
- `legacy-logs` (Elasticsearch 7.10): public, nothing encrypted, plain HTTP allowed, one node, an
  access policy that allows anyone, and a service software update waiting.

moto 5.2.5 omits ServiceSoftwareOptions from DescribeDomains; FAKES adds the story's values to
moto's answer (the rest of it is moto's own).
"""

from __future__ import annotations

import json

from . import DEMO_ACCOUNT_ID, DemoAws
from .server import FakeRequest, FakeResponse
from .vpc import find_subnet, find_vpc

REGION = "us-east-1"
LATEST_TLS = "Policy-Min-TLS-1-2-PFS-2023-10"
# domain: (update available, current version, update status)
SOFTWARE = {
    "northwind-search": (False, "OpenSearch_2_13_R20250610", "COMPLETED"),
    "partner-catalog": (False, "OpenSearch_2_11_R20250610", "COMPLETED"),
    "legacy-logs": (True, "Elasticsearch_7_10_R20240112", "ELIGIBLE"),
}


def _domain_arn(name: str) -> str:
    return f"arn:aws:es:{REGION}:{DEMO_ACCOUNT_ID}:domain/{name}"


def _policy(name: str, principal, condition: dict | None = None) -> str:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "es:ESHttp*",
                 "Resource": f"{_domain_arn(name)}/*"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _log_group(name: str) -> str:
    return f"arn:aws:logs:{REGION}:{DEMO_ACCOUNT_ID}:log-group:/aws/opensearch/{name}"


def seed(aws: DemoAws) -> None:
    search = aws.client("opensearch", REGION)
    ec2 = aws.client("ec2", REGION)
    prod = find_vpc(ec2, "northwind-prod")
    clients = ec2.create_security_group(GroupName="search-clients", Description="OpenSearch from the VPC",
                                        VpcId=prod)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=clients, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.20.0.0/16"}]}])
    search.create_domain(
        DomainName="northwind-search", EngineVersion="OpenSearch_2.13",
        ClusterConfig={"InstanceType": "r6g.large.search", "InstanceCount": 3,
                       "ZoneAwarenessEnabled": True, "ZoneAwarenessConfig": {"AvailabilityZoneCount": 3},
                       "DedicatedMasterEnabled": True, "DedicatedMasterCount": 3,
                       "DedicatedMasterType": "m6g.large.search"},
        VPCOptions={"SubnetIds": [find_subnet(ec2, "prod-private-a"), find_subnet(ec2, "prod-private-b")],
                    "SecurityGroupIds": [clients]},
        EncryptionAtRestOptions={"Enabled": True}, NodeToNodeEncryptionOptions={"Enabled": True},
        DomainEndpointOptions={"EnforceHTTPS": True, "TLSSecurityPolicy": LATEST_TLS},
        AdvancedSecurityOptions={"Enabled": True, "InternalUserDatabaseEnabled": False,
                                 "MasterUserOptions": {"MasterUserARN": f"arn:aws:iam::{DEMO_ACCOUNT_ID}:role/northwind-search-admin"}},
        LogPublishingOptions={"AUDIT_LOGS": {"Enabled": True, "CloudWatchLogsLogGroupArn": _log_group("northwind-search-audit")},
                              "ES_APPLICATION_LOGS": {"Enabled": True, "CloudWatchLogsLogGroupArn": _log_group("northwind-search-errors")}},
        AccessPolicies=_policy("northwind-search", {"AWS": f"arn:aws:iam::{DEMO_ACCOUNT_ID}:role/northwind-app"}))
    search.create_domain(
        DomainName="partner-catalog", EngineVersion="OpenSearch_2.11",
        ClusterConfig={"InstanceType": "m6g.large.search", "InstanceCount": 2, "ZoneAwarenessEnabled": True},
        EncryptionAtRestOptions={"Enabled": True}, NodeToNodeEncryptionOptions={"Enabled": True},
        DomainEndpointOptions={"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"},
        AccessPolicies=_policy("partner-catalog", {"AWS": "*"},
                               {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}))
    search.create_domain(
        DomainName="legacy-logs", EngineVersion="Elasticsearch_7.10",
        ClusterConfig={"InstanceType": "t3.small.search", "InstanceCount": 1},
        DomainEndpointOptions={"EnforceHTTPS": False, "TLSSecurityPolicy": "Policy-Min-TLS-1-0-2019-07"},
        AccessPolicies=_policy("legacy-logs", {"AWS": "*"}))


def _software(name: str) -> dict:
    available, current, status = SOFTWARE.get(name, (False, "", "COMPLETED"))
    return {"CurrentVersion": current, "NewVersion": current.rsplit("_R", 1)[0] + "_R20250904" if available else "",
            "UpdateAvailable": available, "Cancellable": False, "UpdateStatus": status,
            "Description": "A newer release is available." if available else "There is no software update available for this domain.",
            "AutomatedUpdateDate": 0, "OptionalDeployment": True}


def _describe_domains(req: FakeRequest) -> FakeResponse | None:
    status, _, body = req.forward()
    if not status.startswith("200"):
        return None
    answer = json.loads(body)
    for domain in answer.get("DomainStatusList", []):
        domain["ServiceSoftwareOptions"] = _software(domain["DomainName"])
    return FakeResponse(answer, content_type="application/json")


FAKES = {("es", "DescribeDomains"): _describe_domains}
