"""The draft of a target's written 考察材料, assembled from what the system holds — and only
from that. SPEC module 4: the report must be factual (写实): 德、能、勤、绩、廉 each with
examples, the main shortcomings (主要缺点和不足), the recommendation, appraisal and talk
results, the recent annual appraisal grades.

Every sentence here states a recorded fact (the registry's posts and honours, the
eligibility snapshot's explanations, the recommendation figures in the official sentence,
the 民主测评 counts that ``ratings.aggregate`` allows, the number of talks) or is a
marked gap, ``【待补充：…】``, for the person who edits the draft: the system praises no
one and invents no example. Talks are described in aggregate only — how many, when, by
whom — never who was talked to or what any one of them said.

``draft_report(target)`` is the text the pages store as a version (``inspection.
save_report``); ``report_docx`` in ``documents`` lays any version out in Word, reading
the headings back from the text (``parse``)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from houbei.ballots.ratings import services as ratings
from houbei.ballots.ratings.aggregate import Figure
from houbei.ballots.ratings.models import RatingDimension, RatingSubject, RoundStatus
from houbei.ballots.results import percent
from houbei.people import appraisals, durations
from houbei.people.models import AppraisalGrade, Honour, Person, PostHistory

from .inspection import checks_about
from .models import (
    CheckKind,
    CheckResult,
    Cycle,
    InspectionCheck,
    InspectionTalk,
    InspectionTarget,
    Opinion,
    OpinionSource,
    OpinionStance,
    TalkRecommendation,
)
from .recommendation import latest_valid_round, standings

GAP = "【待补充：%s】"


def gap(what: str) -> str:
    """A marked gap the editor must fill; pages and tests find them by the brackets."""
    return GAP % what


def cn_date(day: dt.date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def cn_month(day: dt.date) -> str:
    return _("%(y)d年%(m)d月") % {"y": day.year, "m": day.month}


# --- a person's file ----------------------------------------------------------------------


# A post that is an office or a body (教务处, 人事室, 工会): the post a person holds in it
# is the office's name with the title of the history row (教务处副主任).
_OFFICE_ENDINGS = ("处", "室", "会", "部", "办", "科", "中心")
# "2016年任副主任，2019年起任主任": the title now is the last one taken up.
_TITLE_TAKEN = re.compile(r"任([^，,；;。]+)")


def post_title(name: str, note: str) -> str:
    """The proper name of a post held, from the registry's post and the history row's
    note: 教务处 + 副主任 → 教务处副主任; a note that already names the post (工会副主席)
    or a post that is only a level (（副）校级) → the note's title; a note on a post that
    is already a role (年级组长, 2018级) → 年级组长（2018级）; no note → the post's name."""
    note = note.strip()
    if not note:
        return name
    taken = _TITLE_TAKEN.findall(note)
    title = taken[-1].strip() if taken else note
    if title.startswith(name) or name.startswith(("（", "(")):
        return title
    if name.endswith(_OFFICE_ENDINGS):
        return name + title
    return f"{name}（{note}）"


def history_title(name: str, note: str) -> str:
    """A post in the 任职经历: as ``post_title``, but a note that tells its own history
    (2016年任副主任，2019年起任主任) is quoted whole after the post's name."""
    if _TITLE_TAKEN.search(note):
        return f"{name}（{note.strip()}）"
    return post_title(name, note)


@dataclass(frozen=True)
class PostLine:
    name: str  # the proper name (``post_title``)
    start: dt.date
    end: dt.date | None
    counts_as_head: bool
    history_name: str = ""  # as the 任职经历 says it (``history_title``)

    def span(self, as_of: dt.date) -> str:
        """ "2012年9月—2016年7月" or "2016年9月至今"."""
        if self.end is None or self.end >= as_of:
            return _("%(start)s至今") % {"start": cn_month(self.start)}
        return f"{cn_month(self.start)}—{cn_month(self.end)}"

    def length(self, as_of: dt.date) -> str:
        return durations.format_years_months(
            *durations.interval_years_months(self.start, self.end, as_of)
        )


