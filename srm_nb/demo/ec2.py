"""Demo EC2/VPC: a web tier, a bastion open to the world, a legacy box, and EBS settings."""

from __future__ import annotations

from . import DemoAws

AMI = "ami-12c6146b"  # one of moto's built-in AMIs


def seed(aws: DemoAws) -> None:
    ec2 = aws.client("ec2", "us-east-1")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    web = ec2.create_security_group(GroupName="web-tier", Description="HTTPS from the internet",
                                    VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    bastion = ec2.create_security_group(GroupName="bastion-ssh", Description="SSH for admins",
                                        VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=bastion, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.small",
                      SecurityGroupIds=[web], MetadataOptions={"HttpTokens": "required"},
                      TagSpecifications=[{"ResourceType": "instance",
                                          "Tags": [{"Key": "Name", "Value": "web-1"}]}])
    ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                      SecurityGroupIds=[bastion], MetadataOptions={"HttpTokens": "optional"},
                      TagSpecifications=[{"ResourceType": "instance",
                                          "Tags": [{"Key": "Name", "Value": "bastion"}]}])
    ec2.create_volume(AvailabilityZone="us-east-1a", Size=100, Encrypted=True)
    ec2.create_volume(AvailabilityZone="us-east-1a", Size=500, Encrypted=False,
                      TagSpecifications=[{"ResourceType": "volume",
                                          "Tags": [{"Key": "Name", "Value": "legacy-reports"}]}])
    ec2.enable_ebs_encryption_by_default()
    # Europe: a legacy Windows host reachable over RDP.
    eu = aws.client("ec2", "eu-west-1")
    eu_vpc = eu.describe_vpcs()["Vpcs"][0]["VpcId"]
    rdp = eu.create_security_group(GroupName="legacy-rdp", Description="RDP", VpcId=eu_vpc)["GroupId"]
    eu.authorize_security_group_ingress(GroupId=rdp, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
