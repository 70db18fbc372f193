"""Forms of a school's own register in the portal.

Each form knows its school only to offer the choices the school may make (the organisation's
records and the school's own); it never carries the owner: ``school`` and ``authority`` are no
fields here, and the services in ``governance.register`` set them. Forms validate input and
never save: the views pass what they cleaned to a service.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from governance import register
from governance.models import (
    DataFlow,
    DataObject,
    ExternalRecipient,
    Purpose,
    School,
    StorageSystem,
)
from governance.models.catalogue import LawfulBasis
from processors.models import Processor

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class CategoryChoice(forms.ModelMultipleChoiceField):
    """Tick boxes of data categories, each saying whose it is."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: DataObject) -> str:
        whose = "your school's" if obj.school_id else "organisation"
        return f"{obj.title} ({obj.get_data_subject_display().lower()}, {whose})"


class BasisChoice(forms.ModelMultipleChoiceField):
    """Tick boxes of lawful bases and laws, by how the law cites them."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: LawfulBasis) -> str:
        return f"{obj.code}: {obj.title}" if obj.kind != LawfulBasis.Kind.STATUTE else obj.code


def formfield(field: models.Field, **kwargs: Any) -> forms.Field | None:
    """Make a model field's form field; links typed without a scheme are read as https."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class RegisterForm(forms.ModelForm):
    """A form about one school's register: its choices are those the school may use."""

    class Meta:
        formfield_callback = formfield

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school = school
        self.limit_choices(school)

    def limit_choices(self, school: School) -> None:
        """Narrow the choice fields to what ``school`` may choose (the forms that have any)."""

    # Model fields the model's checks name that the form shows under another field.
    error_fields: dict[str, str] = {}

    # The many-to-many fields the service takes beside the record, named as it names them.
    service_fields: tuple[str, ...] = ()

    def service_arguments(self) -> dict[str, Any]:
        """Return what the service takes beside the record (its many-to-many choices)."""
        return {name: self.cleaned_data[name] for name in self.service_fields}

    def make_read_only(self) -> None:
        """Show the values without letting them change (for auditors)."""
        for field in self.fields.values():
            field.disabled = True

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a model's or a service's ``ValidationError`` on the field it names, or at the
        top of the form when the form has no such field (``school``, a constraint...)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.error_dict.items():
            shown = self.error_fields.get(name, name)
            self.add_error(shown if shown in self.fields else None, messages)

    def _update_errors(self, errors: ValidationError) -> None:
        # The model's own checks (run as the form validates) go through the same mapping.
        self.add_service_errors(errors)


class StorageSystemForm(RegisterForm):
    service_fields = ("categories",)
    supplier = forms.ModelChoiceField(
        queryset=Processor.objects.none(),
        required=False,
        empty_label="Run by the school itself",
        help_text="The company that runs it, or the school itself (its own premises, servers "
        "and staff).",
    )
    categories = CategoryChoice(
        queryset=DataObject.objects.none(), required=False, label="Data kept in it"
    )

    class Meta(RegisterForm.Meta):
        model = StorageSystem
        fields = ["name", "kind", "description", "audience", "supplier", "categories"]
        labels = {"audience": "Whose notice it appears in"}

    def limit_choices(self, school: School) -> None:
        self.fields["supplier"].queryset = register.suppliers_for(school)  # type: ignore[attr-defined]
        self.fields["categories"].queryset = register.categories_for(school)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.instance.in_house = cleaned.get("supplier") is None
        return cleaned


class SupplierForm(RegisterForm):
    class Meta(RegisterForm.Meta):
        model = Processor
        fields = [
            "name", "service_description", "role", "data_location", "data_leaves_uk",
            "transfer_safeguards", "website",
        ]  # fmt: skip
        labels = {"service_description": "What it does for the school"}
        help_texts = {
            "transfer_safeguards": "Needed when data leaves the UK: adequacy regulations, the "
            "IDTA or the UK addendum to the EU clauses...",
        }
        widgets = {"service_description": TEXTAREA, "transfer_safeguards": TEXTAREA}


