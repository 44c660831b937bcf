"""AWS Backup: is the data that matters in a backup plan, and are the backups themselves safe.

A resource counts as covered when a backup selection of a plan in its region selects it, or when
AWS Backup holds a recent recovery point for it (ListProtectedResources). Covered kinds: RDS
databases, DynamoDB tables, EBS volumes attached to an instance (EC2.28) and EFS file systems.
Selections are evaluated as AWS Backup does:

- `Resources` (ARN patterns with `*`) and `ListOfTags` (tag equality) select; either one suffices;
  a selection with neither selects every supported resource (narrowed by its `Conditions`);
- `Conditions` (StringEquals / StringNotEquals / StringLike / StringNotLike on tags) must all hold;
- `NotResources` excludes.

Tag-based selections need the resource's tags. Where a data table carries no tags for a resource
(EBS volumes unless the EC2 collector records them), the coverage cannot be decided: ERROR with
the reason, never a guessed FAIL or PASS.
"""

from __future__ import annotations

import fnmatch
import json

import pandas as pd

from .base import ERROR, FAIL, PASS, as_list, assessed_at, empty, flag, regional_merge, verdicts
from .ec2 import attached_volumes
from .kms import customer_managed

RECENT_BACKUP_DAYS = 35  # a recovery point older than this is history, not protection
UNKNOWN = object()


def _tags_of(value) -> dict | None:
    if isinstance(value, str) and value:
        parsed = json.loads(value)
        if isinstance(parsed, list):  # EC2-style [{"Key":..., "Value":...}]
            return {t.get("Key"): t.get("Value") for t in parsed if isinstance(t, dict)}
        return parsed if isinstance(parsed, dict) else None
    return None


def _rds(s) -> pd.DataFrame:
    dbs = s.table("rds_instances")
    dbs = dbs[dbs["db_cluster_identifier"].isna()]  # cluster members are backed up with the cluster
    clusters = s.table("rds_clusters")
    return pd.concat([
        pd.DataFrame({"region": dbs["region"], "rid": dbs["db_instance_id"], "arn": dbs["arn"],
                      "tags": dbs["tags_json"].map(_tags_of)}),
        pd.DataFrame({"region": clusters["region"], "rid": clusters["db_cluster_id"], "arn": clusters["arn"],
                      "tags": clusters["tags_json"].map(_tags_of)}),
    ], ignore_index=True)


def _dynamodb(s) -> pd.DataFrame:
    tables = regional_merge(s.table("dynamodb_tables"), s.table("dynamodb_table_tags"), "table_name", ["tags_json"])
    return pd.DataFrame({"region": tables["region"], "rid": tables["table_name"], "arn": tables["arn"],
                         "tags": tables["tags_json"].map(_tags_of)})


def _ebs(s) -> pd.DataFrame:
    vols = attached_volumes(s)  # EC2.28 judges in-use volumes
    tags = (vols["tags_json"].map(_tags_of) if "tags_json" in vols.columns
            else pd.Series(None, index=vols.index, dtype=object))
    return pd.DataFrame({"region": vols["region"], "rid": vols["volume_id"], "arn": vols["arn"], "tags": tags})


def _efs(s) -> pd.DataFrame:
    fs = s.table("efs_file_systems")
    return pd.DataFrame({"region": fs["region"], "rid": fs["file_system_id"], "arn": fs["arn"],
                         "tags": fs["tags_json"].map(_tags_of)})


# Each kind reads only its own tables, so a gap in one service does not blur the others' verdicts.
DATA_RESOURCES = {"rds": _rds, "dynamodb": _dynamodb, "ebs": _ebs, "efs": _efs}


def _tag_test(tags: dict, key: str, value: str, op: str) -> bool:
    key = key.split("aws:ResourceTag/", 1)[-1]
    actual = tags.get(key)
    if op == "StringEquals" or op == "STRINGEQUALS":
        return actual == value
    if op == "StringNotEquals":
        return actual != value
    if op == "StringLike":
        return actual is not None and fnmatch.fnmatchcase(actual, value)
    if op == "StringNotLike":
        return actual is None or not fnmatch.fnmatchcase(actual, value)
    return False


