"""The demo's selection cycles (选拔周期), run through the selection services as a school
runs them, with the system as the actor. The school selects every two years (方案四：每二年
选拔一次), each pool valid two years:

* **2021年区、校后备干部选拔**, complete. Its final lists are those of the plan's 附1 —
  区级 陈晔、黄蔚敏、卢懿蕾、浦吉丽、张兰兰; 校级 陈静华、奚莉、余立群、邹建琴、朱佳美、王静、
  张清源、邱喆、卢懿蕾、浦吉丽、张兰兰 — reached stage by stage: the roll of everyone 在编在岗 on
  the recommendation day (2021-02-26, 附1's 推荐时间), a round of 会议推荐 by secret ballot
  (ballots cast with ``cast_ballot`` on the round's own codes, turnout above 2/3), the
  谈话调研推荐 counts, the opinions of the leadership and the party branch, more targets
  than places (差额) with their 考察预告, talks, a 民主测评 per person with ratings cast and
  released, 考察材料 drafted from the data and edited into a signed-off version, the
  校务会、支委会 meeting with every member's statement, a 公示 of five working days with one
  objection investigated and closed, and the reserve pool. The round's results are
  published once counted, as the office does, so the decision body sees the votes beside
  the names when it chooses the targets.
* **2023年** and **2025年区、校后备干部选拔** (``LATER``), complete, through the same
  pipeline (``_Completed`` with a ``CycleSpec``), each on its own days: 推荐 on the last
  Friday but one of February, then the 2021 steps at the same distances in working days
  of the school calendar (``days_from``), so a holiday moves what falls on it. The form
  is the real eligibility on that day; the votes favour the 2021 reserves, all still
  eligible and re-selected, with 钱建英 added in 2023 and gone in 2025 (past the 青年
  band), 何亚萍 and 梁怡雯 added in 2025. Each pool renews the last before it runs out,
  so the rotations of ``rotations.py`` have reserve cadres every term.
* **2026年区、校后备干部选拔**, in 民主推荐: it renews the 2025 pool (valid to March 2027).
  Its first round is the demo's open meeting — slips printed to ``demo-slips.pdf``, a few
  links on the console, and enough ballots already cast for the quorum, so a visitor can
  vote, close and count the round and take the cycle on to 征求意见 in the browser.
* **2026年校级后备干部补充选拔** (``SUPPLEMENT``), two 校级 places, through the same
  pipeline in November 2026 and stopped in 公示 (30 November to 4 December, over by the
  demo's today) with one signed objection still open: the visitor investigates and closes
  it, ends the notice and sees the pool of two. The reason for it is said at the meeting.

The candidates of a round are the cycle's eligible people inside the age band: 附1's
推荐范围 is 在编在岗**青年**教职工, so those flagged for age (still eligible by the rules)
are not on the form. Dates are the plan's (推荐 2021-02-26, the plan itself signed on
2021-03-30 while the notice ran), and every selection service is given the time it did
its part (``at``, ``SCHEDULE`` for 2021, ``Days.schedule`` for each), so the stages, the
round's count, opinions, talks, report versions and sign-offs, the meeting, the notice,
the objection and the audit entries of those services carry the cycle's dates. What the
ballots and ratings services stamp themselves (an election opened, a rating round
released) and the eligibility snapshot keep the time of the build. Votes, ratings and
talks come from fixed seeds, so every demo shows the same figures."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from houbei.ballots import services as ballots
from houbei.ballots.models import Candidate, Channel, Mode
from houbei.ballots.ratings import services as ratings
from houbei.ballots.ratings.models import (
    CommentState,
    RatingComment,
    RatingDimension,
    RatingGrade,
    RatingSubject,
)
from houbei.ballots.results import turnout_of
from houbei.eligibility import evaluation
from houbei.eligibility.models import RuleSet
from houbei.eligibility.rules import Verdict
from houbei.organisation.models import School
from houbei.organisation.workdays import (
    add_working_days,
    end_of_period,
    is_workday,
    load_calendar,
)
from houbei.people import durations
from houbei.people.models import Establishment, Person, PostHistory
from houbei.selection import decision, inspection, notice, opinions, targets, workflow
from houbei.selection.models import (
    CheckKind,
    CheckResult,
    Choice,
    Cycle,
    CycleList,
    InspectionTarget,
    Level,
    ObjectionOutcome,
    OpinionSource,
    OpinionStance,
    PoolEntry,
    Readiness,
    RecommendationRound,
    Stage,
)
from houbei.selection.recommendation import (
    TalkCount,
    create_round,
    latest_round,
    open_round,
    record_talk_recommendations,
    standings,
    tally_round,
)
from houbei.selection.recommendation import close_round as close_recommendation_round
from houbei.selection.services import (
    DEFAULT_LISTS,
    ListDraft,
    add_to_roll,
    create_cycle,
    plan_stage,
)

from . import plan
from .elections import DemoElections, save_slips

SEED = 20210324
COMPLETED_TITLE = "2021年区、校后备干部选拔"
CURRENT_TITLE = "2026年区、校后备干部选拔"
CURRENT_REFERENCE = dt.date(2026, 11, 30)

# The 2021 cycle's days: 附1's 推荐时间, then what a school does in the four weeks after.
REF = plan.RECOMMENDATION_DATE  # 2021-02-26 (Fri): 教职工大会, 会议推荐
TALKS_UNTIL = dt.date(2021, 3, 2)  # 谈话调研推荐
TARGETS_ON = dt.date(2021, 3, 8)  # 校务会 chooses the targets; 考察预告 the same day
INSPECTION_DAYS = [dt.date(2021, 3, d) for d in (11, 12, 15, 16, 17)]  # 个别谈话
REPORTS_ON = dt.date(2021, 3, 19)  # 考察材料
MEETING_ON = dt.date(2021, 3, 24)  # 校务会、支委会联席会议
NOTICE_FROM = dt.date(2021, 3, 25)  # 公示, five working days: 25, 26, 29, 30, 31 March
OBJECTION_ON = dt.date(2021, 3, 29)
ANSWERED_ON = dt.date(2021, 3, 31)

INSPECTION_FROM = dt.date(2021, 3, 11)  # the 考察预告's three days after TARGETS_ON
SIGNED_ON = dt.date(2021, 3, 22)  # the reports signed off, the decision prepared
DONE_ON = dt.date(2021, 4, 1)  # the day after the notice's last day: the pool

# Who is responsible for each stage (plan keys), and its deadline in 2021: the day the
# stage is to be over, which is when the next one can start.
STAGE_PLAN_2021: dict[Stage, tuple[str, dt.date]] = {
    Stage.PREPARATION: ("personnel-officer", dt.date(2021, 2, 24)),
    Stage.RECOMMENDATION: ("personnel-officer", TALKS_UNTIL),
    Stage.OPINIONS: ("secretary", dt.date(2021, 3, 5)),
    Stage.TARGETS: ("principal", INSPECTION_FROM),
    Stage.INSPECTION: ("vice-teaching", SIGNED_ON),
    Stage.DECISION: ("principal", MEETING_ON),
    Stage.NOTICE: ("personnel-officer", DONE_ON),
    Stage.DONE: ("personnel-officer", DONE_ON),
}


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A time of a school day (the school's time zone), for the services' ``at``."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


# When each step of the 2021 cycle was done, for the services' ``at``: set-up in the week
# before the 教职工大会, the count after it, then the four weeks of the plan.
SCHEDULE = {
    "created": at(dt.date(2021, 2, 22), 9),
    "roll": at(dt.date(2021, 2, 22), 9, 30),
    "planned": at(dt.date(2021, 2, 22), 10),
    "recommendation": at(dt.date(2021, 2, 24), 16),
    "round": at(dt.date(2021, 2, 25), 9),
    "tallied": at(REF, 17),
    "talk_counts": at(TALKS_UNTIL, 16),
    "opinions": at(TALKS_UNTIL, 17),
    "leadership": at(dt.date(2021, 3, 3), 10),
    "branch": at(dt.date(2021, 3, 4), 15),
    "targets": at(dt.date(2021, 3, 5), 16),
    "chosen": at(TARGETS_ON, 10),
    "announced": at(TARGETS_ON, 11),
    "inspection": at(INSPECTION_FROM, 8, 30),
    "appraisal": at(INSPECTION_FROM, 9),
    "drafted": at(REPORTS_ON, 9),
    "written": at(REPORTS_ON, 15),
    "signed": at(SIGNED_ON, 10),
    "decision": at(SIGNED_ON, 16),
    "meeting": at(MEETING_ON, 17, 30),
    "readiness": at(MEETING_ON, 17, 40),
    "notice": at(MEETING_ON, 18),
    "objection": at(OBJECTION_ON, 15),
    "closed": at(ANSWERED_ON, 16),
    "done": at(DONE_ON, 9),
}
STAGE_PLAN_2026: dict[Stage, tuple[str, dt.date]] = {
    Stage.PREPARATION: ("personnel-officer", dt.date(2026, 11, 30)),
    Stage.RECOMMENDATION: ("personnel-officer", dt.date(2026, 12, 11)),
    Stage.OPINIONS: ("secretary", dt.date(2026, 12, 18)),
    Stage.TARGETS: ("principal", dt.date(2026, 12, 23)),
    Stage.INSPECTION: ("vice-teaching", dt.date(2027, 1, 8)),
    Stage.DECISION: ("principal", dt.date(2027, 1, 13)),
    Stage.NOTICE: ("personnel-officer", dt.date(2027, 1, 21)),
    Stage.DONE: ("personnel-officer", dt.date(2027, 1, 22)),
}

# 会议推荐 2021: each 附1 name's share of the ballots that marked the list (before a little
# noise); the runners-up (the next people of each list, chosen in ``_runners``: one on the
# 区级 list, four on the 校级 list) and a scatter of others come after, well below the
# last of 附1.
DISTRICT_SHARES = {"陈晔": 0.80, "黄蔚敏": 0.74, "卢懿蕾": 0.70, "浦吉丽": 0.65, "张兰兰": 0.61}
DISTRICT_RUNNER_SHARE = 0.31
SCHOOL_SHARES = {
    "卢懿蕾": 0.82, "张兰兰": 0.79, "浦吉丽": 0.77, "陈静华": 0.75, "奚莉": 0.71,
    "余立群": 0.69, "邹建琴": 0.66, "朱佳美": 0.63, "王静": 0.60, "张清源": 0.57, "邱喆": 0.54,
}  # fmt: skip
RUNNER_SHARES = (0.41, 0.37, 0.31, 0.26)  # 校级: the four runners-up
ABSENT_SHARE = 0.09  # of the roll, away on the day
PAPER_SHARE = 0.2  # of the ballots, filled in on paper rather than by phone
TALK_INTERVIEWEES = 24  # 谈话调研推荐: 校领导、中层干部、教研组长、年级组长、教师代表

# 校务会、支委会 (plan keys), the main leader (校长) last; one member excused.
BOARD = (
    "secretary", "vice-teaching", "vice-moral", "academic-head", "teaching-head",
    "union-head", "personnel-officer", "general-head", "principal",
)  # fmt: skip
ABSENT_MEMBER = "general-head"
READY_NOW: dict[str, set[str]] = {
    Level.DISTRICT: {"陈晔", "黄蔚敏", "张兰兰"},
    Level.SCHOOL: {"卢懿蕾", "浦吉丽", "张兰兰", "陈静华", "余立群", "邹建琴"},
}


@dataclass(frozen=True)
class Days:
    """The days of one cycle's steps, the times its services are given (``at``) and its
    stages' deadlines."""

    ref: dt.date  # 推荐: the 教职工大会 and 会议推荐
    talks_until: dt.date
    targets_on: dt.date
    inspection_days: tuple[dt.date, ...]
    reports_on: dt.date
    signed_on: dt.date
    meeting_on: dt.date
    notice_from: dt.date
    objection_on: dt.date
    answered_on: dt.date
    done_on: dt.date
    schedule: Mapping[str, dt.datetime]
    stages: Mapping[Stage, tuple[str, dt.date]]


