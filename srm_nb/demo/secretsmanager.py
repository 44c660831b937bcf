"""Demo Secrets Manager: the orders database password rotates monthly; the legacy reporting
password was stored once, 400 days ago, and never rotated. Values are placeholders."""

from __future__ import annotations

from datetime import timedelta

from . import DemoAws, demo_now

LEGACY_AGE_DAYS = 400


def seed(aws: DemoAws) -> None:
    sm = aws.client("secretsmanager", "us-east-1")
    sm.create_secret(Name="prod/orders-db", SecretString="placeholder", Description="orders-prod app user")
    sm.rotate_secret(SecretId="prod/orders-db", RotationRules={"AutomaticallyAfterDays": 30},
                     RotateImmediately=False)
    sm.create_secret(Name="prod/reporting-legacy-db", SecretString="placeholder",
                     Description="reporting-legacy admin")
    _backdate()


def _backdate() -> None:
    """moto dates a secret "now"; the legacy one was created long before the story's today."""
    from moto.secretsmanager.models import secretsmanager_backends

    from . import DEMO_ACCOUNT_ID

    secret = secretsmanager_backends[DEMO_ACCOUNT_ID]["us-east-1"].secrets["prod/reporting-legacy-db"]
    created = (demo_now() - timedelta(days=LEGACY_AGE_DAYS)).timestamp()
    secret.created_date = created
    secret.last_changed_date = created
