"""Quality checks for the documents the service issues: privacy notices, agreements, signed copies.

Each check is a pure function of a document's PDF (bytes) and/or the HTML it was rendered from,
returning a list of problems in plain words (empty: the document passes). A problem names the
page (or, for a web page, the section) and quotes the text, so whoever fixes it can find it.

PDFs are read with pypdf only (no poppler): ``visitor_text`` gives every piece of text with its
text matrix and the current transformation matrix, from which each piece's baseline position and
size follow. Pieces on one baseline make a line; the running header is what lies in the page's
top margin and the footer what lies in its bottom margin (margins as the print stylesheet's
``@page`` rule sets them: ``margins_from_css``).

Text checks (``text_problems``) read "blocks": for a PDF, runs of lines in content-stream order
(WeasyPrint writes boxes in document order) broken where the text jumps up (the next table
cell), leaves a gap wider than a paragraph's line spacing, changes size, changes weight and
indent at once (a term, then its description), starts a list item (at a list marker's
baseline), or follows a <br> of the HTML; for HTML, the text of each block element, a <br>
ending one too. A phrase is never compared across blocks, so a heading followed by a paragraph
starting with the same words, two table cells alike, or a name and the street on the line
under it, are not faults. A block never runs on across a page break, so a repetition split by
one is not seen in the PDF (the web page's check sees it).
"""

from __future__ import annotations

import difflib
import functools
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

import tinycss2
import tinyhtml5
from pypdf import PdfReader

# -- reading a PDF ---------------------------------------------------------------------------

MM = 72 / 25.4  # points per millimetre


@dataclass(frozen=True)
class Margins:
    """A page's top and bottom margins in points (text there is the running header/footer)."""

    top: float = 22 * MM
    bottom: float = 20 * MM


@dataclass(frozen=True)
class Piece:
    """One run of text the PDF shows: ``y`` is its baseline in points from the page's foot."""

    order: int
    x: float
    y: float
    size: float
    bold: bool
    text: str


@dataclass(frozen=True)
class Line:
    """Pieces on one baseline, left to right."""

    y: float
    pieces: tuple[Piece, ...]

    @property
    def text(self) -> str:
        out = ""
        previous: Piece | None = None
        for piece in self.pieces:
            # Pieces written one after the other carry their own spaces; pieces from elsewhere
            # on the line (another table cell) are separated.
            if (
                previous is not None
                and piece.order != previous.order + 1
                and out
                and not out[-1].isspace()
                and not piece.text[:1].isspace()
            ):
                out += " "
            out += piece.text
            previous = piece
        return re.sub(r"\s+", " ", out).strip()


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    margins: Margins
    header: tuple[Line, ...]
    body: tuple[Line, ...]  # top to bottom
    footer: tuple[Line, ...]
    flow: tuple[Piece, ...]  # the body's pieces in content-stream order
    item_starts: tuple[float, ...] = ()  # baselines of lines a list marker starts

    @property
    def text_top(self) -> float:
        return self.height - self.margins.top

    @property
    def text_bottom(self) -> float:
        return self.margins.bottom


@dataclass(frozen=True)
class PdfText:
    pages: tuple[Page, ...]


# Generated list markers, written after a page's text: not words of the document.
MARKER = re.compile(r"^\s*(?:[•◦▪‣·–-]|\d{1,3}[.)])\s*$")


def _matrix_product(a: Sequence[float], b: Sequence[float]) -> tuple[float, ...]:
    """The product a.b of PDF matrices [a b c d e f]."""
    return (
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    )


def _pieces(page) -> list[Piece]:
    pieces: list[Piece] = []

    def visit(text: str, cm: Sequence[float], tm: Sequence[float], font: dict | None, size: float):
        if not text or list(tm) == [1, 0, 0, 1, 0, 0]:
            return  # pypdf's own line breaks carry no position
        m = _matrix_product(tm, cm)
        base_font = str((font or {}).get("/BaseFont", ""))
        pieces.append(
            Piece(
                order=len(pieces),
                x=m[4],
                y=m[5],
                size=round(size * (m[2] ** 2 + m[3] ** 2) ** 0.5, 2),
                bold="bold" in base_font.lower(),
                text=text.replace("\n", " "),
            )
        )

    page.extract_text(visitor_text=visit)
    return pieces


