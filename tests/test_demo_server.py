"""The test-support server itself: each one starts from an empty moto, whatever an earlier
server or a decorator-mode test of the same process left there (moto keeps its accounts per
process), and its Gate says when it is holding requests."""

from __future__ import annotations

import threading

import boto3

from srm_nb.demo.server import AwsTestServer, Gate


def _s3(server):
    return boto3.client("s3", region_name="us-east-1", endpoint_url=server.endpoint)


def test_a_new_server_starts_from_an_empty_account():
    with AwsTestServer() as first:
        _s3(first).create_bucket(Bucket="left-behind")
        assert [b["Name"] for b in _s3(first).list_buckets()["Buckets"]] == ["left-behind"]
    with AwsTestServer() as second:
        assert _s3(second).list_buckets()["Buckets"] == []


def test_the_gate_holds_after_its_allowance_and_says_so():
    gates = []

    def wrap(app):
        gates.append(Gate(app, 1))
        return gates[0]

    with AwsTestServer(wrap=wrap) as server:
        gate = gates[0]
        gate.arm()
        _s3(server).list_buckets()  # the one allowed
        assert not gate.holding.is_set()
        held = threading.Thread(target=lambda: _s3(server).list_buckets())
        held.start()
        assert gate.holding.wait(30)
        assert held.is_alive()  # still waiting for its answer
        gate.release()
        held.join(30)
        assert not held.is_alive()
