"""ACM: certificates that protect traffic in transit: validity and key strength.

Only certificates that have been issued carry validity dates; those still pending validation,
failed or revoked are not judged here.
"""

from __future__ import annotations

import pandas as pd

from .base import assessed_at, parse_json, verdicts

RENEWAL_WINDOW_DAYS = 30
WEAK_KEYS = ("RSA_1024",)


def _issued(s) -> pd.DataFrame:
    certs = s.table("acm_certificates")
    certs = certs[certs["status"].isin(["ISSUED", "EXPIRED"]) & certs["not_after"].notna()].copy()
    now = assessed_at(s)
    certs["not_after_date"] = pd.to_datetime(certs["not_after"], utc=True, errors="coerce").dt.strftime("%Y-%m-%d")
    certs["days_left"] = (pd.to_datetime(certs["not_after"], utc=True, errors="coerce") - now).dt.days
    users = parse_json(certs["in_use_by_json"]).map(lambda u: len(u or []))
    certs["use"] = users.map(lambda n: f"used by {n} resource(s)" if n else "not in use")
    return certs


def acm_certificate_not_expired(s) -> pd.DataFrame:
    certs = _issued(s)
    return verdicts(certs, certs["days_left"] >= 0, resource_id="arn",
                    pass_detail="Certificate for {domain_name} is valid until {not_after_date}.",
                    fail_detail="Certificate for {domain_name} expired on {not_after_date} ({use}): clients get TLS errors or "
                                "are trained to ignore them.")


def acm_certificate_renewal_30_days(s) -> pd.DataFrame:
    """Valid certificates that expire within the window: ACM renews its own certificates from 60
    days before expiry, so one this close means renewal failed, or an imported certificate nobody
    replaced."""
    certs = _issued(s)
    certs = certs[certs["days_left"] >= 0]
    return verdicts(certs, certs["days_left"] > RENEWAL_WINDOW_DAYS, resource_id="arn",
                    pass_detail="Certificate for {domain_name} is valid for {days_left} more days ({type}).",
                    fail_detail=f"Certificate for {{domain_name}} ({{type}}, {{use}}) expires in {{days_left}} days, on "
                                f"{{not_after_date}} (within {RENEWAL_WINDOW_DAYS}).")


def acm_certificate_key_strength(s) -> pd.DataFrame:
    certs = s.table("acm_certificates")
    certs = certs[certs["key_algorithm"].notna()]
    return verdicts(certs, ~certs["key_algorithm"].isin(WEAK_KEYS), resource_id="arn",
                    pass_detail="Certificate for {domain_name} uses a {key_algorithm} key.",
                    fail_detail="Certificate for {domain_name} uses a weak {key_algorithm} key.")
