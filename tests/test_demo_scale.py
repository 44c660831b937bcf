"""The scaled demo account (benchmarks: `python -m srm_nb.demo.server --demo --scale N`) is the
same account every time it is seeded: its copies are written concurrently, and moto makes a
region's aws/ebs key on the first encrypted volume, once per racing request."""

from __future__ import annotations

import boto3

from srm_nb.demo import scale
from srm_nb.demo.server import AwsTestServer


def test_each_region_has_one_aws_managed_ebs_key_however_the_copies_race(monkeypatch):
    # The servers only (the users and buckets of a copy need the demo seeded first).
    monkeypatch.setattr(scale, "_users", lambda aws, n: None)
    monkeypatch.setattr(scale, "_buckets", lambda aws, n: None)
    monkeypatch.setattr(scale, "_backdate", lambda factor: None)
    with AwsTestServer() as server:
        scale.seed_copies(server.endpoint, 6, workers=6)
        for region in scale.REGIONS:
            kms = boto3.client("kms", region_name=region, endpoint_url=server.endpoint,
                               aws_access_key_id="demo", aws_secret_access_key="demo")
            keys = [kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"] for k in kms.list_keys()["Keys"]]
            assert [k["KeyManager"] for k in keys] == ["AWS"], (region, keys)
            ec2 = boto3.client("ec2", region_name=region, endpoint_url=server.endpoint,
                               aws_access_key_id="demo", aws_secret_access_key="demo")
            assert len(ec2.describe_volumes(Filters=[{"Name": "encrypted", "Values": ["true"]}])["Volumes"]) == 6
