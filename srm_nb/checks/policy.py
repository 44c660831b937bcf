"""IAM and resource policy evaluation shared by the checks.

Public-ness is judged by Netflix's policyuniverse, which understands Principal in all its forms and
the conditions that restrict a wildcard principal (source IP, VPC, VPC endpoint, organization,
account, ARN...). We add what it does not do: Deny statements that cancel an Allow, and
NotAction/Action wildcard matching for admin-style grants.
"""

from __future__ import annotations

import fnmatch

from policyuniverse.policy import Policy

from .base import as_list


def _statements(doc: dict) -> list[dict]:
    return [st for st in as_list((doc or {}).get("Statement")) if isinstance(st, dict)]


def is_public_policy(doc: dict) -> bool:
    """True when an Allow statement grants access to anyone, with no limiting condition."""
    if not doc:
        return False
    try:
        return bool(Policy(doc).is_internet_accessible())
    except Exception:
        return False


def denies_insecure_transport(doc: dict) -> bool:
    """True when a Deny statement rejects requests with aws:SecureTransport = false."""
    for st in _statements(doc):
        if st.get("Effect") != "Deny":
            continue
        cond = st.get("Condition") or {}
        for op, kv in cond.items():
            if op.lower().startswith("bool") and isinstance(kv, dict):
                for key, val in kv.items():
                    if key.lower() == "aws:securetransport" and str(as_list(val)[0]).lower() == "false":
                        return True
    return False


def grants_action(doc: dict, action: str, resource: str = "*") -> bool:
    """True when an Allow statement grants `action` on `resource` and no Deny takes it back.

    Wildcards in Action/NotAction/Resource are matched case-insensitively, as IAM does.
    """
    def matches(patterns, value):
        return any(fnmatch.fnmatchcase(value.lower(), str(p).lower()) for p in as_list(patterns))

    def covers(st):
        if "NotAction" in st:
            act = not matches(st["NotAction"], action)
        else:
            act = matches(st.get("Action"), action)
        if "NotResource" in st:
            res = not matches(st["NotResource"], resource)
        else:
            res = matches(st.get("Resource", "*"), resource)
        return act and res

    statements = _statements(doc)
    allowed = any(st.get("Effect") == "Allow" and not st.get("Condition") and covers(st)
                  for st in statements)
    denied = any(st.get("Effect") == "Deny" and not st.get("Condition") and covers(st)
                 for st in statements)
    return allowed and not denied