@dataclass(frozen=True)
class Profile:
    """What the registry says of one person, as of one day."""

    person: Person
    as_of: dt.date
    posts: tuple[PostLine, ...]  # by start
    honours: tuple[Honour, ...]  # newest first

    @property
    def current_posts(self) -> list[str]:
        """The posts held on the day, each once, in the order taken up."""
        return list(
            dict.fromkeys(
                p.name
                for p in self.posts
                if p.start <= self.as_of and (p.end is None or p.end >= self.as_of)
            )
        )

    @property
    def current_post_text(self) -> str:
        return "、".join(self.current_posts) or _("教师")

    def held_posts(self) -> list[tuple[str, str]]:
        """Each post ever held, once, in the order first taken up, with the time in it
        (the spells of the same post merged)."""
        spans: dict[str, list[tuple[dt.date, dt.date | None]]] = {}
        for p in self.posts:
            spans.setdefault(p.name, []).append((p.start, p.end))
        return [
            (name, durations.format_years_months(*durations.merged_years_months(s, self.as_of)))
            for name, s in spans.items()
        ]

    @property
    def gender(self) -> str:
        return str(self.person.get_gender_display())

    @property
    def born(self) -> str:
        return cn_month(self.person.birth_date) if self.person.birth_date else ""

    @property
    def political(self) -> str:
        return str(self.person.get_political_status_display())

    @property
    def education(self) -> str:
        return str(self.person.get_education_display()) if self.person.education else ""

    def head_years(self) -> str:
        """Time in 班主任 and team or office head posts, overlaps merged."""
        spans = [(p.start, p.end) for p in self.posts if p.counts_as_head]
        if not spans:
            return ""
        return durations.format_years_months(*durations.merged_years_months(spans, self.as_of))


def profiles(people: Iterable[Person], as_of: dt.date) -> dict[int, Profile]:
    """Person id → profile, in two queries whatever the number of people."""
    ids = [p.pk for p in people]
    rows = Person.objects.filter(pk__in=ids).prefetch_related(
        Prefetch(
            "post_history",
            queryset=PostHistory.objects.filter(start__lte=as_of)
            .select_related("post")
            .order_by("start", "pk"),
        ),
        Prefetch(
            "honours",
            queryset=Honour.objects.filter(year__lte=as_of.year).order_by("-year", "-level", "pk"),
        ),
    )
    return {
        p.pk: Profile(
            person=p,
            as_of=as_of,
            posts=tuple(
                PostLine(
                    post_title(h.post.name, h.note),
                    h.start,
                    h.end,
                    h.post.counts_as_head,
                    history_title(h.post.name, h.note),
                )
                for h in p.post_history.all()
            ),
            honours=tuple(p.honours.all()),
        )
        for p in rows
    }


def honour_text(honour: Honour) -> str:
    return _("%(year)d年获%(level)s%(title)s称号") % {
        "year": honour.year,
        "level": honour.get_level_display(),
        "title": honour.title.strip(),
    }


# --- 民主测评 -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupLine:
    name: str
    raters: int
    shown: bool
    reason: str  # why not shown, in words


@dataclass(frozen=True)
class DimensionLine:
    name: str
    overall: Figure | None  # None when the overall may not be shown
    groups: tuple[Figure | None, ...]  # aligned with ``Appraisal.groups``


@dataclass(frozen=True)
class Appraisal:
    """A target's 民主测评 as far as it may be told: ``state`` "none" (not organised),
    "pending" (not released) or "released"; then the grades, the rater groups with their
    turnout and whether their figures are shown (``ratings.aggregate``'s k-threshold), and
    per dimension the overall and group figures that are shown."""

    state: str
    title: str = ""
    grades: tuple[str, ...] = ()
    groups: tuple[GroupLine, ...] = ()
    overall_shown: bool = False
    overall_reason: str = ""
    dimensions: tuple[DimensionLine, ...] = ()

    @property
    def raters(self) -> int:
        return sum(g.raters for g in self.groups)

    def dimension(self, name: str) -> DimensionLine | None:
        return next((d for d in self.dimensions if d.name == name), None)