DAYS_2021 = Days(
    REF, TALKS_UNTIL, TARGETS_ON, tuple(INSPECTION_DAYS), REPORTS_ON, SIGNED_ON, MEETING_ON,
    NOTICE_FROM, OBJECTION_ON, ANSWERED_ON, DONE_ON, SCHEDULE, STAGE_PLAN_2021,
)  # fmt: skip


def days_from(ref: dt.date) -> Days:
    """A cycle's days laid out as 2021's were, counted in working days of the school
    calendar from its 推荐 day ``ref`` (so a holiday moves what falls on it): set-up four
    working days before, the talks two after, the targets six after, five days of talks
    from the ninth, the reports on the fifteenth, the meeting on the eighteenth, then a
    公示 of five working days and the pool on the day after its last."""
    oracle = load_calendar().oracle

    def wd(n: int) -> dt.date:
        if n >= 0:
            return add_working_days(ref, n, oracle).value
        day, left = ref, -n
        while left:
            day -= dt.timedelta(days=1)
            left -= is_workday(day, oracle).value
        return day

    notice_from = wd(19)
    notice_end = end_of_period(notice_from, 5, oracle).value
    done = add_working_days(notice_end, 1, oracle).value
    inspection = tuple(wd(n) for n in range(9, 14))
    schedule = {
        "created": at(wd(-4), 9), "roll": at(wd(-4), 9, 30), "planned": at(wd(-4), 10),
        "recommendation": at(wd(-2), 16), "round": at(wd(-1), 9), "tallied": at(ref, 17),
        "talk_counts": at(wd(2), 16), "opinions": at(wd(2), 17), "leadership": at(wd(3), 10),
        "branch": at(wd(4), 15), "targets": at(wd(5), 16), "chosen": at(wd(6), 10),
        "announced": at(wd(6), 11), "inspection": at(wd(9), 8, 30), "appraisal": at(wd(9), 9),
        "drafted": at(wd(15), 9), "written": at(wd(15), 15), "signed": at(wd(16), 10),
        "decision": at(wd(16), 16), "meeting": at(wd(18), 17, 30),
        "readiness": at(wd(18), 17, 40), "notice": at(wd(18), 18),
        "objection": at(add_working_days(notice_from, 2, oracle).value, 15),
        "closed": at(notice_end, 16), "done": at(done, 9),
    }  # fmt: skip
    stages = {
        Stage.PREPARATION: ("personnel-officer", wd(-2)),
        Stage.RECOMMENDATION: ("personnel-officer", wd(2)),
        Stage.OPINIONS: ("secretary", wd(5)),
        Stage.TARGETS: ("principal", wd(9)),
        Stage.INSPECTION: ("vice-teaching", wd(16)),
        Stage.DECISION: ("principal", wd(18)),
        Stage.NOTICE: ("personnel-officer", done),
        Stage.DONE: ("personnel-officer", done),
    }
    return Days(
        ref, wd(2), wd(6), inspection, wd(15), wd(16), wd(18), notice_from,
        add_working_days(notice_from, 2, oracle).value, notice_end, done, schedule, stages,
    )  # fmt: skip


@dataclass(frozen=True)
class SupplementSpec:
    """What a supplementary selection adds to a ``CycleSpec``: the reason, said at the
    decision meeting; the set-up compressed into the day before the 推荐 (the office drafts
    the plan outside the system); and the objection received during its notice, left open
    for the office to investigate."""

    reason: str
    setup_on: dt.date
    finish_by: dt.date  # the deadline of 公示 and 完成: the office's week after the notice
    about: str  # the person the objection is about
    reporter_subject: str
    objection: str

    def days(self, laid_out: Days) -> Days:
        day = self.setup_on
        schedule = {
            **laid_out.schedule,
            "created": at(day, 9), "roll": at(day, 9, 30), "planned": at(day, 10),
            "recommendation": at(day, 16), "round": at(laid_out.ref, 8),
        }  # fmt: skip
        stages = {
            **laid_out.stages,
            Stage.PREPARATION: ("personnel-officer", day),
            Stage.NOTICE: ("personnel-officer", self.finish_by),
            Stage.DONE: ("personnel-officer", self.finish_by),
        }
        return replace(laid_out, schedule=schedule, stages=stages)


