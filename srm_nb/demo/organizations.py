"""Demo AWS Organizations: Northwind's production account is standalone, not in an organization.

Nothing to seed: moto answers DescribeOrganization with AWSOrganizationsNotInUseException, as AWS
does for an account outside any organization (the collector records that as a fact).
"""

from __future__ import annotations

from . import DemoAws


def seed(aws: DemoAws) -> None:
    """The story's account belongs to no organization: nothing to create."""
