"""E-tickets by email (aiosmtplib)."""
from email.message import EmailMessage

import aiosmtplib

SMTP_HOST = "smtp.mailrelay.example"


def render_ticket(order) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "tickets@picturehouse.example"
    msg["To"] = order["email"]
    msg["Subject"] = f"Your tickets: {order['film']} ({order['starts_at']:%a %d %b %H:%M})"
    seats = ", ".join(order["seats"])
    msg.set_content(f"Booking {order['ref']}\nScreen {order['screen']}, seats {seats}\nShow this email at the door.")
    return msg


async def send_tickets(smtp_password: str, order) -> None:
    await aiosmtplib.send(
        render_ticket(order),
        hostname=SMTP_HOST,
        port=587,
        start_tls=True,
        username="tickets",
        password=smtp_password,
        timeout=30,
    )