@dataclass(frozen=True)
class CycleSpec:
    """One completed cycle: its title, year and 推荐 day, its final lists (most voted
    first), who the meeting thinks ready soon, and the seed of its votes and ratings.
    ``shares`` gives each listed name's share of the ballots (2021's, to match 附1);
    without it the shares are drawn, falling from about 0.8 to 0.5."""

    title: str
    year: int
    ref: dt.date
    district: tuple[str, ...]
    school: tuple[str, ...]
    ready_now: Mapping[str, frozenset[str]]
    seed: int
    shares: Mapping[str, Mapping[str, float]] | None = None
    objection: bool = False  # 2021's: one objection to 邱喆, investigated and closed
    runner_shares: tuple[float, ...] = RUNNER_SHARES  # 校级: the four runners-up
    scatter: int = 14  # 校级: the most votes anyone else on the form gets
    lists: Sequence[ListDraft] = DEFAULT_LISTS
    extra_targets: int = 2  # 校级 targets beyond the places (差额)
    # A supplementary selection (``SUPPLEMENT``): its form leaves out those already in the
    # pool (at either level), it stops in 公示 with one signed objection still open, and its days
    # and the reason for it are its own.
    supplement: SupplementSpec | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.district + self.school))

    def days(self) -> Days:
        if self.supplement is not None:
            return self.supplement.days(days_from(self.ref))
        return DAYS_2021 if self.ref == REF else days_from(self.ref)


CYCLE_2021 = CycleSpec(
    COMPLETED_TITLE, 2021, REF, plan.DISTRICT_LIST, plan.SCHOOL_LIST,
    {level: frozenset(names) for level, names in READY_NOW.items()}, SEED,
    shares={Level.DISTRICT: DISTRICT_SHARES, Level.SCHOOL: SCHOOL_SHARES}, objection=True,
)  # fmt: skip

# The later selections, every two years (方案四：每二年选拔一次), each renewing the pool
# before the last one runs out. The 2021 reserves are all still eligible and most voted
# again. 2023 adds 钱建英 (45) to the 校级 list in place of 张兰兰, who stays on the 区级
# one. By 2025 钱建英 is 47, past the 青年 band and no longer on the form; 何亚萍 (an
# extra 校级 target of 2023, not passed then) and 梁怡雯 (newly a team head for a year)
# join the 校级 list, and 张兰兰 goes back on it. The 区级 form has no one else young and
# eligible outside the decision body, so its five are inspected for five places (等额,
# acknowledged).
LATER_NEWCOMERS = ("钱建英", "何亚萍", "梁怡雯")
LATER = (
    CycleSpec(
        "2023年区、校后备干部选拔", 2023, dt.date(2023, 2, 24),
        ("陈晔", "卢懿蕾", "黄蔚敏", "浦吉丽", "张兰兰"),
        ("卢懿蕾", "陈静华", "浦吉丽", "奚莉", "邹建琴", "余立群", "王静", "朱佳美", "邱喆",
         "张清源", "钱建英"),
        {Level.DISTRICT: frozenset({"陈晔", "卢懿蕾"}),
         Level.SCHOOL: frozenset({"陈静华", "奚莉", "邹建琴", "王静"})},
        SEED + 2023,
    ),
    CycleSpec(
        "2025年区、校后备干部选拔", 2025, dt.date(2025, 2, 21),
        ("陈晔", "卢懿蕾", "黄蔚敏", "张兰兰", "浦吉丽"),
        ("陈静华", "奚莉", "张兰兰", "邹建琴", "朱佳美", "王静", "余立群", "邱喆", "张清源",
         "何亚萍", "梁怡雯"),
        {Level.DISTRICT: frozenset({"陈晔", "卢懿蕾", "黄蔚敏"}),
         Level.SCHOOL: frozenset({"陈静华", "奚莉", "张兰兰", "朱佳美", "王静"})},
        SEED + 2025,
    ),
)  # fmt: skip


# A supplementary selection for the 校级 list in November 2026, two places, stopped in 公示
# with a signed objection open, so a visitor can finish a cycle today with honest dates:
# its notice (30 November to 4 December) is over. Why a supplement: the plan's 加强动态管理
# (promising young staff taken on early), as the meeting's note says. The form is the
# young eligible who are not in the pool (the 2025 reserves stay); of the six, 董思琪 and
# 袁蓓蕾 are most voted and the longest-serving of the rest, 葛浩然, is the third target
# (差额, 3 for 2), on whom the meeting defers. The objection about 袁蓓蕾 waits for the
# personnel office.
SUPPLEMENT_TITLE = "2026年校级后备干部补充选拔"
SUPPLEMENT = CycleSpec(
    SUPPLEMENT_TITLE, 2026, dt.date(2026, 11, 3), (), ("董思琪", "袁蓓蕾"),
    {Level.SCHOOL: frozenset({"董思琪"})}, SEED + 2026,
    shares={Level.SCHOOL: {"董思琪": 0.56, "袁蓓蕾": 0.49}},
    runner_shares=(0.24, 0.13, 0.08, 0.05), scatter=3,
    lists=(ListDraft(Level.SCHOOL, 2),), extra_targets=1,
    supplement=SupplementSpec(
        reason=(
            "本次为校级后备干部补充选拔：按学校方案“加强动态管理”“对表现优良的苗子要进一步"
            "加大培养的力度”的要求，经校务会研究，在2025年选拔的后备干部之外补充选拔校级"
            "后备干部2名。"
        ),
        setup_on=dt.date(2026, 11, 2),
        finish_by=dt.date(2026, 12, 11),
        about="袁蓓蕾",
        reporter_subject="英语",
        objection=(
            "反映袁蓓蕾同志本学期多次在校外培训机构授课，是否属于有偿补课，请学校核实；"
            "如属实，不宜列为校级后备干部。"
        ),
    ),
)  # fmt: skip


@dataclass
class DemoCycles:
    completed: Cycle  # 2021's, 附1
    current: Cycle
    slips: DemoElections = field(default_factory=DemoElections)
    later: list[Cycle] = field(default_factory=list)  # 2023's and 2025's, complete
    supplement: Cycle | None = None  # 2026's 补充选拔, in 公示 with an objection open


def add_cycles(
    school: School,
    staff: Sequence[plan.PersonSpec],
    people: Mapping[str, Person],
    *,
    rules_2021: RuleSet,
    rules_now: RuleSet,
    base_url: str = "http://127.0.0.1:8000",
) -> DemoCycles:
    """The demo school's cycles (see the module docstring). ``staff`` are the plan's
    people and ``people`` the stored ones by plan key; ``rules_2021`` the conditions as
    used for 附1, ``rules_now`` the school's default ones (counted on each cycle's day),
    used by the 2023, 2025 and 2026 cycles."""
    rng = random.Random(SEED)
    completed = _Completed(school, staff, people, rng, CYCLE_2021).run(rules_2021)
    later = [
        _Completed(school, staff, people, random.Random(spec.seed), spec).run(rules_now)
        for spec in LATER
    ]
    current, slips = _add_current(school, people, rules_now, rng, base_url=base_url)
    supplement = _Completed(school, staff, people, random.Random(SUPPLEMENT.seed), SUPPLEMENT).run(
        rules_now
    )
    return DemoCycles(
        completed=completed, current=current, slips=slips, later=later, supplement=supplement
    )


# --- the 2021 cycle ----------------------------------------------------------------------


