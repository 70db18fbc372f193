"""Start-up checks for sealing signed agreements."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks


def seal_configuration_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Refuse a seal certificate that cannot be used; say when none is configured."""
    if not settings.SEAL_PKCS12_PATH:
        return []
    problems: list[checks.CheckMessage] = []
    if not Path(settings.SEAL_PKCS12_PATH).is_file():
        problems.append(
            checks.Error(
                f"SEAL_PKCS12_PATH names no file: {settings.SEAL_PKCS12_PATH}",
                hint="Mount the authority's PKCS#12 seal certificate there.",
                id="agreements.E001",
            )
        )
    if not settings.SEAL_TIMESTAMP_URL:
        problems.append(
            checks.Error(
                "SEAL_TIMESTAMP_URL is not set: a sealed agreement needs a trusted timestamp.",
                hint="Name the RFC 3161 timestamping service that goes with the certificate.",
                id="agreements.E002",
            )
        )
    if settings.SEAL_TRUST_ROOTS and not Path(settings.SEAL_TRUST_ROOTS).is_file():
        problems.append(
            checks.Error(
                f"SEAL_TRUST_ROOTS names no file: {settings.SEAL_TRUST_ROOTS}",
                id="agreements.E003",
            )
        )
    return problems


def development_seal_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """In a deployment, warn that signed agreements would carry a development seal."""
    if settings.SEAL_PKCS12_PATH:
        return []
    return [
        checks.Warning(
            "No seal certificate is configured: signed agreements are sealed with a "
            "generated development certificate that no one outside this site trusts.",
            hint="Set SEAL_PKCS12_PATH, SEAL_PKCS12_PASSWORD and SEAL_TIMESTAMP_URL.",
            id="agreements.W001",
        )
    ]


def register() -> None:
    checks.register(seal_configuration_check)
    checks.register(development_seal_check, checks.Tags.security, deploy=True)
