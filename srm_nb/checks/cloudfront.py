"""CloudFront: viewer and origin encryption, certificates and TLS policy, access to S3 and Lambda
function URL origins, WAF, logging, default root object and origin failover.

One finding per distribution, as Security Hub reports them; origin-level problems name the
origins in the detail. Distributions are named by id, with their comment (what people call them).
"""

from __future__ import annotations

import re

import pandas as pd

from .base import flag, parse_json, verdicts

# Security Hub CloudFront.15 passes these viewer security policies only (not customizable).
RECOMMENDED_VIEWER_POLICIES = ("TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025")
# The bucket of an S3 REST endpoint origin: bucket.s3.amazonaws.com, bucket.s3.<region>.amazonaws.com,
# bucket.s3-<region>.amazonaws.com (access points and Object Lambda are not buckets).
_S3_BUCKET = re.compile(r"^(?P<bucket>.+)\.s3[.-](?!accesspoint|object-lambda).*amazonaws\.com(\.cn)?$")
_LAMBDA_URL = re.compile(r"\.lambda-url\.[a-z0-9-]+\.on\.aws$")


def _given(values: pd.Series) -> pd.Series:
    """A text setting the collector leaves empty (None) when nothing is configured."""
    return values.fillna("").astype(str).ne("")


def _text(values: pd.Series) -> pd.Series:
    """Looked-up text, "" where there was nothing to look up (any dtype an empty lookup gave)."""
    return values.astype(object).where(values.notna(), "")


def _distributions(s) -> pd.DataFrame:
    d = s.table("cloudfront_distributions").copy()
    d["label"] = d["comment"].astype(object).where(_given(d["comment"]), "no comment")
    return d


def _with_origin_problems(s, origins: pd.DataFrame, bad: pd.Series) -> pd.DataFrame:
    """The distributions that have any of `origins`, with `bad_origins`: the ids of those
    where `bad` is True ("" when none). Distributions without such origins are left out."""
    d = _distributions(s)
    listed = origins.assign(bad=bad.astype(bool))
    bad_ids = (listed[listed["bad"]].groupby("distribution_id")["origin_id"]
               .agg(lambda ids: ", ".join(sorted(map(str, ids)))))
    d = d[d["id"].isin(listed["distribution_id"])].copy()
    d["bad_origins"] = _text(d["id"].map(bad_ids))
    return d


def _s3_origins(s) -> pd.DataFrame:
    origins = s.table("cloudfront_origins")
    return origins[flag(origins["s3_origin"]).fillna(False).astype(bool)].copy()


def _custom_origins(s) -> pd.DataFrame:
    origins = s.table("cloudfront_origins")
    return origins[flag(origins["custom_origin"]).fillna(False).astype(bool)].copy()


def _custom_cert(d: pd.DataFrame) -> pd.Series:
    return _given(d["acm_certificate_arn"]) | _given(d["iam_certificate_id"])


def cloudfront_distribution_default_root_object(s) -> pd.DataFrame:
    configs = s.table("cloudfront_distribution_configs")
    d = _distributions(s)
    d = d[d["id"].isin(_s3_origins(s)["distribution_id"])]
    d = d.merge(configs[["distribution_id", "default_root_object"]], left_on="id",
                right_on="distribution_id", how="left")
    has_config = d["distribution_id"].notna()
    ok = _given(d["default_root_object"]).astype("boolean").mask(~has_config)
    return verdicts(d, ok, resource_id="id",
                    pass_detail="Distribution {id} ({label}) answers its root URL with {default_root_object}.",
                    fail_detail="Distribution {id} ({label}) serves S3 origins with no default root object: "
                                "a request for its root URL goes to the origin as is.")


def cloudfront_distribution_https_required(s) -> pd.DataFrame:
    behaviors = s.table("cloudfront_cache_behaviors")
    plain = behaviors[behaviors["viewer_protocol_policy"] == "allow-all"]
    paths = plain.groupby("distribution_id")["path_pattern"].agg(lambda p: ", ".join(sorted(map(str, p))))
    d = _distributions(s)
    d["plain_paths"] = _text(d["id"].map(paths))
    return verdicts(d, d["plain_paths"] == "", resource_id="id",
                    pass_detail="Distribution {id} ({label}) requires or redirects to HTTPS in every cache behavior.",
                    fail_detail="Distribution {id} ({label}) serves {plain_paths} over plain HTTP "
                                "(viewer protocol policy allow-all).")


