import argparse
import asyncio
from pathlib import Path

import boto3

from .uploader import remote_keys, upload_tree


def list_buckets() -> None:
    s3 = boto3.client("s3")
    for bucket in s3.list_buckets()["Buckets"]:
        print(bucket["Name"])


def local_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="s3_mirror")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("buckets")
    push = sub.add_parser("push")
    push.add_argument("bucket")
    push.add_argument("root", type=Path)
    args = ap.parse_args(argv)

    if args.cmd == "buckets":
        list_buckets()
        return
    root = args.root.resolve()
    files = local_files(root)
    existing = asyncio.run(remote_keys(args.bucket))
    todo = [p for p in files if p.relative_to(root).as_posix() not in existing]
    done = asyncio.run(upload_tree(args.bucket, root, todo))
    print(f"uploaded {len(done)} of {len(files)} files")


main()
