import os

BOT_TOKEN = os.environ["SHOPBOT_TOKEN"]
DATABASE_URL = os.environ.get("SHOPBOT_DB", "postgresql://shop@localhost/shop")
CATALOG_API = os.environ.get("CATALOG_API", "https://catalog.internal/api")
ADMIN_CHAT_ID = int(os.environ.get("SHOPBOT_ADMIN_CHAT", "0"))
