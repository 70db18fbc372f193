"""URL converters: a malformed identifier never reaches a query (it is a plain 404)."""

from django.urls import register_converter


class URNConverter:
    """A school's URN: 6 digits (England) or the 7-digit school number (Wales)."""

    regex = "[0-9]{6,7}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(URNConverter, "urn")
