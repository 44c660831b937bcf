"""Demo account contacts: billing and operations contacts are registered, security is not."""

from __future__ import annotations

from . import DemoAws


def seed(aws: DemoAws) -> None:
    account = aws.client("account", "us-east-1")
    account.put_alternate_contact(AlternateContactType="BILLING", Name="Northwind Finance",
                                  EmailAddress="finance@northwind.example", PhoneNumber="+1-555-0100",
                                  Title="Accounts payable")
    account.put_alternate_contact(AlternateContactType="OPERATIONS", Name="Northwind Platform",
                                  EmailAddress="platform@northwind.example", PhoneNumber="+1-555-0101",
                                  Title="Platform on-call")
