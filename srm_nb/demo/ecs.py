"""Demo ECS: the production cluster runs hardened Fargate tasks; a legacy batch cluster runs a
worker that breaks every task-definition rule, and a canary deployment with a public task set.

us-east-1:
- cluster `northwind-prod` (Container Insights on): service `orders-api` on Fargate LATEST in
  private subnets; service `report-export` pinned to Fargate 1.3.0 with public IPs.
- cluster `batch-legacy` (Container Insights off): service `canary` with an EXTERNAL deployment
  controller and two task sets, one in private subnets, one with public IPs.
- task definition `orders-api`: awsvpc, user 1000, read-only root, awslogs, its database
  password from Secrets Manager, the `northwind-shared` EFS volume with encryption in transit.
- task definition `legacy-worker`: host network and PID namespace, privileged, no user, writable
  root, no logging, AWS keys in plain environment variables, EFS without encryption in transit.
  The key values are fake and never collected: only variable names reach the snapshot.
"""

from __future__ import annotations

from . import DEMO_ACCOUNT_ID, DemoAws
from .vpc import find_subnet, find_vpc

ORDER = 60  # after the VPC (40), EC2's security groups and EFS (50)

SECRET = f"arn:aws:secretsmanager:us-east-1:{DEMO_ACCOUNT_ID}:secret:prod/orders-db"


def _file_system(aws: DemoAws, name: str) -> str:
    systems = aws.client("efs", "us-east-1").describe_file_systems()["FileSystems"]
    return next(f["FileSystemId"] for f in systems if f.get("Name") == name)


def seed(aws: DemoAws) -> None:
    ecs = aws.client("ecs", "us-east-1")
    ec2 = aws.client("ec2", "us-east-1")
    prod_vpc = find_vpc(ec2, "northwind-prod")
    app_sg = ec2.describe_security_groups(Filters=[
        {"Name": "group-name", "Values": ["app-tier"]},
        {"Name": "vpc-id", "Values": [prod_vpc]}])["SecurityGroups"][0]["GroupId"]
    shared = _file_system(aws, "northwind-shared")

    def network(public: bool, *subnets: str) -> dict:
        return {"awsvpcConfiguration": {"subnets": [find_subnet(ec2, s) for s in subnets],
                                        "securityGroups": [app_sg],
                                        "assignPublicIp": "ENABLED" if public else "DISABLED"}}

    ecs.register_task_definition(
        family="orders-api", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="512",
        memory="1024", runtimePlatform={"operatingSystemFamily": "LINUX"},
        containerDefinitions=[{
            "name": "api", "image": f"{DEMO_ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com/northwind/orders-api:2026.11",
            "user": "1000:1000", "readonlyRootFilesystem": True, "essential": True,
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": "/ecs/orders-api", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "api"}},
            "environment": [{"name": "ORDERS_DB_HOST", "value": "orders-prod.internal"}],
            "secrets": [{"name": "ORDERS_DB_PASSWORD", "valueFrom": SECRET}],
            "mountPoints": [{"sourceVolume": "shared", "containerPath": "/mnt/shared", "readOnly": True}]}],
        volumes=[{"name": "shared", "efsVolumeConfiguration": {"fileSystemId": shared,
                                                                "transitEncryption": "ENABLED"}}])
    ecs.register_task_definition(
        family="legacy-worker", networkMode="host", pidMode="host", requiresCompatibilities=["EC2"],
        containerDefinitions=[{
            "name": "worker", "image": "northwind/legacy-worker:latest", "memory": 512, "privileged": True,
            "environment": [{"name": "AWS_ACCESS_KEY_ID", "value": "AKIADEMOFAKEKEY00000"},
                            {"name": "AWS_SECRET_ACCESS_KEY", "value": "demo-fake-secret-never-collected"}],
            "mountPoints": [{"sourceVolume": "scratch", "containerPath": "/scratch"}]}],
        volumes=[{"name": "scratch", "efsVolumeConfiguration": {"fileSystemId": shared}}])

    ecs.create_cluster(clusterName="northwind-prod", settings=[{"name": "containerInsights", "value": "enabled"}])
    ecs.create_service(cluster="northwind-prod", serviceName="orders-api", taskDefinition="orders-api",
                       desiredCount=2, launchType="FARGATE", platformVersion="LATEST",
                       networkConfiguration=network(False, "prod-private-a", "prod-private-b"))
    ecs.create_service(cluster="northwind-prod", serviceName="report-export", taskDefinition="orders-api",
                       desiredCount=1, launchType="FARGATE", platformVersion="1.3.0",
                       networkConfiguration=network(True, "prod-public-a"))

    ecs.create_cluster(clusterName="batch-legacy", settings=[{"name": "containerInsights", "value": "disabled"}])
    ecs.create_service(cluster="batch-legacy", serviceName="canary", taskDefinition="orders-api",
                       desiredCount=1, deploymentController={"type": "EXTERNAL"})
    for public, subnet in ((False, "prod-private-a"), (True, "prod-public-b")):
        ecs.create_task_set(cluster="batch-legacy", service="canary", taskDefinition="orders-api",
                            launchType="FARGATE", externalId=f"canary-{'public' if public else 'private'}",
                            networkConfiguration=network(public, subnet))