def appraisal_of(target: InspectionTarget) -> Appraisal:
    rating_round = target.rating_round
    if rating_round is None:
        return Appraisal("none")
    if rating_round.status != RoundStatus.RELEASED:
        return Appraisal("pending", title=rating_round.title)
    report = ratings.results_of(rating_round).report
    subject = (
        RatingSubject.objects.filter(round=rating_round, person_id=target.person_id)
        .values_list("pk", flat=True)
        .first()
    )
    groups = tuple(
        GroupLine(g.group.name, g.group.raters, g.decision.shown, g.decision.text())
        for g in report.groups
    )
    lines = []
    if subject is not None:
        for dimension_id, name in RatingDimension.objects.filter(round=rating_round).values_list(
            "pk", "name"
        ):
            cell = report.cell(subject, dimension_id)
            lines.append(DimensionLine(name, cell.overall, cell.groups))
    return Appraisal(
        "released",
        title=rating_round.title,
        grades=tuple(g.label for g in report.grades),
        groups=groups,
        overall_shown=report.overall.shown,
        overall_reason=report.overall.text(),
        dimensions=tuple(lines),
    )


def figure_text(figure: Figure, grades: Sequence[str]) -> str:
    """E.g. "优秀5票（占62.5%）、称职3票（占37.5%）、基本称职0票（占0.0%）、不称职0票（占0.0%）"."""
    return "、".join(
        _("%(grade)s%(n)d票（占%(share)s）") % {"grade": g, "n": n, "share": percent(s)}
        for g, n, s in zip(grades, figure.counts, figure.shares, strict=True)
    )


# The lower grades whose votes the shortcomings section quotes.
_LOW_GRADES = ("基本称职", "不称职")


# --- the draft ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    heading: str  # "一、基本情况", "（一）德", or "" for the opening paragraph
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Draft:
    title: str
    sections: tuple[Section, ...]

    def text(self) -> str:
        parts = [self.title, ""]
        for section in self.sections:
            if section.heading:
                parts.append(section.heading)
            parts.extend(section.paragraphs)
            parts.append("")
        return "\n".join(parts).rstrip() + "\n"


# The headings of the draft, in order (the Word export and the tests read them back).
HEADINGS = (
    "一、基本情况",
    "二、德、能、勤、绩、廉方面的表现",
    "三、主要缺点和不足",
    "四、民主推荐和征求意见情况",
    "五、民主测评情况",
    "六、个别谈话情况",
    "七、近年年度考核情况",
)
DIMENSIONS = (
    ("（一）德", "德"),
    ("（二）能", "能"),
    ("（三）勤", "勤"),
    ("（四）绩", "绩"),
    ("（五）廉", "廉"),
)


def _lists_of(target: InspectionTarget) -> list[InspectionTarget]:
    """The person's active targets of this cycle (one per list they are on)."""
    return list(
        InspectionTarget.objects.active()
        .filter(cycle_id=target.cycle_id, person_id=target.person_id)
        .select_related("cycle_list")
        .order_by("cycle_list__position")
    )


def _snapshot_lines(cycle: Cycle, person_id: int) -> tuple[list[str], list[str]]:
    """(explanations of the conditions met or not, explanations of what was flagged) from
    the eligibility snapshot the cycle froze."""
    snapshot = cycle.eligibility_snapshot
    if snapshot is None:
        return [], []
    strength = {r["key"]: r.get("strength") for r in snapshot.rules}
    row = next((r for r in snapshot.results if int(r["person_id"]) == person_id), None)
    if row is None:
        return [], []
    facts: list[str] = []
    flags: list[str] = []
    for key, result in row.get("results", {}).items():
        text = str(result.get("text") or "").strip().rstrip("。；;")
        # Scope says nothing of the person; a manual condition (思想端正) is what the
        # inspection itself records, so the snapshot has nothing to say of it yet.
        if not text or strength.get(key) in ("scope", "manual"):
            continue
        (flags if result.get("outcome") == "flag" else facts).append(text)
    return facts, flags