def selects(selection: dict, arn: str, tags: dict | None):
    """True, False, or UNKNOWN (the answer depends on tags we do not have)."""
    def arn_in(patterns):
        return any(fnmatch.fnmatchcase(arn, str(p)) for p in as_list(patterns))

    if arn_in(selection.get("not_resources")):
        return False
    patterns = as_list(selection.get("resources"))
    by_arn = arn_in(patterns)
    tag_rules = [t for t in as_list(selection.get("list_of_tags")) if isinstance(t, dict)]
    conditions = [(op, c) for op, items in (selection.get("conditions") or {}).items()
                  for c in as_list(items) if isinstance(c, dict)]
    if tags is None:
        if patterns and not by_arn and not tag_rules:
            return False  # ruled out by its ARN patterns alone
        if conditions or (tag_rules and not by_arn):
            return UNKNOWN
        return True  # matched by ARN, or a selection that names nothing (everything)
    by_tags = any(_tag_test(tags, t.get("ConditionKey", ""), t.get("ConditionValue"), t.get("ConditionType", ""))
                  for t in tag_rules)
    # A selection naming no resources and no tags selects every supported resource (then filtered
    # by its conditions), as the BackupSelection API documents.
    chosen = (by_arn or by_tags) if (patterns or tag_rules) else True
    return chosen and all(_tag_test(tags, c.get("ConditionKey", ""), c.get("ConditionValue"), op)
                          for op, c in conditions)


def coverage(s, kind: str) -> pd.DataFrame:
    res = DATA_RESOURCES[kind](s).copy()
    if res.empty:
        return res
    sels = s.table("backup_selections").merge(s.table("backup_plans")[["plan_id", "name"]].rename(
        columns={"name": "plan_name"}), on="plan_id", how="left")
    parsed = [{
        "region": r.region, "plan": r.plan_name or r.plan_id, "name": r.name,
        "resources": json.loads(r.resources_json or "[]"), "not_resources": json.loads(r.not_resources_json or "[]"),
        "list_of_tags": json.loads(r.list_of_tags_json or "[]"), "conditions": json.loads(r.conditions_json or "{}"),
    } for r in sels.itertuples()]
    prot = s.table("backup_protected_resources")
    now = assessed_at(s)
    last = pd.to_datetime(prot["last_backup_time"], utc=True, errors="coerce")
    recent = dict(zip(prot["resource_arn"], last))

    def judge(row):
        tags = row.tags if isinstance(row.tags, dict) else None  # NaN/None: not collected
        unknown = []
        for sel in parsed:
            if sel["region"] != row.region:
                continue
            got = selects(sel, row.arn, tags)
            if got is UNKNOWN:
                unknown.append(f"{sel['plan']}/{sel['name']}")
            elif got:
                return PASS, f"selected by backup plan {sel['plan']} (selection {sel['name']})"
        when = recent.get(row.arn)
        if when is not None and pd.notna(when) and (now - when).days <= RECENT_BACKUP_DAYS:
            return PASS, f"backed up by AWS Backup on {when:%Y-%m-%d}"
        if unknown:
            return ERROR, ("coverage depends on tag-based selection(s) " + ", ".join(unknown)
                           + " and the resource's tags were not collected")
        if when is not None and pd.notna(when):
            return FAIL, f"in no backup plan; its last AWS Backup recovery point is from {when:%Y-%m-%d}"
        return FAIL, "in no backup plan selection and never backed up by AWS Backup"

    judged = [judge(r) for r in res.itertuples()]
    res["status"] = [j[0] for j in judged]
    res["why"] = [j[1] for j in judged]
    return res


def _protected(s, kind: str, noun: str) -> pd.DataFrame:
    res = coverage(s, kind)
    if res.empty:
        return empty()
    out = verdicts(res, res["status"] == PASS, resource_id="rid",
                   pass_detail=f"{noun} {{rid}} is {{why}}.", fail_detail=f"{noun} {{rid}} is {{why}}.")
    unknown = (res["status"] == ERROR).to_numpy()
    out.loc[unknown, "status"] = ERROR
    out.loc[unknown, "detail"] = ("Could not evaluate: " + noun + " " + res.loc[unknown, "rid"].astype(str)
                                  + ": " + res.loc[unknown, "why"]).to_numpy()
    return out


