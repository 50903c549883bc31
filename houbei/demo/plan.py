"""The demo school's staff, as plain data: who they are, what posts they held, which
honours they won. Pure and deterministic (a fixed seed, no clock, no database), so two
builds produce the same school and the tests can check the plan without building it.

The school is the plan's 市八初级中学: a four-year Shanghai junior middle school (六至九年级)
with six classes a year, hence 24 班主任 at any time, a 年级组长 per grade, nine 教研组,
the five offices of the plan, the trade union and four school leaders. The people named
in 附1 are here with careers that make them eligible on the recommendation date
(2021-02-26): in post and in establishment, 28–45 years old, at least five years at the
school, at least three years as 班主任 or team/office head, and at least a year one level
below their target (区级 reserves: office level; 校级 reserves: team level). The other
staff are drawn at random from believable distributions, so some would qualify and many
would not (too new, too old, never a head)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from houbei.organisation.models import PostCategory
from houbei.people.models import (
    Education,
    Establishment,
    Gender,
    HonourLevel,
    PoliticalStatus,
    PostStatus,
)

from .names import name_generator

# Nothing in the plan lies after this day: the demo reads the same whenever it is built.
AS_OF = dt.date(2026, 11, 1)
RECOMMENDATION_DATE = dt.date(2021, 2, 26)  # 附1: 推荐时间
FIT_ATTESTED_ON = dt.date(2026, 9, 1)
SEED = 20210226
CLASSES_PER_GRADE = 6

DISTRICT_LIST = ("陈晔", "黄蔚敏", "卢懿蕾", "浦吉丽", "张兰兰")  # 推荐区级后备青年人才
SCHOOL_LIST = ("陈静华", "奚莉", "余立群", "邹建琴", "朱佳美", "王静", "张清源", "邱喆", "卢懿蕾", "浦吉丽", "张兰兰")  # fmt: skip
APPENDIX_1 = tuple(dict.fromkeys(DISTRICT_LIST + SCHOOL_LIST))

# Post codes seeded by ``organisation.services.seed_plan_posts``.
CLASS = "class-teacher"
GRADE = "grade-leader"
SUBJECT = "subject-leader"
ACADEMIC = "academic-office"  # 教导处
TEACHING = "teaching-office"  # 教务处
MORAL = "moral-office"  # 德育处
GENERAL = "general-office"  # 总务处
PERSONNEL = "personnel-office"  # 人事室
UNION = "trade-union"  # 工会
LEADER = "school-leader"  # （副）校级

QINPU = "“勤朴”教师"

# 教研组 and the subjects they gather; a subject leader comes from the group's teachers.
GROUPS: dict[str, tuple[str, ...]] = {
    "语文组": ("语文",),
    "数学组": ("数学",),
    "英语组": ("英语",),
    "理化生组": ("物理", "化学", "生物"),
    "文综组": ("道德与法治", "历史", "地理"),
    "体育组": ("体育",),
    "艺术组": ("音乐", "美术"),
    "信息科技组": ("信息科技",),
    "心理劳技组": ("心理健康", "劳动技术"),
}
# Teachers per subject (about what 24 classes need), for the generated staff.
SUBJECT_WEIGHTS: dict[str, int] = {
    "语文": 14, "数学": 14, "英语": 13, "物理": 5, "化学": 3, "生物": 3, "道德与法治": 5,
    "历史": 4, "地理": 3, "体育": 7, "音乐": 3, "美术": 3, "信息科技": 3, "心理健康": 1,
    "劳动技术": 2,
}  # fmt: skip
# Subjects whose teachers are seldom 班主任 in a Chinese junior middle school.
RARELY_CLASS_TEACHER = {"体育", "音乐", "美术", "信息科技", "心理健康", "劳动技术"}


@dataclass(frozen=True)
class Spell:
    post: str  # post code
    start: dt.date
    end: dt.date | None = None  # None: still held
    note: str = ""


@dataclass(frozen=True)
class HonourSpec:
    title: str
    level: int
    year: int


@dataclass
class PersonSpec:
    key: str
    name: str
    gender: str
    birth_date: dt.date
    started_work_on: dt.date
    joined_school_on: dt.date
    subject: str = ""
    title: str = ""
    political_status: str = PoliticalStatus.MASSES
    education: str = Education.BACHELOR
    establishment: str = Establishment.IN
    post_status: str = PostStatus.ON_DUTY
    fit_for_duty: bool | None = True
    fit_for_duty_on: dt.date | None = FIT_ATTESTED_ON
    spells: list[Spell] = field(default_factory=list)
    honours: list[HonourSpec] = field(default_factory=list)
    staff_number: str = ""
    # Set for people who left: the day they left and why (they are archived, not deleted).
    left_on: dt.date | None = None
    archive_reason: str = ""
    never_head: bool = False  # generated staff who are never 班主任 or team heads

    def values(self) -> dict[str, object]:
        """The person fields as ``people.services.create_person`` takes them."""
        return {
            "staff_number": self.staff_number,
            "name": self.name,
            "gender": self.gender,
            "birth_date": self.birth_date,
            "started_work_on": self.started_work_on,
            "joined_school_on": self.joined_school_on,
            "establishment": self.establishment,
            "post_status": self.post_status,
            "political_status": self.political_status,
            "education": self.education,
            "title": self.title,
            "subject": self.subject,
            "fit_for_duty": self.fit_for_duty,
            "fit_for_duty_on": self.fit_for_duty_on if self.fit_for_duty is not None else None,
        }

    def active_until(self) -> dt.date:
        return self.left_on or AS_OF

    def holds(self, post: str, start: dt.date, end: dt.date | None) -> bool:
        """Whether a spell of ``post`` overlaps [start, end]."""
        far = dt.date.max
        return any(
            s.post == post and s.start <= (end or far) and start <= (s.end or far)
            for s in self.spells
        )

    def leads_school_on(self, day: dt.date) -> bool:
        far = dt.date.max
        return any(
            s.post in (LEADER, GENERAL, PERSONNEL) and s.start <= day <= (s.end or far)
            for s in self.spells
        )


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _spell(post: str, start: str, end: str | None = None, note: str = "") -> Spell:
    return Spell(post, d(start), d(end) if end else None, note)


def _h(title: str, level: int, year: int) -> HonourSpec:
    return HonourSpec(title, level, year)


S, D, C = HonourLevel.SCHOOL, HonourLevel.DISTRICT, HonourLevel.CITY
PARTY, MASSES, LEAGUE, DEMOCRATIC, PROBATIONARY = (
    PoliticalStatus.PARTY,
    PoliticalStatus.MASSES,
    PoliticalStatus.LEAGUE,
    PoliticalStatus.DEMOCRATIC,
    PoliticalStatus.PROBATIONARY,
)
M, F = Gender.MALE, Gender.FEMALE
MASTER, BACHELOR, COLLEGE = Education.MASTER, Education.BACHELOR, Education.COLLEGE


def scripted_staff() -> list[PersonSpec]:
    """The school's leaders, office heads, the demo accounts' people and everyone of 附1."""
    return [
        # —— 校级领导 ——
        PersonSpec("principal", "顾建华", M, d("1969-04-12"), d("1991-08-01"), d("2012-08-20"),
                   "数学", "正高级教师", PARTY, MASTER,
                   spells=[_spell(LEADER, "2012-08-20", None, "2012年任副校长，2016年起任校长")],
                   honours=[_h("优秀教师", C, 2015), _h("优秀党员", D, 2019)]),
        PersonSpec("secretary", "钱秀英", F, d("1970-10-03"), d("1992-08-01"), d("1996-08-26"),
                   "道德与法治", "高级教师", PARTY, BACHELOR,
                   spells=[_spell(CLASS, "1996-09-01", "2000-06-30"),
                           _spell(CLASS, "2000-09-01", "2004-06-30"),
                           _spell(MORAL, "2004-09-01", "2013-08-31", "主任"),
                           _spell(LEADER, "2013-09-01", None, "党支部书记")],
                   honours=[_h("优秀党员", D, 2016), _h("优秀党员", C, 2021)]),
        PersonSpec("vice-teaching", "周晓燕", F, d("1975-06-18"), d("1997-08-01"), d("2001-08-27"),
                   "语文", "高级教师", PARTY, MASTER,
                   spells=[_spell(CLASS, "2001-09-01", "2005-06-30"),
                           _spell(CLASS, "2005-09-01", "2009-06-30"),
                           _spell(SUBJECT, "2008-09-01", "2013-08-31", "语文组"),
                           _spell(ACADEMIC, "2013-09-01", "2019-08-31", "2013年任副主任，2016年起任主任"),
                           _spell(LEADER, "2019-09-01", None, "副校长（分管教学）")],
                   honours=[_h("优秀班主任", D, 2008), _h(QINPU, S, 2011), _h("优秀党员", S, 2017),
                            _h("优秀教师", D, 2018)]),
        PersonSpec("vice-moral", "陆卫东", M, d("1976-02-09"), d("1998-08-01"), d("2003-08-25"),
                   "历史", "高级教师", PARTY, BACHELOR,
                   spells=[_spell(CLASS, "2003-09-01", "2007-06-30"),
                           _spell(CLASS, "2007-09-01", "2011-06-30"),
                           _spell(GRADE, "2011-09-01", "2015-06-30", "2011级"),
                           _spell(MORAL, "2015-09-01", "2020-08-31", "主任"),
                           _spell(LEADER, "2020-09-01", None, "副校长（分管德育、后勤）")],
                   honours=[_h("优秀班主任", S, 2009), _h("优秀党员", D, 2020)]),
        # —— 中层、工会、人事 ——
        PersonSpec("academic-head", "沈佩玲", F, d("1979-11-23"), d("2001-08-01"), d("2004-08-25"),
                   "英语", "高级教师", PARTY, BACHELOR,
                   spells=[_spell(CLASS, "2004-09-01", "2008-06-30"),
                           _spell(CLASS, "2008-09-01", "2012-06-30"),
                           _spell(SUBJECT, "2012-09-01", "2016-08-31", "英语组"),
                           _spell(ACADEMIC, "2016-09-01", None, "2016年任副主任，2019年起任主任")],
                   honours=[_h("优秀班主任", D, 2011), _h(QINPU, S, 2014)]),
        PersonSpec("teaching-head", "徐志明", M, d("1974-03-15"), d("1996-08-01"), d("2006-08-28"),
                   "物理", "高级教师", PARTY, BACHELOR,
                   spells=[_spell(CLASS, "2006-09-01", "2010-06-30"),
                           _spell(SUBJECT, "2009-09-01", "2013-08-31", "理化生组"),
                           _spell(TEACHING, "2014-09-01", None, "主任")],
                   honours=[_h("优秀教师", D, 2012)]),
        PersonSpec("general-head", "金国强", M, d("1967-05-30"), d("1987-08-01"), d("1995-08-28"),
                   "化学", "一级教师", MASSES, COLLEGE,
                   spells=[_spell(CLASS, "1995-09-01", "1999-06-30"),
                           _spell(GENERAL, "2005-09-01", None, "主任")]),
        PersonSpec("personnel-officer", "施雅琴", F, d("1983-07-08"), d("2006-08-01"), d("2009-08-24"),
                   "历史", "一级教师", PARTY, BACHELOR,
                   spells=[_spell(CLASS, "2009-09-01", "2013-06-30"),
                           _spell(PERSONNEL, "2013-09-01", None, "人事干部")],
                   honours=[_h(QINPU, S, 2016)]),
        PersonSpec("union-head", "俞美华", F, d("1972-12-02"), d("1993-08-01"), d("1999-08-30"),
                   "音乐", "高级教师", PARTY, BACHELOR,
                   spells=[_spell(SUBJECT, "2006-09-01", "2014-08-31", "艺术组"),
                           _spell(UNION, "2014-09-01", None, "工会主席")],
                   honours=[_h("优秀教师", D, 2010)]),
        PersonSpec("teacher", "李思远", M, d("1995-05-20"), d("2018-08-01"), d("2018-08-27"),
                   "数学", "一级教师", MASSES, MASTER,
                   spells=[_spell(CLASS, "2022-09-01", None)]),
        # —— 附1 区级 (also three of them on the 校级 list): office level by 2021-02-26 ——
        PersonSpec("chen-ye", "陈晔", M, d("1984-08-16"), d("2007-08-01"), d("2007-08-27"),
                   "数学", "高级教师", PARTY, MASTER,
                   spells=[_spell(CLASS, "2007-09-01", "2011-06-30"),
                           _spell(CLASS, "2011-09-01", "2015-06-30"),
                           _spell(GRADE, "2015-09-01", "2018-08-31", "2015级"),
                           _spell(MORAL, "2018-09-01", None, "2018年任副主任，2023年起任主任")],
                   honours=[_h("优秀班主任", S, 2013), _h("优秀班主任", D, 2015), _h("优秀党员", S, 2019)]),
        PersonSpec("huang-weimin", "黄蔚敏", F, d("1985-03-09"), d("2008-08-01"), d("2008-08-25"),
                   "语文", "一级教师", PARTY, BACHELOR,
                   spells=[_spell(CLASS, "2008-09-01", "2012-06-30"),
                           _spell(CLASS, "2012-09-01", "2016-06-30"),
                           _spell(SUBJECT, "2016-09-01", "2019-02-17", "语文组"),
                           _spell(ACADEMIC, "2019-02-18", None, "副主任")],
                   honours=[_h(QINPU, S, 2015), _h("优秀党员", D, 2020)]),
        PersonSpec("lu-yilei", "卢懿蕾", F, d("1987-12-21"), d("2010-08-01"), d("2010-08-25"),
                   "英语", "一级教师", PARTY, MASTER,
                   spells=[_spell(CLASS, "2010-09-01", "2014-06-30"),
                           _spell(CLASS, "2014-09-01", "2018-06-30"),
                           _spell(GRADE, "2017-09-01", "2019-08-31", "2014级"),
                           _spell(UNION, "2019-09-01", None, "工会副主席")],
                   honours=[_h("优秀班主任", S, 2016), _h(QINPU, S, 2019)]),
        PersonSpec("pu-jili", "浦吉丽", F, d("1986-05-04"), d("2009-08-01"), d("2009-08-24"),
                   "化学", "一级教师", DEMOCRATIC, BACHELOR,
                   spells=[_spell(CLASS, "2009-09-01", "2013-06-30"),
                           _spell(SUBJECT, "2013-09-01", "2019-08-31", "理化生组"),
                           _spell(GENERAL, "2019-09-01", None, "副主任")],
                   honours=[_h(QINPU, S, 2017), _h("优秀教师", D, 2018)]),
        PersonSpec("zhang-lanlan", "张兰兰", F, d("1983-09-27"), d("2005-08-01"), d("2006-08-28"),
                   "数学", "一级教师", PARTY, BACHELOR,
                   spells=[_spell(CLASS, "2006-09-01", "2010-06-30"),
                           _spell(CLASS, "2010-09-01", "2014-06-30"),
                           _spell(SUBJECT, "2014-09-01", "2018-08-31", "数学组"),
                           _spell(TEACHING, "2018-09-01", None, "副主任")],
                   honours=[_h("优秀班主任", D, 2012), _h("优秀党员", S, 2018)]),
        # —— 附1 校级: team level by 2021-02-26 ——
        PersonSpec("chen-jinghua", "陈静华", F, d("1986-01-14"), d("2010-08-01"), d("2010-08-25"),
                   "语文", "一级教师", PARTY, BACHELOR,
                   spells=[_spell(CLASS, "2010-09-01", "2014-06-30"),
                           _spell(CLASS, "2014-09-01", "2018-06-30"),
                           _spell(GRADE, "2018-09-01", "2022-06-30", "2018级"),
                           _spell(CLASS, "2022-09-01", None)],
                   honours=[_h("优秀班主任", S, 2017)]),
        PersonSpec("xi-li", "奚莉", F, d("1988-04-02"), d("2011-08-01"), d("2011-08-29"),
                   "英语", "一级教师", MASSES, MASTER,
                   spells=[_spell(CLASS, "2011-09-01", "2015-06-30"),
                           _spell(CLASS, "2015-09-01", "2019-06-30"),
                           _spell(GRADE, "2019-09-01", "2023-06-30", "2019级"),
                           _spell(SUBJECT, "2023-09-01", None, "英语组")],
                   honours=[_h(QINPU, S, 2020)]),
        PersonSpec("yu-liqun", "余立群", M, d("1982-10-19"), d("2005-08-01"), d("2008-08-25"),
                   "物理", "一级教师", PARTY, BACHELOR,
                   spells=[_spell(CLASS, "2008-09-01", "2012-06-30"),
                           _spell(CLASS, "2012-09-01", "2016-06-30"),
                           _spell(GRADE, "2016-09-01", "2020-06-30", "2016级"),
                           _spell(SUBJECT, "2019-09-01", None, "理化生组")],
                   honours=[_h("优秀党员", S, 2020)]),
        PersonSpec("zou-jianqin", "邹建琴", F, d("1984-07-07"), d("2009-08-01"), d("2009-08-24"),
                   "生物", "一级教师", PARTY, BACHELOR,
                   spells=[_spell(CLASS, "2009-09-01", "2013-06-30"),
                           _spell(CLASS, "2013-09-01", "2017-06-30"),
                           _spell(GRADE, "2017-09-01", "2021-06-30", "2017级")],
                   honours=[_h("优秀班主任", S, 2016)]),
        PersonSpec("zhu-jiamei", "朱佳美", F, d("1989-06-25"), d("2012-08-01"), d("2012-08-27"),
                   "数学", "一级教师", PARTY, MASTER,
                   spells=[_spell(CLASS, "2012-09-01", "2016-06-30"),
                           _spell(CLASS, "2016-09-01", "2020-06-30"),
                           _spell(SUBJECT, "2018-09-01", None, "数学组")]),
        PersonSpec("wang-jing", "王静", F, d("1985-11-30"), d("2008-08-01"), d("2008-08-25"),
                   "道德与法治", "一级教师", PARTY, BACHELOR,
                   spells=[_spell(CLASS, "2008-09-01", "2012-06-30"),
                           _spell(CLASS, "2012-09-01", "2016-06-30"),
                           _spell(SUBJECT, "2016-09-01", None, "文综组")],
                   honours=[_h("优秀党员", S, 2018)]),
        PersonSpec("zhang-qingyuan", "张清源", M, d("1983-02-11"), d("2006-08-01"), d("2007-08-27"),
                   "体育", "一级教师", PARTY, BACHELOR,
                   spells=[_spell(CLASS, "2010-09-01", "2014-06-30"),
                           _spell(SUBJECT, "2014-09-01", None, "体育组")],
                   honours=[_h(QINPU, S, 2018)]),
        PersonSpec("qiu-zhe", "邱喆", M, d("1990-09-08"), d("2013-08-01"), d("2013-08-26"),
                   "信息科技", "一级教师", PARTY, MASTER,
                   spells=[_spell(CLASS, "2013-09-01", "2017-06-30"),
                           _spell(SUBJECT, "2017-09-01", None, "信息科技组")],
                   honours=[_h(QINPU, S, 2019)]),
    ]  # fmt: skip


# Demo accounts: username → (role, key of the linked person or None).
ACCOUNTS: tuple[tuple[str, str, str | None], ...] = (
    ("renshi", "personnel", "personnel-officer"),
    ("xiaowu", "decision", "vice-teaching"),
    ("daijiao", "mentor", "academic-head"),
    ("jiaogong", "staff", "zou-jianqin"),  # a reserve cadre: fills the 意向表, sees own rotations
    ("quju", "district", None),
    ("admin", "sysadmin", None),
)

# Non-teaching staff: the job (for the reader; the registry has no field for it), the
# professional title of its own series, and the establishment.
NON_TEACHING = (
    ("会计", "会计师", Establishment.IN),
    ("出纳", "助理会计师", Establishment.IN),
    ("校医", "主管护师", Establishment.IN),
    ("实验员", "实验师", Establishment.IN),
    ("图书管理员", "助理馆员", Establishment.OUT),
    ("网络管理员", "", Establishment.OUT),
)


class _Generator:
    """Random staff around the scripted ones; every choice comes from one seeded RNG."""

    def __init__(self, rng: random.Random, taken: set[str]) -> None:
        self.rng = rng
        self.names = name_generator(rng, taken=taken)

    def birth(self, first_year: int, last_year: int) -> dt.date:
        start = dt.date(first_year, 1, 1).toordinal()
        end = dt.date(last_year, 12, 31).toordinal()
        return dt.date.fromordinal(self.rng.randint(start, end))

    def person(self, key: str, *, subject: str, role_note: str = "") -> PersonSpec:
        rng = self.rng
        female = rng.random() < 0.7
        # Ages 25–59 in 2026, more of them in the middle of their careers.
        birth = self.birth(*rng.choices(
            [(1967, 1972), (1973, 1978), (1979, 1985), (1986, 1992), (1993, 2001)],
            weights=[14, 20, 24, 22, 20],
        )[0])  # fmt: skip
        started = dt.date(birth.year + rng.choice((22, 22, 23, 24, 25)), 8, 1)
        started = min(started, dt.date(2026, 8, 1))
        if rng.random() < 0.72:
            joined = started + dt.timedelta(days=rng.randint(20, 30))
        else:  # transferred in from another school
            joined_year = rng.randint(started.year + 2, max(started.year + 2, 2024))
            joined = dt.date(min(joined_year, 2026), 8, rng.randint(22, 30))
        years_working = AS_OF.year - started.year
        return PersonSpec(
            key,
            self.names.draw(female),
            F if female else M,
            birth,
            started,
            joined,
            subject=subject,
            title=self.title(years_working, subject),
            political_status=self.political(birth),
            education=self.education(birth),
        )

    def title(self, years: int, subject: str) -> str:
        if not subject:
            return ""
        if years < 1:
            return ""  # 见习期, not yet graded
        if years < 6:
            return "二级教师"
        if years < 16:
            return "一级教师"
        return "高级教师" if self.rng.random() < 0.35 else "一级教师"

    def political(self, birth: dt.date) -> str:
        young = AS_OF.year - birth.year < 29
        weights = [12, 3, 45, 37, 3] if young else [28, 1, 0, 67, 4]
        return self.rng.choices([PARTY, PROBATIONARY, LEAGUE, MASSES, DEMOCRATIC], weights)[0]

    def education(self, birth: dt.date) -> str:
        if birth.year >= 1985:
            return self.rng.choices([MASTER, BACHELOR], [35, 65])[0]
        if birth.year >= 1975:
            return self.rng.choices([MASTER, BACHELOR, COLLEGE], [12, 83, 5])[0]
        return self.rng.choices([BACHELOR, COLLEGE], [72, 28])[0]


def _subject_pool(rng: random.Random, n: int) -> list[str]:
    pool = [s for s, w in SUBJECT_WEIGHTS.items() for _i in range(w)]
    rng.shuffle(pool)
    return (pool * (n // len(pool) + 1))[:n]


def _may_hold(
    p: PersonSpec, post: str, start: dt.date, end: dt.date | None, *, min_years: int
) -> bool:
    """A generated assignment is believable: in the school for ``min_years`` already, of
    working age, still there at the end, not a school leader, not double-booked."""
    age = start.year - p.birth_date.year
    until = end or AS_OF
    return (
        not p.never_head
        and p.joined_school_on <= start - dt.timedelta(days=365 * min_years)
        and 23 <= age <= 55
        and until <= p.active_until()
        and not p.leads_school_on(start)
        and not p.holds(post, start, end)
    )


def _cohort_end(year: int) -> dt.date | None:
    end = dt.date(year + 4, 6, 30)
    return None if end > AS_OF else end


def _assign_class_teachers(rng: random.Random, people: list[PersonSpec]) -> None:
    """Six classes start every September and keep their 班主任 for four years; a quarter of
    the classes change 班主任 halfway. Scripted spells count towards their cohort."""
    for year in range(1996, AS_OF.year + 1):
        start = dt.date(year, 9, 1)
        if start > AS_OF:
            break
        taken = sum(1 for p in people for s in p.spells if s.post == CLASS and s.start == start)
        for _slot in range(CLASSES_PER_GRADE - taken):
            end = _cohort_end(year)
            halfway = rng.random() < 0.25 and (end is not None or year + 2 <= AS_OF.year)
            pieces = (
                [(start, dt.date(year + 2, 8, 31)), (dt.date(year + 2, 9, 1), end)]
                if halfway
                else [(start, end)]
            )
            for piece_start, piece_end in pieces:
                if piece_start > AS_OF:
                    continue
                _pick(rng, people, CLASS, piece_start, piece_end, min_years=0, note="")


def _pick(
    rng: random.Random,
    people: list[PersonSpec],
    post: str,
    start: dt.date,
    end: dt.date | None,
    *,
    min_years: int,
    note: str,
    subjects: tuple[str, ...] | None = None,
    prefer: list[PersonSpec] | None = None,
) -> PersonSpec | None:
    candidates = [
        p
        for p in people
        if p.key.startswith("g")
        and (subjects is None or p.subject in subjects)
        and _may_hold(p, post, start, end, min_years=min_years)
    ]
    if post == CLASS:
        candidates = [p for p in candidates if p.subject and p.subject not in RARELY_CLASS_TEACHER]
    if not candidates:
        return None
    preferred = [p for p in candidates if prefer and p in prefer]
    pool = preferred if preferred and rng.random() < 0.6 else candidates
    # Spread the work: people with fewer spells of this post are likelier to be asked.
    weights = [1 / (1 + sum(s.post == post for s in p.spells)) ** 2 for p in pool]
    chosen = rng.choices(pool, weights)[0]
    chosen.spells.append(Spell(post, start, end, note))
    return chosen


def _assign_grade_leaders(rng: random.Random, people: list[PersonSpec]) -> None:
    """One 年级组长 per cohort, usually one of its 班主任, for the cohort's four years."""
    for year in range(2004, AS_OF.year + 1):
        start = dt.date(year, 9, 1)
        note = f"{year}级"
        if any(s.post == GRADE and s.note == note for p in people for s in p.spells):
            continue
        end = _cohort_end(year)
        cohort_teachers = [
            p for p in people if any(s.post == CLASS and s.start == start for s in p.spells)
        ]
        _pick(rng, people, GRADE, start, end, min_years=3, note=note, prefer=cohort_teachers)


