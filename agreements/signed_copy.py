"""Build a signed copy on the very bytes of the PDF that was signed.

Why not lay the agreement out again with a sign-off page at the end? Because a re-render is
only *probably* the same document: a stylesheet, a font, a WeasyPrint upgrade or a template
edit made since publication moves a line, then a page break, and the signed copy no longer
pages like the PDF whose SHA-256 the signer confirmed (it once had 10 agreement pages where
the signed PDF had 9). So nothing is laid out again. A ``SignedCopy`` opens the stored PDF for
an *incremental update* (pyHanko): the file's first bytes are the PDF shown, unchanged, and
everything added comes after them:

- the sign-off page(s), laid out on their own by WeasyPrint (``services.render_signoff_pdf``)
  and appended after the last page, numbered on from it;
- their tags: the sign-off's structure elements join the document's ``/Document`` element and
  its parent tree (keys shifted past the agreement's), so the copy stays a tagged PDF;
- a "Sign-off" entry at the end of the outline (bookmarks), under the agreement's title;
- the PDF shown, embedded as an attachment (``/AFRelationship /Source``);
- the title (document information and XMP) naming the school it was signed for.

The seal (``agreements.seal.seal_writer``, PAdES) signs that same update, so the stored PDF
is parsed once, and lazily: only the objects read or changed (the catalog, the page tree, the
structure tree's top, the outline) are ever parsed, whatever the size of the agreement. The
seal's signature covers the whole file. The first N pages of a signed copy are thus the N
pages of the version's PDF, object for object: they cannot drift, whatever changes in the
layout code.
"""

import io
import itertools
import re
from collections.abc import Iterator
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.embed import EmbeddedFileObject, EmbeddedFileParams, FileSpec
from pyhanko.pdf_utils.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NumberObject,
    pdf_name,
    pdf_string,
)
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.xref import ObjStreamRef

# Page attributes a page may inherit from its page tree nodes (ISO 32000-1, 7.7.3.4).
INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")


class SignedCopyError(Exception):
    """The stored PDF or the sign-off pages are not laid out as this module expects."""


class IndexedReader(PdfFileReader):
    """pyHanko's lazy reader, reading each object stream's index once.

    pyHanko's own reads an object stream's index (a pair of numbers per object) again for
    every object it takes from it: about 3 ms an object in an agreement's one stream of some
    3,000 objects, and a signed copy reads dozens of them (and a hundred from the sign-off's).
    Here each index is read once; anything unexpected is left to pyHanko's own reading. Only
    for the PDFs this service laid out: the verifier reads uploads with pyHanko's reader.
    """

    def __init__(self, stream: io.BytesIO) -> None:
        super().__init__(stream, strict=False)
        self._stream_indexes: dict[int, dict[int, tuple[int, int]]] = {}

    def _index(self, stmnum: int) -> tuple[Any, dict[int, tuple[int, int]]]:
        stream = generic.Reference(stmnum, 0, self).get_object()
        index = self._stream_indexes.get(stmnum)
        if index is None:
            index = self._stream_indexes[stmnum] = _object_stream_index(stream)
        return stream, index

    def _get_object_from_stream(self, idnum: int, stmnum: int, idx: int) -> Any:
        stream, index = self._index(stmnum)
        if idnum not in index:
            return super()._get_object_from_stream(idnum, stmnum, idx)
        data = io.BytesIO(stream.read_data(DecodePurpose.OBJECT_STREAM))
        data.seek(index[idnum][0])
        obj = generic.read_object(data, generic.Reference(idnum, 0, self))
        if isinstance(obj, generic.StreamObject | IndirectObject):  # not allowed in a stream
            return super()._get_object_from_stream(idnum, stmnum, idx)
        return obj

    def stored_bytes(self, ref: Any) -> bytes | None:
        """Return the bytes object ``ref`` is written as in its object stream, if it is in
        one and has not been read (and so perhaps changed) yet; else None."""
        if not isinstance(ref, IndirectObject) or ref.generation != 0:
            return None
        if self.cache_get_indirect_object(0, ref.idnum) is not None:
            return None
        try:
            marker = self.xrefs[ref.reference]
        except (KeyError, ValueError):
            return None
        if not isinstance(marker, ObjStreamRef):
            return None
        stream, index = self._index(marker.obj_stream_id)
        if ref.idnum not in index:
            return None
        start, end = index[ref.idnum]
        return bytes(stream.read_data(DecodePurpose.OBJECT_STREAM)[start:end])


