"""Certificates for emulated servers reached by their plex.direct names, from a test CA of our own.

A real Plex Media Server with secure connections serves a certificate for `*.<hash>.plex.direct`,
issued by a public CA, and plex.tv lists its addresses as `https://<address dashed>.<hash>.plex.direct`
(https://support.plex.tv/articles/206225077-how-to-use-secure-server-connections/; the names in
Carrotman42/musicquiz @8216e1f: common/apiclients/plexclient/plexclient.go). Here the CA is made on
the spot and trusted only by the client context below, so a test can check that a client verifies the
name it connects to without any real certificate. Everything is made once per process: key generation
is what costs.
"""

import datetime
import functools
import ipaddress
import ssl
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Long enough for any test run, short enough that nobody mistakes it for a real certificate.
VALIDITY = datetime.timedelta(days=30)


@functools.cache
def _authority() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Plex Butler test CA (emulated plex.direct)")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def ca_certificate_pem() -> bytes:
    """The test CA's certificate (PEM): the only one a client of the emulated servers should trust."""
    return _authority()[1].public_bytes(serialization.Encoding.PEM)


@functools.cache
def server_certificate_pem(plex_direct_hash: str) -> tuple[bytes, bytes]:
    """(certificate chain, private key), both PEM, for `*.<plex_direct_hash>.plex.direct`."""
    ca_key, ca_certificate = _authority()
    key = ec.generate_private_key(ec.SECP256R1())
    wildcard = f"*.{plex_direct_hash}.plex.direct"
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, wildcard)]))
        .issuer_name(ca_certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(wildcard)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    chain = certificate.public_bytes(serialization.Encoding.PEM) + ca_certificate_pem()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return chain, private


@functools.cache
def server_ssl_context(plex_direct_hash: str) -> ssl.SSLContext:
    """A server context (for `PlexEmulator.start(ssl_context=...)`) valid for that hash's names."""
    chain, private = server_certificate_pem(plex_direct_hash)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    # The ssl module loads a certificate only from files: these live just long enough to be read.
    with tempfile.TemporaryDirectory(prefix="plex-direct-") as directory:
        cert_file = Path(directory) / "cert.pem"
        key_file = Path(directory) / "key.pem"
        cert_file.write_bytes(chain)
        key_file.write_bytes(private)
        key_file.chmod(0o600)
        context.load_cert_chain(cert_file, key_file)
    return context


@functools.cache
def client_ssl_context() -> ssl.SSLContext:
    """A client context that verifies names and trusts the test CA and nothing else."""
    return ssl.create_default_context(cadata=ca_certificate_pem().decode())


def self_signed_context(directory: Path) -> ssl.SSLContext:
    """A server TLS context with a certificate for 127.0.0.1 that nothing trusts, as Plex's own is by IP."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "plex-butler-test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    (directory / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (directory / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(directory / "cert.pem", directory / "key.pem")
    return context
