"""Write a row only when it differs, and count what was written: what makes load_demo safe to
run again (a second run writes nothing)."""

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import models

from governance.models import DataObject, LawfulBasis

M = TypeVar("M", bound=models.Model)


class Loader:
    def __init__(self) -> None:
        self.written: Counter[str] = Counter()

    def upsert(self, model: type[M], lookup: dict[str, Any], values: dict[str, Any]) -> M:
        """Create the row, or update only the fields that differ; count what was written.

        Fields not in ``values`` are never touched, so details staff added survive.
        """
        obj = model._default_manager.filter(**lookup).first()
        if obj is None:
            obj = model(**{**lookup, **values})
            obj.full_clean()
            obj.save()
            self.written[str(model._meta.verbose_name_plural)] += 1
            return obj
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.full_clean()
            obj.save(update_fields=changed)
            self.written[str(model._meta.verbose_name_plural)] += 1
        return obj

    def set_m2m(self, manager: Any, wanted: Sequence[models.Model], label: str) -> None:
        """Make a many-to-many link exactly ``wanted``; count it when it changed."""
        if {o.pk for o in manager.all()} != {o.pk for o in wanted}:
            manager.set(wanted)
            self.written[label] += 1

    def delete(self, queryset: models.QuerySet, label: str) -> None:
        """Delete the rows of ``queryset`` (retired demo records); count them."""
        rows = list(queryset)
        for row in rows:
            row.delete()
        if rows:
            self.written[label] += len(rows)


def with_conditions(
    categories: Iterable[DataObject], bases: Iterable[LawfulBasis]
) -> list[LawfulBasis]:
    """Return ``bases`` plus the Art 9 and DPA 2018 conditions of every special category in
    ``categories``, each once, in a stable order."""
    cited = {basis.pk: basis for basis in bases}
    for category in categories:
        if category.is_special_category:
            for condition in (category.art9_condition, category.dpa_condition):
                if condition is not None:
                    cited.setdefault(condition.pk, condition)
    return list(cited.values())
