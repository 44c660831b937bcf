"""ACM: certificates and their validity.

ListCertificates returns only RSA-2048 certificates unless asked for the other key types, so every
key type is requested explicitly.
"""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json

KEY_TYPES = ["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1",
             "EC_secp521r1"]


@collector(
    "acm",
    service="acm",
    scope=REGIONAL,
    operations=("ListCertificates", "DescribeCertificate"),
    tables={
        "acm_certificates": ("region", "arn", "domain_name", "status", "type", "key_algorithm",
                             "not_before", "not_after", "in_use_by_json", "renewal_eligibility",
                             "renewal_status"),
    },
)
def collect_certificates(ctx: Ctx) -> None:
    """Every certificate, any key type and status, with its validity period and users."""
    certs = ctx.paginate("ListCertificates", "CertificateSummaryList", Includes={"keyTypes": KEY_TYPES},
                         table="acm_certificates")
    for summary in certs or []:
        arn = summary["CertificateArn"]
        desc = ctx.call("DescribeCertificate", CertificateArn=arn, table="acm_certificates", resource_id=arn)
        if desc is None:
            continue
        c = desc.get("Certificate", {})
        ctx.add("acm_certificates", {
            "arn": arn, "domain_name": c.get("DomainName"), "status": c.get("Status"),
            "type": c.get("Type"), "key_algorithm": c.get("KeyAlgorithm"),
            "not_before": c.get("NotBefore"), "not_after": c.get("NotAfter"),
            "in_use_by_json": to_json(c.get("InUseBy", [])),
            "renewal_eligibility": c.get("RenewalEligibility"),
            "renewal_status": (c.get("RenewalSummary") or {}).get("RenewalStatus"),
        })