def _basic(profile: Profile, cycle: Cycle, targets: Sequence[InspectionTarget]) -> Section:
    person, as_of = profile.person, profile.as_of
    bits = [person.name, profile.gender]
    if person.birth_date:
        age = person.age_on(as_of)
        bits.append(_("%(born)s生（%(age)d周岁）") % {"born": profile.born, "age": age or 0})
    else:
        bits.append(gap(_("出生年月")))
    bits.append(profile.political)
    if profile.education:
        bits.append(_("%(e)s学历") % {"e": profile.education})
    if person.title:
        bits.append(person.title)
    if person.subject:
        bits.append(_("任教%(s)s") % {"s": person.subject})
    first = "，".join(bits) + "。"
    work = []
    if person.started_work_on:
        work.append(_("%(d)s参加工作") % {"d": cn_month(person.started_work_on)})
    if person.joined_school_on:
        years = durations.format_years_months(
            *durations.years_months_between(person.joined_school_on, as_of)
        )
        work.append(
            _("%(d)s进入本校工作（至%(as_of)s在本校工作%(years)s）")
            % {"d": cn_month(person.joined_school_on), "as_of": cn_date(as_of), "years": years}
        )
    else:
        work.append(gap(_("入校时间")))
    current = profile.current_posts
    work.append(
        _("现任%(posts)s") % {"posts": "、".join(current)} if current else _("现无任职记录")
    )
    paragraphs = [first + "，".join(work) + "。"]
    if profile.posts:
        paragraphs.append(
            _("任职经历：%(lines)s。")
            % {
                "lines": "；".join(
                    f"{p.span(as_of)}，{p.history_name or p.name}" for p in profile.posts
                )
            }
        )
    else:
        paragraphs.append(_("任职经历：档案中无任职记录。") + gap(_("任职经历")))
    if profile.honours:
        paragraphs.append(
            _("所获荣誉：%(h)s。") % {"h": "；".join(honour_text(h) for h in profile.honours)}
        )
    else:
        paragraphs.append(_("所获荣誉：档案中无荣誉记录。"))
    facts, _flags = _snapshot_lines(cycle, person.pk)
    if facts:
        paragraphs.append(
            _("对照选拔条件（基准日%(d)s）：%(facts)s。")
            % {"d": cn_date(cycle.reference_date), "facts": "；".join(facts)}
        )
    paragraphs.append(
        _("%(name)s同志为%(lists)s考察对象。")
        % {"name": person.name, "lists": "、".join(t.cycle_list.name for t in targets)}
    )
    return Section(HEADINGS[0], tuple(paragraphs))


def _appraisal_sentence(appraisal: Appraisal, dimension: str) -> str:
    if appraisal.state != "released":
        return ""
    line = appraisal.dimension(dimension)
    if line is None:
        return ""
    if line.overall is not None:
        return _("民主测评中，对其“%(d)s”的评价为：%(f)s。") % {
            "d": dimension,
            "f": figure_text(line.overall, appraisal.grades),
        }
    shown = [
        _("%(g)s：%(f)s") % {"g": g.name, "f": figure_text(f, appraisal.grades)}
        for g, f in zip(appraisal.groups, line.groups, strict=True)
        if f is not None
    ]
    if shown:
        return _("民主测评中，对其“%(d)s”的评价为（分类别）：%(f)s。") % {
            "d": dimension,
            "f": "；".join(shown),
        }
    return ""


def _check_sentence(check: InspectionCheck) -> str:
    """One recorded check as the 廉 section words it; "" for 不适用."""
    basis = _("（%(source)s，%(day)s）") % {
        "source": check.source,
        "day": cn_date(check.checked_on),
    }
    found = check.explanation.strip().rstrip("。；;")
    if check.result == CheckResult.NOT_APPLICABLE:
        return ""
    if check.kind == CheckKind.DISCIPLINE:
        if check.result == CheckResult.CLEAR:
            return _("经征求纪检监察部门意见%(b)s，未发现违反廉洁纪律的问题。") % {"b": basis}
        return _("经征求纪检监察部门意见%(b)s，反映：%(f)s。") % {"b": basis, "f": found}
    if check.kind == CheckKind.PETITIONS:
        if check.result == CheckResult.CLEAR:
            return _("经核查信访举报情况%(b)s，未发现问题。") % {"b": basis}
        return _("经核查信访举报情况%(b)s：%(f)s。") % {"b": basis, "f": found}
    if check.result == CheckResult.CLEAR:
        return _("经核查个人有关事项报告%(b)s，未发现问题。") % {"b": basis}
    return _("经核查个人有关事项报告%(b)s，发现：%(f)s。") % {"b": basis, "f": found}