def cloudfront_distribution_origin_failover(s) -> pd.DataFrame:
    groups = s.table("cloudfront_origin_groups")
    members = parse_json(groups["member_origin_ids_json"]).map(lambda m: len(m or []))
    with_failover = set(groups.loc[members >= 2, "distribution_id"])
    d = _distributions(s)
    return verdicts(d, d["id"].isin(with_failover), resource_id="id",
                    pass_detail="Distribution {id} ({label}) has an origin group with a failover origin.",
                    fail_detail="Distribution {id} ({label}) has no origin group with two origins: when its "
                                "origin fails, viewers get errors.")


def cloudfront_distribution_logging_enabled(s) -> pd.DataFrame:
    configs = s.table("cloudfront_distribution_configs")
    d = _distributions(s).merge(configs[["distribution_id", "logging_enabled", "logging_bucket"]],
                                left_on="id", right_on="distribution_id", how="left")
    return verdicts(d, flag(d["logging_enabled"]), resource_id="id",
                    pass_detail="Distribution {id} ({label}) writes standard logs to {logging_bucket}.",
                    fail_detail="Distribution {id} ({label}) has standard logging (legacy) off: viewer "
                                "requests are not recorded in S3 (logs delivered through CloudWatch are "
                                "not visible in the distribution's configuration).")


def cloudfront_distribution_waf_enabled(s) -> pd.DataFrame:
    d = _distributions(s)
    return verdicts(d, _given(d["web_acl_id"]), resource_id="id",
                    pass_detail="Distribution {id} ({label}) is protected by web ACL {web_acl_id}.",
                    fail_detail="Distribution {id} ({label}) has no AWS WAF web ACL: nothing filters "
                                "malicious requests at the edge.")


def cloudfront_distribution_custom_certificate(s) -> pd.DataFrame:
    d = _distributions(s)
    return verdicts(d, _custom_cert(d), resource_id="id",
                    pass_detail="Distribution {id} ({label}) serves HTTPS with its own certificate.",
                    fail_detail="Distribution {id} ({label}) uses the default *.cloudfront.net "
                                "certificate, whose minimum protocol is TLSv1 whatever the settings say.")


def cloudfront_distribution_sni_enabled(s) -> pd.DataFrame:
    d = _distributions(s)
    d = d[_custom_cert(d)].copy()
    ok = (d["ssl_support_method"] != "vip").astype("boolean").mask(d["ssl_support_method"].isna())
    return verdicts(d, ok, resource_id="id",
                    pass_detail="Distribution {id} ({label}) serves its certificate with SNI ({ssl_support_method}).",
                    fail_detail="Distribution {id} ({label}) serves its certificate from dedicated IP "
                                "addresses (vip), kept for clients without SNI.")


def _allow_all_targets(s) -> pd.DataFrame:
    """(distribution_id, origin_id) pairs some allow-all behavior sends requests to, directly or
    through an origin group."""
    behaviors = s.table("cloudfront_cache_behaviors")
    groups = s.table("cloudfront_origin_groups")
    plain = behaviors.loc[behaviors["viewer_protocol_policy"] == "allow-all", ["distribution_id", "target_origin_id"]]
    members = groups.assign(origin_id=parse_json(groups["member_origin_ids_json"])).explode("origin_id")
    via_group = plain.merge(members, left_on=["distribution_id", "target_origin_id"],
                            right_on=["distribution_id", "group_id"])[["distribution_id", "origin_id"]]
    direct = plain.rename(columns={"target_origin_id": "origin_id"})
    return pd.concat([direct, via_group], ignore_index=True).drop_duplicates()


def cloudfront_distribution_origin_https(s) -> pd.DataFrame:
    origins = _custom_origins(s)
    plain = _allow_all_targets(s).assign(to_plain_viewers=True)
    origins = origins.merge(plain, on=["distribution_id", "origin_id"], how="left")
    policy = origins["origin_protocol_policy"]
    to_plain_viewers = origins["to_plain_viewers"].fillna(False).astype(bool)
    bad = (policy == "http-only") | ((policy == "match-viewer") & to_plain_viewers)
    d = _with_origin_problems(s, origins, bad)
    unknown = d["id"].isin(origins.loc[policy.isna(), "distribution_id"])
    return verdicts(d, d["bad_origins"] == "", resource_id="id", unknown=unknown,
                    pass_detail="Distribution {id} ({label}) reaches its custom origins over HTTPS.",
                    fail_detail="Distribution {id} ({label}) sends requests to custom origins {bad_origins} "
                                "over plain HTTP (http-only, or match-viewer behind an allow-all behavior).")


