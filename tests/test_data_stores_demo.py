"""The demo's data stores (ElastiCache, Redshift, OpenSearch), end to end: each story resource gets
its verdict, none errors, and each service shows in the responsibility matrix."""

from __future__ import annotations

import json

import pytest

from conftest import verdicts_of

pytestmark = pytest.mark.e2e

EXPECTED = {
    "elasticache_cluster_backup_enabled": {"rate-limiter": "PASS", "feature-flags": "FAIL"},
    "elasticache_replication_group_backup_enabled": {"sessions-cache": "PASS", "legacy-leaderboard": "FAIL"},
    "elasticache_cluster_auto_minor_version_upgrade": {"sessions-cache-001": "PASS", "rate-limiter": "FAIL",
                                                       "legacy-leaderboard-001": "FAIL"},
    "elasticache_cluster_custom_subnet_group": {"sessions-cache-001": "PASS", "pricing-memcached": "FAIL",
                                                "legacy-leaderboard-001": "FAIL"},
    "elasticache_replication_group_automatic_failover": {"sessions-cache": "PASS", "legacy-leaderboard": "FAIL"},
    "elasticache_replication_group_encrypted_at_rest": {"sessions-cache": "PASS", "legacy-leaderboard": "FAIL"},
    "elasticache_replication_group_encrypted_in_transit": {"sessions-cache": "PASS", "clickstream-buffer": "FAIL",
                                                           "legacy-leaderboard": "FAIL"},
    "elasticache_replication_group_auth_enabled": {"catalog-cache": "PASS", "legacy-leaderboard": "FAIL",
                                                   "sessions-cache": None},
    "elasticache_replication_group_rbac_enabled": {"sessions-cache": "PASS", "clickstream-buffer": "FAIL",
                                                   "catalog-cache": None},
    **{check: {"northwind-warehouse": "PASS", "marketing-sandbox": "FAIL"} for check in (
        "redshift_cluster_not_public", "redshift_cluster_require_ssl", "redshift_cluster_user_activity_logging",
        "redshift_cluster_automated_snapshots", "redshift_cluster_audit_logging",
        "redshift_cluster_version_upgrade", "redshift_cluster_enhanced_vpc_routing",
        "redshift_cluster_custom_admin_username", "redshift_cluster_custom_database_name",
        "redshift_cluster_encrypted", "redshift_cluster_port_restricted", "redshift_cluster_multi_az")},
    **{check: {"northwind-search": "PASS", "legacy-logs": "FAIL"} for check in (
        "opensearch_domain_encrypted_at_rest", "opensearch_domain_node_to_node_encryption",
        "opensearch_domain_error_logging", "opensearch_domain_audit_logging",
        "opensearch_domain_fine_grained_access_control", "opensearch_domain_data_nodes_fault_tolerant",
        "opensearch_domain_dedicated_master_nodes", "opensearch_domain_software_updated")},
    **{check: {"northwind-bi": "PASS", "adhoc-analysis": "FAIL"} for check in (
        "redshift_serverless_workgroup_not_public", "redshift_serverless_workgroup_enhanced_vpc_routing",
        "redshift_serverless_workgroup_require_ssl", "redshift_serverless_namespace_custom_admin_username",
        "redshift_serverless_namespace_logs_exported")},
    "opensearch_domain_in_vpc": {"northwind-search": "PASS", "partner-catalog": "FAIL", "legacy-logs": "FAIL"},
    "opensearch_domain_access_policy_not_public": {"northwind-search": "PASS", "partner-catalog": "PASS",
                                                   "legacy-logs": "FAIL"},
    "opensearch_domain_tls_policy": {"northwind-search": "PASS", "partner-catalog": "FAIL", "legacy-logs": "FAIL"},
}


@pytest.mark.parametrize("check_id", sorted(EXPECTED))
def test_demo_data_store_verdicts(demo_findings, check_id):
    got = verdicts_of(demo_findings, check_id)
    assert {k: got.get(k) for k in EXPECTED[check_id]} == EXPECTED[check_id]


def test_no_data_store_check_errors_in_the_demo(demo_findings):
    mine = demo_findings[demo_findings["service"].isin(["elasticache", "redshift", "opensearch"])]
    assert set(mine["check_id"]) == set(EXPECTED)
    assert mine[mine["status"] == "ERROR"].empty, mine[mine["status"] == "ERROR"][["check_id", "detail"]]


def test_the_data_stores_are_in_the_demo_matrix(demo_run):
    scores = json.loads((demo_run[0] / "scores.json").read_text())
    assert {"Amazon ElastiCache", "Amazon Redshift", "Amazon OpenSearch Service"} <= set(scores["services"]["in_use"])
    rows = [r for r in scores["matrix"] if r["service_name"] in ("Amazon Redshift", "Amazon OpenSearch Service")]
    assert {r["model"] for r in rows} == {"container"}
