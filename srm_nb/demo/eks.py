"""Demo EKS: the analytics platform's cluster is private, audited, encrypted and current; a data
science sandbox is open to the internet, unlogged, unencrypted and two years behind.

us-east-1:
- `northwind-analytics` (Kubernetes 1.36, newer than the calendar in checks/eks.py, so in
  standard support whatever day the demo runs): private endpoint, audit and authenticator logs,
  secrets encrypted with alias/northwind-data.
- `data-science-sandbox` (1.29, out of all support since 2026-03-23): public endpoint open to
  0.0.0.0/0, no control-plane logs, no secrets encryption.
"""

from __future__ import annotations

from . import DEMO_ACCOUNT_ID, DemoAws
from .kms import DATA_KEY_ALIAS, key_arn
from .vpc import find_subnet

ORDER = 60  # after the VPC (40) and KMS (55)

ROLE = f"arn:aws:iam::{DEMO_ACCOUNT_ID}:role/northwind-eks-cluster"


def seed(aws: DemoAws) -> None:
    eks = aws.client("eks", "us-east-1")
    ec2 = aws.client("ec2", "us-east-1")
    private = [find_subnet(ec2, "prod-private-a"), find_subnet(ec2, "prod-private-b")]
    eks.create_cluster(
        name="northwind-analytics", version="1.36", roleArn=ROLE,
        resourcesVpcConfig={"subnetIds": private, "endpointPublicAccess": False, "endpointPrivateAccess": True},
        logging={"clusterLogging": [{"types": ["audit", "authenticator"], "enabled": True},
                                    {"types": ["api", "controllerManager", "scheduler"], "enabled": False}]},
        encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": key_arn(aws, DATA_KEY_ALIAS)}}])
    eks.create_cluster(
        name="data-science-sandbox", version="1.29", roleArn=ROLE,
        resourcesVpcConfig={"subnetIds": private, "endpointPublicAccess": True, "endpointPrivateAccess": False,
                            "publicAccessCidrs": ["0.0.0.0/0"]},
        logging={"clusterLogging": [{"types": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
                                     "enabled": False}]})
