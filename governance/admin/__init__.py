"""The staff's working tool for the registry, one module per part of it. Importing this package
registers every admin (Django's autodiscovery imports it)."""

from governance.admin import (  # noqa: F401  (each module registers its admins)
    accounts,
    catalogue,
    flows,
    organisations,
    register,
    schools,
    tokens,
)
from governance.admin_base import HTTPS_URLS, missing_details_html

__all__ = ["HTTPS_URLS", "missing_details_html"]
