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


def config_recorder_enabled(s) -> pd.DataFrame:
    rec = _customer_recorders(s)
    rec = rec.assign(ok=rec["is_recording"] & rec["records_all"] & rec["linked_role"])
    # The region's best recorder: a good one, else one that may be good (NA), else a bad one.
    best = (rec.sort_values("ok", ascending=False, key=lambda ok: ok.astype("Float64").fillna(0.5))
            .drop_duplicates("region")[["region", "name", "ok", "is_recording", "records_all", "linked_role",
                                        "role_arn", "last_status"]])
    df = _regions(s).merge(best, on="region", how="left")
    recorder = df["name"].notna()
    df["problem"] = "has no configuration recorder"
    df.loc[recorder & df["is_recording"].eq(False).fillna(False), "problem"] = \
        "has recorder " + df["name"].astype(str) + " but it is stopped"
    df.loc[(df["is_recording"] & df["records_all"].eq(False)).fillna(False), "problem"] = \
        "records only some resource types (recorder " + df["name"].astype(str) + ")"
    df.loc[(df["is_recording"] & df["records_all"] & df["linked_role"].eq(False)).fillna(False), "problem"] = \
        ("records with role " + df["role_arn"].astype(str) + ", not the service-linked role "
         "AWSServiceRoleForConfig (recorder " + df["name"].astype(str) + ")")
    # No recorder in a region: AWS Config is off there (a failed listing is a gap, reported apart).
    return verdicts(df, df["ok"].mask(~recorder, False), resource_id="rid",
                    pass_detail="AWS Config recorder {name} records all supported resource types in "
                                "{region} (last status {last_status}).",
                    fail_detail="AWS Config in {region} {problem}: configuration changes there are not "
                                "recorded.")


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
