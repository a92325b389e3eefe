"""Mirror the issues of a Jira project into Postgres for the reporting DB."""
import asyncio
import logging
import os

import asyncpg
import httpx

log = logging.getLogger("jira-mirror")

JIRA = os.environ.get("JIRA_URL", "https://example.atlassian.net")
AUTH = (os.environ.get("JIRA_USER", ""), os.environ.get("JIRA_TOKEN", ""))


async def search_keys(client: httpx.AsyncClient, jql: str) -> list[str]:
    keys: list[str] = []
    start = 0
    while True:
        r = await client.get(
            "/rest/api/3/search", params={"jql": jql, "fields": "key", "startAt": start, "maxResults": 100}
        )
        r.raise_for_status()
        page = r.json()
        keys += [i["key"] for i in page["issues"]]
        start += len(page["issues"])
        if start >= page["total"] or not page["issues"]:
            return keys


async def fetch_issue(client: httpx.AsyncClient, key: str) -> dict:
    r = await client.get(f"/rest/api/3/issue/{key}", params={"expand": "changelog"})
    r.raise_for_status()
    return r.json()


async def fetch_issues(client, keys):
    issues = []
    for key in keys:
        issues.append(await fetch_issue(client, key))  # bug: ADC501
    return issues


async def project_meta(client, project):
    return await asyncio.ensure_future(  # bug: ADC302
        client.get(f"/rest/api/3/project/{project}")
    )


async def store(pool: asyncpg.Pool, project: str, issues: list[dict]) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("DELETE FROM jira_issues WHERE project = $1", project)
        await conn.executemany(
            "INSERT INTO jira_issues (key, project, summary, status, updated) VALUES ($1, $2, $3, $4, $5)",
            [
                (i["key"], project, i["fields"]["summary"], i["fields"]["status"]["name"], i["fields"]["updated"])
                for i in issues
            ],
        )


async def main(project: str) -> None:
    async with httpx.AsyncClient(base_url=JIRA, auth=AUTH, timeout=30) as client, asyncpg.create_pool(
        os.environ["REPORTING_DSN"]
    ) as pool:
        meta = (await project_meta(client, project)).json()
        log.info("mirroring %s (%s)", meta["name"], project)
        keys = await search_keys(client, f"project = {project} ORDER BY updated DESC")
        issues = await fetch_issues(client, keys)
        await store(pool, project, issues)


if __name__ == "__main__":
    import sys

    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(sys.argv[1]))