def _assign_subject_leaders(rng: random.Random, people: list[PersonSpec]) -> None:
    """Fill each 教研组's timeline from 2004 between the scripted leaders with spells of
    three to six years."""
    for group, subjects in GROUPS.items():
        spells = sorted(
            (s for p in people for s in p.spells if s.post == SUBJECT and s.note == group),
            key=lambda s: s.start,
        )
        cursor = dt.date(2004, 9, 1)
        for fixed in [*spells, None]:
            gap_end = fixed.start - dt.timedelta(days=1) if fixed else None
            while cursor <= AS_OF and (gap_end is None or cursor < gap_end):
                length = rng.randint(3, 6)
                end: dt.date | None = dt.date(cursor.year + length, 8, 31)
                if gap_end is not None and end is not None and end >= gap_end:
                    end = gap_end
                if end is not None and end > AS_OF:
                    end = None
                chosen = _pick(
                    rng, people, SUBJECT, cursor, end, min_years=3, note=group, subjects=subjects
                )
                if chosen is None:  # nobody suitable yet: the group waits a year
                    cursor = dt.date(cursor.year + 1, 9, 1)
                    continue
                if end is None:
                    break
                cursor = end + dt.timedelta(days=1)
            if fixed is not None:
                cursor = (fixed.end + dt.timedelta(days=1)) if fixed.end else dt.date.max
            if cursor > AS_OF:
                break


