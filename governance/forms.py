"""Admin forms that enforce the rules spanning many-to-many fields."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from governance.models import DataFlow, DataObject
from governance.services import check_flow_bases, flows_missing_conditions_for


class DataFlowForm(forms.ModelForm):
    """A flow's bases must cover its data; the rule lives in the service, shown on the field."""

    class Meta:
        model = DataFlow
        fields = [
            "authority", "offering", "school", "partner_service", "processor", "purpose",
            "description", "data_objects", "lawful_bases", "frequency", "transport",
            "retention_rule", "is_active",
        ]  # fmt: skip
        widgets = {"purpose": forms.TextInput(attrs={"class": "vLargeTextField"})}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        offering = cleaned.get("offering") or getattr(self.instance, "offering", None)
        if not self.instance.authority_id and offering is not None:
            # A flow added inline on an offering belongs to the offering's authority; set it
            # now so the model's checks (e.g. the partner's authority) see it.
            self.instance.authority_id = offering.authority_id
        if "data_objects" in cleaned and "lawful_bases" in cleaned:
            try:
                check_flow_bases(
                    data_objects=cleaned["data_objects"], lawful_bases=cleaned["lawful_bases"]
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class DataObjectForm(forms.ModelForm):
    """Refuse a special category change that flows already carrying the object do not cite."""

    class Meta:
        model = DataObject
        fields = [
            "sif_name", "title", "data_subject", "fields_description", "is_special_category",
            "special_category_note", "art9_condition", "dpa_condition",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.instance.pk:
            return cleaned
        candidate = DataObject(
            pk=self.instance.pk,
            sif_name=self.instance.sif_name,
            is_special_category=cleaned.get("is_special_category", False),
            art9_condition=cleaned.get("art9_condition"),
            dpa_condition=cleaned.get("dpa_condition"),
        )
        stale = flows_missing_conditions_for(candidate)
        if stale:
            names = "; ".join(str(flow) for flow in stale[:5])
            more = f" and {len(stale) - 5} more" if len(stale) > 5 else ""
            self.add_error(
                "art9_condition",
                f"{len(stale)} flow(s) carrying {self.instance.sif_name} do not cite this "
                f"condition yet: {names}{more}. Add it to their lawful bases first.",
            )
        return cleaned
