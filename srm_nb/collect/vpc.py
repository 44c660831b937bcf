"""VPC (EC2 API): VPCs, flow logs, network ACLs and their entries, routes, peering connections,
network interfaces (which VPCs hold workloads)."""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json

NACL_TABLES = ("vpc_network_acls", "vpc_network_acl_entries")
ROUTE_TABLES = ("vpc_route_tables", "vpc_routes")


def _name_tag(tags: list | None) -> str | None:
    return next((t.get("Value") for t in tags or [] if t.get("Key") == "Name"), None)


def flatten_acl_entries(acl_id: str, entries: list | None) -> list[dict]:
    """One row per NACL entry; `cidr` holds the IPv4 or IPv6 block, `family` says which."""
    rows = []
    for e in entries or []:
        ports = e.get("PortRange") or {}
        v6 = e.get("Ipv6CidrBlock")
        rows.append({
            "network_acl_id": acl_id,
            "egress": bool(e.get("Egress")),
            "rule_number": int(e.get("RuleNumber", 32767)),
            "protocol": str(e.get("Protocol", "-1")),
            "rule_action": str(e.get("RuleAction", "")).lower(),
            "cidr": v6 or e.get("CidrBlock"),
            "family": "ipv6" if v6 else "ipv4",
            "from_port": ports.get("From"),
            "to_port": ports.get("To"),
        })
    return rows


def flatten_routes(table: dict) -> list[dict]:
    rows = []
    for r in table.get("Routes", []):
        target = next(((k, r[k]) for k in (
            "VpcPeeringConnectionId", "GatewayId", "NatGatewayId", "TransitGatewayId",
            "NetworkInterfaceId", "InstanceId", "VpcEndpointId", "EgressOnlyInternetGatewayId",
            "LocalGatewayId", "CarrierGatewayId", "CoreNetworkArn") if r.get(k)), ("", ""))
        rows.append({
            "route_table_id": table["RouteTableId"],
            "vpc_id": table.get("VpcId"),
            "destination": r.get("DestinationCidrBlock") or r.get("DestinationIpv6CidrBlock")
            or r.get("DestinationPrefixListId"),
            "target_type": target[0],
            "target_id": target[1],
            "state": r.get("State"),
        })
    return rows


