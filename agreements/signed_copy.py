"""Build a signed copy on the very bytes of the PDF that was signed.

Why not lay the agreement out again with a sign-off page at the end? Because a re-render is
only *probably* the same document: a stylesheet, a font, a WeasyPrint upgrade or a template
edit made since publication moves a line, then a page break, and the signed copy no longer
pages like the PDF whose SHA-256 the signer confirmed (it once had 10 agreement pages where
the signed PDF had 9). So nothing is laid out again. ``append_signoff`` opens the stored PDF
as an *incremental update* (pypdf): the file's first bytes are the PDF shown, unchanged, and
everything this module adds comes after them:

- the sign-off page(s), laid out on their own by WeasyPrint (``services.render_signoff_pdf``)
  and appended after the last page, numbered on from it;
- their tags: the sign-off's structure elements join the document's ``/Document`` element and
  its parent tree (keys shifted past the agreement's), so the copy stays a tagged PDF;
- a "Sign-off" entry at the end of the outline (bookmarks), under the agreement's title;
- the PDF shown, embedded as an attachment (``/AFRelationship /Source``);
- the title (document information and XMP) naming the school it was signed for.

The seal (``agreements.seal``, PAdES) is applied afterwards, as one more incremental update
covering the whole file. The first N pages of a signed copy are thus the N pages of the
version's PDF, object for object: they cannot drift, whatever changes in the layout code.
"""

import io
import re
from typing import Any
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)


class SignedCopyError(Exception):
    """The stored PDF or the sign-off pages are not laid out as this module expects."""


def page_count(pdf: bytes) -> int:
    """Return how many pages ``pdf`` has."""
    return len(PdfReader(io.BytesIO(pdf)).pages)


def append_signoff(
    shown: bytes,
    signoff: bytes,
    *,
    attachment_name: str,
    attachment_description: str,
    title: str,
    outline_title: str = "Sign-off",
) -> bytes:
    """Return ``shown`` (the PDF as signed) with the pages of ``signoff`` after its own, the
    sign-off's tags merged into its structure tree, an outline entry, ``shown`` embedded as a
    file and ``title`` as the document's title. ``shown``'s bytes are the result's prefix."""
    writer = PdfWriter(PdfReader(io.BytesIO(shown)), incremental=True)
    extra = PdfReader(io.BytesIO(signoff))
    first_new = len(writer.pages)
    tree = _struct_tree(writer.root_object)
    extra_tree = _struct_tree(_dict(extra.trailer["/Root"]))
    offset = _next_parent_key(tree)
    for page in extra.pages:
        added = writer.add_page(page)  # pypdf drops /StructParents: set it again, shifted
        if "/StructParents" in page:
            key = _int(page["/StructParents"]) + offset
            added[NameObject("/StructParents")] = NumberObject(key)
        for annotation in _list(added.get("/Annots")):
            link = _dict(annotation)
            if "/StructParent" in link:
                link[NameObject("/StructParent")] = NumberObject(
                    _int(link["/StructParent"]) + offset
                )
    if tree is not None and extra_tree is not None:
        _merge_structure(writer, tree, extra_tree, offset)
    _append_outline_item(writer, outline_title, first_new)
    attached = writer.add_attachment(attachment_name, shown)
    attached.description = TextStringObject(attachment_description)
    attached.subtype = NameObject("/application/pdf")
    attached.associated_file_relationship = NameObject("/Source")
    _set_title(writer, title)
    output = io.BytesIO()
    writer.write(output)
    data = output.getvalue()
    if not data.startswith(shown):  # the promise this module makes: checked, not assumed
        raise SignedCopyError("The signed copy does not begin with the PDF shown.")
    return data


# -- pypdf objects, typed ----------------------------------------------------------------------


def _dict(obj: Any) -> DictionaryObject:
    resolved = obj.get_object() if obj is not None else None
    if not isinstance(resolved, DictionaryObject):
        raise SignedCopyError(f"Expected a dictionary, found {type(resolved).__name__}.")
    return resolved


