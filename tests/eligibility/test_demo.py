"""The demo school under the plan's rules as of the recommendation date (附1, 2021-02-26):
everyone named in 附1 is eligible, and a believable share of staff is not, each with
reasons."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from houbei.demo import plan
from houbei.demo.builder import RULE_SET_2021, RULE_SET_DEFAULT, SCHOOL_CODE, build_demo
from houbei.eligibility import evaluation, loading
from houbei.eligibility.models import RuleSet
from houbei.eligibility.rules import ELIGIBLE_VERDICTS, Verdict, explain


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        build_demo()
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def result(built, db):  # type: ignore[no-untyped-def]
    rule_set = RuleSet.objects.get(school__code=SCHOOL_CODE, name=RULE_SET_2021)
    assert rule_set.reference_date == plan.RECOMMENDATION_DATE
    return evaluation.evaluate(rule_set)


def test_everyone_of_appendix_1_is_eligible_on_the_recommendation_date(result) -> None:
    verdicts = {r.person.name: r.verdict for r in result.rows}
    assert {name: verdicts[name] for name in plan.APPENDIX_1} == {
        name: Verdict.ELIGIBLE for name in plan.APPENDIX_1
    }


def test_district_list_is_eligible_one_level_higher(result) -> None:
    """区级 reserves have a year at the team level, so they qualify for office posts."""
    higher = evaluation.evaluate(result.rule_set, target="level:3")
    verdicts = {r.person.name: r.verdict for r in higher.rows}
    assert all(verdicts[name] in ELIGIBLE_VERDICTS for name in plan.DISTRICT_LIST)


def test_a_believable_share_is_not_eligible_each_with_reasons(result) -> None:
    counts = result.counts()
    in_scope = result.in_scope
    not_eligible = counts[Verdict.INELIGIBLE]
    assert 0.25 * in_scope <= not_eligible <= 0.75 * in_scope
    assert counts[Verdict.OUT_OF_SCOPE] > 0  # 非在编 or 离岗 staff
    records = {r.id: r for r in loading.records_for(result.people)}
    for row in result.rows:
        if row.verdict not in (Verdict.INELIGIBLE, Verdict.OUT_OF_SCOPE):
            continue
        explained = explain(result.plan, records[row.person.pk])
        failed = [r for r in explained.results if r.outcome == "fail"]
        assert failed, row.person.name
        assert all(r.text for r in failed)


def test_school_default_counts_as_of_today(built, db) -> None:
    rule_set = RuleSet.objects.get(school__code=SCHOOL_CODE, name=RULE_SET_DEFAULT)
    assert rule_set.is_default and rule_set.reference_date is None
    assert evaluation.evaluate(rule_set).in_scope > 50
