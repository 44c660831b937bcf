"""EC2: security group exposure, instance metadata and public addresses, EBS volume and snapshot
encryption and sharing, AMI sharing and age.

Security group checks read `ec2_security_group_rules` (one row per rule and source, flattened
at collection) so they stay vectorized over very large accounts; they also read
`ec2_security_groups`, which lists every group (a group with no rules has no rule rows).
"""

from __future__ import annotations

import pandas as pd

from .base import assessed_at, flag, per_region, verdicts

ADMIN_PORTS = (22, 3389)  # CIS "remote server administration ports": SSH, RDP
CIFS_PORTS = (445,)
DATABASE_PORTS = (1433, 1521, 3306, 5432, 5439, 6379, 9042, 9200, 11211, 27017)
# FSBP EC2.19's list of ports with high risk, as its control page gives it.
HIGH_RISK_PORTS = (20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000,
                   5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300)
WORLD = {"ipv4": "0.0.0.0/0", "ipv6": "::/0"}
# FSBP EC2.18's default authorizedTcpPorts (no UDP port is authorized by default).
AUTHORIZED_TCP_PORTS = (80, 443)
AMI_MAX_AGE_DAYS = 180
PROTOCOL_NAMES = {"6": "tcp", "17": "udp"}


def _world_exposure(rules: pd.DataFrame, ports: tuple[int, ...], families: tuple[str, ...]) -> pd.Series:
    """Per group id, the ports (text, "22,3389") that its ingress rules open to the whole
    internet over TCP or UDP, including all-traffic rules (protocol -1)."""
    r = rules[(rules["direction"] == "ingress") & rules["source_type"].isin(families)]
    r = r[r["source"].isin([WORLD[f] for f in families])]
    if r.empty:
        return pd.Series(dtype=object)
    proto = r["ip_protocol"].astype(str).str.lower().replace(PROTOCOL_NAMES)
    everything = (proto == "-1").to_numpy()
    lo = pd.to_numeric(r["from_port"], errors="coerce").to_numpy()
    hi = pd.to_numeric(r["to_port"], errors="coerce").to_numpy()
    ported = proto.isin(["tcp", "udp"]).to_numpy()
    # One boolean column per port, any() per group, then text: no per-group Python.
    hits = pd.DataFrame({port: everything | (ported & (lo <= port) & (hi >= port)) for port in ports},
                        index=r["group_id"].to_numpy())
    per_group = hits.groupby(level=0).any()
    per_group = per_group[per_group.any(axis=1)]
    text = pd.Series("", index=per_group.index, dtype=object)
    for port in ports:
        text = text + per_group[port].map({True: f"{port},", False: ""})
    return text.str.rstrip(",")


def _exposure_check(s, ports, families, what):
    sgs = s.table("ec2_security_groups").copy()
    rules = s.table("ec2_security_group_rules")
    sgs["open_ports"] = sgs["group_id"].map(_world_exposure(rules, ports, families))
    sgs["world"] = " or ".join(WORLD[f] for f in families)
    return verdicts(sgs, sgs["open_ports"].isna(), resource_id="group_id",
                    pass_detail=f"Security group {{group_id}} ({{group_name}}) opens no {what} port to {{world}}.",
                    fail_detail=f"Security group {{group_id}} ({{group_name}}) opens {what} port(s) "
                                "{open_ports} to {world}.")


def ec2_securitygroup_admin_ports_restricted(s) -> pd.DataFrame:
    return _exposure_check(s, ADMIN_PORTS, ("ipv4",), "remote administration (SSH/RDP)")


def ec2_securitygroup_admin_ports_ipv6_restricted(s) -> pd.DataFrame:
    return _exposure_check(s, ADMIN_PORTS, ("ipv6",), "remote administration (SSH/RDP)")


# FSBP EC2.13 (port 22) and EC2.14 (port 3389) each fail a source of 0.0.0.0/0 or ::/0.
def ec2_securitygroup_ssh_restricted(s) -> pd.DataFrame:
    return _exposure_check(s, (22,), ("ipv4", "ipv6"), "SSH")


def ec2_securitygroup_rdp_restricted(s) -> pd.DataFrame:
    return _exposure_check(s, (3389,), ("ipv4", "ipv6"), "RDP")


def ec2_securitygroup_cifs_restricted(s) -> pd.DataFrame:
    return _exposure_check(s, CIFS_PORTS, ("ipv4", "ipv6"), "CIFS/SMB")


def ec2_securitygroup_database_ports_restricted(s) -> pd.DataFrame:
    return _exposure_check(s, DATABASE_PORTS, ("ipv4", "ipv6"), "database")


def ec2_securitygroup_high_risk_ports_restricted(s) -> pd.DataFrame:
    return _exposure_check(s, HIGH_RISK_PORTS, ("ipv4", "ipv6"), "high-risk")