def _performance(
    profile: Profile, appraisal: Appraisal, checks: dict[str, InspectionCheck]
) -> list[Section]:
    person, as_of = profile.person, profile.as_of
    virtue_honours = [h for h in profile.honours if any(w in h.title for w in ("党员", "师德"))]
    diligence_honours = [h for h in profile.honours if "勤" in h.title]
    other_honours = [
        h for h in profile.honours if h not in virtue_honours and h not in diligence_honours
    ]
    facts: dict[str, list[str]] = {name: [] for _h, name in DIMENSIONS}
    facts["德"].append(_("政治面貌：%(p)s。") % {"p": profile.political})
    if virtue_honours:
        facts["德"].append("；".join(honour_text(h) for h in virtue_honours) + "。")
    held = profile.held_posts()
    if held:
        facts["能"].append(
            _("先后担任%(posts)s。")
            % {"posts": "、".join(f"{name}（{length}）" for name, length in held)}
        )
    head = profile.head_years()
    if head:
        facts["能"].append(_("担任班主任或科室组长共%(t)s。") % {"t": head})
    if person.title or profile.education:
        facts["能"].append(
            _("学历、职称：%(t)s。")
            % {"t": "，".join(x for x in (profile.education, person.title) if x)}
        )
    if person.started_work_on:
        facts["勤"].append(
            _("参加工作%(t)s。")
            % {
                "t": durations.format_years_months(
                    *durations.years_months_between(person.started_work_on, as_of)
                )
            }
        )
    if diligence_honours:
        facts["勤"].append("；".join(honour_text(h) for h in diligence_honours) + "。")
    if other_honours:
        facts["绩"].append("；".join(honour_text(h) for h in other_honours) + "。")
    else:
        facts["绩"].append(_("档案中无其他荣誉记录。"))
    asks = {
        "德": _("政治表现、思想品德、职业道德的具体事例"),
        "能": _("履行岗位职责、组织协调和解决问题能力的具体事例"),
        "勤": _("工作态度、出勤和承担急难险重任务的具体事例"),
        "绩": _("教育教学和管理工作的主要实绩（附数据或成果）"),
        "廉": _("遵守廉洁纪律、有无违规违纪反映及核实情况"),
    }
    # 廉: the checks of 凡提四必 as recorded; the gap names those still to record.
    for kind in (CheckKind.DISCIPLINE, CheckKind.PETITIONS, CheckKind.PERSONAL_MATTERS):
        check = checks.get(kind)
        if check is not None and (sentence := _check_sentence(check)):
            facts["廉"].append(sentence)
    unrecorded = [
        str(k.label) for k in (CheckKind.DISCIPLINE, CheckKind.PETITIONS) if k not in checks
    ]
    if unrecorded:
        asks["廉"] += _("；尚未记录%(k)s") % {"k": "、".join(unrecorded)}
    sections = [Section(HEADINGS[1], ())]
    for heading, name in DIMENSIONS:
        paragraphs = list(facts[name])
        sentence = _appraisal_sentence(appraisal, name)
        if sentence:
            paragraphs.append(sentence)
        paragraphs.append(gap(asks[name]))
        sections.append(Section(heading, tuple(paragraphs)))
    return sections


def _opinions(target: InspectionTarget) -> list[Opinion]:
    return list(Opinion.objects.filter(cycle_id=target.cycle_id, person_id=target.person_id))


