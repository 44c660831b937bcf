"""AWS WAF (v2): web ACLs that filter something, and that log what they see."""

from __future__ import annotations

import pandas as pd

from .base import verdicts


def wafv2_webacl_rules_present(s) -> pd.DataFrame:
    acls = s.table("wafv2_web_acl_details")
    s.table("wafv2_web_acls")  # read for its gaps: a failed listing leaves no details
    n = pd.to_numeric(acls["rule_count"], errors="coerce")
    return verdicts(acls, n > 0, resource_id="name", unknown=n.isna(),
                    pass_detail="Web ACL {name} has {rule_count} rule(s); default action {default_action}.",
                    fail_detail="Web ACL {name} has no rules: it lets every request through ({default_action}) "
                                "while looking like protection.")


def wafv2_webacl_logging_enabled(s) -> pd.DataFrame:
    acls = s.table("wafv2_web_acls")
    logging = s.table("wafv2_logging_configurations")
    logged = acls["arn"].isin(logging["web_acl_arn"])
    return verdicts(acls, logged, resource_id="name",
                    pass_detail="Web ACL {name} logs the requests it inspects.",
                    fail_detail="Web ACL {name} keeps no request logs: blocked attacks and false positives "
                                "cannot be investigated.")