class RecipientForm(RegisterForm):
    class Meta(RegisterForm.Meta):
        model = ExternalRecipient
        fields = ["kind", "role", "name", "audience", "why", "data_sent", "frequency"]
        labels = {"audience": "Whose notice it appears in", "why": "Why it receives information"}
        widgets = {"why": TEXTAREA, "data_sent": TEXTAREA}


class FlowForm(RegisterForm):
    service_fields = ("data_objects", "lawful_bases")
    error_fields = {"partner_service": "processor"}
    data_objects = CategoryChoice(queryset=DataObject.objects.none(), label="Data sent")
    lawful_bases = BasisChoice(
        queryset=LawfulBasis.objects.none(),
        help_text="At least one Article 6 basis; the Art 9 condition of any special category "
        "data sent; the laws that require or allow it.",
    )

    class Meta(RegisterForm.Meta):
        model = DataFlow
        fields = [
            "processor", "body", "purpose", "data_objects", "lawful_bases", "frequency",
            "transport", "retention_rule",
        ]  # fmt: skip
        labels = {"processor": "Supplier", "purpose": "Why the recipient needs it"}
        help_texts = {
            "processor": "Choose one recipient: a supplier, or a public body or other recipient.",
            "body": "",
            "purpose": "",
            "retention_rule": "How long the recipient keeps it, if known.",
        }

    def limit_choices(self, school: School) -> None:
        self.fields["processor"].empty_label = "None: a public body or other recipient"  # type: ignore[attr-defined]
        self.fields["body"].empty_label = "None: a supplier"  # type: ignore[attr-defined]
        querysets = {
            "processor": register.suppliers_for(school),
            "body": register.recipients_for(school),
            "data_objects": register.categories_for(school),
            "lawful_bases": register.bases_for(school),
            "retention_rule": register.retention_rules_for(school),
        }
        for name, queryset in querysets.items():
            self.fields[name].queryset = queryset  # type: ignore[attr-defined]


class CategoryForm(RegisterForm):
    class Meta(RegisterForm.Meta):
        model = DataObject
        fields = [
            "title", "data_subject", "fields_description", "obligation", "source",
            "is_special_category", "special_category_note", "art9_condition", "dpa_condition",
        ]  # fmt: skip
        labels = {"data_subject": "Whose data"}
        widgets = {"fields_description": TEXTAREA}


class PurposeForm(RegisterForm):
    service_fields = ("lawful_bases", "laws", "categories")
    lawful_bases = BasisChoice(queryset=LawfulBasis.objects.none())
    laws = BasisChoice(
        queryset=LawfulBasis.objects.none(),
        required=False,
        help_text="The laws behind it, if any.",
    )
    categories = CategoryChoice(
        queryset=DataObject.objects.none(), required=False, label="Data used for it"
    )

    class Meta(RegisterForm.Meta):
        model = Purpose
        fields = ["audience", "description", "lawful_bases", "legitimate_interest", "laws",
                  "categories"]  # fmt: skip
        labels = {"audience": "Whose notice it appears in"}
        widgets = {"legitimate_interest": TEXTAREA}

    def limit_choices(self, school: School) -> None:
        bases = register.bases_for(school)
        self.fields["lawful_bases"].queryset = bases.exclude(kind=register.STATUTE)  # type: ignore[attr-defined]
        self.fields["laws"].queryset = bases.filter(kind=register.STATUTE)  # type: ignore[attr-defined]
        self.fields["categories"].queryset = register.categories_for(school)  # type: ignore[attr-defined]


class ContactsForm(RegisterForm):
    class Meta(RegisterForm.Meta):
        model = School
        fields = list(register.CONTACT_FIELDS)
        labels = {"phone": "School phone", "email": "School email", "website": "School website"}
        help_texts = {
            "security_measures": "One measure per line, added to the organisation's in the "
            "notices.",
            "retention_schedule_summary": "Leave empty to use the organisation's.",
        }
        widgets = {"security_measures": forms.Textarea(attrs={"rows": 5}),
                   "retention_schedule_summary": TEXTAREA}  # fmt: skip

    def clean_security_measures(self) -> str:
        lines = self.cleaned_data.get("security_measures", "").splitlines()
        return "\n".join(line.strip() for line in lines if line.strip())
