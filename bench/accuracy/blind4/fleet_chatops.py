"""`fleetctl` - chat-ops helper that runs commands on hosts over SSH.

Invoked by the chat bot as a subprocess, one command per message.
"""
import asyncio
import sys

import asyncssh
import click
import paramiko

HOSTS = {"web": ["web-1", "web-2", "web-3"], "db": ["db-1", "db-2"]}


async def run_on(host: str, command: str) -> str:
    async with asyncssh.connect(host, known_hosts=None) as conn:
        result = await conn.run(command, check=False)
        return f"[{host}] rc={result.exit_status}\n{result.stdout}"


async def uptime(host: str) -> str:
    ssh = paramiko.SSHClient()
    ssh.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    ssh.connect(host, username="ops", timeout=5)  # bug: ADC101 @paramiko
    try:
        _, stdout, _ = ssh.exec_command("uptime")  # bug: ADC101 @paramiko
        return f"[{host}] {stdout.read().decode().strip()}"  # bug: ADC101 @paramiko
    finally:
        ssh.close()


@click.group()
def cli():
    pass


@cli.command()
@click.argument("group")
@click.argument("command")
def run(group: str, command: str) -> None:
    async def _all():
        sem = asyncio.Semaphore(4)

        async def _one(h):
            async with sem:
                return await run_on(h, command)

        return await asyncio.gather(*(_one(h) for h in HOSTS[group]))

    for out in asyncio.run(_all()):
        click.echo(out)


@cli.command(name="uptime")
@click.argument("group")
def uptime_cmd(group: str) -> None:
    for host in HOSTS[group]:
        click.echo(asyncio.run(uptime(host)))  # bug: ADC505


if __name__ == "__main__":
    sys.exit(cli())