def _object_stream_index(stream: Any) -> dict[int, tuple[int, int]]:
    """Return where each object of an object stream starts and ends in its decoded data
    (empty if the stream is not an object stream as the standard lays one out)."""
    try:
        if stream["/Type"] != "/ObjStm":
            return {}
        count, first = int(stream["/N"]), int(stream["/First"])
        data = stream.read_data(DecodePurpose.OBJECT_STREAM)
        numbers = [int(n) for n in data[:first].split()]
    except (KeyError, TypeError, ValueError, AttributeError):
        return {}
    if len(numbers) != 2 * count:
        return {}
    starts = sorted((first + numbers[i + 1], numbers[i]) for i in range(0, len(numbers), 2))
    ends = [start for start, _ in starts[1:]] + [len(data)]
    return {idnum: (start, end) for (start, idnum), end in zip(starts, ends, strict=True)}


def page_count(pdf: bytes) -> int:
    """Return how many pages ``pdf`` has (its page tree's count: nothing else is parsed)."""
    return _page_count(IndexedReader(io.BytesIO(pdf)).root)


class SignedCopy:
    """The stored PDF ``shown`` opened for the incremental update that makes a signed copy.

    ``append_signoff`` adds the sign-off and the rest; ``agreements.seal.seal_writer`` seals
    ``writer`` and returns the file, which ``check`` confirms begins with ``shown``.
    """

    def __init__(self, shown: bytes) -> None:
        self.shown = shown
        self.reader = IndexedReader(io.BytesIO(shown))
        self.writer = IncrementalPdfFileWriter.from_reader(self.reader)

    def page_count(self) -> int:
        """Return how many pages the PDF shown has."""
        return _page_count(self.writer.root)

    def append_signoff(
        self,
        signoff: bytes,
        *,
        attachment_name: str,
        attachment_description: str,
        title: str,
        outline_title: str = "Sign-off",
    ) -> None:
        """Add the pages of ``signoff`` after the PDF's own, the sign-off's tags merged into
        its structure tree, an outline entry, the PDF shown embedded as a file and ``title``
        as the document's title."""
        writer = self.writer
        extra = IndexedReader(io.BytesIO(signoff))
        tree = _struct_tree(writer.root)
        extra_tree = _struct_tree(extra.root) if tree is not None else None
        parent_tree = ParentTree(self.reader, writer, tree) if tree is not None else None
        # The sign-off's parent-tree keys (its pages' and links') go on from the PDF's.
        offset = parent_tree.next_key if parent_tree is not None else 0
        pages = _detached_pages(extra)
        elements, parents = _detached_elements(extra_tree)
        values = _parent_tree_values(extra_tree)
        # One import, so what the pages, the elements and the parent tree share is copied once
        # (and each /Pg, /Obj and annotation /P points at the copy of its page).
        bundle = ArrayObject([*pages, *elements.values(), *(value for _, value in values)])
        bundle.container_ref = extra.root_ref
        copied = iter(_raw_items(_array(writer.import_object(bundle))))
        new_pages = [next(copied) for _ in pages]
        clones = {idnum: next(copied) for idnum in elements}
        new_values = [(key + offset, next(copied)) for key, _ in values]
        _append_pages(writer, new_pages)
        for ref in new_pages:
            _shift_struct_parents(_dict(ref), offset)
        if tree is not None and parent_tree is not None and extra_tree is not None:
            _merge_structure(writer, tree, clones=clones, parents=parents)
            parent_tree.append(new_values)
        _append_outline_item(writer, outline_title, new_pages[0])
        _attach(writer, self.shown, name=attachment_name, description=attachment_description)
        _set_title(writer, title)

    def check(self, data: bytes) -> bytes:
        """Return ``data`` (the file written) if it begins with the PDF shown; else raise."""
        if not data.startswith(self.shown):  # the promise this module makes: checked
            raise SignedCopyError("The signed copy does not begin with the PDF shown.")
        return data

    def write(self) -> bytes:
        """Return the signed copy, unsealed (``seal_writer`` writes it sealed)."""
        output = io.BytesIO()
        self.writer.write(output)
        return self.check(output.getvalue())