def roll_on(day: dt.date, staff: Sequence[plan.PersonSpec], people: Mapping[str, Person]):
    """Everyone 在编在岗 at the school on ``day``: joined by then and not yet gone (people
    who have retired, gone off duty or moved away since were on the roll then)."""
    return [
        people[spec.key]
        for spec in staff
        if spec.establishment == Establishment.IN
        and spec.joined_school_on <= day
        and (spec.left_on is None or spec.left_on > day)
    ]


# The level of the posts each list prepares for (the target of condition 3, a year one
# level below): 区级 reserves for (副)校级 posts, 校级 reserves for 中层 posts.
LIST_TARGETS = {Level.DISTRICT: "level:4", Level.SCHOOL: "level:3"}


def candidates_of(cycle: Cycle) -> dict[str, list[Person]]:
    """Per list level, who is on the recommendation form: the young eligible of the
    cycle's snapshot who also meet condition 3 for the list's level, evaluated with the
    cycle's rule set on its reference date."""
    young = young_eligible(cycle)
    out: dict[str, list[Person]] = {}
    for level, target in LIST_TARGETS.items():
        fit = evaluation.evaluate(
            cycle.rule_set, as_of=cycle.reference_date, target=target
        ).eligible_ids()
        out[level] = [p for p in young if p.pk in fit]
    return out


def young_eligible(cycle: Cycle) -> list[Person]:
    """The cycle's eligible people inside the age band (推荐范围：青年教职工), from its
    snapshot."""
    snapshot = cycle.eligibility_snapshot
    ids = [
        int(row["person_id"])
        for row in (snapshot.results if snapshot is not None else [])
        if row.get("verdict") == Verdict.ELIGIBLE
    ]
    return list(Person.objects.filter(pk__in=ids).order_by("staff_number"))


def _plan_stages(
    cycle: Cycle, stages: Mapping[Stage, tuple[str, dt.date]], people, when=None
) -> None:
    for stage, (key, deadline) in stages.items():
        plan_stage(
            actor=None, cycle=cycle, stage=stage, deadline=deadline, responsible=people[key],
            at=when,
        )  # fmt: skip


def _lists(cycle: Cycle) -> dict[str, CycleList]:
    return {cl.level: cl for cl in CycleList.objects.filter(cycle=cycle)}


def _spread(rng: random.Random, ballots: int, quota: int, votes: Mapping[int, int]):
    """``ballots`` lists of marks giving each candidate exactly its ``votes``: the most
    voted first, each onto the ballots with the fewest marks so far, so no ballot marks
    more than the quota (the loads never differ by more than one)."""
    marks: list[list[int]] = [[] for _i in range(ballots)]
    for candidate, n in sorted(votes.items(), key=lambda item: -item[1]):
        order = sorted(range(ballots), key=lambda i: (len(marks[i]), rng.random()))
        for i in order[:n]:
            marks[i].append(candidate)
    if any(len(m) > quota for m in marks):  # pragma: no cover - the shares fit the quota
        raise ValueError("more votes than the ballots hold")
    return marks


