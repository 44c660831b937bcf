"""Systems Manager: instances under management, their patch compliance, association compliance."""

from __future__ import annotations

import pandas as pd

from .base import verdicts


def _running(s) -> pd.DataFrame:
    inst = s.table("ec2_instances")
    return inst[inst["state"] == "running"].copy()


def ssm_instance_managed(s) -> pd.DataFrame:
    inst = _running(s)
    managed = s.table("ssm_managed_instances")
    key = ["region", "instance_id"]
    inst = inst.merge(managed[key + ["ping_status"]].drop_duplicates(key), on=key, how="left")
    ok = inst["ping_status"] == "Online"
    inst["seen"] = inst["ping_status"].fillna("not registered")
    return verdicts(inst, ok, resource_id="instance_id",
                    pass_detail="Instance {instance_id} ({name}) is managed by Systems Manager (agent online).",
                    fail_detail="Instance {instance_id} ({name}) is not managed by Systems Manager ({seen}): "
                                "it cannot be patched, inventoried or reached through Session Manager.")


def ssm_instance_patch_compliant(s) -> pd.DataFrame:
    managed = s.table("ssm_managed_instances")
    states = s.table("ssm_patch_states")
    key = ["region", "instance_id"]
    m = managed.merge(states.drop_duplicates(key), on=key, how="left")
    counted = ("missing_count", "failed_count", "installed_pending_reboot_count", "critical_non_compliant_count",
               "security_non_compliant_count", "other_non_compliant_count")
    for col in counted:
        m[col] = pd.to_numeric(m[col], errors="coerce").fillna(0).astype(int)
    onprem = m["instance_id"].astype(str).str.startswith("mi-")  # on-premises managed instances
    m["arn"] = ("arn:" + s.partition + ":" + ("ssm:" + m["region"] + ":" + s.account_id + ":managed-instance/").where(
        onprem, "ec2:" + m["region"] + ":" + s.account_id + ":instance/") + m["instance_id"])
    scanned = m["operation"].notna() | m["baseline_id"].notna()
    done, never = m[scanned], m[~scanned]
    # SSM.2 (ec2-managedinstance-patch-compliance-status-check): compliant only when no approved
    # patch is missing, failed or waiting for a reboot, whatever its classification.
    ok = (done[list(counted)] == 0).all(axis=1)
    counts = ("{missing_count} missing ({critical_non_compliant_count} critical, {security_non_compliant_count} "
              "security, {other_non_compliant_count} other non-compliant), {failed_count} failed, "
              "{installed_pending_reboot_count} installed pending reboot")
    judged = verdicts(done, ok, resource_id="instance_id",
                      pass_detail="Instance {instance_id} ({computer_name}) has no missing, failed or "
                                  "pending-reboot patches (" + counts + ").",
                      fail_detail="Instance {instance_id} ({computer_name}) is not patch compliant: " + counts + ".")
    unscanned = verdicts(never, pd.Series(False, index=never.index), resource_id="instance_id", pass_detail="",
                         fail_detail="Instance {instance_id} ({computer_name}) is not patch compliant: no patch "
                                     "scan is recorded against a baseline.")
    return pd.concat([judged, unscanned], ignore_index=True)


def ssm_association_compliant(s) -> pd.DataFrame:
    summaries = s.table("ssm_compliance_summaries")
    assoc = summaries[summaries["compliance_type"] == "Association"].copy()
    assoc["rid"] = assoc["region"].astype(str) + "/Association"
    assoc["arn"] = ""
    n = pd.to_numeric(assoc["non_compliant_count"], errors="coerce").fillna(0)
    return verdicts(assoc, n == 0, resource_id="rid",
                    pass_detail="Every State Manager association in {region} is compliant "
                                "({compliant_count} resources).",
                    fail_detail="{non_compliant_count} resource(s) in {region} are out of compliance with their "
                                "State Manager associations (configuration has drifted or failed to apply).")