def main_school_staff(seed: int = SEED) -> list[PersonSpec]:
    """市八初级中学: 23 scripted people and 99 generated ones (120 in the working set and two
    who transferred out and are archived)."""
    rng = random.Random(seed)
    people = scripted_staff()
    generator = _Generator(rng, taken={p.name for p in people})
    generated: list[PersonSpec] = []
    for i, subject in enumerate(_subject_pool(rng, 90)):
        generated.append(generator.person(f"g{i:03d}", subject=subject))
    for j, (_job, title, establishment) in enumerate(NON_TEACHING):
        person = generator.person(f"g{90 + j:03d}", subject="")
        person.establishment = establishment
        person.never_head = True
        person.title = title
        generated.append(person)
    # Three substitute and contract teachers, young and outside the establishment.
    for k in range(3):
        person = generator.person(f"g{96 + k:03d}", subject=rng.choice(["语文", "英语", "体育"]))
        person.establishment = Establishment.OUT
        person.birth_date = generator.birth(1997, 2001)
        person.started_work_on = dt.date(person.birth_date.year + 23, 8, 1)
        person.joined_school_on = person.started_work_on + dt.timedelta(days=25)
        person.title = "二级教师" if person.started_work_on.year <= 2024 else ""
        person.never_head = True
        generated.append(person)
    # Many PE, arts and IT teachers, and a few others, are never heads.
    for person in generated:
        rarely = person.subject in RARELY_CLASS_TEACHER
        if (rarely and rng.random() < 0.6) or rng.random() < 0.08:
            person.never_head = True
    _leavers(rng, generated)
    people += generated
    _assign_class_teachers(rng, people)
    _assign_grade_leaders(rng, people)
    _assign_subject_leaders(rng, people)
    _past_office_deputies(rng, generated)
    _honours(rng, generated)
    _number(people)
    for person in people:
        person.spells.sort(key=lambda s: (s.start, s.post))
    return people