def _world_rules(s) -> pd.DataFrame:
    """Ingress rules open to 0.0.0.0/0 or ::/0 over TCP, UDP or every protocol, with `text`: how
    each reads ("tcp 22", "udp 0-65535", "all traffic") and `everything`: all ports of it."""
    rules = s.table("ec2_security_group_rules")
    r = rules[(rules["direction"] == "ingress") & rules["source"].isin(WORLD.values())].copy()
    r["proto"] = r["ip_protocol"].astype(str).str.lower().replace(PROTOCOL_NAMES)
    r = r[r["proto"].isin(["tcp", "udp", "-1"])]
    lo = pd.to_numeric(r["from_port"], errors="coerce")
    hi = pd.to_numeric(r["to_port"], errors="coerce")
    all_traffic = r["proto"] == "-1"
    r["everything"] = all_traffic | ((lo <= 0) & (hi >= 65535))
    ports = lo.astype("Int64").astype(str).where(lo == hi, lo.astype("Int64").astype(str) + "-"
                                                 + hi.astype("Int64").astype(str)).fillna("all ports")
    r["text"] = (r["proto"] + " " + ports).where(~all_traffic, "all traffic") + " from " + r["source"].astype(str)
    r["authorized"] = (r["proto"] == "tcp") & (lo == hi) & lo.isin(AUTHORIZED_TCP_PORTS)
    return r


def _open_rules(s, rules: pd.DataFrame) -> pd.DataFrame:
    """Every security group with `open`: its rules in `rules` as text ("" when none)."""
    sgs = s.table("ec2_security_groups").copy()
    text = rules.groupby("group_id")["text"].agg(lambda t: ", ".join(sorted(set(t))))
    found = sgs["group_id"].map(text).astype(object)
    sgs["open"] = found.where(found.notna(), "")
    return sgs


def ec2_securitygroup_all_traffic_restricted(s) -> pd.DataFrame:
    """No group admits every port (all protocols, or a full 0-65535 range) from the internet."""
    rules = _world_rules(s)
    sgs = _open_rules(s, rules[rules["everything"]])
    return verdicts(sgs, sgs["open"] == "", resource_id="group_id",
                    pass_detail="Security group {group_id} ({group_name}) opens no full port range to the internet.",
                    fail_detail="Security group {group_id} ({group_name}) opens all ports to the internet: {open}.")


def ec2_securitygroup_authorized_ports_only(s) -> pd.DataFrame:
    """FSBP EC2.18 (vpc-sg-open-only-to-authorized-ports): unrestricted ingress only on the
    authorized TCP ports 80 and 443; any other TCP or UDP port open to 0.0.0.0/0 or ::/0 fails."""
    rules = _world_rules(s)
    sgs = _open_rules(s, rules[~rules["authorized"]])
    return verdicts(sgs, sgs["open"] == "", resource_id="group_id",
                    pass_detail="Security group {group_id} ({group_name}) admits the whole internet on TCP 80/443 "
                                "at most.",
                    fail_detail="Security group {group_id} ({group_name}) admits the whole internet on ports other "
                                "than TCP 80/443: {open}.")


def ec2_securitygroup_default_restricts_all(s) -> pd.DataFrame:
    sgs = s.table("ec2_security_groups")
    rules = s.table("ec2_security_group_rules")
    default = sgs[sgs["group_name"] == "default"].copy()
    counts = rules.groupby(["group_id", "direction"]).size().unstack(fill_value=0)
    for direction in ("ingress", "egress"):
        per_group = counts[direction] if direction in counts.columns else pd.Series(dtype=int)
        default[f"{direction}_rules"] = default["group_id"].map(per_group).fillna(0).astype(int)
    ok = (default["ingress_rules"] == 0) & (default["egress_rules"] == 0)
    return verdicts(default, ok, resource_id="group_id",
                    pass_detail="The default security group {group_id} of {vpc_id} has no rules.",
                    fail_detail="The default security group {group_id} of {vpc_id} has {ingress_rules} "
                                "inbound and {egress_rules} outbound rule source(s): anything placed in "
                                "it by default gets that access.")


def _live_instances(s) -> pd.DataFrame:
    inst = s.table("ec2_instances")
    return inst[~inst["state"].isin(["terminated", "shutting-down"])].copy()


