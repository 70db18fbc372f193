"""What the API tests share."""

from rest_framework.test import APIClient

API = "/api/v1"


def client_for(user) -> APIClient:
    """An API client authenticated as ``user`` (its role decides what it may do)."""
    client = APIClient()
    client.force_authenticate(user)
    return client
