"""Pull nightly backups from application servers over SFTP and verify checksums."""
import asyncio
import hashlib
import logging
import pathlib
import sys

import asyncssh
import click
import pysftp

log = logging.getLogger("backup-pull")


def sha256_files(folder: pathlib.Path, names: list[str]) -> dict[str, str]:
    digests = {}
    for name in names:
        h = hashlib.sha256()
        with (folder / name).open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        digests[name] = h.hexdigest()
    return digests


async def pull_host(host: str, user: str, key_file: str, dest: pathlib.Path) -> list[str]:
    async with asyncssh.connect(host, username=user, client_keys=[key_file]) as conn:
        async with conn.start_sftp_client() as sftp:
            pulled = [n for n in await sftp.listdir("/var/backups/app") if n.endswith(".tar.zst")]
            await sftp.mget([f"/var/backups/app/{n}" for n in pulled], str(dest / host))
        sums = await conn.run("cat /var/backups/app/SHA256SUMS", check=True)
    expected = dict(reversed(line.split()) for line in sums.stdout.splitlines())
    actual = await asyncio.to_thread(sha256_files, dest / host, pulled)
    bad = [name for name in pulled if actual[name] != expected.get(name)]
    if bad:
        raise ValueError(f"{host}: checksum mismatch for {', '.join(bad)}")
    return pulled


async def pull_database_dump(host: str, user: str, key_file: str, dest: pathlib.Path) -> None:
    opts = pysftp.CnOpts()  # bug: ADC101 @pysftp
    with pysftp.Connection(host, username=user, private_key=key_file, cnopts=opts) as sftp:  # bug: ADC101 @pysftp
        sftp.get("/var/backups/db/latest.dump", str(dest / host / "latest.dump"))  # bug: ADC101 @pysftp
    log.info("database dump pulled from %s", host)


async def pull_all(host: str, user: str, key_file: str, dest: pathlib.Path, with_db: bool) -> int:
    files = await pull_host(host, user, key_file, dest)
    if with_db:
        await pull_database_dump(host, user, key_file, dest)
    return len(files)


@click.command()
@click.argument("hosts", nargs=-1, required=True)
@click.option("--user", default="backup")
@click.option("--key", "key_file", default="~/.ssh/backup_ed25519")
@click.option("--dest", type=click.Path(path_type=pathlib.Path), default=pathlib.Path("/srv/backups"))
@click.option("--with-db", is_flag=True)
def main(hosts, user, key_file, dest, with_db):
    failed = 0
    for host in hosts:
        (dest / host).mkdir(parents=True, exist_ok=True)
        try:
            count = asyncio.run(pull_all(host, user, key_file, dest, with_db))  # bug: ADC505
            click.echo(f"{host}: {count} files")
        except (OSError, asyncssh.Error, ValueError) as exc:
            click.echo(f"{host}: FAILED {exc}", err=True)
            failed += 1
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
