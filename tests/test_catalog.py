"""The check catalog: metadata validated at load, ids, purity of the check modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from srm_nb.checks import catalog as cat
from srm_nb.checks import fsbp
from srm_nb.checks.base import DOMAINS, SEVERITIES
from srm_nb.errors import CatalogError, UsageError

CHECKS_DIR = Path(cat.__file__).parent

GOOD = {
    "title": "Widgets are locked",
    "risk": "Widgets are unlocked",
    "domain": "network",
    "service": "widgets",
    "severity": "high",
    "resource_type": "AWS::Widgets::Widget",
    "rationale": "Unlocked widgets leak.",
    "remediation": {"console": "Widgets > Lock.", "cli": "aws widgets lock --id ID"},
    "references": ["https://docs.aws.amazon.com/widgets/latest/lock.html"],
    "fsbp": ["Widgets.1"],
    "effort": "low",
}


def problems(cid="widgets_widget_locked", **changes):
    meta = {**GOOD, **changes}
    for k, v in changes.items():
        if v is None:
            meta.pop(k)
    return cat._validate(cid, meta, "widgets.yaml")


def test_good_metadata_has_no_problem():
    assert problems() == []


@pytest.mark.parametrize("changes, says", [
    ({"domain": "networking"}, "unknown domain 'networking'"),
    ({"severity": "urgent"}, "unknown severity 'urgent'"),
    ({"title": None}, "missing title"),
    ({"risk": None}, "missing risk"),
    ({"risk": ["a", "list"]}, "risk must be text"),
    ({"remediation": {"console": "x"}}, "remediation needs"),
    ({"references": ["docs.aws.amazon.com/x"]}, "is not an http(s) URL"),
    ({"references": "https://docs.aws.amazon.com/x"}, "references must be a list"),
    ({"fsbp": ["IAM-9"]}, "FSBP id 'IAM-9'"),
    ({"effort": "huge"}, "effort must be low, medium or high"),
    ({"manual": True}, "a manual check needs manual_reason"),
    ({"cis": ["7.0:2.5"]}, "frameworks/cis_aws_<version>.yaml"),
    ({"colour": "red"}, "unknown field(s) ['colour']"),
])
def test_bad_metadata_is_named(changes, says):
    found = problems(**changes)
    assert any(says in p for p in found), found


def test_severity_follows_security_hub_unless_a_rationale_says_why():
    """A check mapped to FSBP takes Security Hub's severity (the highest of its controls); a
    deliberate difference needs severity_rationale, and a rationale on an equal severity is stale."""
    ok = {**GOOD, "fsbp": ["IAM.9"], "severity": "critical"}
    assert fsbp.severity_problems("iam_root_thing_done", ok) == []
    lower = {**ok, "severity": "high"}
    assert "differs from Security Hub's critical for IAM.9" in fsbp.severity_problems("iam_root_thing_done", lower)[0]
    assert fsbp.severity_problems("iam_root_thing_done", {**lower, "severity_rationale": "Why."}) == []
    stale = fsbp.severity_problems("iam_root_thing_done", {**ok, "severity_rationale": "Why."})
    assert "severity is Security Hub's" in stale[0]
    two = {**GOOD, "fsbp": ["IAM.16", "IAM.9"], "severity": "critical"}  # low and critical: critical
    assert fsbp.severity_problems("iam_root_thing_done", two) == []


def test_catalog_severities_match_the_fsbp_table():
    """Every FSBP control the catalog maps is in data/fsbp_severities.yaml, and every FSBP-mapped
    check has Security Hub's severity or says why not."""
    table = fsbp.fsbp_severities()
    mapped = {f for c in cat.load_catalog().values() for f in c.fsbp_ids}
    assert mapped <= set(table), sorted(mapped - set(table))
    for c in cat.load_catalog().values():
        expected = fsbp.security_hub_severity(c.fsbp_ids)
        if expected is not None:
            assert c.severity == expected or c.severity_rationale, (c.id, c.severity, expected)
    assert table["Config.1"] == "critical" and table["KMS.3"] == "critical" and table["IAM.6"] == "critical"


def test_every_check_states_its_risk():
    for c in cat.load_catalog().values():
        assert c.risk and c.risk != c.title and not c.risk.endswith("."), c.id


def test_bad_id_is_named():
    assert any("<service>_<resource>_<practice>" in p for p in problems(cid="WidgetLocked"))
    assert any("<service>_<resource>_<practice>" in p for p in problems(cid="widgets_locked"))


def test_duplicate_key_in_a_yaml_file_is_an_error(tmp_path):
    f = tmp_path / "widgets.yaml"
    f.write_text("widgets_widget_locked:\n  title: a\nwidgets_widget_locked:\n  title: b\n")
    with pytest.raises(CatalogError, match="'widgets_widget_locked' appears twice"):
        cat.read_yaml(f)


