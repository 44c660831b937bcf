"""`srm demo`: serve the demo account on loopback, then assess it like any other account."""

from __future__ import annotations

import os
from contextlib import contextmanager

import boto3

from ..aws import AwsAccess
from . import DEMO_REGIONS, fake_handlers, seed
from .server import AwsTestServer


@contextmanager
def demo_account(wrap=None):
    """A seeded demo account: yields an AwsAccess pointed at it, and the server. `wrap` adds a
    middleware in front (tests: faults, delays)."""
    os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "false")
    with AwsTestServer(handlers=fake_handlers(), wrap=wrap) as server:
        seed(server.endpoint)
        session = boto3.Session(aws_access_key_id="demo", aws_secret_access_key="demo",
                                region_name="us-east-1")
        yield AwsAccess(session=session, endpoint_url=server.endpoint), server


@contextmanager
def faulty_demo_account():
    """The demo account behind the fault-injection layer (no faults until configured): yields
    an AwsAccess pointed at it and the `faults.Faults` to configure."""
    from .faults import Faults

    made = []

    def wrap(app):
        made.append(Faults(app))
        return made[0]

    with demo_account(wrap=wrap) as (access, _):
        yield access, made[0]


def collect_demo(quiet: bool = False):
    from ..collect.runner import collect

    with demo_account() as (access, _):
        return collect(access, DEMO_REGIONS, quiet=quiet)
