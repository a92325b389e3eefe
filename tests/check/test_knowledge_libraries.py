"""The knowledge of the libraries async applications use, checked end to end.

Each case is a small module checked with ADC101 (blocking-call) and ADC201
(unawaited-coroutine) only: every line that must be reported ends with
``# error: CODE``, and every other line, a look-alike that must *not* be
reported (the async twin of a sync client, an in-memory file, a local
helper of an SDK), is checked too, since the reported set must equal the
marked set exactly.

The mechanisms behind the tables are pinned at the end: ``NOT_BLOCKING``
(exceptions to a ``Type.*`` entry) and ``IN_MEMORY_FILE`` (an
``io.BytesIO`` argument makes ``nonblocking_if`` hold).
"""

from __future__ import annotations

import re
import textwrap

import pytest

from asyncdoctor.check import Config, check_source
from asyncdoctor.check import _knowledge as kb
from asyncdoctor.check._analysis import analyse_source
from asyncdoctor.check._refs import LibMethod, LibName, blocking_info, eval_lib

MARK = re.compile(r"#\s*error:\s*(?P<codes>ADC\d+(?:\s*,\s*ADC\d+)*)")
# Each call is checked on its own here (the knowledge, not the grouping of one cause).
CONFIG = Config(cache=False, select=("ADC101", "ADC201"), show_all_sites=True)


def reported(source: str) -> set[tuple[int, str]]:
    return {(f.line, f.code) for f in check_source(source, config=CONFIG, module="app")}


def marked(source: str) -> set[tuple[int, str]]:
    out: set[tuple[int, str]] = set()
    for lineno, line in enumerate(source.splitlines(), start=1):
        m = MARK.search(line)
        if m:
            out |= {(lineno, code) for code in re.split(r"\s*,\s*", m.group("codes"))}
    return out


CASES: dict[str, str] = {}


def case(name: str, source: str) -> None:
    assert name not in CASES
    CASES[name] = textwrap.dedent(source)


# -- AI SDKs: the sync client, reached through attributes of self -------------------

case(
    "openai_client_held_by_self",
    """
    import asyncio

    from openai import AsyncOpenAI, OpenAI


    class Assistant:
        def __init__(self, key: str) -> None:
            self._client = OpenAI(api_key=key)
            self._async = AsyncOpenAI(api_key=key)

        async def answer(self, question: str) -> str:
            reply = self._client.chat.completions.create(model="m", messages=[])  # error: ADC101
            self._client.embeddings.create(model="m", input=question)  # error: ADC101
            self._client.responses.create(model="m", input=question)  # error: ADC101
            self._client.images.generate(prompt=question)  # error: ADC101
            self._client.audio.transcriptions.create(model="w", file=b"")  # error: ADC101
            self._client.beta.chat.completions.parse(model="m", messages=[])  # error: ADC101
            self._client.chat.completions.with_raw_response.create(model="m", messages=[])  # error: ADC101
            # the look-alikes: the async twin awaited, the sync one in a thread
            await self._async.chat.completions.create(model="m", messages=[])
            await self._async.embeddings.create(model="m", input=question)
            await asyncio.to_thread(self._client.chat.completions.create, model="m", messages=[])
            return str(reply)

        def answer_sync(self, question: str) -> object:
            return self._client.chat.completions.create(model="m", messages=[])
    """,
)

case(
    "openai_module_client_azure_and_options",
    """
    import openai
    from openai import AsyncAzureOpenAI, AzureOpenAI

    azure = AzureOpenAI(api_version="v", azure_endpoint="e")


    async def ask(prompt: str) -> None:
        openai.chat.completions.create(model="m", messages=[])  # error: ADC101
        azure.chat.completions.create(model="m", messages=[])  # error: ADC101
        client = openai.OpenAI()
        client.with_options(timeout=5).moderations.create(input=prompt)  # error: ADC101
        await AsyncAzureOpenAI().chat.completions.create(model="m", messages=[])
        openai.OpenAI(api_key="k")  # building a client sends nothing
    """,
)

case(
    "openai_async_client_not_awaited",
    """
    from openai import AsyncOpenAI

    client = AsyncOpenAI()


    async def ask() -> None:
        client.chat.completions.create(model="m", messages=[])  # error: ADC201
        pending = client.responses.create(model="m", input="x")  # error: ADC201
        async for model in client.models.list():  # a paginator: iterated, not awaited
            print(model)
        await client.close()
    """,
)

case(
    "anthropic",
    """
    import anthropic


    class Claude:
        def __init__(self) -> None:
            self.client = anthropic.Anthropic()
            self.aclient = anthropic.AsyncAnthropic()

        async def ask(self) -> None:
            self.client.messages.create(model="c", max_tokens=9, messages=[])  # error: ADC101
            with self.client.messages.stream(model="c", max_tokens=9, messages=[]) as s:  # error: ADC101
                print(s)
            self.client.beta.messages.count_tokens(model="c", messages=[])  # error: ADC101
            await self.aclient.messages.create(model="c", max_tokens=9, messages=[])
            async with self.aclient.messages.stream(model="c", max_tokens=9, messages=[]) as s:
                print(s)
            self.aclient.messages.create(model="c", max_tokens=9, messages=[])  # error: ADC201
    """,
)

# -- cloud SDKs --------------------------------------------------------------------

case(
    "boto3_clients_and_resources",
    """
    import boto3


    class Store:
        def __init__(self) -> None:
            self.s3 = boto3.client("s3")
            self.resource = boto3.resource("s3")

        async def save(self, key: str, body: bytes) -> str:
            self.s3.put_object(Bucket="b", Key=key, Body=body)  # error: ADC101
            boto3.Session().client("sqs").send_message(QueueUrl="q", MessageBody="m")  # error: ADC101
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket="b"):  # error: ADC101
                print(page)
            self.s3.get_waiter("object_exists").wait(Bucket="b", Key=key)  # error: ADC101
            self.resource.Bucket("b").upload_file("/tmp/f", key)  # error: ADC101
            self.resource.meta.client.head_object(Bucket="b", Key=key)  # error: ADC101
            # local: signing, building objects, closing sockets
            bucket = self.resource.Bucket("b")
            paginator = self.s3.get_paginator("list_objects_v2")
            self.s3.close()
            return self.s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": key})
    """,
)

case(
    "aioboto3_and_aiobotocore",
    """
    import aioboto3
    from aiobotocore.session import get_session


    async def save(key: str) -> None:
        async with aioboto3.Session().client("s3") as s3:
            await s3.put_object(Bucket="b", Key=key, Body=b"")
            await s3.generate_presigned_url("get_object", Params={})
            s3.get_object(Bucket="b", Key=key)  # error: ADC201
        async with get_session().create_client("sqs") as sqs:
            await sqs.send_message(QueueUrl="q", MessageBody="m")
    """,
)

case(
    "google_cloud_storage",
    """
    from google.cloud import storage


    async def upload(path: str) -> bytes:
        client = storage.Client()
        bucket = client.bucket("b")  # local
        blob = bucket.blob("k")  # local
        blob.upload_from_filename(path)  # error: ADC101
        print(blob.public_url)
        client.get_bucket("b").get_blob("k")  # error: ADC101
        return blob.download_as_bytes()  # error: ADC101
    """,
)

# -- databases and search ------------------------------------------------------------

case(
    "redis_and_mongodb",
    """
    import motor.motor_asyncio
    import pymongo
    import redis
    import redis.asyncio


    async def lookup(key: str) -> None:
        redis.Redis().get(key)  # error: ADC101
        await redis.asyncio.Redis().get(key)
        redis.asyncio.Redis().set(key, 1)  # error: ADC201
        pymongo.MongoClient()["db"]["users"].find_one({"_id": key})  # error: ADC101
        await motor.motor_asyncio.AsyncIOMotorClient()["db"]["users"].find_one({"_id": key})
    """,
)

