"""EC2: instances, EBS volumes and snapshots, owned AMIs, security groups (and their rules, one
row per rule and source so checks stay vectorized), EBS default encryption."""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json

SG_TABLES = ("ec2_security_groups", "ec2_security_group_rules")


def flatten_permissions(group_id: str, permissions: list | None, direction: str) -> list[dict]:
    """One row per (permission, source): the source is a CIDR, a prefix list or a group.

    `from_port`/`to_port` are None for all-protocol rules; AWS gives -1 for "all ICMP types".
    """
    rows = []
    for p in permissions or []:
        base = {
            "group_id": group_id,
            "direction": direction,
            "ip_protocol": str(p.get("IpProtocol", "")),
            "from_port": p.get("FromPort"),
            "to_port": p.get("ToPort"),
        }
        sources = (
            [("ipv4", r.get("CidrIp")) for r in p.get("IpRanges", [])]
            + [("ipv6", r.get("CidrIpv6")) for r in p.get("Ipv6Ranges", [])]
            + [("prefix_list", r.get("PrefixListId")) for r in p.get("PrefixListIds", [])]
            + [("security_group", r.get("GroupId")) for r in p.get("UserIdGroupPairs", [])]
        )
        rows.extend({**base, "source_type": kind, "source": src} for kind, src in sources)
    return rows


def _name_tag(tags: list | None) -> str | None:
    return next((t.get("Value") for t in tags or [] if t.get("Key") == "Name"), None)


@collector(
    "ec2",
    service="ec2",
    scope=REGIONAL,
    operations=("DescribeInstances", "DescribeVolumes", "DescribeSecurityGroups",
                "GetEbsEncryptionByDefault", "DescribeSnapshots", "DescribeSnapshotAttribute",
                "DescribeImages"),
    tables={
        "ec2_instances": ("region", "instance_id", "arn", "state", "image_id", "public_ip",
                          "http_tokens", "instance_profile_arn", "launch_time", "vpc_id", "tags_json",
                          "name", "http_endpoint", "platform", "platform_details", "subnet_id",
                          "security_group_ids_json"),
        "ec2_volumes": ("region", "volume_id", "arn", "encrypted", "kms_key_id", "state", "size_gib",
                        "attached_instance_ids", "name"),
        "ec2_security_groups": ("region", "group_id", "group_name", "arn", "vpc_id", "description",
                                "ip_permissions_json", "ip_permissions_egress_json"),
        "ec2_security_group_rules": ("region", "group_id", "direction", "ip_protocol", "from_port",
                                     "to_port", "source_type", "source"),
        "ec2_ebs_encryption_default": ("region", "enabled"),
        "ec2_snapshots": ("region", "snapshot_id", "arn", "volume_id", "encrypted", "kms_key_id",
                          "state", "start_time", "volume_size_gib", "description", "name"),
        "ec2_snapshot_permissions": ("region", "snapshot_id", "public", "create_volume_permissions_json"),
        "ec2_images": ("region", "image_id", "arn", "name", "public", "state", "creation_date",
                       "platform_details", "root_device_type"),
    },
)
def collect_ec2(ctx: Ctx) -> None:
    """Instances, volumes, owned snapshots and who may restore them, owned AMIs, security groups,
    EBS default encryption."""
    _instances(ctx)
    volumes = ctx.paginate("DescribeVolumes", "Volumes", table="ec2_volumes")
    ctx.add("ec2_volumes", [{
        "volume_id": v["VolumeId"],
        "arn": ctx.arn("ec2", f"volume/{v['VolumeId']}"),
        "encrypted": bool(v.get("Encrypted")),
        "kms_key_id": v.get("KmsKeyId"),
        "state": v.get("State"),
        "size_gib": v.get("Size"),
        "attached_instance_ids": to_json([a["InstanceId"] for a in v.get("Attachments", [])]),
        "name": _name_tag(v.get("Tags")),
    } for v in volumes or []])
    _security_groups(ctx)
    ebs = ctx.call("GetEbsEncryptionByDefault", table="ec2_ebs_encryption_default")
    if ebs is not None:
        ctx.add("ec2_ebs_encryption_default", {"enabled": bool(ebs.get("EbsEncryptionByDefault"))})
    _snapshots(ctx)
    images = ctx.paginate("DescribeImages", "Images", table="ec2_images", Owners=["self"])
    ctx.add("ec2_images", [{
        "image_id": i["ImageId"],
        "arn": ctx.arn("ec2", f"image/{i['ImageId']}", account=""),
        "name": i.get("Name"),
        # DescribeImages' own flag: true when the launch permissions include group "all".
        "public": bool(i.get("Public")),
        "state": i.get("State"),
        "creation_date": i.get("CreationDate"),
        "platform_details": i.get("PlatformDetails"),
        "root_device_type": i.get("RootDeviceType"),
    } for i in images or [] if i.get("OwnerId") in (None, ctx.account_id)])


