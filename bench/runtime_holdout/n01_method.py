import asyncio


class Repo:
    def __init__(self):
        self.rows = []

    async def save(self, item):
        await asyncio.sleep(0)
        self.rows.append(item)


class Service:
    def __init__(self, repo):
        self.repo = repo

    async def create(self, name):
        item = {"name": name}
        self.repo.save(item)  # EXPECT: never-awaited
        return item


async def main():
    svc = Service(Repo())
    await svc.create("alice")
    print("saved rows:", len(svc.repo.rows))


asyncio.run(main())
