"""Security Hub: a central view of findings, with the standards that produce them."""

from __future__ import annotations

import pandas as pd

from .base import verdicts

FSBP_ARN_PART = "/aws-foundational-security-best-practices/"
CIS_ARN_PART = "/cis-aws-foundations-benchmark/"
ENABLED_STATUSES = ("READY", "INCOMPLETE")  # INCOMPLETE: on, but some controls failed to enable


def _regions(s) -> pd.DataFrame:
    hubs = s.table("securityhub_hubs")[["region", "hub_arn"]].drop_duplicates("region")
    df = pd.DataFrame({"region": s.regions}).merge(hubs, on="region", how="left")
    df["rid"] = s.account_id + "/" + df["region"]
    df["arn"] = df["hub_arn"].where(df["hub_arn"].notna(),
                                    f"arn:{s.partition}:securityhub:" + df["region"] + f":{s.account_id}:hub/default")
    return df


def securityhub_hub_enabled(s) -> pd.DataFrame:
    df = _regions(s)
    return verdicts(df, df["hub_arn"].notna(), resource_id="rid",
                    pass_detail="Security Hub is enabled in {region}.",
                    fail_detail="Security Hub is not enabled in {region}: findings there are not "
                                "aggregated or checked against any standard.")


def _standard(s, arn_part: str, label: str) -> pd.DataFrame:
    df = _regions(s)
    std = s.table("securityhub_standards")
    std = std[std["standards_arn"].astype(str).str.contains(arn_part, regex=False)]
    on = std[std["status"].isin(ENABLED_STATUSES)]
    names = (on.groupby("region")["standards_arn"].agg(lambda a: ", ".join(sorted(a.str.split("/").str[-3:]
                                                                               .str.join("/"))))
             .rename("versions"))
    df = df.merge(names, left_on="region", right_index=True, how="left")
    df["why"] = f"{label} is not enabled"
    df.loc[df["hub_arn"].isna(), "why"] = "Security Hub itself is not enabled"
    return verdicts(df, df["versions"].notna(), resource_id="rid",
                    pass_detail=f"Security Hub in {{region}} runs {label} ({{versions}}).",
                    fail_detail=f"Security Hub in {{region}}: {{why}}, so resources there are not checked "
                                f"against {label}.")


def securityhub_standard_fsbp_enabled(s) -> pd.DataFrame:
    return _standard(s, FSBP_ARN_PART, "AWS Foundational Security Best Practices")


def securityhub_standard_cis_enabled(s) -> pd.DataFrame:
    return _standard(s, CIS_ARN_PART, "the CIS AWS Foundations Benchmark")
