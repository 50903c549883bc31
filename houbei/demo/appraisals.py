"""The demo school's annual appraisal grades (年度考核等次), 2018–2025 年度: the three years a
2021 考察材料 quotes (2018—2020) and every year since.

Believable rather than random: a school's annual appraisal gives most of its staff 合格
and about 15 % 优秀 (at most 20 % of those graded, the usual 事业单位 quota); 基本合格 and
不合格 are rare. So, for every year:

- who is appraised: the staff in establishment (在编: the 事业单位 appraisal; contract and
  substitute staff are appraised under their contracts, not here) who were at the school
  at the end of that year;
- 不定等次 for a first job begun in the second half of the year (the new graduates who
  start on 1 August: "初次就业、在本单位工作不满考核年度半年") and for one teacher on long
  sick leave in 2022, each with the reason in the note;
- 优秀 for everyone honoured that year (an 优秀班主任 or 优秀党员 is also the school's
  优秀 of that year), then drawn up to 15 % with the reserve cadres of 附1 and the post
  holders more likely, and less likely two years running;
- one 基本合格 a year and one 不合格 in eight years (2023) among the other staff — never
  a reserve cadre (附1's or those the 2023 and 2025 selections add) or a target of the
  2026 supplementary selection, whose selection assumed grades of 合格 or better;
- 合格 for everyone else.

2021–2025 are drawn first with the module's seed, then 2018–2020 with a seed of their
own, so adding the earlier years left the later grades as they were (the "less likely two
years running" rule works within each of the two spans).

Pure and deterministic like ``plan.py`` (a fixed seed, no clock): ``plan_appraisals``
takes the staff plan; ``add_appraisals`` writes the grades through
``people.services.add_annual_appraisal`` with the system as actor, so each is in the audit
trail like the honours. The two archived staff (transferred out) get none: their files
are archived when the demo builds them, and the registry refuses to change archived
files."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from houbei.people.models import AppraisalGrade, Establishment, Person, PostStatus
from houbei.people.services import add_annual_appraisal

from . import plan
from .plan import PersonSpec

YEARS = range(2018, 2026)
LATER_YEARS = range(2021, 2026)  # drawn first, with SEED
EARLIER_YEARS = range(2018, 2021)  # then, with EARLIER_SEED
SEED = plan.SEED + 12
EARLIER_SEED = plan.SEED + 13
# Reserve cadres added by the demo's 2023 and 2025 selections (``selection.LATER``).
# Those the 2023 and 2025 selections add, and the 2026 supplementary selection's targets.
LATER_RESERVES = ("钱建英", "何亚萍", "梁怡雯", "董思琪", "袁蓓蕾", "葛浩然")
EXCELLENT_SHARE = 0.15
EXCELLENT_CAP = 0.20
# Posts whose holders the school tends to grade 优秀 (they carry the extra work).
HELD_POSTS = (
    plan.CLASS,
    plan.GRADE,
    plan.SUBJECT,
    plan.ACADEMIC,
    plan.TEACHING,
    plan.MORAL,
    plan.GENERAL,
    plan.PERSONNEL,
    plan.UNION,
    plan.LEADER,
)
NEW_HIRE_NOTE = "新聘用人员试用期内，本年度在本单位工作不满半年"
SICK_LEAVE_NOTE = "病假累计超过考核年度半年"
SICK_LEAVE_YEAR = 2022
UNQUALIFIED_YEAR = 2023


@dataclass(frozen=True)
class GradeSpec:
    year: int
    grade: AppraisalGrade
    note: str = ""


def _appraised(person: PersonSpec, year: int) -> bool:
    """In establishment and at the school on 31 December of ``year``."""
    if person.establishment != Establishment.IN or person.archive_reason:
        return False
    end = dt.date(year, 12, 31)
    if person.joined_school_on > end:
        return False
    gone = person.post_status in (PostStatus.RETIRED, PostStatus.TRANSFERRED)
    return not (gone and person.left_on is not None and person.left_on < end)


def _first_job_late_in(person: PersonSpec, year: int) -> bool:
    return (
        person.started_work_on.year == year
        and person.joined_school_on.year == year
        and person.joined_school_on > dt.date(year, 6, 30)
    )


def _holds_a_post(person: PersonSpec, year: int) -> bool:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return any(person.holds(code, first, last) for code in HELD_POSTS)


def plan_appraisals(staff: Sequence[PersonSpec], seed: int = SEED) -> dict[str, list[GradeSpec]]:
    """Person key → that person's grades, oldest first (people never appraised are left
    out). See the module docstring for the rules."""
    rng = random.Random(seed)
    reserves = {p.key for p in staff if p.name in plan.APPENDIX_1}
    protected = reserves | {p.key for p in staff if p.name in LATER_RESERVES}
    grades: dict[str, list[GradeSpec]] = {}
    ordinary = [
        p for p in staff if p.key not in reserves and p.key.startswith("g") and not p.left_on
    ]
    sick = rng.choice([p for p in ordinary if _appraised(p, SICK_LEAVE_YEAR - 1) and p.subject]).key
    # Every later reserve and supplementary target is spared in both spans.
    _draw(staff, LATER_YEARS, rng, reserves, protected, grades, sick=sick)
    _draw(staff, EARLIER_YEARS, random.Random(seed + 1), reserves, protected, grades)
    return {key: sorted(specs, key=lambda g: g.year) for key, specs in grades.items()}


def _draw(
    staff: Sequence[PersonSpec],
    years: range,
    rng: random.Random,
    reserves: set[str],
    protected: set[str],
    grades: dict[str, list[GradeSpec]],
    *,
    sick: str = "",
) -> None:
    """The grades of ``years`` into ``grades`` (see the module docstring)."""
    excellent_last_year: set[str] = set()
    for year in years:
        graded: list[PersonSpec] = []
        for person in staff:
            if not _appraised(person, year):
                continue
            if _first_job_late_in(person, year):
                grades.setdefault(person.key, []).append(
                    GradeSpec(year, AppraisalGrade.UNGRADED, NEW_HIRE_NOTE)
                )
            elif person.key == sick and year == SICK_LEAVE_YEAR:
                grades.setdefault(person.key, []).append(
                    GradeSpec(year, AppraisalGrade.UNGRADED, SICK_LEAVE_NOTE)
                )
            else:
                graded.append(person)
        cap = int(len(graded) * EXCELLENT_CAP)
        target = round(len(graded) * EXCELLENT_SHARE)
        honoured = sorted(
            (p for p in graded if any(h.year == year for h in p.honours)),
            key=lambda p: (-max(h.level for h in p.honours if h.year == year), p.key),
        )
        excellent = {p.key for p in honoured[:cap]}
        rest = [p for p in graded if p.key not in excellent]
        while len(excellent) < target and rest:
            weights = [
                (3 if p.key in reserves else 1)
                * (2 if _holds_a_post(p, year) else 1)
                / (3 if p.key in excellent_last_year else 1)
                for p in rest
            ]
            chosen = rng.choices(rest, weights)[0]
            excellent.add(chosen.key)
            rest.remove(chosen)
        others = [p for p in rest if p.key not in protected and p.key.startswith("g")]
        low: dict[str, AppraisalGrade] = {}
        if others:
            low[rng.choice(others).key] = AppraisalGrade.BASICALLY_QUALIFIED
        plain = [p for p in others if p.key not in low and not _holds_a_post(p, year)]
        if year == UNQUALIFIED_YEAR and plain:
            low[rng.choice(plain).key] = AppraisalGrade.UNQUALIFIED
        for person in graded:
            if person.key in excellent:
                grade = AppraisalGrade.EXCELLENT
            else:
                grade = low.get(person.key, AppraisalGrade.QUALIFIED)
            grades.setdefault(person.key, []).append(GradeSpec(year, grade))
        excellent_last_year = excellent


def add_appraisals(staff: Sequence[PersonSpec], people: Mapping[str, Person]) -> int:
    """Write ``plan_appraisals(staff)`` for the people built from ``staff`` (key →
    person); returns how many grades were recorded."""
    count = 0
    for key, specs in plan_appraisals(staff).items():
        for spec in specs:
            add_annual_appraisal(
                actor=None, person=people[key], year=spec.year, grade=spec.grade, note=spec.note
            )
            count += 1
    return count
