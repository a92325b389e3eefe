"""Trigger parameterised Jenkins jobs and wait for them (used by release scripts)."""
import asyncio
import sys
from time import sleep

import click
import httpx

JENKINS = "https://ci.example.org"


class Jenkins:
    def __init__(self, user: str, token: str) -> None:
        self.http = httpx.AsyncClient(base_url=JENKINS, auth=(user, token), timeout=30)

    async def crumb(self) -> dict[str, str]:
        resp = await self.http.get("/crumbIssuer/api/json")
        data = resp.json()
        return {data["crumbRequestField"]: data["crumb"]}

    async def trigger(self, job: str, params: dict[str, str]) -> str:
        resp = await self.http.post(f"/job/{job}/buildWithParameters", data=params, headers=await self.crumb())
        resp.raise_for_status()
        return resp.headers["Location"]

    async def build_url(self, queue_url: str) -> str:
        while True:
            item = (await self.http.get(f"{queue_url}api/json")).json()
            if item.get("executable"):
                return item["executable"]["url"]
            if item.get("cancelled"):
                raise RuntimeError("queue item cancelled")
            sleep(2)  # bug: ADC101

    async def wait_result(self, build_url: str, every: float = 10.0) -> str:
        while True:
            build = (await self.http.get(f"{build_url}api/json")).json()
            if not build["building"]:
                return build["result"]
            await asyncio.sleep(every)

    async def aclose(self) -> None:
        await self.http.aclose()


async def run_job(job: str, params: dict[str, str], user: str, token: str) -> str:
    jenkins = Jenkins(user, token)
    try:
        queue_url = await jenkins.trigger(job, params)
        build_url = await jenkins.build_url(queue_url)
        click.echo(f"{job}: {build_url}")
        return await jenkins.wait_result(build_url)
    finally:
        await jenkins.aclose()


@click.command()
@click.argument("jobs", nargs=-1, required=True)
@click.option("--param", "-p", multiple=True, help="KEY=VALUE")
@click.option("--user", envvar="JENKINS_USER", required=True)
@click.option("--token", envvar="JENKINS_TOKEN", required=True)
def cli(jobs: tuple[str, ...], param: tuple[str, ...], user: str, token: str) -> None:
    params = dict(p.split("=", 1) for p in param)
    failed = []
    for job in jobs:
        result = asyncio.run(run_job(job, params, user, token))  # bug: ADC505
        if result != "SUCCESS":
            failed.append(job)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    cli()
