"""VPC: flow logs, network ACL exposure and use, default VPC use, peering route scope."""

from __future__ import annotations

import ipaddress

import pandas as pd

from .base import flag, parse_json, verdicts

ADMIN_PORTS = (22, 3389)
WORLD = {"ipv4": "0.0.0.0/0", "ipv6": "::/0"}
TRANSPORTS = ("6", "17")  # TCP, UDP (protocol numbers as the API gives them)


def vpc_flow_logs_enabled(s) -> pd.DataFrame:
    vpcs = s.table("vpc_vpcs").copy()
    logs = s.table("vpc_flow_logs")
    # CIS asks at least for rejected traffic: ALL or REJECT qualifies, ACCEPT alone does not.
    good = logs[(logs["flow_log_status"].astype(str).str.upper() == "ACTIVE")
                & logs["traffic_type"].astype(str).str.upper().isin(["ALL", "REJECT"])]
    unnamed = flag(vpcs["is_default"]).map({True: "default VPC", False: "unnamed"}).fillna("unnamed")
    vpcs["name"] = vpcs["name"].where(vpcs["name"].notna(), unnamed)
    first = good.drop_duplicates("resource_id").set_index("resource_id")["flow_log_id"]
    count = good["resource_id"].value_counts()
    more = (count - 1).astype(str).radd(" and ").add(" more").where(count > 1, "")
    vpcs["flow_logs"] = vpcs["vpc_id"].map(first + more.reindex(first.index).fillna(""))
    return verdicts(vpcs, vpcs["flow_logs"].notna(), resource_id="vpc_id",
                    pass_detail="VPC {vpc_id} ({name}) has active flow logs capturing rejected traffic ({flow_logs}).",
                    fail_detail="VPC {vpc_id} ({name}) has no active flow log capturing rejected traffic: "
                                "probes and attacks on it leave no network trace.")


def _acl_exposure(entries: pd.DataFrame) -> pd.Series:
    """Per network ACL, "22/ipv4 (rule 100), 3389/ipv6 (rule 120)"-style text of the admin ports
    whose first matching inbound rule for the whole internet (0.0.0.0/0, ::/0), in rule-number
    order, allows."""
    e = entries[flag(entries["egress"]).eq(False).fillna(False)]
    e = e[e["cidr"] == e["family"].map(WORLD)]
    if e.empty:
        return pd.Series(dtype=object)
    proto = e["protocol"].astype(str)
    lo = pd.to_numeric(e["from_port"], errors="coerce")
    hi = pd.to_numeric(e["to_port"], errors="coerce")
    hits = []
    # TCP and UDP each: a packet meets the first rule of its own protocol (EC2.21 and CIS count
    # either), so a UDP allow behind a TCP deny is still an open port.
    for port in ADMIN_PORTS:
        for code in TRANSPORTS:
            mask = (proto == "-1") | ((proto == code) & (lo <= port) & (hi >= port))
            hits.append(e.loc[mask, ["network_acl_id", "family", "rule_number", "rule_action"]]
                        .assign(port=port, transport=code))
    found = pd.concat(hits).sort_values("rule_number", kind="stable")
    first = found.drop_duplicates(["network_acl_id", "family", "port", "transport"], keep="first")
    allowed = first[first["rule_action"] == "allow"].drop_duplicates(
        ["network_acl_id", "family", "port"], keep="first")
    # One column per (port, family) holding the allowing rule's number, then text per ACL.
    wide = allowed.pivot(index="network_acl_id", columns=["port", "family"], values="rule_number")
    text = pd.Series("", index=wide.index, dtype=object)
    for port, family in sorted(wide.columns):
        rule = wide[(port, family)]
        text = text + (f"{port}/{family} (rule " + rule.astype("Int64").astype(str) + "), ").where(rule.notna(), "")
    return text.str.rstrip(", ")


def vpc_networkacl_admin_ports_restricted(s) -> pd.DataFrame:
    acls = s.table("vpc_network_acls").copy()
    entries = s.table("vpc_network_acl_entries")
    acls["open_ports"] = acls["network_acl_id"].map(_acl_exposure(entries))
    # An entry of unknown direction may be the inbound rule that decides: its ACL is not judged.
    undirected = entries.loc[flag(entries["egress"]).isna().to_numpy(), "network_acl_id"]
    return verdicts(acls, acls["open_ports"].isna(), resource_id="network_acl_id",
                    unknown=acls["network_acl_id"].isin(undirected),
                    pass_detail="Network ACL {network_acl_id} ({name}) of {vpc_id} does not admit SSH/RDP "
                                "from the whole internet.",
                    fail_detail="Network ACL {network_acl_id} ({name}) of {vpc_id} admits from the whole "
                                "internet: {open_ports}.")