def append_signoff(shown: bytes, signoff: bytes, **options: Any) -> bytes:
    """Return ``shown`` with the pages of ``signoff`` after its own and the rest (see
    ``SignedCopy.append_signoff``), unsealed. ``shown``'s bytes are the result's prefix."""
    copy = SignedCopy(shown)
    copy.append_signoff(signoff, **options)
    return copy.write()


# -- PDF objects, typed ------------------------------------------------------------------------


def _dict(obj: Any) -> DictionaryObject:
    resolved = obj.get_object() if obj is not None else None
    if not isinstance(resolved, DictionaryObject):
        raise SignedCopyError(f"Expected a dictionary, found {type(resolved).__name__}.")
    return resolved


def _array(obj: Any) -> ArrayObject | None:
    resolved = obj.get_object() if obj is not None else None
    return resolved if isinstance(resolved, ArrayObject) else None


def _raw_items(array: ArrayObject | None) -> list[Any]:
    return [array.raw_get(i) for i in range(len(array))] if array is not None else []


def _int(obj: Any) -> int:
    return int(obj.get_object() if hasattr(obj, "get_object") else obj)


def _page_count(root: DictionaryObject) -> int:
    return _int(_dict(root.raw_get("/Pages"))["/Count"])


# -- pages -------------------------------------------------------------------------------------


def _page_refs(node: IndirectObject, seen: set[int]) -> Iterator[IndirectObject]:
    if node.idnum in seen:
        raise SignedCopyError("The sign-off's page tree has a loop.")
    seen.add(node.idnum)
    obj = _dict(node)
    if obj.get("/Type") == "/Page":
        yield node
        return
    for kid in _raw_items(_array(obj.raw_get("/Kids"))):
        if not isinstance(kid, IndirectObject):
            raise SignedCopyError("A page tree node's kid is not an indirect object.")
        yield from _page_refs(kid, seen)


def _detached_pages(reader: PdfFileReader) -> list[IndirectObject]:
    """Return the sign-off's pages, each made to stand alone: what it inherited from its page
    tree set on it, and its ``/Parent`` removed (copying it would copy the tree)."""
    root = reader.root.raw_get("/Pages")
    if not isinstance(root, IndirectObject):
        raise SignedCopyError("The sign-off's page tree is not an indirect object.")
    pages = list(_page_refs(root, set()))
    if not pages:
        raise SignedCopyError("The sign-off has no page.")
    for ref in pages:
        page = _dict(ref)
        node = page.raw_get("/Parent") if "/Parent" in page else None
        while node is not None:
            ancestor = _dict(node)
            for key in INHERITED:
                if key not in page and key in ancestor:
                    page[pdf_name(key)] = ancestor.raw_get(key)
            node = ancestor.raw_get("/Parent") if "/Parent" in ancestor else None
        page.pop("/Parent", None)
    return pages


def _append_pages(writer: IncrementalPdfFileWriter, pages: list[IndirectObject]) -> None:
    """Put ``pages`` (already in ``writer``) after the last page: at the end of the page
    tree root's kids, whatever the tree below (so no other page is read)."""
    root_ref = writer.root.raw_get("/Pages")
    root = _dict(root_ref)
    kids = _array(root.raw_get("/Kids"))
    if kids is None:
        raise SignedCopyError("The page tree has no /Kids.")
    for ref in pages:
        kids.append(ref)
        _dict(ref)[pdf_name("/Parent")] = root_ref
    writer.update_container(kids)
    root[pdf_name("/Count")] = NumberObject(_int(root["/Count"]) + len(pages))
    writer.update_container(root)


def _shift_struct_parents(page: DictionaryObject, offset: int) -> None:
    """Shift a sign-off page's parent-tree keys (its own, its annotations') past the PDF's."""
    if "/StructParents" in page:
        page[pdf_name("/StructParents")] = NumberObject(_int(page["/StructParents"]) + offset)
    for annotation in _raw_items(_array(page.raw_get("/Annots") if "/Annots" in page else None)):
        link = _dict(annotation)
        if "/StructParent" in link:
            link[pdf_name("/StructParent")] = NumberObject(_int(link["/StructParent"]) + offset)


# -- structure (tags) --------------------------------------------------------------------------


def _struct_tree(root: DictionaryObject) -> DictionaryObject | None:
    return _dict(root.raw_get("/StructTreeRoot")) if "/StructTreeRoot" in root else None