case(
    "elasticsearch",
    """
    from elasticsearch import AsyncElasticsearch, Elasticsearch, helpers


    async def index(doc: dict) -> None:
        es = Elasticsearch("http://es:9200")
        es.index(index="i", document=doc)  # error: ADC101
        es.indices.refresh(index="i")  # error: ADC101
        helpers.bulk(es, [doc])  # error: ADC101
        aes = AsyncElasticsearch("http://es:9200")
        await aes.index(index="i", document=doc)
        await aes.indices.refresh(index="i")
        await helpers.async_bulk(aes, [doc])
        aes.search(index="i")  # error: ADC201
        await aes.close()
    """,
)

# -- mail, file transfer, ssh, oauth -------------------------------------------------

case(
    "smtp_ftp",
    """
    import ftplib
    import smtplib

    import aiosmtplib


    async def notify(message: object) -> None:
        with smtplib.SMTP_SSL("mail.example.com") as smtp:  # error: ADC101
            smtp.send_message(message)  # error: ADC101
        ftplib.FTP_TLS("ftp.example.com")  # error: ADC101
        await aiosmtplib.send(message, hostname="mail.example.com")
        aiosmtplib.send(message, hostname="mail.example.com")  # error: ADC201
        client = aiosmtplib.SMTP(hostname="mail.example.com")
        await client.connect()
        await client.send_message(message)
    """,
)

case(
    "paramiko_and_asyncssh",
    """
    import asyncssh
    import paramiko


    async def deploy(host: str) -> None:
        ssh = paramiko.SSHClient()
        ssh.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        ssh.connect(host)  # error: ADC101
        ssh.exec_command("uptime")  # error: ADC101
        sftp = ssh.open_sftp()  # error: ADC101
        sftp.put("a", "b")  # error: ADC101
        async with asyncssh.connect(host) as conn:
            await conn.run("uptime")
            conn.run("uptime")  # error: ADC201
        conn2 = await asyncssh.connect(host)
        asyncssh.connect(host)  # error: ADC201
    """,
)

case(
    "requests_oauthlib",
    """
    from requests_oauthlib import OAuth2Session


    async def login(code: str) -> None:
        oauth = OAuth2Session("client-id", redirect_uri="https://app/cb")
        url, state = oauth.authorization_url("https://idp/authorize")  # local
        oauth.fetch_token("https://idp/token", code=code)  # error: ADC101
        oauth.get("https://api/me")  # error: ADC101
    """,
)

case(
    "imap_pop_sftp",
    """
    import imaplib
    import poplib

    import pysftp


    def fetch_unseen(host: str) -> list[bytes]:
        conn = imaplib.IMAP4_SSL(host)
        try:
            conn.login("bot", "secret")
            conn.select("INBOX")
            _, data = conn.uid("SEARCH", None, "UNSEEN")
            return data[0].split()
        finally:
            conn.logout()


    async def triage(host: str) -> None:
        uids = fetch_unseen(host)  # error: ADC101
        box = poplib.POP3_SSL(host)  # error: ADC101
        box.stat()  # error: ADC101
        with pysftp.Connection(host, username="backup") as sftp:  # error: ADC101
            sftp.get("/var/backups/db.gz")  # error: ADC101
        print(len(uids))
    """,
)

case(
    "ldap_pdf_webpush",
    """
    import ldap3
    import pdfkit
    from pywebpush import webpush
    from weasyprint import HTML


    def _people(url: str) -> list[dict]:
        conn = ldap3.Connection(ldap3.Server(url), user="cn=bot", password="x", auto_bind=True)
        entries = conn.extend.standard.paged_search("ou=people", "(uid=*)", paged_size=500)
        return [e["attributes"] for e in entries]


    async def report(url: str, html: str, subscription: dict) -> bytes:
        people = _people(url)  # error: ADC101
        pdf = HTML(string=html).write_pdf()  # error: ADC101
        pdfkit.from_string(html, "/tmp/out.pdf")  # error: ADC101
        webpush(subscription, "ready", vapid_private_key="k")  # error: ADC101
        print(len(people))
        return pdf
    """,
)

case(
    "opcua_and_websocket_servers",
    """
    from asyncua import Client, ua
    from web3 import AsyncWeb3, Web3
    from websockets.asyncio.server import ServerConnection
    from websockets.legacy.server import WebSocketServerProtocol


    async def trip(client: Client) -> None:
        node = client.get_node("ns=2;s=Trip")
        node.write_value(ua.DataValue(True))  # error: ADC201
        await client.get_node("ns=2;s=Speed").write_value(ua.DataValue(0.0))
        value = await node.read_value()
        print(value)


    async def balances(w3: Web3, aw3: AsyncWeb3, address: str) -> None:
        w3.eth.get_balance(address)  # error: ADC101
        aw3.eth.get_block("latest")  # error: ADC201
        print(await aw3.eth.get_balance(address))


    async def welcome(ws: ServerConnection, old: WebSocketServerProtocol) -> None:
        ws.send("hello")  # error: ADC201
        old.send("hello")  # error: ADC201
        await ws.send("hello")
        await old.recv()
    """,
)

case(
    "gitlab_and_github_sdks",
    """
    import asyncio

    import gitlab
    from github import Github


    class Bot:
        def __init__(self, url: str, token: str) -> None:
            self.gl = gitlab.Gitlab(url, private_token=token)
            self.gh = Github(token)

        async def on_merge_request(self, project_id: int, iid: int) -> None:
            project = self.gl.projects.get(project_id, lazy=True)
            mr = project.mergerequests.get(iid)  # error: ADC101
            mr.notes.create({"body": "thanks"})  # error: ADC101
            mr.approve()  # error: ADC101
            await asyncio.to_thread(mr.merge)
            print(mr.title.get("x") if isinstance(mr.title, dict) else mr.title)

        async def on_pull(self, name: str, number: int) -> None:
            repo = self.gh.get_repo(name)  # error: ADC101
            pr = repo.get_pull(number)  # error: ADC101
            pr.create_issue_comment("thanks")  # error: ADC101
    """,
)

case(
    "dns_jwks_instruments",
    """
    import dns.asyncresolver
    import dns.resolver
    import jwt
    import pyvisa


    async def audit(zone: str, token: str) -> None:
        dns.resolver.resolve(zone, "NS")  # error: ADC101
        await dns.asyncresolver.resolve(zone, "NS")
        resolver = dns.resolver.Resolver()
        resolver.resolve(zone, "MX")  # error: ADC101
        jwks = jwt.PyJWKClient("https://idp/.well-known/jwks.json")
        jwks.get_signing_key_from_jwt(token)  # error: ADC101
        jwt.decode(token, options={"verify_signature": False})  # local
        dmm = pyvisa.ResourceManager().open_resource("TCPIP::10.0.0.5::INSTR")  # error: ADC101
        dmm.query("MEAS:VOLT?")  # error: ADC101
    """,
)

case(
    "github_and_nats_coroutines",
    """
    import nats
    from gidgethub.aiohttp import GitHubAPI
    from nats.aio.msg import Msg


    async def comment(session: object, url: str) -> None:
        gh = GitHubAPI(session, "bot")
        await gh.post(url, data={"body": "thanks"})
        gh.post(url, data={"body": "thanks"})  # error: ADC201


    async def handle(msg: Msg) -> None:
        await msg.ack()
        msg.nak()  # error: ADC201
        nc = await nats.connect("nats://127.0.0.1:4222")
        nc.publish("billing", b"done")  # error: ADC201
        await nc.close()
    """,
)

# -- brokers --------------------------------------------------------------------------

case(
    "paho_mqtt_and_aiomqtt",
    """
    import aiomqtt
    import paho.mqtt.client as mqtt


    async def telemetry(payload: bytes) -> None:
        client = mqtt.Client()
        client.connect("broker")  # error: ADC101
        client.loop_start()  # the network loop runs in a thread of its own
        info = client.publish("t", payload)  # queues the packet
        info.wait_for_publish()  # error: ADC101
        client.loop()  # error: ADC101
        client.loop(timeout=0)
        client.disconnect()  # queues the packet
        client.loop_forever()  # error: ADC101
        async with aiomqtt.Client("broker") as aclient:
            await aclient.publish("t", payload)
            aclient.publish("t", payload)  # error: ADC201
    """,
)

