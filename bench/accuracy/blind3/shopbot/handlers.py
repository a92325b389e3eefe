import asyncio
from decimal import Decimal

import aiohttp
from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from .config import CATALOG_API
from .services import CatalogClient, Orders, notify_admin

router = Router()


@router.message(Command("find"))
async def find_product(message: Message, command: CommandObject, catalog: CatalogClient) -> None:
    if not command.args:
        await message.answer("Usage: /find <what>")
        return
    products = await catalog.search(command.args)
    if not products:
        await message.answer("Nothing found.")
        return
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=f"{p['name']} — {p['price']} €", callback_data=f"buy:{p['sku']}")]
            for p in products
        ]
    )
    await message.answer("Here is what I found:", reply_markup=keyboard)


@router.message(Command("stock"))
async def stock(message: Message, command: CommandObject) -> None:
    sku = (command.args or "").strip()
    async with aiohttp.ClientSession(base_url=CATALOG_API + "/") as session:  # bug: ADC402
        async with session.get(f"stock/{sku}") as resp:
            if resp.status == 404:
                await message.answer("Unknown product.")
                return
            data = await resp.json()
    await message.answer(f"{sku}: {data['available']} in stock")


@router.callback_query(F.data.startswith("buy:"))
async def buy(callback: CallbackQuery, orders: Orders, catalog: CatalogClient) -> None:
    sku = callback.data.split(":", 1)[1]
    matches = await catalog.search(sku, limit=1)
    if not matches:
        await callback.answer("This product is gone.", show_alert=True)
        return
    order_id = await orders.create(callback.from_user.id, sku, Decimal(str(matches[0]["price"])))
    asyncio.create_task(  # bug: ADC301
        notify_admin(callback.bot, f"New order #{order_id}: {sku} by {callback.from_user.full_name}")
    )
    await callback.answer()
    await callback.message.edit_text(f"Order #{order_id} placed. Thank you!")


@router.message(Command("orders"))
async def my_orders(message: Message, orders: Orders) -> None:
    rows = await orders.recent(message.from_user.id)
    if not rows:
        message.answer("You have no orders yet.")  # bug: ADC201
        return
    lines = [f"#{r['id']} {r['sku']} {r['price']} € — {r['status']}" for r in rows]
    await message.answer("\n".join(lines))
