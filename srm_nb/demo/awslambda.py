"""Demo Lambda: current and deprecated runtimes, a public function URL, a public resource policy.

us-east-1:
- `orders-api` (python3.13): in the northwind-prod VPC, function URL with AWS_IAM auth, invoked
  by API Gateway of this account only.
- `report-export` (python3.8, deprecated 2024-10-14): function URL with AuthType NONE and the
  public InvokeFunctionUrl permission that goes with it.
- `thumbnailer` (nodejs18.x, deprecated 2025-09-01): invoked by S3, limited to this account.
- `partner-webhook` (nodejs22.x): resource policy lets anyone (*) invoke it.
eu-west-1:
- `gdpr-erasure` (python3.12): no VPC, no URL, no resource policy.

moto 5.2.5 stores function URLs (CreateFunctionUrlConfig) but does not implement
ListFunctionUrlConfigs, which the collector reads: FAKES answers it from moto's own function
state, in the real API's JSON shape.
"""

from __future__ import annotations

import io
import json
import zipfile

from . import DEMO_ACCOUNT_ID, DemoAws
from .server import FakeRequest, FakeResponse
from .vpc import find_subnet, find_vpc

ORDER = 60  # after the VPC and security groups it runs in
ROLE = "northwind-lambda-exec"
ZIP_DATE = (2026, 1, 5, 9, 0, 0)  # fixed, so the package and its hash never change


def _package(source: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("handler.py", ZIP_DATE), source)
    return buf.getvalue()


CODE = _package("def handler(event, context):\n    return {'statusCode': 200}\n")


def seed(aws: DemoAws) -> None:
    iam = aws.client("iam")
    role = iam.create_role(RoleName=ROLE, Description="Execution role of Northwind's functions",
                           AssumeRolePolicyDocument=json.dumps({
                               "Version": "2012-10-17",
                               "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                              "Principal": {"Service": "lambda.amazonaws.com"}}]}))["Role"]["Arn"]
    us = aws.client("lambda", "us-east-1")
    ec2 = aws.client("ec2", "us-east-1")
    app_sg = ec2.describe_security_groups(Filters=[
        {"Name": "group-name", "Values": ["app-tier"]},
        {"Name": "vpc-id", "Values": [find_vpc(ec2, "northwind-prod")]}])["SecurityGroups"][0]["GroupId"]

    def function(client, name: str, runtime: str, **extra) -> None:
        client.create_function(FunctionName=name, Runtime=runtime, Role=role, Handler="handler.handler",
                               Code={"ZipFile": CODE}, Description=f"Northwind {name}", **extra)

    function(us, "orders-api", "python3.13", VpcConfig={
        "SubnetIds": [find_subnet(ec2, "prod-private-a"), find_subnet(ec2, "prod-private-b")],
        "SecurityGroupIds": [app_sg]})
    us.create_function_url_config(FunctionName="orders-api", AuthType="AWS_IAM")
    us.add_permission(FunctionName="orders-api", StatementId="apigw-orders", Action="lambda:InvokeFunction",
                      Principal="apigateway.amazonaws.com",
                      SourceArn=f"arn:aws:execute-api:us-east-1:{DEMO_ACCOUNT_ID}:a1b2c3d4e5/*/POST/orders")

    function(us, "report-export", "python3.8")
    us.create_function_url_config(FunctionName="report-export", AuthType="NONE")
    us.add_permission(FunctionName="report-export", StatementId="public-url", Action="lambda:InvokeFunctionUrl",
                      Principal="*", FunctionUrlAuthType="NONE")

    function(us, "thumbnailer", "nodejs18.x")
    us.add_permission(FunctionName="thumbnailer", StatementId="s3-uploads", Action="lambda:InvokeFunction",
                      Principal="s3.amazonaws.com", SourceAccount=DEMO_ACCOUNT_ID,
                      SourceArn="arn:aws:s3:::northwind-uploads")

    function(us, "partner-webhook", "nodejs22.x")
    us.add_permission(FunctionName="partner-webhook", StatementId="anyone", Action="lambda:InvokeFunction",
                      Principal="*")

    function(aws.client("lambda", "eu-west-1"), "gdpr-erasure", "python3.12")


def _function_url_configs(req: FakeRequest) -> FakeResponse:
    from moto.awslambda.models import lambda_backends

    backend = lambda_backends[DEMO_ACCOUNT_ID][req.region]
    name = str(req.params.get("FunctionName", "")).split(":")[-1]
    try:
        fn = backend.get_function(name)
    except Exception:  # moto's own not-found error: answer as AWS does
        return FakeResponse({"__type": "ResourceNotFoundException", "Type": "User",
                             "Message": f"Function not found: {name}"}, status=404,
                            content_type="application/json")
    urls = [fn.url_config.to_dict()] if getattr(fn, "url_config", None) else []
    return FakeResponse({"FunctionUrlConfigs": urls}, content_type="application/json")


FAKES = {("lambda", "ListFunctionUrlConfigs"): _function_url_configs}