@collector(
    "vpc",
    service="ec2",
    scope=REGIONAL,
    operations=("DescribeVpcs", "DescribeFlowLogs", "DescribeNetworkAcls", "DescribeRouteTables",
                "DescribeVpcPeeringConnections", "DescribeNetworkInterfaces"),
    tables={
        "vpc_vpcs": ("region", "vpc_id", "arn", "is_default", "cidr_block", "state", "name"),
        "vpc_flow_logs": ("region", "flow_log_id", "resource_id", "traffic_type", "flow_log_status",
                          "deliver_logs_status", "log_destination_type", "log_destination"),
        "vpc_network_acls": ("region", "network_acl_id", "arn", "vpc_id", "is_default",
                             "subnet_ids_json", "name"),
        "vpc_network_acl_entries": ("region", "network_acl_id", "egress", "rule_number", "protocol",
                                    "rule_action", "cidr", "family", "from_port", "to_port"),
        "vpc_route_tables": ("region", "route_table_id", "arn", "vpc_id", "is_main", "subnet_ids_json"),
        "vpc_routes": ("region", "route_table_id", "vpc_id", "destination", "target_type", "target_id",
                       "state"),
        "vpc_peering_connections": ("region", "peering_id", "arn", "status", "requester_vpc_id",
                                    "requester_owner_id", "requester_cidrs_json", "accepter_vpc_id",
                                    "accepter_owner_id", "accepter_cidrs_json", "name"),
        "vpc_network_interfaces": ("region", "interface_id", "vpc_id", "subnet_id", "interface_type",
                                   "status", "description", "attached_instance_id", "requester_id"),
    },
)
def collect_vpc(ctx: Ctx) -> None:
    """VPCs, flow logs, network ACLs (entries flattened), route tables (routes flattened), peering
    connections and network interfaces."""
    vpcs = ctx.paginate("DescribeVpcs", "Vpcs", table="vpc_vpcs")
    ctx.add("vpc_vpcs", [{
        "vpc_id": v["VpcId"],
        "arn": ctx.arn("ec2", f"vpc/{v['VpcId']}"),
        "is_default": bool(v.get("IsDefault")),
        "cidr_block": v.get("CidrBlock"),
        "state": v.get("State"),
        "name": _name_tag(v.get("Tags")),
    } for v in vpcs or []])

    logs = ctx.paginate("DescribeFlowLogs", "FlowLogs", table="vpc_flow_logs")
    ctx.add("vpc_flow_logs", [{
        "flow_log_id": f.get("FlowLogId"),
        "resource_id": f.get("ResourceId"),
        "traffic_type": f.get("TrafficType"),
        "flow_log_status": f.get("FlowLogStatus"),
        "deliver_logs_status": f.get("DeliverLogsStatus"),
        "log_destination_type": f.get("LogDestinationType"),
        "log_destination": f.get("LogDestination") or f.get("LogGroupName"),
    } for f in logs or []])

    acls = ctx.paginate("DescribeNetworkAcls", "NetworkAcls", table=NACL_TABLES)
    entries: list[dict] = []
    for a in acls or []:
        entries += flatten_acl_entries(a["NetworkAclId"], a.get("Entries"))
    ctx.add("vpc_network_acls", [{
        "network_acl_id": a["NetworkAclId"],
        "arn": ctx.arn("ec2", f"network-acl/{a['NetworkAclId']}"),
        "vpc_id": a.get("VpcId"),
        "is_default": bool(a.get("IsDefault")),
        "subnet_ids_json": to_json([x["SubnetId"] for x in a.get("Associations", []) if x.get("SubnetId")]),
        "name": _name_tag(a.get("Tags")),
    } for a in acls or []])
    ctx.add("vpc_network_acl_entries", entries)

    tables = ctx.paginate("DescribeRouteTables", "RouteTables", table=ROUTE_TABLES)
    routes: list[dict] = []
    for t in tables or []:
        routes += flatten_routes(t)
    ctx.add("vpc_route_tables", [{
        "route_table_id": t["RouteTableId"],
        "arn": ctx.arn("ec2", f"route-table/{t['RouteTableId']}"),
        "vpc_id": t.get("VpcId"),
        "is_main": any(a.get("Main") for a in t.get("Associations", [])),
        "subnet_ids_json": to_json([a["SubnetId"] for a in t.get("Associations", []) if a.get("SubnetId")]),
    } for t in tables or []])
    ctx.add("vpc_routes", routes)

    peerings = ctx.paginate("DescribeVpcPeeringConnections", "VpcPeeringConnections",
                            table="vpc_peering_connections")
    ctx.add("vpc_peering_connections", [_peering(ctx, p) for p in peerings or []])

    enis = ctx.paginate("DescribeNetworkInterfaces", "NetworkInterfaces", table="vpc_network_interfaces")
    ctx.add("vpc_network_interfaces", [{
        "interface_id": n["NetworkInterfaceId"],
        "vpc_id": n.get("VpcId"),
        "subnet_id": n.get("SubnetId"),
        "interface_type": n.get("InterfaceType"),
        "status": n.get("Status"),
        "description": n.get("Description"),
        "attached_instance_id": (n.get("Attachment") or {}).get("InstanceId"),
        "requester_id": n.get("RequesterId"),
    } for n in enis or []])


def _peering(ctx: Ctx, p: dict) -> dict:
    def cidrs(info: dict) -> list[str]:
        found = [c.get("CidrBlock") for c in info.get("CidrBlockSet", [])]
        found += [c.get("Ipv6CidrBlock") for c in info.get("Ipv6CidrBlockSet", [])]
        if info.get("CidrBlock"):
            found.append(info["CidrBlock"])
        return sorted({c for c in found if c})

    req, acc = p.get("RequesterVpcInfo", {}), p.get("AccepterVpcInfo", {})
    pid = p["VpcPeeringConnectionId"]
    return {
        "peering_id": pid,
        "arn": ctx.arn("ec2", f"vpc-peering-connection/{pid}"),
        "status": (p.get("Status") or {}).get("Code"),
        "requester_vpc_id": req.get("VpcId"),
        "requester_owner_id": req.get("OwnerId"),
        "requester_cidrs_json": to_json(cidrs(req)),
        "accepter_vpc_id": acc.get("VpcId"),
        "accepter_owner_id": acc.get("OwnerId"),
        "accepter_cidrs_json": to_json(cidrs(acc)),
        "name": _name_tag(p.get("Tags")),
    }
