"""Sending email over SMTP (smtplib): STARTTLS and login when configured, one message per address."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING
from urllib.parse import quote

from ssbrace.errors import DeliveryError

if TYPE_CHECKING:
    from ssbrace.settings import Settings


@dataclass(frozen=True)
class Outgoing:
    recipient: str
    message: EmailMessage


@dataclass(frozen=True)
class SendResult:
    recipient: str
    status: str  # sent | refused | failed
    error: str | None = None


def compose(
    settings: Settings,
    recipient: str,
    subject: str,
    text: str,
    html: str,
    *,
    unsubscribe_link: str,
    topic_slug: str,
) -> Outgoing:
    """A multipart (plain text + HTML) message with List-Unsubscribe headers (RFC 2369, RFC 8058)."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = recipient
    message["Subject"] = " ".join(subject.split())  # no header injection through a story title
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = settings.smtp_from.rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    mailto = f"mailto:{settings.smtp_from}?subject={quote('unsubscribe ' + topic_slug)}"
    message["List-Unsubscribe"] = f"<{unsubscribe_link}>, <{mailto}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["List-Id"] = f"ssbrace {topic_slug} <{topic_slug}.ssbrace.{domain}>"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return Outgoing(recipient, message)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = (
            exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        )
        return f"{exc.smtp_code} {detail}".strip()
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()))
        return f"{code} {reply.decode('utf-8', 'replace') if isinstance(reply, bytes) else reply}".strip()
    return str(exc) or type(exc).__name__


def connect(settings: Settings) -> smtplib.SMTP:
    """An SMTP session ready to send: connected, STARTTLS when asked, logged in when credentials are set.

    Raises:
        DeliveryError: the server is unreachable, lacks STARTTLS, or refuses the login.
    """
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.connect_timeout)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"cannot reach SMTP server {where}: {_reason(exc)}") from None
    try:
        smtp.ehlo()
        if settings.smtp_starttls:
            if not smtp.has_extn("starttls"):
                raise DeliveryError(f"SMTP server {where} does not offer STARTTLS (smtp_starttls is on)")
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
    except DeliveryError:
        smtp.close()
        raise
    except smtplib.SMTPAuthenticationError as exc:
        smtp.close()
        raise DeliveryError(
            f"SMTP server {where} refused the login of {settings.smtp_user}: {_reason(exc)}"
        ) from None
    except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
        smtp.close()
        raise DeliveryError(f"SMTP session with {where} failed: {_reason(exc)}") from None
    return smtp


def send_all(settings: Settings, messages: Sequence[Outgoing]) -> Iterator[SendResult]:
    """Send each message on one session, yielding each outcome as the server gives it.

    A refused recipient is reported and the next message goes on; a lost connection fails the rest.

    Raises:
        DeliveryError: the session cannot be opened (before anything is sent).
    """
    if not messages:
        return
    smtp = connect(settings)
    try:
        for position, outgoing in enumerate(messages):
            try:
                smtp.send_message(outgoing.message, settings.smtp_from, [outgoing.recipient])
            except smtplib.SMTPRecipientsRefused as exc:
                yield SendResult(outgoing.recipient, "refused", _reason(exc))
                continue
            except smtplib.SMTPServerDisconnected as exc:
                reason = f"connection lost: {_reason(exc)}"
                for rest in messages[position:]:
                    yield SendResult(rest.recipient, "failed", reason)
                return
            except (smtplib.SMTPException, OSError) as exc:
                yield SendResult(outgoing.recipient, "failed", _reason(exc))
                continue
            yield SendResult(outgoing.recipient, "sent")
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
