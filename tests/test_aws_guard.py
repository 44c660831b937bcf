"""The read-only guard: refused operations never leave the process."""

from __future__ import annotations

import boto3
import pytest
import requests
from moto import mock_aws

from srm_nb.aws import AwsAccess, install_read_only_guard, is_read_only
from srm_nb.collect import load_collectors
from srm_nb.collect.base import Ctx, Recorder
from srm_nb.errors import ReadOnlyViolation


@pytest.mark.parametrize("service, operation", [
    ("ec2", "DescribeInstances"), ("s3", "ListBuckets"), ("iam", "GetAccountPasswordPolicy"),
    ("iam", "GenerateCredentialReport"), ("iam", "GetCredentialReport"), ("s3", "HeadBucket"),
    ("securityhub", "BatchGetSecurityControls"), ("sqs", "GetQueueUrl"),
    ("iam", "GetAccessKeyLastUsed"), ("kms", "GetKeyPolicy"),
])
def test_configuration_reads_are_allowed(service, operation):
    assert is_read_only(service, operation)


@pytest.mark.parametrize("service, operation", [
    # writes
    ("s3", "PutBucketPolicy"), ("ec2", "TerminateInstances"), ("iam", "CreateUser"),
    ("s3", "DeleteBucket"), ("ec2", "ModifyInstanceAttribute"), ("kms", "Decrypt"),
    # data, secrets and credentials behind a read-looking name
    ("s3", "GetObject"), ("secretsmanager", "GetSecretValue"), ("ssm", "GetParameters"),
    ("logs", "GetLogEvents"), ("cloudtrail", "LookupEvents"), ("dynamodb", "Scan"),
    ("ec2", "GetPasswordData"), ("lambda", "GetFunction"), ("sts", "GetSessionToken"),
    # caught by the name rules, not listed one by one
    ("redshift", "GetClusterCredentials"), ("codeartifact", "GetAuthorizationToken"),
    ("lightsail", "GetRelationalDatabaseMasterUserPassword"), ("athena", "GetQueryResults"),
    ("quicksight", "GetDashboardEmbedUrl"), ("kinesis", "GetRecords"),
])
def test_writes_and_data_reads_are_refused(service, operation):
    assert not is_read_only(service, operation)


@pytest.mark.parametrize("service, operation", [
    ("redshift", "GetClusterCredentials"), ("redshift", "GetClusterCredentialsWithIAM"),
    ("redshift-serverless", "GetCredentials"), ("redshift-data", "GetStatementResult"),
    ("redshift-data", "GetStatementResultV2"), ("redshift-data", "DescribeStatement"),
    ("redshift-data", "ListStatements"),
])
def test_data_store_credentials_and_query_data_are_refused(service, operation):
    """Database passwords, query results and the SQL text of statements (literals included) are
    data, even behind Describe/List names."""
    assert not is_read_only(service, operation)


@mock_aws
def test_redshift_data_reads_never_leave_the_process():
    client = boto3.client("redshift-data", region_name="us-east-1")
    install_read_only_guard(client)
    with pytest.raises(ReadOnlyViolation, match="ListStatements"):
        client.list_statements()
    with pytest.raises(ReadOnlyViolation, match="GetStatementResult"):
        client.get_statement_result(Id="d9b6c0c9-0747-4bf4-b142-e8883122f766")


def test_every_declared_operation_is_read_only_and_exists():
    """A collector cannot declare a write, nor an operation its boto3 service does not have."""
    import botocore.session

    core = botocore.session.get_session()
    for c in load_collectors().values():
        model = core.get_service_model(c.service)
        for op in c.operations:
            assert op in model.operation_names, f"{c.name}: {c.service} has no operation {op}"
            assert is_read_only(c.service, op), f"{c.name} declares a non-read-only {op}"


@mock_aws
def test_guard_refuses_writes_and_undeclared_operations_before_sending():
    writer = boto3.client("s3", region_name="us-east-1")
    writer.create_bucket(Bucket="kept")
    access = AwsAccess(session=boto3.Session(region_name="us-east-1"))
    client = access.client("s3", "us-east-1", frozenset({"ListBuckets"}))

    with pytest.raises(ReadOnlyViolation, match="only reads configuration"):
        client.delete_bucket(Bucket="kept")
    with pytest.raises(ReadOnlyViolation, match="not declared"):
        client.get_bucket_policy(Bucket="kept")
    assert [b["Name"] for b in client.list_buckets()["Buckets"]] == ["kept"]
    assert [b["Name"] for b in writer.list_buckets()["Buckets"]] == ["kept"]


@mock_aws
def test_guard_refuses_secret_returning_parameters():
    client = boto3.client("apigateway", region_name="us-east-1")
    install_read_only_guard(client)
    client.get_api_keys()  # metadata only: allowed
    with pytest.raises(ReadOnlyViolation, match="includeValues"):
        client.get_api_keys(includeValues=True)


def test_collector_client_refuses_mutation_and_nothing_reaches_the_server(aws_server):
    """Through a real collector's Ctx and client: a write is refused, and moto's request
    recorder shows that only the declared read reached the server."""
    endpoint = aws_server.endpoint
    writer = boto3.client("s3", region_name="us-east-1", endpoint_url=endpoint)
    writer.create_bucket(Bucket="evidence")
    requests.post(f"{endpoint}/moto-api/recorder/reset-recording", timeout=10).raise_for_status()
    requests.post(f"{endpoint}/moto-api/recorder/start-recording", timeout=10).raise_for_status()

    access = AwsAccess(session=boto3.Session(region_name="us-east-1"), endpoint_url=endpoint)
    s3 = load_collectors()["s3_buckets"]
    ctx = Ctx(s3, "us-east-1", access.client("s3", "us-east-1", s3.operations), Recorder(),
              "123456789012", "aws", "global")
    with pytest.raises(ReadOnlyViolation):
        ctx.client.delete_bucket(Bucket="evidence")
    with pytest.raises(ReadOnlyViolation):
        ctx.client.put_bucket_policy(Bucket="evidence", Policy="{}")
    with pytest.raises(ReadOnlyViolation):
        ctx.call("DeleteBucket", Bucket="evidence")  # not declared: refused by Ctx too
    assert "evidence" in [b["Name"] for b in ctx.paginate("ListBuckets", "Buckets")]

    requests.post(f"{endpoint}/moto-api/recorder/stop-recording", timeout=10).raise_for_status()
    log = requests.get(f"{endpoint}/moto-api/recorder/download-recording", timeout=10).text
    recorded = [line for line in log.splitlines() if line.strip()]
    assert len(recorded) == 1, recorded  # the ListBuckets call, nothing else
    assert '"GET"' in recorded[0] and "evidence" not in recorded[0]
    assert "evidence" in [b["Name"] for b in writer.list_buckets()["Buckets"]]
    with pytest.raises(writer.exceptions.ClientError, match="NoSuchBucketPolicy"):  # unchanged
        writer.get_bucket_policy(Bucket="evidence")
    assert ctx.recorder.calls[-1]["operation"] == "ListBuckets"
