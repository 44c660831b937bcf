"""ACM: the certificate collector against moto (every key type), and the certificate checks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import boto3
import pytest
from moto import mock_aws

from conftest import make_snapshot, schema_table
from test_data_protection_support import collect_moto, details, verdicts


def _self_signed(common_name, since_days, left_days, rsa_bits=None):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(65537, rsa_bits) if rsa_bits else ec.derive_private_key(42, ec.SECP384R1())
    now = datetime.now(timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(7).not_valid_before(now - timedelta(days=since_days))
            .not_valid_after(now + timedelta(days=left_days)).sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


@pytest.fixture(scope="module")
def seeded():
    with mock_aws():
        acm = boto3.client("acm", region_name="us-east-1")
        arns = {}
        for name, since, left in (("long.example", 10, 300), ("soon.example", 300, 12)):
            cert, key = _self_signed(name, since, left)
            arns[name] = acm.import_certificate(Certificate=cert, PrivateKey=key)["CertificateArn"]
        arns["pending.example"] = acm.request_certificate(DomainName="pending.example")["CertificateArn"]
        return collect_moto("acm"), arns


def test_collector_lists_every_key_type(seeded):
    snap, arns = seeded
    certs = snap.tables["acm_certificates"].set_index("arn")
    # An EC P-384 certificate is missing from ListCertificates unless every key type is asked for.
    assert certs.loc[arns["long.example"], "key_algorithm"] == "EC_secp384r1"
    assert certs.loc[arns["soon.example"], "type"] == "IMPORTED"
    assert certs.loc[arns["pending.example"], "status"] == "PENDING_VALIDATION"
    assert snap.tables["gaps"].empty


def test_expiry_window(seeded):
    snap, arns = seeded
    snap.manifest["started_at"] = datetime.now(timezone.utc).isoformat()
    got = verdicts(snap, "acm_certificate_renewal_30_days")
    assert got == {arns["long.example"]: "PASS", arns["soon.example"]: "FAIL"}  # pending: not judged
    assert "expires in 1" in details(snap, "acm_certificate_renewal_30_days")[arns["soon.example"]]
    assert set(verdicts(snap, "acm_certificate_not_expired").values()) == {"PASS"}


def _cert(arn, not_after, status="ISSUED", key="RSA_2048"):
    return {"region": "us-east-1", "arn": arn, "domain_name": f"{arn}.example", "status": status, "type": "IMPORTED",
            "key_algorithm": key, "not_after": not_after, "in_use_by_json": '["arn:aws:elasticloadbalancing:lb"]'}


def test_expired_certificate_fails_and_is_not_counted_as_expiring():
    snap = make_snapshot({"acm_certificates": schema_table("acm_certificates", [
        _cert("gone", "2026-10-01T00:00:00+00:00", status="EXPIRED"),
        _cert("valid", "2027-06-01T00:00:00+00:00")])})  # the run started 2026-11-01
    assert verdicts(snap, "acm_certificate_not_expired") == {"gone": "FAIL", "valid": "PASS"}
    assert "used by 1 resource(s)" in details(snap, "acm_certificate_not_expired")["gone"]
    assert verdicts(snap, "acm_certificate_renewal_30_days") == {"valid": "PASS"}


def test_weak_rsa_key_fails():
    snap = make_snapshot({"acm_certificates": schema_table("acm_certificates", [
        _cert("weak", "2027-06-01T00:00:00+00:00", key="RSA_1024"),
        _cert("strong", "2027-06-01T00:00:00+00:00", key="EC_prime256v1")])})
    assert verdicts(snap, "acm_certificate_key_strength") == {"weak": "FAIL", "strong": "PASS"}


def test_describe_denied_is_error_for_that_certificate():
    gap = {"table": "acm_certificates", "region": "us-east-1", "resource_id": "c2", "service": "acm",
           "operation": "DescribeCertificate", "status": "denied", "error_code": "AccessDeniedException", "message": "x"}
    snap = make_snapshot({"acm_certificates": schema_table("acm_certificates", [_cert("c1", "2027-06-01T00:00:00+00:00")])},
                    gaps=[gap])
    assert verdicts(snap, "acm_certificate_not_expired") == {"c1": "PASS", "c2": "ERROR"}