def _lines(pieces: Iterable[Piece]) -> tuple[Line, ...]:
    groups: list[list[Piece]] = []
    for piece in sorted(pieces, key=lambda p: (-p.y, p.x, p.order)):
        if groups and abs(groups[-1][0].y - piece.y) <= 1.0:
            groups[-1].append(piece)
        else:
            groups.append([piece])
    lines = [Line(y=g[0].y, pieces=tuple(sorted(g, key=lambda p: (p.x, p.order)))) for g in groups]
    return tuple(line for line in lines if line.text)


@functools.lru_cache(maxsize=32)
def read_pdf(pdf: bytes, margins: Margins = Margins()) -> PdfText:
    """Return the PDF's text by page: running header, body lines and footer, with positions."""
    reader = PdfReader(io.BytesIO(pdf))
    pages = []
    for number, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        width, height = float(box.width), float(box.height)
        pieces = _pieces(page)
        header = [p for p in pieces if p.y > height - margins.top]
        footer = [p for p in pieces if p.y < margins.bottom]
        body = [p for p in pieces if margins.bottom <= p.y <= height - margins.top]
        flow = tuple(p for p in body if p.text.strip() and not MARKER.match(p.text))
        markers = tuple(p.y for p in body if p.text.strip() and MARKER.match(p.text))
        pages.append(
            Page(
                number=number,
                width=width,
                height=height,
                margins=margins,
                header=_lines(header),
                body=_lines(flow),
                footer=_lines(footer),
                flow=flow,
                item_starts=markers,
            )
        )
    return PdfText(pages=tuple(pages))


def margins_from_css(*stylesheets: str) -> Margins:
    """The top and bottom margins the stylesheets' plain ``@page`` rules set (later wins)."""
    top, bottom = Margins().top, Margins().bottom
    for css in stylesheets:
        for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
            if rule.type != "at-rule" or rule.lower_at_keyword != "page" or rule.content is None:
                continue
            if any(t.type != "whitespace" for t in rule.prelude):
                continue  # @page :first and the like
            for decl in tinycss2.parse_blocks_contents(
                rule.content, skip_whitespace=True, skip_comments=True
            ):
                if decl.type != "declaration":
                    continue
                lengths = [_points(t) for t in decl.value if t.type in ("dimension", "number")]
                if decl.lower_name == "margin" and lengths:
                    top = lengths[0]
                    bottom = lengths[2] if len(lengths) > 2 else lengths[0]
                elif decl.lower_name == "margin-top" and lengths:
                    top = lengths[0]
                elif decl.lower_name == "margin-bottom" and lengths:
                    bottom = lengths[0]
    return Margins(top=top, bottom=bottom)


UNITS = {"mm": MM, "cm": 10 * MM, "in": 72.0, "pt": 1.0, "px": 0.75, "pc": 12.0, "q": MM / 4}


def _points(token) -> float:
    if token.type == "number":
        return float(token.value) * 0.75
    return float(token.value) * UNITS.get(token.lower_unit, 1.0)


# -- reading HTML ----------------------------------------------------------------------------

XHTML = "{http://www.w3.org/1999/xhtml}"
BLOCKS = {
    "p", "li", "dt", "dd", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "caption",
    "figcaption", "address", "blockquote", "div", "section", "article", "main", "nav", "ul",
    "ol", "dl", "table", "tr", "thead", "tbody", "header", "footer", "aside", "body", "pre",
}  # fmt: skip
HEADINGS = ("h1", "h2", "h3", "h4", "dt")
SKIPPED = {"head", "script", "style", "template"}


def parse_html(html: str) -> Element:
    """Parse as WeasyPrint does (tinyhtml5), with tags stripped of their namespace."""
    root = tinyhtml5.parse(html)
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith(XHTML):
            element.tag = element.tag[len(XHTML) :]
    return root


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def element_text(element: Element) -> str:
    return squash("".join(element.itertext()))


def headings(root: Element) -> list[str]:
    """The text of every h1 to h4 and dt: what must never end a page."""
    found = [element_text(e) for e in root.iter() if e.tag in HEADINGS]
    return [h for h in found if h]


@dataclass
class Block:
    """A run of text read as one (a paragraph, list item, table cell…) and where it is."""

    text: str
    where: str
    after_break: bool = False  # (HTML) the block starts after a <br>