case(
    "kafka_python_and_aiokafka",
    """
    from aiokafka import AIOKafkaProducer
    from kafka import KafkaProducer


    async def emit(value: bytes) -> None:
        producer = KafkaProducer(bootstrap_servers="k:9092")  # error: ADC101
        future = producer.send("t", value)  # error: ADC101
        future.get(timeout=10)  # error: ADC101
        producer.flush()  # error: ADC101
        aproducer = AIOKafkaProducer(bootstrap_servers="k:9092")
        await aproducer.start()
        await aproducer.send_and_wait("t", value)
        aproducer.send("t", value)  # error: ADC201
        await aproducer.stop()
    """,
)

case(
    "pika_and_aio_pika",
    """
    import aio_pika
    import pika


    async def publish(body: bytes) -> None:
        params = pika.ConnectionParameters("rabbit")  # only settings
        connection = pika.BlockingConnection(params)  # error: ADC101
        channel = connection.channel()  # error: ADC101
        channel.basic_publish(exchange="", routing_key="q", body=body)  # error: ADC101
        aconnection = await aio_pika.connect_robust("amqp://rabbit/")
        achannel = await aconnection.channel()
        await achannel.declare_queue("q")
        await achannel.default_exchange.publish(aio_pika.Message(body), routing_key="q")
        achannel.default_exchange.publish(aio_pika.Message(body), routing_key="q")  # error: ADC201
    """,
)

# -- files: archives, images, certificates -----------------------------------------------

case(
    "archives_by_path_or_in_memory",
    """
    import bz2
    import gzip
    import io
    import lzma
    import tarfile
    import zipfile


    async def unpack(data: bytes, path: str) -> bytes:
        gzip.open(path)  # error: ADC101
        bz2.open(path)  # error: ADC101
        lzma.open(path, "rb")  # error: ADC101
        zipfile.ZipFile(path)  # error: ADC101
        tarfile.open(path)  # error: ADC101
        # the same calls on bytes already in memory
        gzip.open(io.BytesIO(data))
        gzip.GzipFile(fileobj=io.BytesIO(data))
        gzip.decompress(data)
        buffer = io.BytesIO(data)
        with zipfile.ZipFile(buffer) as archive:
            archive.read("a.txt")  # reads memory here; after an open by path, the open is reported
            archive.extractall("/tmp/out")  # error: ADC101
        with io.BytesIO() as out, zipfile.ZipFile(out, "w") as packed:
            packed.writestr("a.txt", data)
            packed.write(path)  # error: ADC101
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            tar.extractall("/tmp/out")  # error: ADC101
        return data
    """,
)

case(
    "pillow_open_and_save",
    """
    import io
    from io import BytesIO

    from PIL import Image


    async def thumbnail(upload: bytes, path: str) -> bytes:
        image = Image.open(BytesIO(upload))
        image.thumbnail((64, 64))
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG")
        image.save(path)  # error: ADC101
        Image.open(path).convert("L").save(path + ".png")  # error: ADC101
        Image.new("RGB", (1, 1)).save(out, "PNG")
        return out.getvalue()
    """,
)

case(
    "ssl_certificates_and_imports",
    """
    import importlib
    import ssl


    async def serve(cert: str, plugin: str) -> None:
        context = ssl.create_default_context()  # error: ADC101
        context.load_cert_chain(cert)  # error: ADC101
        context.set_ciphers("ECDHE")
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_verify_locations(cert)  # error: ADC101
        importlib.import_module(plugin)  # with --preview only: just a first import waits
    """,
)

# -- ADC201: awaitable async context managers ------------------------------------------

case(
    "awaitable_context_managers_used_correctly",
    """
    import aiofiles
    import aiohttp
    import asyncpg
    import websockets


    async def fine(session: aiohttp.ClientSession, pool: asyncpg.Pool, url: str) -> object:
        async with session.get(url) as response:
            print(response.status)
        response = await session.post(url)
        opened = await session.request("GET", url).__aenter__()
        async with aiohttp.request("GET", url) as response:
            print(response.status)
        async with session.ws_connect(url) as ws:
            print(ws)
        async with websockets.connect(url) as connection:
            print(connection)
        async for connection in websockets.connect(url):
            print(connection)
        connection = await websockets.connect(url)
        async with websockets.serve(print, "localhost", 8765):
            print("serving")
        server = await websockets.serve(print, "localhost", 8765)
        async with pool.acquire() as conn:
            print(conn)
        conn = await pool.acquire()
        async with aiofiles.open("f") as f:
            print(f)
        pending = session.get(url)
        async with pending as response:
            print(response.status)
        return session.get(url)


    def handed_on(session: aiohttp.ClientSession, url: str) -> object:
        return session.get(url)


    async def forgotten(session: aiohttp.ClientSession, pool: asyncpg.Pool, url: str) -> None:
        session.get(url)  # error: ADC201
        aiohttp.request("GET", url)  # error: ADC201
        session.ws_connect(url)  # error: ADC201
        websockets.connect(url)  # error: ADC201
        websockets.serve(print, "localhost", 8765)  # error: ADC201
        pool.acquire()  # error: ADC201
        aiofiles.open("f")  # error: ADC201
    """,
)


case(
    "sync_sdks_and_device_libraries",
    """
    import asyncio
    import urllib.robotparser

    import serial
    import stripe
    from pymodbus.client import AsyncModbusTcpClient, ModbusTcpClient
    from slack_sdk import WebClient
    from slack_sdk.web.async_client import AsyncWebClient
    from twilio.rest import Client


    class Notifier:
        def __init__(self, sid: str, token: str) -> None:
            self.sms = Client(sid, token)
            self.slack = WebClient(token=token)
            self.aslack = AsyncWebClient(token=token)

        async def page(self, to: str, text: str) -> None:
            self.sms.messages.create(to=to, from_="+100", body=text)  # error: ADC101
            self.slack.chat_postMessage(channel=to, text=text)  # error: ADC101
            await self.aslack.chat_postMessage(channel=to, text=text)
            await asyncio.to_thread(self.slack.chat_postMessage, channel=to, text=text)


    async def checkout(session_id: str, customer: str) -> None:
        stripe.Customer.retrieve(customer)  # error: ADC101
        await stripe.Customer.retrieve_async(customer)
        stripe.checkout.Session.retrieve(session_id)  # error: ADC101


    async def devices(port: str, host: str) -> None:
        line = serial.Serial(port, 9600, timeout=1).readline()  # error: ADC101
        modbus = ModbusTcpClient(host)
        modbus.read_holding_registers(0, count=2)  # error: ADC101
        async_modbus = AsyncModbusTcpClient(host)
        await async_modbus.read_holding_registers(0, count=2)
        robots = urllib.robotparser.RobotFileParser("https://example.com/robots.txt")
        robots.read()  # error: ADC101
        robots.parse(line.decode().splitlines())
    """,
)


case(
    "soap_vectors_push_ocr",
    """
    import asyncio
    import io

    import pytesseract
    import zeep
    from firebase_admin import auth, messaging
    from PIL import Image
    from qdrant_client import AsyncQdrantClient, QdrantClient


    class Channel:
        def __init__(self, wsdl: str) -> None:
            self.soap = zeep.Client(wsdl)
            self.async_soap = zeep.AsyncClient(wsdl)

        async def push(self, hotel: str) -> None:
            self.soap.service.OTA_HotelAvailNotif(HotelCode=hotel)  # error: ADC101
            await asyncio.to_thread(self.soap.service.OTA_HotelRateAmountNotif, HotelCode=hotel)
            await self.async_soap.service.OTA_HotelAvailNotif(HotelCode=hotel)


    class Index:
        def __init__(self, url: str) -> None:
            self.sync = QdrantClient(url=url)
            self.client = AsyncQdrantClient(url=url)

        async def add(self, points: list[object]) -> None:
            self.sync.upsert(collection_name="docs", points=points)  # error: ADC101
            await self.client.upsert(collection_name="docs", points=points)
            await asyncio.to_thread(self.sync.upsert, collection_name="docs", points=points)


    async def notify(message: messaging.Message, token: str) -> None:
        messaging.send(message)  # error: ADC101
        auth.verify_id_token(token)  # error: ADC101
        await asyncio.to_thread(messaging.send, message)
        messaging.Notification(title="t", body="b")


    async def ocr(data: bytes) -> str:
        await asyncio.to_thread(pytesseract.image_to_string, Image.open(io.BytesIO(data)))
        return pytesseract.image_to_string(Image.open(io.BytesIO(data)))  # error: ADC101
    """,
)


