"""Demo DynamoDB: the orders table done right (PITR, deletion protection, customer managed key)
and a clickstream table in Europe with none of it."""

from __future__ import annotations

from . import DemoAws
from .kms import DATA_KEY_ALIAS, key_arn

ORDER = 56  # after KMS: the orders table uses the data key

KEY = {"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
       "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}


def seed(aws: DemoAws) -> None:
    ddb = aws.client("dynamodb", "us-east-1")
    ddb.create_table(TableName="northwind-orders", **KEY, DeletionProtectionEnabled=True,
                     SSESpecification={"Enabled": True, "SSEType": "KMS",
                                       "KMSMasterKeyId": key_arn(aws, DATA_KEY_ALIAS)},
                     Tags=[{"Key": "backup", "Value": "daily"}])
    ddb.update_continuous_backups(TableName="northwind-orders",
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    eu = aws.client("dynamodb", "eu-west-1")
    eu.create_table(TableName="northwind-clickstream", **KEY)
