"""Text the law fixes for every notice: the rights people have and how to complain to the ICO.

Government bodies and statutory collections are registry records (``governance.national``),
not text here, so staff can keep their wording, links and what is sent up to date.
"""

ICO = {
    "name": "Information Commissioner's Office",
    "address": ["Wycliffe House", "Water Lane", "Wilmslow", "Cheshire", "SK9 5AF"],
    "phone": "0303 123 1113",
    "website": "https://ico.org.uk",
    "concerns_url": "https://ico.org.uk/concerns/",
}

RIGHTS: list[dict[str, str]] = [
    {"name": "Access", "text": "You can ask for a copy of the information we hold about you "
     "(a subject access request). We must normally reply within one month. We cannot show "
     "parts that contain confidential information about other people, or that a professional "
     "thinks would cause serious harm, or that would stop us preventing or detecting a crime."},
    {"name": "Rectification", "text": "You can ask us to correct information you think is "
     "wrong. We will correct factual mistakes and may note your comments if we disagree."},
    {"name": "Erasure", "text": "In some circumstances you can ask us to delete information, "
     "for example when it is no longer needed or you withdraw consent. We cannot delete what "
     "the law requires us to keep."},
    {"name": "Restriction", "text": "You can ask us to limit how we use information while an "
     "inaccuracy or objection is looked into."},
    {"name": "Objection", "text": "You can object to our use of information based on our "
     "public task or legitimate interests, and to direct marketing at any time."},
    {"name": "Data portability", "text": "Where we use information with your consent or under "
     "a contract, by automated means, you can ask for it in a commonly used format. This rarely "
     "applies to schools."},
    {"name": "Automated decisions and profiling", "text": "You can ask for any decision made "
     "about you by a computer alone to be explained and reviewed by a person. We do not make "
     "such decisions without telling you."},
]  # fmt: skip

CONSENT_RIGHT = {
    "name": "Withdrawing consent",
    "text": "Where we rely on your consent you can withdraw it at any time by contacting the "
    "school. This does not affect what we did before you withdrew it.",
}

_RECORD_LAW = {
    "england": "the Education (Pupil Information) (England) Regulations 2005",
    "wales": "the Education (Pupil Information) (Wales) Regulations 2011",
}


def parent_record_right(nation: str, needs: str, *, maintained: bool) -> dict[str, str]:
    """Return the parents' right to see their child's educational record, for ``nation``.

    In England the regulations give that right at maintained schools only; an academy's
    parents ask the school.
    """
    if nation == "england" and not maintained:
        return {
            "name": "Your child's educational record",
            "text": "Parents can ask the school to see their child's educational record, "
            f"including any {needs} information.",
        }
    return {
        "name": "Your child's educational record",
        "text": "Parents also have a separate right to see their child's educational record, "
        f"including any {needs} information, under {_RECORD_LAW[nation]}.",
    }
