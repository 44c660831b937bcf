"""The demo server's fault injection speaks each protocol's own error shape: botocore must parse
every injected answer as the real service's throttling or AccessDenied error, and our
classification must call it throttled or denied."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from srm_nb.collect.outcomes import classify
from srm_nb.demo.faults import Faults
from srm_nb.demo.server import AwsTestServer

# (boto3 service, a read, botocore's response parser) -- one per protocol our collectors meet.
READS = [
    ("iam", "list_users", "QueryParser"),
    ("ec2", "describe_vpcs", "EC2QueryParser"),
    ("kms", "list_keys", "JSONParser"),
    ("cloudwatch", "describe_alarms", "JSONParser"),  # query-compatible JSON
    ("lambda", "list_functions", "RestJSONParser"),
    ("s3", "list_buckets", "RestXMLParser"),
]


@pytest.fixture(scope="module")
def faulty():
    holder = {}

    def wrap(app):
        holder["faults"] = Faults(app)
        return holder["faults"]

    with AwsTestServer(wrap=wrap) as server:
        yield server, holder["faults"]


def _client(server, service):
    return boto3.client(service, region_name="us-east-1", endpoint_url=server.endpoint,
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))


@pytest.mark.parametrize("service,read,parser", READS)
@pytest.mark.parametrize("kind,expected", [("throttle", "throttled"), ("deny", "denied")])
def test_each_protocol_gets_its_own_error_shape(faulty, service, read, parser, kind, expected):
    server, faults = faulty
    client = _client(server, service)
    assert type(client._response_parser).__name__ == parser
    faults.configure(**{kind: 1.0})
    try:
        with pytest.raises(ClientError) as caught:
            getattr(client, read)()
    finally:
        faults.configure()
    code = caught.value.response["Error"]["Code"]
    assert classify(code) == expected, code
    assert faults.injected() == 0  # configure() started the counts again
    getattr(client, read)()  # and with no shares set, the same read goes through


def _outcomes(client, times: int) -> list[str]:
    """The same read `times` times: "ok" or the error code of each answer."""
    got = []
    for _ in range(times):
        try:
            client.get_account_summary()
            got.append("ok")
        except ClientError as exc:
            got.append(exc.response["Error"]["Code"])
    return got


def test_the_same_seed_fails_the_same_requests_and_retries_get_a_fresh_draw(faulty):
    server, faults = faulty
    iam = _client(server, "iam")
    faults.configure(throttle=0.3, deny=0.2, seed=7)
    first = _outcomes(iam, 40)
    faults.configure(throttle=0.3, deny=0.2, seed=7)
    again = _outcomes(iam, 40)
    faults.configure(throttle=0.3, deny=0.2, seed=8)
    other = _outcomes(iam, 40)
    faults.configure()
    assert first == again != other
    # One request repeated 40 times is not failed every time: each repeat is its own draw.
    assert {"ok", "Throttling", "AccessDenied"} == set(first)


def test_shares_must_be_shares(faulty):
    with pytest.raises(ValueError, match="between 0 and 1"):
        faulty[1].configure(throttle=0.8, deny=0.5)


def test_a_throttled_identity_check_does_not_blame_the_credentials(faulty):
    from srm_nb.aws import AwsAccess, client_config
    from srm_nb.errors import CredentialsError

    server, faults = faulty
    access = AwsAccess(session=boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                             region_name="us-east-1"),
                       endpoint_url=server.endpoint, config=client_config(max_attempts=1))
    faults.configure(throttle=1.0)
    try:
        with pytest.raises(CredentialsError, match="throttled GetCallerIdentity") as caught:
            access.identity()
    finally:
        faults.configure()
    assert "rejected the credentials" not in str(caught.value)


def test_a_streak_bounds_the_faults_one_request_gets_in_a_row(faulty):
    server, faults = faulty
    iam = _client(server, "iam")
    faults.configure(throttle=1.0, streak=2)
    try:
        got = _outcomes(iam, 6)
    finally:
        faults.configure()
    assert got == ["Throttling", "Throttling", "ok"] * 2
