"""Test SMTP handler for aiosmtpd: records every received e-mail as one JSON file in $SMTP_OUT.

Recipients whose local part starts with "reject" are refused with 550, "busy" with 451, so tests can
provoke permanent and transient failures from a real server.
"""
import email
import email.policy
import itertools
import json
import os


class Handler:
    def __init__(self):
        self.out = os.environ["SMTP_OUT"]
        self.count = itertools.count()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0]
        if local.startswith("reject"):
            return "550 5.1.1 No such user here"
        if local.startswith("busy"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        html = message.get_body(preferencelist=("html",))
        text = message.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(message["From"]),
            "to": str(message["To"]),
            "subject": str(message["Subject"] or ""),
            "message_id": str(message["Message-ID"]),
            "reference": str(message["X-Converge-Reference"]),
            "list_unsubscribe": str(message["List-Unsubscribe"] or ""),
            "list_unsubscribe_post": str(message["List-Unsubscribe-Post"] or ""),
            "content_type": message.get_content_type(),
            "html": html.get_content() if html is not None else None,
            "html_type": f"{html.get_content_type()}; charset={html.get_content_charset()}" if html is not None else None,
            "text": text.get_content() if text is not None else None,
        }
        path = os.path.join(self.out, f"{next(self.count):06d}.json")
        # Written aside and renamed, so the test never reads a half-written file.
        with open(path + ".tmp", "w", encoding="utf-8") as file:
            json.dump(record, file)
        os.replace(path + ".tmp", path)
        return "250 2.0.0 Message accepted for delivery"
