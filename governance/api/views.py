"""The registry's resources under ``/api/v1/``.

One viewset class per resource, all alike (``RegistryViewSet``): a list narrowed to what the
caller may read (``roles.visible``), paginated, filtered and ordered, in a fixed number of
queries; reads for every role; writes for staff (through the admin) and, where the record can
be a school's own, for the school's DPO (through the portal), see ``governance.api.writes``.
"""

from typing import Any, ClassVar

from django.db import models
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from governance import register
from governance.api import roles, writes
from governance.api.roles import DPO, STAFF, Visibility, api_role
from governance.api.serializers import filterset, model_serializer
from governance.models import DataFlow, School
from governance.outbox.models import Job


class RegistryPermission(permissions.BasePermission):
    """Anonymous callers: 401. Every role reads; staff write; a DPO writes only where the
    resource can be their school's own (the portal's services then check the record)."""

    message = "Your role can read the register but not change it."

    def has_permission(self, request: Request, view: Any) -> bool:
        role = api_role(request)
        if role is None:
            raise exceptions.NotAuthenticated()
        if request.method in permissions.SAFE_METHODS:
            return True
        return role == STAFF or (role == DPO and getattr(view, "kind", None) is not None)


class RegistryViewSet(viewsets.ModelViewSet):
    """A registry resource. Subclasses name the model, who sees what and how to list it."""

    permission_classes: ClassVar[list[Any]] = [RegistryPermission]
    model: ClassVar[type[models.Model]]
    visibility: ClassVar[Any]  # a Visibility, as a staticmethod
    kind: ClassVar[str | None] = None  # the portal's part of the register a DPO writes
    select: ClassVar[tuple[str, ...]] = ()
    prefetch: ClassVar[tuple[str, ...]] = ()
    ordering: ClassVar[tuple[str, ...]] = ("pk",)

    def get_queryset(self) -> models.QuerySet[Any]:
        queryset = self.model._default_manager.select_related(*self.select)
        queryset = queryset.prefetch_related(*self.prefetch).order_by(*self.ordering)
        return roles.visible(self.request, queryset, type(self).visibility)

    # -- writes -------------------------------------------------------------------------------

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record, warnings = self._save(request, None)
        return self._answer(record, warnings, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.get("partial", False)
        record, warnings = self._save(request, self.get_object(), partial=partial)
        return self._answer(record, warnings, status.HTTP_200_OK)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.get_object()
        if api_role(request) == STAFF:
            writes.staff_delete(request._request, record)
        else:
            school = self._own_school(record)
            writes.dpo_delete(request, self.kind or "", school, record)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _save(
        self, request: Request, instance: models.Model | None, partial: bool = False
    ) -> tuple[models.Model, list[str]]:
        payload = request.data
        readable = self.get_serializer().fields
        if api_role(request) == STAFF:
            writable = writes.staff_form_fields(self.model, request._request)
        else:
            writable = writes.dpo_form_fields(self.kind or "")
        writes.check_fields(payload, writable, readable)
        serializer = self.get_serializer(instance, data=payload, partial=partial)
        for name, field in serializer.fields.items():
            if name not in writable:  # set by the service (a DPO's record's owner) or never
                field.read_only, field.required = True, False
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        if api_role(request) == STAFF:
            return writes.staff_save(request._request, self.model, instance, values)
        sent = values.pop("school", None)
        school = self._own_school(instance) if instance is not None else sent
        if instance is not None and sent is not None and sent != school:
            raise writes.refuse({"school": ["A record stays with its school: add it anew."]})
        if school is None:
            raise writes.refuse({"school": ["Name the school (its URN)."]})
        if school.pk not in roles.dpo_ids(request)[0]:
            raise writes.refuse({"school": ["You are not the DPO of this school."]})
        return writes.dpo_save(request, self.kind or "", school, instance, values)

    def _own_school(self, record: models.Model) -> School:
        """The school whose own record ``record`` is; 403 for the organisation's records."""
        school_id = getattr(record, "school_id", None)
        schools, _ = roles.dpo_ids(self.request)
        if school_id is None or school_id not in schools:
            raise exceptions.PermissionDenied(
                "This record is the organisation's (or national): only staff change it."
            )
        return get_object_or_404(School.objects.select_related("authority"), pk=school_id)

    def _answer(self, record: models.Model, warnings: list[str], code: int) -> Response:
        fresh = self.get_queryset().filter(pk=record.pk).first() or record
        data = dict(self.get_serializer(fresh).data)
        if warnings:
            data["warnings"] = warnings
        return Response(data, status=code)


def resource(
    model: type[models.Model],
    visibility: Visibility,
    *,
    kind: str | None = None,
    select: tuple[str, ...] = (),
    prefetch: tuple[str, ...] = (),
    ordering: tuple[str, ...] = ("pk",),
    filters: tuple[str, ...] = (),
    search: tuple[str, ...] = (),
    lookup: str = "pk",
    doc: str = "",
) -> type[RegistryViewSet]:
    """Declare one resource's viewset."""
    attrs = {
        "model": model, "visibility": staticmethod(visibility), "kind": kind,
        "select": select, "prefetch": prefetch, "ordering": ordering,
        "serializer_class": model_serializer(model), "filterset_class": filterset(model, filters),
        "search_fields": list(search), "ordering_fields": "__all__", "lookup_field": lookup,
        "__doc__": doc or model.__doc__,
    }  # fmt: skip
    bases = (SchoolActions, RegistryViewSet) if model is School else (RegistryViewSet,)
    return type(f"{model.__name__}ViewSet", bases, attrs)


class OutflowSerializer(serializers.Serializer):
    """One flow leaving a school, in words: who receives what, why, how often, how long."""

    id = serializers.IntegerField(help_text="The flow (see /flows/).")
    recipient_kind = serializers.CharField(
        help_text="authority_service, supplier, or the kind of public body or other recipient."
    )
    recipient = serializers.CharField(help_text="Who receives the data.")
    recipient_id = serializers.IntegerField(help_text="Its id under its own resource.")
    purpose = serializers.CharField(help_text="Why the recipient needs it.")
    data_categories = serializers.ListField(
        child=serializers.CharField(), help_text="The data categories sent."
    )
    lawful_bases = serializers.ListField(
        child=serializers.CharField(), help_text="The lawful bases and laws cited (their codes)."
    )
    frequency = serializers.CharField(help_text="How often it is sent.")
    retention = serializers.CharField(
        allow_null=True, help_text="How long the recipient keeps it (null: not recorded)."
    )
    source = serializers.CharField(
        help_text="Why this school sends it: every school, an offering it subscribes to, or "
        "the school's own flow."
    )


def outflow(flow: DataFlow) -> dict[str, Any]:
    recipient = flow.recipient
    return {
        "id": flow.pk, "recipient_kind": flow.recipient_kind, "recipient": str(recipient),
        "recipient_id": getattr(recipient, "pk", None), "purpose": flow.purpose,
        "data_categories": [c.title for c in flow.data_objects.all()],
        "lawful_bases": [b.code for b in flow.lawful_bases.all()],
        "frequency": flow.get_frequency_display(),
        "retention": str(flow.retention_rule) if flow.retention_rule else None,
        "source": flow.source_display,
    }  # fmt: skip


# The school's contact details, security measures and retention schedule: the part of the
# school's own record its DPO keeps (the portal's "Contacts" page).
ContactsSerializer = model_serializer(
    School, only=register.CONTACT_FIELDS, name="ContactsSerializer"
)


class PreviewSerializer(serializers.Serializer):
    audience = serializers.CharField(help_text="pupils or workforce.")
    is_unchanged = serializers.BooleanField(
        help_text="Whether publishing now would issue nothing new for this notice."
    )
    changes = serializers.ListField(
        child=serializers.CharField(), help_text="What would change against the public version."
    )


class PublishedJobSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The background job issuing the notice.")
    audience = serializers.CharField(help_text="pupils or workforce.")
    status = serializers.CharField(help_text="pending, running, done or failed.")
    result = serializers.CharField(help_text="What the job did, once done.")


class SchoolPartPermission(permissions.BasePermission):
    """Anonymous: 401. Every role reads; a write is checked by the service (staff, or the
    school's DPO: ``register.may_edit_register``), which answers 403 to anyone else."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if api_role(request) is None:
            raise exceptions.NotAuthenticated()
        return request.method in permissions.SAFE_METHODS or api_role(request) in (STAFF, DPO)


class SchoolActions:
    """The school resource's own reads and the parts of it the school's DPO keeps."""

    @extend_schema(methods=["GET"], responses=ContactsSerializer)
    @extend_schema(methods=["PATCH"], request=ContactsSerializer, responses=ContactsSerializer)
    @action(
        detail=True, methods=["get", "patch"], permission_classes=[SchoolPartPermission],
        pagination_class=None, filter_backends=[],
    )  # fmt: skip
    def contacts(self, request: Request, urn: str | None = None) -> Response:
        """The school's contact details, security measures and retention schedule, as the
        notices print them. Staff or the school's DPO change them (PATCH: the fields sent);
        like every register edit by a DPO, they reach the notices when the school publishes."""
        school = self.get_object()  # type: ignore[attr-defined]
        if request.method == "PATCH":
            fields = register.CONTACT_FIELDS
            writes.check_fields(request.data, fields, fields)
            checked = ContactsSerializer(school, data=request.data, partial=True)
            checked.is_valid(raise_exception=True)
            school = writes.save_contacts(request, school, checked.validated_data)
        return Response(ContactsSerializer(school).data)

    @extend_schema(methods=["GET"], responses=PreviewSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=None, responses={202: PublishedJobSerializer(many=True)}
    )
    @action(
        detail=True, methods=["get", "post"], permission_classes=[SchoolPartPermission],
        pagination_class=None, filter_backends=[],
    )  # fmt: skip
    def publication(self, request: Request, urn: str | None = None) -> Response:
        """GET: what each notice would say differently if the school published now. POST:
        publish (staff or the school's DPO): a job issues each notice in the background;
        202 with the jobs (see /notice-versions/ for the versions they issue)."""
        school = self.get_object()  # type: ignore[attr-defined]
        if request.method == "GET":
            previews = register.notice_previews(school=school)
            rows = [
                {"audience": str(audience), "is_unchanged": p.is_unchanged, "changes": p.changes}
                for audience, p in previews
            ]
            return Response(PreviewSerializer(rows, many=True).data)
        ids = register.publish_register(school=school, user=request.user)
        jobs = Job.objects.filter(pk__in=ids).order_by("audience")
        rows = [
            {"id": j.pk, "audience": j.audience, "status": j.status, "result": j.result}
            for j in jobs
        ]
        return Response(
            PublishedJobSerializer(rows, many=True).data, status=status.HTTP_202_ACCEPTED
        )

    @extend_schema(responses=OutflowSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def outflows(self, request: Request, urn: str | None = None) -> Response:
        """Every flow that takes data out of this school today (the organisation's, its
        offerings' and its own), in words: who receives what, why, how often, how long."""
        school = self.get_object()  # type: ignore[attr-defined]
        flows = DataFlow.objects.for_school(school, timezone.localdate()).with_details()
        return Response([outflow(f) for f in flows.order_by("purpose", "pk")])