def _leavers(rng: random.Random, people: list[PersonSpec]) -> None:
    """Three off duty, three retired this or last year, two transferred out (archived)."""
    ordered = sorted(people, key=lambda p: p.birth_date)
    oldest_men = [p for p in ordered if p.gender == M and p.subject][:2]
    oldest_women = [p for p in ordered if p.gender == F and p.subject][:1]
    # Men retire at 60 and women teachers at 55, a few months later for those born since
    # 1965 (the 2025 reform); these three left this year or last.
    retirements = [
        (d("1965-06-14"), d("2025-12-31")),
        (d("1966-04-02"), d("2026-07-31")),
        (d("1970-09-19"), d("2025-12-31")),
    ]
    for person, (born, retired_on) in zip([*oldest_men, *oldest_women], retirements, strict=True):
        person.birth_date = born
        person.started_work_on = dt.date(born.year + 21, 8, 1)
        person.joined_school_on = max(person.joined_school_on, person.started_work_on)
        person.post_status = PostStatus.RETIRED
        person.left_on = retired_on
        person.fit_for_duty = None
        person.title = "高级教师" if person.gender == F else "一级教师"
    middle = [p for p in people if p.post_status == PostStatus.ON_DUTY and 1978 <= p.birth_date.year <= 1990 and p.subject]  # fmt: skip
    off = rng.sample(middle, 5)
    for person, until in zip(off[:3], [d("2026-03-01"), d("2025-09-01"), d("2026-09-01")], strict=True):  # fmt: skip
        person.post_status = PostStatus.OFF_DUTY
        person.left_on = until
    off[0].fit_for_duty = False  # long sick leave: attested unfit, nothing more is kept
    for person, (left, school) in zip(off[3:], [(d("2023-08-31"), "示范区育才初级中学"), (d("2025-08-31"), "示范区教育学院")], strict=True):  # fmt: skip
        person.post_status = PostStatus.TRANSFERRED
        person.left_on = left
        person.fit_for_duty = None
        person.archive_reason = f"{left.year}年{left.month}月调往{school}"


