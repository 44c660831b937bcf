"""Lambda: runtimes still patched by AWS, who may invoke a function, function URL auth, VPC use.

The module is not called `lambda.py`: that name is a Python keyword and cannot be imported.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from .base import assessed_at, parse_json, verdicts
from .policy import is_public_policy, unscoped_service_principals

# Runtime identifier -> the date AWS deprecates it (stops security patches) per the Lambda
# runtime table (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html). Future dates
# are AWS's announced plans; AWS has moved some before, so refresh this table with each release.
RUNTIME_DEPRECATION = {
    "nodejs": date(2016, 10, 31), "nodejs4.3": date(2020, 3, 5), "nodejs4.3-edge": date(2020, 3, 5),
    "nodejs6.10": date(2019, 8, 12), "nodejs8.10": date(2020, 3, 6), "nodejs10.x": date(2021, 7, 30),
    "nodejs12.x": date(2023, 3, 31), "nodejs14.x": date(2023, 12, 4), "nodejs16.x": date(2024, 6, 12),
    "nodejs18.x": date(2025, 9, 1), "nodejs20.x": date(2026, 4, 30), "nodejs22.x": date(2027, 4, 30),
    "python2.7": date(2021, 7, 15), "python3.6": date(2022, 7, 18), "python3.7": date(2023, 12, 4),
    "python3.8": date(2024, 10, 14), "python3.9": date(2025, 12, 15), "python3.10": date(2026, 6, 30),
    "python3.11": date(2026, 6, 30), "python3.12": date(2028, 10, 31), "python3.13": date(2029, 6, 30),
    "java8": date(2024, 1, 8), "java8.al2": date(2026, 6, 30), "java11": date(2026, 6, 30),
    "java17": date(2026, 6, 30), "java21": date(2029, 6, 30),
    "dotnetcore1.0": date(2019, 7, 27), "dotnetcore2.0": date(2019, 5, 30),
    "dotnetcore2.1": date(2022, 1, 5), "dotnetcore3.1": date(2023, 4, 3), "dotnet5.0": date(2022, 5, 10),
    "dotnet6": date(2024, 12, 20), "dotnet7": date(2024, 5, 14), "dotnet8": date(2026, 11, 10),
    "ruby2.5": date(2021, 7, 30), "ruby2.7": date(2023, 12, 7), "ruby3.2": date(2026, 3, 31),
    "ruby3.3": date(2027, 3, 31),
    "go1.x": date(2024, 1, 8), "provided": date(2024, 1, 8), "provided.al2": date(2026, 6, 30),
    "provided.al2023": date(2029, 6, 30),
}


def lambda_function_runtime_supported(s) -> pd.DataFrame:
    fns = s.table("lambda_functions")
    fns = fns[fns["runtime"].notna() & (fns["runtime"].astype(str) != "")].copy()
    days = {rt: (pd.Timestamp(d, tz="UTC") - assessed_at(s).normalize()).days for rt, d in RUNTIME_DEPRECATION.items()}
    fns["deprecated_on"] = fns["runtime"].map({rt: d.isoformat() for rt, d in RUNTIME_DEPRECATION.items()})
    days_left = fns["runtime"].map(days)
    known = days_left.notna()
    fns["outlook"] = ("AWS deprecates it on " + fns["deprecated_on"] + " (in "
                      + days_left.astype("Int64").astype(str) + " days)").where(known, "no deprecation announced")
    return verdicts(fns, ~known | (days_left > 0), resource_id="function_name",
                    pass_detail="Function {function_name} runs on {runtime}: {outlook}.",
                    fail_detail="Function {function_name} runs on {runtime}, deprecated by AWS on "
                                "{deprecated_on}: the runtime no longer receives security patches.")


def lambda_function_not_public(s) -> pd.DataFrame:
    fns = s.table("lambda_functions")
    policies = s.table("lambda_policies")
    key = ["region", "function_name"]
    f = fns.merge(policies[key + ["policy_json"]].drop_duplicates(key), on=key, how="left")
    # Many functions share one policy text (deployed by the same template): judge each text once.
    texts = f["policy_json"].dropna().drop_duplicates()
    docs = parse_json(texts)
    why = pd.Series(docs.map(_exposure).to_numpy(), index=texts.to_numpy())
    # No policy text: the function has no resource policy (GetPolicy: ResourceNotFound), so only
    # its own account may invoke it.
    f["why"] = f["policy_json"].map(why).fillna("")
    return verdicts(f, f["why"] == "", resource_id="function_name",
                    pass_detail="Function {function_name}'s resource policy does not let anyone invoke it.",
                    fail_detail="Function {function_name}'s resource policy {why}.")


def _exposure(doc) -> str:
    """Why a function policy is public for FSBP Lambda.1, or "" when it is not."""
    if is_public_policy(doc):
        return ("allows any principal (*) with no limiting condition: anyone can invoke it and run "
                "up its cost")
    services = unscoped_service_principals(doc)
    if services:
        return (f"lets {', '.join(services)} invoke it with no aws:SourceAccount or aws:SourceArn "
                "condition: any account's resource of that service can trigger it")
    return ""


def lambda_function_url_auth_required(s) -> pd.DataFrame:
    urls = s.table("lambda_function_urls")
    s.table("lambda_functions")  # read for its gaps: a failed listing leaves no URLs to judge
    urls = urls.rename(columns={"function_arn": "arn"})
    # An alias can have its own URL: "name:alias" keeps one finding per URL.
    qualifier = urls["arn"].astype(str).str.extract(r":function:[^:]+:([^:]+)$")[0]
    urls["url_of"] = urls["function_name"].where(qualifier.isna(), urls["function_name"] + ":" + qualifier)
    return verdicts(urls, urls["auth_type"] == "AWS_IAM", resource_id="url_of",
                    pass_detail="Function URL of {url_of} requires IAM (SigV4) authentication.",
                    fail_detail="Function URL {function_url} of {url_of} has AuthType {auth_type}: "
                                "anyone on the internet can call the function.")


def lambda_function_in_vpc(s) -> pd.DataFrame:
    fns = s.table("lambda_functions").copy()
    has_vpc = fns["vpc_id"].notna() & (fns["vpc_id"].astype(str) != "")
    # An empty subnet list is stored as "[]": text is enough, no JSON parsing.
    has_subnets = fns["subnet_ids_json"].notna() & ~fns["subnet_ids_json"].astype(str).isin(["", "[]", "null"])
    fns["where"] = fns["vpc_id"].where(has_vpc, "subnets " + fns["subnet_ids_json"].astype(str))
    return verdicts(fns, has_vpc | has_subnets, resource_id="function_name",
                    pass_detail="Function {function_name} runs in a VPC ({where}).",
                    fail_detail="Function {function_name} is not attached to a VPC: its network access "
                                "cannot be limited by security groups or flow-logged.")
