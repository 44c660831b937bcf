"""The collection runner: regions, partitions, scheduling, and the calls of a whole collection."""

from __future__ import annotations

import threading

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from srm_nb.aws import AwsAccess, Identity, make_access
from srm_nb.collect import load_collectors
from srm_nb.collect.base import GLOBAL, REGIONAL, Collector, Ctx, Recorder
from srm_nb.collect.runner import _run_tasks, collect, interleave, resolve_regions
from srm_nb.errors import CredentialsError, UsageError

AWS = Identity("111122223333", "arn:aws:iam::111122223333:user/auditor", "aws")
GOV = Identity("111122223333", "arn:aws-us-gov:iam::111122223333:user/auditor", "aws-us-gov")

REGIONS = {"Regions": [
    {"RegionName": "us-east-1", "Endpoint": "x", "OptInStatus": "opt-in-not-required"},
    {"RegionName": "eu-west-1", "Endpoint": "x", "OptInStatus": "opt-in-not-required"},
    {"RegionName": "af-south-1", "Endpoint": "x", "OptInStatus": "not-opted-in"},
    {"RegionName": "me-south-1", "Endpoint": "x", "OptInStatus": "opted-in"},
]}


def _stubbed(region="us-east-1", response=REGIONS, error=None):
    access = AwsAccess(session=boto3.Session(region_name=region))
    stub = Stubber(access.client("ec2", region))
    if error:
        stub.add_client_error("describe_regions", service_error_code=error, http_status_code=403)
    else:
        stub.add_response("describe_regions", response, {"AllRegions": True})
    stub.activate()
    return access, stub


def test_all_means_enabled_regions_with_a_note_for_the_rest():
    access, stub = _stubbed()
    notes, recorder = [], Recorder()
    assert resolve_regions(access, AWS, "all", notes, recorder) == ["eu-west-1", "me-south-1", "us-east-1"]
    assert any("af-south-1" in n and "not enabled" in n for n in notes)
    assert recorder.calls[0]["operation"] == "DescribeRegions" and recorder.calls[0]["status"] == "ok"
    stub.assert_no_pending_responses()


def test_a_listed_region_that_is_not_opted_in_is_skipped_with_a_note():
    access, _ = _stubbed()
    notes = []
    assert resolve_regions(access, AWS, "eu-west-1, af-south-1,eu-west-1", notes) == ["eu-west-1"]
    assert notes == ["region af-south-1 is not enabled (opt-in) for this account: skipped"]


def test_unknown_region_fails_before_any_collection():
    access, _ = _stubbed()
    with pytest.raises(UsageError, match="unknown region.*mars-north-9"):
        collect(access, "us-east-1,mars-north-9", identity=AWS, quiet=True)


def test_all_mixed_with_names_is_a_usage_error():
    access, _ = _stubbed()
    with pytest.raises(UsageError, match="either 'all'"):
        resolve_regions(access, AWS, "all,us-east-1", [])


def test_only_disabled_regions_is_a_usage_error():
    access, _ = _stubbed()
    with pytest.raises(UsageError, match="none of the regions"):
        resolve_regions(access, AWS, "af-south-1", [])


def test_denied_region_listing_falls_back_to_the_partition_with_a_note():
    access, _ = _stubbed(error="UnauthorizedOperation")
    notes, recorder = [], Recorder()
    regions = resolve_regions(access, AWS, None, notes, recorder)
    assert "us-east-1" in regions and "eu-west-1" in regions
    assert "ec2:DescribeRegions UnauthorizedOperation" in notes[0]
    assert recorder.calls[0]["status"] == "denied"


def test_govcloud_regions_come_from_its_partition():
    gov = {"Regions": [{"RegionName": r, "Endpoint": "x", "OptInStatus": "opt-in-not-required"}
                       for r in ("us-gov-west-1", "us-gov-east-1")]}
    access, stub = _stubbed("us-gov-west-1", gov)  # the home region of aws-us-gov is asked
    assert resolve_regions(access, GOV, None, []) == ["us-gov-east-1", "us-gov-west-1"]
    access, _ = _stubbed("us-gov-west-1", gov)
    with pytest.raises(UsageError, match="partition aws-us-gov"):
        resolve_regions(access, GOV, "us-east-1", [])