# -- infrastructure: Kubernetes, Docker, Kafka ----------------------------------------

case(
    "kubernetes_and_kubernetes_asyncio",
    """
    import asyncio

    import kubernetes_asyncio
    from kubernetes import client, config, watch
    from kubernetes.stream import stream


    class Scaler:
        def __init__(self) -> None:
            config.load_incluster_config()
            self.apps = client.AppsV1Api()
            self.core = client.CoreV1Api()

        async def scale(self, name: str, replicas: int) -> None:
            self.apps.patch_namespaced_deployment_scale(name, "default", {"spec": {"replicas": replicas}})  # error: ADC101
            pods = self.core.list_namespaced_pod("default", label_selector=f"app={name}")  # error: ADC101
            client.CustomObjectsApi().list_namespaced_custom_object("g", "v1", "ns", "things")  # error: ADC101
            stream(self.core.connect_get_namespaced_pod_exec, "pod", "default", command=["ls"])  # error: ADC101
            for event in watch.Watch().stream(self.core.list_namespaced_pod, "default"):  # error: ADC101
                print(event)
            # a thread-pool request, a thread, local helpers
            pending = self.core.list_namespaced_pod("default", async_req=True)
            await asyncio.to_thread(self.core.list_namespaced_pod, "default")
            body = client.V1Pod(metadata=client.V1ObjectMeta(name=name))
            self.core.close()
            print(pods, pending, body)


    async def watch_async() -> None:
        await kubernetes_asyncio.config.load_kube_config()
        v1 = kubernetes_asyncio.client.CoreV1Api()
        await v1.list_namespaced_pod("default")
        v1.read_namespaced_pod("web", "default")  # error: ADC201
        kubernetes_asyncio.config.load_kube_config()  # error: ADC201
    """,
)

case(
    "docker_sdk",
    """
    import asyncio

    import docker


    async def deploy(image: str) -> str:
        client = docker.from_env()  # error: ADC101
        client.images.pull(image)  # error: ADC101
        container = client.containers.run(image, detach=True)  # error: ADC101
        container.wait(timeout=30)  # error: ADC101
        logs = container.logs()  # error: ADC101
        client.ping()  # error: ADC101
        # local: attributes, short ids, and the blocking calls in a thread
        print(container.short_id, container.name, client.containers)
        await asyncio.to_thread(container.stop)
        await asyncio.to_thread(docker.from_env)
        return logs.decode()
    """,
)

case(
    "confluent_kafka",
    """
    from confluent_kafka import Consumer, Producer
    from confluent_kafka.aio import AIOProducer


    async def relay(value: bytes) -> None:
        producer = Producer({"bootstrap.servers": "k:9092"})  # builds the client: no request
        producer.produce("t", value)  # only queues the message
        producer.poll(0)  # serves callbacks without waiting
        producer.poll(1.0)  # error: ADC101
        producer.flush()  # error: ADC101
        consumer = Consumer({"bootstrap.servers": "k:9092", "group.id": "g"})
        consumer.subscribe(["t"])
        message = consumer.poll(timeout=1.0)  # error: ADC101
        consumer.consume(10, timeout=0)
        consumer.consume(10)  # error: ADC101
        consumer.commit(message)  # asynchronous by default
        consumer.close()  # error: ADC101
        aproducer = AIOProducer({"bootstrap.servers": "k:9092"})
        await aproducer.produce("t", value)
        aproducer.flush()  # error: ADC201
    """,
)

# -- Google Cloud, Azure, MinIO -----------------------------------------------------

case(
    "google_bigquery_pubsub_firestore",
    """
    import asyncio

    from firebase_admin import firestore as admin_firestore
    from google.cloud import bigquery, firestore, pubsub_v1


    async def report(sql: str, rows: list[dict]) -> None:
        bq = bigquery.Client()
        job = bq.query(sql)  # error: ADC101
        for row in job.result():  # error: ADC101
            print(row)
        bq.insert_rows_json("p.d.t", rows)  # error: ADC101
        bq.load_table_from_uri("gs://b/f.csv", "p.d.t").result()  # error: ADC101
        job.done(reload=False)
        await asyncio.to_thread(bq.query_and_wait, sql)
        print(bigquery.QueryJobConfig(use_legacy_sql=False), bigquery.ScalarQueryParameter("a", "INT64", 1))


    async def publish(data: bytes) -> None:
        publisher = pubsub_v1.PublisherClient()
        topic = publisher.topic_path("p", "t")  # local
        future = publisher.publish(topic, data)  # only batches the message
        future.result()  # error: ADC101
        future.add_done_callback(print)
        subscriber = pubsub_v1.SubscriberClient()
        subscriber.pull(subscription="s", max_messages=10)  # error: ADC101


    async def profiles(uid: str) -> None:
        db = firestore.Client()
        doc = db.collection("users").document(uid)  # local references
        doc.get()  # error: ADC101
        doc.set({"seen": True})  # error: ADC101
        query = db.collection("users").where("age", ">", 18).limit(10)  # local
        for snapshot in query.stream():  # error: ADC101
            print(snapshot.to_dict())
        admin_firestore.client().collection("logs").add({"uid": uid})  # error: ADC101
        adb = firestore.AsyncClient()
        await adb.collection("users").document(uid).get()
        adb.collection("users").document(uid).update({"seen": True})  # error: ADC201
    """,
)

case(
    "azure_blob_and_minio",
    """
    import asyncio

    from azure.storage.blob import BlobServiceClient
    from azure.storage.blob.aio import BlobServiceClient as AsyncBlobServiceClient
    from minio import Minio


    async def archive(conn: str, data: bytes) -> bytes:
        service = BlobServiceClient.from_connection_string(conn)  # local
        container = service.get_container_client("c")  # local
        container.upload_blob("k", data)  # error: ADC101
        blob = container.get_blob_client("k")  # local
        content = blob.download_blob().readall()  # error: ADC101
        for item in container.list_blobs():  # error: ADC101
            print(item.name)
        print(blob.url)
        aservice = AsyncBlobServiceClient.from_connection_string(conn)
        ablob = aservice.get_blob_client("c", "k")
        await ablob.upload_blob(data)
        downloader = await ablob.download_blob()
        await downloader.readall()
        ablob.delete_blob()  # error: ADC201
        return content


    async def store(path: str) -> None:
        s3 = Minio("minio:9000", access_key="a", secret_key="s")  # local
        if not s3.bucket_exists("b"):  # error: ADC101
            s3.make_bucket("b")  # error: ADC101
        s3.fput_object("b", "k", path)  # error: ADC101
        await asyncio.to_thread(s3.fget_object, "b", "k", path)
    """,
)

# -- more databases -------------------------------------------------------------------

