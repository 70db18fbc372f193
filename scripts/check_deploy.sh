#!/bin/sh
# `manage.py check --deploy` with production values: debug off, a strong secret, a host,
# HTTPS on, PostgreSQL, and a seal certificate (a throwaway PKCS#12 made here). Any warning
# fails (--fail-level WARNING).
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
.venv/bin/python - "$tmp/seal.p12" <<'PY'
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID

key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Deploy check seal")])
now = datetime.datetime.now(datetime.UTC)
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256()))
with open(sys.argv[1], "wb") as out:
    out.write(pkcs12.serialize_key_and_certificates(
        b"seal", key, cert, None, BestAvailableEncryption(b"deploy-check")))
PY
DJANGO_DEBUG=false \
SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
ALLOWED_HOSTS=governance.example.org \
CSRF_TRUSTED_ORIGINS=https://governance.example.org \
SITE_URL=https://governance.example.org \
HTTPS_ONLY=true \
DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}" \
SEAL_PKCS12_PATH="$tmp/seal.p12" SEAL_PKCS12_PASSWORD=deploy-check \
SEAL_TIMESTAMP_URL=https://timestamp.example.org \
  .venv/bin/python manage.py check --deploy --fail-level WARNING