def _instances(ctx: Ctx) -> None:
    reservations = ctx.paginate("DescribeInstances", "Reservations", table="ec2_instances")
    rows = []
    for res in reservations or []:
        for i in res.get("Instances", []):
            iid = i["InstanceId"]
            meta = i.get("MetadataOptions", {})
            rows.append({
                "instance_id": iid,
                "arn": ctx.arn("ec2", f"instance/{iid}"),
                "state": i.get("State", {}).get("Name"),
                "image_id": i.get("ImageId"),
                "public_ip": i.get("PublicIpAddress"),
                "http_tokens": meta.get("HttpTokens"),
                "http_endpoint": meta.get("HttpEndpoint"),
                "instance_profile_arn": i.get("IamInstanceProfile", {}).get("Arn"),
                "launch_time": i.get("LaunchTime"),
                "vpc_id": i.get("VpcId"),
                "subnet_id": i.get("SubnetId"),
                "tags_json": to_json(i.get("Tags", [])),
                "name": _name_tag(i.get("Tags")),
                "platform": i.get("Platform") or "linux",
                "platform_details": i.get("PlatformDetails"),
                "security_group_ids_json": to_json([g["GroupId"] for g in i.get("SecurityGroups", [])]),
            })
    ctx.add("ec2_instances", rows)


def _security_groups(ctx: Ctx) -> None:
    groups = ctx.paginate("DescribeSecurityGroups", "SecurityGroups", table=SG_TABLES)
    rules: list[dict] = []
    for g in groups or []:
        rules += flatten_permissions(g["GroupId"], g.get("IpPermissions"), "ingress")
        rules += flatten_permissions(g["GroupId"], g.get("IpPermissionsEgress"), "egress")
    ctx.add("ec2_security_groups", [{
        "group_id": g["GroupId"],
        "group_name": g.get("GroupName"),
        "arn": ctx.arn("ec2", f"security-group/{g['GroupId']}"),
        "vpc_id": g.get("VpcId"),
        "description": g.get("Description"),
        "ip_permissions_json": to_json(g.get("IpPermissions", [])),
        "ip_permissions_egress_json": to_json(g.get("IpPermissionsEgress", [])),
    } for g in groups or []])
    ctx.add("ec2_security_group_rules", rules)


def _snapshots(ctx: Ctx) -> None:
    snaps = ctx.paginate("DescribeSnapshots", "Snapshots", table=("ec2_snapshots", "ec2_snapshot_permissions"),
                         OwnerIds=["self"])
    # OwnerIds=["self"] already limits AWS's answer; the filter only guards the per-snapshot
    # calls below against an endpoint that ignores it.
    owned = [s for s in snaps or [] if s.get("OwnerId") in (None, ctx.account_id)]
    ctx.add("ec2_snapshots", [{
        "snapshot_id": s["SnapshotId"],
        "arn": ctx.arn("ec2", f"snapshot/{s['SnapshotId']}", account=""),
        "volume_id": s.get("VolumeId"),
        "encrypted": bool(s.get("Encrypted")),
        "kms_key_id": s.get("KmsKeyId"),
        "state": s.get("State"),
        "start_time": s.get("StartTime"),
        "volume_size_gib": s.get("VolumeSize"),
        "description": s.get("Description"),
        "name": _name_tag(s.get("Tags")),
    } for s in owned])
    for s in owned:
        sid = s["SnapshotId"]
        attr = ctx.call("DescribeSnapshotAttribute", table="ec2_snapshot_permissions",
                        resource_id=sid, SnapshotId=sid, Attribute="createVolumePermission")
        if attr is None:
            continue
        perms = attr.get("CreateVolumePermissions", [])
        ctx.add("ec2_snapshot_permissions", {
            "snapshot_id": sid,
            "public": any(p.get("Group") == "all" for p in perms),
            "create_volume_permissions_json": to_json(perms),
        })