@pytest.mark.parametrize("arn, partition", [
    ("arn:aws:iam::111122223333:user/a", "aws"),
    ("arn:aws-us-gov:sts::111122223333:assumed-role/Auditor/s", "aws-us-gov"),
    ("arn:aws-cn:iam::111122223333:user/a", "aws-cn"),
])
def test_identity_partition_from_the_caller_arn(arn, partition):
    access = AwsAccess(session=boto3.Session(region_name="us-east-1"))
    stub = Stubber(access.client("sts", "us-east-1"))
    stub.add_response("get_caller_identity", {"Account": "111122223333", "Arn": arn, "UserId": "AID"})
    stub.activate()
    assert access.identity().partition == partition


@mock_aws
@pytest.mark.parametrize("partition", ["aws", "aws-us-gov", "aws-cn"])
def test_collected_arns_follow_the_partition(partition):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vol = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1)["VolumeId"]
    access = AwsAccess(session=boto3.Session(region_name="us-east-1"))
    c = load_collectors()["ec2"]
    recorder = Recorder()
    ctx = Ctx(c, "us-east-1", access.client("ec2", "us-east-1", c.operations), recorder,
              "111122223333", partition, "us-east-1")
    c.func(ctx)
    arns = [r["arn"] for r in recorder.rows["ec2_volumes"] if r["volume_id"] == vol]
    assert arns == [f"arn:{partition}:ec2:us-east-1:111122223333:volume/{vol}"]
    assert ctx.arn("s3", "bucket", region=GLOBAL, account="") == f"arn:{partition}:s3:::bucket"


