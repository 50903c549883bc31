"""The demo's elections: one open on the roll (the demo teacher can vote after logging in)
and one counted and published (results, receipt check, exports), and a released
民主测评. The election open at a meeting is the 2026 cycle's first round of 民主推荐
(``selection.py``); ``save_slips`` prints its unused slips.

The open meeting's slips are written to ``DATA_DIR/demo-slips.pdf`` when the demo is
built — the only copy of their codes, as with a real election — and a few are kept for the
console (``DEMO_LINKS``) so a visitor can vote without a printer. Ballots of the published
election are drawn with a fixed seed, so every demo shows the same figures."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from houbei.ballots import services
from houbei.ballots.models import Election, Mode
from houbei.organisation.models import School
from houbei.people.models import Person

SEED = 20261203
SLIPS_FILE = "demo-slips.pdf"
LINKS_FILE = "demo-vote-links.txt"
# The title ``selection.recommendation.create_round`` gives the 2026 cycle's first round.
MEETING_TITLE = "2026年区、校后备干部选拔 第1轮民主推荐"
# Not a selection cycle's round: the school uses the same secret ballot for other votes.
ROLL_TITLE = "2026年度校级优秀教师民主推荐（网上投票）"
PUBLISHED_TITLE = "2025年度校级后备干部补充推荐"


@dataclass
class DemoElections:
    slips_pdf: Path | None = None
    links: list[str] = field(default_factory=list)


def _candidates(school: School) -> list[Person]:
    # The demo's eligible cohort is the eligibility module's business; for the ballot demo
    # the younger in-establishment teachers stand, in staff-number order.
    people = Person.objects.for_school(school).current().in_establishment_on_duty()
    return list(people.filter(birth_date__year__gte=1980).order_by("staff_number")[:40])


def _random_marks(rng: random.Random, election: Election, weights: dict[int, float]):
    marks: dict[str, list[int]] = {}
    for spec in services.specs_of(election):
        ids = [cid for cid, _name in spec.candidates]
        if rng.random() < 0.04:
            marks[str(spec.id)] = []  # a blank list
            continue
        k = min(len(ids), spec.quota - (1 if rng.random() < 0.3 else 0))
        pool = list(ids)
        chosen: list[int] = []
        while len(chosen) < k:
            pick = rng.choices(pool, [weights.get(c, 1.0) for c in pool])[0]
            pool.remove(pick)
            chosen.append(pick)
        marks[str(spec.id)] = chosen
    return marks


def add_elections(school: School) -> None:
    rng = random.Random(SEED)
    standing = _candidates(school)
    school_list = standing[:30]
    staff = list(Person.objects.for_school(school).current().in_establishment_on_duty())

    # Counted and published: 96 of 112 took part.
    published = services.create_election(
        actor=None, school=school, title=PUBLISHED_TITLE, mode=Mode.SLIPS, electorate=112,
        lists=[services.ListDraft("校级后备干部", 4, school_list[10:22])],
    )  # fmt: skip
    made = services.issue_slips(actor=None, election=published, count=112)
    services.open_election(actor=None, election=published)
    favour = {c: rng.uniform(0.3, 4.0) for c, _n in services.specs_of(published)[0].candidates}
    for i, code in enumerate(made[:96]):
        channel = "paper" if i % 5 == 0 else "online"
        services.cast_ballot(
            election_id=published.pk, code=code,
            marks=_random_marks(rng, published, favour), channel=channel,
        )  # fmt: skip
    services.close_election(actor=None, election=published)
    services.tally_election(actor=None, election=published)
    services.publish_results(actor=None, election=published)

    # Open on the roll: every 在编在岗 member of staff, the demo teacher among them.
    roll = services.create_election(
        actor=None, school=school, title=ROLL_TITLE, mode=Mode.ROLL,
        lists=[services.ListDraft("校级优秀教师", 3, school_list[:12])],
    )  # fmt: skip
    services.set_roll(actor=None, election=roll, people=staff)
    services.open_election(actor=None, election=roll)
    add_rating_round(school, standing[:3], staff, rng)


def save_slips(
    election: Election, unused: list[str], *, base_url: str = "http://127.0.0.1:8000"
) -> DemoElections:
    """Print the ``unused`` slips of an open meeting to ``demo-slips.pdf`` and keep the
    links of the first three for the console."""
    from houbei.ballots.documents import slips_pdf

    out = DemoElections()
    data_dir = Path(settings.DATA_DIR)
    out.slips_pdf = data_dir / SLIPS_FILE
    out.slips_pdf.write_bytes(slips_pdf(election, unused, base_url=base_url))
    out.links = [f"{base_url}/vote/{election.key}/#c={code}" for code in unused[:3]]
    (data_dir / LINKS_FILE).write_text("\n".join(out.links) + "\n", encoding="utf-8")
    return out


RATING_TITLE = "2025年度后备干部民主测评（演示，已发布）"
DEMO_COMMENTS = (
    "工作主动，能吃苦，带班有方法。",
    "教学扎实，乐于帮助青年教师。",
    "处理问题有时急躁，需多听取意见。",
    "组织能力强，承担学校活动认真负责。",
    "希望在课题研究上再下功夫。",
)


def add_rating_round(
    school: School, subjects: list[Person], staff: list[Person], rng: random.Random
) -> None:
    """A released 民主测评 of three reserve cadres by four groups: 校领导 (k = 3, 4 raters),
    中层干部 (k = 5, 7 raters), 教师代表 (k = 5, 14 raters) and 服务对象 (k = 5, only 3
    raters — so its figures stay hidden, and one more group with them, lest it be worked
    out by subtraction)."""
    from houbei.ballots.ratings import services as ratings
    from houbei.ballots.ratings.models import (
        CommentState,
        RatingComment,
        RatingDimension,
        RatingGrade,
        RatingSubject,
    )

    groups = [("校领导", 3, 4), ("中层干部", 5, 7), ("教师代表", 5, 14), ("服务对象", 5, 3)]
    rating_round = ratings.create_round(
        actor=None, school=school, title=RATING_TITLE, subjects=subjects,
        groups=[ratings.GroupDraft(name, k) for name, k, _n in groups],
    )  # fmt: skip
    made = {
        group.name: ratings.issue_codes(actor=None, rating_round=rating_round, group=group, count=n)
        for group, (_name, _k, n) in zip(rating_round.groups.order_by("pk"), groups, strict=True)
    }
    ratings.open_round(actor=None, rating_round=rating_round)
    subject_ids = list(
        RatingSubject.objects.filter(round=rating_round).values_list("id", flat=True)
    )
    dimension_ids = list(
        RatingDimension.objects.filter(round=rating_round).values_list("id", flat=True)
    )
    grade_ids = list(
        RatingGrade.objects.filter(round=rating_round)
        .order_by("position")
        .values_list("id", flat=True)
    )
    for codes_of_group in made.values():
        for code in codes_of_group:
            sheet = {
                (s, d): grade_ids[min(len(grade_ids) - 1, int(rng.expovariate(2.2)))]
                for s in subject_ids
                for d in dimension_ids
            }
            comments = (
                {subject_ids[0]: "工作主动，能吃苦，带班有方法。"} if rng.random() < 0.3 else {}
            )
            ratings.submit_rating(
                round_id=rating_round.pk, code=code, sheet=sheet, comments=comments
            )
    ratings.close_round(actor=None, rating_round=rating_round)
    decisions = [
        ratings.CommentDecision(str(pk), CommentState.APPROVED)
        for pk in RatingComment.objects.filter(round=rating_round).values_list("id", flat=True)
    ]
    if decisions:
        ratings.review_comments(actor=None, rating_round=rating_round, decisions=decisions)
    ratings.release_results(actor=None, rating_round=rating_round)


def saved_links() -> tuple[Path | None, list[str]]:
    """The slips file and the console links of an existing demo, when still on disk."""
    data_dir = Path(settings.DATA_DIR)
    pdf = data_dir / SLIPS_FILE
    links_file = data_dir / LINKS_FILE
    links = links_file.read_text(encoding="utf-8").split() if links_file.exists() else []
    return (pdf if pdf.exists() else None), links