case(
    "neo4j_and_cassandra",
    """
    from cassandra.cluster import Cluster
    from neo4j import AsyncGraphDatabase, GraphDatabase, ManagedTransaction


    def _names(tx: ManagedTransaction) -> list[str]:
        return [r["n"] for r in tx.run("MATCH (p) RETURN p.name AS n")]


    async def graph(uri: str) -> None:
        driver = GraphDatabase.driver(uri, auth=("neo4j", "pw"))  # connects lazily
        driver.verify_connectivity()  # error: ADC101
        with driver.session() as session:  # a session is local until it runs something
            session.run("MATCH (n) RETURN n").data()  # error: ADC101
            session.execute_read(_names)  # error: ADC101
        records, summary, keys = driver.execute_query("RETURN 1")  # error: ADC101
        adriver = AsyncGraphDatabase.driver(uri, auth=("neo4j", "pw"))
        async with adriver.session() as asession:
            result = await asession.run("MATCH (n) RETURN n")
            await result.data()
            asession.run("RETURN 1")  # error: ADC201
        await adriver.close()


    async def wide(hosts: list[str]) -> None:
        cluster = Cluster(hosts)  # local
        session = cluster.connect("ks")  # error: ADC101
        session.execute("SELECT * FROM t")  # error: ADC101
        future = session.execute_async("SELECT * FROM t")  # sends without waiting
        future.result()  # error: ADC101
    """,
)

case(
    "clickhouse_odbc_oracle_mysqlclient_snowflake",
    """
    import clickhouse_connect
    import cx_Oracle
    import MySQLdb
    import oracledb
    import pyodbc
    import snowflake.connector
    from clickhouse_driver import Client


    async def warehouse(dsn: str) -> None:
        Client("ch").execute("SELECT 1")  # error: ADC101
        ch = clickhouse_connect.get_client(host="ch")  # error: ADC101
        ch.query("SELECT 1")  # error: ADC101
        ach = await clickhouse_connect.get_async_client(host="ch")
        await ach.query("SELECT 1")
        ach.command("SELECT 1")  # error: ADC201
        odbc = pyodbc.connect(dsn)  # error: ADC101
        odbc.cursor().execute("SELECT 1").fetchall()  # error: ADC101
        ora = oracledb.connect(dsn=dsn)  # error: ADC101
        cursor = ora.cursor()  # local
        cursor.execute("SELECT 1 FROM dual")  # error: ADC101
        cx_Oracle.connect(dsn)  # error: ADC101
        aora = await oracledb.connect_async(dsn=dsn)
        await aora.cursor().execute("SELECT 1 FROM dual")
        mysql = MySQLdb.connect(host="db")  # error: ADC101
        mysql.cursor().execute("SELECT 1")  # error: ADC101
        sf = snowflake.connector.connect(account="a", user="u")  # error: ADC101
        sf.cursor().execute("SELECT 1").fetchall()  # error: ADC101
    """,
)

# -- tools: git, pexpect, netmiko -----------------------------------------------------

case(
    "gitpython_pexpect_netmiko",
    """
    import asyncio

    import git
    import pexpect
    from netmiko import ConnectHandler


    async def sync_repo(url: str, path: str) -> None:
        repo = git.Repo.clone_from(url, path)  # error: ADC101
        repo.remotes.origin.pull()  # error: ADC101
        repo.remote("origin").push()  # error: ADC101
        repo.git.checkout("main")  # error: ADC101
        print(repo.working_tree_dir, repo.head)
        with repo.git.custom_environment(GIT_SSH_COMMAND="ssh -i key"):
            await asyncio.to_thread(repo.remotes.origin.fetch)


    async def console(host: str) -> str:
        child = pexpect.spawn(f"ssh {host}")  # starts the process and returns
        child.expect("password:")  # error: ADC101
        await child.expect("password:", async_=True)
        child.sendline("secret")  # error: ADC101
        print(child.before, child.isalive())
        pexpect.run("uptime")  # error: ADC101
        device = ConnectHandler(device_type="cisco_ios", host=host, username="u")  # error: ADC101
        return device.send_command("show version")  # error: ADC101
    """,
)

# -- web APIs --------------------------------------------------------------------------

case(
    "feeds_media_sheets_social",
    """
    import asyncio

    import feedparser
    import gspread
    import tweepy
    import yt_dlp
    from tweepy.asynchronous import AsyncClient


    async def digest(url: str, text: str) -> None:
        feedparser.parse(text)  # a body fetched already: parsed in milliseconds
        await asyncio.to_thread(feedparser.parse, url)
        with yt_dlp.YoutubeDL({"quiet": True}) as ydl:  # building the downloader fetches nothing
            ydl.extract_info(url, download=False)  # error: ADC101


    async def sheet(key: str) -> None:
        gc = gspread.service_account(filename="sa.json")  # builds credentials: no request
        spreadsheet = gc.open_by_key(key)  # error: ADC101
        worksheet = spreadsheet.worksheet("Data")  # error: ADC101
        worksheet.append_row(["a", 1])  # error: ADC101
        spreadsheet.sheet1.get_all_records()  # error: ADC101
        print(gspread.utils.rowcol_to_a1(1, 1), worksheet.title)


    async def tweet(text: str) -> None:
        tweepy.Client(bearer_token="t").create_tweet(text=text)  # error: ADC101
        aclient = AsyncClient(bearer_token="t")
        await aclient.create_tweet(text=text)
        aclient.get_me()  # error: ADC201
        tweepy.Client(bearer_token="t")  # building a client sends nothing
    """,
)

case(
    "maps_exchanges_issue_trackers_secrets",
    """
    import asyncio

    import ccxt
    import ccxt.async_support
    import googlemaps
    import hvac
    from geopy.geocoders import Nominatim
    from jira import JIRA
    from sendgrid import SendGridAPIClient
    from simple_salesforce import Salesforce


    async def locate(address: str) -> None:
        googlemaps.Client(key="k").geocode(address)  # error: ADC101
        Nominatim(user_agent="app").geocode(address)  # error: ADC101
        Nominatim(user_agent="app")  # building a geocoder sends nothing


    async def trade(symbol: str) -> None:
        exchange = ccxt.binance({"apiKey": "k"})  # local
        exchange.fetch_ticker(symbol)  # error: ADC101
        exchange.create_order(symbol, "limit", "buy", 1, 100)  # error: ADC101
        print(exchange.id, exchange.milliseconds())
        aexchange = ccxt.async_support.binance()
        await aexchange.fetch_ticker(symbol)
        aexchange.fetch_balance()  # error: ADC201
        await aexchange.close()


    async def ticket(summary: str, message: object) -> None:
        jira = JIRA("https://jira", basic_auth=("u", "p"))  # error: ADC101
        JIRA("https://jira", basic_auth=("u", "p"), get_server_info=False)
        issue = jira.create_issue(project="OPS", summary=summary, issuetype={"name": "Bug"})  # error: ADC101
        issue.update(fields={"labels": ["bot"]})  # error: ADC101
        SendGridAPIClient("key").send(message)  # error: ADC101
        vault = hvac.Client(url="https://vault")  # local
        vault.secrets.kv.v2.read_secret_version(path="app")  # error: ADC101
        vault.auth.approle.login(role_id="r", secret_id="s")  # error: ADC101
        await asyncio.to_thread(vault.secrets.kv.read_secret_version, path="app")
        sf = Salesforce(instance="na1.salesforce.com", session_id="s")
        sf.query("SELECT Id FROM Contact")  # error: ADC101
        sf.query_all("SELECT Id FROM Lead")  # error: ADC101
    """,
)

# -- bots, notifications, caches and coordination ------------------------------------

case(
    "bots_webhooks_websockets",
    """
    import apprise
    import discord
    import socketio
    import telebot
    import websocket
    from discord_webhook import AsyncDiscordWebhook, DiscordWebhook
    from telebot.async_telebot import AsyncTeleBot

    bot = telebot.TeleBot("token")
    abot = AsyncTeleBot("token")


    @bot.message_handler(commands=["start"])  # registering a handler is local
    def start(message: object) -> None:
        bot.reply_to(message, "hi")


    async def announce(chat: int, text: str, url: str) -> None:
        bot.send_message(chat, text)  # error: ADC101
        await abot.send_message(chat, text)
        abot.send_photo(chat, b"")  # error: ADC201
        notifier = apprise.Apprise()
        notifier.add("mailto://u:p@example.com")  # local
        notifier.notify(body=text)  # error: ADC101
        await notifier.async_notify(body=text)
        DiscordWebhook(url=url, content=text).execute()  # error: ADC101
        await AsyncDiscordWebhook(url=url, content=text).execute()
        discord.SyncWebhook.from_url(url).send(text)  # error: ADC101
        ws = websocket.create_connection(url)  # error: ADC101
        ws.send(text)  # error: ADC101
        sio = socketio.Client()
        sio.connect(url)  # error: ADC101
        sio.emit("news", text)  # only queues the packet
        asio = socketio.AsyncClient()
        await asio.connect(url)
        asio.emit("news", text)  # error: ADC201
    """,
)