class _Completed:
    """A completed cycle (``spec``), one method per stage."""

    def __init__(
        self,
        school: School,
        staff: Sequence[plan.PersonSpec],
        people: Mapping[str, Person],
        rng: random.Random,
        spec: CycleSpec,
    ) -> None:
        self.school, self.staff, self.people, self.rng = school, staff, people, rng
        self.spec, self.days = spec, spec.days()
        self.by_name = {p.name: p for p in people.values() if p.archived_at is None}
        self.roll = roll_on(self.days.ref, staff, people)
        self.specs = {s.key: s for s in staff}

    def run(self, rule_set: RuleSet) -> Cycle:
        self.setup(rule_set)
        self.recommend()
        self.consult()
        self.choose()
        self.inspect()
        self.decide()
        self.publish()
        if self.spec.supplement is not None:
            return self.cycle  # in 公示, an objection open: the visitor takes it on
        return workflow.complete_cycle(actor=None, cycle=self.cycle, at=self.days.schedule["done"])

    # 筹备
    def setup(self, rule_set: RuleSet) -> None:
        # An empty roll first, then everyone on the day with the basis of their inclusion.
        spec, ref, when = self.spec, self.days.ref, self.days.schedule
        self.cycle = create_cycle(
            actor=None, school=self.school, title=spec.title, year=spec.year,
            reference_date=ref, rule_set=rule_set, lists=spec.lists, roll=[], at=when["created"],
        )  # fmt: skip
        add_to_roll(
            actor=None, cycle=self.cycle, people=self.roll,
            basis=_("%(y)d年%(m)d月%(d)d日在编在岗教职工")
            % {"y": ref.year, "m": ref.month, "d": ref.day},
            at=when["roll"],
        )  # fmt: skip
        _plan_stages(self.cycle, self.days.stages, self.people, when["planned"])
        self.lists = _lists(self.cycle)
        workflow.start_recommendation(actor=None, cycle=self.cycle, at=when["recommendation"])
        self.cycle.refresh_from_db()

    # 民主推荐
    def recommend(self) -> None:
        cycle, rng, spec, when = self.cycle, self.rng, self.spec, self.days.schedule
        standing = candidates_of(cycle)
        if spec.supplement is not None:  # those already in the pool are not on the form
            standing = {level: _not_in_pool(people, spec.ref) for level, people in standing.items()}
        board = [self.people[key] for key in BOARD]
        self.form = [self.lists[lv] for lv in (Level.DISTRICT, Level.SCHOOL) if lv in self.lists]
        listed: dict[str, tuple[str, ...]] = {
            Level.DISTRICT: spec.district,
            Level.SCHOOL: spec.school,
        }
        for cl in self.form:
            missing = set(listed[cl.level]) - {p.name for p in standing[cl.level]}
            if missing:  # pragma: no cover - the plan's careers make them eligible
                raise ValueError(f"{spec.title}: not on the {cl.level} form: {sorted(missing)}")
        self.district_runner = (
            next(iter(_runners(standing[Level.DISTRICT], board, spec.names)), None)
            if Level.DISTRICT in self.lists
            else None
        )
        self.runners = _runners(standing[Level.SCHOOL], board, spec.names)[:4]
        round_ = create_round(
            actor=None, cycle=cycle, mode=Mode.SLIPS,
            candidates={cl: standing[cl.level] for cl in self.form}, at=when["round"],
        )  # fmt: skip
        election = round_.election
        codes = ballots.issue_slips(actor=None, election=election, count=election.electorate)
        open_round(actor=None, round_=round_)

        voters = election.electorate - round(election.electorate * ABSENT_SHARE)
        cid = {
            (round_.list_map[str(bl)], person): pk
            for pk, bl, person in Candidate.objects.filter(
                ballot_list__election=election
            ).values_list("pk", "ballot_list_id", "person_id")
        }
        ballot_of = {cl: bl for bl, cl in round_.list_map.items()}
        shares = spec.shares or {
            Level.DISTRICT: _drawn_shares(rng, spec.district),
            Level.SCHOOL: _drawn_shares(rng, spec.school),
        }
        runner = {self.district_runner.name: DISTRICT_RUNNER_SHARE} if self.district_runner else {}
        after: dict[str, dict[str, float]] = {
            Level.DISTRICT: runner,
            Level.SCHOOL: {p.name: s for p, s in zip(self.runners, spec.runner_shares, strict=True)},
        }  # fmt: skip
        wanted = {cl: {**shares[cl.level], **after[cl.level]} for cl in self.form}
        # The most votes anyone else gets.
        scatter: dict[str, int] = {Level.DISTRICT: 12, Level.SCHOOL: spec.scatter}
        # Who leaves a list blank, and two paper ballots that mark one name too many.
        blank: dict[str, set[int]] = {Level.DISTRICT: {5, 40}, Level.SCHOOL: {23}}
        over: dict[str, int] = {Level.DISTRICT: voters - 1, Level.SCHOOL: voters - 2}
        marks: list[dict[str, list[int]]] = [{} for _i in range(voters)]
        self.votes: dict[tuple[int, str], int] = {}
        for cl in self.form:
            counted = [i for i in range(voters) if i not in blank[cl.level] and i != over[cl.level]]
            votes = {}
            for person in standing[cl.level]:
                share = wanted[cl].get(person.name)
                if share is not None:
                    n = round(share * len(counted)) + rng.randint(-2, 2)
                elif rng.random() < 0.8:
                    n = rng.randint(1, scatter[cl.level])
                else:
                    continue
                votes[cid[(cl.pk, person.pk)]] = n
                self.votes[(cl.pk, person.name)] = n
            spread = _spread(rng, len(counted), cl.quota, votes)
            key = ballot_of[cl.pk]
            for i, chosen in zip(counted, spread, strict=True):
                marks[i][key] = chosen
            for i in blank[cl.level]:
                marks[i][key] = []
            favourites = sorted(votes, key=lambda c: -votes[c])[: cl.quota + 1]
            marks[over[cl.level]][key] = favourites
        paper_from = voters - round(voters * PAPER_SHARE)
        for i, code in enumerate(codes[:voters]):
            channel = Channel.PAPER if i >= paper_from else Channel.ONLINE
            ballots.cast_ballot(election_id=election.pk, code=code, marks=marks[i], channel=channel)
        close_recommendation_round(actor=None, round_=round_)
        self.round = tally_round(actor=None, round_=round_, at=when["tallied"])
        # Published, as the office does once the count is in: the decision body then sees
        # each person's votes beside their name when it chooses the targets.
        ballots.publish_results(actor=None, election=round_.election)

        counts = []
        for cl in self.form:
            for person in standing[cl.level]:
                share = wanted[cl].get(person.name)
                if share is None:
                    continue
                n = round(share * TALK_INTERVIEWEES) + rng.randint(-2, 1)
                counts.append(TalkCount(cl, person, max(1, min(TALK_INTERVIEWEES, n))))
        record_talk_recommendations(
            actor=None, cycle=cycle, interviewees=TALK_INTERVIEWEES, counts=counts,
            at=when["talk_counts"],
        )  # fmt: skip
        workflow.start_opinions(actor=None, cycle=cycle, at=when["opinions"])

    # 征求意见
    def consult(self) -> None:
        """Both bodies on every target-to-be and on the next two of the cohort, whom the
        leadership and the branch each had a reservation about."""
        runner = [self.district_runner.name] if self.district_runner else []
        names = dict.fromkeys([*self.spec.names, *runner, *(p.name for p in self.runners)])
        when = self.days.schedule
        for index, name in enumerate(names):
            person = self.by_name[name]
            for source in OpinionSource.values:
                stance, text = _opinion(index, name, source, self.runners)
                opinions.record_opinion(
                    actor=None, cycle=self.cycle, person=person, source=source, stance=stance,
                    text=text, at=when[source],
                )  # fmt: skip
        workflow.start_target_selection(actor=None, cycle=self.cycle, at=when["targets"])

    # 确定考察对象: one more than the 区级 places (2021) and two more than the 校级 places.
    def choose(self) -> None:
        spec, days = self.spec, self.days
        runner = [self.district_runner] if self.district_runner else []
        chosen = {}
        if Level.DISTRICT in self.lists:
            chosen[self.lists[Level.DISTRICT]] = [self.by_name[n] for n in spec.district] + runner
        chosen[self.lists[Level.SCHOOL]] = [
            *(self.by_name[n] for n in spec.school),
            *self.runners[: spec.extra_targets],
        ]
        equal = Level.DISTRICT in self.lists and not runner
        targets.choose_targets(
            actor=None, cycle=self.cycle, decided_on=days.targets_on, targets=chosen,
            acknowledgement=EQUAL_DISTRICT if equal else "", at=days.schedule["chosen"],
        )  # fmt: skip
        targets.publish_inspection_notice(
            actor=None, cycle=self.cycle, published_on=days.targets_on,
            at=days.schedule["announced"],
        )  # fmt: skip
        workflow.start_inspection(actor=None, cycle=self.cycle, at=days.schedule["inspection"])

    # 组织考察
    def inspect(self) -> None:
        cycle, rng, days = self.cycle, self.rng, self.days
        active = _active_targets(cycle)
        first_of: dict[int, InspectionTarget] = {}
        for target in active:
            first_of.setdefault(target.person_id, target)
        colleagues = [p for p in self.roll if p.archived_at is None]
        target_ids = set(first_of)
        for target in first_of.values():
            person = target.person
            facts = _facts(person, days.ref)
            same_subject = [
                p for p in colleagues if p.subject == person.subject and p.pk not in target_ids
            ]
            leader = self.people[rng.choice(["vice-teaching", "vice-moral", "academic-head"])]
            pool = [p for p in colleagues if p.pk not in target_ids and p != leader]
            peers = [p for p in same_subject if p != leader] or pool
            chosen = rng.sample(peers, min(2, len(peers)))
            interviewees = [leader, *chosen, rng.choice([p for p in pool if p not in chosen])]
            for n, (who, summary) in enumerate(
                zip(interviewees, _talk_summaries(rng, facts, len(interviewees)), strict=True)
            ):
                held_on = days.inspection_days[(n + person.pk) % len(days.inspection_days)]
                inspection.record_talk(
                    actor=None, target=target, interviewee_name="", interviewee=who,
                    held_on=held_on, interviewer="钱秀英、施雅琴", summary=summary,
                    at=at(held_on, 16, n),
                )  # fmt: skip
            _record_checks(target, days.inspection_days)
            target = inspection.start_appraisal(
                actor=None, target=target, groups=APPRAISAL_GROUPS, at=days.schedule["appraisal"]
            )
            strong = person.name in self.spec.names
            _rate(rng, target, strong=strong)
        for target in _active_targets(cycle):
            facts = _facts(target.person, days.ref)
            draft = _draft(target, days.reports_on)
            when = days.schedule
            inspection.save_report(actor=None, target=target, text=draft, at=when["drafted"])
            inspection.save_report(
                actor=None, target=target, text=_filled(draft, facts, target, days.reports_on),
                at=when["written"],
            )  # fmt: skip
            inspection.sign_off_report(actor=None, target=target, at=when["signed"])
        workflow.start_decision(actor=None, cycle=cycle, at=days.schedule["decision"])

    # 讨论决定
    def decide(self) -> None:
        rng = self.rng
        members = [
            decision.MemberDraft(
                self.people[key], present=key != ABSENT_MEMBER, main_leader=key == "principal"
            )
            for key in BOARD
        ]
        present = [m.person for m in members if m.present]
        votes: dict[InspectionTarget, list[tuple[Person, str]]] = {}
        rejected = {(Level.SCHOOL, self.runners[1].name)}
        if self.district_runner is not None:
            rejected.add((Level.DISTRICT, self.district_runner.name))
        postponed = {(Level.SCHOOL, self.runners[0].name)}
        for target in _active_targets(self.cycle):
            key = (target.cycle_list.level, target.person.name)
            if key in rejected:
                said = [Choice.DISAGREE] * 4 + [Choice.AGREE, Choice.AGREE, Choice.DEFER]
                leader = Choice.DISAGREE
            elif key in postponed:
                said = [Choice.AGREE] * 3 + [Choice.DEFER] * 3 + [Choice.DISAGREE]
                leader = Choice.DEFER
            else:
                said = [Choice.AGREE] * 7
                for i in rng.sample(range(7), rng.choice((0, 0, 0, 1, 1, 2))):
                    said[i] = Choice.DEFER
                leader = Choice.AGREE
            rng.shuffle(said)
            votes[target] = [*zip(present[:-1], said, strict=True), (present[-1], leader)]
        per_list = {
            cl.name: sum(t.cycle_list_id == cl.pk for t in votes) for cl in self.lists.values()
        }
        reason = self.spec.supplement.reason if self.spec.supplement else ""
        decision.record_meeting(
            actor=None, cycle=self.cycle, held_on=self.days.meeting_on, members=members, votes=votes,
            note=reason + _(
                "校务会、支委会联席会议，%(absent)s同志外出参加区教育局培训请假。会议听取考察组"
                "关于%(people)d名考察对象（%(lists)s）的考察情况汇报，结合民主推荐、谈话调研"
                "推荐和征求意见情况逐人讨论，成员逐一表态，校长最后表态。"
            ) % {
                "absent": self.people[ABSENT_MEMBER].name,
                "people": len({t.person_id for t in votes}),
                "lists": "、".join(f"{name}{n}人" for name, n in per_list.items()),
            }, at=self.days.schedule["meeting"],
        )  # fmt: skip
        for target, _decided in decision.passed_targets(self.cycle):
            if target.person.name in self.spec.ready_now[target.cycle_list.level]:
                targets.set_readiness(
                    actor=None, target=target, readiness=Readiness.NEAR,
                    at=self.days.schedule["readiness"],
                )  # fmt: skip

    # 公示
    def publish(self) -> None:
        cycle = workflow.start_notice(
            actor=None, cycle=self.cycle, start=self.days.notice_from,
            at=self.days.schedule["notice"],
        )  # fmt: skip
        if self.spec.objection:
            self.object(cycle)
        supplement = self.spec.supplement
        if supplement is not None:  # received during the notice, left open
            self.register(cycle, supplement.about, supplement.reporter_subject,
                          supplement.objection)  # fmt: skip

    def register(self, cycle: Cycle, name: str, subject: str, content: str):  # type: ignore[no-untyped-def]
        """A signed objection about ``name`` (on the 校级 list) from a colleague of the
        same subject, received on the cycle's objection day and handed in in person."""
        about = next(
            t
            for t, _d in decision.passed_targets(cycle)
            if t.person.name == name and t.cycle_list.level == Level.SCHOOL
        )
        reporter = next(p for p in self.roll if p.subject == subject and p.name != name)
        return notice.register_objection(
            actor=None, cycle=cycle, target=about, signed=True,
            received_on=self.days.objection_on, reporter_name=reporter.name,
            reporter_contact=_("校内当面反映"), content=content,
            at=self.days.schedule["objection"],
        )  # fmt: skip

    def object(self, cycle: Cycle) -> None:
        """2021's objection: 邱喆's workload, investigated and found in order."""
        objection = self.register(
            cycle, "邱喆", "信息科技",
            _(
                "反映邱喆同志本学年周课时少于同组教师，兼任的网络管理工作占用了教学时间，"
                "担任校级后备干部是否合适。"
            ),
        )  # fmt: skip
        notice.close_objection(
            actor=None, objection=objection, outcome=ObjectionOutcome.NO_PROBLEM,
            investigation=_(
                "调阅教务处2020学年第二学期课表和工作量统计，并与信息科技组长、教务处主任谈话："
                "邱喆同志周课时12节，另兼任信息科技教研组长和学校网络维护，按学校工作量办法"
                "折算后工作量满额，与同组教师相当；网络维护均安排在无课时段，未影响教学。"
                "反映的问题不存在，不影响列入。"
            ),
            answer=_("经调查核实，邱喆同志工作量符合学校规定，兼职工作未影响教学，所反映问题不存在。"),
            answered_on=ANSWERED_ON, at=SCHEDULE["closed"],
        )  # fmt: skip