@mock_aws
def test_assumed_role_session_with_external_id_and_session_name():
    iam = boto3.client("iam", region_name="us-east-1")
    role = iam.create_role(RoleName="Auditor", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    access = make_access(role_arn=role, external_id="X1", session_name="srm-audit-42")
    creds = access.session.get_credentials()
    assert creds.method == "sts-assume-role" and hasattr(creds, "refresh_needed")
    who = access.identity()
    assert who.arn.endswith("assumed-role/Auditor/srm-audit-42")
    # Near expiry, the credentials assume the role again by themselves (long collections).
    from datetime import datetime, timedelta, timezone

    first = creds.get_frozen_credentials().access_key
    creds._expiry_time = datetime.now(timezone.utc) + timedelta(seconds=30)
    assert creds.refresh_needed()
    assert creds.get_frozen_credentials().access_key != first


@mock_aws
def test_every_session_reads_the_service_models_through_one_loader():
    """A fleet makes a session per account and per role: each parsing the models again cost
    0.6 s of CPU. The assumed role's session, a plain one and the policy's models share one."""
    from srm_nb.collect.actions import iam_prefix

    iam = boto3.client("iam", region_name="us-east-1")
    role = iam.create_role(RoleName="Auditor", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    base = AwsAccess(session=boto3.Session(region_name="us-east-1"))
    assumed = make_access(role_arn=role)
    assert iam_prefix("elbv2") == "elasticloadbalancing"
    from srm_nb.collect import actions

    loaders = {id(s.get_component("data_loader"))
               for s in (base.session._session, assumed.session._session, actions._session)}
    assert len(loaders) == 1
    assert assumed.client("ec2", "us-east-1").describe_regions()["Regions"]  # and it works


@mock_aws
def test_govcloud_role_is_assumed_in_its_partition():
    role = "arn:aws-us-gov:iam::123456789012:role/Auditor"
    access = make_access(region="us-east-1", role_arn=role)
    assert access.session.region_name == "us-gov-west-1"


def test_bad_role_arn_is_a_usage_error():
    with pytest.raises(UsageError, match="not an IAM role ARN"):
        make_access(role_arn="arn:aws:iam::1234:user/nope")


def test_role_that_cannot_be_assumed(monkeypatch):
    real = AwsAccess.client

    def stubbed(self, service, region, declared=None):
        client = real(self, service, region, declared)
        if service == "sts":
            stub = Stubber(client)
            stub.add_client_error("assume_role", service_error_code="AccessDenied", http_status_code=403)
            stub.activate()
        return client

    monkeypatch.setattr(AwsAccess, "client", stubbed)
    with pytest.raises(CredentialsError, match="could not assume .*AccessDenied.*trust policy"):
        make_access(role_arn="arn:aws:iam::111122223333:role/Auditor", external_id="wrong")


def test_profile_not_found():
    with pytest.raises(CredentialsError, match="profile 'nope' not found"):
        make_access(profile="nope")


def test_no_credentials(monkeypatch):
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(var)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(CredentialsError, match="no AWS credentials found.*--profile"):
        make_access().identity()


# -- scheduling -----------------------------------------------------------------------------------

def _collector(name, service, func, scope=REGIONAL):
    return Collector(name=name, service=service, scope=scope, operations=frozenset(),
                     tables={f"{name}_t": ("region",)}, func=func)


class _NoAws:
    def client(self, service, region, declared=None):
        return None


def test_interleave_round_robins_services():
    a, b, c = (_collector(n, n, None) for n in "abc")
    tasks = [(a, r, r) for r in "123"] + [(b, "1", "1")] + [(c, r, r) for r in "12"]
    assert [(t[0].name, t[1]) for t in interleave(tasks)] == [
        ("a", "1"), ("b", "1"), ("c", "1"), ("a", "2"), ("c", "2"), ("a", "3")]


def test_a_busy_service_does_not_starve_the_others():
    """Two workers, one task per service at a time: the first `slow` task waits for `fast` to run.
    With workers blocked on the slow service's limit, `fast` would never start."""
    fast_ran = threading.Event()
    running = {"slow": 0, "max_slow": 0}
    lock = threading.Lock()

    def slow(ctx):
        with lock:
            running["slow"] += 1
            running["max_slow"] = max(running["max_slow"], running["slow"])
        try:
            assert fast_ran.wait(timeout=30), "the other service's task never ran"
        finally:
            with lock:
                running["slow"] -= 1

    def fast(ctx):
        fast_ran.set()

    s, f = _collector("slow", "slowsvc", slow), _collector("fast", "fastsvc", fast)
    tasks = [(s, r, r) for r in ("us-east-1", "eu-west-1", "ap-south-1")] + [(f, "us-east-1", "us-east-1")]
    recorder = Recorder()
    _run_tasks(_NoAws(), AWS, tasks, recorder, workers=2, per_service=1, quiet=True)
    assert fast_ran.is_set() and running["max_slow"] == 1
    assert recorder.gaps == []


def test_a_collector_bug_is_a_gap_not_a_crash():
    def broken(ctx):
        raise RuntimeError("collector bug")

    recorder = Recorder()
    c = _collector("broken", "svc", broken, scope=GLOBAL)
    _run_tasks(_NoAws(), AWS, [(c, "us-east-1", GLOBAL)], recorder, workers=1, per_service=1, quiet=True)
    assert [(g["table"], g["status"], g["error_code"]) for g in recorder.gaps] == [
        ("broken_t", "error", "RuntimeError")]


# -- a whole collection (the demo account) ------------------------------------------------------

@pytest.fixture(scope="module")
def demo_snapshot(demo_run):
    """The demo account's whole collection, as the session's `srm demo` saved it."""
    from srm_nb.snapshot import Snapshot

    return Snapshot.load(demo_run[0] / "snapshot")


def test_no_call_is_made_twice(demo_snapshot):
    calls = demo_snapshot.calls
    polled = calls["operation"] == "GenerateCredentialReport"  # polled until the report is ready
    key = ["service", "operation", "region", "params", "page"]
    dupes = calls[~polled & calls.duplicated(key, keep=False)]
    assert dupes.empty, dupes[key + ["collector"]].to_string()


def test_every_call_of_a_collection_is_granted_by_the_policy(demo_snapshot):
    from srm_nb.collect.actions import iam_actions_for
    from srm_nb.policy import required_actions

    granted = set(required_actions())
    used = demo_snapshot.calls[["service", "operation"]].drop_duplicates()
    missing = {(s, o) for s, o in used.itertuples(index=False)
               if not set(iam_actions_for(s, o)) <= granted}
    assert not missing


def test_calls_table_and_manifest_agree(demo_snapshot):
    calls, m = demo_snapshot.calls, demo_snapshot.manifest
    assert set(calls["status"]) <= {"ok", "denied", "throttled", "error", "not_subscribed"}
    assert (calls["attempts"] >= 1).all() and (calls["page"] >= 1).all()
    bucket_calls = calls[calls["operation"] == "GetBucketPolicy"]
    assert (bucket_calls["params"].str.contains('"Bucket"') & (bucket_calls["resource_id"] != "")).all()
    assert m["call_count"] == len(calls)
    assert m["error_counts"] == {k: int(v) for k, v in calls["status"].value_counts().items() if k != "ok"}
    assert {"sts", "ec2"} <= set(calls.loc[calls["collector"] == "session", "service"])
    assert m["account_alias"] == "northwind-prod" and m["partition"] == "aws"
    slowest = m["slowest_tasks"]
    assert 0 < len(slowest) <= 5 and all(t["task"].split()[0] in m["collectors"] for t in slowest)
    assert [t["seconds"] for t in slowest] == sorted((t["seconds"] for t in slowest), reverse=True)


# -- fan-out and the per-service bound ----------------------------------------------------------

class _CountingClient:
    """Stands in for a boto3 client: counts concurrent requests."""

    def __init__(self, parties: int):
        self.lock = threading.Lock()
        self.now = self.peak = 0
        self.barrier = threading.Barrier(parties, timeout=30)

    def describe_things(self, **params):
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        try:
            try:
                self.barrier.wait()  # the first `parties` requests meet: they were concurrent
            except threading.BrokenBarrierError:
                pass
            return {"Things": [params["Id"]], "ResponseMetadata": {"RetryAttempts": 0}}
        finally:
            with self.lock:
                self.now -= 1

    def can_paginate(self, name):
        return False


def test_map_fans_out_within_the_service_bound():
    c = Collector(name="things", service="thingsvc", scope=REGIONAL,
                  operations=frozenset({"DescribeThings"}), tables={"things": ("region", "id")},
                  func=None)
    client = _CountingClient(parties=2)
    recorder = Recorder(calls_per_service=2)
    ctx = Ctx(c, "us-east-1", client, recorder, "111122223333", "aws", "us-east-1")

    def one(i):
        ctx.add("things", {"id": ctx.call("DescribeThings", Id=i, table="things")["Things"][0]})

    ctx.map(one, range(12), workers=6)
    assert sorted(r["id"] for r in recorder.rows["things"]) == list(range(12))
    assert client.peak == 2  # six threads, but never more than the service's two in flight
    assert len(recorder.calls) == 12 and {r["params"] for r in recorder.calls} == {
        f'{{"Id": {i}}}' for i in range(12)}


def test_map_reraises_the_first_failure_after_the_others_ran():
    c = _collector("m", "msvc", None)
    ctx = Ctx(c, "us-east-1", None, Recorder(), "111122223333", "aws", "us-east-1")
    done = []

    def one(i):
        if i == 3:
            raise ValueError("item 3")
        done.append(i)

    with pytest.raises(ValueError, match="item 3"):
        ctx.map(one, range(8), workers=3)
    assert sorted(done) == [0, 1, 2, 4, 5, 6, 7]


def test_cancel_stops_collectors_at_their_next_request():
    from srm_nb.collect.base import CollectionCancelled

    c = Collector(name="things", service="thingsvc", scope=REGIONAL,
                  operations=frozenset({"DescribeThings"}), tables={"things": ("region",)}, func=None)
    recorder = Recorder()
    ctx = Ctx(c, "us-east-1", _CountingClient(parties=1), recorder, "1", "aws", "us-east-1")
    assert ctx.call("DescribeThings", Id=1) is not None
    recorder.cancelled.set()
    with pytest.raises(CollectionCancelled):
        ctx.call("DescribeThings", Id=2)
    assert len(recorder.calls) == 1


def test_a_guard_violation_stops_the_run_and_exits_5(monkeypatch, capsys):
    from srm_nb import cli
    from srm_nb.errors import ReadOnlyViolation

    def sneaky(ctx):
        ctx.call("DeleteThings")  # not declared

    c = _collector("sneaky", "svc", sneaky, scope=GLOBAL)
    with pytest.raises(ReadOnlyViolation, match="does not declare"):
        _run_tasks(_NoAws(), AWS, [(c, "us-east-1", GLOBAL)], Recorder(), workers=1, per_service=1,
                   quiet=True)

    def command(args):
        _run_tasks(_NoAws(), AWS, [(c, "us-east-1", GLOBAL)], Recorder(), workers=1, per_service=1,
                   quiet=True)

    monkeypatch.setitem(cli.COMMANDS, "policy", command)
    assert cli.main(["policy"]) == 5
    assert "srm: error: collector sneaky called DeleteThings" in capsys.readouterr().err


class _DeniedClient:
    """Answers every operation with AccessDenied, as AWS does for an action the role lacks."""

    def describe_things(self, **params):
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed"},
                           "ResponseMetadata": {"RetryAttempts": 0}}, "DescribeThings")

    def can_paginate(self, name):
        return False


