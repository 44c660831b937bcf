"""The demo Organization, "Northwind Holdings": a management account and members in two OUs with
clearly different postures, served by one moto server and assessed as a fleet
(`srm demo --organization`).

    /Root/Workloads   northwind-shop (good), northwind-payments (poor), northwind-staging (mixed)
    /Root/Sandbox     northwind-sandbox (poor), northwind-acquired (its audit role trusts only its
                      former owner: AssumeRole is denied), northwind-legacy (closed: SUSPENDED)

Each member is small (a few buckets, users, a trail): moto builds a new account's backends on
its first request, and the fleet is about many accounts, not one big one. Member account ids
come from Organizations' CreateAccount; resources are created in them with moto's
`x-moto-account-id` header (seeding only). moto serves other accounts through AssumeRole: the
credentials of a role in account X act in account X.

Test-support layer (`FAKES`, answered by `server.FakeOperations` in front of moto):
- sts AssumeRole: moto lets any caller assume any role, even one that does not exist. AWS allows
  it only when the role exists and its trust policy allows the caller's account (and the
  sts:ExternalId condition matches): answered AccessDenied otherwise, as AWS does; allowed
  requests go to moto.
- Operations moto 5.2.5 lacks, answered as for an account without those features: access-analyzer
  ListAnalyzers (none), ssm DescribeInstanceInformation and ListComplianceSummaries (none), backup
  ListProtectedResources (none), redshift-serverless ListWorkgroups and ListNamespaces (none;
  moto has no Redshift Serverless), support DescribeTrustedAdvisorCheckSummaries (Basic support:
  SubscriptionRequiredException), and iam GetCredentialReport with the account's root row.
`AccountGate` holds the requests of chosen accounts (interrupt tests: an account certainly mid-run).
"""

from __future__ import annotations

import json
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

from . import DEMO_ACCOUNT_ID, DemoAws
from .iam import _credential_report
from .server import AwsTestServer, FakeRequest, FakeResponse

MANAGEMENT = DEMO_ACCOUNT_ID
AUDIT_ROLE = "SrmAudit"
FORMER_OWNER = "210987654321"  # the acquired account's role still trusts its former owner only
# name -> (OU path under Root, tags, posture)
MEMBERS = {
    "northwind-shop": ("Workloads", {"env": "prod", "team": "shop"}, "good"),
    "northwind-payments": ("Workloads", {"env": "prod", "team": "payments"}, "poor"),
    "northwind-staging": ("Workloads", {"env": "staging", "team": "shop"}, "mixed"),
    "northwind-sandbox": ("Sandbox", {"env": "dev", "team": "platform"}, "poor"),
    "northwind-acquired": ("Sandbox", {"env": "dev", "team": "acquired"}, "denied"),
    "northwind-legacy": ("Sandbox", {"env": "dev", "team": "legacy"}, "closed"),
}


@dataclass
class DemoOrganization:
    endpoint: str
    organization_id: str
    accounts: dict[str, str] = field(default_factory=dict)  # name -> account id (management too)


def seed_organization(endpoint: str, members: dict = MEMBERS, external_id: str | None = None) -> DemoOrganization:
    """Create the Organization, its OUs and members, their audit roles and their resources."""
    mgmt = DemoAws(endpoint)
    org = mgmt.client("organizations")
    org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root = org.list_roots()["Roots"][0]["Id"]
    ous = {}
    result = DemoOrganization(endpoint=endpoint, organization_id=org_id, accounts={"northwind-holdings": MANAGEMENT})
    _seed_account(DemoAws(endpoint, MANAGEMENT), "northwind-holdings", "mixed")
    for name, (ou, tags, posture) in members.items():
        if ou not in ous:
            ous[ou] = org.create_organizational_unit(ParentId=root, Name=ou)["OrganizationalUnit"]["Id"]
        status = org.create_account(Email=f"aws+{name}@northwind.example", AccountName=name,
                                    Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
        account = status["CreateAccountStatus"]["AccountId"]
        org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=ous[ou])
        result.accounts[name] = account
        if posture == "closed":
            org.close_account(AccountId=account)
            continue
        member = DemoAws(endpoint, account)
        trusted = FORMER_OWNER if posture == "denied" else MANAGEMENT
        _audit_role(member, trusted, external_id)
        _seed_account(member, name, posture)
    return result


