"""OpenSearch Service: encryption at rest and between nodes, network placement, access control,
logs, TLS, cluster layout and service software, for OpenSearch and legacy Elasticsearch domains.

Security Hub has two control families for the same settings: Opensearch.N for domains on the
OpenSearch engine and ES.N for domains still on Elasticsearch. One check judges both engines, so
its metadata lists both ids; the finding's detail names the engine, which says which applies.
"""

from __future__ import annotations

import pandas as pd

from .base import flag, parse_json, verdicts
from .policy import is_public_policy

# The policy Opensearch.8 and ES.8 require (TLS 1.2 or 1.3 with perfect forward secrecy).
LATEST_TLS_POLICY = "Policy-Min-TLS-1-2-PFS-2023-10"
MIN_DATA_NODES = 3
MIN_DEDICATED_MASTERS = 3


def _domains(s) -> pd.DataFrame:
    d = s.table("opensearch_domains").copy()
    d["label"] = d["domain_name"].astype(str) + " (" + d["engine_version"].fillna(d["engine"]).astype(str) + ")"
    return d


def _in_vpc(d: pd.DataFrame) -> pd.Series:
    subnets = parse_json(d["subnet_ids_json"]).map(lambda ids: bool(ids)).astype(bool)
    return d["vpc_id"].notna() | subnets


def opensearch_domain_encrypted_at_rest(s) -> pd.DataFrame:
    d = _domains(s)
    return verdicts(d, flag(d["encryption_at_rest"]), resource_id="domain_name",
                    pass_detail="Domain {label} encrypts its indexes, logs and snapshots at rest.",
                    fail_detail="Domain {label} stores its indexes, logs and snapshots unencrypted.")


def opensearch_domain_in_vpc(s) -> pd.DataFrame:
    d = _domains(s)
    return verdicts(d, _in_vpc(d), resource_id="domain_name",
                    pass_detail="Domain {label} is reachable only inside its VPC.",
                    fail_detail="Domain {label} has a public endpoint: only its access policy stands between it and the internet.")


def opensearch_domain_access_policy_not_public(s) -> pd.DataFrame:
    """A public endpoint whose access policy admits anyone is open, unless fine-grained access
    control (without anonymous access) asks every caller to sign in: AWS documents that pairing
    as a valid design."""
    d = _domains(s)
    open_policy = parse_json(d["access_policies_json"]).map(lambda p: bool(p) and is_public_policy(p)).astype(bool)
    signed_in = flag(d["fine_grained_access_control"]) & ~flag(d["anonymous_auth_enabled"]).fillna(False)
    return verdicts(d, _in_vpc(d) | ~open_policy | signed_in, resource_id="domain_name",
                    pass_detail="Domain {label} does not admit anonymous requests from the internet.",
                    fail_detail="Domain {label} has a public endpoint and an access policy that allows anyone, with no fine-grained access control: anyone can read and change its data.")


def opensearch_domain_node_to_node_encryption(s) -> pd.DataFrame:
    d = _domains(s)
    return verdicts(d, flag(d["node_to_node_encryption"]), resource_id="domain_name",
                    pass_detail="Domain {label} encrypts traffic between its nodes.",
                    fail_detail="Domain {label} sends data between its nodes unencrypted.")


def opensearch_domain_error_logging(s) -> pd.DataFrame:
    d = _domains(s)
    return verdicts(d, flag(d["application_logs_enabled"]), resource_id="domain_name",
                    pass_detail="Domain {label} publishes its error logs to CloudWatch Logs.",
                    fail_detail="Domain {label} does not publish its error logs to CloudWatch Logs.")


def opensearch_domain_audit_logging(s) -> pd.DataFrame:
    d = _domains(s)
    return verdicts(d, flag(d["audit_logs_enabled"]), resource_id="domain_name",
                    pass_detail="Domain {label} publishes audit logs (sign-ins, requests, index changes) to CloudWatch Logs.",
                    fail_detail="Domain {label} has no audit log: who signed in, searched or changed an index leaves no record.")


def opensearch_domain_fine_grained_access_control(s) -> pd.DataFrame:
    d = _domains(s)
    return verdicts(d, flag(d["fine_grained_access_control"]), resource_id="domain_name",
                    pass_detail="Domain {label} has fine-grained access control (users and roles down to documents and fields).",
                    fail_detail="Domain {label} has no fine-grained access control: whoever its access policy admits can read and change every index.")


def opensearch_domain_tls_policy(s) -> pd.DataFrame:
    d = _domains(s)
    passed = flag(d["enforce_https"]) & (d["tls_security_policy"].astype("string") == LATEST_TLS_POLICY)
    return verdicts(d, passed, resource_id="domain_name",
                    pass_detail=f"Domain {{label}} requires HTTPS with {LATEST_TLS_POLICY}.",
                    fail_detail="Domain {label} does not require HTTPS with the latest TLS policy (HTTPS required: "
                                "{enforce_https}, policy {tls_security_policy}).")


def opensearch_domain_data_nodes_fault_tolerant(s) -> pd.DataFrame:
    d = _domains(s)
    nodes = pd.to_numeric(d["instance_count"], errors="coerce").astype("Float64")
    passed = (nodes >= MIN_DATA_NODES) & flag(d["zone_awareness_enabled"])
    return verdicts(d, passed, resource_id="domain_name",
                    pass_detail="Domain {label} has {instance_count} data nodes spread across Availability Zones.",
                    fail_detail="Domain {label} has {instance_count} data node(s) (zone awareness {zone_awareness_enabled}): one node or zone failure can stop it.")


def opensearch_domain_dedicated_master_nodes(s) -> pd.DataFrame:
    d = _domains(s)
    enabled = flag(d["dedicated_master_enabled"])
    count = pd.to_numeric(d["dedicated_master_count"], errors="coerce").round().astype("Int64")
    masters = count.where(enabled.fillna(True), 0)  # none when dedicated masters are off
    d["masters"] = masters.mask(enabled.isna(), pd.NA)
    return verdicts(d, d["masters"] >= MIN_DEDICATED_MASTERS, resource_id="domain_name",
                    pass_detail="Domain {label} has {masters} dedicated master nodes.",
                    fail_detail="Domain {label} has {masters} dedicated master node(s): its data nodes also manage the cluster, and losing one can stall it.")


def opensearch_domain_software_updated(s) -> pd.DataFrame:
    d = _domains(s)
    return verdicts(d, ~flag(d["update_available"]), resource_id="domain_name",
                    pass_detail="Domain {label} runs the latest service software.",
                    fail_detail="Domain {label} has a service software update available but not installed ({update_status}).")
