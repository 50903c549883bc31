"""The selection conditions (SPEC module 3, the plan's 三) as rule types, and the pure
evaluation of a rule set over plain records.

A rule is data: a type from ``REGISTRY``, a strength and parameters. ``compile_plan``
resolves a rule set against a ``Context`` (reference date, posts, target, exemptions,
rulings) once; then

* ``judge(plan, facts)`` gives every person's verdict and per-rule outcomes without
  building any text — the fast path for whole schools (and the 200,000-person bench);
* ``explain(plan, record)`` gives one person's results with a plain-language Chinese
  explanation per rule that shows the computed figure and the requirement.

Both go through the same ``Facts`` (the figures a rule needs, see ``facts_of``) and the
same per-rule decision, so they cannot disagree; ``loading.bulk_facts`` computes the same
``Facts`` with the database's help, and the tests hold it to ``facts_of``.

Missing data gives UNKNOWN with the reason, never a silent pass or fail. Strength decides
what a result does to the verdict: HARD excludes, SOFT only flags, PRIORITY ranks and marks,
MANUAL is recorded by a person, SCOPE decides who is considered at all (推荐范围)."""

from __future__ import annotations

import datetime as dt
import functools
import gc
import itertools
import operator
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, overload

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from houbei.people import durations

from .records import Context, HonourRecord, PersonRecord, PostRef, Ruling

_ONE_DAY = dt.timedelta(days=1)
# Plain strings in the hot loops (equal to the Outcome values, cheaper to compare).
P, F, FL, U = "pass", "fail", "flag", "unknown"


class Outcome(models.TextChoices):
    PASS = "pass", gettext_lazy("符合")
    FAIL = "fail", gettext_lazy("不符合")
    FLAG = "flag", gettext_lazy("提示")
    UNKNOWN = "unknown", gettext_lazy("待补充")


class Strength(models.TextChoices):
    SCOPE = "scope", gettext_lazy("推荐范围")
    HARD = "hard", gettext_lazy("必备条件")
    SOFT = "soft", gettext_lazy("参考条件")
    PRIORITY = "priority", gettext_lazy("优先条件")
    MANUAL = "manual", gettext_lazy("人工记录")


class Verdict(models.TextChoices):
    ELIGIBLE = "eligible", gettext_lazy("符合条件")
    FLAGGED = "flagged", gettext_lazy("符合（有提示）")
    INELIGIBLE = "ineligible", gettext_lazy("不符合条件")
    INCOMPLETE = "incomplete", gettext_lazy("信息不全")
    OUT_OF_SCOPE = "out_of_scope", gettext_lazy("不在推荐范围")


# The order the board lists verdicts in, and ranks people by.
VERDICT_ORDER = {
    Verdict.ELIGIBLE: 0,
    Verdict.FLAGGED: 1,
    Verdict.INCOMPLETE: 2,
    Verdict.INELIGIBLE: 3,
    Verdict.OUT_OF_SCOPE: 4,
}
ELIGIBLE_VERDICTS = frozenset({Verdict.ELIGIBLE, Verdict.FLAGGED})


class RuleError(ValueError):
    """A rule's parameters are unusable; ``field`` names the parameter."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- Facts: the figures rules need ----------------------------------------------------


@dataclass(slots=True)
class Facts:
    """One person's figures for one compiled plan. ``set_months[i]`` is the merged time,
    in whole months, in the posts of ``plan.post_sets[i]`` up to the reference date."""

    id: int
    birth_date: dt.date | None
    joined_school_on: dt.date | None
    establishment: str
    post_status: str
    fit_for_duty: bool | None
    fit_for_duty_on: dt.date | None
    set_months: list[int]
    honours: tuple[HonourRecord, ...] = ()


class FactsTable(Sequence[Facts]):
    """Many people's ``Facts`` held by column — one list per field, ``set_months[k]`` the
    months in post set k for everyone — so the verdicts of a district are computed over
    plain lists without an object per person. Indexing builds one person's ``Facts``."""

    __slots__ = (
        "birth_date",
        "establishment",
        "fit_for_duty",
        "fit_for_duty_on",
        "honours",
        "id",
        "joined_school_on",
        "post_status",
        "set_months",
    )

    def __init__(
        self,
        id: list[int],
        birth_date: list[dt.date | None],
        joined_school_on: list[dt.date | None],
        establishment: list[str],
        post_status: list[str],
        fit_for_duty: list[bool | None],
        fit_for_duty_on: list[dt.date | None],
        set_months: list[list[int]],
        honours: list[tuple[HonourRecord, ...]],
    ) -> None:
        self.id = id
        self.birth_date = birth_date
        self.joined_school_on = joined_school_on
        self.establishment = establishment
        self.post_status = post_status
        self.fit_for_duty = fit_for_duty
        self.fit_for_duty_on = fit_for_duty_on
        self.set_months = set_months
        self.honours = honours

    @classmethod
    def of(cls, facts: Sequence[Facts], sets: int) -> FactsTable:
        """``facts`` by column (itself if it already is a table)."""
        if isinstance(facts, FactsTable):
            return facts
        return cls(
            [f.id for f in facts],
            [f.birth_date for f in facts],
            [f.joined_school_on for f in facts],
            [f.establishment for f in facts],
            [f.post_status for f in facts],
            [f.fit_for_duty for f in facts],
            [f.fit_for_duty_on for f in facts],
            [[f.set_months[k] for f in facts] for k in range(sets)],
            [f.honours for f in facts],
        )

    def __len__(self) -> int:
        return len(self.id)

    @overload
    def __getitem__(self, i: int) -> Facts: ...
    @overload
    def __getitem__(self, i: slice) -> list[Facts]: ...
    def __getitem__(self, i: int | slice) -> Facts | list[Facts]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return Facts(
            self.id[i],
            self.birth_date[i],
            self.joined_school_on[i],
            self.establishment[i],
            self.post_status[i],
            self.fit_for_duty[i],
            self.fit_for_duty_on[i],
            [months[i] for months in self.set_months],
            self.honours[i],
        )