def _runners(
    standing: Sequence[Person], board: Sequence[Person], listed: Sequence[str]
) -> list[Person]:
    """The four people of the cohort next after the final lists (``listed``; 附1 in
    2021): the longest-serving of the young eligible on the form who are neither on them
    nor on the 校务会 (their votes come after the lists'; two become targets)."""
    rest = [p for p in standing if p.name not in listed and p not in board]
    return sorted(rest, key=lambda p: (p.joined_school_on, p.staff_number))[:4]


def _not_in_pool(people: Sequence[Person], day: dt.date) -> list[Person]:
    """``people`` but those already in the pool (at either level) on ``day``."""
    held = set(PoolEntry.objects.valid_on(day).values_list("person_id", flat=True))
    return [p for p in people if p.pk not in held]


def _drawn_shares(rng: random.Random, names: Sequence[str]) -> dict[str, float]:
    """Shares of the ballots for a final list, most voted first: from about 0.8 down to
    about 0.5, a little uneven."""
    top, bottom = 0.8 + rng.uniform(-0.03, 0.03), 0.5 + rng.uniform(-0.02, 0.04)
    step = (top - bottom) / max(1, len(names) - 1)
    return {
        name: round(top - i * step + rng.uniform(-0.01, 0.01), 3) for i, name in enumerate(names)
    }


EQUAL_DISTRICT = (
    "区级后备推荐表上符合条件的青年教职工（校务会、支委会成员除外）仅有5人，与名额相等，"
    "经校务会研究，区级名单实行等额考察。"
)


def _active_targets(cycle: Cycle) -> list[InspectionTarget]:
    return list(
        InspectionTarget.objects.active()
        .filter(cycle=cycle)
        .select_related("person", "cycle_list", "cycle")
        .order_by("cycle_list__position", "pk")
    )


_SUPPORT = {
    OpinionSource.LEADERSHIP: (
        "同意列为考察对象。该同志工作踏实，能顾全大局。",
        "同意。该同志业务能力强，在岗位上表现突出。",
        "同意列为考察对象。",
    ),
    OpinionSource.BRANCH: (
        "同意。该同志政治立场坚定，群众基础好。",
        "同意列为考察对象。",
        "同意。该同志遵守纪律，作风正派。",
    ),
}


def _opinion(index: int, name: str, source: str, runners: Sequence[Person]) -> tuple[str, str]:
    if name == runners[2].name and source == OpinionSource.LEADERSHIP:
        return OpinionStance.RESERVED, "担任年级组长时间尚短，建议在现岗位再锻炼一段时间后考虑。"
    if name == runners[3].name and source == OpinionSource.BRANCH:
        return OpinionStance.RESERVED, "近两年承担学校重点工作较少，群众基础有待进一步积累。"
    if name == runners[1].name and source == OpinionSource.BRANCH:
        return OpinionStance.RESERVED, "与同事沟通不够主动，群众评价有分歧。"
    texts = _SUPPORT[OpinionSource(source)]
    return OpinionStance.SUPPORT, texts[index % len(texts)]


# --- 组织考察: talks, 民主测评, 考察材料 ------------------------------------------------------


APPRAISAL_GROUPS = (
    ratings.GroupDraft("校领导", 3),
    ratings.GroupDraft("中层干部", 3),
    ratings.GroupDraft("教职工代表", 5),
)
APPRAISAL_RATERS = (4, 6, 12)
APPRAISAL_COMMENTS = (
    "工作认真负责，乐于奉献。",
    "业务扎实，带教青年教师有耐心。",
    "组织活动有条理，考虑周到。",
    "希望在统筹全局方面多加锻炼。",
    "处事公道，同事关系融洽。",
    "有时工作安排过满，注意劳逸结合。",
)


def _rate(rng: random.Random, target: InspectionTarget, *, strong: bool) -> None:
    """Issue codes to the three rater groups, let every rater hand in a sheet, review the
    comments and release the results."""
    rating_round = target.rating_round
    assert rating_round is not None
    groups = list(rating_round.groups.order_by("position"))
    made = [
        ratings.issue_codes(actor=None, rating_round=rating_round, group=g, count=n)
        for g, n in zip(groups, APPRAISAL_RATERS, strict=True)
    ]
    ratings.open_round(actor=None, rating_round=rating_round)
    (subject,) = RatingSubject.objects.filter(round=rating_round).values_list("id", flat=True)
    dimensions = list(
        RatingDimension.objects.filter(round=rating_round)
        .order_by("position")
        .values_list("id", flat=True)
    )
    grades = list(
        RatingGrade.objects.filter(round=rating_round)
        .order_by("position")
        .values_list("id", flat=True)
    )
    weights = [62, 34, 4, 0] if strong else [38, 52, 9, 1]
    for codes in made:
        for code in codes:
            sheet = {(subject, d): rng.choices(grades, weights)[0] for d in dimensions}
            comments = {subject: rng.choice(APPRAISAL_COMMENTS)} if rng.random() < 0.2 else {}
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