def ec2_instance_imdsv2_required(s) -> pd.DataFrame:
    """EC2.8 (AWS Config ec2-imdsv2-check) passes on HttpTokens=required only. A switched-off
    metadata endpoint does not pass: HttpTokens=optional brings IMDSv1 back the moment someone
    turns the endpoint on, so the detail says so instead."""
    inst = _live_instances(s)
    ok = inst["http_tokens"] == "required"
    endpoint = inst["http_endpoint"] if "http_endpoint" in inst.columns else pd.Series(None, index=inst.index)
    off = endpoint == "disabled"
    inst["why"] = pd.Series("exposing role credentials to SSRF", index=inst.index).where(
        ~off, "so IMDSv1 is back as soon as the now disabled metadata endpoint is enabled")
    return verdicts(inst, ok, resource_id="instance_id",
                    pass_detail="Instance {instance_id} ({name}) requires IMDSv2 session tokens.",
                    fail_detail="Instance {instance_id} ({name}) allows IMDSv1 (HttpTokens={http_tokens}), "
                                "{why}.")


def ec2_instance_no_public_ip(s) -> pd.DataFrame:
    inst = _live_instances(s)
    has_ip = inst["public_ip"].notna() & (inst["public_ip"].astype(str) != "")
    return verdicts(inst, ~has_ip, resource_id="instance_id",
                    pass_detail="Instance {instance_id} ({name}) has no public IPv4 address.",
                    fail_detail="Instance {instance_id} ({name}) has public IPv4 address {public_ip}: "
                                "it is reachable from the internet wherever its security groups allow.")


def attached_volumes(s) -> pd.DataFrame:
    """EBS volumes attached to an instance (state in-use): the ones EC2.3 and EC2.28 judge."""
    vols = s.table("ec2_volumes")
    return vols[vols["state"] == "in-use"].copy()


def ec2_volume_encrypted(s) -> pd.DataFrame:
    """EC2.3: "If the EBS volume is not attached, then it is not subject to this check"."""
    vols = attached_volumes(s)
    return verdicts(vols, flag(vols["encrypted"]), resource_id="volume_id",
                    pass_detail="Attached volume {volume_id} is encrypted.",
                    fail_detail="Attached volume {volume_id} ({size_gib} GiB) is not encrypted.")


def ec2_ebs_default_encryption_enabled(s) -> pd.DataFrame:
    ebs = s.table("ec2_ebs_encryption_default")
    enabled, regions = flag(ebs["enabled"]), ebs["region"].to_numpy()
    ok = set(regions[enabled.fillna(False).to_numpy()])
    return per_region(s, ok, unknown_regions=set(regions[enabled.isna().to_numpy()]) - ok,
                      pass_detail="EBS encryption by default is on in {region}.",
                      fail_detail="EBS encryption by default is off in {region}: new volumes may be unencrypted.")


def ec2_snapshot_encrypted(s) -> pd.DataFrame:
    snaps = s.table("ec2_snapshots")
    return verdicts(snaps, flag(snaps["encrypted"]), resource_id="snapshot_id",
                    pass_detail="Snapshot {snapshot_id} ({name}) is encrypted.",
                    fail_detail="Snapshot {snapshot_id} ({name}) of {volume_id} ({volume_size_gib} GiB) "
                                "is not encrypted.")


def ec2_snapshot_not_public(s) -> pd.DataFrame:
    snaps = s.table("ec2_snapshots")
    perms = s.table("ec2_snapshot_permissions")
    # Only snapshots whose permissions were read are judged; the others carry a gap (ERROR).
    judged = snaps.merge(perms[["region", "snapshot_id", "public"]].drop_duplicates(["region", "snapshot_id"]),
                         on=["region", "snapshot_id"])
    return verdicts(judged, ~flag(judged["public"]), resource_id="snapshot_id",
                    pass_detail="Snapshot {snapshot_id} ({name}) is not shared publicly.",
                    fail_detail="Snapshot {snapshot_id} ({name}) of {volume_id} can be restored by any AWS account "
                                "(createVolumePermission group 'all').")


def ec2_image_not_public(s) -> pd.DataFrame:
    images = s.table("ec2_images")
    return verdicts(images, ~flag(images["public"]), resource_id="image_id",
                    pass_detail="AMI {image_id} ({name}) is not public.",
                    fail_detail="AMI {image_id} ({name}) is public: any AWS account can launch it and read its disks.")


def ec2_image_recent(s) -> pd.DataFrame:
    images = s.table("ec2_images").copy()
    created = pd.to_datetime(images["creation_date"], utc=True, errors="coerce", format="ISO8601")
    images["age_days"] = (assessed_at(s) - created).dt.days
    images["max_days"] = AMI_MAX_AGE_DAYS
    ok = images["age_days"] <= AMI_MAX_AGE_DAYS
    return verdicts(images, ok, resource_id="image_id", unknown=created.isna(),
                    pass_detail="AMI {image_id} ({name}) was built {age_days} days ago.",
                    fail_detail="AMI {image_id} ({name}) was built {age_days} days ago (over {max_days}): "
                                "instances launched from it start without months of OS patches.")
