"""Admin forms. The rules live in the models and in ``governance.services``; these forms show
each refusal on the field it concerns and, once the organisation is known, offer only its
records."""

from collections.abc import Iterable
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from governance.models import DataFlow, DataObject, ExternalRecipient, Purpose, StorageSystem
from governance.register import check_purpose_bases
from governance.services import check_flow, check_flow_bases, flows_missing_conditions_for


def add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put each message of ``error`` on its field, or on the form when it has no such field."""
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def limit_choices(form: forms.BaseForm, limits: dict[str, Q]) -> None:
    """Narrow the choices of the form's related fields (those it has) to ``limits``."""
    for name, condition in limits.items():
        field = form.fields.get(name)
        if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
            field.queryset = field.queryset.filter(condition)


def https_urls(field: models.Field, **kwargs: Any) -> forms.Field | None:
    """Build the form field of ``field``; a web address typed without a scheme is https."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


def as_pk(value: Any) -> int | None:
    """Return the primary key ``value`` stands for (a row, a number or a string), if any."""
    value = getattr(value, "pk", value)
    return int(value) if str(value or "").isdigit() else None


def foreign_categories(
    categories: Iterable[DataObject], *, authority_id: int, school_id: int | None
) -> list[str]:
    """Return the titles of ``categories`` that are neither the organisation's nor the
    school's own."""
    return [
        c.title
        for c in categories
        if c.authority_id != authority_id or c.school_id not in (None, school_id)
    ]


class OwnedRecordForm(forms.ModelForm):
    """A record of an organisation or of one of its schools. Choosing the school is enough:
    the organisation follows from it. Its data categories must be the owner's."""

    category_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "authority" in self.fields:
            self.fields["authority"].required = False
        authority = self.instance.authority_id or as_pk(self.initial.get("authority"))
        if authority:
            limit_choices(self, {"school": Q(authority=authority)})
            categories = Q(authority=authority, school__isnull=True)
            school = self.instance.school_id or as_pk(self.initial.get("school"))
            if school:
                categories |= Q(school=school)
            limit_choices(self, dict.fromkeys(self.category_fields, categories))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        school = cleaned.get("school")
        if school is not None and not cleaned.get("authority"):
            cleaned["authority"] = school.authority
        authority = cleaned.get("authority")
        national = self._meta.model._meta.get_field("authority").null
        if authority is None and not national and "authority" not in self.errors:
            self.add_error("authority", "Choose the organisation, or the school it belongs to.")
        for name in self.category_fields:
            foreign = authority and foreign_categories(
                cleaned.get(name, []), authority_id=authority.pk, school_id=as_pk(school)
            )
            if foreign:
                self.add_error(
                    name, f"Not a category of this organisation or school: {', '.join(foreign)}."
                )
        return cleaned


class PurposeForm(OwnedRecordForm):
    """A purpose needs an Art 6 basis, and the interest pursued on legitimate interests."""

    category_fields = ("categories",)

    class Meta:
        model = Purpose
        fields = ["authority", "school", "audience", "description", "lawful_bases", "laws",
                  "legitimate_interest", "categories", "position"]  # fmt: skip
        widgets = {"description": forms.TextInput(attrs={"class": "vLargeTextField"})}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "lawful_bases" in cleaned:
            interest = cleaned.get("legitimate_interest", "")
            try:
                check_purpose_bases(
                    purpose=Purpose(legitimate_interest=interest),
                    lawful_bases=cleaned["lawful_bases"],
                )
            except ValidationError as error:
                add_errors(self, error)
        return cleaned


class StorageSystemForm(OwnedRecordForm):
    category_fields = ("categories",)

    class Meta:
        model = StorageSystem
        fields = ["authority", "school", "name", "kind", "description", "supplier", "in_house",
                  "audience", "categories"]  # fmt: skip
        widgets = {"description": forms.TextInput(attrs={"class": "vLargeTextField"})}


class ExternalRecipientForm(OwnedRecordForm):
    class Meta:
        model = ExternalRecipient
        fields = ["kind", "name", "role", "website", "is_active", "authority", "school",
                  "reach", "audience", "scope", "why", "data_sent", "frequency", "details",
                  "laws", "lawful_bases"]  # fmt: skip
        formfield_callback = https_urls