def _failing_ctx(**collector_options):
    c = Collector(name="things", service="thingsvc", scope=REGIONAL,
                  operations=frozenset({"DescribeThings"}),
                  tables={"things": ("region", "id"), "thing_settings": ("region", "id")},
                  func=None, **collector_options)
    recorder = Recorder()
    return Ctx(c, "us-east-1", _DeniedClient(), recorder, "1", "aws", "us-east-1"), recorder


def test_a_failed_call_without_a_table_marks_every_table_of_its_collector():
    ctx, recorder = _failing_ctx()
    assert ctx.call("DescribeThings") is None
    assert ctx.paginate("DescribeThings", "Things") is None
    assert sorted((g["table"], g["status"]) for g in recorder.gaps) == [
        ("thing_settings", "denied"), ("thing_settings", "denied"),
        ("things", "denied"), ("things", "denied")]


def test_a_failed_batch_call_is_a_gap_for_each_resource_in_it():
    ctx, recorder = _failing_ctx()
    assert ctx.call("DescribeThings", table="thing_settings", resource_id=("a", "b")) is None
    assert [(g["table"], g["resource_id"]) for g in recorder.gaps] == [
        ("thing_settings", "a"), ("thing_settings", "b")]
    assert [c["resource_id"] for c in recorder.calls] == ["a,b"]