def _shortcomings(
    cycle: Cycle,
    profile: Profile,
    appraisal: Appraisal,
    opinions: Sequence[Opinion],
    checks: dict[str, InspectionCheck],
) -> Section:
    paragraphs = []
    if appraisal.state == "released":
        low = [g for g in appraisal.grades if g in _LOW_GRADES]
        mentions = []
        for line in appraisal.dimensions:
            if line.overall is None or not low:
                continue
            counts = dict(zip(appraisal.grades, line.overall.counts, strict=True))
            found = [f"{g}{counts[g]}票" for g in low if counts[g]]
            if found:
                mentions.append(f"“{line.name}”{'、'.join(found)}")
        if mentions:
            paragraphs.append(_("民主测评中，%(m)s。") % {"m": "；".join(mentions)})
        elif low and any(line.overall is not None for line in appraisal.dimensions):
            paragraphs.append(_("民主测评中各项均无基本称职、不称职评价。"))
    for opinion in opinions:
        if opinion.stance != OpinionStance.SUPPORT:
            paragraphs.append(
                _("征求意见时，%(source)s%(stance)s：%(text)s。")
                % {
                    "source": opinion.get_source_display(),
                    "stance": opinion.get_stance_display(),
                    "text": opinion.text.rstrip("。"),
                }
            )
    for kind in CheckKind:
        check = checks.get(kind)
        if check is not None and check.result == CheckResult.PROBLEM:
            paragraphs.append(
                _("%(kind)s：%(f)s。")
                % {"kind": kind.label, "f": check.explanation.strip().rstrip("。；;")}
            )
    _facts, flags = _snapshot_lines(cycle, profile.person.pk)
    if flags:
        paragraphs.append(_("资格审查提示：%(f)s。") % {"f": "；".join(flags)})
    # A recent annual grade below 合格 is a fact the shortcomings must face (写实).
    poor = [
        g
        for g in appraisals.recent_appraisals(profile.person.pk, cycle.reference_date)
        if g.grade in (AppraisalGrade.BASICALLY_QUALIFIED, AppraisalGrade.UNQUALIFIED)
    ]
    if poor:
        paragraphs.append(
            _("近年年度考核中，%(grades)s。")
            % {
                "grades": "，".join(
                    _("%(y)d年度为%(g)s") % {"y": g.year, "g": g.grade.label}
                    for g in poor
                    if g.grade is not None
                )
            }
        )
    paragraphs.append(
        gap(_("根据个别谈话、民主测评和日常了解，实事求是地写明主要缺点和不足，不得空缺"))
    )
    return Section(HEADINGS[2], tuple(paragraphs))


def _recommendation(target: InspectionTarget, opinions: Sequence[Opinion]) -> Section:
    cycle = target.cycle
    paragraphs = []
    round_ = latest_valid_round(cycle)
    if round_ is None:
        paragraphs.append(_("无有效的会议推荐结果。") + gap(_("民主推荐情况")))
    else:
        standing = standings(round_).get((target.cycle_list_id, target.person_id))
        if standing is None:
            paragraphs.append(
                _("第%(n)d轮会议推荐：未列入%(list)s候选人。")
                % {"n": round_.number, "list": target.cycle_list.name}
            )
        else:
            paragraphs.append(
                _("第%(n)d轮会议推荐：%(s)s。") % {"n": round_.number, "s": standing.line.sentence}
            )
    if cycle.talk_interviewees:
        count = (
            TalkRecommendation.objects.filter(
                cycle_list_id=target.cycle_list_id, person_id=target.person_id
            )
            .values_list("count", flat=True)
            .first()
            or 0
        )
        paragraphs.append(
            _("谈话调研推荐：共谈话%(n)d人，推荐其为%(list)s%(c)d人次，占谈话人数%(p)s。")
            % {
                "n": cycle.talk_interviewees,
                "list": target.cycle_list.name,
                "c": count,
                "p": percent(Fraction(count, cycle.talk_interviewees)),
            }
        )
    else:
        paragraphs.append(_("未开展谈话调研推荐。"))
    stated = {o.source: o for o in opinions}
    parts = []
    for source, label in OpinionSource.choices:
        opinion = stated.get(source)
        parts.append(
            _("%(source)s意见为“%(stance)s”")
            % {"source": label, "stance": opinion.get_stance_display()}
            if opinion
            else _("%(source)s意见未记录") % {"source": label}
        )
    paragraphs.append(_("征求意见：%(p)s。") % {"p": "；".join(parts)})
    return Section(HEADINGS[3], tuple(paragraphs))


