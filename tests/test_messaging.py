"""SQS and SNS topics: collectors (moto; Stubber for SNS data protection policies, which moto lacks),
the encryption, public-policy and data protection checks both ways, policies judged with fixed
condition values only, and the guard that keeps message bodies and phone numbers unread."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from srm_nb.aws import AwsAccess, install_read_only_guard, is_read_only
from srm_nb.checks.policy import is_public_policy
from srm_nb.collect import load_collectors
from srm_nb.collect.base import REGISTRY, Ctx, Recorder
from srm_nb.collect.runner import collect
from srm_nb.errors import ReadOnlyViolation
from test_ec2_checks import REGION, run, snapshot

ACCOUNT = "123456789012"  # moto's account


def _policy(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


PUBLIC_SEND = {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}


@mock_aws
def test_sqs_collector_and_verdicts():
    sqs = boto3.client("sqs", region_name=REGION)
    sqs.create_queue(QueueName="default")  # SSE-SQS, as AWS does for new queues
    sqs.create_queue(QueueName="kms", Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
    sqs.create_queue(QueueName="plain", Attributes={"SqsManagedSseEnabled": "false", "Policy": _policy(PUBLIC_SEND)})
    s = collect(AwsAccess(session=boto3.Session(region_name=REGION)), [REGION], services=["sqs"], quiet=True)
    assert s.gaps.empty, s.gaps
    attrs = s.table("sqs_queue_attributes").set_index("name")
    assert attrs.loc["kms", "kms_master_key_id"] == "alias/aws/sqs" and not bool(attrs.loc["plain", "sqs_managed_sse_enabled"])
    assert attrs.loc["default", "arn"] == f"arn:aws:sqs:{REGION}:{ACCOUNT}:default"
    assert run(s, "sqs_queue_encrypted") == {"default": "PASS", "kms": "PASS", "plain": "FAIL"}
    assert run(s, "sqs_queue_policy_not_public") == {"default": "PASS", "kms": "PASS", "plain": "FAIL"}


def queue(name, **attrs):
    return {"name": name, "arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}", **attrs}


def test_queue_encryption_unknown_when_the_attribute_is_missing():
    s = snapshot(sqs_queues=[queue("a"), queue("b"), queue("unread")],
                 sqs_queue_attributes=[queue("a", kms_master_key_id="arn:aws:kms:us-east-1:1:key/k"),
                                       queue("b", sqs_managed_sse_enabled=None)])
    assert run(s, "sqs_queue_encrypted") == {"a": "PASS", "b": "ERROR", "unread": "ERROR"}


def test_queues_without_any_policy_pass_and_raise_no_dtype_warning():
    s = snapshot(sqs_queues=[queue("a"), queue("unread")], sqs_queue_attributes=[queue("a")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pandas warned (and will raise) on a float column filled with False
        assert run(s, "sqs_queue_policy_not_public") == {"a": "PASS", "unread": "ERROR"}


@pytest.mark.parametrize("condition, public", [
    ({"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:orders"}}, False),
    ({"StringEquals": {"aws:SourceAccount": ACCOUNT}}, False),
    # AWS Config (SQS.3, SNS.4): a wildcard or a policy variable in the value pins nobody down.
    ({"ArnLike": {"aws:SourceArn": f"arn:aws:sns:*:{ACCOUNT}:*"}}, True),
    ({"StringEquals": {"aws:PrincipalAccount": "${aws:username}"}}, True),
    ({"StringLike": {"aws:SourceAccount": "12345678901?"}}, True),
    ({}, True),
])
def test_queue_and_topic_policies_count_only_fixed_condition_values(condition, public):
    statement = {**PUBLIC_SEND, **({"Condition": condition} if condition else {})}
    s = snapshot(sqs_queues=[queue("q")], sqs_queue_attributes=[queue("q", policy_json=_policy(statement))],
                 sns_topics=[topic("t")], sns_topic_attributes=[topic("t", policy_json=_policy(statement))])
    expected = "FAIL" if public else "PASS"
    assert run(s, "sqs_queue_policy_not_public") == {"q": expected}
    assert run(s, "sns_topic_policy_not_public") == {"t": expected}


def test_fixed_values_is_off_for_other_resource_policies():
    wildcard = {**PUBLIC_SEND, "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:sns:*:{ACCOUNT}:*"}}}
    assert not is_public_policy(_policy(wildcard))
    assert is_public_policy(_policy(wildcard), fixed_values=True)


def topic(name, **attrs):
    return {"name": name, "arn": f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}", **attrs}


def _run_topics(setup) -> Recorder:
    load_collectors()
    client = boto3.client("sns", region_name=REGION)
    recorder = Recorder(calls_per_service=1)  # one request at a time: a Stubber answers in order
    with Stubber(client) as stub:
        setup(stub)
        REGISTRY["sns_topics"].func(Ctx(REGISTRY["sns_topics"], REGION, client, recorder, ACCOUNT, "aws", REGION))
        stub.assert_no_pending_responses()
    return recorder


DEFAULT_POLICY = _policy({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "SNS:Publish",
                          "Resource": topic("orders")["arn"], "Condition": {"StringEquals": {"AWS:SourceOwner": ACCOUNT}}})


def test_sns_topic_collector_reads_attributes_and_data_protection():
    arns = [topic(n)["arn"] for n in ("orders", "alerts")]

    def setup(stub):
        stub.add_response("list_topics", {"Topics": [{"TopicArn": a} for a in arns]}, {})
        stub.add_response("get_topic_attributes", {"Attributes": {
            "TopicArn": arns[0], "Owner": ACCOUNT, "Policy": DEFAULT_POLICY, "KmsMasterKeyId": "alias/aws/sns"}},
            {"TopicArn": arns[0]})
        stub.add_response("get_data_protection_policy", {"DataProtectionPolicy": '{"Statement": [{"Sid": "a"}]}'},
                          {"ResourceArn": arns[0]})
        stub.add_client_error("get_topic_attributes", "AuthorizationError", "no", http_status_code=403,
                              expected_params={"TopicArn": arns[1]})
        stub.add_response("get_data_protection_policy", {"DataProtectionPolicy": ""}, {"ResourceArn": arns[1]})

    recorder = _run_topics(setup)
    assert [t["name"] for t in recorder.rows["sns_topics"]] == ["orders", "alerts"]
    assert recorder.rows["sns_topic_attributes"][0]["kms_master_key_id"] == "alias/aws/sns"
    protection = {r["name"]: r["policy_json"] for r in recorder.rows["sns_topic_data_protection"]}
    assert protection == {"orders": '{"Statement": [{"Sid": "a"}]}', "alerts": None}
    assert [(g["table"], g["resource_id"], g["status"]) for g in recorder.gaps] == [
        ("sns_topic_attributes", "alerts", "denied")]


def test_topic_encryption_policy_and_data_protection_verdicts():
    s = snapshot(
        sns_topics=[topic("orders"), topic("alerts"), topic("unread")],
        sns_topic_attributes=[topic("orders", kms_master_key_id="alias/aws/sns", policy_json=DEFAULT_POLICY),
                              topic("alerts", policy_json=_policy({**PUBLIC_SEND, "Action": "sns:Subscribe"}))],
        sns_topic_data_protection=[topic("orders", policy_json='{"Statement": [{"Sid": "audit"}]}'),
                                   topic("alerts", policy_json=None), topic("unread", policy_json='{"Statement": []}')],
        gaps=[{"table": "sns_topic_attributes", "region": REGION, "resource_id": "unread", "service": "sns",
               "operation": "GetTopicAttributes", "status": "denied", "error_code": "AuthorizationError"}])
    assert run(s, "sns_topic_encrypted") == {"orders": "PASS", "alerts": "FAIL", "unread": "ERROR"}
    assert run(s, "sns_topic_policy_not_public") == {"orders": "PASS", "alerts": "FAIL", "unread": "ERROR"}
    assert run(s, "sns_topic_data_protection_enabled") == {"orders": "PASS", "alerts": "FAIL", "unread": "FAIL"}


@pytest.mark.parametrize("service, operation", [
    ("sqs", "ReceiveMessage"), ("sns", "GetEndpointAttributes"), ("sns", "ListEndpointsByPlatformApplication"),
    ("sns", "ListPhoneNumbersOptedOut"), ("sns", "ListSMSSandboxPhoneNumbers"), ("apigateway", "GetUsagePlanKeys"),
    ("apigateway", "GetUsagePlanKey"), ("cloudfront", "GetFunction"), ("cloudfront-keyvaluestore", "GetKey"),
    ("cloudfront-keyvaluestore", "ListKeys"),
])
def test_message_bodies_keys_and_personal_data_are_never_read(service, operation):
    assert not is_read_only(service, operation)


@mock_aws
def test_guarded_client_refuses_to_receive_messages_and_the_message_stays():
    writer = boto3.client("sqs", region_name=REGION)
    url = writer.create_queue(QueueName="orders")["QueueUrl"]
    writer.send_message(QueueUrl=url, MessageBody="card 4111 1111 1111 1111")
    reader = boto3.client("sqs", region_name=REGION)
    install_read_only_guard(reader, load_collectors()["sqs"].operations)
    with pytest.raises(ReadOnlyViolation, match="ReceiveMessage"):
        reader.receive_message(QueueUrl=url)
    attrs = reader.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert attrs["Attributes"]["ApproximateNumberOfMessages"] == "1"