case(
    "memcached_zookeeper_etcd",
    """
    import asyncio

    import etcd3
    from kazoo.client import KazooClient
    from pymemcache.client.base import Client


    async def config(key: str) -> None:
        cache = Client(("memcached", 11211))  # connects on first use
        cache.get(key)  # error: ADC101
        cache.set(key, b"v", expire=60)  # error: ADC101
        zk = KazooClient(hosts="zk:2181")
        zk.start()  # error: ADC101
        zk.ensure_path("/app")  # error: ADC101
        zk.get_async("/app")  # returns at once
        etcd = etcd3.client(host="etcd")
        value, meta = etcd.get(key)  # error: ADC101
        await asyncio.to_thread(etcd.put, key, "v")
        print(value, meta)
    """,
)

# -- jobs and metrics ---------------------------------------------------------------------

case(
    "celery_rq_pushgateway",
    """
    import asyncio

    from celery import Celery
    from celery.result import AsyncResult
    from prometheus_client import CollectorRegistry, push_to_gateway
    from redis import Redis
    from rq import Queue
    from rq.job import Job

    app = Celery("tasks", broker="redis://")


    async def outcome(task_id: str, job_id: str) -> None:
        app.AsyncResult(task_id).get(timeout=10)  # error: ADC101
        result = AsyncResult(task_id, app=app)  # local
        if result.ready():  # error: ADC101
            print(result.id)
        app.send_task("tasks.add", args=(1, 2))  # a publish to the broker: not reported
        await asyncio.to_thread(result.get)
        queue = Queue(connection=Redis())  # local
        queue.enqueue(print, "hi")  # error: ADC101
        job = Job.fetch(job_id, connection=Redis())  # error: ADC101
        job.get_status()  # error: ADC101
        job.get_status(refresh=False)
        registry = CollectorRegistry()  # local
        push_to_gateway("gateway:9091", job="batch", registry=registry)  # error: ADC101
    """,
)

# -- media, documents, models, probes ----------------------------------------------------

case(
    "media_and_documents",
    """
    import asyncio
    import io

    import cv2
    import ffmpeg
    import fitz
    import matplotlib.pyplot as plt
    import openpyxl
    from pydub import AudioSegment
    from pypdf import PdfReader, PdfWriter
    from reportlab.platypus import Paragraph, SimpleDocTemplate


    async def transcode(src: str, dst: str) -> None:
        ffmpeg.input(src).output(dst, vcodec="libx264").run()  # error: ADC101
        ffmpeg.probe(src)  # error: ADC101
        process = ffmpeg.input(src).output(dst).run_async()  # starts ffmpeg and returns
        AudioSegment.from_file(src).export(dst, format="mp3")  # error: ADC101
        image = cv2.imread(src)  # error: ADC101
        capture = cv2.VideoCapture(src)  # error: ADC101
        ok, frame = capture.read()  # error: ADC101
        small = cv2.resize(frame, (64, 64))  # CPU on pixels in memory: quick
        await asyncio.to_thread(cv2.imwrite, dst, small)
        print(process, image, ok)


    async def documents(data: bytes, path: str) -> bytes:
        figure = plt.figure()
        plt.plot([1, 2, 3])
        figure.savefig(path)  # error: ADC101
        SimpleDocTemplate(path).build([Paragraph("hi")])  # error: ADC101
        reader = PdfReader(io.BytesIO(data))  # memory: only parsing
        PdfReader(path)  # error: ADC101
        writer = PdfWriter()
        writer.add_page(reader.pages[0])
        out = io.BytesIO()
        writer.write(out)
        writer.write(path)  # error: ADC101
        doc = fitz.open(stream=data, filetype="pdf")  # memory
        doc.load_page(0).get_pixmap(dpi=150)  # error: ADC101
        doc.save(out)
        doc.save(path)  # error: ADC101
        openpyxl.load_workbook(path)  # error: ADC101
        return out.getvalue()
    """,
)

case(
    "models_and_network_probes",
    """
    import asyncio

    import icmplib
    import ping3
    import whisper
    import whois
    from faster_whisper import WhisperModel
    from scapy.all import ICMP, IP, sr1
    from sentence_transformers import SentenceTransformer

    encoder = SentenceTransformer("all-MiniLM-L6-v2")  # at import time: not in the loop


    async def embed(texts: list[str], audio: str) -> None:
        encoder.encode(texts)  # error: ADC101
        await asyncio.to_thread(encoder.encode, texts)
        model = whisper.load_model("base")  # error: ADC101
        model.transcribe(audio)  # error: ADC101
        WhisperModel("small")  # error: ADC101


    async def probe(host: str) -> None:
        sr1(IP(dst=host) / ICMP(), timeout=2)  # error: ADC101
        packet = IP(dst=host) / ICMP()  # building a packet is local
        icmplib.ping(host, count=1)  # error: ADC101
        await icmplib.async_ping(host, count=1)
        icmplib.async_ping(host)  # error: ADC201
        ping3.ping(host)  # error: ADC101
        whois.whois(host)  # error: ADC101
        print(packet.summary())
    """,
)


# -- engines, speech, messaging, Google Cloud, Vault, Matrix, energy data, solvers ------

case(
    "chess_engines",
    """
    import asyncio

    import chess
    import chess.engine


    async def best_move(board: chess.Board) -> None:
        with chess.engine.SimpleEngine.popen_uci("stockfish") as engine:  # error: ADC101
            engine.play(board, chess.engine.Limit(time=0.1))  # error: ADC101
            engine.analyse(board, chess.engine.Limit(depth=10))  # error: ADC101
            engine.configure({"Threads": 2})  # error: ADC101
        simple = chess.engine.SimpleEngine.popen_xboard("crafty")  # error: ADC101
        simple.quit()  # error: ADC101
        simple.close()  # only asks the engine's thread to stop
        await asyncio.to_thread(chess.engine.SimpleEngine.popen_uci, "stockfish")
        transport, uci = await chess.engine.popen_uci("stockfish")
        chess.engine.popen_xboard("crafty")  # error: ADC201
        limit = chess.engine.Limit(time=0.1)  # local
        print(transport, uci, limit, board.legal_moves.count())


    async def with_protocol(engine: chess.engine.UciProtocol, board: chess.Board) -> None:
        await engine.play(board, chess.engine.Limit(time=0.1))
        engine.analyse(board, chess.engine.Limit(depth=5))  # error: ADC201
        await engine.quit()
    """,
)

case(
    "elevenlabs_speech",
    """
    from elevenlabs import ElevenLabs, save
    from elevenlabs.client import AsyncElevenLabs

    client = ElevenLabs(api_key="k")  # local
    aclient = AsyncElevenLabs(api_key="k")


    async def speak(text: str, voice: str, path: str, recording: bytes) -> None:
        audio = client.text_to_speech.convert(voice_id=voice, text=text)  # error: ADC101
        save(audio, path)
        client.voices.get_all()  # error: ADC101
        client.voices.search(search="calm")  # error: ADC101
        client.speech_to_text.convert(file=recording, model_id="scribe_v1")  # error: ADC101
        client.text_to_speech.stream(voice_id=voice, text=text)  # left out: often a StreamingResponse
        await aclient.voices.get_all()
        aclient.voices.search(search="calm")  # error: ADC201
        await aclient.text_to_speech.convert_with_timestamps(voice_id=voice, text=text)
        async for chunk in aclient.text_to_speech.convert(voice_id=voice, text=text):
            print(len(chunk))
    """,
)

