"""Demo ACM: the API certificate is valid for most of a year; the imported certificate of the old
customer portal expires in 20 days and nobody has replaced it.

The certificates are self-signed and imported (moto leaves requested certificates pending
validation). ACM checks validity against the real clock, so the validity windows are set relative
to the moment of seeding; the verdicts are the same on every run. The key is derived from a fixed
number: no randomness in what is created.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from . import DemoAws

# common name: (valid since N days ago, valid for N more days)
CERTIFICATES = {
    "api.northwind-analytics.example": (60, 300),
    "portal-legacy.northwind-analytics.example": (345, 20),
}


def _self_signed(common_name: str, since_days: int, left_days: int) -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.derive_private_key(20261101, ec.SECP256R1())
    now = datetime.now(timezone.utc).replace(microsecond=0)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(len(common_name) + 1000)
            .not_valid_before(now - timedelta(days=since_days))
            .not_valid_after(now + timedelta(days=left_days))
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


def seed(aws: DemoAws) -> None:
    acm = aws.client("acm", "us-east-1")
    for name, (since, left) in CERTIFICATES.items():
        cert, key = _self_signed(name, since, left)
        acm.import_certificate(Certificate=cert, PrivateKey=key,
                               Tags=[{"Key": "Name", "Value": name}])