def _document_ref(tree: DictionaryObject) -> IndirectObject:
    """Return the tree's top element (WeasyPrint writes one ``/Document`` element)."""
    kids = tree.raw_get("/K")
    listed = _array(kids)
    top = listed.raw_get(0) if listed else kids
    if not isinstance(top, IndirectObject) or not _is_element(_dict(top)):
        raise SignedCopyError("The structure tree has no top element.")
    return top


def _numbers(tree: DictionaryObject) -> ArrayObject:
    """Return the flat ``/Nums`` array of the tree's parent tree (WeasyPrint writes one)."""
    nums = _array(_dict(tree.raw_get("/ParentTree")).raw_get("/Nums"))
    if nums is None:
        raise SignedCopyError("The parent tree is not a flat number tree.")
    return nums


# A parent tree as WeasyPrint writes it: one flat /Nums of keys, each with a reference or an
# array of references (a page's marked content's elements, in order).
_PARENT_TREE = re.compile(rb"\s*<<\s*/Nums\s*\[([0-9\s\[\]R]*)\]\s*>>\s*")
_TOKEN = re.compile(rb"\d+|R|\[|\]")


def _flat_keys(body: bytes) -> list[int] | None:
    """Return the keys of a stored ``/Nums`` array's ``body`` if it holds only keys, each
    followed by a reference or an array of references, in ascending order; else None."""
    tokens = _TOKEN.findall(body)
    keys: list[int] = []
    i, n = 0, len(tokens)

    def reference_at(j: int) -> bool:
        return (
            j + 2 < n and tokens[j].isdigit() and tokens[j + 1].isdigit() and tokens[j + 2] == b"R"
        )

    while i < n:
        if not tokens[i].isdigit():
            return None
        keys.append(int(tokens[i]))
        i += 1
        if i < n and tokens[i] == b"[":
            i += 1
            while i < n and tokens[i] != b"]":
                if not reference_at(i):
                    return None
                i += 3
            if i == n:
                return None
            i += 1
        elif reference_at(i):
            i += 3
        else:
            return None
    return keys if all(a < b for a, b in itertools.pairwise(keys)) else None


class AppendedArray(generic.PdfObject):
    """An array written as the stored bytes of its first items, then ``more`` items.

    The parent tree of an agreement lists every tagged element of every page, thousands of
    references: parsing it to add the sign-off's few entries, then writing it all again, is
    most of the cost of the update. Its stored bytes (checked to hold only numbers and
    references, which mean the same in the update) are copied instead.
    """

    def __init__(self, stored: bytes, more: list[Any]) -> None:
        self.stored = stored
        self.more = more

    def write_to_stream(self, stream: Any, handler: Any = None, container_ref: Any = None) -> None:
        stream.write(b"[" + self.stored)
        for item in self.more:
            stream.write(b" ")
            item.write_to_stream(stream, handler, container_ref)
        stream.write(b" ]")


class ParentTree:
    """The document's parent tree (a flat number tree), to add the sign-off's entries to.

    Read from its stored bytes when it is laid out as WeasyPrint lays it out (see
    ``AppendedArray``), else parsed like any object.
    """

    def __init__(
        self, reader: IndexedReader, writer: IncrementalPdfFileWriter, tree: DictionaryObject
    ) -> None:
        self.writer = writer
        self.tree = tree
        self.ref = tree.raw_get("/ParentTree")
        stored = reader.stored_bytes(self.ref)
        match = _PARENT_TREE.fullmatch(stored) if stored is not None else None
        keys = _flat_keys(match.group(1)) if match else None
        self.stored = match.group(1) if match and keys is not None else None
        if keys is None:
            nums = _numbers(tree)
            keys = [_int(nums.raw_get(i)) for i in range(0, len(nums), 2)]
        self.next_key = max([_int(tree.get("/ParentTreeNextKey", 0)) - 1, *keys]) + 1

    def append(self, entries: list[tuple[int, Any]]) -> None:
        """Add ``entries`` (key, value), their keys from ``next_key`` on, in order."""
        if not entries:
            return
        more = [obj for key, value in entries for obj in (NumberObject(key), value)]
        if self.stored is not None:
            # The stored object is replaced in the update, never parsed.
            self.writer.objects[(0, self.ref.idnum)] = DictionaryObject(
                {pdf_name("/Nums"): AppendedArray(self.stored, more)}
            )
        else:
            nums = _numbers(self.tree)
            nums.extend(more)
            self.writer.update_container(nums)
        self.tree[pdf_name("/ParentTreeNextKey")] = NumberObject(entries[-1][0] + 1)
        self.writer.update_container(self.tree)