case(
    "vonage_v3_and_v4",
    """
    import asyncio

    import vonage
    from vonage import Auth, Vonage
    from vonage_sms import SmsMessage


    async def notify(number: str, text: str) -> None:
        client = vonage.Client(key="k", secret="s")  # local
        vonage.Sms(client).send_message({"from": "App", "to": number, "text": text})  # error: ADC101
        client.sms.send_message({"from": "App", "to": number, "text": text})  # error: ADC101
        client.voice.create_call({"to": [{"type": "phone", "number": number}]})  # error: ADC101
        vonage.Verify(client).start_verification(number=number, brand="App")  # error: ADC101
        client.voice.verify_signature("token", "secret")  # local: not listed
        v4 = Vonage(Auth(api_key="k", api_secret="s"))  # local
        message = SmsMessage(to=number, from_="App", text=text)  # local
        v4.sms.send(message)  # error: ADC101
        v4.verify.check_code("request-id", "1234")  # error: ADC101
        await asyncio.to_thread(v4.sms.send, message)
    """,
)

case(
    "google_cloud_gapic_clients",
    """
    import asyncio

    from google.cloud import secretmanager, speech, texttospeech, vision
    from google.cloud import translate_v2 as translate
    from google.cloud.kms_v1 import KeyManagementServiceClient


    async def ocr(content: bytes) -> None:
        client = vision.ImageAnnotatorClient()  # local
        image = vision.Image(content=content)  # local
        client.text_detection(image=image)  # error: ADC101
        client.document_text_detection(image=image)  # error: ADC101
        client.batch_annotate_images(requests=[])  # error: ADC101
        aclient = vision.ImageAnnotatorAsyncClient()
        await aclient.batch_annotate_images(requests=[])
        aclient.batch_annotate_images(requests=[])  # error: ADC201


    async def secrets_and_speech(name: str, audio: bytes) -> None:
        sm = secretmanager.SecretManagerServiceClient()
        path = sm.secret_version_path("project", "secret", "latest")  # local
        sm.access_secret_version(name=path)  # error: ADC101
        asm = secretmanager.SecretManagerServiceAsyncClient()
        await asm.access_secret_version(name=name)
        stt = speech.SpeechClient.from_service_account_file("key.json")  # local
        config = speech.RecognitionConfig(language_code="en-US")
        stt.recognize(config=config, audio=speech.RecognitionAudio(content=audio))  # error: ADC101
        operation = stt.long_running_recognize(config=config, audio=speech.RecognitionAudio(uri=name))  # error: ADC101
        operation.result(timeout=90)  # error: ADC101
        tts = texttospeech.TextToSpeechClient()
        tts.synthesize_speech(input=None, voice=None, audio_config=None)  # error: ADC101
        translate.Client().translate("hola", target_language="en")  # error: ADC101
        kms = KeyManagementServiceClient()
        kms.encrypt(name=kms.crypto_key_path("p", "l", "r", "k"), plaintext=b"x")  # error: ADC101
        await asyncio.to_thread(kms.decrypt, name=name, ciphertext=b"x")
    """,
)

case(
    "vault_engines_and_auth_methods",
    """
    import asyncio

    import hvac


    async def vault(jwt: str) -> None:
        client = hvac.Client(url="https://vault")  # local
        client.auth.kubernetes.login(role="app", jwt=jwt)  # error: ADC101
        client.auth.token.lookup_self()  # error: ADC101
        client.auth.jwt.jwt_login(role="app", jwt=jwt)  # error: ADC101
        client.auth.jwt.resolve_path("jwt")  # local
        client.secrets.pki.generate_certificate(name="web", common_name="a.example")  # error: ADC101
        client.secrets.transit.encrypt_data(name="k", plaintext="eA==")  # error: ADC101
        client.secrets.transit.generate_data_key(name="k", key_type="plaintext")  # error: ADC101
        client.secrets.database.generate_credentials(name="ro")  # error: ADC101
        client.secrets.kv.v1.read_secret(path="app")  # error: ADC101
        client.secrets.ssh.sign_ssh_key(name="r", public_key="k")  # error: ADC101
        await asyncio.to_thread(client.secrets.aws.generate_credentials, name="deploy")
    """,
)

case(
    "matrix_nio",
    """
    from nio import AsyncClient, RoomMessageText


    async def chat(room: str, text: str) -> None:
        client = AsyncClient("https://matrix.org", "@bot:matrix.org")
        await client.login("password")
        content = {"msgtype": "m.text", "body": text}
        client.room_send(room, "m.room.message", content)  # error: ADC201
        await client.room_send(room, "m.room.message", content)
        client.add_event_callback(print, RoomMessageText)  # registering a callback is local
        client.sync(timeout=30000)  # error: ADC201
        await client.close()
    """,
)

case(
    "energy_data_and_redcap",
    """
    import asyncio

    import pandas as pd
    from entsoe import EntsoePandasClient, EntsoeRawClient
    from redcap import Project


    async def prices(start: pd.Timestamp, end: pd.Timestamp) -> None:
        client = EntsoePandasClient(api_key="k")  # local
        client.query_day_ahead_prices("DE_LU", start=start, end=end)  # error: ADC101
        client.query_load_and_forecast("DE_LU", start=start, end=end)  # error: ADC101
        EntsoeRawClient(api_key="k").query_load("DE_LU", start=start, end=end)  # error: ADC101
        await asyncio.to_thread(client.query_generation, "DE_LU", start=start, end=end)


    async def records(url: str, token: str) -> None:
        project = Project(url, token)  # PyCap 2 fetches nothing as it makes the project
        project.export_records(format_type="df")  # error: ADC101
        project.import_records([{"record_id": "1"}])  # error: ADC101
        print(project.url)
    """,
)

case(
    "solvers_and_slow_codecs",
    """
    import asyncio
    import bz2
    import gzip
    import lzma
    import zlib

    from ortools.constraint_solver import pywrapcp
    from ortools.linear_solver import pywraplp
    from ortools.sat.python import cp_model


    async def plan(manager: pywrapcp.RoutingIndexManager, params: object) -> None:
        routing = pywrapcp.RoutingModel(manager)  # local
        routing.SolveWithParameters(params)  # error: ADC101
        model = cp_model.CpModel()
        x = model.NewIntVar(0, 10, "x")  # building the model is local
        solver = cp_model.CpSolver()
        solver.Solve(model)  # error: ADC101
        lp = pywraplp.Solver.CreateSolver("GLOP")
        lp.Solve()  # error: ADC101
        await asyncio.to_thread(solver.Solve, model)
        print(solver.Value(x))


    async def pack(data: bytes) -> bytes:
        lzma.compress(data)  # error: ADC101
        bz2.decompress(data)  # error: ADC101
        lzma.LZMADecompressor().decompress(data)  # error: ADC101
        gzip.compress(data)  # fast: not reported
        zlib.compress(data)
        return await asyncio.to_thread(lzma.compress, data)
    """,
)


case(
    "django_mail_docker_api_audio_rasters_milp",
    """
    import asyncio

    import docker
    import pulp
    import rasterio
    import soundfile
    from asgiref.sync import sync_to_async
    from django.core.mail import EmailMultiAlternatives, send_mail


    async def rsvp(guest: str, path: str, scene: str) -> None:
        send_mail("RSVP", "Thanks!", "noreply@example.com", [guest])  # error: ADC101
        await sync_to_async(send_mail)("RSVP", "Thanks!", "noreply@example.com", [guest])
        msg = EmailMultiAlternatives("RSVP", "Thanks!", to=[guest])  # building it sends nothing
        msg.attach_alternative("<p>Thanks!</p>", "text/html")
        msg.send()  # error: ADC101
        client = docker.from_env()  # error: ADC101
        client.api.restart("web", timeout=30)  # error: ADC101
        await asyncio.to_thread(client.api.restart, "web")
        data, rate = soundfile.read(path)  # error: ADC101
        await asyncio.to_thread(soundfile.read, path)
        with rasterio.open(scene) as src:  # error: ADC101
            print(src.profile)
        prob = pulp.LpProblem("timetable", pulp.LpMinimize)  # a model: nothing solved yet
        prob.solve(pulp.PULP_CBC_CMD(msg=False))  # error: ADC101
        await asyncio.to_thread(prob.solve)
    """,
)


