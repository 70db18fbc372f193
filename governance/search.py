"""Search terms as people type them: the public's school search and the staff's admin searches."""

import re

# C0 and C1 control characters other than whitespace: PostgreSQL refuses a NUL in any text, and
# none of them belongs in a search.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def clean_search_term(term: str) -> str:
    """Return ``term`` without control characters and with its words one space apart, so a
    pasted or hostile term searches for its words instead of failing."""
    return " ".join(CONTROL_CHARACTERS.sub("", term).split())
