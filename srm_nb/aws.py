"""AWS access: sessions, assumed roles, and clients that can only read.

Every client the collectors use comes from `AwsAccess.client()`, which registers the read-only
guard on it. The guard runs on botocore's `before-call` event, before a request is signed or
sent, so an operation outside the allowlist never reaches AWS.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field

import boto3
import botocore.credentials
import botocore.session
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
    SSOTokenLoadError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)

from .errors import CredentialsError, ReadOnlyViolation, UsageError

# Where a partition's global services (IAM, S3 listing, STS) answer.
HOME_REGION = {"aws": "us-east-1", "aws-us-gov": "us-gov-west-1", "aws-cn": "cn-north-1"}

# Operation name prefixes that read configuration. BatchGet* reads several items at once
# (Security Hub controls, Inspector account status...).
READ_PREFIXES = ("Describe", "List", "Get", "BatchGet", "Lookup", "Search")

# Writes we need and accept: the IAM credential report must be generated before it can be read,
# and assuming the client's role is how a consultant gets in.
ALLOWED_WRITES = frozenset({("iam", "GenerateCredentialReport"), ("sts", "AssumeRole")})

# Reads without a read prefix, and reads the data-read rules below would refuse but that only
# return configuration.
ALLOWED_READS = frozenset({("s3", "HeadBucket"), ("sqs", "GetQueueUrl")})

# Reads that return customer data, secrets or fresh credentials rather than configuration.
DATA_READS = frozenset(
    {
        ("s3", "GetObject"),
        ("s3", "GetObjectAttributes"),
        ("s3", "GetObjectTorrent"),
        ("s3", "GetObjectRetention"),
        ("s3", "GetObjectLegalHold"),
        ("s3", "SelectObjectContent"),
        ("dynamodb", "GetItem"),
        ("dynamodb", "BatchGetItem"),
        ("dynamodb", "Scan"),
        ("dynamodb", "Query"),
        ("dynamodbstreams", "GetRecords"),
        ("kinesis", "GetRecords"),
        ("secretsmanager", "GetSecretValue"),
        ("secretsmanager", "BatchGetSecretValue"),
        ("secretsmanager", "GetRandomPassword"),
        ("ssm", "GetParameter"),
        ("ssm", "GetParameters"),
        ("ssm", "GetParametersByPath"),
        ("ssm", "GetParameterHistory"),
        ("logs", "GetLogEvents"),
        ("logs", "FilterLogEvents"),
        ("logs", "GetQueryResults"),
        ("logs", "GetLogRecord"),
        ("logs", "GetLogObject"),
        ("cloudtrail", "LookupEvents"),
        ("cloudtrail", "GetQueryResults"),
        ("athena", "GetQueryResults"),
        ("lambda", "GetFunction"),  # returns a presigned link to the function's code
        ("lambda", "GetLayerVersion"),  # same, for the layer's code
        ("lambda", "GetLayerVersionByArn"),
        ("ec2", "GetPasswordData"),
        ("ec2", "GetConsoleOutput"),
        ("ec2", "GetConsoleScreenshot"),
        ("ec2", "GetLaunchTemplateData"),  # includes the instance's user data
        ("ecr", "GetAuthorizationToken"),
        ("ecr", "BatchGetImage"),
        ("ecr", "GetDownloadUrlForLayer"),
        ("inspector2", "BatchGetCodeSnippet"),  # lines of the customer's Lambda code
        ("inspector2", "GetCisScanReport"),  # a signed link to the report's file
        ("glacier", "GetJobOutput"),
        ("codecommit", "GetBlob"),
        ("codecommit", "GetFile"),
        ("codecommit", "GetFolder"),
        ("ivs", "GetStreamKey"),
        ("ivs", "BatchGetStreamKey"),
        ("wafv2", "GetDecryptedAPIKey"),
        ("lightsail", "GetInstanceAccessDetails"),
        ("lightsail", "GetBucketAccessKeys"),
        ("sts", "GetSessionToken"),
        ("sts", "GetFederationToken"),
        ("kms", "GetParametersForImport"),
        ("cognito-identity", "GetId"),  # creates an identity
        ("cognito-identity", "GetCredentialsForIdentity"),
        ("redshift", "GetClusterCredentials"),  # temporary database passwords
        ("redshift", "GetClusterCredentialsWithIAM"),
        ("redshift-serverless", "GetCredentials"),
        ("redshift-data", "GetStatementResult"),  # query result rows
        ("redshift-data", "GetStatementResultV2"),
        ("redshift-data", "DescribeStatement"),  # the SQL text, literals included
        ("redshift-data", "ListStatements"),
        ("sqs", "ReceiveMessage"),  # message bodies (and it hides them from consumers)
        ("sns", "GetEndpointAttributes"),  # mobile push device tokens and user data
        ("sns", "ListEndpointsByPlatformApplication"),
        ("sns", "ListPhoneNumbersOptedOut"),  # people's phone numbers
        ("sns", "ListSMSSandboxPhoneNumbers"),
        ("apigateway", "GetUsagePlanKey"),  # returns the API key's value
        ("apigateway", "GetUsagePlanKeys"),
        ("cloudfront", "GetFunction"),  # the CloudFront Function's code
        ("cloudfront-keyvaluestore", "GetKey"),  # values stored for edge functions
        ("cloudfront-keyvaluestore", "ListKeys"),
    }
)

# Name endings of Get*/BatchGet* operations that hand out credentials, secrets, signed links or
# stored content: refused in every service, so a new AWS operation of that kind is refused too.
DATA_READ_SUFFIXES = (
    "Token", "Credentials", "SecretValue", "Password", "PasswordData", "Content", "Blob", "File",
    "Records", "Object", "Output", "QueryResults", "LogEvents", "Url", "DownloadLink",
)

# Read operations that return secrets only when asked to: the parameter value that asks is refused.
SECRET_PARAMS = {
    ("apigateway", "GetApiKey"): ("includeValue", True),
    ("apigateway", "GetApiKeys"): ("includeValues", True),
    ("ec2", "DescribeInstanceAttribute"): ("Attribute", "userData"),
}


def is_read_only(service: str, operation: str) -> bool:
    """True when `operation` of `service` only reads configuration (never data or secrets)."""
    key = (service, operation)
    if key in ALLOWED_WRITES or key in ALLOWED_READS:
        return True
    if key in DATA_READS:
        return False
    if not operation.startswith(READ_PREFIXES):
        return False
    if operation.startswith(("Get", "BatchGet")) and operation.endswith(DATA_READ_SUFFIXES):
        return False
    return True


def install_read_only_guard(client, declared: frozenset[str] | None = None) -> None:
    """Refuse, before anything is sent, any call that is not a declared read-only operation.

    `declared` is the set of operations the owner of this client declared; None allows any
    read-only operation (used for the session's own STS and region look-ups).

    The guard runs on `provide-client-params`, the first event of every API call (before the
    request is even built), and again on `before-call`, the last one before signing and sending.
    """
    service = client.meta.service_model.service_name

    def check(name: str, params: dict | None) -> None:
        if not is_read_only(service, name):
            raise ReadOnlyViolation(
                f"refused {service}:{name}: srm-workbook only reads configuration; "
                "this operation could change the account or read customer data or secrets"
            )
        if declared is not None and name not in declared:
            raise ReadOnlyViolation(
                f"refused {service}:{name}: not declared by the collector that owns this client "
                "(declare it next to the collector so `srm policy` grants it)"
            )
        rule = SECRET_PARAMS.get((service, name))
        if rule and params is not None and params.get(rule[0]) == rule[1]:
            raise ReadOnlyViolation(
                f"refused {service}:{name} with {rule[0]}={rule[1]!r}: it would return secrets"
            )

    def on_params(params, model, **_):
        check(model.name, params)

    def before_call(model, **_):
        check(model.name, None)

    # unique_id makes registration idempotent if a client is ever guarded twice.
    service_id = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register_first(f"provide-client-params.{service_id}", on_params,
                                      unique_id="srm-read-only-guard-params")
    client.meta.events.register_first(f"before-call.{service_id}", before_call,
                                      unique_id="srm-read-only-guard")


DEFAULT_MAX_ATTEMPTS = 8


def client_config(max_attempts: int | None = None, pool: int = 16) -> Config:
    """Standard retries (exponential backoff with jitter, capped at 20 s) with a bound, so
    throttling slows us down instead of failing the run.

    Not botocore's adaptive mode: its client-side limiter cuts a client's rate at every
    throttle, down to 0.5 requests/s, and each of our clients serves one collector in one region,
    so a few throttles stall that collector's whole chain (bench/faults.py: 30% throttling cost
    16x the unthrottled wall in adaptive mode, 3.7x in standard). In-flight requests per service
    are bounded by the runner instead. The AWS_MAX_ATTEMPTS / AWS_RETRY_MODE settings are honoured
    when set (an explicit Config would otherwise override them).
    """
    if max_attempts is None:
        max_attempts = int(os.environ.get("AWS_MAX_ATTEMPTS") or DEFAULT_MAX_ATTEMPTS)
    mode = os.environ.get("AWS_RETRY_MODE") or "standard"
    return Config(
        retries={"mode": mode, "total_max_attempts": max(1, max_attempts)},  # first try included
        max_pool_connections=pool,
        connect_timeout=10,
        read_timeout=60,
        user_agent_extra="srm-workbook",
    )


_ACCOUNT_HOST_PREFIX = re.compile(r"^(https?://)\d{12}\.")


def _single_host(client) -> None:
    """A custom endpoint is one host: drop the "<account-id>." host prefix S3 Control's endpoint
    rules add (no DNS name exists for it on a local or proxy endpoint). Runs before signing."""

    def strip_prefix(request, **_):
        request.url = _ACCOUNT_HOST_PREFIX.sub(r"\1", request.url)

    service_id = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register(f"before-sign.{service_id}", strip_prefix,
                                unique_id="srm-single-host")


@dataclass
class Identity:
    account_id: str
    arn: str
    partition: str
    user_id: str = ""


_DATA_LOADER = None


def share_data_loader(core: botocore.session.Session) -> None:
    """Point a botocore session at the process's one data loader. A loader caches the service
    models it parses, but every new session gets a fresh one, and parsing the JSON of a run's
    ~40 services again costs about 0.6 s of CPU per session: per account in a fleet, per role."""
    global _DATA_LOADER
    if _DATA_LOADER is None:
        _DATA_LOADER = core.get_component("data_loader")
    else:
        core.register_component("data_loader", _DATA_LOADER)


@dataclass
class AwsAccess:
    """A boto3 session plus how to reach AWS: the one factory for every client we use."""

    session: boto3.Session
    endpoint_url: str | None = None
    config: Config = field(default_factory=client_config)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _clients: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        share_data_loader(self.session._session)

    def client(self, service: str, region: str, declared: frozenset[str] | None = None):
        """A guarded client, cached per (service, region, declared operations).

        boto3 sessions are not thread-safe when creating clients, hence the lock; the clients
        themselves are safe to share between threads.
        """
        key = (service, region, declared)
        with self._lock:
            if key not in self._clients:
                config = self.config
                if self.endpoint_url:
                    # A custom endpoint is one host: no "<account-id>." host prefix (S3 Control).
                    config = config.merge(Config(inject_host_prefix=False))
                client = self.session.client(
                    service, region_name=region, endpoint_url=self.endpoint_url, config=config
                )
                install_read_only_guard(client, declared)
                if self.endpoint_url:
                    _single_host(client)
                self._clients[key] = client
            return self._clients[key]

    def identity(self) -> Identity:
        """Who we are, checked once before any collection starts."""
        region = self.session.region_name or "us-east-1"
        try:
            got = self.client("sts", region).get_caller_identity()
        except NoCredentialsError as exc:
            raise CredentialsError(
                "no AWS credentials found: pass --profile NAME, set AWS_PROFILE, or export "
                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (see `srm assess --help`)"
            ) from exc
        except ClientError as exc:
            from .collect.outcomes import classify

            code = exc.response.get("Error", {}).get("Code", "")
            if classify(code) == "throttled":  # the credentials may be fine: do not blame them
                raise CredentialsError(
                    f"AWS STS throttled GetCallerIdentity ({code}) even after retries: try again "
                    "in a minute, or allow more attempts with AWS_MAX_ATTEMPTS"
                ) from exc
            raise CredentialsError(
                f"AWS rejected the credentials ({code}): refresh them (e.g. `aws sso login`) "
                "or check the profile"
            ) from exc
        except (SSOTokenLoadError, UnauthorizedSSOTokenError, TokenRetrievalError) as exc:
            raise CredentialsError(
                f"the AWS SSO session has expired or was never started ({exc}): run "
                "`aws sso login --profile NAME`, then try again"
            ) from exc
        except PartialCredentialsError as exc:
            raise CredentialsError(
                f"incomplete AWS credentials ({exc}): set both AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY, or use --profile"
            ) from exc
        except BotoCoreError as exc:
            raise CredentialsError(
                f"could not reach AWS STS ({exc}): check the network, the proxy settings and "
                "--endpoint-url"
            ) from exc
        arn = got["Arn"]
        return Identity(
            account_id=got["Account"], arn=arn, partition=partition_of(arn), user_id=got["UserId"]
        )


PARTITIONS = ("aws", "aws-us-gov", "aws-cn", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f",
              "aws-eusc")
_ROLE_ARN = re.compile(r"arn:(aws[a-z-]*):iam::(\d{12}):role/[\w+=,.@/-]+")


def partition_of(arn: str) -> str:
    """The partition of an ARN (arn:<partition>:...): aws, aws-us-gov, aws-cn..."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or parts[1] not in PARTITIONS:
        raise CredentialsError(f"unexpected caller ARN {arn!r} from STS: not an AWS ARN")
    return parts[1]


