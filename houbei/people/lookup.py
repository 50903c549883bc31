"""Naming people of a school in a text box: one per line (or separated by commas), by
工号 or 姓名, as a personnel officer pastes a column from Excel."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from houbei.organisation.models import School

from .models import Person


def resolve_people(
    school: School, text: str, *, where: Callable[[int], str]
) -> tuple[list[Person], list[str]]:
    """The current staff named in ``text``, in order; and an error per entry that names no
    one, more than one person, or someone already named. ``where(n)`` says where the n-th
    entry is (e.g. "第3行")."""
    items = [i.strip() for i in text.replace("，", "\n").replace(",", "\n").splitlines()]
    staff = list(Person.objects.for_school(school).current())
    by_number = {p.staff_number: p for p in staff}
    by_name: dict[str, list[Person]] = {}
    for p in staff:
        by_name.setdefault(p.name, []).append(p)
    people: list[Person] = []
    errors: list[str] = []
    for number, item in enumerate((i for i in items if i), start=1):
        found = [by_number[item]] if item in by_number else by_name.get(item, [])
        at = {"where": where(number), "item": item}
        if not found:
            errors.append(_("%(where)s“%(item)s”：本校没有这个工号或姓名。") % at)
        elif len(found) > 1:
            errors.append(
                _("%(where)s“%(item)s”：有%(count)d人同名，请改填工号。")
                % (at | {"count": len(found)})
            )
        elif found[0] in people:
            errors.append(_("%(where)s“%(item)s”：重复。") % at)
        else:
            people.append(found[0])
    return people, errors
