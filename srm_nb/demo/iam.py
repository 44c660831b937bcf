"""Demo IAM: Northwind Analytics' team, roles and policies, some careful, some not.

The story, good and bad side by side:
- root: no MFA, no access keys, but its password was used two days before "today" (demo_now());
- alice.admin: console + MFA, admin rights only through the Admins group (the model user);
- bob.analyst: console without MFA, and an inline "quick-fix" policy granting "*:*";
- old.contractor: left long ago; password unused for 200 days, and an access key created with
  the user and never used;
- ci-deploy: a workload user with one 420-day-old key, still in daily use;
- data-loader: two active keys (a rotation never finished);
- groups: Admins (AdministratorAccess: CIS flags the attached admin grant), Analysts
  (ReadOnlyAccess and AWSSupportAccess, so analysts open support cases: IAM.18 passes),
  Developers (AWSCloudShellFullAccess: flagged);
- roles: legacy-automation with a home-made "*:*" customer managed policy; etl-glue (service
  trust, least privilege, plus an "s3:*" policy); partner-reporting trusted by another account
  without an external id; auditor-readonly with one; org-readonly open to "*" but pinned to the
  organization; open-assume-test trusting everyone; github-deploy (OIDC, subject pinned);
- no role has AWSSupportAccess (CIS support role: FAIL, though IAM.18 passes through the group);
- two IAM server certificates: one expired, one valid.

moto dates every user and key "now" and has no root user, so after creating the identities we
backdate them in moto's own state (the server runs in this process). moto also does not load AWS
managed policies unless asked for all ~1,500; we add the few the story attaches.

Fakes (moto 5.2.5 gaps), in the real API's response shape:
- iam GetCredentialReport: moto's report has no root row; AWS's always starts with it.
- iam ListServerCertificates: moto gives every certificate the same 2012 expiration date.
- iam GetAccountSummary: moto's summary lacks AccountPasswordPresent (root has a password: 1).
"""

from __future__ import annotations

import base64
import json
import zlib
from datetime import timedelta

from . import DEMO_ACCOUNT_ID, DEMO_ALIAS, DemoAws, demo_now
from .server import FakeRequest, FakeResponse

PARTNER_ACCOUNT = "210987654321"
AUDITOR_ACCOUNT = "444455556666"
DEMO_ORG_ID = "o-nw4k2x9q1z"

# name: console password, MFA, groups, account age (days), password last used (days ago or None),
# access keys as (age in days, last used days ago or None), inline "*:*" policy
USERS = {
    "alice.admin": dict(console=True, mfa=True, groups=["Admins"], age=900, pw_used=1, keys=[]),
    "bob.analyst": dict(console=True, mfa=False, groups=["Analysts"], age=400, pw_used=10, keys=[],
                        inline_admin=True),
    "old.contractor": dict(console=True, mfa=False, groups=["Developers"], age=800, pw_used=200,
                           keys=[(800, None)]),
    "ci-deploy": dict(console=False, mfa=False, groups=[], age=700, pw_used=None, keys=[(420, 2)]),
    "data-loader": dict(console=False, mfa=False, groups=[], age=60, pw_used=None,
                        keys=[(30, 1), (10, 1)]),
}

GROUPS = {
    "Admins": ["AdministratorAccess"],
    "Analysts": ["ReadOnlyAccess", "AWSSupportAccess"],
    "Developers": ["AWSCloudShellFullAccess"],
}
AWS_MANAGED = sorted({p for policies in GROUPS.values() for p in policies})


