"""Elastic Load Balancing v2: TLS on listeners, current TLS policies, header hygiene and desync
mitigation, deletion protection, access logs, and WAF in front of internet-facing ALBs."""

from __future__ import annotations

import pandas as pd

from .base import flag, parse_json, verdicts

# FSBP ELB.17 (AWS Config elbv2-predefined-security-policy-ssl-check): the listener's policy must be
# one of these, as the control page lists them (not customizable). TLS 1.2 policies count only in
# their restricted (-Res-) form; ELBSecurityPolicy-TLS13-1-2-2021-06, the console's default, is not
# in the list.
RECOMMENDED_POLICIES = (
    "ELBSecurityPolicy-TLS13-1-3-2021-06", "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09", "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09", "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
)


def _redirects_to_https(actions: list | None) -> bool:
    return any(a.get("Type") == "redirect"
               and str((a.get("RedirectConfig") or {}).get("Protocol", "")).upper() == "HTTPS"
               for a in actions or [])


def elbv2_listener_https_enforced(s) -> pd.DataFrame:
    li = s.table("elbv2_listeners")
    li = li[li["load_balancer_type"] == "application"].copy()
    https = li["protocol"] == "HTTPS"
    # Only plain listeners need their actions read; most are HTTPS (no redirect needed: False).
    plain = li.loc[~https, "default_actions_json"]
    redirect = parse_json(plain).map(_redirects_to_https).reindex(li.index).fillna(False).astype(bool)
    li["how"] = (https.map({True: "serves HTTPS", False: ""}) + redirect.map({True: "redirects to HTTPS", False: ""}))
    return verdicts(li, https | redirect, resource_id="listener_id", resource_arn="listener_arn",
                    pass_detail="Listener {listener_id} ({protocol}) {how}.",
                    fail_detail="Listener {listener_id} serves plain {protocol} without redirecting to HTTPS: "
                                "traffic and session cookies cross the internet in clear text.")


def elbv2_listener_tls_policy_current(s) -> pd.DataFrame:
    li = s.table("elbv2_listeners")
    li = li[li["protocol"].isin(["HTTPS", "TLS"])].copy()
    policies = s.table("elbv2_ssl_policies").drop_duplicates(["region", "name"])
    listed = policies.rename(columns={"name": "ssl_policy"})[["region", "ssl_policy", "ssl_protocols_json"]]
    li = li.merge(listed, on=["region", "ssl_policy"], how="left")
    protocols = parse_json(li["ssl_protocols_json"])
    # The protocols are shown for context; the verdict is the control's list of policies.
    li["protocols"] = protocols.map(lambda p: ", ".join(p) if p else "protocols not listed")
    # An HTTPS or TLS listener always has a policy: without its name there is nothing to judge.
    return verdicts(li, li["ssl_policy"].isin(RECOMMENDED_POLICIES), resource_id="listener_id",
                    resource_arn="listener_arn", unknown=li["ssl_policy"].isna(),
                    pass_detail="Listener {listener_id} uses {ssl_policy} ({protocols}), a recommended policy.",
                    fail_detail="Listener {listener_id} uses {ssl_policy} ({protocols}), which is not one of "
                                "the recommended policies (TLS 1.3, or TLS 1.2 restricted): move to "
                                "ELBSecurityPolicy-TLS13-1-2-Res-2021-06 or ELBSecurityPolicy-TLS13-1-3-2021-06.")


def _attributes(s, types: tuple[str, ...]) -> pd.DataFrame:
    attrs = s.table("elbv2_load_balancer_attributes")
    s.table("elbv2_load_balancers")  # read for its gaps: a failed listing leaves this table empty
    return attrs[attrs["type"].isin(types)].copy()


def elbv2_loadbalancer_invalid_headers_dropped(s) -> pd.DataFrame:
    lbs = _attributes(s, ("application",))
    return verdicts(lbs, flag(lbs["drop_invalid_header_fields"]), resource_id="name",
                    pass_detail="ALB {name} drops HTTP headers with invalid names.",
                    fail_detail="ALB {name} forwards headers with invalid names to its targets, which enables "
                                "HTTP request smuggling and desync attacks.")


# FSBP ELB.12 (AWS Config alb-desync-mode-check): defensive or strictest passes, monitor fails.
# AWS's default for an ALB is defensive, what an attribute list without the key means.
DESYNC_SAFE_MODES = ("defensive", "strictest")


def elbv2_loadbalancer_desync_mitigation(s) -> pd.DataFrame:
    lbs = _attributes(s, ("application",))
    attrs = parse_json(lbs["attributes_json"])
    lbs["mode"] = attrs.map(lambda a: str(a.get("routing.http.desync_mitigation_mode") or "defensive").lower()
                            if isinstance(a, dict) else None)
    safe = lbs["mode"].isin(DESYNC_SAFE_MODES).where(lbs["mode"].notna())
    return verdicts(lbs, safe, resource_id="name",
                    pass_detail="ALB {name} mitigates HTTP desync in {mode} mode.",
                    fail_detail="ALB {name} is in {mode} desync mitigation mode: ambiguous requests that "
                                "enable request smuggling reach the targets.")


def elbv2_loadbalancer_deletion_protection_enabled(s) -> pd.DataFrame:
    lbs = _attributes(s, ("application", "network", "gateway"))
    return verdicts(lbs, flag(lbs["deletion_protection"]), resource_id="name",
                    pass_detail="Load balancer {name} has deletion protection.",
                    fail_detail="Load balancer {name} can be deleted by one API call, taking its service down.")


def elbv2_loadbalancer_access_logs_enabled(s) -> pd.DataFrame:
    lbs = _attributes(s, ("application",))
    return verdicts(lbs, flag(lbs["access_logs_enabled"]), resource_id="name",
                    pass_detail="ALB {name} writes access logs.",
                    fail_detail="ALB {name} keeps no access logs: requests to the application cannot be investigated.")


def elbv2_loadbalancer_waf_attached(s) -> pd.DataFrame:
    lbs = s.table("elbv2_load_balancers")
    protected = s.table("wafv2_web_acl_resources")
    s.table("wafv2_web_acls")  # read for its gaps
    # ELB.16 (AWS Config alb-waf-enabled) judges every ALB, internal ones too: traffic that
    # reaches an internal ALB (from a compromised host, a VPN, a peered network) is filtered too.
    albs = lbs[lbs["type"] == "application"].copy()
    acl_of = protected.drop_duplicates("resource_arn").set_index("resource_arn")["web_acl_name"]
    albs["web_acl"] = albs["arn"].map(acl_of)
    albs["kind"] = albs["scheme"].map({"internet-facing": "Internet-facing", "internal": "Internal"}).fillna("")
    return verdicts(albs, albs["web_acl"].notna(), resource_id="name",
                    pass_detail="{kind} ALB {name} is protected by web ACL {web_acl}.",
                    fail_detail="{kind} ALB {name} has no WAF web ACL: injection, bots and known "
                                "exploits reach the application unfiltered.")