case(
    "django_orm_in_async_views",
    """
    from asgiref.sync import sync_to_async
    from django.db import models
    from django.http import JsonResponse


    class Guest(models.Model):
        name = models.CharField(max_length=100)


    async def rsvp(request, guest_id: int):
        guest = Guest.objects.get(pk=guest_id)  # error: ADC101
        going = Guest.objects.filter(name="x").exclude(name="y").count()  # error: ADC101
        qs = Guest.objects.filter(name="x").order_by("name")  # lazy: no query yet
        first = qs.first()  # error: ADC101
        same = await Guest.objects.aget(pk=guest_id)
        total = await Guest.objects.filter(name="x").acount()
        other = await sync_to_async(Guest.objects.get)(pk=guest_id)
        Guest.objects.acreate(name="late")  # error: ADC201
        return JsonResponse({"ok": bool(guest and going and first and same and total and other)})


    def sync_view(request):
        return Guest.objects.get(pk=1)
    """,
)


# -- XML-RPC and Google's generated API clients ------------------------------------------------

case(
    "xmlrpc_and_google_api_client",
    """
    import asyncio
    import xmlrpc.client

    from googleapiclient.discovery import build

    odoo = xmlrpc.client.ServerProxy("https://erp.example.com/xmlrpc/2/object")


    class Calendar:
        def __init__(self, creds: object) -> None:
            self.calendar = build("calendar", "v3", credentials=creds)

        async def add(self, event: dict) -> dict:
            return self.calendar.events().insert(calendarId="c", body=event).execute()  # error: ADC101

        async def remove(self, event_id: str) -> None:
            request = self.calendar.events().delete(calendarId="c", eventId=event_id)  # built: no request
            await asyncio.to_thread(request.execute)


    async def move_stock(move: dict) -> int:
        return odoo.execute_kw("db", 2, "key", "stock.move", "create", [move])  # error: ADC101


    async def move_stock_off_loop(move: dict) -> int:
        return await asyncio.to_thread(odoo.execute_kw, "db", 2, "key", "stock.move", "create", [move])
    """,
)


case(
    "starlette_and_fastapi_server_side",
    """
    from fastapi import FastAPI, Request, UploadFile, WebSocket
    from starlette.endpoints import WebSocketEndpoint
    from starlette.websockets import WebSocket as StarletteWebSocket

    app = FastAPI()


    class Board(WebSocketEndpoint):
        async def on_connect(self, websocket: StarletteWebSocket) -> None:
            await websocket.accept()
            websocket.send_json({"hello": 1})  # error: ADC201


    @app.websocket("/ws")
    async def feed(websocket: WebSocket) -> None:
        await websocket.accept()
        websocket.send_text("ready")  # error: ADC201
        await websocket.send_text(str(await websocket.receive_json()))


    @app.post("/upload")
    async def upload(request: Request, file: UploadFile) -> dict:
        size = len(await file.read())
        await file.close()
        return {"size": size, "body": await request.json()}
    """,
)


@pytest.mark.parametrize("name", sorted(CASES))
def test_library_case(name: str) -> None:
    source = CASES[name]
    assert sorted(reported(source)) == sorted(marked(source))


def test_every_case_has_a_positive_and_a_look_alike() -> None:
    for name, source in CASES.items():
        lines = [line for line in source.splitlines() if line.strip()]
        positives = [line for line in lines if MARK.search(line)]
        assert positives, name
        assert len(lines) > len(positives) + 3, f"{name}: add look-alikes that must not be reported"


# -- the mechanisms ---------------------------------------------------------------------


def test_not_blocking_is_an_exception_to_a_wildcard() -> None:
    client = "botocore.client.BaseClient"
    assert blocking_info(LibMethod(client, "put_object")) is not None
    for method in ("generate_presigned_url", "close", "get_paginator"):
        assert blocking_info(LibMethod(client, method)) is None, method
    wildcards = {key.removesuffix(".*") for key in kb.BLOCKING_CALLS if key.endswith(".*")}
    for name in kb.NOT_BLOCKING:
        assert name.rpartition(".")[0] in wildcards, f"{name} is an exception to nothing"
        assert name not in kb.BLOCKING_CALLS, name


def test_attribute_chains_of_sdk_clients_resolve() -> None:
    chat = eval_lib("openai.OpenAI().chat.completions.create")
    assert chat == LibMethod("openai.resources.chat.Completions", "create")
    assert blocking_info(chat) is not None
    async_chat = eval_lib("openai.AsyncOpenAI().chat.completions.create")
    assert async_chat == LibMethod("openai.resources.chat.AsyncCompletions", "create")
    assert blocking_info(async_chat) is None
    assert f"{async_chat.type}.create" in kb.COROUTINE_FUNCTIONS
    module_level = eval_lib("openai.chat.completions.create")
    assert module_level == LibName("openai.chat.completions.create")
    assert blocking_info(module_level) is not None


def sites(source: str) -> dict[str, tuple[tuple[str | int, object], ...]]:
    summary = analyse_source(textwrap.dedent(source), path="m.py", module="m")
    return {site.ref: site.consts for f in summary.functions.values() for site in f.calls}


def test_in_memory_file_arguments_are_recorded() -> None:
    found = sites(
        """
        import gzip, io, zipfile
        from PIL import Image

        def f(data, path):
            zipfile.ZipFile(io.BytesIO(data))
            buffer = io.StringIO()
            gzip.GzipFile(fileobj=buffer)
            with io.BytesIO() as out:
                Image.new("RGB", (1, 1)).save(out)
            Image.open(path)
            Image.open(io.BytesIO)
        """
    )
    assert found["zipfile.ZipFile"] == ((0, kb.IN_MEMORY_FILE),)
    assert found["gzip.GzipFile"] == (("fileobj", kb.IN_MEMORY_FILE),)
    assert found["PIL.Image.new().save"] == ((0, kb.IN_MEMORY_FILE),)
    # a path, and the class itself rather than an instance, are not in-memory files
    assert found["PIL.Image.open"] == ()


def test_in_memory_conditions_name_real_parameters() -> None:
    """``nonblocking_if`` on in-memory files names each call's file parameter."""
    expected = {
        "gzip.open": ("filename", 0),
        "bz2.open": ("filename", 0),
        "lzma.open": ("filename", 0),
        "zipfile.ZipFile": ("file", 0),
        "tarfile.open": ("fileobj", 2),
        "PIL.Image.open": ("fp", 0),
        "PIL.Image.Image.save": ("fp", 0),
        "pypdf.PdfReader": ("stream", 0),
        "pypdf.PdfWriter.write": ("stream", 0),
        "pymupdf.Document.save": ("filename", 0),
        "numpy.load": ("file", 0),
        "numpy.fromfile": ("file", 0),
        "numpy.loadtxt": ("fname", 0),
        "numpy.genfromtxt": ("fname", 0),
        "numpy.save": ("file", 0),
        "numpy.savez": ("file", 0),
        "numpy.savez_compressed": ("file", 0),
        "numpy.savetxt": ("fname", 0),
        "numpy.ndarray.tofile": ("fid", 0),
    }
    for name, (keyword, position) in expected.items():
        conditions = kb.BLOCKING_CALLS[name].nonblocking_if
        assert (keyword, position, kb.IN_MEMORY_FILE) in conditions, name
    with_marker = {
        name
        for name, info in kb.BLOCKING_CALLS.items()
        if any(value == kb.IN_MEMORY_FILE for _, _, value in info.nonblocking_if)
    }
    assert with_marker == set(expected)