def _doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ADMIN_DOC = _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
CUSTOMER_POLICIES = {
    "NorthwindPowerAdmin": ADMIN_DOC,
    "DataLakeReadWrite": _doc({"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                               "Resource": "arn:aws:s3:::northwind-datalake-prod/*"}),
    "EtlScratchS3": _doc({"Effect": "Allow", "Action": "s3:*",
                          "Resource": "arn:aws:s3:::northwind-tmp-export-2023/*"}),
}


def _trust(principal, condition=None, action="sts:AssumeRole") -> str:
    st = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        st["Condition"] = condition
    return _doc(st)


# role: (trust policy, customer managed policies attached)
ROLES = {
    "legacy-automation": (_trust({"AWS": f"arn:aws:iam::{DEMO_ACCOUNT_ID}:root"}), ["NorthwindPowerAdmin"]),
    "etl-glue": (_trust({"Service": "glue.amazonaws.com"}), ["DataLakeReadWrite", "EtlScratchS3"]),
    "partner-reporting": (_trust({"AWS": f"arn:aws:iam::{PARTNER_ACCOUNT}:root"}), []),
    "auditor-readonly": (_trust({"AWS": f"arn:aws:iam::{AUDITOR_ACCOUNT}:root"},
                                {"StringEquals": {"sts:ExternalId": "nw-audit-7731"}}), []),
    "org-readonly": (_trust("*", {"StringEquals": {"aws:PrincipalOrgID": DEMO_ORG_ID}}), []),
    "open-assume-test": (_trust({"AWS": "*"}), []),
    "github-deploy": (_trust(
        {"Federated": f"arn:aws:iam::{DEMO_ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com"},
        {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
         "StringLike": {"token.actions.githubusercontent.com:sub": "repo:northwind/analytics:*"}},
        action="sts:AssumeRoleWithWebIdentity"), []),
}

# name: (uploaded days before demo_now(), expires days after it; negative = expired)
SERVER_CERTIFICATES = {"legacy-portal-2024": (700, -120), "api-northwind-2026": (200, 160)}


def seed(aws: DemoAws) -> None:
    iam = aws.client("iam")
    iam.create_account_alias(AccountAlias=DEMO_ALIAS)
    iam.update_account_password_policy(MinimumPasswordLength=8, RequireNumbers=True,
                                       PasswordReusePrevention=3)
    _add_aws_managed_policies(AWS_MANAGED)
    for group, policies in GROUPS.items():
        iam.create_group(GroupName=group)
        for policy in policies:
            iam.attach_group_policy(GroupName=group, PolicyArn=f"arn:aws:iam::aws:policy/{policy}")
    for name, spec in USERS.items():
        create_user(iam, name, spec)
    arns = {name: iam.create_policy(PolicyName=name, PolicyDocument=doc)["Policy"]["Arn"]
            for name, doc in CUSTOMER_POLICIES.items()}
    for role, (trust, policies) in ROLES.items():
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)
        for policy in policies:
            iam.attach_role_policy(RoleName=role, PolicyArn=arns[policy])
    _backdate()


def create_user(iam, name: str, spec: dict) -> None:
    """A user as `spec` (a USERS entry) describes it: groups, console, MFA, keys, inline policy."""
    iam.create_user(UserName=name, Tags=[{"Key": "team", "Value": "platform"}])
    for group in spec["groups"]:
        iam.add_user_to_group(GroupName=group, UserName=name)
    if spec["console"]:
        iam.create_login_profile(UserName=name, Password="Demo-Passw0rd!")
    if spec["mfa"]:
        dev = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
        iam.enable_mfa_device(UserName=name, SerialNumber=dev["SerialNumber"],
                              AuthenticationCode1="123456", AuthenticationCode2="654321")
    for _ in spec["keys"]:
        iam.create_access_key(UserName=name)
    if spec.get("inline_admin"):
        iam.put_user_policy(UserName=name, PolicyName="quick-fix", PolicyDocument=ADMIN_DOC)


def _add_aws_managed_policies(names: list[str]) -> None:
    """Put the AWS managed policies the story attaches into moto (it loads none by default)."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data
    from moto.iam.models import AWSManagedPolicy, iam_backends

    backend = iam_backends[DEMO_ACCOUNT_ID]["aws"]
    data = json.loads(aws_managed_policies_data)
    for name in names:
        policy = AWSManagedPolicy.from_data(name, DEMO_ACCOUNT_ID, "us-east-1", data[name])
        if policy.arn not in backend.managed_policies:
            backend.managed_policies[policy.arn] = policy
            backend.aws_managed_policies.append(policy)


def _backdate() -> None:
    """Give users and keys their story's ages and last uses in moto's state (moto dates
    everything 'now' and never records use)."""
    from moto.iam.models import iam_backends

    backend = iam_backends[DEMO_ACCOUNT_ID]["aws"]
    for name, spec in USERS.items():
        backdate_user(backend.users[name], spec)


def backdate_user(user, spec: dict) -> None:
    """One moto user and its keys dated as `spec` (a USERS entry) says."""
    from moto.iam.models import AccessKeyLastUsed

    now = demo_now()
    user.create_date = now - timedelta(days=spec["age"])
    if spec["pw_used"] is not None:
        user.password_last_used = now - timedelta(days=spec["pw_used"])
    for key, (age, used) in zip(user.access_keys, spec["keys"]):
        # A key created with the user (old.contractor) is dated a minute after it.
        key.create_date = now - timedelta(days=age) + timedelta(minutes=1 if age == spec["age"] else 0)
        if used is not None:
            key.last_used = AccessKeyLastUsed(now - timedelta(days=used), "s3", "us-east-1")


ROOT_ROW = (
    "<root_account>,arn:aws:iam::{account}:root,2019-03-04T09:00:00+00:00,not_supported,"
    "{password_used},not_supported,not_supported,false,false,N/A,N/A,N/A,N/A,false,"
    "N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
)


def _credential_report(req: FakeRequest, account: str = DEMO_ACCOUNT_ID) -> FakeResponse | None:
    """moto's report has no root row; AWS's always starts with it."""
    status, _, body = req.forward()
    text = body.decode()
    start, end = text.find("<Content>"), text.find("</Content>")
    if not status.startswith("200") or start < 0:
        return None
    report = base64.b64decode(text[start + 9:end]).decode()
    header, _, rest = report.partition("\n")
    report = header + "\n" + ROOT_ROW.format(
        account=account,
        password_used=(demo_now() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S+00:00")) + rest
    content = base64.b64encode(report.encode()).decode()
    return FakeResponse(text[:start + 9] + content + text[end:], content_type="text/xml")


def _iso(days: int) -> str:
    return (demo_now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _server_certificates(req: FakeRequest) -> FakeResponse:
    """The story's certificates with their real validity (moto dates every one 2012)."""
    members = "".join(
        "<member>"
        f"<ServerCertificateName>{name}</ServerCertificateName><Path>/</Path>"
        f"<Arn>arn:aws:iam::{DEMO_ACCOUNT_ID}:server-certificate/{name}</Arn>"
        f"<ServerCertificateId>ASCA{zlib.crc32(name.encode()):010d}DEMO</ServerCertificateId>"
        f"<UploadDate>{_iso(-uploaded)}</UploadDate><Expiration>{_iso(expires)}</Expiration>"
        "</member>"
        for name, (uploaded, expires) in SERVER_CERTIFICATES.items())
    xml = ('<ListServerCertificatesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
           "<ListServerCertificatesResult><IsTruncated>false</IsTruncated>"
           f"<ServerCertificateMetadataList>{members}</ServerCertificateMetadataList>"
           "</ListServerCertificatesResult><ResponseMetadata><RequestId>srm-demo</RequestId>"
           "</ResponseMetadata></ListServerCertificatesResponse>")
    return FakeResponse(xml, content_type="text/xml")


def _account_summary(req: FakeRequest) -> FakeResponse | None:
    """moto's summary lacks AccountPasswordPresent, which AWS reports (1: root has a console
    password, as Northwind's root has; 0 when root credentials were removed)."""
    status, _, body = req.forward()
    text = body.decode()
    if not status.startswith("200") or "<SummaryMap>" not in text or "AccountPasswordPresent" in text:
        return None
    entry = "<entry><key>AccountPasswordPresent</key><value>1</value></entry>"
    return FakeResponse(text.replace("<SummaryMap>", "<SummaryMap>" + entry, 1), content_type="text/xml")


FAKES = {("iam", "GetCredentialReport"): _credential_report,
         ("iam", "ListServerCertificates"): _server_certificates,
         ("iam", "GetAccountSummary"): _account_summary}
