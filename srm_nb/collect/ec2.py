"""EC2 and VPC: instances, volumes, security groups."""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json


@collector(
    "ec2",
    service="ec2",
    scope=REGIONAL,
    operations=("DescribeInstances", "DescribeVolumes", "DescribeSecurityGroups",
                "GetEbsEncryptionByDefault"),
    tables={
        "ec2_instances": ("region", "instance_id", "arn", "state", "image_id", "public_ip",
                          "http_tokens", "instance_profile_arn", "launch_time", "vpc_id", "tags_json"),
        "ec2_volumes": ("region", "volume_id", "arn", "encrypted", "kms_key_id", "state", "size_gib",
                        "attached_instance_ids"),
        "ec2_security_groups": ("region", "group_id", "group_name", "arn", "vpc_id", "description",
                                "ip_permissions_json", "ip_permissions_egress_json"),
        "ec2_ebs_encryption_default": ("region", "enabled"),
    },
)
def collect_ec2(ctx: Ctx) -> None:
    """Instances (with metadata options), EBS volumes, security groups, EBS default encryption."""
    reservations = ctx.paginate("DescribeInstances", "Reservations", table="ec2_instances")
    for res in reservations or []:
        for i in res.get("Instances", []):
            iid = i["InstanceId"]
            ctx.add("ec2_instances", {
                "instance_id": iid,
                "arn": ctx.arn("ec2", f"instance/{iid}"),
                "state": i.get("State", {}).get("Name"),
                "image_id": i.get("ImageId"),
                "public_ip": i.get("PublicIpAddress"),
                "http_tokens": i.get("MetadataOptions", {}).get("HttpTokens"),
                "instance_profile_arn": i.get("IamInstanceProfile", {}).get("Arn"),
                "launch_time": i.get("LaunchTime"),
                "vpc_id": i.get("VpcId"),
                "tags_json": to_json(i.get("Tags", [])),
            })
    volumes = ctx.paginate("DescribeVolumes", "Volumes", table="ec2_volumes")
    ctx.add("ec2_volumes", [{
        "volume_id": v["VolumeId"],
        "arn": ctx.arn("ec2", f"volume/{v['VolumeId']}"),
        "encrypted": bool(v.get("Encrypted")),
        "kms_key_id": v.get("KmsKeyId"),
        "state": v.get("State"),
        "size_gib": v.get("Size"),
        "attached_instance_ids": to_json([a["InstanceId"] for a in v.get("Attachments", [])]),
    } for v in volumes or []])
    groups = ctx.paginate("DescribeSecurityGroups", "SecurityGroups", table="ec2_security_groups")
    ctx.add("ec2_security_groups", [{
        "group_id": g["GroupId"],
        "group_name": g.get("GroupName"),
        "arn": ctx.arn("ec2", f"security-group/{g['GroupId']}"),
        "vpc_id": g.get("VpcId"),
        "description": g.get("Description"),
        "ip_permissions_json": to_json(g.get("IpPermissions", [])),
        "ip_permissions_egress_json": to_json(g.get("IpPermissionsEgress", [])),
    } for g in groups or []])
    ebs = ctx.call("GetEbsEncryptionByDefault", table="ec2_ebs_encryption_default")
    if ebs is not None:
        ctx.add("ec2_ebs_encryption_default", {"enabled": bool(ebs.get("EbsEncryptionByDefault"))})