class DataFlowForm(forms.ModelForm):
    """A flow is checked by the model and by ``services.check_flow`` (its bases cover its
    data; its categories, service and rule are its organisation's; no law or body of the other
    nation); each refusal shows on its field."""

    class Meta:
        model = DataFlow
        fields = [
            "authority", "offering", "school", "partner_service", "processor", "body",
            "purpose", "description", "data_objects", "lawful_bases", "frequency", "transport",
            "retention_rule", "is_active",
        ]  # fmt: skip
        widgets = {"purpose": forms.TextInput(attrs={"class": "vLargeTextField"})}

    def __init__(self, *args: Any, organisation: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        authority = (
            organisation or self.instance.authority_id or as_pk(self.initial.get("authority"))
        )
        if authority:
            limit_choices(self, {
                "offering": Q(authority=authority), "school": Q(authority=authority),
                "partner_service": Q(authority=authority),
                "retention_rule": Q(authority=authority),
                "data_objects": Q(authority=authority),
                "processor": Q(school__isnull=True) | Q(school__authority=authority),
                "body": Q(authority__isnull=True) | Q(authority=authority),
            })  # fmt: skip

    def _post_clean(self) -> None:
        # As Django's UserCreationForm does: the rules that need the built instance run here.
        offering = self.cleaned_data.get("offering")
        if not self.instance.authority_id and offering is not None:
            # A flow added inline on an offering belongs to the offering's organisation.
            self.instance.authority_id = offering.authority_id
        super()._post_clean()  # type: ignore[misc]  # private in django-stubs
        cleaned = self.cleaned_data
        if "data_objects" not in cleaned or "lawful_bases" not in cleaned:
            return
        objects, bases = list(cleaned["data_objects"]), list(cleaned["lawful_bases"])
        try:
            if self.instance.authority_id:
                check_flow(flow=self.instance, data_objects=objects, lawful_bases=bases)
            else:
                check_flow_bases(data_objects=objects, lawful_bases=bases)
        except ValidationError as error:
            add_errors(self, error)


class DataObjectForm(OwnedRecordForm):
    """A data category. A change that would leave flows carrying it in breach is refused:
    special category data the flows do not cite the condition of, or a move to another
    organisation or school than the flows'."""

    class Meta:
        model = DataObject
        fields = [
            "authority", "school", "title", "sif_name", "data_subject", "fields_description",
            "obligation", "source", "held_by_every_school", "is_special_category",
            "special_category_note",
            "art9_condition", "dpa_condition",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk:
            self._check_flows_still_stand(cleaned)
        return cleaned

    def _check_flows_still_stand(self, cleaned: dict[str, Any]) -> None:
        title = cleaned.get("title") or self.instance.title
        candidate = DataObject(
            pk=self.instance.pk,
            title=title,
            is_special_category=cleaned.get("is_special_category", False),
            art9_condition=cleaned.get("art9_condition"),
            dpa_condition=cleaned.get("dpa_condition"),
        )
        stale = flows_missing_conditions_for(candidate)
        if stale:
            self.add_error(
                "art9_condition",
                f"{len(stale)} flow(s) carrying “{title}” do not cite this condition yet: "
                f"{flow_names(stale)}. Add it to their lawful bases first.",
            )
        authority, school = as_pk(cleaned.get("authority")), as_pk(cleaned.get("school"))
        if authority is None or (authority, school) == (
            self.instance.authority_id,
            self.instance.school_id,
        ):
            return
        elsewhere = self.instance.flows.exclude(
            Q(authority=authority) & (Q(school=school) if school else Q())
        )
        if elsewhere:
            self.add_error(
                "school" if authority == self.instance.authority_id else "authority",
                f"Flows of other schools or organisations carry “{title}”: "
                f"{flow_names(list(elsewhere))}. Take it off them first.",
            )


def flow_names(flows: list[DataFlow], most: int = 5) -> str:
    """Name the first ``most`` of ``flows``, and say how many more there are."""
    names = "; ".join(str(flow) for flow in flows[:most])
    return names + (f" and {len(flows) - most} more" if len(flows) > most else "")
