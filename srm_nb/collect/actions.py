"""The IAM actions behind each API operation a collector declares.

The least-privilege policy is derived from the declared API operations. For most services the
IAM action is "<signing name>:<Operation>"; the two tables below hold the exceptions, so a
collector only declares API operation names. tests/test_policy.py checks every derived action
against policyuniverse's list of real IAM actions, so a missing exception fails a test.
"""

from __future__ import annotations

import threading
from typing import Any

# IAM service prefix where it differs from the boto3 service's SigV4 signing name.
IAM_PREFIX = {
    "cloudwatch": "cloudwatch",  # signs as "monitoring"
    "resourcegroupstaggingapi": "tag",  # signs as "tagging"
    "iot-data": "iot",
    "sso": "sso",  # the portal signs as "awsssoportal"
}

# (boto3 service, operation) -> IAM actions, where the action is not "<prefix>:<Operation>". Only
# operations a collector declares (tests/test_policy.py keeps it so).
IAM_ACTIONS = {
    ("s3", "ListBuckets"): ("s3:ListAllMyBuckets",),
    ("s3", "GetBucketEncryption"): ("s3:GetEncryptionConfiguration",),
    ("s3", "GetPublicAccessBlock"): ("s3:GetBucketPublicAccessBlock",),
    ("s3", "GetBucketLifecycleConfiguration"): ("s3:GetLifecycleConfiguration",),
    ("s3", "GetObjectLockConfiguration"): ("s3:GetBucketObjectLockConfiguration",),
    ("s3control", "GetPublicAccessBlock"): ("s3:GetAccountPublicAccessBlock",),
}

# API Gateway authorizes by HTTP method on the resource path, not by operation name.
_HTTP_METHOD_ACTIONS = {"apigateway": "apigateway", "apigatewayv2": "apigateway"}

_service_models: dict[str, Any] = {}
_models_lock = threading.Lock()
_session = None  # the one botocore session that reads the models (made on first use)


def _service_model(service: str):
    global _session
    with _models_lock:
        if service not in _service_models:
            if _session is None:  # a session per model cost 10 ms each, and its own model parsing
                import botocore.session

                from ..aws import share_data_loader

                _session = botocore.session.get_session()
                share_data_loader(_session)
            _service_models[service] = _session.get_service_model(service)
        return _service_models[service]


def iam_prefix(service: str) -> str:
    """The IAM action prefix of a boto3 service (elbv2 -> elasticloadbalancing, ...)."""
    if service in IAM_PREFIX:
        return IAM_PREFIX[service]
    try:
        return _service_model(service).signing_name
    except Exception:  # an unknown service name: fall back rather than break the policy
        return service


def iam_actions_for(service: str, operation: str) -> tuple[str, ...]:
    """The IAM action(s) that authorize one API operation."""
    if (service, operation) in IAM_ACTIONS:
        return IAM_ACTIONS[(service, operation)]
    if service in _HTTP_METHOD_ACTIONS:
        method = _service_model(service).operation_model(operation).http.get("method", "GET")
        return (f"{_HTTP_METHOD_ACTIONS[service]}:{method}",)
    return (f"{iam_prefix(service)}:{operation}",)
