"""AWS Account Management: the account's alternate contacts (security, operations, billing)."""

from __future__ import annotations

from .base import GLOBAL, Ctx, collector

CONTACT_TYPES = ("SECURITY", "OPERATIONS", "BILLING")


@collector(
    "account",
    service="account",
    scope=GLOBAL,
    operations=("GetAlternateContact",),
    tables={"account_alternate_contacts": ("region", "contact_type", "registered", "name",
                                           "email_address", "title")},
)
def collect_contacts(ctx: Ctx) -> None:
    """Each alternate contact; ResourceNotFoundException means none is registered (a fact)."""
    for kind in CONTACT_TYPES:
        got = ctx.call("GetAlternateContact", AlternateContactType=kind,
                       table="account_alternate_contacts", resource_id=kind,
                       absent=("ResourceNotFoundException",))
        if got is None:
            continue
        contact = got.get("AlternateContact") or {}
        ctx.add("account_alternate_contacts", {
            "contact_type": kind,
            "registered": bool(contact.get("EmailAddress")),
            "name": contact.get("Name"),
            "email_address": contact.get("EmailAddress"),
            "title": contact.get("Title"),
        })
