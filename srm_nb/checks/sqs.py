"""SQS: queues encrypted at rest, and queue policies that do not let anyone in."""

from __future__ import annotations

import pandas as pd

from .base import flag, parse_json, verdicts
from .policy import is_public_policy


def _queues(s) -> pd.DataFrame:
    queues = s.table("sqs_queues")
    attrs = s.table("sqs_queue_attributes")
    q = queues[["region", "name", "arn"]].merge(
        attrs[["region", "name", "kms_master_key_id", "sqs_managed_sse_enabled", "policy_json"]],
        on=["region", "name"], how="left", indicator=True)
    q["read"] = q.pop("_merge") == "both"
    return q


def sqs_queue_encrypted(s) -> pd.DataFrame:
    q = _queues(s)
    kms = q["kms_master_key_id"].fillna("").astype(str).ne("")
    q["key"] = q["kms_master_key_id"].where(kms, "an SQS-owned key (SSE-SQS)")
    ok = (kms.astype("boolean") | flag(q["sqs_managed_sse_enabled"])).mask(~q["read"])
    return verdicts(q, ok, resource_id="name",
                    pass_detail="Queue {name} encrypts messages at rest with {key}.",
                    fail_detail="Queue {name} stores messages unencrypted (no SSE-SQS, no KMS key).")


def sqs_queue_policy_not_public(s) -> pd.DataFrame:
    q = _queues(s)
    # Many queues share one policy text: judge each text once. Conditions limit only with fixed
    # values, as AWS Config's sqs-queue-no-public-access reads them.
    texts = q["policy_json"].dropna().drop_duplicates()
    public = pd.Series(parse_json(texts).map(lambda doc: is_public_policy(doc, fixed_values=True)).to_numpy(),
                       index=texts.to_numpy(), dtype=bool)
    ok = ~q["policy_json"].isin(public.index[public.to_numpy()])  # dtype-safe when no queue has a policy
    q["grant"] = pd.Series("has a policy that grants access to named principals only", index=q.index).where(
        q["policy_json"].notna(), "has no access policy: only this account's IAM principals can use it")
    return verdicts(q, ok.astype("boolean").mask(~q["read"]), resource_id="name",
                    pass_detail="Queue {name} {grant}.",
                    fail_detail="Queue {name}'s policy allows any principal (*) without a condition "
                                "that pins the caller down with fixed values: anyone can use the queue "
                                "as its statements allow.")
