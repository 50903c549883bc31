"""Pages of the eligibility module: rule sets, the board, one person's explanation, the
rules with their what-if, exemptions, rulings, snapshots, print and export.

Each view checks access with ``@requires``, reads its input with a form or the small
parsers below, calls one service or the evaluation, and renders. Another school's rule set
is 404. The board and the what-if are GET forms, so every view of them can be bookmarked
and works without JavaScript; htmx only swaps the results in place."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from houbei.accounts.access import AuthedRequest, Cap, requires, school_of
from houbei.audit.models import AuditEntry
from houbei.core.errors import DomainError, ValidationFailed
from houbei.core.exports import run_export
from houbei.organisation.models import LadderLevel, Post
from houbei.people.models import Person

from . import evaluation, services
from .models import Exemption, Rule, RuleSet, Ruling, RulingOutcome, Snapshot
from .rules import (
    REGISTRY,
    Outcome,
    RuleError,
    Strength,
    Verdict,
)

BOARD_SORTS = {
    "rank": gettext_lazy("结论与优先"),
    "staff_number": gettext_lazy("工号"),
    "name": gettext_lazy("姓名"),
    "age": gettext_lazy("年龄"),
}
IN_SCOPE = "in_scope"


def _is_htmx(request: AuthedRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _rule_set(request: AuthedRequest, pk: int) -> RuleSet:
    return get_object_or_404(
        RuleSet.objects.select_related("school"), pk=pk, school=school_of(request)
    )


def _date_param(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


# --- rule sets ------------------------------------------------------------------------


class RuleSetForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    reference_date = forms.DateField(
        label=gettext_lazy("基准日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("按哪一天计算年限和年龄；留空按当天。选拔周期使用时为推荐时间。"),
    )
    description = forms.CharField(
        label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


@requires(Cap.ELIGIBILITY_VIEW)
def rule_set_list(request: AuthedRequest) -> HttpResponse:
    school = school_of(request)
    sets = list(RuleSet.objects.for_school(school).active().order_by("-is_default", "name"))
    archived = RuleSet.objects.for_school(school).filter(archived_at__isnull=False).count()
    form = RuleSetForm(
        initial={"name": _("%(year)d年后备干部选拔条件") % {"year": timezone.localdate().year}}
    )
    return render(
        request,
        "eligibility/list.html",
        {"rule_sets": sets, "form": form, "archived": archived},
    )


@requires(Cap.ELIGIBILITY_EDIT)
def rule_set_create(request: AuthedRequest) -> HttpResponse:
    school = school_of(request)
    form = RuleSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rule_set = services.create_rule_set(
                actor=request.user,
                school=school,
                name=form.cleaned_data["name"],
                reference_date=form.cleaned_data["reference_date"],
                description=form.cleaned_data["description"],
                is_default=not RuleSet.objects.for_school(school).filter(is_default=True).exists(),
            )
        except ValidationFailed as error:
            for field, errors in error.errors.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request, _("已按学校方案的选拔条件新建“%(name)s”。") % {"name": rule_set.name}
            )
            return redirect("eligibility:rules", pk=rule_set.pk)
    return render(request, "eligibility/create.html", {"form": form})


# --- the board ------------------------------------------------------------------------


@dataclass
class BoardQuery:
    as_of: dt.date | None
    target: str
    verdict: str
    q: str
    sort: str

    def params(self, **changes: Any) -> str:
        values = {
            "as_of": self.as_of.isoformat() if self.as_of else "",
            "target": self.target,
            "verdict": self.verdict if self.verdict != IN_SCOPE else "",
            "q": self.q,
            "sort": self.sort if self.sort != "rank" else "",
        } | changes
        clean = {k: v for k, v in values.items() if v}
        return f"?{urlencode(clean)}" if clean else ""


def parse_board(params: QueryDict) -> BoardQuery:
    verdict = params.get("verdict", "") or IN_SCOPE
    if verdict not in {IN_SCOPE, "all", *Verdict.values}:
        verdict = IN_SCOPE
    sort = params.get("sort", "rank")
    return BoardQuery(
        as_of=_date_param(params.get("as_of")),
        target=params.get("target", "").strip(),
        verdict=verdict,
        q=params.get("q", "").strip()[:40],
        sort=sort if sort in BOARD_SORTS else "rank",
    )


def _filtered(rows: list[evaluation.Row], query: BoardQuery) -> list[evaluation.Row]:
    if query.verdict == IN_SCOPE:
        rows = [r for r in rows if r.verdict != Verdict.OUT_OF_SCOPE]
    elif query.verdict != "all":
        rows = [r for r in rows if r.verdict == query.verdict]
    if query.q:
        words = query.q.split()
        rows = [
            r for r in rows if all(w in r.person.name or w in r.person.staff_number for w in words)
        ]
    if query.sort == "staff_number":
        rows = sorted(rows, key=lambda r: r.person.staff_number)
    elif query.sort == "name":
        rows = sorted(rows, key=lambda r: r.person.name)
    elif query.sort == "age":
        rows = sorted(rows, key=lambda r: (r.age is None, r.age or 0))
    return rows


def _symbols() -> dict[str, str]:
    names = {
        "pass": ("✓", _("符合")),
        "fail": ("✗", _("不符合")),
        "flag": ("!", _("提示")),
        "unknown": ("?", _("待补充")),
    }
    return {
        key: f'<span class="o o-{key}" aria-label="{escape(label)}">{mark}</span>'
        for key, (mark, label) in names.items()
    }


def target_choices(posts: list[Post]) -> list[tuple[str, str]]:
    choices = [("", _("按条件中的默认层级"))]
    choices += [
        (f"level:{value}", _("层级：%(level)s") % {"level": label})
        for value, label in LadderLevel.choices
    ]
    choices += [
        (
            f"post:{p.code}",
            _("岗位：%(post)s（%(level)s）")
            % {"post": p.name, "level": p.get_ladder_level_display()},
        )
        for p in posts
    ]
    return choices


def _board_context(
    rule_set: RuleSet, query: BoardQuery, result: evaluation.Evaluation
) -> dict[str, Any]:
    counts = result.counts()
    rows = _filtered(result.rows, query)
    labels = [str(c.kind.label) for c in result.plan.rules]
    symbols = _symbols()
    ruled_mark = '<span class="ruled" title="{}">*</span>'.format(escape(_("逐人认定")))
    for row in rows:
        row.labelled_cells = [  # type: ignore[attr-defined]
            (label, *cell) for label, cell in zip(labels, row.cells, strict=True)
        ]
        # The cells are most of the page (a school × every rule): built here as one
        # string per row, which renders several times faster than a template loop.
        row.cells_html = mark_safe(  # type: ignore[attr-defined]  # noqa: S308 - escaped
            "".join(
                f'<td class="cell o-{outcome}" data-label="{escape(label)}">{symbols[outcome]}'
                + (f' <span class="short">{escape(short)}</span>' if short else "")
                + (ruled_mark if ruled else "")
                + "</td>"
                for label, outcome, short, ruled in row.labelled_cells  # type: ignore[attr-defined]
            )
        )
    in_scope = result.in_scope
    eligible = counts[Verdict.ELIGIBLE] + counts[Verdict.FLAGGED]
    band = result.band_share()
    return {
        "rule_set": rule_set,
        "result": result,
        "query": query,
        "rows": rows,
        "columns": [
            {
                "key": c.rule.key,
                "short": c.kind.label,
                "label": c.rule.label,
                "strength": c.rule.strength,
                "strength_label": Strength(c.rule.strength).label,
            }
            for c in result.plan.rules
        ],
        "counts": counts,
        "verdict_tiles": [
            (v.value, v.label, counts[v.value], query.params(verdict=v.value)) for v in Verdict
        ],
        "in_scope": in_scope,
        "eligible": eligible,
        "band": (
            {
                "inside": band[0],
                "total": band[1],
                "text": band[2],
                "percent": round(100 * band[0] / band[1]) if band[1] else 0,
            }
            if band
            else None
        ),
        "export_query": query.params(),
    }


@requires(Cap.ELIGIBILITY_VIEW)
def board(request: AuthedRequest, pk: int) -> HttpResponse:
    rule_set = _rule_set(request, pk)
    query = parse_board(request.GET)
    try:
        result = evaluation.evaluate(rule_set, as_of=query.as_of, target=query.target)
    except RuleError as error:
        messages.error(request, error.message)
        return redirect("eligibility:rules", pk=rule_set.pk)
    if query.target and not result.target_code:
        messages.warning(
            request,
            _("没有“%(target)s”这一目标岗位或层级，已按条件中的默认层级计算。")
            % {"target": query.target},
        )
    context = _board_context(rule_set, query, result)
    if _is_htmx(request):
        response = render(request, "eligibility/board.html#results", context)
        response["HX-Push-Url"] = reverse("eligibility:board", args=[rule_set.pk]) + query.params()
        return response
    posts = list(Post.objects.for_school(rule_set.school).active().order_by("sort_order", "pk"))
    context |= {
        "target_choices": target_choices(posts),
        "verdict_choices": [
            (IN_SCOPE, _("推荐范围内全部")),
            ("all", _("全部（含范围外）")),
            *Verdict.choices,
        ],
        "sort_choices": list(BOARD_SORTS.items()),
        "snapshots": list(rule_set.snapshots.order_by("-taken_at")[:5]),
    }
    return render(request, "eligibility/board.html", context)


@requires(Cap.ELIGIBILITY_VIEW)
def board_print(request: AuthedRequest, pk: int) -> HttpResponse:
    rule_set = _rule_set(request, pk)
    query = parse_board(request.GET)
    result = evaluation.evaluate(rule_set, as_of=query.as_of, target=query.target)
    context = _board_context(rule_set, query, result)
    context["printed_at"] = timezone.localtime()
    return render(request, "eligibility/print.html", context)


@requires(Cap.ELIGIBILITY_VIEW)
def board_export(request: AuthedRequest, pk: int) -> HttpResponse:
    from .exports import EligibilityExportRequest

    rule_set = _rule_set(request, pk)
    query = parse_board(request.GET)
    fmt = request.GET.get("format", "xlsx")
    try:
        file = run_export(
            "eligibility",
            rule_set.school,
            actor=request.user,
            filters=EligibilityExportRequest(
                rule_set_id=rule_set.pk,
                as_of=query.as_of,
                target=query.target,
                verdict="" if query.verdict == IN_SCOPE else query.verdict,
            ),
            fmt=fmt,
        )
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(reverse("eligibility:board", args=[rule_set.pk]) + query.params())
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = _attachment(file.filename)
    return response


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"eligibility.{filename.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(filename)}"


# --- one person -----------------------------------------------------------------------


class RulingForm(forms.Form):
    rule = forms.ChoiceField(label=gettext_lazy("条件"))
    outcome = forms.ChoiceField(
        label=gettext_lazy("认定结果"),
        choices=RulingOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择“符合”或“不符合”。")},
    )
    reason = forms.CharField(
        label=gettext_lazy("理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("请写明理由。")},
        help_text=gettext_lazy("写明依据，如考察结论、会议决定；会记入审计记录并显示在结果旁。"),
    )

    def __init__(self, *args: Any, rules: list[Rule], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [(r.key, r.label) for r in rules]  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("理由"),
        max_length=300,
        error_messages={"required": gettext_lazy("请写明理由。")},
    )


def _person_of(rule_set: RuleSet, pk: int) -> Person:
    return get_object_or_404(Person, pk=pk, school=rule_set.school)


@requires(Cap.ELIGIBILITY_VIEW)
def person_result(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    rule_set = _rule_set(request, pk)
    person = _person_of(rule_set, sub)
    return _render_person(request, rule_set, person)


def _render_person(
    request: AuthedRequest,
    rule_set: RuleSet,
    person: Person,
    form: RulingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    query = parse_board(request.GET)
    try:
        explanation, plan, _target, _code = evaluation.explain_person(
            rule_set, person, as_of=query.as_of, target=query.target
        )
    except RuleError as error:
        messages.error(request, error.message)
        return redirect("eligibility:rules", pk=rule_set.pk)
    rules = evaluation.rule_rows(rule_set)
    rulings = list(
        Ruling.objects.filter(rule__rule_set=rule_set, person=person)
        .select_related("rule", "granted_by", "revoked_by")
        .order_by("-granted_at", "-pk")
    )
    return render(
        request,
        "eligibility/person.html",
        {
            "rule_set": rule_set,
            "person": person,
            "explanation": explanation,
            "verdict_label": Verdict(explanation.verdict).label,
            "as_of": plan.ctx.as_of,
            "target_label": evaluation.target_label(
                plan.ctx.target, plan.ctx.posts, evaluation.default_level(rules)
            ),
            "query": query,
            "rulings": rulings,
            "form": form or RulingForm(rules=rules),
            "revoke_form": ReasonForm(),
            "age": person.age_on(plan.ctx.as_of),
        },
        status=status,
    )


@requires(Cap.ELIGIBILITY_EDIT)
@require_POST
def ruling_record(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    rule_set = _rule_set(request, pk)
    person = _person_of(rule_set, sub)
    rules = evaluation.rule_rows(rule_set)
    form = RulingForm(request.POST, rules=rules)
    if form.is_valid():
        rule = next(r for r in rules if r.key == form.cleaned_data["rule"])
        try:
            services.record_ruling(
                actor=request.user,
                rule=rule,
                person=person,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationFailed as error:
            for field, errors in error.errors.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request,
                _("已记录%(name)s“%(rule)s”的认定。") % {"name": person.name, "rule": rule.label},
            )
            return redirect("eligibility:person", pk=rule_set.pk, sub=person.pk)
    return _render_person(request, rule_set, person, form=form)


@requires(Cap.ELIGIBILITY_EDIT)
@require_POST
def ruling_revoke(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    rule_set = _rule_set(request, pk)
    ruling = get_object_or_404(
        Ruling.objects.select_related("rule", "person"), pk=sub, rule__rule_set=rule_set
    )
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.revoke_ruling(
                actor=request.user, ruling=ruling, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("已撤销该认定，结果恢复为计算结果。"))
    else:
        messages.error(request, _("撤销认定须写明理由。"))
    return redirect("eligibility:person", pk=rule_set.pk, sub=ruling.person_id)


# --- rules, what-if, exemptions ---------------------------------------------------------


@dataclass
class ParamField:
    """One parameter input of the rules page: ``name`` is the query/form field."""

    name: str
    label: Any
    kind: str
    value: Any
    choices: list[tuple[str, Any]]
    help: Any
    error: str = ""

    @property
    def text(self) -> str:
        if isinstance(self.value, list):
            return "、".join(str(v) for v in self.value)
        return "" if self.value is None else str(self.value)

    @property
    def selected(self) -> list[str]:
        return [str(v) for v in self.value] if isinstance(self.value, list) else [self.text]


def _field(rule: Rule, name: str) -> str:
    return f"p-{rule.key}-{name}"


def param_fields(
    rule: Rule, posts: list[Post], values: Mapping[str, Any] | None = None
) -> list[ParamField]:
    values = values if values is not None else rule.params
    out = []
    for param in rule.kind.params:
        choices: list[tuple[str, Any]] = list(param.choices)
        if param.kind == "posts":
            choices = [(p.code, p.name) for p in posts]
        elif param.kind == "level":
            choices = [("", _("不指定"))] + [(str(v), label) for v, label in LadderLevel.choices]
        elif param.kind == "honour_level":
            from houbei.people.models import HonourLevel

            choices = [(str(v), label) for v, label in HonourLevel.choices]
        out.append(
            ParamField(
                name=_field(rule, param.name),
                label=param.label,
                kind=param.kind,
                value=values.get(param.name),
                choices=choices,
                help=param.help,
            )
        )
    return out


def changes_from(params: QueryDict, rules: list[Rule]) -> dict[str, dict[str, Any]]:
    """The what-if changes in a submitted rules form: for each rule, the parameters (and
    strength) whose submitted value differs from the stored one. Lists come as several
    values (posts, choices) or as one text with 、 or commas (titles)."""
    changes: dict[str, dict[str, Any]] = {}
    for rule in rules:
        change: dict[str, Any] = {}
        for param in rule.kind.params:
            name = _field(rule, param.name)
            if param.kind in {"posts", "choices"}:
                if f"{name}-sent" not in params:
                    continue
                value: Any = params.getlist(name)
            elif name in params:
                value = params.get(name, "").strip()
            else:
                continue
            stored = rule.params.get(param.name)
            if _same(value, stored, param.kind):
                continue
            change[param.name] = value
        strength = params.get(f"s-{rule.key}")
        if strength and strength != rule.strength:
            change["strength"] = strength
        if change:
            changes[rule.key] = change
    return changes


def _same(value: Any, stored: Any, kind: str) -> bool:
    if kind in {"posts", "choices"}:
        return sorted(value) == sorted(stored or [])
    if kind == "titles":
        parts = [
            p.strip() for p in value.replace("，", ",").replace("、", ",").split(",") if p.strip()
        ]
        return parts == list(stored or [])
    return value == ("" if stored is None else str(stored))


@requires(Cap.ELIGIBILITY_VIEW)
def rules_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """The rule set's rules; submitted with changed parameters it previews the what-if
    (who would enter or leave) before anything is saved."""
    rule_set = _rule_set(request, pk)
    rules = list(rule_set.rules.order_by("sort_order", "pk"))
    posts = list(Post.objects.for_school(rule_set.school).order_by("sort_order", "pk"))
    query = parse_board(request.GET)
    changes = changes_from(request.GET, [r for r in rules if r.enabled])
    preview = None
    error = ""
    if changes:
        try:
            preview = evaluation.what_if(rule_set, changes, as_of=query.as_of, target=query.target)
        except RuleError as failure:
            error = failure.message
    return _render_rules(request, rule_set, rules, posts, query, changes, preview, error)


def _render_rules(
    request: AuthedRequest,
    rule_set: RuleSet,
    rules: list[Rule],
    posts: list[Post],
    query: BoardQuery,
    changes: dict[str, dict[str, Any]],
    preview: evaluation.WhatIf | None,
    error: str,
    status: int = 200,
    save_error: str = "",
) -> HttpResponse:
    exemptions = list(
        Exemption.objects.filter(rule__rule_set=rule_set)
        .select_related("post", "granted_by", "rule")
        .order_by("-granted_at")
    )
    items = []
    for rule in rules:
        submitted = {**rule.params, **changes.get(rule.key, {})}
        items.append(
            {
                "rule": rule,
                "type_label": rule.kind.label,
                "type_description": rule.kind.description,
                "strength_label": Strength(rule.strength).label,
                "strengths": evaluation.strength_choices(rule),
                "current_strength": changes.get(rule.key, {}).get("strength", rule.strength),
                "fields": param_fields(rule, posts, submitted),
                "changed": rule.key in changes,
                "exemptions": [e for e in exemptions if e.rule_id == rule.pk],
                "can_exempt": rule.strength in (Strength.HARD, Strength.SOFT),
            }
        )
    return render(
        request,
        "eligibility/rules.html",
        {
            "rule_set": rule_set,
            "items": items,
            "posts": [p for p in posts if p.archived_at is None],
            "query": query,
            "changes": changes,
            "preview": preview,
            "error": error,
            "save_error": save_error,
            "hidden_changes": _hidden_changes(
                request.GET if request.method == "GET" else request.POST
            ),
            "reason_form": ReasonForm(),
            "set_form": RuleSetForm(
                initial={
                    "name": rule_set.name,
                    "reference_date": rule_set.reference_date,
                    "description": rule_set.description,
                }
            ),
            "registry": REGISTRY,
        },
        status=status,
    )


def _hidden_changes(params: QueryDict) -> list[tuple[str, str]]:
    """The submitted what-if fields, to carry into the save form."""
    return [
        (key, value)
        for key in params
        if key.startswith(("p-", "s-", "as_of", "target"))
        for value in params.getlist(key)
    ]


@requires(Cap.ELIGIBILITY_EDIT)
@require_POST
def rules_save(request: AuthedRequest, pk: int) -> HttpResponse:
    rule_set = _rule_set(request, pk)
    rules = list(rule_set.rules.order_by("sort_order", "pk"))
    changes = changes_from(request.POST, [r for r in rules if r.enabled])
    query = parse_board(request.POST)
    reason = request.POST.get("reason", "")
    if not changes:
        messages.info(request, _("没有需要保存的修改。"))
        return redirect("eligibility:rules", pk=rule_set.pk)
    try:
        services.apply_what_if(
            actor=request.user, rule_set=rule_set, changes=changes, reason=reason
        )
    except DomainError as error:
        message = error.text()
        posts = list(Post.objects.for_school(rule_set.school).order_by("sort_order", "pk"))
        preview = None
        with contextlib.suppress(RuleError):
            preview = evaluation.what_if(rule_set, changes, as_of=query.as_of, target=query.target)
        return _render_rules(
            request,
            rule_set,
            rules,
            posts,
            query,
            changes,
            preview,
            "",
            status=422,
            save_error=message,
        )
    messages.success(request, _("已保存条件修改，共%(n)d条。") % {"n": len(changes)})
    return redirect("eligibility:board", pk=rule_set.pk)


@requires(Cap.ELIGIBILITY_EDIT)
@require_POST
def rule_toggle(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    rule_set = _rule_set(request, pk)
    rule = get_object_or_404(Rule, pk=sub, rule_set=rule_set)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("停用或启用条件须写明理由。"))
        return redirect("eligibility:rules", pk=rule_set.pk)
    try:
        services.update_rule(
            actor=request.user,
            rule=rule,
            label=rule.label,
            strength=rule.strength,
            params=rule.params,
            enabled=not rule.enabled,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            (_("已启用“%(rule)s”。") if not rule.enabled else _("已停用“%(rule)s”。"))
            % {"rule": rule.label},
        )
    return redirect("eligibility:rules", pk=rule_set.pk)


@requires(Cap.ELIGIBILITY_EDIT)
@require_POST
def rule_set_update(request: AuthedRequest, pk: int) -> HttpResponse:
    rule_set = _rule_set(request, pk)
    form = RuleSetForm(request.POST)
    if form.is_valid():
        try:
            services.update_rule_set(
                actor=request.user,
                rule_set=rule_set,
                name=form.cleaned_data["name"],
                reference_date=form.cleaned_data["reference_date"],
                description=form.cleaned_data["description"],
            )
        except DomainError as error:
            messages.error(request, _first(error))
        else:
            messages.success(request, _("已保存。"))
    else:
        messages.error(request, "；".join(str(e) for es in form.errors.values() for e in es))
    return redirect("eligibility:rules", pk=rule_set.pk)


def _first(error: DomainError) -> str:
    return error.text()


@requires(Cap.ELIGIBILITY_EDIT)
@require_POST
def exemption_grant(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    rule_set = _rule_set(request, pk)
    rule = get_object_or_404(Rule, pk=sub, rule_set=rule_set)
    post = (
        Post.objects.for_school(rule_set.school).filter(code=request.POST.get("post", "")).first()
    )
    if post is None:
        messages.error(request, _("请选择要免除此条件的岗位。"))
        return redirect("eligibility:rules", pk=rule_set.pk)
    try:
        services.grant_exemption(
            actor=request.user, rule=rule, post=post, reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        messages.error(request, _first(error))
    else:
        messages.success(
            request,
            _("“%(post)s”已免除“%(rule)s”。评估目标选该岗位时生效。")
            % {"post": post.name, "rule": rule.label},
        )
    return redirect("eligibility:rules", pk=rule_set.pk)


@requires(Cap.ELIGIBILITY_EDIT)
@require_POST
def exemption_revoke(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    rule_set = _rule_set(request, pk)
    exemption = get_object_or_404(Exemption, pk=sub, rule__rule_set=rule_set)
    try:
        services.revoke_exemption(
            actor=request.user, exemption=exemption, reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        messages.error(request, _first(error))
    else:
        messages.success(request, _("已撤销该岗位免除。"))
    return redirect("eligibility:rules", pk=rule_set.pk)


# --- snapshots ------------------------------------------------------------------------


@requires(Cap.ELIGIBILITY_EDIT)
@require_POST
def snapshot_take(request: AuthedRequest, pk: int) -> HttpResponse:
    rule_set = _rule_set(request, pk)
    query = parse_board(request.POST)
    try:
        snap = services.take_snapshot(
            actor=request.user,
            rule_set=rule_set,
            purpose=request.POST.get("purpose", ""),
            as_of=query.as_of,
            target=query.target,
        )
    except DomainError as error:
        messages.error(request, _first(error))
        return redirect(reverse("eligibility:board", args=[rule_set.pk]) + query.params())
    messages.success(request, _("已保存结果快照。"))
    return redirect("eligibility:snapshot", pk=rule_set.pk, sub=snap.pk)


@dataclass
class Change:
    name: str
    staff_number: str
    person_id: int | None
    before: str
    after: str
    rules: list[tuple[str, str, str]]  # (label, before, after)


def snapshot_changes(snap: Snapshot, result: evaluation.Evaluation) -> list[Change]:
    """People whose verdict or any rule's outcome differs between the snapshot and now."""
    labels = {r["key"]: r["label"] for r in snap.rules}
    keys = result.plan.keys
    now = {row.person.pk: row for row in result.rows}
    changes = []
    seen = set()
    for item in snap.results:
        pid = item["person_id"]
        seen.add(pid)
        row = now.get(pid)
        if row is None:
            changes.append(
                Change(item["name"], item["staff_number"], None, item["verdict"], "", [])
            )
            continue
        current = dict(zip(keys, row.outcomes, strict=True))
        diffs = [
            (labels.get(k, k), v["outcome"], current.get(k, ""))
            for k, v in item["results"].items()
            if current.get(k, "") != v["outcome"]
        ]
        if row.verdict != item["verdict"] or diffs:
            changes.append(
                Change(item["name"], item["staff_number"], pid, item["verdict"], row.verdict, diffs)
            )
    for pid, row in now.items():
        if pid not in seen:
            changes.append(
                Change(row.person.name, row.person.staff_number, pid, "", row.verdict, [])
            )
    return changes


