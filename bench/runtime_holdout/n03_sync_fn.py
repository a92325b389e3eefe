import asyncio

sent = []


async def send_email(to, subject):
    await asyncio.sleep(0)
    sent.append((to, subject))


def on_signup(user):
    # sync hook called from async code
    send_email(user, "welcome")  # EXPECT: never-awaited
    return user.upper()


async def signup(user):
    await asyncio.sleep(0)
    return on_signup(user)


async def main():
    print(await signup("bob"), len(sent))


asyncio.run(main())