@dataclass(frozen=True)
class _Facts:
    """What the demo's talk summaries and report examples draw on."""

    name: str
    subject: str
    posts: tuple[str, ...]  # held on the day, as the registry names them
    current: tuple[str, ...]  # their post codes
    held: frozenset[str]  # post codes ever held by then
    class_teacher_years: int


def _facts(person: Person, day: dt.date) -> _Facts:
    rows = list(PostHistory.objects.filter(person=person, start__lte=day).select_related("post"))
    now = [r for r in rows if r.end is None or r.end >= day]
    current = [
        f"{r.post.name}{'（' + r.note + '）' if r.note and len(r.note) <= 6 else ''}" for r in now
    ]
    class_years, _months = durations.merged_years_months(
        [(r.start, r.end) for r in rows if r.post.code == plan.CLASS], day
    )
    return _Facts(
        person.name,
        person.subject,
        tuple(current),
        tuple(r.post.code for r in now),
        frozenset(r.post.code for r in rows),
        class_years,
    )


_TALKS = (
    "反映{name}同志在{post}上工作主动，交办的任务完成质量高，能从学校全局考虑问题；"
    "建议今后多承担跨部门的统筹工作。",
    "与{name}同志同在{subject}学科，认为其业务扎实、乐于分享，带教青年教师耐心；"
    "有时工作安排过满，个人休息少。",
    "对{name}同志印象较好，为人正派，处事公道，同事关系融洽；希望其在大型活动的组织上多锻炼。",
    "认为{name}同志责任心强，遇到难题不推诿，{subject}教学质量稳定；提出其在听取不同意见方面"
    "还可更耐心。",
    "反映{name}同志作风踏实，疫情期间线上教学和值守工作都主动承担；建议加强教育科研，多总结经验。",
)


def _talk_summaries(rng: random.Random, facts: _Facts, n: int) -> list[str]:
    post = f"{facts.posts[0]}岗位" if facts.posts else _("教学岗位")
    return [
        t.format(name=facts.name, post=post, subject=facts.subject or _("本"))
        for t in rng.sample(_TALKS, n)
    ]


def _draft(target: InspectionTarget, day: dt.date = REPORTS_ON) -> str:
    """The system's draft of the target's 考察材料 as of the day the reports were written:
    ``selection.drafting``'s where it is installed, else a short one from the registry
    and the round, with the same marked gaps for the team to fill."""
    try:
        from houbei.selection.drafting import draft_report
    except ImportError:
        return _short_draft(target, day)
    return draft_report(target, as_of=day)


_DIMENSION_ASKS = (
    ("（一）德", "政治表现、思想品德、职业道德的具体事例"),
    ("（二）能", "履行岗位职责、组织协调和解决问题能力的具体事例"),
    ("（三）勤", "工作态度、出勤和承担急难险重任务的具体事例"),
    ("（四）绩", "教育教学和管理工作的主要实绩"),
    ("（五）廉", "遵守廉洁纪律、有无违规违纪反映及核实情况"),
)