def test_not_subscribed_gaps_say_what_the_account_lacks():
    class NotSubscribed(_DeniedClient):
        def describe_things(self, **params):
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": "SubscriptionRequiredException",
                                         "Message": "no plan"}}, "DescribeThings")

    ctx, recorder = _failing_ctx(not_subscribed="Things need the Gold plan.")
    ctx.client = NotSubscribed()
    ctx.call("DescribeThings", table="things")
    assert [(g["status"], g["message"]) for g in recorder.gaps] == [
        ("not_subscribed", "Things need the Gold plan. AWS answered: no plan")]


def test_services_declare_their_requests_in_flight():
    """Real AWS is latency-bound: S3's per-bucket reads go wide, IAM and Organizations stay
    narrow, any other service gets the default; `ctx.map` fans out to the service's bound."""
    from srm_nb.collect.base import DEFAULT_CALLS_PER_SERVICE, REGISTRY, service_bounds

    load_collectors()
    bounds = service_bounds(REGISTRY.values())
    assert bounds["s3"] == 32 and bounds["iam"] == 4 and bounds["organizations"] == 2
    recorder = Recorder(in_flight=bounds)
    assert recorder.bound("s3") == 32 and recorder.bound("ec2") == DEFAULT_CALLS_PER_SERVICE
    c = Collector(name="things", service="thingsvc", scope=REGIONAL,
                  operations=frozenset({"DescribeThings"}), tables={"things": ("region", "id")},
                  func=None, in_flight=3)
    client = _CountingClient(parties=3)
    ctx = Ctx(c, "us-east-1", client, Recorder(in_flight=service_bounds([c])), "111122223333", "aws",
              "us-east-1")
    ctx.map(lambda i: ctx.call("DescribeThings", Id=i, table="things"), range(9))
    assert client.peak == 3  # as many threads as the bound, and never more in flight
