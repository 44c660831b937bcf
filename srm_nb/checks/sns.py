"""SNS topics: encrypted at rest with KMS, topic policies that do not let anyone in, and message
data protection."""

from __future__ import annotations

import pandas as pd

from .base import parse_json, verdicts
from .policy import is_public_policy


def _topics(s, table: str, columns: list[str]) -> pd.DataFrame:
    """Listed topics with `columns` of `table`; `read` says whether the topic has a row there."""
    topics = s.table("sns_topics")
    details = s.table(table)
    t = topics[["region", "name", "arn"]].merge(details[["region", "name", *columns]], on=["region", "name"],
                                                 how="left", indicator=True)
    t["read"] = t.pop("_merge") == "both"
    return t


def sns_topic_encrypted(s) -> pd.DataFrame:
    t = _topics(s, "sns_topic_attributes", ["kms_master_key_id"])
    ok = t["kms_master_key_id"].fillna("").astype(str).ne("").astype("boolean").mask(~t["read"])
    return verdicts(t, ok, resource_id="name",
                    pass_detail="Topic {name} encrypts messages at rest with KMS key {kms_master_key_id}.",
                    fail_detail="Topic {name} has no KMS key: messages are kept with SNS's own disk "
                                "encryption, which anyone allowed to read the topic bypasses.")


def sns_topic_policy_not_public(s) -> pd.DataFrame:
    t = _topics(s, "sns_topic_attributes", ["policy_json"])
    texts = t["policy_json"].dropna().drop_duplicates()
    public = pd.Series(parse_json(texts).map(lambda doc: is_public_policy(doc, fixed_values=True)).to_numpy(),
                       index=texts.to_numpy(), dtype=bool)
    ok = ~t["policy_json"].map(public).fillna(False).astype(bool)
    return verdicts(t, ok.astype("boolean").mask(~t["read"]), resource_id="name",
                    pass_detail="Topic {name}'s policy grants access to named principals or this account only.",
                    fail_detail="Topic {name}'s policy allows any principal (*) without a condition that "
                                "pins the caller down with fixed values: anyone can publish or subscribe "
                                "as its statements allow.")


def sns_topic_data_protection_enabled(s) -> pd.DataFrame:
    t = _topics(s, "sns_topic_data_protection", ["policy_json"])
    statements = parse_json(t["policy_json"]).map(lambda doc: len((doc or {}).get("Statement") or []))
    ok = (statements > 0).astype("boolean").mask(~t["read"])
    return verdicts(t, ok, resource_id="name",
                    pass_detail="Topic {name} has a message data protection policy.",
                    fail_detail="Topic {name} has no message data protection policy: personal or "
                                "financial data published to it is neither detected nor masked.")
