"""S3: who can reach the buckets, and how their data is protected."""

from __future__ import annotations

import pandas as pd

from .base import as_list, parse_json, verdicts
from .policy import denies_insecure_transport, is_public_policy


def s3_bucket_default_encryption(s) -> pd.DataFrame:
    buckets = s.table("s3_buckets")
    enc = s.table("s3_bucket_encryption")[["name", "sse_algorithm"]]
    df = buckets.merge(enc, on="name", how="left")
    return verdicts(df, df["sse_algorithm"].notna(), resource_id="name",
                    pass_detail="Bucket {name} encrypts new objects by default ({sse_algorithm}).",
                    fail_detail="Bucket {name} has no default encryption configured.")


def s3_bucket_public_access_blocked(s) -> pd.DataFrame:
    buckets = s.table("s3_buckets")
    pab = s.table("s3_bucket_public_access_block")
    df = buckets.merge(pab.drop(columns=["region"]), on="name", how="left")
    flags = ["block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets"]
    ok = df[flags].fillna(False).astype(bool).all(axis=1)
    return verdicts(df, ok, resource_id="name",
                    pass_detail="Bucket {name} blocks all public access.",
                    fail_detail="Bucket {name} does not block all public access (bucket-level Block Public Access is incomplete).")


def s3_bucket_policy_not_public(s) -> pd.DataFrame:
    buckets = s.table("s3_buckets")
    pols = s.table("s3_bucket_policies")[["name", "policy_json"]]
    df = buckets.merge(pols, on="name", how="left")
    public = parse_json(df["policy_json"]).map(lambda p: bool(p) and is_public_policy(p))
    return verdicts(df, ~public, resource_id="name",
                    pass_detail="Bucket {name} has no bucket policy that grants access to everyone.",
                    fail_detail="Bucket {name} has a bucket policy that grants access to anyone (Principal '*' without a limiting condition).")


def s3_bucket_tls_required(s) -> pd.DataFrame:
    buckets = s.table("s3_buckets")
    pols = s.table("s3_bucket_policies")[["name", "policy_json"]]
    df = buckets.merge(pols, on="name", how="left")
    tls = parse_json(df["policy_json"]).map(lambda p: bool(p) and denies_insecure_transport(p))
    return verdicts(df, tls, resource_id="name",
                    pass_detail="Bucket {name} denies requests not sent over TLS.",
                    fail_detail="Bucket {name} has no policy statement denying plain-HTTP requests (aws:SecureTransport false).")
