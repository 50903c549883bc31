"""``/api/eligibility``: a school's rule sets and their results, with the explanation of every
outcome — the same evaluation as the eligibility board (``eligibility.evaluation``).

Results are personal records: like the registry, only the school's personnel office and
decision members read them; district and system roles are refused (403)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router

from houbei.accounts.access import Cap
from houbei.core.errors import ValidationFailed
from houbei.eligibility import evaluation, loading
from houbei.eligibility.models import Rule, RuleSet
from houbei.eligibility.rules import Explanation, Plan, RuleError, RuleResult, Verdict, explain
from houbei.people.models import Person

from .auth import caller
from .schemas import (
    VERDICT_ALL,
    VERDICT_IN_SCOPE,
    BoardQuery,
    ErrorOut,
    EvaluationOut,
    EvaluationQuery,
    PersonEvaluationOut,
    RuleSetFilters,
    RuleSetOut,
)
from .scope import readable_schools

router = Router(tags=["资格审查"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
T = TypeVar("T")


def _readable_rule_set(request: HttpRequest, rule_set_id: int) -> RuleSet:
    schools = readable_schools(caller(request), Cap.ELIGIBILITY_VIEW)
    rule_sets = RuleSet.objects.filter(school__in=schools).select_related("school")
    return get_object_or_404(rule_sets, pk=rule_set_id)


def _computed(call: Callable[[], T]) -> T:
    """``call()``, with a rule the stored parameters make unusable (a post code that no
    longer exists, say) answered 422 instead of a 500."""
    try:
        return call()
    except RuleError as error:
        raise ValidationFailed(
            {"rules": [error.message]},
            message=_("选拔条件无法计算：%(error)s") % {"error": error.message},
        ) from error


def _check_target(asked: str, code: str) -> None:
    # ``parse_target`` reads an unknown target as "none chosen"; an integration that
    # mistyped a post code should hear so, not receive the default level's result.
    if asked and not code:
        raise ValidationFailed(
            {
                "target": [
                    _("目标“%(target)s”无效：应为 level:<层级> 或 post:<本校岗位代码>。")
                    % {"target": asked}
                ]
            }
        )


def _wanted(verdict: str, wanted: str) -> bool:
    if wanted == VERDICT_ALL:
        return True
    if wanted == VERDICT_IN_SCOPE:
        return verdict != Verdict.OUT_OF_SCOPE
    return verdict == wanted


def _rules_of(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "key": c.rule.key,
            "type": c.rule.type,
            "strength": c.rule.strength,
            "label": c.rule.label,
            "exempt_reason": c.prep.exempt_reason,
        }
        for c in plan.rules
    ]


def _result(result: RuleResult, *, detail: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "key": result.key,
        "outcome": result.outcome,
        "computed": result.computed,
        "short": result.short,
        "text": result.text,
    }
    if detail:
        ruling = result.ruling
        out |= {
            "label": result.label,
            "type": result.type,
            "strength": result.strength,
            "exempt_reason": result.exempt_reason,
            "ruling": None
            if ruling is None
            else {
                "outcome": ruling.outcome,
                "reason": ruling.reason,
                "by": ruling.by,
                "on": ruling.on,
            },
        }
    return out


@router.get(
    "/eligibility/rule-sets",
    response={200: list[RuleSetOut], 422: ErrorOut, **ERRORS},
    url_name="eligibility_rule_sets",
    operation_id="eligibility_rule_sets",
    summary="选拔条件",
    description="本校的各套选拔条件及其条件（代码、类型、性质、表述、参数），学校默认条件在前。"
    "需要“查看资格审查”权限（人事室、校务会成员）；区教育局和系统管理员不能读取。",
)
def rule_sets(request: HttpRequest, filters: Query[RuleSetFilters]) -> QuerySet[RuleSet]:
    schools = readable_schools(caller(request), Cap.ELIGIBILITY_VIEW)
    rows = RuleSet.objects.filter(school__in=schools).prefetch_related(
        Prefetch("rules", queryset=Rule.objects.order_by("sort_order", "pk"))
    )
    if not filters.include_archived:
        rows = rows.active()
    return rows.order_by("-is_default", "name", "pk")


@router.get(
    "/eligibility/rule-sets/{int:rule_set_id}/evaluation",
    response={200: EvaluationOut, 422: ErrorOut, **ERRORS},
    url_name="eligibility_evaluation",
    operation_id="eligibility_evaluation",
    summary="资格审查结果",
    description="按一套选拔条件计算本校在册教职工的结论，每人每项条件附计算所依据的中文解释。"
    "可指定基准日（as_of）、目标层级或岗位（target）和结论筛选（verdict）；"
    "counts 为全部人员的各结论人数。其他学校的条件返回 404。",
)
def rule_set_evaluation(
    request: HttpRequest, rule_set_id: int, query: Query[BoardQuery]
) -> dict[str, Any]:
    rule_set = _readable_rule_set(request, rule_set_id)
    result = _computed(
        lambda: evaluation.evaluate(rule_set, as_of=query.as_of, target=query.target)
    )
    _check_target(query.target, result.target_code)
    rows = [r for r in result.rows if _wanted(r.verdict, query.verdict)]
    # Whole records of the listed people in two queries, not two per person.
    records = {r.id: r for r in loading.records_for([row.person for row in rows])}
    people = []
    for row in rows:
        explained: Explanation = explain(result.plan, records[row.person.pk])
        people.append(
            {
                "id": row.person.pk,
                "staff_number": row.person.staff_number,
                "name": row.person.name,
                "verdict": row.verdict,
                "priority": row.priority,
                "results": [_result(r) for r in explained.results],
            }
        )
    return {
        "rule_set": rule_set,
        "as_of": result.as_of,
        "target": result.target_code,
        "target_label": result.target_label,
        "counts": result.counts(),
        "rules": _rules_of(result.plan),
        "people": people,
    }


@router.get(
    "/eligibility/rule-sets/{int:rule_set_id}/people/{int:person_id}",
    response={200: PersonEvaluationOut, 422: ErrorOut, **ERRORS},
    url_name="eligibility_person",
    operation_id="eligibility_person",
    summary="一位教职工的资格审查",
    description="一位教职工按一套选拔条件的结论和各项条件的解释，含逐人认定（结果、理由、认定人、日期）"
    "和目标岗位的免除理由。其他学校的条件或人员返回 404。",
)
def rule_set_person(
    request: HttpRequest, rule_set_id: int, person_id: int, query: Query[EvaluationQuery]
) -> dict[str, Any]:
    rule_set = _readable_rule_set(request, rule_set_id)
    person = get_object_or_404(Person.objects.filter(school_id=rule_set.school_id), pk=person_id)
    explained, plan, target, code = _computed(
        lambda: evaluation.explain_person(rule_set, person, as_of=query.as_of, target=query.target)
    )
    _check_target(query.target, code)
    label = evaluation.target_label(
        target, plan.ctx.posts, evaluation.default_level([c.rule for c in plan.rules])
    )
    return {
        "rule_set": rule_set,
        "as_of": plan.ctx.as_of,
        "target": code,
        "target_label": label,
        "person": person,
        "verdict": explained.verdict,
        "priority": explained.priority,
        "results": [_result(r, detail=True) for r in explained.results],
    }
