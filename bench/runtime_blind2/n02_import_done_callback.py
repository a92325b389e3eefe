"""Import a CSV batch in the background; a done callback announces the result on a chat webhook."""
import asyncio
import csv
import io

CSV_DATA = """sku,name,stock
A-1,anvil,3
B-2,bucket,0
C-3,crate,12
D-4,drum,x
E-5,easel,4
"""


class Notifier:
    def __init__(self):
        self.sent = []

    async def send(self, channel, text):
        await asyncio.sleep(0.005)  # POST to the chat webhook
        self.sent.append((channel, text))


async def import_rows(text):
    imported, rejected = {}, []
    for row in csv.DictReader(io.StringIO(text)):
        await asyncio.sleep(0.002)  # one insert per row
        try:
            imported[row["sku"]] = int(row["stock"])
        except ValueError:
            rejected.append(row["sku"])
    return imported, rejected


def make_announcer(notifier):
    def on_import_done(task):
        imported, rejected = task.result()
        notifier.send("ops-inventory", f"import finished: {len(imported)} rows, {len(rejected)} rejected")  # EXPECT: never-awaited
    return on_import_done


async def main():
    notifier = Notifier()
    job = asyncio.create_task(import_rows(CSV_DATA))
    job.add_done_callback(make_announcer(notifier))
    imported, rejected = await job
    await asyncio.sleep(0.02)
    print("in stock:", sorted(sku for sku, n in imported.items() if n > 0))
    print("rejected:", rejected)
    print("messages sent:", notifier.sent)


if __name__ == "__main__":
    asyncio.run(main())
