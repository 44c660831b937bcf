"""AWS access: sessions, assumed roles, and clients that can only read.

Every client the collectors use comes from `AwsAccess.client()`, which registers the read-only
guard on it. The guard runs on botocore's `before-call` event, before a request is signed or
sent, so an operation outside the allowlist never reaches AWS.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import boto3
import botocore.credentials
import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound

from .errors import CredentialsError, ReadOnlyViolation

# Operation name prefixes that read configuration.
READ_PREFIXES = ("Describe", "List", "Get", "Lookup", "Search")

# Writes we need and accept: the IAM credential report must be generated before it can be read,
# and assuming the client's role is how a consultant gets in.
ALLOWED_WRITES = frozenset({("iam", "GenerateCredentialReport"), ("sts", "AssumeRole")})

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
        ("cloudtrail", "LookupEvents"),
        ("lambda", "GetFunction"),  # returns a presigned link to the function's code
        ("ec2", "GetPasswordData"),
        ("ec2", "GetConsoleOutput"),
        ("ec2", "GetConsoleScreenshot"),
        ("ecr", "GetAuthorizationToken"),
        ("sts", "GetSessionToken"),
        ("sts", "GetFederationToken"),
        ("kms", "GetParametersForImport"),
        ("cognito-identity", "GetId"),
        ("cognito-identity", "GetCredentialsForIdentity"),
    }
)


def is_read_only(service: str, operation: str) -> bool:
    """True when `operation` of `service` only reads configuration."""
    if (service, operation) in ALLOWED_WRITES:
        return True
    if (service, operation) in DATA_READS:
        return False
    return operation.startswith(READ_PREFIXES)


def install_read_only_guard(client, declared: frozenset[str] | None = None) -> None:
    """Refuse, before anything is sent, any call that is not a declared read-only operation.

    `declared` is the set of operations the owner of this client declared; None allows any
    read-only operation (used for the session's own STS and region look-ups).
    """
    service = client.meta.service_model.service_name

    def guard(model, **_):
        name = model.name
        if not is_read_only(service, name):
            raise ReadOnlyViolation(
                f"refused {service}:{name}: srm-workbook only reads configuration; "
                "this operation could change the account or read customer data"
            )
        if declared is not None and name not in declared:
            raise ReadOnlyViolation(
                f"refused {service}:{name}: not declared by the collector that owns this client "
                "(declare it next to the collector so `srm policy` grants it)"
            )

    # unique_id makes registration idempotent if a client is ever guarded twice.
    client.meta.events.register_first(
        f"before-call.{client.meta.service_model.service_id.hyphenize()}",
        guard,
        unique_id="srm-read-only-guard",
    )


def client_config(max_attempts: int = 8, pool: int = 16) -> Config:
    """Adaptive retries with a bound, so throttling slows us down instead of failing the run."""
    return Config(
        retries={"mode": "adaptive", "max_attempts": max_attempts},
        max_pool_connections=pool,
        connect_timeout=10,
        read_timeout=60,
        user_agent_extra="srm-workbook",
    )


@dataclass
class Identity:
    account_id: str
    arn: str
    partition: str
    user_id: str = ""


@dataclass
class AwsAccess:
    """A boto3 session plus how to reach AWS: the one factory for every client we use."""

    session: boto3.Session
    endpoint_url: str | None = None
    config: Config = field(default_factory=client_config)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _clients: dict = field(default_factory=dict, repr=False)

    def client(self, service: str, region: str, declared: frozenset[str] | None = None):
        """A guarded client, cached per (service, region, declared operations).

        boto3 sessions are not thread-safe when creating clients, hence the lock; the clients
        themselves are safe to share between threads.
        """
        key = (service, region, declared)
        with self._lock:
            if key not in self._clients:
                client = self.session.client(
                    service, region_name=region, endpoint_url=self.endpoint_url, config=self.config
                )
                install_read_only_guard(client, declared)
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
            code = exc.response.get("Error", {}).get("Code", "")
            raise CredentialsError(
                f"AWS rejected the credentials ({code}): refresh them (e.g. `aws sso login`) "
                "or check the profile"
            ) from exc
        except BotoCoreError as exc:
            raise CredentialsError(f"could not reach AWS STS: {exc}") from exc
        arn = got["Arn"]
        return Identity(
            account_id=got["Account"], arn=arn, partition=arn.split(":")[1], user_id=got["UserId"]
        )


def make_access(
    profile: str | None = None,
    region: str | None = None,
    role_arn: str | None = None,
    external_id: str | None = None,
    session_name: str = "srm-workbook",
    endpoint_url: str | None = None,
) -> AwsAccess:
    """Build the session from the standard credential chain, optionally assuming a role.

    The assumed-role credentials refresh themselves, so a long collection does not expire.
    """
    try:
        base = boto3.Session(profile_name=profile, region_name=region)
    except ProfileNotFound as exc:
        raise CredentialsError(
            f"AWS profile {profile!r} not found: list profiles with `aws configure list-profiles`"
        ) from exc
    if not base.region_name:
        base = boto3.Session(profile_name=profile, region_name="us-east-1")
    access = AwsAccess(session=base, endpoint_url=endpoint_url)
    if not role_arn:
        return access

    sts = access.client("sts", base.region_name)

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
    core.set_config_variable("region", base.region_name)
    return AwsAccess(session=boto3.Session(botocore_session=core), endpoint_url=endpoint_url)