def _audit_role(aws: DemoAws, trusted_account: str, external_id: str | None, name: str = AUDIT_ROLE) -> None:
    statement = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{trusted_account}:root"},
                 "Action": "sts:AssumeRole"}
    if external_id:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    iam = aws.client("iam")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [statement]}))


def _seed_account(aws: DemoAws, name: str, posture: str) -> None:
    """A few resources that tell the account's posture apart: buckets, users, a trail."""
    account = aws.account_id
    s3, iam = aws.client("s3"), aws.client("iam")
    iam.create_account_alias(AccountAlias=name)
    data = f"{name}-data-{account}"
    s3.create_bucket(Bucket=data)
    if posture == "good":
        iam.update_account_password_policy(MinimumPasswordLength=14, RequireSymbols=True, RequireNumbers=True,
                                           RequireUppercaseCharacters=True, RequireLowercaseCharacters=True,
                                           PasswordReusePrevention=24, MaxPasswordAge=90)
        s3.put_public_access_block(Bucket=data, PublicAccessBlockConfiguration={
            k: True for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")})
        s3.put_bucket_versioning(Bucket=data, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_policy(Bucket=data, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{data}", f"arn:aws:s3:::{data}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
        aws.client("s3control").put_public_access_block(AccountId=account, PublicAccessBlockConfiguration={
            k: True for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")})
        aws.client("guardduty").create_detector(Enable=True)
    if posture in ("good", "mixed"):
        trail_bucket = f"{name}-trail-{account}"
        s3.create_bucket(Bucket=trail_bucket)
        ct = aws.client("cloudtrail")
        ct.create_trail(Name=f"{name}-audit", S3BucketName=trail_bucket, IsMultiRegionTrail=posture == "good",
                        EnableLogFileValidation=posture == "good")
        ct.start_logging(Name=f"{name}-audit")
    if posture in ("poor", "mixed"):
        iam.update_account_password_policy(MinimumPasswordLength=8)
        iam.create_user(UserName="ops-admin")
        iam.create_login_profile(UserName="ops-admin", Password="Demo-Passw0rd!")  # no MFA
        iam.create_access_key(UserName="ops-admin")
    if posture == "poor":
        public = f"{name}-public-{account}"
        s3.create_bucket(Bucket=public, ACL="public-read")
        s3.put_bucket_policy(Bucket=public, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{public}/*"}]}))
        iam.put_user_policy(UserName="ops-admin", PolicyName="quick-fix", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))


# -- the test-support layer ----------------------------------------------------------------------

def account_of(req: FakeRequest) -> str:
    """The account a request acts in, as moto decides it (from the signing key)."""
    from moto.iam.models import get_account_id_from

    return get_account_id_from(req.access_key)


def _assume_role(req: FakeRequest) -> FakeResponse | None:
    """AWS's rule that moto skips: the role must exist and trust the caller's account."""
    from moto.iam.models import iam_backends

    arn = str(req.params.get("RoleArn", ""))
    parts = arn.split(":")
    target, name = (parts[4], parts[5].rsplit("/", 1)[-1]) if len(parts) == 6 else ("", "")
    caller = account_of(req)
    role = next((r for r in iam_backends[target]["aws"].roles.values() if r.name == name), None) \
        if target in iam_backends else None
    if role is not None and _trusts(role.assume_role_policy_document, caller, req.params.get("ExternalId")):
        return None  # moto assumes it
    message = (f"User: arn:aws:iam::{caller}:user/demo is not authorized to perform: sts:AssumeRole on "
               f"resource: {arn}")
    return FakeResponse(
        f"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>{_xml(message)}"
        "</Message></Error><RequestId>srm-fake-0000</RequestId></ErrorResponse>", status=403,
        content_type="text/xml")


def _trusts(document, caller: str, external_id) -> bool:
    from urllib.parse import unquote

    doc = json.loads(unquote(document)) if isinstance(document, str) else document
    statements = doc.get("Statement", [])
    for s in statements if isinstance(statements, list) else [statements]:
        actions = s.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        principals = (s.get("Principal") or {}).get("AWS", []) if isinstance(s.get("Principal"), dict) else []
        principals = [principals] if isinstance(principals, str) else principals
        wanted = (s.get("Condition") or {}).get("StringEquals", {}).get("sts:ExternalId")
        if (s.get("Effect") == "Allow" and any(a in ("sts:AssumeRole", "sts:*", "*") for a in actions)
                and any(p == caller or p.split(":")[4:5] == [caller] for p in principals)
                and (wanted is None or wanted == external_id)):
            return True
    return False


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _json(body: dict) -> callable:
    return lambda req: FakeResponse(body, content_type="application/json")


def _basic_support(req: FakeRequest) -> FakeResponse:
    return FakeResponse({"__type": "SubscriptionRequiredException",
                         "message": "AWS Premium Support Subscription is required to use this service."},
                        status=400)


FAKES = {
    ("sts", "AssumeRole"): _assume_role,
    ("access-analyzer", "ListAnalyzers"): _json({"analyzers": []}),
    ("ssm", "DescribeInstanceInformation"): lambda req: FakeResponse({"InstanceInformationList": []}),
    ("ssm", "ListComplianceSummaries"): lambda req: FakeResponse({"ComplianceSummaryItems": []}),
    ("backup", "ListProtectedResources"): _json({"Results": []}),
    # moto has no Redshift Serverless at all: the members have none.
    ("redshift-serverless", "ListWorkgroups"): _json({"workgroups": []}),
    ("redshift-serverless", "ListNamespaces"): _json({"namespaces": []}),
    ("support", "DescribeTrustedAdvisorCheckSummaries"): _basic_support,
    ("iam", "GetCredentialReport"): lambda req: _credential_report(req, account=account_of(req)),
}


class AccountGate:
    """WSGI middleware: requests acting in a held account wait until `release()`. `holding` is
    set once one is waiting, so a test knows that account is mid-run without guessing."""

    def __init__(self, app):
        self.app = app
        self.held: set[str] = set()
        self.holding = threading.Event()
        self._open = threading.Event()

    def hold(self, account_id: str) -> None:
        self.held.add(account_id)

    def release(self) -> None:
        self.held.clear()
        self._open.set()

    def __call__(self, environ, start_response):
        from .server import _SCOPE

        scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        if self.held and scope and not self._open.is_set():
            from moto.iam.models import get_account_id_from

            if get_account_id_from(scope.group(1)) in self.held:
                self.holding.set()
                self._open.wait()
        return self.app(environ, start_response)


@contextmanager
def organization_server(members: dict = MEMBERS, external_id: str | None = None, wrap=None):
    """A moto server with the Organization seeded: yields (server, DemoOrganization)."""
    os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "false")
    with AwsTestServer(handlers=FAKES, wrap=wrap) as server:  # it starts from an empty moto
        yield server, seed_organization(server.endpoint, members, external_id)


def run_demo_organization(options: dict, *, output_root, parallel: int = 4, quiet: bool = False):
    """`srm demo --organization`: seed, then assess the Organization as any other fleet."""
    from ..fleet.scope import assess_fleet

    # The fleet's processes read these: the demo's own keys, never the machine's credentials.
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(var, None)
    os.environ.update(AWS_ACCESS_KEY_ID="demo", AWS_SECRET_ACCESS_KEY="demo", AWS_DEFAULT_REGION="us-east-1")
    with organization_server() as (server, _):
        scope = dict(organization=True, role_name=AUDIT_ROLE, endpoint_url=server.endpoint)
        return assess_fleet(scope, {**options, "endpoint_url": server.endpoint}, output_root=output_root,
                            parallel=parallel, dask_scheduler=None, resume=None, quiet=quiet)
