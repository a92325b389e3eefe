"""Audit S3 lifecycle rules across the organisation's member accounts.

Flags buckets without an expiration or transition rule and writes a CSV.

    python s3_lifecycle_auditor.py accounts.txt report.csv
"""
import asyncio
import csv
import logging
import sys

import aioboto3
import boto3
from botocore.exceptions import ClientError

log = logging.getLogger("lifecycle-audit")

ROLE_NAME = "OrgReadOnlyAudit"
sts = boto3.client("sts")


async def bucket_rules(s3, bucket: str) -> list:
    try:
        resp = await s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "NoSuchLifecycleConfiguration":
            return []
        raise
    return resp.get("Rules", [])


async def check_bucket(s3, bucket: str, sem: asyncio.Semaphore) -> dict | None:
    async with sem:
        rules = await bucket_rules(s3, bucket)
    enabled = [r for r in rules if r.get("Status") == "Enabled"]
    expires = any("Expiration" in r or "NoncurrentVersionExpiration" in r for r in enabled)
    moves = any("Transitions" in r for r in enabled)
    if expires or moves:
        return None
    return {"bucket": bucket, "rules": len(rules), "enabled": len(enabled)}


async def audit_account(account_id: str) -> list[dict]:
    creds = sts.assume_role(  # bug: ADC101
        RoleArn=f"arn:aws:iam::{account_id}:role/{ROLE_NAME}",
        RoleSessionName="lifecycle-audit",
    )["Credentials"]
    session = aioboto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    sem = asyncio.Semaphore(16)
    async with session.client("s3") as s3:
        buckets = (await s3.list_buckets())["Buckets"]
        results = await asyncio.gather(*(check_bucket(s3, b["Name"], sem) for b in buckets))
    findings = [dict(r, account=account_id) for r in results if r]
    log.info("%s: %d buckets, %d without lifecycle", account_id, len(buckets), len(findings))
    return findings


def read_accounts(path: str) -> list[str]:
    with open(path) as fh:
        return [line.split("#")[0].strip() for line in fh if line.split("#")[0].strip()]


def write_report(path: str, rows: list[dict]) -> None:
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["account", "bucket", "rules", "enabled"])
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str]) -> int:
    accounts = read_accounts(argv[0])
    rows: list[dict] = []
    for account_id in accounts:
        try:
            rows.extend(asyncio.run(audit_account(account_id)))  # bug: ADC505
        except ClientError as exc:
            log.error("%s: %s", account_id, exc)
    write_report(argv[1], rows)
    return 1 if rows else 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(main(sys.argv[1:]))