def make_access(
    profile: str | None = None,
    region: str | None = None,
    role_arn: str | list[str] | tuple[str, ...] | None = None,
    external_id: str | None = None,
    session_name: str = "srm-workbook",
    endpoint_url: str | None = None,
) -> AwsAccess:
    """Build the session from the standard credential chain, optionally assuming a role.

    `role_arn` may be a chain (a list): each role is assumed with the previous one's credentials,
    and `external_id` goes to the last. Every hop's credentials refresh themselves, so a long
    collection (or a fleet) outlives one-hour role-chained sessions.
    `endpoint_url` defaults to $AWS_ENDPOINT_URL (boto3's own setting for a custom endpoint).
    """
    endpoint_url = endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
    try:
        base = boto3.Session(profile_name=profile, region_name=region)
    except ProfileNotFound as exc:
        raise CredentialsError(
            f"AWS profile {profile!r} not found: list profiles with `aws configure list-profiles`"
        ) from exc
    chain = [role_arn] if isinstance(role_arn, str) else list(role_arn or [])
    for arn in chain:
        if not _ROLE_ARN.fullmatch(arn):
            raise UsageError(
                f"--role-arn {arn!r} is not an IAM role ARN "
                "(expected arn:aws:iam::111122223333:role/NAME)"
            )
    if not base.region_name:
        base = boto3.Session(profile_name=profile, region_name="us-east-1")
    access = AwsAccess(session=base, endpoint_url=endpoint_url)
    for i, arn in enumerate(chain):
        access = _assume(access, arn, external_id if i == len(chain) - 1 else None, session_name)
    return access


