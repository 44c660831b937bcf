"""Demo EFS: the shared analytics volume is encrypted and backed up; a scratch file system made
for a migration is neither."""

from __future__ import annotations

from . import DemoAws


def seed(aws: DemoAws) -> None:
    efs = aws.client("efs", "us-east-1")
    efs.create_file_system(CreationToken="northwind-shared", Encrypted=True, Backup=True,
                           Tags=[{"Key": "Name", "Value": "northwind-shared"}])
    efs.create_file_system(CreationToken="northwind-scratch", Encrypted=False,
                           Tags=[{"Key": "Name", "Value": "migration-scratch"}])
