"""AWS Config: a recorded history of every resource's configuration, in every region."""

from __future__ import annotations

import pandas as pd

from .base import ERROR, FAIL, PASS, account_finding, flag, verdicts

SERVICE_LINKED_ROLE = ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"


def _regions(s) -> pd.DataFrame:
    """One row per assessed region, with the resource id and ARN the per-region findings use."""
    df = pd.DataFrame({"region": s.regions})
    df["rid"] = s.account_id + "/" + df["region"]
    df["arn"] = f"arn:{s.partition}:config:" + df["region"] + f":{s.account_id}:"
    return df


def _customer_recorders(s) -> pd.DataFrame:
    """Recorders the customer set up: service-linked ones record only for their own service."""
    rec = s.table("config_recorders")
    own = rec[rec["service_principal"].isna() | (rec["service_principal"].astype(str) == "")].copy()
    own["is_recording"] = flag(own["recording"])  # NA: its status could not be read (a gap)
    own["records_all"] = flag(own["all_supported"]) | (own["recording_strategy"] == "ALL_SUPPORTED_RESOURCE_TYPES")
    # FSBP Config.1 also asks for the service-linked role (AWSServiceRoleForConfig).
    own["linked_role"] = own["role_arn"].astype(str).str.endswith(SERVICE_LINKED_ROLE).astype("boolean").where(
        own["role_arn"].notna())  # AWS always names the role: none means it was not read
    return own


def _per_region(s, ok: pd.Series, rec: pd.DataFrame) -> pd.DataFrame:
    """One row per assessed region with its best recorder: a good one (`ok`), else one that may
    be good (NA), else a bad one; `name` is NA where the region has no recorder."""
    rec = rec.assign(ok=ok)
    best = (rec.sort_values("ok", ascending=False, key=lambda v: v.astype("Float64").fillna(0.5))
            .drop_duplicates("region").drop(columns=["arn"], errors="ignore"))
    return _regions(s).merge(best, on="region", how="left")


def _problem(df: pd.DataFrame) -> pd.Series:
    """Why the region's recorder is not enough, for the checks' common parts."""
    recorder = df["name"].notna()
    problem = pd.Series("has no configuration recorder", index=df.index, dtype=object)
    problem[recorder & df["is_recording"].eq(False).fillna(False)] = \
        "has recorder " + df["name"].astype(str) + " but it is stopped"
    problem[(df["is_recording"] & df["records_all"].eq(False)).fillna(False)] = \
        "records only some resource types (recorder " + df["name"].astype(str) + ")"
    return problem


def config_recorder_enabled(s) -> pd.DataFrame:
    """FSBP Config.1: recording all supported resources with the service-linked role."""
    rec = _customer_recorders(s)
    df = _per_region(s, rec["is_recording"] & rec["records_all"] & rec["linked_role"], rec)
    df["problem"] = _problem(df)
    df.loc[(df["is_recording"] & df["records_all"] & df["linked_role"].eq(False)).fillna(False), "problem"] = \
        ("records with role " + df["role_arn"].astype(str) + ", not the service-linked role "
         "AWSServiceRoleForConfig (recorder " + df["name"].astype(str) + ")")
    # No recorder in a region: AWS Config is off there (a failed listing is a gap, reported apart).
    return verdicts(df, df["ok"].mask(df["name"].isna(), False), resource_id="rid",
                    pass_detail="AWS Config recorder {name} records all supported resource types in "
                                "{region} with the service-linked role (last status {last_status}).",
                    fail_detail="AWS Config in {region} {problem}: configuration changes there are not "
                                "recorded.")


def config_recorder_status_success(s) -> pd.DataFrame:
    """CIS: recording, all supported resource types, and the recorder's lastStatus is SUCCESS (a
    recorder whose deliveries fail records nothing usable). CIS does not ask for the
    service-linked role."""
    rec = _customer_recorders(s)
    status = rec["last_status"].astype(object)
    success = (status.astype(str).str.upper() == "SUCCESS").astype("boolean").where(
        status.notna() | rec["is_recording"].eq(False).fillna(False))  # unknown status of a live recorder: NA
    df = _per_region(s, rec["is_recording"] & rec["records_all"] & success, rec)
    df["problem"] = _problem(df)
    df.loc[(df["is_recording"] & df["records_all"]).fillna(False) & df["last_status"].notna(), "problem"] = \
        ("reports last status " + df["last_status"].astype(str) + " (error " + df["last_error_code"].astype(str)
         + ") for recorder " + df["name"].astype(str))
    return verdicts(df, df["ok"].mask(df["name"].isna(), False), resource_id="rid",
                    pass_detail="AWS Config recorder {name} records all supported resource types in {region} "
                                "and its last recording succeeded.",
                    fail_detail="AWS Config in {region} {problem}: configuration changes there are not "
                                "reliably recorded.")


def config_recorder_global_resources(s) -> pd.DataFrame:
    rec = _customer_recorders(s)
    good = rec["is_recording"] & rec["records_all"] & flag(rec["include_global_resource_types"])
    if good.any():
        row = rec[good.fillna(False)].sort_values("region").iloc[0]
        return account_finding(s, PASS, f"Recorder {row['name']} in {row['region']} records all resource "
                                        "types including global ones (IAM users, roles, policies).")
    if good.isna().any():
        return account_finding(s, ERROR, "Could not evaluate: whether a recorder is recording, or which "
                                         "resource types it records, is missing from the snapshot.")
    return account_finding(s, FAIL, "No region's AWS Config recorder records global resource types "
                                    "(IAM users, groups, roles, policies): changes to them are not recorded.")


def config_delivery_channel_configured(s) -> pd.DataFrame:
    ch = s.table("config_delivery_channels")
    ch = ch[ch["s3_bucket_name"].notna() & (ch["s3_bucket_name"].astype(str) != "")]
    best = ch.drop_duplicates("region")[["region", "name", "s3_bucket_name"]]
    df = _regions(s).merge(best, on="region", how="left")
    return verdicts(df, df["name"].notna(), resource_id="rid",
                    pass_detail="AWS Config in {region} delivers to bucket {s3_bucket_name} (channel {name}).",
                    fail_detail="AWS Config in {region} has no delivery channel: recorded history is not "
                                "delivered to S3 (and a recorder cannot start without one).")
