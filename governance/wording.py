"""Small rules for putting registry text into sentences without the faults that free text
fields invite when they are joined: a name repeated in its own qualifier ("(WeLearn365)
(WeLearn365)"), brackets inside brackets ("Microsoft (Office 365 (WeLearn365))"), a fact said
twice ("daily, … provisioning, daily") and two wordings of one purpose one after the other.

Every document builder joins registry text through these, so the rule is kept in one place.
"""

import re
from difflib import SequenceMatcher

_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    """Return the words of ``text``, lower case, with a plural or third-person ``s`` dropped
    ("Plans" and "plan" are one word here)."""
    return [w[:-1] if len(w) > 3 and w.endswith("s") else w for w in _WORD.findall(text.lower())]


def mentions(text: str, phrase: str) -> bool:
    """Return whether ``text`` already contains ``phrase`` as whole words."""
    needle = _words(phrase)
    haystack = _words(text)
    if not needle:
        return True
    return any(haystack[i : i + len(needle)] == needle for i in range(len(haystack)))


def qualified(name: str, detail: str) -> str:
    """Return ``name`` with ``detail`` after it, said once and never as nested brackets.

    "Groupcall" + "Xporter, IDaaS" → "Groupcall (Xporter, IDaaS)"; a detail that already
    holds brackets follows a colon ("Microsoft: Office 365 (WeLearn365)"); a detail that
    starts with the name stands alone ("Smoothwall web filter (UTM/SWG)"); one the name
    already says is dropped.
    """
    name, detail = name.strip(), detail.strip()
    if not detail or mentions(name, detail):
        return name
    if _words(detail)[: len(_words(name))] == _words(name):
        return detail
    if "(" in detail or "(" in name:
        return f"{name}: {detail}"
    return f"{name} ({detail})"


def without_repeat(text: str, fact: str) -> str:
    """Return ``text`` without a trailing ", <fact>" that repeats what is said beside it
    ("Groupcall IDaaS account provisioning, daily" next to "How often: daily")."""
    parts = [p.strip() for p in text.split(",")]
    kept = [p for i, p in enumerate(parts) if i == 0 or _words(p) != _words(fact)]
    return ", ".join(kept)


def same_meaning(first: str, second: str) -> bool:
    """Return whether two short texts say the same thing in nearly the same words
    ("Plans school places…" and "Plan school places…"), so only one should be printed."""
    a, b = _words(first), _words(second)
    if not a or not b:
        return False
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    shared = sum(w in longer for w in shorter)
    if len(shorter) >= 3 and shared >= 0.8 * len(shorter):
        return True
    return SequenceMatcher(None, a, b).ratio() >= 0.8


def join_words(items: list[str], conjunction: str = "and") -> str:
    """Return ``items`` as an English list: "a", "a and b", "a, b and c"."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def sentence(text: str) -> str:
    """Return ``text`` ending in one full stop (none added after ? ! or a closing quote)."""
    text = text.strip()
    if not text or text[-1] in '.?!"”':
        return text
    return f"{text}."