def months_in(spells: Iterable[tuple[dt.date, dt.date | None]], as_of: dt.date) -> int:
    """Whole months over the union of the intervals up to ``as_of``: each merged stretch in
    whole months, added up (``durations.merged_years_months``)."""
    return sum(
        durations.months_between(start, end + _ONE_DAY)
        for start, end in durations.merge_intervals(spells, as_of)
    )


def facts_of(plan: Plan, record: PersonRecord) -> Facts:
    """The reference computation of a person's ``Facts`` from their record."""
    as_of = plan.ctx.as_of
    return Facts(
        id=record.id,
        birth_date=record.birth_date,
        joined_school_on=record.joined_school_on,
        establishment=record.establishment,
        post_status=record.post_status,
        fit_for_duty=record.fit_for_duty,
        fit_for_duty_on=record.fit_for_duty_on,
        set_months=[
            months_in(((s.start, s.end) for s in record.spells if s.post_id in posts), as_of)
            for posts in plan.post_sets
        ],
        honours=tuple(h for h in record.honours if h.year <= as_of.year),
    )


# --- Parameters -----------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One parameter of a rule type, as the rule form and the validator see it.

    kind: "years" (a number of years, one decimal), "age", "level" (a ladder level),
    "honour_level", "posts" (post codes; empty means every post that counts as 班主任 or
    科室组长), "titles" (honour titles), "choices" (values from ``choices``), "months"."""

    name: str
    label: Any
    kind: str
    default: Any = None
    required: bool = True
    choices: tuple[tuple[str, Any], ...] = ()
    help: Any = ""


def _years(value: Any, label: Any, name: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise RuleError(_("%(label)s须为数字。") % {"label": label}, name) from None
    if not number.is_finite() or number < 0 or number > 60:
        raise RuleError(_("%(label)s须在0到60之间。") % {"label": label}, name)
    if number != number.quantize(Decimal("0.1")):
        raise RuleError(_("%(label)s最多一位小数。") % {"label": label}, name)
    if number == number.to_integral_value():
        # normalize() would write whole tens in exponent form: "10" → "1E+1".
        return number.quantize(Decimal(1))
    return number.normalize()


def _whole(value: Any, label: Any, name: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise RuleError(_("%(label)s须为整数。") % {"label": label}, name) from None
    if not low <= number <= high:
        raise RuleError(
            _("%(label)s须在%(low)d到%(high)d之间。") % {"label": label, "low": low, "high": high},
            name,
        )
    return number


def _string_list(value: Any, label: Any, name: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        items = [v for v in value.replace("，", ",").replace("、", ",").split(",")]
    elif isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        raise RuleError(_("%(label)s格式不正确。") % {"label": label}, name)
    return list(dict.fromkeys(v.strip() for v in items if v.strip()))


def clean_param(param: Param, value: Any) -> Any:
    """The parameter's value in its stored form, or RuleError naming it."""
    if value in (None, "") or (value == [] and param.kind not in {"posts", "titles", "choices"}):
        # A required parameter left blank is an error (a cleared form field must not
        # quietly fall back to the default); a parameter not given at all takes its
        # default in ``RuleType.clean``.
        if param.required:
            raise RuleError(_("请填写%(label)s。") % {"label": param.label}, param.name)
        return None
    if param.kind == "years":
        return str(_years(value, param.label, param.name))
    if param.kind == "age":
        return _whole(value, param.label, param.name, 16, 70)
    if param.kind == "months":
        return _whole(value, param.label, param.name, 1, 120)
    if param.kind == "level":
        return _whole(value, param.label, param.name, 1, 9)
    if param.kind == "honour_level":
        return _whole(value, param.label, param.name, 1, 4)
    if param.kind in {"posts", "titles"}:
        return _string_list(value, param.label, param.name)
    if param.kind == "choices":
        values = _string_list(value, param.label, param.name)
        allowed = {c for c, _label in param.choices}
        bad = [v for v in values if v not in allowed]
        if bad or not values:
            raise RuleError(
                _("%(label)s只能从以下选择：%(allowed)s。")
                % {"label": param.label, "allowed": "、".join(str(lb) for _c, lb in param.choices)},
                param.name,
            )
        return values
    raise RuleError(f"unknown parameter kind {param.kind}", param.name)  # a programming error


# --- Rule types -----------------------------------------------------------------------


