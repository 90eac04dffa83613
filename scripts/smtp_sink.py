#!/usr/bin/env python3
"""A real SMTP server for PosGuard's tests: aiosmtpd offering STARTTLS with a throwaway certificate.

Every message received is written to OUT_DIR as a JSON file: envelope sender and recipients, whether the
session was encrypted when the message arrived, and the raw message. Writes the CA certificate the client
must trust to OUT_DIR/ca.pem, prints "ready PORT" once listening, and runs until killed.

Usage: scripts/smtp_sink.py OUT_DIR
"""
import asyncio, datetime, json, os, socket, ssl, sys, uuid

from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

key = ec.generate_private_key(ec.SECP256R1())
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
now = datetime.datetime.now(datetime.timezone.utc)
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1")),
                                                    x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
with open(os.path.join(out, "ca.pem"), "wb") as f:
    f.write(cert.public_bytes(serialization.Encoding.PEM))
with open(os.path.join(out, "key.pem"), "wb") as f:
    f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(os.path.join(out, "ca.pem"), os.path.join(out, "key.pem"))


class Sink:
    async def handle_DATA(self, server, session, envelope):
        record = {"from": envelope.mail_from, "to": envelope.rcpt_tos, "tls": session.ssl is not None,
                  "data": envelope.content.decode("utf-8", "replace")}
        with open(os.path.join(out, f"{uuid.uuid4()}.json"), "w") as f:
            json.dump(record, f)
        return "250 Message accepted"


probe = socket.socket()
probe.bind(("127.0.0.1", 0))
port = probe.getsockname()[1]
probe.close()
controller = Controller(Sink(), hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True)
controller.start()
print(f"ready {port}", flush=True)
try:
    asyncio.run(asyncio.Event().wait())
finally:
    controller.stop()
