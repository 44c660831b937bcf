"""The built-in demo account: "Northwind Analytics", a fictional but realistic company account.

It is seeded into moto, then assessed through exactly the code path of a real account: boto3 calls
to an endpoint, the read-only collectors, a snapshot, the checks, the notebook and the report.

Each service's part of the story lives in its own module here (`iam.py`, `s3.py`, ...), which
defines `seed(aws: DemoAws)` and, where moto 5.2.5 lacks an operation the demo needs,
`FAKES = {(signing_name, operation): handler}` answered by `server.FakeOperations`, and `ORDER`
when it must run before others (S3 buckets before the trails that log into them).
Seeding is deterministic: fixed names, fixed dates, no randomness.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from datetime import datetime, timezone

import boto3
from botocore.config import Config

from ..aws import _single_host

DEMO_ACCOUNT_ID = "123456789012"  # moto's default account
DEMO_ALIAS = "northwind-prod"
DEMO_REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]

_NOT_STORY = {"server", "faults", "run", "fleet", "scale"}


@dataclass
class DemoAws:
    """Plain (unguarded, writing) boto3 clients against the demo endpoint: for seeding only.
    `account_id`: seed another account of the server (moto's x-moto-account-id header)."""

    endpoint: str
    account_id: str | None = None

    def client(self, service: str, region: str = "us-east-1"):
        client = boto3.client(
            service, region_name=region, endpoint_url=self.endpoint,
            aws_access_key_id="demo", aws_secret_access_key="demo",
            config=Config(inject_host_prefix=False),
        )
        _single_host(client)  # one host: no "<account-id>." prefix (S3 Control)
        if self.account_id:
            account = self.account_id

            def in_account(request, **_):
                request.headers["x-moto-account-id"] = account

            client.meta.events.register("before-send", in_account)
        return client


def demo_now() -> datetime:
    """"Today" in the demo story, midnight UTC of the day it is seeded: resources are backdated
    relative to it, so every age, and so every verdict, is the same whatever day the demo runs."""
    return datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)


def story_modules():
    """The modules that make up the demo account, in a fixed order."""
    names = sorted(i.name for i in pkgutil.iter_modules(__path__) if i.name not in _NOT_STORY)
    modules = [importlib.import_module(f"{__name__}.{n}") for n in names]
    # A module may set ORDER (default 50) when others depend on what it creates (buckets, keys).
    return sorted(modules, key=lambda m: getattr(m, "ORDER", 50))


def fake_handlers() -> dict:
    handlers = {}
    for module in story_modules():
        handlers.update(getattr(module, "FAKES", {}))
    return handlers


def seed(endpoint: str, only: set[str] | None = None) -> None:
    """Create the demo company's resources on the moto endpoint; `only`: just these parts of the
    story (module names, such as "iam"; a test that needs less), in the same order."""
    aws = DemoAws(endpoint)
    modules = {m.__name__.rsplit(".", 1)[-1]: m for m in story_modules()}
    unknown = sorted(set(only or ()) - set(modules))
    if unknown:
        raise ValueError(f"no such part of the demo story: {', '.join(unknown)} (one of {', '.join(modules)})")
    for name, module in modules.items():
        if only is None or name in only:
            module.seed(aws)