def _parent_tree_values(tree: DictionaryObject | None) -> list[tuple[int, Any]]:
    if tree is None:
        return []
    nums = _numbers(tree)
    return [(_int(nums.raw_get(i)), nums.raw_get(i + 1)) for i in range(0, len(nums), 2)]


def _is_element(obj: DictionaryObject) -> bool:
    return "/S" in obj


def _kids(element: DictionaryObject) -> list[IndirectObject]:
    """Return an element's kids that are elements in their own right (not marked content)."""
    kids = element.raw_get("/K") if "/K" in element else None
    listed = _raw_items(_array(kids)) if _array(kids) is not None else [kids]
    return [
        k
        for k in listed
        if isinstance(k, IndirectObject)
        and isinstance(k.get_object(), DictionaryObject)
        and _is_element(_dict(k))
    ]


def _detached_elements(
    tree: DictionaryObject | None,
) -> tuple[dict[int, IndirectObject], dict[int, int | None]]:
    """Return every structure element of the sign-off (by object number), from its top
    element down and from its parent tree up, and each one's parent (None: the top element
    or the tree root), their ``/P`` removed so that copying them does not copy the tree.

    Elements WeasyPrint reaches only from the parent tree (the running header's, under the
    top element but not among its kids) are found too.
    """
    if tree is None:
        return {}, {}
    top = _document_ref(tree)
    elements: dict[int, IndirectObject] = {}
    pending: list[Any] = list(_kids(_dict(top)))
    for _, value in _parent_tree_values(tree):
        listed = _array(value)
        pending += _raw_items(listed) if listed is not None else [value]
    while pending:
        ref = pending.pop()
        if not isinstance(ref, IndirectObject) or ref.idnum in elements or ref.idnum == top.idnum:
            continue
        element = ref.get_object()
        if not isinstance(element, DictionaryObject) or not _is_element(element):
            continue
        elements[ref.idnum] = ref
        pending += _kids(element)
        if "/P" in element:
            pending.append(element.raw_get("/P"))
    # Top-level elements keep the sign-off's order: its kids first, then the others.
    order = [k.idnum for k in _kids(_dict(top)) if k.idnum in elements]
    order += [idnum for idnum in elements if idnum not in order]
    parents: dict[int, int | None] = {}
    for idnum in order:
        element = _dict(elements[idnum])
        parent = element.raw_get("/P") if "/P" in element else None
        parents[idnum] = (
            parent.idnum
            if isinstance(parent, IndirectObject) and parent.idnum in elements
            else None
        )
        element.pop("/P", None)
    return {idnum: elements[idnum] for idnum in order}, parents


def _merge_structure(
    writer: IncrementalPdfFileWriter,
    tree: DictionaryObject,
    *,
    clones: dict[int, IndirectObject],
    parents: dict[int, int | None],
) -> None:
    """Hang the sign-off's copied structure elements (``clones``, by the object number of
    their original) under their copied parent or the document's top element."""
    document_ref = _document_ref(tree)
    document = _dict(document_ref)
    raw_kids = document.raw_get("/K") if "/K" in document else None
    kids = _array(raw_kids)
    if kids is None:
        kids = ArrayObject([raw_kids] if raw_kids is not None else [])
        document[pdf_name("/K")] = kids
        writer.update_container(document)
    for idnum, parent in parents.items():
        clone = _dict(clones[idnum])
        if parent is not None:
            clone[pdf_name("/P")] = clones[parent]
        else:  # hung from the sign-off's top element: now from the document's
            clone[pdf_name("/P")] = document_ref
            kids.append(clones[idnum])
    writer.update_container(kids)


# -- outline, attachment, title ----------------------------------------------------------------


