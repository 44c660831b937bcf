"""Demo IAM: a small team, some careful, some not.

moto dates every user and key "now" and has no root user, so after creating the identities we
backdate them in moto's own state (the server runs in this process), and the fake layer answers
GetCredentialReport with the root user's row added, as AWS does.
"""

from __future__ import annotations

import base64
from datetime import timedelta

from . import DEMO_ALIAS, DEMO_NOW, DemoAws
from .server import FakeRequest, FakeResponse

# name: (console password, MFA, access key age in days or None, account age in days)
USERS = {
    "alice.admin": (True, True, None, 900),
    "bob.analyst": (True, False, None, 400),
    "ci-deploy": (False, False, 420, 700),
    "data-loader": (False, False, 30, 60),
}


def seed(aws: DemoAws) -> None:
    iam = aws.client("iam")
    iam.create_account_alias(AccountAlias=DEMO_ALIAS)
    iam.update_account_password_policy(MinimumPasswordLength=8, RequireNumbers=True,
                                       PasswordReusePrevention=3)
    for name, (console, mfa, key_age, _) in USERS.items():
        iam.create_user(UserName=name, Tags=[{"Key": "team", "Value": "platform"}])
        if console:
            iam.create_login_profile(UserName=name, Password="Demo-Passw0rd!")
        if mfa:
            dev = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
            iam.enable_mfa_device(UserName=name, SerialNumber=dev["SerialNumber"],
                                  AuthenticationCode1="123456", AuthenticationCode2="654321")
        if key_age is not None:
            iam.create_access_key(UserName=name)
    _backdate()


def _backdate() -> None:
    """Give users and keys their story's ages in moto's state (moto dates everything 'now')."""
    from moto.iam.models import iam_backends

    from . import DEMO_ACCOUNT_ID

    backend = iam_backends[DEMO_ACCOUNT_ID]["aws"]
    for name, (_, _, key_age, user_age) in USERS.items():
        user = backend.users[name]
        user.create_date = DEMO_NOW - timedelta(days=user_age)
        for key in user.access_keys:
            key.create_date = DEMO_NOW - timedelta(days=key_age)


ROOT_ROW = (
    "<root_account>,arn:aws:iam::{account}:root,2019-03-04T09:00:00+00:00,not_supported,"
    "2026-10-30T08:12:00+00:00,not_supported,not_supported,false,false,N/A,N/A,N/A,N/A,false,"
    "N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
)


def _credential_report(req: FakeRequest) -> FakeResponse | None:
    """moto's report has no root row; AWS's always starts with it."""
    status, _, body = req.forward()
    text = body.decode()
    start, end = text.find("<Content>"), text.find("</Content>")
    if not status.startswith("200") or start < 0:
        return None
    report = base64.b64decode(text[start + 9:end]).decode()
    header, _, rest = report.partition("\n")
    from . import DEMO_ACCOUNT_ID

    report = header + "\n" + ROOT_ROW.format(account=DEMO_ACCOUNT_ID) + rest
    content = base64.b64encode(report.encode()).decode()
    return FakeResponse(text[:start + 9] + content + text[end:], content_type="text/xml")


FAKES = {("iam", "GetCredentialReport"): _credential_report}