def cloudfront_distribution_origin_no_sslv3(s) -> pd.DataFrame:
    origins = _custom_origins(s)
    protocols = parse_json(origins["origin_ssl_protocols_json"])
    bad = protocols.map(lambda p: "SSLv3" in (p or []))
    d = _with_origin_problems(s, origins, bad)
    return verdicts(d, d["bad_origins"] == "", resource_id="id",
                    pass_detail="Distribution {id} ({label}) never offers SSLv3 to its custom origins.",
                    fail_detail="Distribution {id} ({label}) allows SSLv3 to custom origins {bad_origins}.")


def cloudfront_distribution_s3_origin_exists(s) -> pd.DataFrame:
    origins = _s3_origins(s)
    origins["bucket"] = origins["domain_name"].astype(str).str.extract(_S3_BUCKET)["bucket"]
    origins = origins[origins["bucket"].notna()]
    own = set(s.table("s3_buckets")["name"].astype(str))
    d = _with_origin_problems(s, origins, ~origins["bucket"].isin(own))
    missing = (origins.loc[~origins["bucket"].isin(own)].groupby("distribution_id")["bucket"]
               .agg(lambda b: ", ".join(sorted(set(b)))))
    d["missing_buckets"] = _text(d["id"].map(missing))
    return verdicts(d, d["bad_origins"] == "", resource_id="id",
                    pass_detail="Distribution {id} ({label}) points to S3 buckets of this account.",
                    fail_detail="Distribution {id} ({label}) points to bucket(s) {missing_buckets} that this "
                                "account does not own: if deleted, anyone can create them and serve "
                                "content through the distribution (if another account owns them, "
                                "confirm they exist and mute this finding).")


def cloudfront_distribution_s3_origin_access_control(s) -> pd.DataFrame:
    origins = _s3_origins(s)
    bad = ~_given(origins["origin_access_control_id"])
    d = _with_origin_problems(s, origins, bad)
    unprotected = bad & ~_given(origins["origin_access_identity"])
    d["how"] = pd.Series("a legacy origin access identity (OAI), which supports neither SSE-KMS nor "
                         "signed uploads nor the Regions opened since 2022", index=d.index).where(
        ~d["id"].isin(origins.loc[unprotected, "distribution_id"]),
        "neither origin access control nor identity, so the bucket must be readable by anyone")
    return verdicts(d, d["bad_origins"] == "", resource_id="id",
                    pass_detail="Distribution {id} ({label}) reaches every S3 origin with origin access control.",
                    fail_detail="Distribution {id} ({label}) reaches S3 origins {bad_origins} with {how}.")


def cloudfront_distribution_tls_policy_recommended(s) -> pd.DataFrame:
    d = _distributions(s)
    # Security Hub judges distributions with their own certificate that do not serve legacy
    # (non-SNI) clients; the default certificate's policy cannot be changed.
    d = d[_custom_cert(d) & (d["ssl_support_method"] != "vip")].copy()
    ok = d["minimum_protocol_version"].isin(RECOMMENDED_VIEWER_POLICIES).astype("boolean").mask(
        d["minimum_protocol_version"].isna())
    return verdicts(d, ok, resource_id="id",
                    pass_detail="Distribution {id} ({label}) uses viewer security policy {minimum_protocol_version}.",
                    fail_detail="Distribution {id} ({label}) uses viewer security policy "
                                "{minimum_protocol_version}, older than TLSv1.2_2021.")


def cloudfront_distribution_lambda_url_origin_access_control(s) -> pd.DataFrame:
    origins = s.table("cloudfront_origins")
    origins = origins[origins["domain_name"].astype(str).str.contains(_LAMBDA_URL)].copy()
    bad = ~_given(origins["origin_access_control_id"])
    d = _with_origin_problems(s, origins, bad)
    return verdicts(d, d["bad_origins"] == "", resource_id="id",
                    pass_detail="Distribution {id} ({label}) signs its requests to Lambda function URL "
                                "origins with origin access control.",
                    fail_detail="Distribution {id} ({label}) reaches Lambda function URL origins {bad_origins} "
                                "without origin access control: the function URL must then accept "
                                "anyone, not only this distribution.")