def _list(obj: Any) -> list[Any]:
    resolved = obj.get_object() if obj is not None else None
    return list(resolved) if isinstance(resolved, ArrayObject) else []


def _int(obj: Any) -> int:
    return int(obj.get_object() if hasattr(obj, "get_object") else obj)


def _ref(obj: Any) -> IndirectObject:
    ref = obj if isinstance(obj, IndirectObject) else getattr(obj, "indirect_reference", None)
    if not isinstance(ref, IndirectObject):
        raise SignedCopyError("Expected an indirect object.")
    return ref


# -- structure (tags) --------------------------------------------------------------------------


def _struct_tree(root: DictionaryObject) -> DictionaryObject | None:
    tree = root.get("/StructTreeRoot")
    return _dict(tree) if tree is not None else None


def _document_element(tree: DictionaryObject) -> DictionaryObject:
    """Return the tree's top element (WeasyPrint writes one ``/Document`` element)."""
    kids = tree["/K"]
    element = _dict(kids[0] if isinstance(kids, ArrayObject) else kids)
    if not _is_element(element):
        raise SignedCopyError("The structure tree has no top element.")
    return element


def _numbers(tree: DictionaryObject) -> ArrayObject:
    """Return the flat ``/Nums`` array of the tree's parent tree (WeasyPrint writes one)."""
    parent_tree = _dict(tree["/ParentTree"])
    nums = parent_tree.get("/Nums")
    if not isinstance(nums, ArrayObject):
        raise SignedCopyError("The parent tree is not a flat number tree.")
    return nums


def _next_parent_key(tree: DictionaryObject | None) -> int:
    if tree is None:
        return 0
    nums = _numbers(tree)
    keys = [_int(nums[i]) for i in range(0, len(nums), 2)]
    return max([_int(tree.get("/ParentTreeNextKey", 0)) - 1, *keys]) + 1


def _merge_structure(
    writer: PdfWriter, tree: DictionaryObject, extra_tree: DictionaryObject, offset: int
) -> None:
    """Move the sign-off's structure elements under the document's top element and its
    parent-tree entries after the document's (their pages were appended already, so their
    ``/Pg`` references resolve to the appended pages).

    Every element is cloned without its ``/P`` (which would drag in the sign-off's whole
    tree) and given its parent again: its clone's, or the document's top element where it
    hung from the sign-off's. Elements WeasyPrint reaches only from the parent tree (the
    running header's, under the top element but not among its kids) are found too.
    """
    document = _document_element(tree)
    kids = document["/K"]
    if not isinstance(kids, ArrayObject):
        kids = ArrayObject([kids])
        document[NameObject("/K")] = kids
    extra_document = _document_element(extra_tree)
    extra_top = _ref(extra_document).idnum
    nums, extra_nums = _numbers(tree), _numbers(extra_tree)
    # Every element of the sign-off: from its top element down, and from its parent tree up.
    elements: dict[int, IndirectObject] = {}
    pending: list[Any] = list(_kids(extra_document))
    for i in range(1, len(extra_nums), 2):
        value = extra_nums[i]
        pending += _list(value) if isinstance(value.get_object(), ArrayObject) else [value]
    while pending:
        ref = pending.pop()
        if not isinstance(ref, IndirectObject) or ref.idnum in elements or ref.idnum == extra_top:
            continue
        element = ref.get_object()
        if not isinstance(element, DictionaryObject) or not _is_element(element):
            continue
        elements[ref.idnum] = ref
        pending += _kids(element)
        if "/P" in element:
            pending.append(element.raw_get("/P"))
    clones = {i: _ref(ref.clone(writer, ignore_fields=("/P",))) for i, ref in elements.items()}
    # Top-level elements keep the sign-off's order: its kids first, then the others.
    order = [k.idnum for k in _kids(extra_document) if k.idnum in clones]
    order += [idnum for idnum in clones if idnum not in order]
    for idnum in order:
        source = _dict(elements[idnum])
        parent = _ref(source.raw_get("/P")).idnum if "/P" in source else extra_top
        clone = _dict(clones[idnum])
        if parent in clones:
            clone[NameObject("/P")] = clones[parent]
        else:  # hung from the sign-off's top element: now from the document's
            clone[NameObject("/P")] = _ref(document)
            kids.append(clones[idnum])
    last = offset - 1
    for i in range(0, len(extra_nums), 2):
        last = _int(extra_nums[i]) + offset
        nums.append(NumberObject(last))
        nums.append(extra_nums[i + 1].clone(writer, ignore_fields=("/P",)))
    tree[NameObject("/ParentTreeNextKey")] = NumberObject(last + 1)