BREAK = "\x00"


def html_blocks(root: Element, *, label: str = "") -> list[Block]:
    """The text of each block element (nested blocks apart; a <br> ends a block too),
    labelled by the section it is in."""
    reader = _BlockReader(label)
    reader.walk(root)
    reader.flush()
    return reader.blocks


class _BlockReader:
    def __init__(self, label: str) -> None:
        self.label = label
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.heading = ""

    def flush(self) -> None:
        parts = "".join(self.buffer).split(BREAK)
        where = f"{self.label}section “{self.heading}”" if self.heading else self.label or "top"
        for index, part in enumerate(parts):
            text = squash(part)
            if text:
                self.blocks.append(Block(text=text, where=where.strip(), after_break=index > 0))
        self.buffer.clear()

    def walk(self, element: Element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        is_block = tag in BLOCKS or tag in HEADINGS
        if tag not in SKIPPED:
            if is_block:
                self.flush()
            if tag in ("h1", "h2", "h3"):
                self.heading = element_text(element)
            self.buffer.append(BREAK if tag == "br" else element.text or "")
            for child in element:
                self.walk(child)
            if is_block:
                self.flush()
        self.buffer.append(element.tail or "")


def hard_breaks(root: Element) -> frozenset[tuple[str, str]]:
    """(last word before, first word after) each <br>: where a PDF line ends by design."""
    blocks = html_blocks(root)
    pairs = set()
    for before, after in itertools.pairwise(blocks):
        if after.after_break and tokens(before.text) and tokens(after.text):
            pairs.add((tokens(before.text)[-1].word, tokens(after.text)[0].word))
    return frozenset(pairs)


def pdf_blocks(document: PdfText, breaks: frozenset[tuple[str, str]] = frozenset()) -> list[Block]:
    """The body text of each page as blocks, in reading order (see the module's docstring).

    A new block starts where the text moves up (the next table cell), leaves a gap wider than
    line spacing, changes size or weight at a new line, starts a list item, or follows one of
    the HTML's ``breaks`` (a <br>)."""
    blocks: list[Block] = []
    for page in document.pages:
        current: list[str] = []
        previous: Piece | None = None
        line_x = 0.0  # where the line being read starts
        for piece in page.flow:
            if previous is not None and abs(piece.y - previous.y) > 1.0:
                if _starts_block(page, previous, piece, line_x, "".join(current), breaks):
                    _add_block(blocks, current, page.number)
                    current = []
                elif current and not re.search(r"\w-$", current[-1]):
                    current.append(" ")  # a line break (a word broken at its hyphen joins up)
                line_x = piece.x
            elif previous is None:
                line_x = piece.x
            current.append(piece.text)
            previous = piece
        _add_block(blocks, current, page.number)
    return blocks


def _starts_block(
    page: Page,
    previous: Piece,
    piece: Piece,
    line_x: float,
    before: str,
    breaks: frozenset[tuple[str, str]],
) -> bool:
    gap = previous.y - piece.y
    if (
        gap < 0
        or gap > 1.9 * max(piece.size, previous.size)
        or abs(piece.size - previous.size) > 0.6
        or (piece.bold != previous.bold and abs(piece.x - line_x) > 2)  # a term, its description
        or any(abs(piece.y - y) <= 1.0 for y in page.item_starts)
    ):
        return True
    last, first = tokens(before), tokens(piece.text)
    return bool(last and first and (last[-1].word, first[0].word) in breaks)


def _add_block(blocks: list[Block], parts: list[str], page: int) -> None:
    text = squash("".join(parts))
    if text:
        blocks.append(Block(text=text, where=f"page {page}"))


# -- text checks -----------------------------------------------------------------------------

TRIM = "([{<\"'“‘«"
TRIM_END = ")]}>\"'”’».,;:!?…"
SENTENCE_END = re.compile(r"[.!?;:]$")
FULL_STOP = re.compile(r"[.!?][)\]”’\"']*$")
# Grammatical doublings ("what he had had", "he said that that was"), not slips.
DOUBLES = {"had", "that"}
MAX_PHRASE = 8


@dataclass(frozen=True)
class Token:
    word: str  # lower case, outer punctuation and brackets stripped
    start: int
    end: int
    raw: str


def tokens(text: str) -> list[Token]:
    found = []
    for match in re.finditer(r"\S+", text):
        raw = match.group()
        word = raw.lstrip(TRIM).rstrip(TRIM_END).lower()
        if re.search(r"\w", word):
            found.append(Token(word=word, start=match.start(), end=match.end(), raw=raw))
    return found


def quote(text: str, start: int, end: int, context: int = 30) -> str:
    """The text between start and end with a little either side, in quotation marks."""
    left = max(0, start - context)
    right = min(len(text), end + context)
    while left > 0 and not text[left - 1].isspace():
        left -= 1
    while right < len(text) and not text[right].isspace():
        right += 1
    snippet = text[left:right]
    return f"“{'…' if left else ''}{snippet}{'…' if right < len(text) else ''}”"


def repeated_phrases(blocks: Iterable[Block]) -> list[str]:
    """A phrase of one to eight words said twice in a row ("(WeLearn365) (WeLearn365)")."""
    problems = []
    for block in blocks:
        words = tokens(block.text)
        i = 0
        while i < len(words):
            length = _repeat_at(words, i)
            if length:
                first, last = words[i], words[i + 2 * length - 1]
                phrase = " ".join(w.raw for w in words[i : i + length])
                problems.append(
                    f"{block.where}: “{phrase}” said twice in a row: "
                    f"{quote(block.text, first.start, last.end)}"
                )
                i += 2 * length
            else:
                i += 1
    return problems


def _repeat_at(words: list[Token], i: int) -> int:
    """The longest phrase starting at ``i`` that is repeated straight after (0: none)."""
    for length in range(min(MAX_PHRASE, (len(words) - i) // 2), 0, -1):
        first = [w.word for w in words[i : i + length]]
        if first != [w.word for w in words[i + length : i + 2 * length]]:
            continue
        if not any(re.search(r"[^\W\d_]", w) for w in first):
            continue  # numbers (a table's figures, page numbers)
        if length == 1 and (
            first[0] in DOUBLES
            or SENTENCE_END.search(words[i].raw)
            or (words[i + 1].raw.startswith("(") and not words[i].raw.startswith("("))
        ):
            continue  # "had had"; "…to parents. Parents can…"; "Redstor (Redstor Backup)"
        ends = [bool(FULL_STOP.search(w.raw)) for w in words[i : i + 2 * length]]
        if ends[: length - 1] != ends[length : 2 * length - 1]:
            continue  # "(… assessment). Information: Assessment information"
        return length
    return 0


def nested_parentheses(blocks: Iterable[Block]) -> list[str]:
    """A bracket opened inside another: "Microsoft (Office 365 (WeLearn365))".

    Brackets attached to the word before them are part of a citation, not a group:
    "Contract (Art 6(1)(b))" is one group holding the citation 6(1)(b).
    """
    problems = []
    for block in blocks:
        text = block.text
        stack: list[tuple[int, bool]] = []  # (where it opened, whether it is a citation's)
        for i, char in enumerate(text):
            if char == "(":
                citation = i > 0 and (text[i - 1].isalnum() or text[i - 1] == ")")
                if not citation and any(not c for _, c in stack):
                    outer = next(start for start, c in reversed(stack) if not c)
                    close = _closing(text, outer)
                    problems.append(
                        f"{block.where}: brackets inside brackets: {quote(text, outer, close, 20)}"
                    )
                    stack = []  # one report per group
                    continue
                stack.append((i, citation))
            elif char == ")" and stack:
                stack.pop()
    return problems


def _closing(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i + 1
    return len(text)


def repeated_then(blocks: Iterable[Block]) -> list[str]:
    """A description that already says what happens at the end, then "Then: …" saying it again:
    "…usually 12 months, then securely deleted. Then: securely deleted."."""
    problems = []
    for block in blocks:
        text = block.text
        for match in re.finditer(r"\bThen:\s*", text):
            before = text[: match.start()]
            stop = before.rstrip().rfind(". ", 0, len(before.rstrip()) - 1)
            sentence_start = stop + 2 if stop >= 0 else 0
            previous = before[sentence_start:]
            after_end = re.search(r"[.!?](\s|$)", text[match.end() :])
            after = text[match.end() : match.end() + after_end.start() if after_end else None]
            said = re.search(r"\bthen\b", previous, re.IGNORECASE)
            again = _words(after) and _contains(_words(before), _words(after))
            if said or again:
                problems.append(
                    f"{block.where}: “Then:” repeats what the description already says: "
                    f"{quote(text, sentence_start, match.end() + len(after) + 1, 0)}"
                )
    return problems


def _words(text: str) -> list[str]:
    return [t.word for t in tokens(text)]


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


LIST_SPLIT = re.compile(r"[,;·]|:(?!//)")
LIST_ITEM_WORDS = 6  # longer is a clause: "…, unless a parent asks us to send only the name, …"


def repeated_list_items(blocks: Iterable[Block]) -> list[str]:
    """One sentence naming an item twice: "How often: daily, Groupcall IDaaS …, daily."."""
    problems = []
    for block in blocks:
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z“\"(])", block.text):
            seen: set[str] = set()
            for raw in LIST_SPLIT.split(sentence):
                item = " ".join(_words(raw))
                if len(item.split()) > LIST_ITEM_WORDS:
                    seen = set()  # a clause, not a list item: the list (if any) ended
                    continue
                if not re.search(r"[^\W\d_]", item):
                    continue
                if item in seen:
                    problems.append(
                        f"{block.where}: “{_item(raw)}” listed twice in one sentence: “{sentence}”"
                    )
                    break
                seen.add(item)
    return problems


def _item(raw: str) -> str:
    """A list item as quoted: without the sentence's full stop or a bracket it did not open."""
    item = squash(raw).rstrip(".")
    if item.count(")") > item.count("("):
        item = item.rstrip(")")
    if item.count("(") > item.count(")"):
        item = item.lstrip("(")
    return item


def then_column_repeats(root: Element) -> list[Block]:
    """Rows of a table with a "Then" column whose earlier cells already say what happens at
    the end ("…, then reviewed and securely destroyed." | "Reviewed, then deleted…"); returned
    as blocks of the row's text so the caller can say where they are."""
    found = []
    for table in root.iter("table"):
        header = [element_text(c).lower() for c in _row_cells(next(table.iter("tr"), None))]
        if "then" not in header:
            continue
        column = header.index("then")
        for row in list(table.iter("tr"))[1:]:
            cells = [element_text(c) for c in _row_cells(row)]
            if len(cells) <= column:
                continue
            before = " ".join(cells[:column])
            said = re.search(r"\bthen\b", before, re.IGNORECASE)
            if said or _contains(_words(before), _words(cells[column])):
                found.append(Block(text=f"{before} | Then: {cells[column]}", where=""))
    return found


def _row_cells(row: Element | None) -> list[Element]:
    return [c for c in row if c.tag in ("td", "th")] if row is not None else []


def text_problems(blocks: Sequence[Block]) -> list[str]:
    """Every text check on the blocks."""
    return [
        *repeated_phrases(blocks),
        *nested_parentheses(blocks),
        *repeated_then(blocks),
        *repeated_list_items(blocks),
    ]


# -- layout checks ---------------------------------------------------------------------------


def normal(text: str) -> str:
    """Words only, lower case: for comparing a line with a heading."""
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def heading_at_page_foot(document: PdfText, root: Element) -> list[str]:
    """A heading (h1 to h4, dt) as the last line of a page, or the first lines of one."""
    wanted = {normal(h) for h in headings(root)} - {""}
    problems = []
    for page in document.pages:
        for count in range(1, min(4, len(page.body)) + 1):
            tail = page.body[-count:]
            text = normal(" ".join(line.text for line in tail))
            if not re.search(r"[^\W\d_]", text):
                continue
            if not tail[0].pieces[0].bold:
                continue  # headings are bold; a paragraph's last words may match one
            match = next((h for h in wanted if h == text or h.startswith(text + " ")), None)
            if match is not None:
                shown = " / ".join(line.text for line in tail)
                problems.append(f"page {page.number}: ends with a heading: “{shown}”")
                break
    return problems


def text_pages(document: PdfText) -> list[Page]:
    """The pages before an appendix (pages of its own, headed “Appendix…”): all of them when
    there is none."""
    for number, page in enumerate(document.pages):
        first = page.body[0] if page.body else None
        if first is not None and first.pieces[0].bold and first.text.startswith("Appendix"):
            return document.pages[:number]
    return document.pages


def last_page_fill(document: PdfText, minimum: float = 0.25) -> list[str]:
    """The text's last page at least a quarter full, unless the text is one page (an
    appendix's pictures take what room they need)."""
    pages = text_pages(document)
    if len(pages) < 2:
        return []
    page = pages[-1]
    if not page.body:
        return [f"page {page.number}: the last page is empty"]
    lowest = min(line.y for line in page.body)
    fill = (page.text_top - lowest) / (page.text_top - page.text_bottom)
    if fill >= minimum:
        return []
    lines = " / ".join(line.text for line in page.body)
    return [
        f"page {page.number}: the last page is {int(fill * 100)}% full (under {minimum:.0%}), "
        f"holding {len(page.body)} line(s): “{lines}”"
    ]


EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def broken_emails(document: PdfText, root: Element) -> list[str]:
    """Every email address in the HTML whole on one line of the PDF."""
    body = next(root.iter("body"), root)
    addresses = sorted(set(EMAIL.findall(" ".join(body.itertext()))))
    lines = [line.text for page in document.pages for line in (*page.header, *page.body)]
    problems = []
    for address in addresses:
        if not any(address in line.replace(" ", "") for line in lines):
            problems.append(_where_broken(address, document))
    return problems


def _where_broken(address: str, document: PdfText) -> str:
    """Where the address's pieces are (in content-stream order they follow each other)."""
    for page in document.pages:
        flow = page.flow
        joined = ""
        owner: list[int] = []
        for index, piece in enumerate(flow):
            text = piece.text.replace(" ", "")
            joined += text
            owner += [index] * len(text)
        at = joined.find(address)
        if at >= 0:
            used = sorted(set(owner[at : at + len(address)]))
            parts = " / ".join(f"“{flow[i].text.strip()}”" for i in used)
            return f"page {page.number}: {address} is broken across lines: {parts}"
    return f"{address} is not on any one line of the PDF"


def running_header(document: PdfText) -> list[str]:
    """The running header (top margin of pages 2 onwards) on one line."""
    problems: dict[str, list[int]] = {}
    for page in document.pages[1:]:
        if not page.header:
            problem = "no running header"
        elif len(page.header) > 1:
            shown = " / ".join(line.text for line in page.header)
            problem = f"the running header takes {len(page.header)} lines: “{shown}”"
        else:
            continue
        problems.setdefault(problem, []).append(page.number)
    return [f"{_pages(numbers)}: {problem}" for problem, numbers in problems.items()]


def _pages(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"pages {numbers[0]}–{numbers[-1]}"
    return "pages " + ", ".join(map(str, numbers))


SECTION_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)*\.?\s+")


def contents_match_headings(root: Element, document: PdfText | None = None) -> list[str]:
    """Each contents entry (nav.toc li a) in the same words as the heading it links to."""
    by_id = {e.get("id"): e for e in root.iter() if e.get("id")}
    where = _contents_page(document) if document is not None else "contents"
    problems = []
    for nav in root.iter("nav"):
        if "toc" not in (nav.get("class") or "").split():
            continue
        for link in nav.iter("a"):
            entry = element_text(link)
            href = link.get("href") or ""
            target = by_id.get(href[1:]) if href.startswith("#") else None
            if target is None:
                problems.append(
                    f"{where}: “{entry}” links to {href!r}, which is not in the document"
                )
                continue
            heading = target if target.tag in HEADINGS else _first_heading(target)
            if heading is None:
                problems.append(f"{where}: “{entry}” links to {href}, which has no heading")
                continue
            title = element_text(heading)
            if normal(SECTION_NUMBER.sub("", title)) != normal(SECTION_NUMBER.sub("", entry)):
                problems.append(
                    f"{where}: the contents says “{entry}” but the heading it links to says "
                    f"“{element_text(heading)}”"
                )
    return problems


def _first_heading(element: Element) -> Element | None:
    return next((e for e in element.iter() if e.tag in ("h1", "h2", "h3", "h4", "h5", "h6")), None)


def _contents_page(document: PdfText) -> str:
    for page in document.pages:
        if any(line.text == "Contents" for line in page.body):
            return f"page {page.number} (contents)"
    return "contents"


PAGE_COUNT = re.compile(r"\b(Page \d+) of \d+\b")


def page_lines(page: Page) -> list[str]:
    """A page's text line by line, the footer's page total left out (a longer copy has more)."""
    footer = [PAGE_COUNT.sub(r"\1", line.text) for line in page.footer]
    return [line.text for line in (*page.header, *page.body)] + footer


def signed_copy_pages(signed: PdfText, copy: PdfText) -> list[str]:
    """The signed copy's first N pages identical in text to the N pages that were signed, and
    at least one page more (the sign-off)."""
    problems = []
    count = len(signed.pages)
    if len(copy.pages) <= count:
        problems.append(
            f"the signed copy has {len(copy.pages)} pages; the signed PDF has {count}, "
            "so there is no sign-off page after them"
        )
    for original, page in zip(signed.pages, copy.pages, strict=False):
        a, b = page_lines(original), page_lines(page)
        if a == b:
            continue
        diff = [
            line
            for line in difflib.unified_diff(a, b, lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))
        ]
        shown = "; ".join(
            f"{'signed PDF' if line[0] == '-' else 'signed copy'} has “{line[1:]}”"
            for line in diff[:4]
        )
        more = f" (and {len(diff) - 4} more lines differ)" if len(diff) > 4 else ""
        problems.append(f"page {page.number} differs from the page signed: {shown}{more}")
    return problems


# -- whole documents -------------------------------------------------------------------------


@dataclass
class Problems:
    """Problems found in one document, grouped by check."""

    by_check: dict[str, list[str]] = field(default_factory=dict)

    def add(self, check: str, problems: list[str]) -> None:
        if problems:
            self.by_check.setdefault(check, []).extend(problems)

    def __bool__(self) -> bool:
        return bool(self.by_check)

    def __iter__(self) -> Iterator[str]:
        for check, problems in self.by_check.items():
            for problem in problems:
                yield f"[{check}] {problem}"

    def report(self, title: str) -> str:
        lines = list(self)
        return f"{title}: {len(lines)} problem(s)\n" + "\n".join(f"  - {p}" for p in lines)


def locate(document: PdfText, text: str) -> str:
    """The page showing ``text`` (its first eight words), for a problem found in the HTML."""
    wanted = normal(" ".join(text.split()[:8]))
    for page in document.pages:
        if wanted and wanted in normal(" ".join(piece.text for piece in page.flow)):
            return f"page {page.number}"
    return "page ?"


def document_problems(pdf: bytes, html: str, margins: Margins = Margins()) -> Problems:
    """Every check on a PDF and the full HTML it was rendered from."""
    document = read_pdf(pdf, margins)
    root = parse_html(html)
    found = Problems()
    blocks = pdf_blocks(document, hard_breaks(root))
    found.add("repeated phrase", repeated_phrases(blocks))
    found.add("nested brackets", nested_parentheses(blocks))
    found.add("repeated Then", repeated_then(blocks))
    found.add(
        "repeated Then",
        [
            f"{locate(document, row.text)}: the “Then” column repeats what the row already says: "
            f"“{row.text}”"
            for row in then_column_repeats(root)
        ],
    )
    found.add("repeated list item", repeated_list_items(blocks))
    found.add("heading at page foot", heading_at_page_foot(document, root))
    found.add("last page", last_page_fill(document))
    found.add("broken email", broken_emails(document, root))
    found.add("running header", running_header(document))
    found.add("contents", contents_match_headings(root, document))
    return found


def web_page_problems(html: str, *, label: str = "") -> Problems:
    """The text checks on a web page's HTML (its ``main`` element when it has one), and its
    contents list (if any) against its headings."""
    root = parse_html(html)
    main = next(root.iter("main"), None)
    if main is None:
        main = root
    blocks = html_blocks(main, label=label)
    found = Problems()
    found.add("repeated phrase", repeated_phrases(blocks))
    found.add("nested brackets", nested_parentheses(blocks))
    found.add("repeated Then", repeated_then(blocks))
    found.add(
        "repeated Then",
        [
            f"the “Then” column repeats what the row already says: “{row.text}”"
            for row in then_column_repeats(main)
        ],
    )
    found.add("repeated list item", repeated_list_items(blocks))
    found.add("contents", contents_match_headings(root))
    return found