def _date(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _duration(months: int) -> str:
    return durations.format_years_months(*divmod(months, 12))


def _years_text(years: str) -> str:
    """ "5年", "1.5年"."""
    return _("%(years)s年") % {"years": years}


def _months_of(years: str) -> int:
    return int((Decimal(years) * 12).to_integral_value())


@functools.lru_cache(maxsize=4096)
def _normalised(title: str) -> str:
    # Titles repeat across thousands of people: normalise each spelling once.
    return normalise_title(title)


def normalise_title(title: str) -> str:
    """Honour titles as typed vary in quotes, width and spaces (“勤朴”教师, "勤朴"教师,
    「勤朴」教师, 勤朴 教师): compare them without."""
    text = unicodedata.normalize("NFKC", title)
    return "".join(ch for ch in text if ch not in "\"'“”‘’「」『』《》〈〉 \u3000")


@dataclass
class Prepared:
    """A rule type's parameters resolved against the context, ready to judge."""

    set_index: int | None = None
    posts: tuple[PostRef, ...] = ()
    months: int = 0
    low: dt.date | None = None  # born/joined on or before this to reach the bound
    high: dt.date | None = None  # born after this to stay under the bound
    level: int | None = None
    below: int | None = None
    exempt_reason: str | None = None
    titles: frozenset[str] = frozenset()
    values: frozenset[str] = frozenset()
    extra: dict[str, Any] = field(default_factory=dict)


class RuleType:
    """One kind of condition. Subclasses give ``raw`` (the outcome from the figures,
    before strength and rulings) and ``describe`` (the explanation); ``raw`` must be
    cheap, it runs for every person of a district."""

    code: str = ""
    label: Any = ""
    description: Any = ""
    params: tuple[Param, ...] = ()
    strengths: tuple[str, ...] = (Strength.HARD, Strength.SOFT)
    default_strength: str = Strength.HARD

    def clean(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {p.name: clean_param(p, values.get(p.name, p.default)) for p in self.params}

    def post_set(self, params: Mapping[str, Any], ctx: Context) -> frozenset[int] | None:
        return None

    def prepare(self, params: Mapping[str, Any], ctx: Context, key: str) -> Prepared:
        return Prepared()

    def raw(self, facts: Facts, prep: Prepared) -> str:
        raise NotImplementedError

    def column(self, facts: FactsTable, prep: Prepared) -> list[str]:
        """``raw`` for everyone; hot types override it with an inlined comprehension."""
        raw = self.raw
        return [raw(f, prep) for f in facts]

    def describe(self, facts: Facts, prep: Prepared, record: PersonRecord, ctx: Context) -> str:
        raise NotImplementedError

    def short(self, facts: Facts, prep: Prepared, ctx: Context) -> str:
        """A few characters for the board's cell."""
        return ""


REGISTRY: dict[str, RuleType] = {}


def register(cls: type[RuleType]) -> type[RuleType]:
    REGISTRY[cls.code] = cls()
    return cls


def _bound_for(years_or_months: int, as_of: dt.date, *, months: bool = False) -> dt.date:
    """The latest start day from which the closed period [start, as_of] lasts at least
    the given whole months (years when ``months`` is False)."""
    count = years_or_months if months else years_or_months * 12
    # [start, as_of] closed lasts months_between(start, as_of + 1 day) months; the latest
    # start with at least ``count`` months is found from the day after.
    day_after = as_of + _ONE_DAY
    # A start after as_of has not begun (count 0 would otherwise give the day after).
    bound = min(durations.add_months(day_after, -count), as_of)
    # add_months clamps to month ends: walk forward while a later start still qualifies.
    while bound < as_of and durations.months_between(bound + _ONE_DAY, day_after) >= count:
        bound += _ONE_DAY
    return bound


@register
class YearsAtSchool(RuleType):
    code = "years_at_school"
    label = gettext_lazy("在本校工作年限")
    description = gettext_lazy("从入校时间到基准日（含当天），须满规定年限。")
    params = (Param("min_years", gettext_lazy("至少（年）"), "years", "5"),)

    def prepare(self, params: Mapping[str, Any], ctx: Context, key: str) -> Prepared:
        months = _months_of(params["min_years"])
        return Prepared(months=months, low=_bound_for(months, ctx.as_of, months=True))

    def raw(self, facts: Facts, prep: Prepared) -> str:
        joined = facts.joined_school_on
        if joined is None:
            return U
        assert prep.low is not None
        return P if joined <= prep.low else F

    def column(self, facts: FactsTable, prep: Prepared) -> list[str]:
        low = prep.low
        assert low is not None
        return [U if j is None else P if j <= low else F for j in facts.joined_school_on]

    def _months(self, facts: Facts, ctx: Context) -> int:
        joined = facts.joined_school_on
        if joined is None or joined > ctx.as_of:
            return 0
        return durations.months_between(joined, ctx.as_of + _ONE_DAY)

    def describe(self, facts: Facts, prep: Prepared, record: PersonRecord, ctx: Context) -> str:
        required = _years_text(_years_param(prep.months))
        joined = facts.joined_school_on
        if joined is None:
            return _("缺少入校时间，无法计算在本校工作年限（要求满%(required)s）。") % {
                "required": required
            }
        if joined > ctx.as_of:
            return _("入校时间（%(joined)s）晚于基准日（%(as_of)s），要求满%(required)s。") % {
                "joined": _date(joined),
                "as_of": _date(ctx.as_of),
                "required": required,
            }
        return _("在本校工作%(duration)s（%(joined)s进校），要求满%(required)s。") % {
            "duration": _duration(self._months(facts, ctx)),
            "joined": _date(joined),
            "required": required,
        }

    def short(self, facts: Facts, prep: Prepared, ctx: Context) -> str:
        if facts.joined_school_on is None:
            return "?"
        return _duration(self._months(facts, ctx))


def _years_param(months: int) -> str:
    years = Decimal(months) / 12
    return str(years.quantize(Decimal("0.1")).normalize()) if months % 12 else str(months // 12)


def _post_names(posts: Sequence[PostRef]) -> str:
    return "、".join(p.name for p in posts)


def _spell_list(record: PersonRecord, posts: frozenset[int], ctx: Context, limit: int = 4) -> str:
    rows = sorted(
        (s for s in record.spells if s.post_id in posts and s.start <= ctx.as_of),
        key=lambda s: (s.start, s.post_id),
    )
    parts = []
    for spell in rows[:limit]:
        name = ctx.posts[spell.post_id].name if spell.post_id in ctx.posts else "?"
        if spell.end is None or spell.end >= ctx.as_of:
            until = (
                pgettext("period end", "今")
                if spell.end is None
                else pgettext("period end", "基准日")
            )
        else:
            until = _date(spell.end)
        parts.append(
            _("%(post)s %(start)s至%(until)s")
            % {"post": name, "start": _date(spell.start), "until": until}
        )
    text = "；".join(parts)
    if len(rows) > limit:
        text += _("等%(count)d段") % {"count": len(rows)}
    return text


@register
class YearsInPosts(RuleType):
    code = "years_in_posts"
    label = gettext_lazy("任职年限")
    description = gettext_lazy(
        "在所选岗位的累计任职时间（重叠的任职只计一次），须满规定年限。"
        "不选岗位时，计所有“计入班主任或科室组长经历”的岗位。"
    )
    params = (
        Param("min_years", gettext_lazy("至少（年）"), "years", "3"),
        Param(
            "posts",
            gettext_lazy("岗位"),
            "posts",
            [],
            required=False,
            help=gettext_lazy("留空：所有计入班主任或科室组长经历的岗位"),
        ),
    )

    def _posts(self, params: Mapping[str, Any], ctx: Context) -> list[PostRef]:
        codes = params.get("posts") or []
        if codes:
            by_code = {p.code: p for p in ctx.posts.values()}
            missing = [c for c in codes if c not in by_code]
            if missing:
                raise RuleError(
                    _("没有代码为%(codes)s的岗位。") % {"codes": "、".join(missing)}, "posts"
                )
            return [by_code[c] for c in codes]
        return [p for p in ctx.posts.values() if p.counts_as_head]

    def post_set(self, params: Mapping[str, Any], ctx: Context) -> frozenset[int]:
        return frozenset(p.id for p in self._posts(params, ctx))

    def prepare(self, params: Mapping[str, Any], ctx: Context, key: str) -> Prepared:
        posts = self._posts(params, ctx)
        label = _("班主任或科室组长") if not params.get("posts") else _post_names(posts)
        return Prepared(
            posts=tuple(posts), months=_months_of(params["min_years"]), extra={"label": label}
        )

    def raw(self, facts: Facts, prep: Prepared) -> str:
        assert prep.set_index is not None
        return P if facts.set_months[prep.set_index] >= prep.months else F

    def column(self, facts: FactsTable, prep: Prepared) -> list[str]:
        i, months = prep.set_index, prep.months
        assert i is not None
        return [P if m >= months else F for m in facts.set_months[i]]

    def describe(self, facts: Facts, prep: Prepared, record: PersonRecord, ctx: Context) -> str:
        assert prep.set_index is not None
        months = facts.set_months[prep.set_index]
        required = _years_text(_years_param(prep.months))
        ids = frozenset(p.id for p in prep.posts)
        spells = _spell_list(record, ids, ctx)
        if not spells:
            return _("无%(posts)s任职记录，要求满%(required)s。") % {
                "posts": prep.extra["label"],
                "required": required,
            }
        return _("担任%(posts)s累计%(duration)s（%(spells)s），要求满%(required)s。") % {
            "posts": prep.extra["label"],
            "duration": _duration(months),
            "spells": spells,
            "required": required,
        }

    def short(self, facts: Facts, prep: Prepared, ctx: Context) -> str:
        assert prep.set_index is not None
        months = facts.set_months[prep.set_index]
        return _duration(months) if months else "0"


@register
class YearsAtLevelBelow(RuleType):
    code = "level_below"
    label = gettext_lazy("下一级岗位经历")
    description = gettext_lazy(
        "在目标岗位下一层级的岗位上累计工作满规定年限；目标为最低层级时不适用。"
        "个别岗位可免除（须写明理由）。"
    )
    params = (
        Param("min_years", gettext_lazy("至少（年）"), "years", "1"),
        Param(
            "target_level",
            gettext_lazy("默认目标层级"),
            "level",
            None,
            required=False,
            help=gettext_lazy("选拔的岗位层级；在评估时也可另选目标岗位或层级"),
        ),
    )

    def _level(self, params: Mapping[str, Any], ctx: Context) -> int | None:
        level = ctx.target_level
        return level if level is not None else params.get("target_level")

    def post_set(self, params: Mapping[str, Any], ctx: Context) -> frozenset[int] | None:
        level = self._level(params, ctx)
        if level is None:
            return None
        return frozenset(p.id for p in ctx.posts.values() if p.ladder_level == level - 1)

    def prepare(self, params: Mapping[str, Any], ctx: Context, key: str) -> Prepared:
        level = self._level(params, ctx)
        below = level - 1 if level is not None else None
        posts = tuple(
            p for p in ctx.posts.values() if below is not None and p.ladder_level == below
        )
        exempt = None
        if ctx.target.post_id is not None:
            exempt = ctx.exemptions.get(key, {}).get(ctx.target.post_id)
        return Prepared(
            posts=posts,
            months=_months_of(params["min_years"]),
            level=level,
            below=below,
            exempt_reason=exempt,
        )

    def raw(self, facts: Facts, prep: Prepared) -> str:
        if prep.level is None:
            return U
        if prep.exempt_reason is not None or prep.set_index is None or not prep.posts:
            # Exempt, or nothing below the target: the condition does not apply.
            return P
        return P if facts.set_months[prep.set_index] >= prep.months else F

    def column(self, facts: FactsTable, prep: Prepared) -> list[str]:
        if (
            prep.level is None
            or prep.exempt_reason is not None
            or prep.set_index is None
            or not prep.posts
        ):
            return super().column(facts, prep)
        i, months = prep.set_index, prep.months
        return [P if m >= months else F for m in facts.set_months[i]]

    def describe(self, facts: Facts, prep: Prepared, record: PersonRecord, ctx: Context) -> str:
        required = _years_text(_years_param(prep.months))
        if prep.level is None:
            return _("未指定目标岗位层级，无法判断下一级岗位经历（要求满%(required)s）。") % {
                "required": required
            }
        if prep.exempt_reason is not None:
            post = ctx.posts.get(ctx.target.post_id or 0)
            return _("目标岗位“%(post)s”免除此条件：%(reason)s") % {
                "post": post.name if post else "?",
                "reason": prep.exempt_reason,
            }
        if prep.set_index is None or not prep.posts:
            return _("目标层级为最低一级，无下一级岗位要求。")
        months = facts.set_months[prep.set_index]
        names = _post_names(prep.posts)
        spells = _spell_list(record, frozenset(p.id for p in prep.posts), ctx)
        if not spells:
            return _("无下一级岗位（%(posts)s）任职记录，要求满%(required)s。") % {
                "posts": names,
                "required": required,
            }
        return _(
            "在下一级岗位（%(posts)s）工作%(duration)s（%(spells)s），要求满%(required)s。"
        ) % {
            "posts": names,
            "duration": _duration(months),
            "spells": spells,
            "required": required,
        }

    def short(self, facts: Facts, prep: Prepared, ctx: Context) -> str:
        if prep.level is None:
            return "?"
        if prep.exempt_reason is not None:
            return _("免")
        if prep.set_index is None or not prep.posts:
            return "—"
        months = facts.set_months[prep.set_index]
        return _duration(months) if months else "0"


def _age(birth: dt.date | None, as_of: dt.date) -> int | None:
    if birth is None or birth > as_of:
        return None
    return durations.full_years_between(birth, as_of)


@register
class AgeBand(RuleType):
    code = "age_band"
    label = gettext_lazy("年龄")
    description = gettext_lazy(
        "基准日时的周岁年龄在规定范围内（含两端）。计划为“以28至45岁为主体”，默认只作提示。"
    )
    params = (
        Param("min_age", gettext_lazy("最小（周岁）"), "age", None, required=False),
        Param("max_age", gettext_lazy("最大（周岁）"), "age", None, required=False),
    )
    default_strength = Strength.SOFT

    def clean(self, values: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = super().clean(values)
        low, high = cleaned["min_age"], cleaned["max_age"]
        if low is None and high is None:
            raise RuleError(_("请至少填写最小或最大年龄。"), "min_age")
        if low is not None and high is not None and low > high:
            raise RuleError(_("最小年龄不能大于最大年龄。"), "max_age")
        return cleaned

    def prepare(self, params: Mapping[str, Any], ctx: Context, key: str) -> Prepared:
        low, high = params.get("min_age"), params.get("max_age")
        return Prepared(
            low=durations.latest_start_for_years(low, ctx.as_of) if low is not None else None,
            high=durations.latest_start_for_years(high + 1, ctx.as_of)
            if high is not None
            else None,
            extra={"min": low, "max": high, "as_of": ctx.as_of},
        )

    def raw(self, facts: Facts, prep: Prepared) -> str:
        birth = facts.birth_date
        if birth is None or birth > prep.extra["as_of"]:
            # A birth date after the reference date is a typing error, not an age.
            return U
        if prep.low is not None and birth > prep.low:
            return F
        if prep.high is not None and birth <= prep.high:
            return F
        return P

    def column(self, facts: FactsTable, prep: Prepared) -> list[str]:
        low = prep.low or dt.date.max
        high = prep.high or dt.date.min
        as_of = prep.extra["as_of"]
        return [
            U if b is None or b > as_of else P if high < b <= low else F for b in facts.birth_date
        ]

    def _band(self, prep: Prepared) -> str:
        low, high = prep.extra["min"], prep.extra["max"]
        if low is not None and high is not None:
            return _("%(low)d至%(high)d周岁") % {"low": low, "high": high}
        if low is not None:
            return _("%(low)d周岁以上") % {"low": low}
        return _("%(high)d周岁以下") % {"high": high}

    def describe(self, facts: Facts, prep: Prepared, record: PersonRecord, ctx: Context) -> str:
        age = _age(facts.birth_date, ctx.as_of)
        if facts.birth_date is None:
            return _("缺少出生日期，无法计算年龄（范围%(band)s）。") % {"band": self._band(prep)}
        if age is None:
            return _("出生日期（%(birth)s）晚于基准日，请核对。") % {
                "birth": _date(facts.birth_date)
            }
        inside = self.raw(facts, prep) == Outcome.PASS
        template = (
            _("基准日%(as_of)s时%(age)d周岁（%(birth)s出生），在%(band)s之间。")
            if inside
            else _("基准日%(as_of)s时%(age)d周岁（%(birth)s出生），不在%(band)s之间。")
        )
        return template % {
            "as_of": _date(ctx.as_of),
            "age": age,
            "birth": _date(facts.birth_date),
            "band": self._band(prep),
        }

    def short(self, facts: Facts, prep: Prepared, ctx: Context) -> str:
        age = _age(facts.birth_date, ctx.as_of)
        return "?" if age is None else _("%(age)d岁") % {"age": age}


@register
class HonoursPriority(RuleType):
    code = "honours"
    label = gettext_lazy("荣誉称号")
    description = gettext_lazy(
        "基准日所在年份及以前获得的所列称号（不论引号写法），级别不低于规定级别。"
    )
    params = (
        Param("titles", gettext_lazy("称号"), "titles", ["优秀党员", "“勤朴”教师", "优秀班主任"]),
        Param("min_level", gettext_lazy("最低级别"), "honour_level", 1),
    )
    strengths = (Strength.PRIORITY,)
    default_strength = Strength.PRIORITY

    def clean(self, values: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = super().clean(values)
        # A blank field means "no titles", not the defaults (clean_param's blank → default).
        given = values.get("titles", self.params[0].default)
        if not cleaned["titles"] or not _string_list(given, self.params[0].label, "titles"):
            raise RuleError(_("请至少填写一个称号。"), "titles")
        return cleaned

    def prepare(self, params: Mapping[str, Any], ctx: Context, key: str) -> Prepared:
        return Prepared(
            titles=frozenset(normalise_title(t) for t in params["titles"]),
            level=params["min_level"],
            extra={"titles": list(params["titles"]), "year": ctx.as_of.year},
        )

    def matching(
        self, honours: Iterable[HonourRecord], prep: Prepared, year: int
    ) -> list[HonourRecord]:
        assert prep.level is not None
        return sorted(
            (
                h
                for h in honours
                if h.level >= prep.level
                and h.year <= year
                and normalise_title(h.title) in prep.titles
            ),
            key=lambda h: (-h.level, -h.year, h.title),
        )

    def column(self, facts: FactsTable, prep: Prepared) -> list[str]:
        titles, level, year = prep.titles, prep.level or 1, prep.extra["year"]
        listed: dict[str, bool] = {}  # by title as typed: a district has a few hundred
        out: list[str] = []
        append = out.append
        for person in facts.honours:
            outcome = F
            for h in person:  # a plain loop: a generator per person costs more
                if h.level >= level and h.year <= year:
                    found = listed.get(h.title)
                    if found is None:
                        found = listed[h.title] = _normalised(h.title) in titles
                    if found:
                        outcome = P
                        break
            append(outcome)
        return out

    def raw(self, facts: Facts, prep: Prepared) -> str:
        if not facts.honours:
            return F
        return P if self.matching(facts.honours, prep, prep.extra["year"]) else F

    def describe(self, facts: Facts, prep: Prepared, record: PersonRecord, ctx: Context) -> str:
        from houbei.people.models import HonourLevel

        found = self.matching(facts.honours, prep, ctx.as_of.year)
        level = str(HonourLevel(prep.level or 1).label)
        titles = "、".join(prep.extra["titles"])
        if not found:
            return _("未曾获得%(level)s或以上的%(titles)s称号。") % {
                "level": level,
                "titles": titles,
            }
        items = "、".join(
            _("%(year)d年%(level)s%(title)s")
            % {"year": h.year, "level": HonourLevel(h.level).label, "title": h.title}
            for h in found
        )
        return _("曾获%(items)s（优先条件：%(level)s或以上的%(titles)s）。") % {
            "items": items,
            "level": level,
            "titles": titles,
        }

    def short(self, facts: Facts, prep: Prepared, ctx: Context) -> str:
        found = self.matching(facts.honours, prep, ctx.as_of.year)
        return str(len(found)) if found else ""


@register
class Attestation(RuleType):
    code = "attestation"
    label = gettext_lazy("身心健康")
    description = gettext_lazy(
        "档案中的身心健康确认（是/否及日期，不含病情）。可要求确认在基准日前若干个月内。"
    )
    params = (
        Param(
            "valid_months",
            gettext_lazy("有效期（月）"),
            "months",
            None,
            required=False,
            help=gettext_lazy("留空：不限确认日期"),
        ),
    )

    def prepare(self, params: Mapping[str, Any], ctx: Context, key: str) -> Prepared:
        valid = params.get("valid_months")
        earliest = durations.add_months(ctx.as_of, -valid) if valid else None
        return Prepared(low=earliest, months=valid or 0, extra={"as_of": ctx.as_of})

    def raw(self, facts: Facts, prep: Prepared) -> str:
        if facts.fit_for_duty is None:
            return U
        on = facts.fit_for_duty_on
        if prep.low is not None and (on is None or on < prep.low):
            return U
        if prep.low is not None and on is not None and on > prep.extra["as_of"]:
            # Confirmed after the reference date: it says nothing certain about that day.
            return FL
        return P if facts.fit_for_duty else F

    def column(self, facts: FactsTable, prep: Prepared) -> list[str]:
        if prep.low is not None:
            return super().column(facts, prep)
        # Without a validity period only the recorded answer counts.
        return [U if fit is None else P if fit else F for fit in facts.fit_for_duty]

    def describe(self, facts: Facts, prep: Prepared, record: PersonRecord, ctx: Context) -> str:
        on = facts.fit_for_duty_on
        if facts.fit_for_duty is None:
            return _("档案中未记录身心健康确认。")
        if prep.low is not None and (on is None or on < prep.low):
            return _("身心健康确认于%(on)s，距基准日已超过%(months)d个月，需重新确认。") % {
                "on": _date(on) or _("未知日期"),
                "months": prep.months,
            }
        if prep.low is not None and on is not None and on > ctx.as_of:
            return _(
                "身心健康确认日期（%(on)s）晚于基准日（%(as_of)s），请核实基准日时的情况。"
            ) % {
                "on": _date(on),
                "as_of": _date(ctx.as_of),
            }
        if on is not None and on > ctx.as_of:
            # Without a validity period the attestation on file is taken as it stands;
            # the text says it was recorded later.
            template = (
                _("身心健康：已确认（%(on)s，晚于基准日）。")
                if facts.fit_for_duty
                else _("身心健康：确认为否（%(on)s，晚于基准日）。")
            )
            return template % {"on": _date(on)}
        if facts.fit_for_duty:
            return _("身心健康：已确认（%(on)s）。") % {"on": _date(on) or _("未记日期")}
        return _("身心健康：确认为否（%(on)s）。") % {"on": _date(on) or _("未记日期")}

    def short(self, facts: Facts, prep: Prepared, ctx: Context) -> str:
        return ""


@register
class Manual(RuleType):
    code = "manual"
    label = gettext_lazy("人工记录")
    description = gettext_lazy(
        "不能从档案计算的条件（如思想表现），由人事干部或考察组逐人记录结果和依据。未记录前不影响结论。"
    )
    strengths = (Strength.MANUAL,)
    default_strength = Strength.MANUAL

    def column(self, facts: FactsTable, prep: Prepared) -> list[str]:
        return [U] * len(facts)

    def raw(self, facts: Facts, prep: Prepared) -> str:
        return U

    def describe(self, facts: Facts, prep: Prepared, record: PersonRecord, ctx: Context) -> str:
        return _("尚未记录（由组织考察等环节逐人记录）。")


class _Scope(RuleType):
    strengths = (Strength.SCOPE,)
    default_strength = Strength.SCOPE
    attribute = ""

    def prepare(self, params: Mapping[str, Any], ctx: Context, key: str) -> Prepared:
        return Prepared(values=frozenset(params["values"]))

    def raw(self, facts: Facts, prep: Prepared) -> str:
        return P if getattr(facts, self.attribute) in prep.values else F

    def column(self, facts: FactsTable, prep: Prepared) -> list[str]:
        values = prep.values
        return [P if v in values else F for v in getattr(facts, self.attribute)]

    def describe(self, facts: Facts, prep: Prepared, record: PersonRecord, ctx: Context) -> str:
        labels = dict(self.params[0].choices)
        value = getattr(facts, self.attribute)
        return _("%(what)s：%(value)s（范围：%(allowed)s）。") % {
            "what": self.label,
            "value": labels.get(value, value),
            "allowed": "、".join(str(labels.get(v, v)) for v in sorted(prep.values)),
        }


def _establishment_choices() -> tuple[tuple[str, Any], ...]:
    from houbei.people.models import Establishment

    return tuple(Establishment.choices)


def _post_status_choices() -> tuple[tuple[str, Any], ...]:
    from houbei.people.models import PostStatus

    return tuple(PostStatus.choices)


@register
class ScopeEstablishment(_Scope):
    code = "scope_establishment"
    label = gettext_lazy("编制")
    description = gettext_lazy("推荐范围：只考虑所选编制的人员（如“在编”）。")
    attribute = "establishment"
    params = (
        Param("values", gettext_lazy("编制"), "choices", ["in"], choices=_establishment_choices()),
    )


@register
class ScopePostStatus(_Scope):
    code = "scope_post_status"
    label = gettext_lazy("在岗状态")
    description = gettext_lazy("推荐范围：只考虑所选在岗状态的人员（如“在岗”）。")
    attribute = "post_status"
    params = (
        Param(
            "values", gettext_lazy("在岗状态"), "choices", ["on"], choices=_post_status_choices()
        ),
    )


@register
class ScopeAge(AgeBand):
    code = "scope_age"
    label = gettext_lazy("年龄范围")
    description = gettext_lazy(
        "推荐范围：如“青年教职工”，只考虑基准日时不超过规定年龄的人员。缺少出生日期的人员列为信息不全。"
    )
    strengths = (Strength.SCOPE,)
    default_strength = Strength.SCOPE


# --- Compiling and judging ------------------------------------------------------------


@dataclass(frozen=True)
class RuleDef:
    """A rule as stored: ``params`` already cleaned by its type."""

    key: str
    type: str
    strength: str
    label: str
    params: Mapping[str, Any]


@dataclass
class CompiledRule:
    rule: RuleDef
    kind: RuleType
    prep: Prepared


@dataclass
class Plan:
    ctx: Context
    rules: list[CompiledRule]
    post_sets: list[frozenset[int]]

    @property
    def keys(self) -> list[str]:
        return [r.rule.key for r in self.rules]


def compile_plan(rules: Sequence[RuleDef], ctx: Context) -> Plan:
    """Resolve the rules against ``ctx``. Raises RuleError for an unknown type, a strength
    the type does not take, or parameters that do not fit the school's posts."""
    post_sets: list[frozenset[int]] = []
    compiled = []
    for rule in rules:
        kind = REGISTRY.get(rule.type)
        if kind is None:
            raise RuleError(_("未知的条件类型“%(type)s”。") % {"type": rule.type}, "type")
        if rule.strength not in kind.strengths:
            raise RuleError(
                _("“%(type)s”不能设为%(strength)s。")
                % {"type": kind.label, "strength": Strength(rule.strength).label},
                "strength",
            )
        prep = kind.prepare(rule.params, ctx, rule.key)
        posts = kind.post_set(rule.params, ctx)
        if posts is not None:
            if posts not in post_sets:
                post_sets.append(posts)
            prep.set_index = post_sets.index(posts)
        compiled.append(CompiledRule(rule, kind, prep))
    return Plan(ctx=ctx, rules=compiled, post_sets=post_sets)


def _apply_strength(outcome: str, strength: str) -> str:
    if outcome == F and strength == Strength.SOFT:
        return FL
    return outcome


def verdict_of(strengths: Sequence[str], outcomes: Sequence[str]) -> str:
    """The overall verdict from per-rule outcomes (after strength and rulings):

    * a SCOPE rule failed → out of scope (推荐范围之外);
    * a HARD or MANUAL rule failed → not eligible;
    * a HARD or SCOPE rule unknown → incomplete (a MANUAL rule not yet recorded does not
      hold the verdict back: it is recorded at inspection);
    * a HARD rule flagged, or a SOFT rule flagged or unknown → eligible with flags;
    * otherwise eligible. PRIORITY rules never change the verdict."""
    scope_fail = ineligible = unknown = flagged = False
    for strength, outcome in zip(strengths, outcomes, strict=True):
        if strength == Strength.SCOPE:
            scope_fail |= outcome == F
            unknown |= outcome == U
        elif strength == Strength.HARD:
            ineligible |= outcome == F
            unknown |= outcome == U
            flagged |= outcome == FL
        elif strength == Strength.MANUAL:
            ineligible |= outcome == F
        elif strength == Strength.SOFT:
            flagged |= outcome in (FL, U)
    return _combine(scope_fail, ineligible, unknown, flagged)


def _combine(scope_fail: bool, ineligible: bool, unknown: bool, flagged: bool) -> str:
    if scope_fail:
        return Verdict.OUT_OF_SCOPE.value
    if ineligible:
        return Verdict.INELIGIBLE.value
    if unknown:
        return Verdict.INCOMPLETE.value
    return Verdict.FLAGGED.value if flagged else Verdict.ELIGIBLE.value


@dataclass(frozen=True, slots=True)
class Judgement:
    """One person's verdict and outcomes (in the plan's rule order), without text."""

    person_id: int
    verdict: str
    outcomes: tuple[str, ...]
    computed: tuple[str, ...]  # before rulings
    priority: int  # priority rules passed: ranks people within a verdict


@dataclass
class Judgements:
    """Verdicts of many people, stored by column: ``outcomes[r][i]`` is rule r's outcome
    for person i (after rulings), ``computed[r][i]`` the same before rulings."""

    ids: list[int]
    verdicts: list[str]
    outcomes: list[list[str]]
    computed: list[list[str]]
    priority: list[int]

    def __len__(self) -> int:
        return len(self.ids)

    def row(self, i: int) -> Judgement:
        return Judgement(
            person_id=self.ids[i],
            verdict=self.verdicts[i],
            outcomes=tuple(column[i] for column in self.outcomes),
            computed=tuple(column[i] for column in self.computed),
            priority=self.priority[i],
        )

    def rows(self) -> list[Judgement]:
        return [self.row(i) for i in range(len(self.ids))]


# The bit an outcome sets, by strength: 1 flagged, 2 incomplete, 4 not eligible, 8 out
# of scope; ``_HIGHEST`` turns a byte into its highest bit's place, 0 (eligible) to 4.
_FLAGS: dict[str, dict[str, int]] = {
    Strength.SCOPE: {F: 8, U: 2},
    Strength.HARD: {F: 4, U: 2, FL: 1},
    Strength.MANUAL: {F: 4},
    Strength.SOFT: {FL: 1, U: 1},
}
_HIGHEST = bytes(b.bit_length() for b in range(256))
_VERDICT_BY_BIT = (
    Verdict.ELIGIBLE.value,
    Verdict.FLAGGED.value,
    Verdict.INCOMPLETE.value,
    Verdict.INELIGIBLE.value,
    Verdict.OUT_OF_SCOPE.value,
)
_SOFT = {F: FL}


def judge(plan: Plan, facts: Sequence[Facts]) -> Judgements:
    """Verdicts for everyone, computed column by column (one tight loop per rule; rulings
    then replace the outcomes they concern; the verdicts come from whole columns at once)
    so a district's 200,000 people take a fraction of a second. Gives what ``verdict_of``
    gives person by person."""
    was = gc.isenabled()
    gc.disable()  # only lists of shared strings are built: no cycles to collect
    try:
        return _judge(plan, facts)
    finally:
        if was:
            gc.enable()


def _judge(plan: Plan, people: Sequence[Facts]) -> Judgements:
    facts = FactsTable.of(people, len(plan.post_sets))
    n = len(facts)
    computed: list[list[str]] = []
    for compiled in plan.rules:
        column = compiled.kind.column(facts, compiled.prep)
        if compiled.rule.strength == Strength.SOFT:
            column = list(map(_SOFT.get, column, column))  # fail → flag
        computed.append(column)
    outcomes = computed
    rulings = plan.ctx.rulings
    if rulings:
        index = {pk: i for i, pk in enumerate(facts.id)}
        outcomes = [list(column) for column in computed]
        keys = {c.rule.key: r for r, c in enumerate(plan.rules)}
        for (person_id, key), ruling in rulings.items():
            if person_id in index and key in keys:
                r = keys[key]
                outcomes[r][index[person_id]] = _apply_strength(
                    ruling.outcome, plan.rules[r].rule.strength
                )
    # Each outcome that bears on the verdict sets one bit of a byte per person; the
    # highest bit over all rules decides (``_combine``'s order). Whole columns become
    # bytes and are OR-ed as big integers: C speed, where a loop per person is not.
    flags = 0
    for compiled, column in zip(plan.rules, outcomes, strict=True):
        table = _FLAGS.get(compiled.rule.strength)
        if table:
            flags |= int.from_bytes(bytes(map(table.get, column, itertools.repeat(0))))
    worst = flags.to_bytes(n).translate(_HIGHEST)
    verdicts = list(map(_VERDICT_BY_BIT.__getitem__, worst))
    priority = [0] * n
    for compiled, column in zip(plan.rules, outcomes, strict=True):
        if compiled.rule.strength == Strength.PRIORITY:
            priority = list(map(operator.add, priority, map(P.__eq__, column)))
    return Judgements(
        ids=list(facts.id),
        verdicts=verdicts,
        outcomes=outcomes,
        computed=computed,
        priority=priority,
    )


@dataclass(frozen=True)
class RuleResult:
    key: str
    label: str
    type: str
    strength: str
    outcome: str
    computed: str  # the outcome before any ruling
    text: str
    short: str = ""
    ruling: Ruling | None = None
    exempt_reason: str | None = None

    @property
    def overridden(self) -> bool:
        return self.ruling is not None


@dataclass(frozen=True)
class Explanation:
    person_id: int
    verdict: str
    results: tuple[RuleResult, ...]
    priority: int


def explain(plan: Plan, record: PersonRecord) -> Explanation:
    """One person's results with their explanations."""
    facts = facts_of(plan, record)
    judgement = judge(plan, [facts]).row(0)
    results = []
    for compiled, outcome, computed in zip(
        plan.rules, judgement.outcomes, judgement.computed, strict=True
    ):
        rule = compiled.rule
        results.append(
            RuleResult(
                key=rule.key,
                label=rule.label,
                type=rule.type,
                strength=rule.strength,
                outcome=outcome,
                computed=computed,
                text=_manual_text(plan.ctx.rulings.get((record.id, rule.key)))
                if isinstance(compiled.kind, Manual)
                else compiled.kind.describe(facts, compiled.prep, record, plan.ctx),
                short=compiled.kind.short(facts, compiled.prep, plan.ctx),
                ruling=plan.ctx.rulings.get((record.id, rule.key)),
                exempt_reason=compiled.prep.exempt_reason,
            )
        )
    return Explanation(
        person_id=record.id,
        verdict=judgement.verdict,
        results=tuple(results),
        priority=judgement.priority,
    )


def _manual_text(ruling: Ruling | None) -> str:
    if ruling is None:
        return _("尚未记录（由组织考察等环节逐人记录）。")
    template = (
        _("已记录为符合：%(reason)s") if ruling.outcome == P else _("已记录为不符合：%(reason)s")
    )
    return template % {"reason": ruling.reason}


def shorts(plan: Plan, facts: Facts) -> list[str]:
    """The board's cell texts for one person."""
    return [c.kind.short(facts, c.prep, plan.ctx) for c in plan.rules]


def clean_rule(
    *, type: str, strength: str | None, params: Mapping[str, Any]
) -> tuple[str, dict[str, Any]]:
    """A rule's strength and cleaned parameters, or RuleError naming the field."""
    kind = REGISTRY.get(type)
    if kind is None:
        raise RuleError(_("未知的条件类型“%(type)s”。") % {"type": type}, "type")
    strength = strength or kind.default_strength
    if strength not in kind.strengths:
        raise RuleError(
            _("“%(type)s”只能设为：%(allowed)s。")
            % {
                "type": kind.label,
                "allowed": "、".join(str(Strength(s).label) for s in kind.strengths),
            },
            "strength",
        )
    return strength, kind.clean(params)