def _month(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月" if day else ""


def _short_draft(target: InspectionTarget, day: dt.date = REPORTS_ON) -> str:
    person, facts = target.person, _facts(target.person, day)
    round_ = latest_round(target.cycle)
    standing = standings(round_).get((target.cycle_list_id, person.pk)) if round_ else None
    lines = [
        f"关于{person.name}同志的考察材料",
        "",
        "一、基本情况",
        f"{person.name}，{person.get_gender_display()}，{_month(person.birth_date)}生，"
        f"{person.get_political_status_display()}，{person.get_education_display()}学历，"
        f"{person.title}，任教{person.subject}。{_month(person.joined_school_on)}进入本校工作，"
        f"现任{'、'.join(facts.posts) or '教师'}。{person.name}同志为{target.cycle_list.name}考察对象。",
        "",
        "二、德、能、勤、绩、廉方面的表现",
    ]
    for heading, ask in _DIMENSION_ASKS:
        lines += [heading, f"【待补充：{ask}】"]
    lines += ["", "三、主要缺点和不足", "【待补充：主要缺点和不足】", "", "四、民主推荐情况"]
    lines.append(
        f"第{standing.round_number}轮会议推荐：{standing.line.sentence}。" if standing else ""
    )
    lines += ["", "五、个别谈话情况", "【待补充：归纳谈话中反映的主要优点和不足】"]
    lines += [
        "",
        "六、近年年度考核情况",
        "【待补充：近三年年度考核等次】",
        "",
        "考察组成员（签名）：",
    ]
    lines.append("年　　月　　日")
    return "\n".join(lines) + "\n"


_GAP = re.compile(r"【待补充：([^】]*)】")
_TASKS = {
    plan.ACADEMIC: "教学常规检查和校本研修",
    plan.TEACHING: "排课、考务和学籍管理",
    plan.MORAL: "学生行为规范教育和主题教育活动",
    plan.GENERAL: "校舍维修、物资采购和食堂管理",
    plan.UNION: "教职工之家建设和教职工文体活动",
    plan.GRADE: "年级日常管理和家校沟通",
    plan.SUBJECT: "组内教研活动和青年教师带教",
}
_SHORTCOMINGS = (
    "统筹全局的经验尚需积累，处理复杂问题时考虑不够全面",
    "工作中有时求快，与同事沟通协调还可更充分",
    "教育科研成果较少，经验总结提炼不够",
    "对分管以外的工作了解不多，需在轮岗中拓宽视野",
    "工作安排过满，有时顾此失彼",
)


def _record_checks(target: InspectionTarget, days: Sequence[dt.date]) -> None:
    """凡提四必 beside the file: the personal matters report checked for those who hold a
    中层 post (who file it), not applicable to the others; the 纪检 body's 廉洁意见 and the
    信访 records asked on the second day, answered on the fourth; nothing found."""
    asked, answered = days[1], days[3]
    files_report = (
        PostHistory.objects.filter(
            person=target.person, start__lte=asked, post__category__in=plan.MENTOR_CATEGORIES
        )
        .filter(Q(end__isnull=True) | Q(end__gte=asked))
        .exists()
    )
    inspection.record_check(
        actor=None, target=target, kind=CheckKind.PERSONAL_MATTERS,
        result=CheckResult.CLEAR if files_report else CheckResult.NOT_APPLICABLE,
        checked_on=asked,
        source=_("学校人事室：%(y)d年度领导干部个人有关事项报告") % {"y": asked.year - 1}
        if files_report else "",
        note="" if files_report else _("非中层及以上干部，不在个人有关事项报告范围内。"),
        at=at(asked, 11),
    )  # fmt: skip
    inspection.record_check(
        actor=None, target=target, kind=CheckKind.DISCIPLINE, result=CheckResult.CLEAR,
        checked_on=answered, source=_("区教育局纪检监察组廉洁意见回复"), at=at(answered, 10),
    )  # fmt: skip
    inspection.record_check(
        actor=None, target=target, kind=CheckKind.PETITIONS, result=CheckResult.CLEAR,
        checked_on=answered, source=_("学校信访登记、区教育局信访办查询"),
        note=_("考察期间未收到反映该同志问题的信访举报。"), at=at(answered, 11),
    )  # fmt: skip


def _filled(draft: str, facts: _Facts, target: InspectionTarget, day: dt.date = REPORTS_ON) -> str:
    """The draft as the inspection team finishes it: each marked gap replaced by what the
    team found — examples from the person's posts, the shortcomings, the talks in summary,
    the annual grades."""
    held = [*facts.current, *sorted(facts.held)]  # what they do now first
    task = next((_TASKS[code] for code in held if code in _TASKS), _TASKS[plan.GRADE])
    shortcoming = _SHORTCOMINGS[target.person_id % len(_SHORTCOMINGS)]
    excellent = day.year - 3 + target.person_id % 3
    class_years = (
        f"{facts.class_teacher_years}年班主任工作中无一例家长投诉，"
        if facts.class_teacher_years
        else ""
    )
    if facts.subject in plan.RARELY_CLASS_TEACHER:
        results = f"所任{facts.subject}课程教学规范，近三年指导学生参加区级比赛多次获奖。"
    else:
        results = (
            f"所任{facts.subject or '本'}学科教学质量稳定，近三年所教班级学业质量监测成绩"
            "均高于区平均水平。"
        )
    answers = {
        "政治表现": f"认真参加政治理论学习和师德专题教育，爱岗敬业，关心学生，{class_years}"
        "在教职工中口碑较好。",
        "履行岗位职责": f"在{facts.posts[0]}岗位上负责{task}，能独立策划和组织全校性活动，遇到问题主动协调解决。"
        if facts.posts
        else "在教学岗位上认真完成教育教学任务，积极参与年级组和教研组工作，遇到问题主动协调解决。",
        "工作态度": "工作积极主动，出满勤、干满点；"
        + (
            "2020年疫情防控期间主动承担线上教学和校园值守任务。"
            if day.year <= 2021
            else "近两年主动承担学校安排的临时性、突击性任务，完成较好。"
        ),
        "主要实绩": results,
        "廉洁": "遵守廉洁从教各项规定，未发现有偿补课等违规行为，考察期间未收到违规违纪反映。",
        "主要缺点": f"{shortcoming}。",
        "谈话中反映": "谈话对象普遍认为其工作认真负责、业务能力较强、群众基础较好；"
        f"也有同志提出其{shortcoming}。",
        "年度考核": f"{day.year - 3}—{day.year - 1}年度考核均为合格以上，其中{excellent}年度为优秀。",
    }

    def answer(match: re.Match[str]) -> str:
        ask = match.group(1)
        return next((text for key, text in answers.items() if key in ask), "")

    text = _GAP.sub(answer, draft).replace("档案中暂无年度考核等次记录。", "")
    text = text.replace("考察组成员（签名）：", "考察组成员（签名）：钱秀英、施雅琴")
    return text.replace("年　　月　　日", f"{day.year}年{day.month}月{day.day}日")


# --- the 2026 cycle ------------------------------------------------------------------------

CURRENT_VOTED = 0.69  # of the roll, already voted: past the 2/3 quorum, slips left to use


def _add_current(
    school: School,
    people: Mapping[str, Person],
    rule_set: RuleSet,
    rng: random.Random,
    *,
    base_url: str,
) -> tuple[Cycle, DemoElections]:
    """The 2026 cycle in 民主推荐, renewing the 2025 pool before it runs out in March 2027:
    its first round open at the 教职工大会, slips printed, 69 % of the roll voted; the rest
    of the slips go to ``demo-slips.pdf``."""
    cycle = create_cycle(
        actor=None, school=school, title=CURRENT_TITLE, year=2026,
        reference_date=CURRENT_REFERENCE, rule_set=rule_set,
    )  # fmt: skip
    _plan_stages(cycle, STAGE_PLAN_2026, people)
    cycle = workflow.start_recommendation(actor=None, cycle=cycle)
    standing = candidates_of(cycle)
    lists = _lists(cycle)
    round_ = create_round(
        actor=None, cycle=cycle, mode=Mode.SLIPS,
        candidates={lists[level]: people for level, people in standing.items()},
    )  # fmt: skip
    election = round_.election
    codes = ballots.issue_slips(actor=None, election=election, count=election.electorate)
    open_round(actor=None, round_=round_)
    favour = {p.pk: rng.uniform(0.3, 4.0) for people in standing.values() for p in people}
    candidates = list(
        Candidate.objects.filter(ballot_list__election=election).values_list(
            "pk", "ballot_list_id", "person_id"
        )
    )
    quotas = dict(election.lists.values_list("pk", "quota"))
    voted = round(len(codes) * CURRENT_VOTED)
    for code in codes[:voted]:
        marks: dict[str, list[int]] = {}
        for list_id, quota in quotas.items():
            pool = [(pk, favour[person]) for pk, bl, person in candidates if bl == list_id]
            if rng.random() < 0.04:
                marks[str(list_id)] = []
                continue
            k = quota - (1 if rng.random() < 0.3 else 0)
            chosen: list[int] = []
            while len(chosen) < k:
                pick = rng.choices(pool, [w for _pk, w in pool])[0]
                pool.remove(pick)
                chosen.append(pick[0])
            marks[str(list_id)] = chosen
        ballots.cast_ballot(election_id=election.pk, code=code, marks=marks)
    return cycle, save_slips(election, codes[voted:], base_url=base_url)


# --- the summary ---------------------------------------------------------------------------


def summary(school: School) -> list[str]:
    """One line per cycle of ``school`` for the console, oldest first: what stage it is
    in and its figures."""
    lines = []
    for cycle in Cycle.objects.for_school(school).order_by("year", "pk"):
        round_ = latest_round(cycle)
        if cycle.stage == Stage.DONE:
            lines.append(_done_line(cycle, round_))
        else:
            lines.append(_current_line(cycle, round_))
    return lines


def _done_line(cycle: Cycle, round_: RecommendationRound | None) -> str:
    entries = PoolEntry.objects.filter(cycle=cycle).select_related("person")
    by_level: dict[str, list[str]] = {}
    for entry in entries.order_by("target__cycle_list__position", "target__pk"):
        by_level.setdefault(entry.get_level_display(), []).append(entry.person.name)
    pool = "；".join(
        _("%(level)s%(n)d人：%(names)s")
        % {"level": level, "n": len(names), "names": "、".join(names)}
        for level, names in by_level.items()
    )
    turnout = (
        _("民主推荐%(p)d/%(e)d人参加，") % {"p": round_.participants, "e": round_.electorate}
        if round_ is not None and round_.participants is not None
        else ""
    )
    until = max((e.valid_until for e in entries), default=None)
    return _("%(title)s（已完成）：%(turnout)s列入后备干部库%(until)s %(pool)s") % {
        "title": cycle.title,
        "turnout": turnout,
        "until": _("（有效期至%(day)s）") % {"day": until.isoformat()} if until else "",
        "pool": pool,
    }


def _current_line(cycle: Cycle, round_: RecommendationRound | None) -> str:
    parts = [
        _("%(title)s（%(stage)s）") % {"title": cycle.title, "stage": cycle.get_stage_display()}
    ]
    if round_ is not None and cycle.stage == Stage.RECOMMENDATION:
        turnout = turnout_of(round_.election)
        parts.append(
            _("第%(n)d轮推荐已投票%(p)d人，应参加%(e)d人（须达%(q)s）")
            % {
                "n": round_.number,
                "p": turnout.participants,
                "e": turnout.electorate,
                "q": turnout.quorum_label,
            }
        )
    running = notice.current_notice(cycle) if cycle.stage == Stage.NOTICE else None
    if running is not None:
        parts.append(
            _("公示期%(start)s至%(end)s（%(n)d个工作日）")
            % {"start": running.start, "end": running.end, "n": running.working_days}
        )
    transition = workflow.next_transition(cycle)
    if transition is not None:
        waiting = "；".join(w.rstrip("。") for w in workflow.problems(cycle))
        parts.append(
            _("下一步：%(verb)s%(why)s")
            % {"verb": transition.verb, "why": f"（{waiting}）" if waiting else ""}
        )
    return parts[0] + "：" + "；".join(parts[1:])