def _past_office_deputies(rng: random.Random, people: list[PersonSpec]) -> None:
    """A few senior teachers served as office deputies for some years before going back to
    teaching — office experience outside the current leadership."""
    senior = [
        p
        for p in people
        if p.birth_date.year <= 1978 and p.joined_school_on.year <= 2008 and not p.never_head
    ]
    for person, post in zip(rng.sample(senior, 3), (ACADEMIC, MORAL, GENERAL), strict=False):
        start = dt.date(rng.randint(2009, 2012), 9, 1)
        end = dt.date(start.year + rng.randint(3, 5), 8, 31)
        if end <= person.active_until() and not person.holds(post, start, end):
            person.spells.append(Spell(post, start, end, "副主任"))


def _honours(rng: random.Random, people: list[PersonSpec]) -> None:
    for person in people:
        class_years = [s for s in person.spells if s.post == CLASS]
        until = person.active_until().year
        first = max(person.joined_school_on.year + 1, 2008)
        if first > min(until, 2025):
            continue
        awards: set[tuple[str, int, int]] = set()
        if class_years and rng.random() < 0.35:
            awards.add(
                (
                    "优秀班主任",
                    rng.choices([S, D], [80, 20])[0],
                    rng.randint(first, min(until, 2025)),
                )
            )
        if person.political_status == PARTY and rng.random() < 0.3:
            awards.add(
                ("优秀党员", rng.choices([S, D], [85, 15])[0], rng.randint(first, min(until, 2025)))
            )
        if rng.random() < 0.18:
            awards.add((QINPU, S, rng.randint(first, min(until, 2025))))
        if person.subject and rng.random() < 0.12:
            awards.add(
                (
                    "优秀教师",
                    rng.choices([S, D, C], [40, 50, 10])[0],
                    rng.randint(first, min(until, 2025)),
                )
            )
        if person.subject and rng.random() < 0.06:
            awards.add(("园丁奖", D, rng.randint(first, min(until, 2025))))
        person.honours = [HonourSpec(t, lvl, y) for t, lvl, y in sorted(awards)]