def test_invalid_yaml_names_the_file(tmp_path):
    f = tmp_path / "widgets.yaml"
    f.write_text("widgets_widget_locked: [unclosed\n")
    with pytest.raises(CatalogError, match="widgets.yaml is not valid YAML"):
        cat.read_yaml(f)


def test_catalog_loads_and_ids_equal_function_names():
    checks = cat.load_catalog()
    assert checks, "the catalog is empty"
    for cid, c in checks.items():
        assert c.id == cid
        assert c.domain in DOMAINS and c.severity in SEVERITIES
        if c.manual:
            assert c.func is None and c.manual_reason
        else:
            assert c.func.__name__ == cid


def test_every_check_function_has_metadata():
    """A function named like a check but without YAML never runs (not fatal at load, so a
    check being written does not stop everyone's catalog; fatal here)."""
    assert cat.orphan_functions() == []


def test_a_check_function_without_metadata_is_found(monkeypatch):
    from srm_nb.checks import ec2

    def ec2_widget_unlisted(s):
        return None

    ec2_widget_unlisted.__module__ = ec2.__name__
    monkeypatch.setattr(ec2, "ec2_widget_unlisted", ec2_widget_unlisted, raising=False)
    # found each time it is asked, though the catalog is already loaded (and cached)
    assert cat.orphan_functions() == ["ec2_widget_unlisted: function in ec2.py has no metadata in ec2.yaml"]
    monkeypatch.undo()
    assert cat.orphan_functions() == []


def test_catalog_style_rules():
    assert cat.catalog_lint() == []


def test_cis_ids_are_derived_from_the_framework_files():
    checks = cat.load_catalog()
    root_mfa = checks["iam_root_mfa_enabled"]
    assert "7.0:2.5" in root_mfa.cis_ids and "5.0:1.4" in root_mfa.cis_ids
    for c in checks.values():
        versions = [x.split(":")[0] for x in c.cis_ids]
        assert versions == sorted(versions, key=lambda v: tuple(map(int, v.split("."))), reverse=True)
    mapped = {cid for fw in cat.load_frameworks().values() for ctl in fw.controls for cid in ctl.checks}
    for c in checks.values():
        assert bool(c.cis_ids) == (c.id in mapped)


def test_no_check_yaml_carries_cis_ids():
    for f in CHECKS_DIR.glob("*.yaml"):
        metas = cat.read_yaml(f) or {}
        assert not [cid for cid, m in metas.items() if isinstance(m, dict) and "cis" in m], f.name


def test_no_check_module_imports_boto3_or_botocore():
    """Checks are pure functions of the snapshot tables: no AWS SDK, directly or through the
    collectors (srm_nb.collect, srm_nb.aws)."""
    for f in sorted(CHECKS_DIR.glob("*.py")):
        tree = ast.parse(f.read_text(), filename=str(f))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                names = [("srm_nb." + base) if node.level == 2 else base]
            else:
                continue
            for n in names:
                assert n.split(".")[0] not in ("boto3", "botocore", "aioboto3"), f"{f.name} imports {n}"
                assert not n.startswith(("srm_nb.collect", "srm_nb.aws")), f"{f.name} imports {n}"


def test_catalog_frame_one_row_per_check():
    df = cat.catalog_frame()
    assert list(df.columns) == list(cat.CATALOG_COLUMNS)
    assert len(df) == len(cat.load_catalog()) and df["check_id"].is_unique


def test_select_checks_filters_and_rejects_typos():
    all_checks = cat.select_checks()
    iam = cat.select_checks(service="iam")
    assert len(iam) and set(iam["service"]) == {"iam"} and len(iam) < len(all_checks)
    crit = cat.select_checks(severity="critical")
    assert set(crit["severity"]) <= {"critical"}
    v5 = cat.select_checks(framework="cis-5.0")
    assert len(v5) and all(any(x.startswith("5.0:") for x in ids.split()) for ids in v5["cis_ids"])
    assert len(cat.select_checks(framework="CIS-v5.0.0")) == len(v5)
    assert set(cat.select_checks(framework="cis")["check_id"]) >= set(v5["check_id"])
    fsbp = cat.select_checks(framework="fsbp")
    assert (fsbp["fsbp_ids"] != "").all()
    for kwargs in ({"domain": "nope"}, {"severity": "urgent"}, {"service": "nope"}, {"framework": "cis-9.9"}):
        with pytest.raises(UsageError, match="use one of"):
            cat.select_checks(**kwargs)


def test_metadata_alone_is_the_catalog_without_its_functions():
    """`srm checks` lists catalog_metadata(): read from the YAML files, the same checks."""
    meta, full = cat.catalog_metadata(), cat.load_catalog()
    assert list(meta) == list(full)
    assert all(m == full[cid] for cid, m in meta.items())  # every field but the function
    assert all(m.func is None for m in meta.values())
