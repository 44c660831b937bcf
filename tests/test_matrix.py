"""The Shared Responsibility matrix: valid data, linked to real checks, measured per account."""

from __future__ import annotations

from dataclasses import replace
from fnmatch import fnmatchcase

import pandas as pd
import pytest

from srm_nb.checks import load_catalog
from srm_nb.errors import CatalogError
from srm_nb.matrix import (MATRIX_FILE, item_status, live_matrix, load_matrix, resolve,
                           services_in_use)
from srm_nb.snapshot import Snapshot

REQUIRED_SERVICES = {"ec2", "ebs", "s3", "rds", "lambda", "dynamodb", "vpc", "iam", "kms", "cloudtrail", "elb",
                     "efs"}


def test_matrix_loads_strictly_and_names_the_required_services():
    m = load_matrix(MATRIX_FILE, strict=True)
    assert REQUIRED_SERVICES <= set(m.services)
    for svc in m.services.values():
        assert svc.model in ("infrastructure", "container", "abstracted")
        assert svc.aws and svc.items


def test_every_explicit_check_id_exists_in_the_catalog():
    m = load_matrix(MATRIX_FILE, strict=False)
    catalog = load_catalog()
    missing = [(svc.key, item.id, c) for svc, item in m.items() for c in item.checks if c not in catalog]
    assert not missing, f"matrix names checks the catalog does not have: {missing}"


def test_every_check_of_a_matrix_service_attaches_to_one_of_its_items():
    """A service with a row has all its checks measured somewhere (EFS had none: its checks
    attached to nothing)."""
    m = load_matrix()
    attached = {c for ids in m.resolved.values() for c in ids}
    loose = [c.id for c in load_catalog().values() if c.service in m.services and c.id not in attached]
    assert not loose, loose


def test_secrets_rotation_function_is_the_customers():
    """Secrets Manager runs rotation; the rotation function (code, role, network) is the
    customer's, except for secrets whose rotation AWS manages."""
    svc = load_matrix().services["secretsmanager"]
    assert "managed rotation" in svc.aws
    item = next(i for i in svc.items if i.id == "secrets-rotation-function")
    assert item.manual and "execution role" in item.text


def test_every_item_resolves_to_a_check_unless_documented_as_manual():
    m = load_matrix()
    unresolved = [f"{svc.key}/{item.id}" for svc, item in m.items()
                  if not m.resolved[item.id] and not item.manual]
    assert not unresolved, f"items measured by no check and not marked manual: {unresolved}"


def test_in_use_tables_are_tables_some_collector_declares():
    from srm_nb.collect import load_collectors, table_schema

    load_collectors()
    declared = set(table_schema())
    m = load_matrix()
    for svc in m.services.values():
        if svc.in_use_tables:
            assert any(fnmatchcase(t, p) for t in declared for p in svc.in_use_tables), \
                f"{svc.key}: none of {svc.in_use_tables} is a collected table"


def test_a_selector_attaches_a_check_added_later():
    m = load_matrix()
    catalog = dict(load_catalog())
    template = catalog["s3_bucket_tls_required"]
    catalog["s3_bucket_brand_new_practice"] = replace(template, id="s3_bucket_brand_new_practice")
    resolved, unknown = resolve(m, catalog)
    assert "s3_bucket_brand_new_practice" in resolved["s3-tls"]
    assert "s3_bucket_brand_new_practice" not in resolved["s3-access"]  # other domain
    assert not unknown


def write(tmp_path, text: str):
    p = tmp_path / "m.yaml"
    p.write_text(text)
    return p


GOOD_ITEM = "      - {id: a, text: A, domain: logging, checks: [cloudtrail_trail_multiregion_logging]}\n"


@pytest.mark.parametrize("service, problem", [
    ("  x: {name: X, model: cloud, aws: a, customer: [{id: a, text: A, domain: logging, manual: m}]}\n", "model"),
    ("  x: {name: X, model: abstracted, aws: a, customer: [{id: a, text: A, domain: nope, manual: m}]}\n", "unknown domain"),
    ("  x: {name: X, model: abstracted, aws: a, customer: [{id: a, text: A, domain: logging}]}\n", "link checks"),
    ("  x: {name: X, model: abstracted, aws: a, customer: [{id: a, text: A, domain: logging, select: [{colour: red}]}]}\n", "selector"),
    ("  x: {name: X, model: abstracted, aws: a, customer: [{id: a, text: A, domain: logging, checks: [no_such_check_here]}]}\n", "not in the catalog"),
])
def test_invalid_matrix_is_refused_with_the_reason(tmp_path, service, problem):
    path = write(tmp_path, "services:\n" + service)
    with pytest.raises(CatalogError, match=problem):
        load_matrix(path)


def test_unknown_explicit_id_is_tolerated_when_not_strict(tmp_path):
    path = write(tmp_path, "services:\n  x:\n    name: X\n    model: abstracted\n    aws: a\n    customer:\n"
                 + GOOD_ITEM + "      - {id: b, text: B, domain: logging, checks: [renamed_check_gone]}\n")
    m = load_matrix(path, strict=False)
    assert m.resolved["b"] == ()


def snapshot_with(**tables) -> Snapshot:
    return Snapshot(tables={k: pd.DataFrame(v) for k, v in tables.items()},
                    manifest={"account_id": "111122223333", "regions": ["us-east-1"]})


def empty_findings() -> pd.DataFrame:
    return pd.DataFrame(columns=["check_id", "status", "resource_type", "muted"])


def test_services_in_use_follow_the_snapshot():
    m = load_matrix()
    s = snapshot_with(s3_buckets={"name": ["b"]}, lambda_functions={"name": []}, ec2_instances={"id": ["i-1"]})
    used = services_in_use(m, s, empty_findings())
    assert {"s3", "ec2", "iam", "cloudtrail"} <= set(used)  # IAM and CloudTrail: account foundations
    assert "lambda" not in used and "rds" not in used


def test_evaluated_findings_on_a_resource_type_mark_a_service_in_use():
    m = load_matrix()
    f = pd.DataFrame({"check_id": ["x_y_z"], "status": ["FAIL"], "resource_type": ["AWS::DynamoDB::Table"]})
    assert "dynamodb" in services_in_use(m, snapshot_with(), f)


def test_item_status_is_the_worst_evaluated_verdict():
    assert item_status(pd.Series(["PASS", "FAIL", "ERROR"]), False) == "FAIL"
    assert item_status(pd.Series(["PASS", "ERROR"]), False) == "ERROR"
    assert item_status(pd.Series(["PASS", "NOT_APPLICABLE"]), False) == "PASS"
    assert item_status(pd.Series(["NOT_APPLICABLE"]), False) == "NOT_APPLICABLE"
    assert item_status(pd.Series([], dtype=object), True) == "MANUAL"


def test_live_matrix_measures_items_and_ignores_muted_findings():
    m = load_matrix()
    f = pd.DataFrame({
        "check_id": ["s3_bucket_tls_required", "s3_bucket_tls_required", "s3_bucket_policy_not_public"],
        "severity": ["medium", "medium", "critical"],
        "status": ["PASS", "FAIL", "FAIL"],
        "resource_type": ["AWS::S3::Bucket"] * 3,
        "muted": [False, True, False],
    })
    live = live_matrix(m, f, ["s3"]).set_index("item")
    assert set(live["service"]) == {"s3"}
    assert live.loc["s3-tls", "status"] == "PASS"  # the only FAIL is muted
    assert live.loc["s3-tls", "muted"] == 1
    assert live.loc["s3-access", "status"] == "FAIL"
    assert live.loc["s3-access", "score"] == 0