@requires(Cap.ELIGIBILITY_VIEW)
def snapshot_detail(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    rule_set = _rule_set(request, pk)
    snap = get_object_or_404(Snapshot.objects.select_related("taken_by"), pk=sub, rule_set=rule_set)
    result = evaluation.evaluate(rule_set, as_of=snap.as_of, target=snap.target)
    verdicts = dict(Verdict.choices)
    outcomes = dict(Outcome.choices)
    changes = snapshot_changes(snap, result)
    for change in changes:
        change.before = str(verdicts.get(change.before, change.before or "—"))
        change.after = str(verdicts.get(change.after, change.after or _("已不在名册")))
        change.rules = [
            (label, str(outcomes.get(b, b)), str(outcomes.get(a, a)))
            for label, b, a in change.rules
        ]
    rows = [
        {
            **item,
            "verdict_label": verdicts.get(item["verdict"], item["verdict"]),
        }
        for item in snap.results
        if item["verdict"] != Verdict.OUT_OF_SCOPE
    ]
    return render(
        request,
        "eligibility/snapshot.html",
        {
            "rule_set": rule_set,
            "snap": snap,
            "rows": rows,
            "changes": changes,
            "counts": [(verdicts[k], v) for k, v in snap.counts.items() if k in verdicts],
            "audit_entries": AuditEntry.objects.filter(
                action="eligibility.snapshot.taken", target_id=str(snap.pk)
            ).count(),
        },
    )