def _is_element(obj: DictionaryObject) -> bool:
    return "/S" in obj


def _kids(element: DictionaryObject) -> list[IndirectObject]:
    """Return an element's kids that are elements in their own right (not marked content)."""
    kids = element.raw_get("/K") if "/K" in element else None
    listed = _list(kids) if isinstance(kids, ArrayObject) else [kids]
    return [
        k
        for k in listed
        if isinstance(k, IndirectObject)
        and isinstance(k.get_object(), DictionaryObject)
        and _is_element(_dict(k))
    ]


# -- outline, title ----------------------------------------------------------------------------


def _append_outline_item(writer: PdfWriter, title: str, page_index: int) -> None:
    """Add ``title`` as the last entry under the outline's first item (the agreement's title,
    whose children are its sections), or at the top level if the outline is flat or absent."""
    if "/Outlines" not in writer.root_object:
        writer.add_outline_item(title=title, page_number=page_index)
        return
    outlines = _dict(writer.root_object["/Outlines"])
    page = _ref(writer.pages[page_index])
    item = DictionaryObject(
        {
            NameObject("/Title"): TextStringObject(title),
            NameObject("/Dest"): ArrayObject([page, NameObject("/Fit")]),
        }
    )
    parent = outlines
    if "/First" in outlines and "/First" in _dict(outlines["/First"]):
        parent = _dict(outlines["/First"])  # the title, whose children are the sections
    item[NameObject("/Parent")] = _ref(parent)
    item_ref = writer._add_object(item)
    if "/Last" in parent:
        _dict(parent["/Last"])[NameObject("/Next")] = item_ref
        item[NameObject("/Prev")] = parent.raw_get("/Last")
    else:
        parent[NameObject("/First")] = item_ref
    parent[NameObject("/Last")] = item_ref
    # /Count: positive when open (visible descendants), negative when closed.
    count = _int(parent.get("/Count", 0))
    parent[NameObject("/Count")] = NumberObject(count - 1 if count < 0 else count + 1)
    if parent is not outlines and count >= 0 and "/Count" in outlines:
        outlines[NameObject("/Count")] = NumberObject(_int(outlines["/Count"]) + 1)


_XMP_TITLE = re.compile(rb"(<dc:title>\s*<rdf:Alt>\s*<rdf:li[^>]*>)(.*?)(</rdf:li>)", re.DOTALL)


def _set_title(writer: PdfWriter, title: str) -> None:
    """Set the title in the document information and in the XMP metadata (PDF/UA wants the
    two to agree, and viewers show it instead of the file name)."""
    writer.add_metadata({"/Title": title})
    if "/Metadata" not in writer.root_object:
        return
    stream = writer.root_object["/Metadata"].get_object()
    if not isinstance(stream, StreamObject):
        return
    xmp = stream.get_data()
    new = _XMP_TITLE.sub(lambda m: m.group(1) + escape(title).encode() + m.group(3), xmp, count=1)
    if new != xmp:
        stream.set_data(new)