def _number(people: list[PersonSpec]) -> None:
    """工号: the joining year and a three-digit sequence within it (e.g. 2010003)."""
    seq: dict[int, int] = {}
    for person in sorted(people, key=lambda p: (p.joined_school_on, p.key)):
        year = person.joined_school_on.year
        seq[year] = seq.get(year, 0) + 1
        person.staff_number = f"{year}{seq[year]:03d}"


def second_school_staff(seed: int = SEED + 5, *, taken: set[str] | None = None) -> list[PersonSpec]:
    """育才初级中学: twenty staff with simple careers, so the district has a second school."""
    rng = random.Random(seed)
    generator = _Generator(rng, taken=set(taken or ()))
    people = [
        generator.person(f"g{i:03d}", subject=subject)
        for i, subject in enumerate(_subject_pool(rng, 20))
    ]
    # A small school: two classes a grade, one leader, one office head.
    head = min(people, key=lambda p: p.birth_date)
    head.spells.append(Spell(LEADER, max(head.joined_school_on, dt.date(2015, 9, 1)), None, "校长"))
    for year in range(2010, AS_OF.year + 1):
        for _slot in range(2):
            _pick(rng, people, CLASS, dt.date(year, 9, 1), _cohort_end(year), min_years=0, note="")
    _honours(rng, people)
    _number(people)
    for person in people:
        person.spells.sort(key=lambda s: (s.start, s.post))
    return people


# Posts whose current holders are a rotation post's default mentors (带教人员).
MENTOR_CATEGORIES = (PostCategory.OFFICE, PostCategory.UNION, PostCategory.LEADERSHIP)
