"""EC2 and VPC: firewalls, instance metadata, volume encryption."""

from __future__ import annotations

import pandas as pd

from .base import per_region, parse_json, verdicts

ADMIN_PORTS = (22, 3389)


def _open_admin_ports(perms: list | None) -> str:
    """Admin ports a rule set opens to 0.0.0.0/0 or ::/0, as text ("" when none)."""
    found = set()
    for p in perms or []:
        world = any(r.get("CidrIp") == "0.0.0.0/0" for r in p.get("IpRanges", [])) or any(
            r.get("CidrIpv6") == "::/0" for r in p.get("Ipv6Ranges", []))
        if not world:
            continue
        if p.get("IpProtocol") == "-1":
            found.update(ADMIN_PORTS)
            continue
        lo, hi = p.get("FromPort"), p.get("ToPort")
        if lo is None or hi is None:
            continue
        found.update(port for port in ADMIN_PORTS if lo <= port <= hi)
    return ",".join(str(p) for p in sorted(found))


def ec2_securitygroup_admin_ports_restricted(s) -> pd.DataFrame:
    sgs = s.table("ec2_security_groups").copy()
    sgs["open_ports"] = parse_json(sgs["ip_permissions_json"]).map(_open_admin_ports)
    return verdicts(sgs, sgs["open_ports"] == "", resource_id="group_id",
                    pass_detail="Security group {group_id} ({group_name}) opens no admin port to the internet.",
                    fail_detail="Security group {group_id} ({group_name}) opens port(s) {open_ports} to the whole internet.")


def ec2_instance_imdsv2_required(s) -> pd.DataFrame:
    inst = s.table("ec2_instances")
    inst = inst[inst["state"] != "terminated"]
    return verdicts(inst, inst["http_tokens"] == "required", resource_id="instance_id",
                    pass_detail="Instance {instance_id} requires IMDSv2 session tokens.",
                    fail_detail="Instance {instance_id} allows IMDSv1 (HttpTokens={http_tokens}), exposing role credentials to SSRF.")


def ec2_volume_encrypted(s) -> pd.DataFrame:
    vols = s.table("ec2_volumes")
    return verdicts(vols, vols["encrypted"].astype(bool), resource_id="volume_id",
                    pass_detail="Volume {volume_id} is encrypted.",
                    fail_detail="Volume {volume_id} ({size_gib} GiB) is not encrypted.")


def ec2_ebs_default_encryption_enabled(s) -> pd.DataFrame:
    ebs = s.table("ec2_ebs_encryption_default")
    ok = set(ebs.loc[ebs["enabled"].astype(bool), "region"])
    return per_region(s, ok, pass_detail="EBS encryption by default is on in {region}.",
                      fail_detail="EBS encryption by default is off in {region}: new volumes may be unencrypted.")
