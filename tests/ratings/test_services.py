"""Rating rounds: a code hands in one full sheet once; refusals and failures consume
nothing; counters, not rows; comments reviewed before a single release after close; every
administrative step audited, rating never."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from houbei.audit.models import AuditEntry
from houbei.ballots import codes
from houbei.ballots.ratings import services
from houbei.ballots.ratings.aggregate import Reason
from houbei.ballots.ratings.models import (
    CommentState,
    GroupMode,
    RaterCount,
    RaterGroup,
    RatingComment,
    RatingCounter,
    RatingCredential,
    RatingRollEntry,
    RoundStatus,
)
from houbei.ballots.ratings.services import (
    CommentDecision,
    GroupDraft,
    RatingRefused,
    close_round,
    form_of,
    rate_on_roll,
    release_results,
    results_of,
    review_comments,
    submit_rating,
    turnout_of,
)
from houbei.core.errors import ValidationFailed

from ..factories import make_person
from .conftest import full_sheet, make_round

pytestmark = pytest.mark.django_db


def _actions() -> list[str]:
    return list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))


def test_a_new_round_has_the_appraisal_defaults(school) -> None:
    rating_round, _codes = make_round(school, open_=False)
    form = form_of(rating_round)
    assert [name for _i, name in form.dimensions] == ["德", "能", "勤", "绩", "廉"]
    assert [label for _i, label in form.grades] == ["优秀", "称职", "基本称职", "不称职"]
    assert list(RaterGroup.objects.filter(round=rating_round).values_list("name", "k")) == [
        ("服务对象", 5), ("校领导", 3),
    ]  # fmt: skip
    assert _actions()[-3:] == [
        "ballots.rating.created", "ballots.rating.codes_issued", "ballots.rating.codes_issued",
    ]  # fmt: skip
    assert not RatingCounter.objects.exists()  # counters are made at open


def test_opening_makes_a_zero_counter_for_every_cell(rating) -> None:
    rating_round, _codes = rating
    # 3 subjects × 5 dimensions × 2 groups × 4 grades
    assert RatingCounter.objects.filter(round=rating_round, count=0).count() == 120
    assert RaterCount.objects.filter(round=rating_round, count=0).count() == 2
    assert _actions()[-1] == "ballots.rating.opened"


def test_create_round_names_what_is_wrong(school, other_school) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.create_round(
            actor=None, school=school, title=" ", subjects=[make_person(other_school, name="外人")],
            dimensions=["德", "德"], grades=[services.GradeDraft("优秀")],
            groups=[GroupDraft("校领导", 1)],
        )  # fmt: skip
    errors = caught.value.errors
    assert set(errors) == {"title", "subjects", "dimensions", "grades", "groups"}
    assert "外人" in errors["subjects"][0]
    assert "最少人数应在2至100之间" in errors["groups"][0]


def test_a_code_hands_in_one_full_sheet_once(rating) -> None:
    rating_round, made = rating
    code = made["服务对象"][0]
    before = AuditEntry.objects.count()
    submit_rating(round_id=rating_round.pk, code=codes.display(code).lower(),
                  sheet=full_sheet(rating_round), comments={})  # fmt: skip
    with pytest.raises(RatingRefused, match="已经用过"):
        submit_rating(round_id=rating_round.pk, code=code, sheet=full_sheet(rating_round, 1))
    group = RaterGroup.objects.get(round=rating_round, name="服务对象")
    assert RaterCount.objects.get(round=rating_round, group=group).count == 1
    counted = RatingCounter.objects.filter(round=rating_round, count__gt=0)
    assert counted.count() == 15 and set(counted.values_list("count", flat=True)) == {1}
    assert set(counted.values_list("grade__label", flat=True)) == {"优秀"}
    assert set(counted.values_list("group", flat=True)) == {group.pk}
    assert AuditEntry.objects.count() == before  # rating is never audited


def test_unknown_and_malformed_codes_are_refused(rating) -> None:
    rating_round, _made = rating
    with pytest.raises(RatingRefused, match="评议码无效"):
        submit_rating(
            round_id=rating_round.pk, code=codes.new_code(), sheet=full_sheet(rating_round)
        )
    with pytest.raises(RatingRefused, match="格式不对"):
        submit_rating(round_id=rating_round.pk, code="1234", sheet=full_sheet(rating_round))
    assert not RatingCounter.objects.filter(count__gt=0).exists()


def test_an_incomplete_sheet_is_refused_naming_the_gaps_and_consumes_nothing(rating) -> None:
    rating_round, made = rating
    sheet = dict(full_sheet(rating_round))
    form = form_of(rating_round)
    (s, name), (d, dimension) = form.subjects[1], form.dimensions[2]
    del sheet[(s, d)]
    with pytest.raises(ValidationFailed) as caught:
        submit_rating(round_id=rating_round.pk, code=made["服务对象"][0], sheet=sheet)
    assert caught.value.errors == {f"subject-{s}": [f"“{name}”的“{dimension}”还没有选择等级。"]}
    assert not RatingCredential.objects.filter(used=True).exists()
    submit_rating(
        round_id=rating_round.pk, code=made["服务对象"][0], sheet=full_sheet(rating_round)
    )


def test_a_sheet_with_a_grade_of_another_round_is_refused(school, rating) -> None:
    rating_round, made = rating
    other, _c = make_round(school, codes=0)
    foreign = form_of(other).grades[0][0]
    sheet = {cell: foreign for cell in full_sheet(rating_round)}
    with pytest.raises(ValidationFailed, match="不属于本次测评的等级"):
        submit_rating(round_id=rating_round.pk, code=made["服务对象"][0], sheet=sheet)
    # A code of one round does not open another.
    with pytest.raises(RatingRefused, match="评议码无效"):
        submit_rating(round_id=other.pk, code=made["服务对象"][1], sheet=full_sheet(other))


def test_a_failure_half_way_through_consumes_nothing(rating, monkeypatch) -> None:
    """T3: an error after the code is consumed and the group counted, while the comments
    are written, rolls everything back; the retry succeeds."""
    rating_round, made = rating
    code = made["服务对象"][0]

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(RatingComment.objects, "bulk_create", broken)
    form = form_of(rating_round)
    with pytest.raises(RuntimeError):
        submit_rating(round_id=rating_round.pk, code=code, sheet=full_sheet(rating_round),
                      comments={form.subjects[0][0]: "工作认真"})  # fmt: skip
    assert not RatingCredential.objects.filter(used=True).exists()
    assert not RatingCounter.objects.filter(count__gt=0).exists()
    assert set(RaterCount.objects.values_list("count", flat=True)) == {0}
    monkeypatch.undo()
    submit_rating(round_id=rating_round.pk, code=code, sheet=full_sheet(rating_round),
                  comments={form.subjects[0][0]: "工作认真"})  # fmt: skip
    assert RatingComment.objects.get().text == "工作认真"
    assert RatingCounter.objects.filter(count=1).count() == 15


def test_no_rating_before_open_or_after_close(school) -> None:
    rating_round, made = make_round(school, open_=False)
    with pytest.raises(RatingRefused, match="尚未开始或已经结束"):
        submit_rating(round_id=rating_round.pk, code=made["服务对象"][0], sheet={})
    rating_round = services.open_round(actor=None, rating_round=rating_round)
    close_round(actor=None, rating_round=rating_round)
    with pytest.raises(RatingRefused, match="尚未开始或已经结束"):
        submit_rating(
            round_id=rating_round.pk, code=made["服务对象"][0], sheet=full_sheet(rating_round)
        )


def test_the_steps_are_guarded(rating) -> None:
    rating_round, _made = rating
    with pytest.raises(ValidationFailed, match="测评中"):
        services.open_round(actor=None, rating_round=rating_round)
    with pytest.raises(ValidationFailed, match="测评中"):
        release_results(actor=None, rating_round=rating_round)
    with pytest.raises(ValidationFailed, match="测评结束后"):
        review_comments(actor=None, rating_round=rating_round, decisions=[])
    with pytest.raises(ValidationFailed, match="尚未发布"):
        results_of(rating_round)
    with pytest.raises(ValidationFailed, match="草稿"):
        services.add_group(actor=None, rating_round=rating_round, name="家长")
    rating_round = close_round(actor=None, rating_round=rating_round)
    with pytest.raises(ValidationFailed, match="已结束"):
        close_round(actor=None, rating_round=rating_round)
    with pytest.raises(ValidationFailed, match="不能再发放"):
        services.issue_codes(actor=None, rating_round=rating_round,
                             group=RaterGroup.objects.filter(round=rating_round).first(), count=3)  # fmt: skip
    with pytest.raises(ValidationFailed, match="尚未发布"):
        results_of(rating_round)


def test_release_happens_once_after_close_and_after_every_comment_is_reviewed(rating) -> None:
    rating_round, made = rating
    form = form_of(rating_round)
    first = form.subjects[0][0]
    for i, code in enumerate(made["服务对象"][:6]):
        submit_rating(round_id=rating_round.pk, code=code, sheet=full_sheet(rating_round, i % 2),
                      comments={first: f"意见{i}"} if i < 2 else {})  # fmt: skip
    rating_round = close_round(actor=None, rating_round=rating_round)
    with pytest.raises(ValidationFailed, match="还有2条评语未审核"):
        release_results(actor=None, rating_round=rating_round)
    comments = sorted(RatingComment.objects.all(), key=lambda c: c.text)
    tally = review_comments(actor=None, rating_round=rating_round, decisions=[
        CommentDecision(str(comments[0].pk), CommentState.APPROVED, "意见已转述"),
        CommentDecision(str(comments[1].pk), CommentState.REJECTED),
    ])  # fmt: skip
    assert tally == {"approved": 1, "rejected": 1, "reworded": 1}
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "ballots.rating.comments_reviewed"
    assert "意见" not in str(entry.new)  # no comment text in the trail
    rating_round = release_results(actor=None, rating_round=rating_round)
    assert rating_round.status == RoundStatus.RELEASED
    released = AuditEntry.objects.order_by("-seq").first()
    assert released.action == "ballots.rating.released"
    assert released.new["raters"] == {"服务对象": 6, "校领导": 0}
    with pytest.raises(ValidationFailed, match="已发布"):
        release_results(actor=None, rating_round=rating_round)
    with pytest.raises(ValidationFailed, match="测评结束后"):
        review_comments(actor=None, rating_round=rating_round, decisions=[])

    results = results_of(rating_round)
    # Only the approved comment, reworded; 校领导 had no raters, so groups are told apart.
    assert results.comments == {first: [("服务对象", "意见已转述")]}
    report = results.report
    assert [g.decision.reason for g in report.groups] == [None, Reason.NO_RATERS]
    cell = report.cell(first, form.dimensions[0][0])
    assert cell.overall is not None and cell.overall.counts == (3, 3, 0, 0)


def test_results_hide_a_small_group_and_then_comments_name_no_group(school) -> None:
    rating_round, made = make_round(school, subjects=1, codes=6)
    form = form_of(rating_round)
    subject = form.subjects[0][0]
    for code in made["服务对象"][:6]:
        submit_rating(round_id=rating_round.pk, code=code, sheet=full_sheet(rating_round))
    submit_rating(round_id=rating_round.pk, code=made["校领导"][0],
                  sheet=full_sheet(rating_round, 3), comments={subject: "要加强学习"})  # fmt: skip
    rating_round = close_round(actor=None, rating_round=rating_round)
    review_comments(actor=None, rating_round=rating_round, decisions=[
        CommentDecision(str(RatingComment.objects.get().pk), CommentState.APPROVED)])  # fmt: skip
    rating_round = release_results(actor=None, rating_round=rating_round)
    results = results_of(rating_round)
    leaders = results.report.groups[1].decision
    assert not leaders.shown and leaders.text() == "参加1人，少于3人。"
    # The only other group is hidden too, so the overall (7) cannot be used to subtract.
    assert results.report.groups[0].decision.reason is Reason.COMPLEMENTARY
    assert results.report.overall.shown
    cell = results.report.cell(subject, form.dimensions[0][0])
    assert cell.groups == (None, None) and cell.overall.counts == (6, 0, 0, 1)
    assert results.comments == {subject: [("", "要加强学习")]}


def test_grades_with_values_give_a_mean(school) -> None:
    people = [make_person(school)]
    rating_round = services.create_round(
        actor=None, school=school, title="半学期考察", subjects=people,
        grades=services.FIVE_POINT_SCALE, groups=[GroupDraft("教师代表", 2)], kind="review",
    )  # fmt: skip
    group = RaterGroup.objects.get(round=rating_round)
    made = services.issue_codes(actor=None, rating_round=rating_round, group=group, count=2)
    rating_round = services.open_round(actor=None, rating_round=rating_round)
    submit_rating(round_id=rating_round.pk, code=made[0], sheet=full_sheet(rating_round, 0))
    submit_rating(round_id=rating_round.pk, code=made[1], sheet=full_sheet(rating_round, 1))
    rating_round = close_round(actor=None, rating_round=rating_round)
    rating_round = release_results(actor=None, rating_round=rating_round)
    cell = results_of(rating_round).report.cells[0]
    assert cell.overall is not None and cell.overall.mean == Decimal("4.5")


def test_a_rater_on_a_roll_rates_once_and_only_taking_part_is_known(school) -> None:
    rating_round, _made = make_round(
        school, groups=(GroupDraft("中层干部", 5, GroupMode.ROLL),), roll=3
    )
    people = [e.person for e in RatingRollEntry.objects.filter(round=rating_round)]
    before = AuditEntry.objects.count()
    rate_on_roll(rating_round=rating_round, person=people[0], sheet=full_sheet(rating_round))
    with pytest.raises(RatingRefused, match="已经参加过"):
        rate_on_roll(rating_round=rating_round, person=people[0], sheet=full_sheet(rating_round))
    with pytest.raises(RatingRefused, match="不在本次测评的名单上"):
        rate_on_roll(rating_round=rating_round, person=make_person(school),
                     sheet=full_sheet(rating_round))  # fmt: skip
    assert list(RatingRollEntry.objects.filter(issued=True).values_list("person", flat=True)) == [
        people[0].pk
    ]
    assert RaterCount.objects.get().count == 1
    assert AuditEntry.objects.count() == before
    (turnout,) = turnout_of(rating_round)
    assert (turnout.raters, turnout.expected, turnout.took_part) == (1, 3, 1)


def test_a_bad_sheet_on_the_roll_is_refused_before_the_rater_is_marked(school) -> None:
    rating_round, _made = make_round(
        school, groups=(GroupDraft("中层干部", 5, GroupMode.ROLL),), roll=1
    )
    person = RatingRollEntry.objects.get().person
    with pytest.raises(ValidationFailed):
        rate_on_roll(rating_round=rating_round, person=person, sheet={})
    assert not RatingRollEntry.objects.filter(issued=True).exists()
    assert not RatingCredential.objects.exists()


def test_a_person_rates_in_one_group_only_and_rolls_are_set_in_draft(school, other_school) -> None:
    rating_round, _made = make_round(
        school, open_=False, codes=0,
        groups=(GroupDraft("中层干部", 5, GroupMode.ROLL), GroupDraft("教师代表", 5, GroupMode.ROLL)),
    )  # fmt: skip
    middle, teachers = RaterGroup.objects.filter(round=rating_round)
    person = make_person(school, name="李四")
    services.set_roll(actor=None, rating_round=rating_round, group=middle, people=[person])
    with pytest.raises(ValidationFailed) as caught:
        services.set_roll(actor=None, rating_round=rating_round, group=teachers,
                          people=[person, make_person(other_school, name="外人")])  # fmt: skip
    assert caught.value.errors["people"] == [
        "不是本校教职工：外人", "李四已在“中层干部”的名单上，每人只能在一个类别中评议。",
    ]  # fmt: skip
    with pytest.raises(ValidationFailed, match="还没有名单：教师代表"):
        services.open_round(actor=None, rating_round=rating_round)
    with pytest.raises(ValidationFailed, match="参加方式是"):
        services.issue_codes(actor=None, rating_round=rating_round, group=middle, count=2)


def test_turnout_counts_codes_used_per_group(rating) -> None:
    rating_round, made = rating
    for code in made["校领导"][:2]:
        submit_rating(round_id=rating_round.pk, code=code, sheet=full_sheet(rating_round))
    figures = {t.group.name: (t.raters, t.expected, t.took_part) for t in turnout_of(rating_round)}
    assert figures == {"服务对象": (0, 10, 0), "校领导": (2, 10, 2)}
