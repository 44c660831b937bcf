"""Throttling, denials and failures: retried within a bound, recorded, and turned into ERROR
findings, never into an aborted run or a PASS."""

from __future__ import annotations

import threading
from collections import Counter
from urllib.parse import parse_qs

import boto3
import pytest

from collect_framework_support import checks_reading

from srm_nb.aws import AwsAccess, client_config
from srm_nb.collect.runner import collect
from srm_nb.demo.server import AwsTestServer

THROTTLE_XML = (b'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error>'
                b"<Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
                b"<RequestId>srm-test</RequestId></ErrorResponse>")
DENIED_XML = (b'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error>'
              b"<Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized</Message></Error>"
              b"<RequestId>srm-test</RequestId></ErrorResponse>")


class Faults:
    """WSGI middleware: answers chosen IAM (query protocol) actions with an error, either always
    or for the first N requests, and counts every request per action."""

    def __init__(self, app, always: dict[str, bytes], first: dict[str, tuple[int, bytes]]):
        self.app, self.always, self.first = app, always, first
        self.seen: Counter = Counter()
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        import io

        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        action = parse_qs(body.decode(errors="replace")).get("Action", [""])[0]
        with self.lock:
            self.seen[action] += 1
            n = self.seen[action]
        error = self.always.get(action)
        if error is None and action in self.first and n <= self.first[action][0]:
            error = self.first[action][1]
        if error is None:
            return self.app(environ, start_response)
        status = "400 Bad Request" if b"Throttling" in error else "403 Forbidden"
        start_response(status, [("Content-Type", "text/xml"), ("Content-Length", str(len(error)))])
        return [error]


@pytest.fixture
def faulty_server():
    holder = {}

    def wrap(app):
        holder["faults"] = Faults(
            app,
            always={"GetAccountSummary": THROTTLE_XML, "GetAccountPasswordPolicy": DENIED_XML},
            first={"ListAccountAliases": (2, THROTTLE_XML)},
        )
        return holder["faults"]

    with AwsTestServer(wrap=wrap) as server:
        iam = boto3.client("iam", region_name="us-east-1", endpoint_url=server.endpoint)
        for alias in iam.list_account_aliases()["AccountAliases"]:  # moto state is per process
            iam.delete_account_alias(AccountAlias=alias)
        iam.create_account_alias(AccountAlias="resilient")
        holder["faults"].seen.clear()
        yield server, holder["faults"]


def test_throttling_is_retried_within_a_bound_and_failures_become_errors(faulty_server):
    from srm_nb.checks.runner import run_checks

    server, faults = faulty_server
    access = AwsAccess(session=boto3.Session(region_name="us-east-1"), endpoint_url=server.endpoint,
                       config=client_config(max_attempts=3))
    snap = collect(access, ["us-east-1"], services=["iam_account", "ec2"], quiet=True)
    calls = snap.calls.set_index("operation")

    # Persistently throttled: retried up to the bound, then "throttled" and a gap.
    assert faults.seen["GetAccountSummary"] == 3
    assert calls.loc["GetAccountSummary", "status"] == "throttled"
    assert calls.loc["GetAccountSummary", "attempts"] == 3
    # Intermittently throttled: succeeded on the third attempt.
    assert faults.seen["ListAccountAliases"] == 3
    assert calls.loc["ListAccountAliases", "status"] == "ok"
    assert calls.loc["ListAccountAliases", "attempts"] == 3
    assert snap.manifest["account_alias"] == "resilient"
    # Denied: not retried, recorded as denied.
    assert faults.seen["GetAccountPasswordPolicy"] == 1
    assert calls.loc["GetAccountPasswordPolicy", "status"] == "denied"
    # The rest of the run went on.
    assert (snap.calls.loc[snap.calls["collector"] == "ec2", "status"] == "ok").all()
    assert snap.calls["collector"].eq("iam_account").sum() >= 4

    gaps = snap.gaps.set_index("table")
    assert gaps.loc["iam_account_summary", "status"] == "throttled"
    assert gaps.loc["iam_password_policy", "status"] == "denied"
    assert snap.manifest["error_counts"] == {"throttled": 1, "denied": 1}

    findings = run_checks(snap)
    for table, status in (("iam_account_summary", "throttled"), ("iam_password_policy", "denied")):
        ids = checks_reading(snap, table)
        assert ids, table
        hit = findings[findings["check_id"].isin(ids)]
        assert not hit.empty and not (hit["status"] == "PASS").any()
        assert hit["detail"].str.contains(status).any()




def test_unreachable_endpoint_is_a_gap_per_call_not_a_crash():
    """Every request fails at the network level: each collector records gaps, the run ends."""
    from srm_nb.aws import Identity

    access = AwsAccess(session=boto3.Session(region_name="us-east-1"),
                       endpoint_url="http://127.0.0.1:9", config=client_config(max_attempts=1))
    who = Identity("111122223333", "arn:aws:iam::111122223333:user/a", "aws")
    snap = collect(access, ["us-east-1"], services=["ec2", "guardduty"], quiet=True, identity=who)
    assert set(snap.calls["status"]) == {"error"}
    assert {"ec2_instances", "guardduty_detectors"} <= set(snap.gaps["table"])
    assert any("DescribeRegions" in n for n in snap.manifest["notes"])
