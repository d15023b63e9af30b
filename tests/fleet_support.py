"""Shared set-up of the fleet tests: a test CA and server certificate, a fresh database
on the test PostgreSQL cluster, the service as a real `kiosk-fleet serve` process."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import secrets
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.printing_support import free_port

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def make_ca(where: Path) -> tuple[Path, Path, Path]:
    """(ca.pem, server.pem, server.key): a CA made here, and a certificate it signs for 127.0.0.1."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kiosk fleet test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
          .not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    where.mkdir(parents=True, exist_ok=True)
    ca_pem, cert_pem, key_pem = where / "ca.pem", where / "server.pem", where / "server.key"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    key_pem.chmod(0o600)
    return ca_pem, cert_pem, key_pem


def pg_database() -> tuple[str, callable]:
    """A new, empty database on the test cluster: (URL, drop)."""
    base = os.environ.get("KIOSK_TEST_PG_URL")
    if not base:
        pytest.skip("KIOSK_TEST_PG_URL not set (scripts/test-services.sh starts PostgreSQL)")
    import psycopg

    name = "fleet_" + secrets.token_hex(4)
    with psycopg.connect(base, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    url = base.rsplit("/", 1)[0] + "/" + name

    def drop():
        with psycopg.connect(base, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return url, drop


class Service:
    def __init__(self, db_url: str, data: Path, catalogue: Path, ca: Path, cert: Path, key: Path):
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.db_url, self.data, self.ca = db_url, data, ca
        self.log = data / "serve.log"
        data.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [str(BIN / "kiosk-fleet"), "--db", db_url, "--data", str(data), "serve", "--port", str(self.port),
             "--tls-cert", str(cert), "--tls-key", str(key), "--catalogue", str(catalogue)],
            stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        ctx = ssl.create_default_context(cafile=str(ca))
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", context=ctx, timeout=2):
                    break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("kiosk-fleet serve did not start:\n" + self.log.read_text()) from None
                time.sleep(0.2)

    def cli(self, *args: str, stdin: str = "") -> str:
        out = subprocess.run([str(BIN / "kiosk-fleet"), "--db", self.db_url, "--data", str(self.data), *args],
                             input=stdin, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