def backup_rds_resource_protected(s) -> pd.DataFrame:
    return _protected(s, "rds", "Database")


def backup_dynamodb_table_protected(s) -> pd.DataFrame:
    return _protected(s, "dynamodb", "Table")


def backup_ebs_volume_protected(s) -> pd.DataFrame:
    return _protected(s, "ebs", "Volume")


def backup_plan_exists(s) -> pd.DataFrame:
    """One finding per region that holds data resources: is there a backup plan with rules? The
    detail names what the region holds, and says when it has no backup vault either."""
    held = pd.concat([load(s).assign(kind=kind)[["region", "kind"]] for kind, load in DATA_RESOURCES.items()],
                     ignore_index=True)
    if held.empty:
        return empty()
    plans = s.table("backup_plans")
    vaults = s.table("backup_vaults")
    counts = pd.to_numeric(plans["rule_count"], errors="coerce")
    with_rules = plans[counts > 0].groupby("region")["name"].agg(lambda n: ", ".join(sorted(map(str, n))))
    unread = plans[counts.isna()].groupby("region")["name"].agg(lambda n: ", ".join(sorted(map(str, n))))
    nouns = {"rds": "database", "dynamodb": "DynamoDB table", "ebs": "attached EBS volume", "efs": "EFS file system"}
    what = held.groupby("region")["kind"].agg(
        lambda k: ", ".join(f"{n} {nouns[kind]}(s)" for kind, n in k.value_counts().sort_index().items()))
    df = pd.DataFrame({"region": sorted(what.index.astype(str))})
    df["holds"] = df["region"].map(what)
    df["plans"] = df["region"].map(with_rules)
    df["unread"] = df["region"].map(unread)
    df["vault"] = df["region"].isin(set(vaults["region"])).map({True: "", False: " and no backup vault"})
    df["rid"] = s.account_id + "/" + df["region"]
    df["arn"] = f"arn:{s.partition}:backup:" + df["region"] + f":{s.account_id}:"
    # No plan with rules seen, but a plan whose rules could not be read: it may have some.
    return verdicts(df, df["plans"].notna(), resource_id="rid",
                    unknown=df["plans"].isna() & df["unread"].notna(),
                    unknown_detail="Could not tell whether region {region} has a backup plan with rules: "
                                   "the rules of {unread} could not be read.",
                    pass_detail="Region {region} has backup plan(s) with rules: {plans}.",
                    fail_detail="Region {region} holds {holds} but has no AWS Backup plan with a rule{vault}: "
                                "nothing there is backed up by AWS Backup.")


def backup_vault_locked(s) -> pd.DataFrame:
    v = s.table("backup_vaults").copy()
    v["min_days"] = pd.to_numeric(v["min_retention_days"], errors="coerce").astype("Int64")
    return verdicts(v, flag(v["locked"]), resource_id="name",
                    pass_detail="Vault {name} has a Vault Lock (minimum retention {min_days} days).",
                    fail_detail="Vault {name} has no Vault Lock: recovery points can be deleted early, by mistake or by an attacker.")


def backup_vault_cmk_encrypted(s) -> pd.DataFrame:
    v = s.table("backup_vaults").copy()
    v["key"] = v["encryption_key_arn"].where(v["encryption_key_arn"].notna(), "the AWS managed key aws/backup")
    return verdicts(v, customer_managed(s, v["encryption_key_arn"]), resource_id="name",
                    pass_detail="Vault {name} encrypts recovery points with the customer managed key {encryption_key_arn}.",
                    fail_detail="Vault {name} encrypts with {key}, not a customer managed key: its key policy cannot be tightened.",
                    unknown_detail="Could not tell whether vault {name}'s key {key} is customer managed: "
                                   "the key was not read (see the coverage gaps).")
