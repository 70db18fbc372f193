"""The PDFs stay tagged when each line of text belongs to its element directly (no /Span
element per line: ``governance.pdf._attach_text_runs_to_their_elements``)."""

import io
import re
from collections import Counter
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from governance import pdf as governance_pdf
from governance.pdf import html_to_pdf
from notices.services import STYLESHEETS

HTML = """<html lang="en-GB"><head><title>Tags</title></head><body>
<h1>Privacy notice</h1>
<p>The school shares <strong>some</strong> information, described at
<a href="https://example.org/more">example.org</a>, with the council.</p>
<ul><li>First item, long enough to run over a line or two of the page when it is laid out
at the notice's type size, so that one list item holds several lines of text.</li>
<li>Second item</li></ul>
<table><thead><tr><th>Who</th><th>Why</th></tr></thead>
<tbody><tr><td>The council</td><td>Admissions</td></tr></tbody></table>
</body></html>"""


def structure(reader: PdfReader) -> list[DictionaryObject]:
    """Every structure element, depth first."""
    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    found, stack = [], [root["/K"]]
    while stack:
        kids = stack.pop().get_object()
        for kid in kids if isinstance(kids, ArrayObject) else [kids]:
            if isinstance(kid, IndirectObject) and "/S" in kid.get_object():
                element = kid.get_object()
                found.append(element)
                stack.append(element["/K"])
    return found


def mcids_of(element: DictionaryObject) -> list[int]:
    kids = element["/K"].get_object()
    return [
        int(k) for k in (kids if isinstance(kids, ArrayObject) else [kids]) if isinstance(k, int)
    ]


def page_mcids(reader: PdfReader) -> list[set[int]]:
    return [
        {int(m) for m in re.findall(rb"/MCID (\d+)", page.get_contents().get_data())}
        for page in reader.pages
    ]


def parent_tree(reader: PdfReader) -> dict[int, Any]:
    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    nums = root["/ParentTree"].get_object()["/Nums"]
    return {int(nums[i]): nums[i + 1].get_object() for i in range(0, len(nums), 2)}


def test_lines_of_text_belong_to_their_elements_and_every_one_is_mapped() -> None:
    assert governance_pdf.TEXT_RUNS_ATTACHED

    reader = PdfReader(io.BytesIO(html_to_pdf(HTML, stylesheets=STYLESHEETS)))

    elements = structure(reader)
    kinds = Counter(str(e["/S"]) for e in elements)
    assert kinds["/Span"] == 0
    for kind in ("/H1", "/P", "/L", "/LI", "/Lbl", "/LBody", "/Link", "/Table", "/TH", "/TD"):
        assert kinds[kind], f"no {kind} element"
    # Each marked-content id on a page is held by exactly one element, and the parent tree
    # says which (what a screen reader follows from the text to its element).
    held = Counter(m for e in elements for m in mcids_of(e))
    assert all(count == 1 for count in held.values())
    tree = parent_tree(reader)
    for page, mcids in zip(reader.pages, page_mcids(reader), strict=True):
        assert mcids
        entries = tree[int(page["/StructParents"])]
        for mcid in mcids:
            owner = entries[mcid].get_object()
            assert mcid in mcids_of(owner)
    words = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "First item, long enough" in words
    assert "The council Admissions" in words