def vpc_default_vpc_unused(s) -> pd.DataFrame:
    vpcs = s.table("vpc_vpcs")
    enis = s.table("vpc_network_interfaces")
    is_default = flag(vpcs["is_default"])
    default = vpcs[is_default.fillna(True)].copy()  # whether it is the default VPC may be missing
    default["interfaces"] = default["vpc_id"].map(enis.groupby("vpc_id").size()).fillna(0).astype(int)
    return verdicts(default, default["interfaces"] == 0, resource_id="vpc_id", unknown=is_default.isna(),
                    pass_detail="Default VPC {vpc_id} holds no network interfaces.",
                    fail_detail="Default VPC {vpc_id} holds {interfaces} network interface(s): workloads run in a "
                                "network with public subnets and default routes nobody designed.")


def vpc_networkacl_in_use(s) -> pd.DataFrame:
    """FSBP EC2.16 (AWS Config vpc-network-acl-unused-check): every network ACL is associated with
    a subnet, the VPC's default ACL included (it is left with none when every subnet was moved to
    another ACL)."""
    acls = s.table("vpc_network_acls").copy()
    subnets = parse_json(acls["subnet_ids_json"])
    acls["subnets"] = subnets.map(lambda v: len(v) if isinstance(v, list) else None)
    acls["kind"] = acls["is_default"].map({True: "Default network ACL", False: "Network ACL"}).fillna("Network ACL")
    acls["label"] = acls["network_acl_id"].astype(str).where(
        acls["name"].isna(), acls["network_acl_id"].astype(str) + " (" + acls["name"].astype(str) + ")")
    used = (acls["subnets"] > 0).where(acls["subnets"].notna())
    return verdicts(acls, used, resource_id="network_acl_id",
                    pass_detail="{kind} {label} of {vpc_id} guards {subnets} subnet(s).",
                    fail_detail="{kind} {label} of {vpc_id} is associated with no subnet: an unused rule set "
                                "that can be attached to a subnet unreviewed.")


def _route_scope(destination: str, peer_cidrs: list | None) -> str:
    """'narrower', 'whole' (exactly a peer VPC CIDR), 'wider' or 'unknown'."""
    if not peer_cidrs or not destination or destination.startswith("pl-"):
        return "unknown"
    try:
        dest = ipaddress.ip_network(destination, strict=False)
        peers = [ipaddress.ip_network(c, strict=False) for c in peer_cidrs]
    except ValueError:
        return "unknown"
    same = [p for p in peers if p.version == dest.version]
    if any(dest == p for p in same):
        return "whole"
    if any(dest.supernet_of(p) for p in same):
        return "wider"
    return "narrower"


def vpc_peering_routes_least_access(s) -> pd.DataFrame:
    routes = s.table("vpc_routes")
    peerings = s.table("vpc_peering_connections")
    r = routes[routes["target_type"] == "VpcPeeringConnectionId"].copy()
    p = peerings.drop_duplicates("peering_id").set_index("peering_id")
    r = r.join(p[["arn", "requester_vpc_id", "requester_cidrs_json", "accepter_cidrs_json"]], on="target_id")
    # The peer is the side of the connection the route's VPC is not.
    peer_json = r["accepter_cidrs_json"].where(r["vpc_id"] == r["requester_vpc_id"], r["requester_cidrs_json"])
    r["peer_cidrs"] = parse_json(peer_json)
    r["scope"] = [_route_scope(d, c) for d, c in zip(r["destination"], r["peer_cidrs"])]
    r["peer"] = r["peer_cidrs"].map(lambda c: ", ".join(c) if c else "unknown")
    r["rid"] = r["route_table_id"].astype(str) + ":" + r["destination"].astype(str)
    r["arn"] = r["arn"].fillna("")
    r["why"] = r["scope"].map({"whole": "covers the whole peer VPC", "wider": "is wider than the peer VPC"})
    # A prefix-list destination or a peering not in the listing: the scope cannot be judged.
    return verdicts(r, r["scope"] == "narrower", resource_id="rid", unknown=r["scope"] == "unknown",
                    pass_detail="Route {destination} in {route_table_id} to {target_id} covers only part of "
                                "the peer VPC ({peer}).",
                    fail_detail="Route {destination} in {route_table_id} to {target_id} {why} ({peer}): "
                                "route only the peer subnets that need to be reached.",
                    unknown_detail="Could not judge route {rid}: its destination is a prefix list or the "
                                   "peering connection's CIDRs are not in the snapshot.")
