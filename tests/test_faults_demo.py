"""The demo account collected under faults, compared with the same account collected cleanly:
two real runs through the real collectors, the demo server's fault injection in between.

- 30% of requests throttled, default retries: every verdict is the clean run's.
- 30% throttled with 2 attempts, and 10% denied: verdicts may become ERROR, never flip between
  PASS and FAIL; an ERROR never repeats a verdict its missing data cannot support; and a check
  adds no ERROR row for a resource outside its scope.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import boto3
import pandas as pd
import pytest

from srm_nb.aws import AwsAccess, client_config
from srm_nb.checks.base import ERROR, FAIL, PASS
from srm_nb.checks.catalog import load_catalog
from srm_nb.checks.runner import run_checks
from srm_nb.collect.runner import collect
from srm_nb.demo.run import faulty_demo_account

pytestmark = pytest.mark.e2e

# The demo's home region (and the global services): two thirds of its calls and findings, and
# every service; the other regions would only repeat the same paths with less in them.
REGIONS = ["us-east-1"]
SEED = 1  # with it, the run's own GetCallerIdentity gets through with 2 attempts
# CloudFormation service names (AWS::<Service>::<Type>) that boto3 spells otherwise.
BOTO3_NAMES = {"elasticloadbalancingv2": "elbv2", "certificatemanager": "acm",
               "trustedadvisor": "support"}


RUNS = {  # name -> (fault shares, max attempts)
    "clean": ({}, None),
    # At most 3 throttles in a row per request: within the default 8 attempts, whatever the draw
    # (an unbounded 30% would throttle one of ~300 requests 8 times in a row in 2% of runs).
    "throttled": ({"throttle": 0.3, "streak": 3}, None),
    "throttled, 2 attempts": ({"throttle": 0.3}, 2),
    "denied": ({"deny": 0.1}, None),
}


@pytest.fixture(scope="module")
def runs():
    """The four collections at once, one access key each (the faults are per key): the
    throttled one mostly waits on backoff, the others use the CPU meanwhile."""
    with faulty_demo_account() as (access, faults):
        def run(name):
            shares, max_attempts = RUNS[name]
            key = "AKIAFAULTS" + str(list(RUNS).index(name))
            faults.configure(seed=SEED, access_key=key, **shares)
            session = boto3.Session(aws_access_key_id=key, aws_secret_access_key="demo",
                                    region_name="us-east-1")
            target = AwsAccess(session=session, endpoint_url=access.endpoint_url,
                               config=client_config(max_attempts=max_attempts))
            snap = collect(target, REGIONS, quiet=True)
            return snap, run_checks(snap), faults.injected(key)

        with ThreadPoolExecutor(len(RUNS)) as pool:
            done = dict(zip(RUNS, pool.map(run, RUNS)))
        yield done


def _compare(runs, name) -> pd.DataFrame:
    clean, faulty = runs["clean"][1], runs[name][1]
    return clean.merge(faulty, on="finding_uid", how="outer", suffixes=("_clean", "_faulty"),
                       indicator=True)


def test_default_retries_absorb_30_percent_throttling(runs):
    snap, findings, injected = runs["throttled"]
    assert injected > 50  # the faults did happen
    assert snap.gaps.empty and set(snap.calls["status"]) == {"ok"}
    assert (snap.calls["attempts"] > 1).any()
    both = _compare(runs, "throttled")
    assert (both["_merge"] == "both").all()
    assert (both["status_clean"] == both["status_faulty"]).all()


@pytest.mark.parametrize("name", ["throttled, 2 attempts", "denied"])
def test_missing_data_is_error_never_another_verdict(runs, name):
    snap, findings, injected = runs[name]
    assert injected > 10 and not snap.gaps.empty
    both = _compare(runs, name)
    both = both[both["_merge"] == "both"]
    decided = both["status_clean"].isin([PASS, FAIL]) & both["status_faulty"].isin([PASS, FAIL])
    flipped = both[decided & (both["status_clean"] != both["status_faulty"])]
    assert flipped.empty, flipped[["check_id_clean", "resource_id_clean", "status_clean",
                                   "status_faulty", "detail_faulty"]].to_dict("records")
    assert (both["status_faulty"] == ERROR).sum() > 5


@pytest.mark.parametrize("name", ["throttled, 2 attempts", "denied"])
def test_an_error_does_not_hint_at_a_verdict(runs, name):
    both = _compare(runs, name)
    now_error = both[(both["_merge"] == "both") & (both["status_faulty"] == ERROR)
                     & both["status_clean"].isin([PASS, FAIL])]
    assert not now_error.empty
    for row in now_error.itertuples():
        assert row.detail_clean not in row.detail_faulty, row.detail_faulty
        assert not any(word in row.detail_faulty for word in (": PASS", ": FAIL", "On the data")), \
            row.detail_faulty


@pytest.mark.parametrize("name", ["throttled, 2 attempts", "denied"])
def test_error_rows_stay_within_each_checks_scope(runs, name):
    snap, findings, _ = runs[name]
    catalog = load_catalog()
    clean = runs["clean"][1]
    known = clean.groupby("check_id")["resource_id"].agg(set).to_dict()
    gap_services = snap.gaps.groupby("resource_id")["service"].agg(set).to_dict()
    added = findings[~findings["finding_uid"].isin(clean["finding_uid"])]
    per_resource = added[~added["resource_id"].str.startswith(snap.account_id)]
    assert not per_resource.empty  # resources whose details failed do get their ERROR rows
    for row in per_resource.itertuples():
        check = catalog[row.check_id]
        if row.resource_id in known.get(row.check_id, set()):
            continue
        # Not one the clean run named: a resource the check could be about whose data failed,
        # never another service's resource, and never for a check of a narrower scope.
        assert not check.scope_from, (row.check_id, row.resource_id, row.detail)
        kind = check.resource_type.split("::")[1].lower()
        services = gap_services.get(row.resource_id, set())
        assert services & {kind, BOTO3_NAMES.get(kind, kind)}, (row.check_id, row.resource_id, services)