def _appraisal(appraisal: Appraisal) -> Section:
    if appraisal.state == "none":
        return Section(HEADINGS[4], (_("尚未组织民主测评。") + gap(_("民主测评情况")),))
    if appraisal.state == "pending":
        return Section(HEADINGS[4], (_("民主测评结果尚未发布。") + gap(_("民主测评情况")),))
    paragraphs = []
    turnout = "、".join(_("%(g)s%(n)d人") % {"g": g.name, "n": g.raters} for g in appraisal.groups)
    paragraphs.append(
        _(
            "民主测评共有%(n)d人参加（%(groups)s），对其德、能、勤、绩、廉进行评价，"
            "等次分为%(grades)s。"
        )
        % {"n": appraisal.raters, "groups": turnout, "grades": "、".join(appraisal.grades)}
    )
    if appraisal.overall_shown:
        for line in appraisal.dimensions:
            if line.overall is not None:
                paragraphs.append(f"{line.name}：{figure_text(line.overall, appraisal.grades)}。")
    else:
        paragraphs.append(_("总体结果不显示：%(r)s") % {"r": appraisal.overall_reason})
    for index, group in enumerate(appraisal.groups):
        if not group.shown:
            paragraphs.append(
                _("“%(g)s”的分类结果不显示：%(r)s") % {"g": group.name, "r": group.reason}
            )
            continue
        if appraisal.overall_shown and len(appraisal.groups) == 1:
            continue  # the overall is this group
        paragraphs.append(
            _("其中%(g)s：%(f)s。")
            % {
                "g": group.name,
                "f": "；".join(
                    f"{line.name}{figure_text(fig, appraisal.grades)}"
                    for line in appraisal.dimensions
                    if (fig := line.groups[index]) is not None
                ),
            }
        )
    return Section(HEADINGS[4], tuple(paragraphs))


def _talks(target: InspectionTarget) -> Section:
    # Across the person's targets: a talk about them on either list is about them.
    talks = list(
        InspectionTalk.objects.filter(
            target__cycle_id=target.cycle_id, target__person_id=target.person_id
        ).values_list("held_on", "interviewer", "interviewee_name")
    )
    if not talks:
        return Section(HEADINGS[5], (_("尚未进行个别谈话。") + gap(_("个别谈话情况")),))
    days = sorted(day for day, _who, _name in talks)
    people = len({name for _day, _who, name in talks})
    interviewers = "、".join(dict.fromkeys(who for _day, who, _name in talks))
    when = (
        cn_date(days[0])
        if days[0] == days[-1]
        else _("%(a)s至%(b)s") % {"a": cn_date(days[0]), "b": cn_date(days[-1])}
    )
    first = _(
        "%(when)s，考察组（%(who)s）按知情度、关联度确定谈话对象，共个别谈话%(n)d人次、%(p)d人。"
    ) % {"when": when, "who": interviewers, "n": len(talks), "p": people}
    return Section(
        HEADINGS[5],
        (first, gap(_("归纳谈话中反映的主要优点和不足（综合表述，不写谈话对象姓名）"))),
    )


def _year_span(years: Sequence[int]) -> str:
    """ "2018—2020年度" for consecutive years, "2018、2020年度" otherwise."""
    if len(years) > 1 and list(years) == list(range(years[0], years[-1] + 1)):
        return _("%(a)d—%(b)d年度") % {"a": years[0], "b": years[-1]}
    return _("%(y)s年度") % {"y": "、".join(str(y) for y in years)}


