"""The documents made from the register, read-only: notice versions, agreement versions, the
signatures on them and the hash-chained sign-off log, each PDF downloadable with the caller's
token (recorded like every private download)."""

from typing import Any, ClassVar

from django.db.models import Q, QuerySet
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agreements.models import AgreementVersion, Signature, SignOffEvent
from governance.api import roles, signing
from governance.api.serializers import filterset
from governance.api.views import RegistryPermission
from governance.api.writes import SchoolByURN
from governance.downloads import private_pdf
from notices.models import NoticeVersion


@extend_schema_field({"type": "string", "format": "uri", "nullable": True})
class PdfLink(serializers.Field):
    """The URL of the record's PDF under the API (null while it has none)."""

    def __init__(self, route: str, file: str = "pdf", **kwargs: Any) -> None:
        self.route, self.file = route, file
        kwargs.setdefault("help_text", "Where to download its PDF with your token (null: none).")
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record: Any) -> str | None:
        if not getattr(record, self.file):
            return None
        url = reverse(self.route, args=[record.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class NoticeVersionSerializer(serializers.ModelSerializer):
    school = SchoolByURN(read_only=True, help_text="The school (its URN).")
    pdf = PdfLink("api:notice-versions-pdf")
    public_url = serializers.SerializerMethodField(
        help_text="The public page of this version, once the school's notices are published."
    )

    class Meta:
        model = NoticeVersion
        fields = [
            "id",
            "school",
            "audience",
            "number",
            "status",
            "content_hash",
            "content",
            "pdf",
            "pdf_size",
            "public_url",
            "layout",
            "created_at",
            "rendered_at",
        ]
        extra_kwargs = {
            "audience": {"help_text": "Whose notice: pupils and parents, or the workforce."},
            "number": {"help_text": "The version's number, from 1, per school and audience."},
            "status": {"help_text": "pending, rendered (issued) or failed."},
            "content_hash": {"help_text": "SHA-256 of the content's canonical JSON."},
            "created_at": {"help_text": "When the version was created."},
            "rendered_at": {"help_text": "When it was issued."},
            "pdf_size": {"help_text": "The PDF's size in bytes."},
        }

    def get_public_url(self, version: NoticeVersion) -> str | None:
        if version.status != NoticeVersion.Status.RENDERED or not version.school.is_published:
            return None
        url = reverse(
            "notices:version", args=[version.school.urn, version.audience, version.number]
        )
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class AgreementVersionSerializer(serializers.ModelSerializer):
    title = serializers.CharField(
        source="agreement.title", read_only=True, help_text="The agreement's title."
    )
    pdf = PdfLink("api:agreement-versions-pdf")

    class Meta:
        model = AgreementVersion
        fields = [
            "id",
            "agreement",
            "title",
            "number",
            "status",
            "review_date",
            "change_summary",
            "content_hash",
            "content",
            "pdf",
            "pdf_sha256",
            "published_at",
            "superseded_at",
        ]
        extra_kwargs = {
            "agreement": {"help_text": "The agreement (its id)."},
            "number": {"help_text": "The version's number."},
            "status": {"help_text": "draft, published or superseded."},
            "content_hash": {"help_text": "SHA-256 of the content the signers confirm."},
            "content": {"help_text": "What the version says, as built from the register."},
            "published_at": {"help_text": "When it was published."},
            "superseded_at": {"help_text": "When a later version replaced it."},
            "pdf_sha256": {"help_text": "SHA-256 of the PDF as published: what signers confirm."},
        }


class SignatureSerializer(serializers.ModelSerializer):
    school = SchoolByURN(read_only=True, help_text="The school signed for (its URN).")
    signer = serializers.CharField(
        source="signer.get_username", read_only=True, help_text="The portal account that signed."
    )
    pdf = PdfLink(
        "api:signatures-pdf",
        file="signed_pdf",
        help_text="Where to download the sealed signed copy with your token.",
    )

    class Meta:
        model = Signature
        fields = [
            "id",
            "version",
            "school",
            "signer",
            "full_name",
            "position",
            "declaration",
            "signed_at",
            "ip_address",
            "document_sha256",
            "signed_pdf_sha256",
            "pdf",
        ]
        extra_kwargs = {
            "version": {"help_text": "The agreement version signed (its id)."},
            "signed_at": {"help_text": "When it was signed."},
            "ip_address": {"help_text": "The address the signature came from, if recorded."},
            "document_sha256": {"help_text": "SHA-256 of the PDF the signer was shown."},
            "signed_pdf_sha256": {"help_text": "SHA-256 of the sealed signed copy."},
        }


class SignOffEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = SignOffEvent
        fields = ["sequence", "recorded_at", "kind", "payload", "previous_hash", "entry_hash"]
        extra_kwargs = {
            "sequence": {"help_text": "The entry's place in the log, from 1."},
            "recorded_at": {"help_text": "When it was recorded."},
            "kind": {"help_text": "What happened (a signature, a round opened...)."},
            "payload": {"help_text": "What the entry records, as hashed."},
            "previous_hash": {"help_text": "The previous entry's hash: the chain."},
            "entry_hash": {"help_text": "SHA-256 of this entry with the previous hash."},
        }


class DocumentViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes: ClassVar[list[Any]] = [RegistryPermission]
    visibility: ClassVar[Any]  # a Visibility, as a staticmethod
    base: ClassVar[QuerySet[Any]]

    def get_queryset(self) -> QuerySet[Any]:
        return roles.visible(self.request, self.base.all(), type(self).visibility)

    def _pdf(self, file: Any, name: str, *, attachment: bool = False) -> FileResponse:
        return private_pdf(self.request._request, file, name, attachment=attachment)


class NoticeVersionViewSet(DocumentViewSet):
    """Every version of every school's privacy notices: issued, pending or failed."""

    serializer_class = NoticeVersionSerializer
    base = NoticeVersion.objects.select_related("school").order_by(
        "school__urn", "audience", "number"
    )
    visibility = staticmethod(roles.of_school)
    filterset_class = filterset(NoticeVersion, ["school", "audience", "status"])
    ordering_fields: ClassVar[list[str]] = ["number", "rendered_at", "created_at"]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: str | None = None) -> FileResponse:
        version = self.get_object()
        return self._pdf(version.pdf, version.download_name)


class AgreementVersionViewSet(DocumentViewSet):
    """The versions of the data sharing agreements (a DPO sees the published ones of their
    schools' organisations)."""

    serializer_class = AgreementVersionSerializer
    base = AgreementVersion.objects.select_related("agreement").order_by("agreement", "number")
    visibility = staticmethod(
        lambda schools, organisations: (
            Q(agreement__authority__in=organisations) & ~Q(status=AgreementVersion.Status.DRAFT)
        )
    )
    filterset_fields: ClassVar[list[str]] = ["agreement", "status"]
    ordering_fields: ClassVar[list[str]] = ["number", "published_at"]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: str | None = None) -> FileResponse:
        version = self.get_object()
        return self._pdf(version.pdf, version.download_name)

    @extend_schema(
        methods=["GET"],
        parameters=[
            OpenApiParameter(
                "school", OpenApiTypes.STR, required=True, description="The school's URN."
            )
        ],
        responses=signing.SigningTermsSerializer,
        summary="What signing this version for one of your schools takes",
    )
    @extend_schema(
        methods=["POST"],
        request=signing.SignRequestSerializer,
        responses={200: SignatureSerializer, 201: SignatureSerializer},
        summary="Sign this version for one of your schools (a school's DPO)",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        permission_classes=[signing.SignPermission],
        pagination_class=None,
        filter_backends=[],
    )
    def sign(self, request: Request, pk: str | None = None) -> Response:
        """A school's DPO signs the version for it, with the portal's checks: the exact
        declaration (GET gives it), the SHA-256 of the PDF read, and the password again
        unless the sign-in is recent or the token is a signing token. 201 with the
        signature; 200 with the first one when the school had already signed."""
        version = self.get_object()
        if request.method == "GET":
            return Response(signing.terms(request, version))
        signature, created = signing.sign(request, version)
        body = SignatureSerializer(signature, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class SignatureViewSet(DocumentViewSet):
    """The schools' counter-signatures of agreement versions, with their evidence."""

    serializer_class = SignatureSerializer
    base = Signature.objects.select_related("school", "signer").order_by("signed_at", "pk")
    visibility = staticmethod(roles.of_school)
    filterset_class = filterset(Signature, ["version", "school"])
    ordering_fields: ClassVar[list[str]] = ["signed_at"]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: str | None = None) -> FileResponse:
        signature = self.get_object()
        return self._pdf(signature.signed_pdf, signature.download_name, attachment=True)


class SignOffLogViewSet(DocumentViewSet):
    """The hash-chained sign-off log (a DPO sees their schools' entries)."""

    serializer_class = SignOffEventSerializer
    base = SignOffEvent.objects.order_by("sequence")
    lookup_field = "sequence"
    filterset_fields: ClassVar[list[str]] = ["kind"]
    ordering_fields: ClassVar[list[str]] = ["sequence"]

    def get_queryset(self) -> QuerySet[Any]:
        if roles.api_role(self.request) != roles.DPO:
            return roles.visible(self.request, self.base.all(), roles.everyone)
        urns = list(roles.dpo_schools(self.request).values_list("urn", flat=True))
        return self.base.filter(payload__school__in=urns)
