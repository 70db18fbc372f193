"""Signing stays fast because of how it is built, checked here without a stopwatch (machines
are noisy; ``scripts/bench_agreements.py`` times it, with about 254 party schools): the stored
PDF is read lazily, only the few objects the update changes, and never whole with pypdf; its
parent tree is copied, not parsed; the seal parses no private key and signs once."""

from unittest import mock

import pytest
from cryptography.hazmat.primitives import serialization

from agreements.seal import LoadedKeySigner, seal_identity, seal_writer
from agreements.signed_copy import ParentTree, _struct_tree
from tests.agreements.conftest import STOUR, school
from tests.agreements.test_signed_copies import built_copy, read
from tests.factories import sign

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]


def test_a_signed_copy_parses_only_a_few_objects_of_the_stored_pdf(world) -> None:
    copy = built_copy(world.version(2))
    seal_writer(copy.writer, reason="Test")

    stored = len(copy.reader.xrefs.explicit_refs_in_revision(0))
    parsed = len(copy.reader.resolved_objects)
    assert parsed < 25  # the catalog, page tree, structure tree's top, outline, metadata...
    assert stored > 10 * parsed  # every page's tags, and more with every party school


def test_the_stored_parent_tree_is_copied_not_parsed(world) -> None:
    copy = built_copy(world.version(2))

    tree = ParentTree(copy.reader, copy.writer, _struct_tree(copy.writer.root))

    assert tree.stored is not None
    assert tree.ref.idnum not in {idnum for _, idnum in copy.reader.resolved_objects}


def test_signing_never_reads_or_writes_a_pdf_with_pypdf(world, monkeypatch) -> None:
    """pypdf parses a whole file (hundreds of ms for an agreement with 254 schools)."""

    def whole_file(*args, **kwargs):
        raise AssertionError("pypdf read or wrote a PDF while signing")

    monkeypatch.setattr("pypdf.PdfReader.__init__", whole_file)
    monkeypatch.setattr("pypdf.PdfWriter.__init__", whole_file)
    version = world.version(2)

    result = sign(version, school(STOUR))

    signed = read(result.signature.signed_pdf)
    result.signature.signed_pdf.delete(save=False)  # the package's media outlive this test
    assert signed.startswith(read(version.pdf))


def test_a_seal_parses_no_private_key_and_signs_once(world) -> None:
    identity = seal_identity()
    assert isinstance(identity.signer, LoadedKeySigner)
    seal_writer(built_copy(world.version(2)).writer, reason="Warm")  # keys parsed, room sized

    with (
        mock.patch.object(
            serialization, "load_der_private_key", wraps=serialization.load_der_private_key
        ) as load,
        mock.patch.object(
            identity.signer, "async_sign", wraps=identity.signer.async_sign
        ) as signed,
    ):
        seal_writer(built_copy(world.version(2)).writer, reason="Test")

    load.assert_not_called()  # pyHanko's own signer and timestamper parse theirs every time
    assert signed.call_count == 1  # no dry-run signature to size the seal