def _assume(access: AwsAccess, role_arn: str, external_id: str | None, session_name: str) -> AwsAccess:
    """`access`'s identity assuming `role_arn`, with refreshing credentials."""
    base = access.session
    endpoint_url = access.endpoint_url
    # STS must be called in the role's partition (a GovCloud role from a GovCloud region).
    role_partition = role_arn.split(":")[1]
    sts_region = base.region_name
    if base.get_partition_for_region(sts_region) != role_partition:
        sts_region = HOME_REGION.get(role_partition, sts_region)
    sts = access.client("sts", sts_region)

    def fetch():
        kwargs = {"RoleArn": role_arn, "RoleSessionName": session_name, "DurationSeconds": 3600}
        if external_id:
            kwargs["ExternalId"] = external_id
        try:
            creds = sts.assume_role(**kwargs)["Credentials"]
        except NoCredentialsError as exc:
            raise CredentialsError(
                "no base credentials to assume the role with: pass --profile or export keys"
            ) from exc
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            raise CredentialsError(
                f"could not assume {role_arn} ({code}): check the role's trust policy allows "
                "your identity and that --external-id matches"
            ) from exc
        except BotoCoreError as exc:
            raise CredentialsError(f"could not reach AWS STS to assume {role_arn} ({exc})") from exc
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": creds["Expiration"].isoformat(),
        }

    credentials = botocore.credentials.RefreshableCredentials.create_from_metadata(
        metadata=fetch(), refresh_using=fetch, method="sts-assume-role"
    )
    core = botocore.session.get_session()
    core._credentials = credentials  # botocore has no public setter for refreshable credentials
    core.set_config_variable("region", sts_region)
    return AwsAccess(session=boto3.Session(botocore_session=core), endpoint_url=endpoint_url)