def _annual(person_id: int, reference_date: dt.date) -> Section:
    """近年年度考核情况: the grades of the three appraisal years completed before the
    cycle's reference date, as the registry holds them. A year's appraisal is made at its
    end or early in the next, so on a reference date of 2021-02-26 the last one complete
    is 2020's and the section names 2018—2020 (``appraisals.window``); the years with
    no grade recorded are named as a gap to fill, never passed over."""
    grades = appraisals.recent_appraisals(person_id, reference_date, years=3)
    years = [g.year for g in grades]
    absent = appraisals.missing(grades)
    known = [g for g in grades if g.grade is not None]
    if not known:
        return Section(
            HEADINGS[6],
            (
                _("档案中暂无%(span)s考核等次记录。") % {"span": _year_span(years)}
                + gap(_("%(span)s考核等次") % {"span": _year_span(years)}),
            ),
        )
    if not absent:
        return Section(
            HEADINGS[6],
            (
                _("%(span)s考核等次分别为：%(grades)s。")
                % {
                    "span": _year_span(years),
                    "grades": "、".join(str(g.grade.label) for g in known if g.grade),
                },
            ),
        )
    return Section(
        HEADINGS[6],
        (
            _("%(span)s考核等次：%(grades)s；%(missing)s档案中无记录。")
            % {
                "span": _year_span(years),
                "grades": appraisals.describe(grades),
                "missing": _year_span(absent),
            }
            + gap(_("%(span)s考核等次") % {"span": _year_span(absent)}),
        ),
    )


def draft(target: InspectionTarget, *, as_of: dt.date | None = None) -> Draft:
    """The structured draft of ``target``'s 考察材料 as of ``as_of`` (today)."""
    as_of = as_of or timezone.localdate()
    target = InspectionTarget.objects.select_related(
        "cycle",
        "cycle__school",
        "cycle__eligibility_snapshot",
        "cycle_list",
        "person",
        "rating_round",
    ).get(pk=target.pk)
    cycle = target.cycle
    profile = profiles([target.person], as_of)[target.person_id]
    lists = _lists_of(target) or [target]
    appraisal = appraisal_of(target)
    opinions = _opinions(target)
    checks = checks_about(target)
    name = target.person.name
    opening = Section(
        "",
        (
            _(
                "根据《%(school)s后备管理干部选拔轮岗锻炼使用方案》和%(cycle)s安排，经学校集体"
                "研究，%(name)s同志被确定为%(list)s考察对象。考察组采取个别谈话、民主测评、"
                "查阅档案等方式对其进行了考察。现将考察情况报告如下："
            )
            % {
                "school": cycle.school.name,
                "cycle": cycle.title,
                "name": name,
                "list": target.cycle_list.name,
            },
        ),
    )
    sections = [
        opening,
        _basic(profile, cycle, lists),
        *_performance(profile, appraisal, checks),
        _shortcomings(cycle, profile, appraisal, opinions, checks),
        _recommendation(target, opinions),
        _appraisal(appraisal),
        _talks(target),
        _annual(target.person_id, cycle.reference_date),
        Section("", (_("考察组成员（签名）："), _("年　　月　　日"))),
    ]
    return Draft(_("关于%(name)s同志的考察材料") % {"name": name}, tuple(sections))


def draft_report(target: InspectionTarget, *, as_of: dt.date | None = None) -> str:
    """The draft as the text of a new version (``inspection.save_report``). In Chinese,
    whatever the language of the page that asks: it is a school document."""
    with translation.override("zh-hans"):
        return draft(target, as_of=as_of).text()


# --- reading a version's text back ----------------------------------------------------------

_H1 = re.compile(r"^[一二三四五六七八九十]+、\S.{0,30}$")
_H2 = re.compile(r"^（[一二三四五六七八九十]+）\S{1,15}$")


@dataclass(frozen=True)
class Block:
    kind: str  # "title", "h1", "h2", "p"
    text: str


def parse(text: str) -> list[Block]:
    """A version's text as blocks: the first line the title when it is one ("关于…的考察
    材料"), "一、…" lines headings, "（一）…" short lines subheadings, the rest
    paragraphs (blank lines dropped). Whatever the editor wrote stays, in order."""
    blocks: list[Block] = []
    for number, raw in enumerate(text.splitlines()):
        line = raw.strip()
        if not line:
            continue
        if not blocks and number < 3 and line.endswith("考察材料") and len(line) <= 40:
            blocks.append(Block("title", line))
        elif _H1.match(line) and len(line) <= 30:
            blocks.append(Block("h1", line))
        elif _H2.match(line):
            blocks.append(Block("h2", line))
        else:
            blocks.append(Block("p", line))
    return blocks