def _append_outline_item(
    writer: IncrementalPdfFileWriter, title: str, page: IndirectObject
) -> None:
    """Add ``title`` as the last entry under the outline's first item (the agreement's title,
    whose children are its sections), or at the top level if the outline is flat or absent."""
    root = writer.root
    item = DictionaryObject(
        {
            pdf_name("/Title"): pdf_string(title),
            pdf_name("/Dest"): ArrayObject([page, pdf_name("/Fit")]),
        }
    )
    item_ref = writer.add_object(item)
    if "/Outlines" not in root:
        outlines_ref = writer.add_object(
            DictionaryObject(
                {
                    pdf_name("/Type"): pdf_name("/Outlines"),
                    pdf_name("/First"): item_ref,
                    pdf_name("/Last"): item_ref,
                    pdf_name("/Count"): NumberObject(1),
                }
            )
        )
        item[pdf_name("/Parent")] = outlines_ref
        root[pdf_name("/Outlines")] = outlines_ref
        writer.update_root()
        return
    outlines_ref = root.raw_get("/Outlines")
    outlines = _dict(outlines_ref)
    parent_ref, parent = outlines_ref, outlines
    if "/First" in outlines and "/First" in _dict(outlines.raw_get("/First")):
        parent_ref = outlines.raw_get("/First")  # the title, whose children are the sections
        parent = _dict(parent_ref)
    item[pdf_name("/Parent")] = parent_ref
    if "/Last" in parent:
        last = _dict(parent.raw_get("/Last"))
        last[pdf_name("/Next")] = item_ref
        writer.update_container(last)
        item[pdf_name("/Prev")] = parent.raw_get("/Last")
    else:
        parent[pdf_name("/First")] = item_ref
    parent[pdf_name("/Last")] = item_ref
    # /Count: positive when open (visible descendants), negative when closed.
    count = _int(parent.get("/Count", 0))
    parent[pdf_name("/Count")] = NumberObject(count - 1 if count < 0 else count + 1)
    writer.update_container(parent)
    if parent is not outlines and count >= 0 and "/Count" in outlines:
        outlines[pdf_name("/Count")] = NumberObject(_int(outlines["/Count"]) + 1)
        writer.update_container(outlines)


def _attach(writer: IncrementalPdfFileWriter, data: bytes, *, name: str, description: str) -> None:
    """Embed ``data`` as the file ``name``, the source of this document (``/Source``), in the
    document's flat ``/EmbeddedFiles`` name tree."""
    stream = EmbeddedFileObject.from_file_data(
        writer,
        data=data,
        compress=False,  # a PDF's streams are compressed already
        params=EmbeddedFileParams(embed_size=True, embed_checksum=False),
        mime_type="application/pdf",
    )
    spec = FileSpec(
        file_spec_string=name,
        file_name=name,
        embedded_data=stream,
        description=description,
        af_relationship=pdf_name("/Source"),
    )
    spec_ref = writer.add_object(spec.as_pdf_object())
    root = writer.root
    if "/Names" not in root:
        root[pdf_name("/Names")] = DictionaryObject()
        writer.update_root()
    names = _dict(root.raw_get("/Names"))
    if "/EmbeddedFiles" not in names:
        names[pdf_name("/EmbeddedFiles")] = writer.add_object(
            DictionaryObject({pdf_name("/Names"): ArrayObject()})
        )
        writer.update_container(names)
    tree = _dict(names.raw_get("/EmbeddedFiles"))
    entries = _array(tree.raw_get("/Names")) if "/Names" in tree else None
    if "/Kids" in tree or entries is None:
        raise SignedCopyError("The PDF's embedded files are not a flat name tree.")
    pairs = [(entries.raw_get(i), entries.raw_get(i + 1)) for i in range(0, len(entries), 2)]
    pairs.append((pdf_string(name), spec_ref))
    pairs.sort(key=lambda pair: _key_bytes(pair[0]))  # a name tree's keys are sorted
    entries[:] = [obj for pair in pairs for obj in pair]
    writer.update_container(entries)


def _key_bytes(key: Any) -> bytes:
    return bytes(key) if isinstance(key, bytes) else str(key).encode()


def _set_title(writer: IncrementalPdfFileWriter, title: str) -> None:
    """Set the title in the document information and in the XMP metadata (PDF/UA wants the
    two to agree, and viewers show it instead of the file name): pyHanko writes both when it
    writes the file, keeping the rest of the XMP."""
    writer.document_meta.title = title
    trailer = writer.trailer
    if "/Info" in trailer:
        info = _dict(trailer.raw_get("/Info"))
        info[pdf_name("/Title")] = generic.TextStringObject(title)
        writer.update_container(info)
    else:
        writer.set_info(DictionaryObject({pdf_name("/Title"): generic.TextStringObject(title)}))
