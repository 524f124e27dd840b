"""The delivery channels: e-mail over SMTP and a Slack-compatible chat webhook.

Each send either succeeds, or raises `Retry` (worth another attempt: the server is down,
busy or timed out) or `Permanent` (another attempt would fail the same way: the address
is refused, the webhook answers 4xx).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import urlsplit

import aiosmtplib
import httpx


class Retry(RuntimeError):
    """A failure worth another attempt later."""


class Permanent(RuntimeError):
    """A failure another attempt would repeat."""


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str
    message_id: str
    """The same on every attempt of one delivery: a receiver that got it twice (a crash
    between the server's acceptance and our record of it) can tell."""
    unsubscribe_url: str


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str = ""
    password: str = ""
    tls: bool = False
    starttls: bool = False
    timeout: float = 20.0
    sender: str = "careerstream <careerstream@localhost>"


class Smtp:
    """Sends over one SMTP connection per batch (opened on first use)."""

    def __init__(self, cfg: SmtpSettings) -> None:
        self.cfg = cfg
        self._client: aiosmtplib.SMTP | None = None

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        c = self.cfg
        client = aiosmtplib.SMTP(
            hostname=c.host,
            port=c.port,
            use_tls=c.tls,
            start_tls=c.starttls,
            timeout=c.timeout,
        )
        try:
            await client.connect()
            if c.username:
                await client.login(c.username, c.password)
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise Permanent(f"SMTP authentication failed: {exc}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise Retry(f"SMTP server unavailable: {exc}") from exc
        self._client = client
        return client

    async def send(self, mail: Mail) -> None:
        msg = EmailMessage()
        msg["From"] = self.cfg.sender
        msg["To"] = mail.to
        msg["Subject"] = mail.subject
        msg["Message-ID"] = mail.message_id
        msg["Date"] = formatdate(usegmt=True)
        msg["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(mail.text)
        msg.add_alternative(mail.html, subtype="html")
        client = await self._connected()
        try:
            await client.send_message(msg)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            if all(500 <= r.code < 600 for r in exc.recipients):
                raise Permanent(f"address refused: {exc}") from exc
            raise Retry(f"address deferred: {exc}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            await self.close()
            if 500 <= exc.code < 600:
                raise Permanent(f"SMTP {exc.code}: {exc.message}") from exc
            raise Retry(f"SMTP {exc.code}: {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            await self.close()
            raise Retry(f"SMTP failed: {exc}") from exc

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">`, as Slack signs its requests."""
    mac = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256)
    return "v0=" + mac.hexdigest()


def check_webhook_url(url: str, *, allow_private: bool) -> str | None:
    """Why `url` cannot be a chat webhook (None when it can): https only (http too where
    private addresses are allowed, in development), and never a private, loopback or
    link-local address in production (the service must not be turned against its network)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "must be an http(s) URL with a host"
    if parts.scheme == "http" and not allow_private:
        return "must use https"
    if allow_private:
        return None
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError:
        return f"the host {parts.hostname} does not resolve"
    for info in infos:
        addr = ipaddress.ip_address(info[4][0])
        if addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved:
            return f"the host {parts.hostname} is a private address"
    return None


class Webhook:
    """Posts Slack-compatible JSON (`text` and `blocks`) to a tenant's webhook, signed."""

    def __init__(self, timeout: float, *, allow_private: bool) -> None:
        self.timeout = timeout
        self.allow_private = allow_private
        self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)

    async def send(
        self,
        url: str,
        secret: str | None,
        *,
        text: str,
        link: str,
        action: str,
        recipient_email: str | None,
        delivery_id: str,
    ) -> None:
        problem = check_webhook_url(url, allow_private=self.allow_private)
        if problem is not None:
            raise Permanent(f"webhook URL {problem}")
        body = json.dumps(
            {
                "text": text,
                "blocks": [
                    {"type": "section", "text": {"type": "mrkdwn", "text": text}},
                    {
                        "type": "actions",
                        "elements": [
                            {
                                "type": "button",
                                "text": {"type": "plain_text", "text": action},
                                "url": link,
                            }
                        ],
                    },
                ],
                "metadata": {
                    "event_type": "careerstream_notification",
                    "event_payload": {"recipient_email": recipient_email, "delivery": delivery_id},
                },
            }
        ).encode()
        ts = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Careerstream-Delivery": delivery_id,
            "X-Careerstream-Request-Timestamp": ts,
        }
        if secret:
            headers["X-Careerstream-Signature"] = signature(secret, ts, body)
        try:
            resp = await self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise Retry(f"webhook unreachable: {exc!r}") from exc
        if resp.status_code == 429 or resp.status_code >= 500:
            raise Retry(f"webhook answered {resp.status_code}")
        if resp.status_code >= 400:
            raise Permanent(f"webhook answered {resp.status_code}: {resp.text[:200]}")

    async def close(self) -> None:
        await self._client.aclose()
