"""The API's request and response shapes, documented in Chinese for the integrators who
read the OpenAPI description.

Choice fields carry their codes (``gender: "F"``), and the description of each lists what
the codes mean. Every field has a ``title`` with its Chinese name; validation errors use
it to name the field (``houbei.api.errors``)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Choices
from ninja import Field, Schema
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from houbei.ballots.models import Status as ElectionStatus
from houbei.ballots.ratings.models import RoundStatus as RatingStatus
from houbei.eligibility.models import RulingOutcome
from houbei.eligibility.rules import REGISTRY, Outcome, Strength, Verdict
from houbei.organisation.models import LadderLevel, PostCategory, RotationLength
from houbei.people import filters as people_filters
from houbei.people.models import (
    Education,
    Establishment,
    Gender,
    HonourLevel,
    PoliticalStatus,
    PostStatus,
)
from houbei.selection.models import Level, ObjectionOutcome, Readiness, RoundOutcome, Stage
from houbei.selection.models import Outcome as DecisionOutcome


def codes(choices: type[Choices]) -> str:
    """“M=男，F=女”: the codes of a choice set with their Chinese labels."""
    return "，".join(f"{value}={label}" for value, label in choices.choices)


# --- Errors -----------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(..., title="说明", description="可直接显示给用户的中文说明。")
    errors: dict[str, list[str]] = Field(
        default_factory=dict,
        title="字段错误",
        description="按字段列出的错误（键为字段名，值为中文说明）；与具体字段无关时为空。",
    )


# --- Schools ----------------------------------------------------------------------------


class DistrictOut(Schema):
    id: int = Field(..., title="编号")
    name: str = Field(..., title="名称", description="区教育局名称。")
    code: str = Field(..., title="代码")


class SchoolOut(Schema):
    id: int = Field(..., title="编号")
    name: str = Field(..., title="校名")
    short_name: str = Field(..., title="简称")
    code: str = Field(..., title="代码", description="全系统唯一的英文代码。")
    is_active: bool = Field(
        ..., title="启用", description="停用的学校保留全部记录，但不再分配新用户。"
    )
    district: DistrictOut = Field(..., title="所属区")


# --- Posts ------------------------------------------------------------------------------


class PersonRef(Schema):
    id: int = Field(..., title="编号")
    name: str = Field(..., title="姓名")


class PostOut(Schema):
    id: int = Field(..., title="编号")
    school_id: int = Field(..., title="学校编号")
    name: str = Field(..., title="岗位名称")
    code: str = Field(..., title="代码", description="校内唯一的英文代码。")
    category: PostCategory = Field(..., title="类别", description=codes(PostCategory))
    ladder_level: LadderLevel = Field(
        ...,
        title="层级",
        description="方案的岗位阶梯，数字越大层级越高（“下一层级任职满一年”按此比较）："
        + codes(LadderLevel),
    )
    counts_as_head: bool = Field(..., title="计入班主任或科室组长经历")
    is_rotation_post: bool = Field(..., title="轮岗锻炼岗位")
    allowed_lengths: list[RotationLength] = Field(
        ..., title="允许时长", description="轮岗时长：" + codes(RotationLength)
    )
    capacity_per_term: int = Field(..., title="每学期容量")
    sort_order: int = Field(..., title="排序")
    note: str = Field(..., title="备注")
    archived: bool = Field(..., title="已归档")
    default_mentors: list[PersonRef] = Field(..., title="默认带教人员")

    @staticmethod
    def resolve_archived(obj: Any) -> bool:
        return obj.archived_at is not None

    @staticmethod
    def resolve_default_mentors(obj: Any) -> list[Any]:
        return list(obj.default_mentors.all())


# --- People -----------------------------------------------------------------------------


class PersonOut(Schema):
    """One row of the registry; contact details and history are on the detail."""

    id: int = Field(..., title="编号")
    school_id: int = Field(..., title="学校编号")
    staff_number: str = Field(..., title="工号")
    name: str = Field(..., title="姓名")
    gender: Gender = Field(..., title="性别", description=codes(Gender))
    birth_date: dt.date | None = Field(None, title="出生日期")
    joined_school_on: dt.date | None = Field(None, title="入校时间")
    started_work_on: dt.date | None = Field(None, title="参加工作时间")
    establishment: Establishment = Field(..., title="编制", description=codes(Establishment))
    post_status: PostStatus = Field(..., title="在岗状态", description=codes(PostStatus))
    political_status: PoliticalStatus = Field(
        ..., title="政治面貌", description=codes(PoliticalStatus)
    )
    education: Education | None = Field(
        None, title="学历", description=codes(Education) + "；未填时为 null。"
    )
    title: str = Field(..., title="职称")
    subject: str = Field(..., title="任教学科")
    fit_for_duty: bool | None = Field(
        None, title="身心健康", description="本人确认；未确认时为 null。"
    )
    fit_for_duty_on: dt.date | None = Field(None, title="健康确认日期")
    archived: bool = Field(..., title="已归档")

    @staticmethod
    def resolve_education(obj: Any) -> str | None:
        return obj.education or None

    @staticmethod
    def resolve_archived(obj: Any) -> bool:
        return obj.archived_at is not None


class PostHistoryOut(Schema):
    id: int = Field(..., title="编号")
    post_id: int = Field(..., title="岗位编号")
    post_name: str = Field(..., title="岗位名称")
    ladder_level: LadderLevel = Field(..., title="层级", description=codes(LadderLevel))
    start: dt.date = Field(..., title="开始")
    end: dt.date | None = Field(None, title="结束", description="为 null 表示至今仍在此岗位。")
    note: str = Field(..., title="备注")

    @staticmethod
    def resolve_post_name(obj: Any) -> str:
        return str(obj.post.name)

    @staticmethod
    def resolve_ladder_level(obj: Any) -> int:
        return int(obj.post.ladder_level)


class HonourOut(Schema):
    id: int = Field(..., title="编号")
    title: str = Field(..., title="称号")
    level: HonourLevel = Field(..., title="级别", description=codes(HonourLevel))
    year: int = Field(..., title="年度")
    note: str = Field(..., title="备注")


class PersonDetailOut(PersonOut):
    phone: str = Field(..., title="联系电话")
    email: str = Field(..., title="电子邮箱")
    national_id_masked: str = Field(
        ...,
        title="身份证号（遮蔽）",
        description="只显示前4位和后4位；API 不提供完整号码。未登记时为空字符串。",
    )
    archived_at: dt.datetime | None = Field(None, title="归档时间")
    archive_reason: str = Field(..., title="归档原因")
    post_history: list[PostHistoryOut] = Field(..., title="任职经历")
    honours: list[HonourOut] = Field(..., title="荣誉")

    @staticmethod
    def resolve_post_history(obj: Any) -> list[Any]:
        return list(obj.post_history.all())

    @staticmethod
    def resolve_honours(obj: Any) -> list[Any]:
        return list(obj.honours.all())


class PersonPage(Schema):
    count: int = Field(..., title="总数", description="符合筛选条件的人数（不受分页影响）。")
    limit: int = Field(..., title="每页条数")
    offset: int = Field(..., title="起始位置")
    items: list[PersonOut] = Field(..., title="本页人员")


# Sent as null, these mean "clear" for text and education; the choice fields and the two
# identifying fields cannot be cleared.
_TEXT_FIELDS = ("title", "subject", "phone", "email")
_NOT_NULL = ("staff_number", "name", "gender", "establishment", "post_status", "political_status")


class PersonWrite(Schema):
    """Fields a caller may set. On create, omitted optional fields take their defaults; on
    update (PATCH), omitted fields stay as they are."""

    staff_number: str = Field(..., title="工号", max_length=30, description="校内唯一。")
    name: str = Field(..., title="姓名", max_length=40)
    gender: Gender = Field(..., title="性别", description=codes(Gender))
    birth_date: dt.date | None = Field(None, title="出生日期", description="格式 YYYY-MM-DD。")
    joined_school_on: dt.date | None = Field(None, title="入校时间")
    started_work_on: dt.date | None = Field(None, title="参加工作时间")
    establishment: Establishment = Field(
        Establishment.IN, title="编制", description=codes(Establishment)
    )
    post_status: PostStatus = Field(
        PostStatus.ON_DUTY, title="在岗状态", description=codes(PostStatus)
    )
    political_status: PoliticalStatus = Field(
        PoliticalStatus.MASSES, title="政治面貌", description=codes(PoliticalStatus)
    )
    education: Education | None = Field(None, title="学历", description=codes(Education))
    title: str = Field("", title="职称", max_length=40)
    subject: str = Field("", title="任教学科", max_length=40)
    fit_for_duty: bool | None = Field(
        None, title="身心健康", description="是/否；填写时须同时填写健康确认日期。"
    )
    fit_for_duty_on: dt.date | None = Field(None, title="健康确认日期")
    phone: str = Field("", title="联系电话", max_length=30)
    email: str = Field("", title="电子邮箱", max_length=254)
    national_id: str | None = Field(
        None,
        title="身份证号",
        max_length=24,
        description="18位居民身份证号码，加密保存，之后只以遮蔽形式返回。"
        "更新时：不传则保持不变，传空字符串或 null 则清除。",
    )

    @field_validator(*_TEXT_FIELDS, mode="before")
    @classmethod
    def _null_text_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator(*_NOT_NULL, mode="before")
    @classmethod
    def _refuse_null(cls, value: Any) -> Any:
        if value is None:
            raise PydanticCustomError("not_null", "不能为空")
        return value

    def service_values(self) -> tuple[dict[str, Any], str | None]:
        """The values sent, as ``people.services`` takes them, and the national ID
        (None when it was not sent, which keeps the stored one)."""
        values = self.model_dump(exclude_unset=True)
        number = None
        if "national_id" in values:
            number = values.pop("national_id") or ""
        return values, number


class PersonCreateIn(PersonWrite):
    def service_values(self) -> tuple[dict[str, Any], str | None]:
        # Defaults count on create: an omitted field takes its documented default.
        values = self.model_dump()
        number = values.pop("national_id") or ""
        return values, number


class PersonPatchIn(PersonWrite):
    """All fields optional: only those sent are changed."""

    staff_number: str = Field(None, title="工号", max_length=30)  # type: ignore[assignment]
    name: str = Field(None, title="姓名", max_length=40)  # type: ignore[assignment]
    gender: Gender = Field(None, title="性别", description=codes(Gender))  # type: ignore[assignment]
    establishment: Establishment = Field(  # type: ignore[assignment]
        None, title="编制", description=codes(Establishment)
    )
    post_status: PostStatus = Field(  # type: ignore[assignment]
        None, title="在岗状态", description=codes(PostStatus)
    )
    political_status: PoliticalStatus = Field(  # type: ignore[assignment]
        None, title="政治面貌", description=codes(PoliticalStatus)
    )


# --- Query parameters -------------------------------------------------------------------

MAX_LIMIT = 200


class PostFilters(Schema):
    school: int | None = Field(
        None,
        title="学校编号",
        description="只看这所学校的岗位；区教育局和系统管理员可查看所辖各校，不传时返回全部可查看学校的岗位。",
    )
    include_archived: bool = Field(False, title="含已归档岗位")


def _one_of(value: Any, allowed: Any) -> Any:
    if value not in allowed:
        raise PydanticCustomError("enum", "invalid", {"expected": "、".join(allowed)})
    return value


class PeopleQuery(Schema):
    """The registry list's filters (those of the 教职工档案 page) and paging. Unlike the
    page, which ignores a value it does not know, the API refuses it (422): an integration
    with a typo should not silently receive the whole registry."""

    school: int | None = Field(
        None,
        title="学校编号",
        description="本校用户只能查看本校，可省略；指定其他学校返回 404。教职工档案属于个人信息，区教育局和系统管理员不能通过接口读取（与网页相同，只看汇总）。",
    )
    q: str = Field(
        "", title="关键词", max_length=100, description="姓名或工号中的字；或完整的身份证号。"
    )
    post_status: PostStatus | None = Field(None, title="在岗状态", description=codes(PostStatus))
    establishment: Establishment | None = Field(
        None, title="编制", description=codes(Establishment)
    )
    political_status: str = Field(
        "",
        title="政治面貌",
        description=codes(PoliticalStatus) + f"；{people_filters.CPC_ALL}=中共党员（含预备党员）",
    )
    gender: Gender | None = Field(None, title="性别", description=codes(Gender))
    subject: str = Field("", title="任教学科", max_length=40, description="完全相同的学科名。")
    current_post: int | None = Field(
        None, title="现任岗位编号", ge=1, description="今天在任此岗位的人。"
    )
    age_min: int | None = Field(None, title="最小年龄", ge=0, le=150, description="周岁，含。")
    age_max: int | None = Field(None, title="最大年龄", ge=0, le=150, description="周岁，含。")
    archived: people_filters.ArchivedScope = Field(
        people_filters.ArchivedScope.ACTIVE,
        title="归档范围",
        description="空=在册（默认），archived=仅已归档，all=全部。",
    )
    sort: str = Field(
        people_filters.DEFAULT_SORT,
        title="排序",
        description="staff_number、name、age（由小到大）、joined（入校早的在前）；前加 - 表示倒序。",
    )
    limit: int = Field(50, title="每页条数", ge=1, le=MAX_LIMIT)
    offset: int = Field(0, title="起始位置", ge=0)

    @field_validator("political_status")
    @classmethod
    def _known_political_status(cls, value: str) -> str:
        if not value:
            return value
        return str(_one_of(value, [people_filters.CPC_ALL, *PoliticalStatus.values]))

    @field_validator("sort")
    @classmethod
    def _known_sort(cls, value: str) -> str:
        return str(_one_of(value, list(people_filters.SORTS)))

    def as_filters(self) -> people_filters.PersonFilters:
        return people_filters.PersonFilters(
            q=" ".join(self.q.split()),
            post_status=self.post_status or "",
            establishment=self.establishment or "",
            political_status=self.political_status,
            gender=self.gender or "",
            subject=self.subject.strip(),
            current_post=self.current_post,
            age_min=self.age_min,
            age_max=self.age_max,
            archived=self.archived,
            sort=self.sort,
        )


# --- Eligibility ------------------------------------------------------------------------

RULE_TYPES = "，".join(f"{code}={kind.label}" for code, kind in REGISTRY.items())
# The latest and earliest reference dates accepted: wide enough for any record, narrow
# enough that the date arithmetic of the rules cannot leave the calendar.
EARLIEST_AS_OF = dt.date(1900, 1, 1)
LATEST_AS_OF = dt.date(2100, 12, 31)
VERDICT_IN_SCOPE, VERDICT_ALL = "", "all"


class EligibilityRuleOut(Schema):
    key: str = Field(..., title="条件代码", description="在本套条件内唯一。")
    type: str = Field(..., title="条件类型", description=RULE_TYPES)
    strength: Strength = Field(..., title="性质", description=codes(Strength))
    label: str = Field(..., title="条件表述")
    params: dict[str, Any] = Field(..., title="参数", description="按条件类型而定。")
    enabled: bool = Field(..., title="启用", description="停用的条件不参与计算。")


class RuleSetOut(Schema):
    id: int = Field(..., title="编号")
    name: str = Field(..., title="名称")
    description: str = Field(..., title="说明")
    reference_date: dt.date | None = Field(
        None, title="基准日", description="为 null 时按当天计算。"
    )
    is_default: bool = Field(..., title="学校默认条件")
    archived: bool = Field(..., title="已归档")
    rules: list[EligibilityRuleOut] = Field(..., title="条件", description="按排列顺序。")

    @staticmethod
    def resolve_archived(obj: Any) -> bool:
        return obj.archived_at is not None

    @staticmethod
    def resolve_rules(obj: Any) -> list[Any]:
        return list(obj.rules.all())


class RuleSetFilters(Schema):
    include_archived: bool = Field(False, title="含已归档条件")


class RuleSetRef(Schema):
    id: int = Field(..., title="编号")
    name: str = Field(..., title="名称")


class StaffRef(Schema):
    id: int = Field(..., title="编号")
    staff_number: str = Field(..., title="工号")
    name: str = Field(..., title="姓名")


class EvaluatedRuleOut(Schema):
    """A rule as it was applied: its key names it in each person's results."""

    key: str = Field(..., title="条件代码")
    type: str = Field(..., title="条件类型", description=RULE_TYPES)
    strength: Strength = Field(..., title="性质", description=codes(Strength))
    label: str = Field(..., title="条件表述")
    exempt_reason: str | None = Field(
        None,
        title="免除理由",
        description="目标岗位免除了此条件时的理由；未免除时为 null。",
    )


class RuleResultOut(Schema):
    key: str = Field(..., title="条件代码")
    outcome: Outcome = Field(..., title="结果", description=codes(Outcome) + "；已含逐人认定。")
    computed: Outcome = Field(
        ...,
        title="计算结果",
        description="逐人认定之前按档案计算的结果；与 outcome 不同表示结果已被人工认定改变。",
    )
    short: str = Field(..., title="简要", description="如“6年2个月”“38岁”；可为空。")
    text: str = Field(..., title="解释", description="计算所依据的数字和要求，中文。")


class EvaluationRowOut(Schema):
    id: int = Field(..., title="编号", description="教职工编号。")
    staff_number: str = Field(..., title="工号")
    name: str = Field(..., title="姓名")
    verdict: Verdict = Field(..., title="结论", description=codes(Verdict))
    priority: int = Field(..., title="优先条件数", description="符合的优先条件个数。")
    results: list[RuleResultOut] = Field(..., title="各条件结果", description="按条件顺序。")


class EvaluationOut(Schema):
    rule_set: RuleSetRef = Field(..., title="选拔条件")
    as_of: dt.date = Field(..., title="基准日")
    target: str = Field(
        ..., title="目标", description="规范写法的目标；为空表示用条件中设定的默认层级。"
    )
    target_label: str = Field(..., title="目标说明")
    counts: dict[str, int] = Field(
        ...,
        title="各结论人数",
        description="全部在册人员（不受 verdict 筛选影响）按结论计数：" + codes(Verdict),
    )
    rules: list[EvaluatedRuleOut] = Field(..., title="参与计算的条件")
    people: list[EvaluationRowOut] = Field(
        ..., title="人员", description="按结论、优先条件数（多者在前）、工号排列。"
    )


class RulingOut(Schema):
    outcome: RulingOutcome = Field(..., title="认定结果", description=codes(RulingOutcome))
    reason: str = Field(..., title="认定理由")
    by: str = Field(..., title="认定人")
    on: dt.date | None = Field(None, title="认定日期")


class PersonRuleResultOut(RuleResultOut):
    label: str = Field(..., title="条件表述")
    type: str = Field(..., title="条件类型", description=RULE_TYPES)
    strength: Strength = Field(..., title="性质", description=codes(Strength))
    ruling: RulingOut | None = Field(
        None, title="逐人认定", description="人工记录或改变计算结果的认定；没有时为 null。"
    )
    exempt_reason: str | None = Field(
        None, title="免除理由", description="目标岗位免除了此条件时的理由；未免除时为 null。"
    )


class PersonEvaluationOut(Schema):
    rule_set: RuleSetRef = Field(..., title="选拔条件")
    as_of: dt.date = Field(..., title="基准日")
    target: str = Field(..., title="目标")
    target_label: str = Field(..., title="目标说明")
    person: StaffRef = Field(..., title="人员")
    verdict: Verdict = Field(..., title="结论", description=codes(Verdict))
    priority: int = Field(..., title="优先条件数")
    results: list[PersonRuleResultOut] = Field(..., title="各条件结果")


def iso_date(value: Any) -> Any:
    """A date as YYYY-MM-DD only: pydantic would also take a Unix timestamp or 20210226,
    and a date an integrator mistyped should be refused, not read as another day."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise PydanticCustomError("date_parsing", "invalid date")
    return value.strip()


class EvaluationQuery(Schema):
    as_of: dt.date | None = Field(
        None,
        title="基准日",
        ge=EARLIEST_AS_OF,
        le=LATEST_AS_OF,
        description="格式 YYYY-MM-DD；不传时用选拔条件的基准日，未设基准日则为当天。",
    )
    target: str = Field(
        "",
        title="目标",
        max_length=60,
        description="level:<层级>（" + codes(LadderLevel) + "）或 post:<本校岗位代码>；"
        "不传时用条件中设定的默认目标层级。",
    )

    @field_validator("as_of", mode="before")
    @classmethod
    def _iso_date_only(cls, value: Any) -> Any:
        return iso_date(value)

    @field_validator("target")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        return value.strip()


class BoardQuery(EvaluationQuery):
    verdict: str = Field(
        VERDICT_IN_SCOPE,
        title="结论",
        description="空=推荐范围内的全部人员（默认），all=全部人员（含不在推荐范围的），"
        "或只看一种结论：" + codes(Verdict),
    )

    @field_validator("verdict")
    @classmethod
    def _known_verdict(cls, value: str) -> str:
        if not value:
            return value
        return str(_one_of(value, [VERDICT_ALL, *Verdict.values]))


# --- Selection cycles -------------------------------------------------------------------

STAGE_CODES = codes(Stage)
STATE_CODES = "done=已结束，current=当前阶段，upcoming=未开始"
# What the web UI shows only inside the school (talks, objections): null for the district.
SCHOOL_ONLY = "本项只对本校用户提供，区教育局用户得到 null（与网页相同）。"


class SchoolRef(Schema):
    id: int = Field(..., title="编号")
    name: str = Field(..., title="校名")


class CycleRef(Schema):
    id: int = Field(..., title="编号")
    year: int = Field(..., title="年度")
    title: str = Field(..., title="名称")


class CycleListOut(Schema):
    id: int = Field(..., title="编号")
    level: Level = Field(..., title="级别", description=codes(Level))
    name: str = Field(..., title="名单名称")
    quota: int = Field(..., title="名额")


class CycleOut(Schema):
    id: int = Field(..., title="编号")
    school: SchoolRef = Field(..., title="学校")
    year: int = Field(..., title="年度")
    title: str = Field(..., title="名称")
    reference_date: dt.date = Field(..., title="基准日", description="选拔条件按此日计算。")
    stage: Stage = Field(..., title="当前阶段", description=STAGE_CODES)
    stage_label: str = Field(..., title="当前阶段名称")
    created_at: dt.datetime = Field(..., title="创建时间")
    completed_at: dt.datetime | None = Field(
        None, title="完成时间", description="公示结束、列入后备干部库的时间；未完成时为 null。"
    )
    lists: list[CycleListOut] = Field(
        ..., title="后备干部名单及名额", description="一人可同时列入两个名单。"
    )

    # A cycle comes as the model (lists) or as the dict the detail builds.
    @staticmethod
    def resolve_stage_label(obj: Any) -> str:
        stage = obj["stage"] if isinstance(obj, dict) else obj.stage
        return str(Stage(stage).label)

    @staticmethod
    def resolve_lists(obj: Any) -> list[Any]:
        return list(obj["lists"] if isinstance(obj, dict) else obj.lists.all())


class CyclePage(Schema):
    count: int = Field(..., title="总数", description="符合筛选条件的选拔周期数（不受分页影响）。")
    limit: int = Field(..., title="每页条数")
    offset: int = Field(..., title="起始位置")
    items: list[CycleOut] = Field(..., title="本页选拔周期")


class CycleSettingsOut(Schema):
    """The numbers of the regulations, as this cycle applies them."""

    quorum_numerator: int = Field(..., title="推荐参与率（分子）")
    quorum_denominator: int = Field(
        ...,
        title="推荐参与率（分母）",
        description="参加推荐人数须达到应参加人数的这一比例，默认2/3。",
    )
    competitive: bool = Field(..., title="差额考察", description="考察对象人数多于名额。")
    inspection_notice_days: int = Field(..., title="考察预告提前天数")
    notice_working_days: int = Field(..., title="公示期（工作日）", description="不少于5个工作日。")
    decision_quorum_numerator: int = Field(..., title="讨论决定到会比例（分子）")
    decision_quorum_denominator: int = Field(..., title="讨论决定到会比例（分母）")
    pass_numerator: int = Field(..., title="通过比例（分子）")
    pass_denominator: int = Field(
        ..., title="通过比例（分母）", description="同意票须超过应到会成员的这一比例。"
    )
    second_round_percent: int = Field(
        ...,
        title="再次推荐触发（最高得票率，%）",
        description="各名单最高得票率低于此值时票数分散。",
    )
    postponement_months: int = Field(..., title="暂缓期限（月）")
    pool_years: int = Field(..., title="后备干部库有效期（年）")


class StageRecordOut(Schema):
    id: int = Field(..., title="编号")
    stage: Stage = Field(..., title="阶段", description=STAGE_CODES)
    attempt: int = Field(..., title="第几次", description="重新开启的阶段从第2次起。")
    deadline: dt.date | None = Field(None, title="截止日期")
    responsible: PersonRef | None = Field(None, title="负责人")
    started_at: dt.datetime | None = Field(None, title="开始时间")
    finished_at: dt.datetime | None = Field(None, title="结束时间")
    interrupted: bool = Field(..., title="因重新开启而中止")


class TimelineStageOut(Schema):
    stage: Stage = Field(..., title="阶段", description=STAGE_CODES)
    label: str = Field(..., title="阶段名称")
    state: str = Field(..., title="状态", description=STATE_CODES)
    attempts: int = Field(..., title="进行次数")
    deadline: dt.date | None = Field(None, title="截止日期", description="最近一次的截止日期。")
    overdue: bool = Field(..., title="已逾期", description="未结束且已过截止日期。")
    responsible: PersonRef | None = Field(None, title="负责人")
    started_at: dt.datetime | None = Field(None, title="开始时间")
    finished_at: dt.datetime | None = Field(None, title="结束时间")


class ReopeningOut(Schema):
    stage: Stage = Field(..., title="重新开启的阶段", description=STAGE_CODES)
    from_stage: Stage = Field(..., title="开启时所处阶段", description=STAGE_CODES)
    reason: str = Field(..., title="理由")
    at: dt.datetime = Field(..., title="时间")


class NextTransitionOut(Schema):
    to: Stage = Field(..., title="下一阶段", description=STAGE_CODES)
    label: str = Field(..., title="下一阶段名称")
    verb: str = Field(..., title="操作", description="页面按钮上的文字，如“开始公示”。")
    ready: bool = Field(..., title="可以进入", description="problems 为空时为 true。")
    problems: list[str] = Field(
        ..., title="尚待完成", description="进入下一阶段前须解决的问题，中文，按今天计算。"
    )


class CycleDetailOut(CycleOut):
    rule_set: RuleSetRef = Field(..., title="选拔条件")
    eligible: int | None = Field(
        None,
        title="符合条件人数",
        description="开始民主推荐时冻结的资格审查结果中符合条件的人数（含需关注的）；开始前为 null。",
    )
    settings: CycleSettingsOut = Field(..., title="设置")
    timeline: list[TimelineStageOut] = Field(
        ..., title="阶段进程", description="八个阶段按顺序，每个阶段取最近一次的记录。"
    )
    reopenings: list[ReopeningOut] = Field(..., title="重新开启记录")
    next: NextTransitionOut | None = Field(
        None, title="下一步", description="已完成的选拔周期为 null。"
    )


class StageOut(Schema):
    stage: Stage = Field(..., title="阶段", description=STAGE_CODES)
    label: str = Field(..., title="阶段名称")
    state: str = Field(..., title="状态", description=STATE_CODES)
    summary: str = Field(..., title="说明")
    due: list[str] = Field(..., title="工作事项")
    responsible_role: str = Field(..., title="负责部门", description="方案规定的负责部门或人员。")
    documents: list[str] = Field(..., title="形成的文书")
    records: list[StageRecordOut] = Field(
        ..., title="阶段记录", description="每次进行一条，按先后排列；最后一条是当前的。"
    )


class StagesOut(Schema):
    cycle: CycleRef = Field(..., title="选拔周期")
    stages: list[StageOut] = Field(..., title="阶段")
    reopenings: list[ReopeningOut] = Field(..., title="重新开启记录")


class AdvanceIn(Schema):
    to: Stage = Field(
        ...,
        title="进入阶段",
        description="要进入的阶段，须是当前阶段的下一个（防止重复提交使周期多走一步）："
        + STAGE_CODES,
    )
    start: dt.date | None = Field(
        None, title="公示开始日期", description="只在进入公示（notice）时填写，且必须填写。"
    )

    @field_validator("start", mode="before")
    @classmethod
    def _iso_date_only(cls, value: Any) -> Any:
        return iso_date(value)


class CandidateResultOut(Schema):
    person: StaffRef | None = Field(
        None, title="人员", description="候选人对应的教职工；手工添加的候选人为 null。"
    )
    name: str = Field(..., title="姓名")
    votes: int = Field(..., title="得票")
    share: str = Field(..., title="占有效票", description="保留一位小数，如“71.4%”。")
    rank: int = Field(..., title="名次")
    sentence: str = Field(
        ...,
        title="推荐情况",
        description="规范表述：共有X人参加推荐，发出推荐票X张，收回X张，其中有效票X张；"
        "推荐其为X级后备干部X票，占有效票X%，居第X位。",
    )


class RoundListOut(Schema):
    cycle_list_id: int | None = Field(None, title="名单编号")
    level: str = Field(..., title="级别", description="如“区级”。")
    name: str = Field(..., title="名单名称")
    quota: int = Field(..., title="名额", description="每张推荐票本名单最多可推荐的人数。")
    valid: int = Field(..., title="有效票")
    void: int = Field(..., title="无效票", description="超过名额等无效的票。")
    blank: int = Field(..., title="空白票")
    candidates: list[CandidateResultOut] = Field(..., title="得票情况", description="按名次。")


class RoundOut(Schema):
    number: int = Field(..., title="轮次")
    outcome: RoundOutcome = Field(..., title="结果", description=codes(RoundOutcome))
    election_status: ElectionStatus = Field(
        ..., title="投票状态", description=codes(ElectionStatus)
    )
    participants: int | None = Field(None, title="参加人数", description="计票后填写。")
    electorate: int | None = Field(None, title="应参加人数")
    quorum: str = Field(..., title="参与率要求", description="如“2/3”。")
    scattered: bool = Field(..., title="票数分散", description="可进行再次推荐。")
    top_shares: dict[str, str] = Field(..., title="各名单最高得票率")
    concluded_at: dt.datetime | None = Field(None, title="计票时间")
    results_shown: bool = Field(
        ...,
        title="显示得票",
        description="投票结果公布后显示各名单得票；已计票未公布时只有人事室可见。",
    )
    summary: str | None = Field(
        None, title="总体情况", description="共有X人参加推荐，发出推荐票X张，收回X张。"
    )
    lists: list[RoundListOut] = Field(..., title="各名单得票", description="不显示得票时为空。")


class TalkCountOut(Schema):
    person: StaffRef = Field(..., title="被推荐人")
    count: int = Field(..., title="推荐人次")


class TalkListOut(Schema):
    cycle_list_id: int = Field(..., title="名单编号")
    level: Level = Field(..., title="级别", description=codes(Level))
    name: str = Field(..., title="名单名称")
    counts: list[TalkCountOut] = Field(..., title="推荐情况", description="按推荐人次由多到少。")


class TalkRecommendationsOut(Schema):
    interviewees: int = Field(..., title="谈话人数", description="谈话调研推荐谈话的人数。")
    lists: list[TalkListOut] = Field(..., title="各名单")


class TargetOut(Schema):
    id: int = Field(..., title="编号")
    cycle_list_id: int = Field(..., title="名单编号")
    level: Level = Field(..., title="级别", description=codes(Level))
    person: StaffRef = Field(..., title="考察对象")
    votes_note: str = Field(
        ..., title="推荐情况", description="确定考察对象时名字旁注明的民主推荐和谈话调研推荐情况。"
    )
    notice_published_on: dt.date | None = Field(None, title="考察预告发布日期")
    readiness: Readiness = Field(..., title="成熟程度", description=codes(Readiness))
    talks: int | None = Field(
        None,
        title="个别谈话次数",
        description="只给次数；谈话对象和谈话要点保密，不通过接口提供。" + SCHOOL_ONLY,
    )
    appraisal: RatingStatus | None = Field(
        None, title="民主测评状态", description=codes(RatingStatus) + "；尚未组织时为 null。"
    )
    report_signed: bool = Field(..., title="考察材料已签发", description="最新版本已签发。")


class DecisionOut(Schema):
    target_id: int = Field(..., title="考察对象编号")
    person: StaffRef = Field(..., title="考察对象")
    level: Level = Field(..., title="级别", description=codes(Level))
    outcome: DecisionOutcome = Field(..., title="结果", description=codes(DecisionOutcome))
    agree: int = Field(..., title="同意")
    disagree: int = Field(..., title="不同意")
    defer: int = Field(..., title="缓议")


class MeetingOut(Schema):
    id: int = Field(..., title="编号")
    held_on: dt.date = Field(..., title="会议日期")
    expected: int = Field(..., title="应到会成员")
    present: int = Field(..., title="实到会成员")
    decisions: list[DecisionOut] = Field(
        ..., title="决定", description="只有票数；各成员如何表态不通过接口提供。"
    )


class ObjectionCountsOut(Schema):
    total: int = Field(..., title="异议件数")
    open: int = Field(..., title="尚未处理完毕")
    signed: int = Field(..., title="署名反映")
    anonymous: int = Field(..., title="匿名反映")
    outcomes: dict[str, int] = Field(
        ..., title="处理结果", description="已处理的按结果计数：" + codes(ObjectionOutcome)
    )
    postponed_unresolved: int = Field(..., title="暂缓尚未了结")


class NoticeOut(Schema):
    id: int = Field(..., title="编号")
    current: bool = Field(..., title="当前公示", description="选拔周期最近一次的公示。")
    start: dt.date = Field(..., title="公示开始")
    end: dt.date = Field(..., title="公示结束", description="按工作日历计算的最后一天。")
    working_days: int = Field(..., title="公示期（工作日）")
    warnings: list[str] = Field(..., title="提示", description="如某年节假日尚未录入。")
    published_at: dt.datetime = Field(..., title="发布时间")
    closed_at: dt.datetime | None = Field(None, title="结束公示时间")
    objections: ObjectionCountsOut | None = Field(
        None,
        title="异议",
        description="只有件数；反映人、反映内容和调查情况不通过接口提供。" + SCHOOL_ONLY,
    )


class ResultsOut(Schema):
    cycle: CycleRef = Field(..., title="选拔周期")
    rounds: list[RoundOut] = Field(..., title="民主推荐", description="按轮次。")
    talks: TalkRecommendationsOut | None = Field(
        None, title="谈话调研推荐", description=SCHOOL_ONLY.removeprefix("本项")
    )
    targets: list[TargetOut] = Field(..., title="考察对象", description="按名单；已撤销的不列出。")
    meetings: list[MeetingOut] = Field(..., title="讨论决定", description="按会议日期。")
    notices: list[NoticeOut] = Field(..., title="公示", description="按发布先后。")


class PoolPersonOut(Schema):
    id: int = Field(..., title="编号")
    staff_number: str = Field(..., title="工号")
    name: str = Field(..., title="姓名")
    gender: Gender = Field(..., title="性别", description=codes(Gender))
    born: str | None = Field(None, title="出生年月", description="YYYY-MM；未登记时为 null。")
    political_status: PoliticalStatus = Field(
        ..., title="政治面貌", description=codes(PoliticalStatus)
    )

    @staticmethod
    def resolve_born(obj: Any) -> str | None:
        return obj.birth_date.strftime("%Y-%m") if obj.birth_date else None


class PoolEntryOut(Schema):
    id: int = Field(..., title="编号")
    school: SchoolRef = Field(..., title="学校")
    cycle: CycleRef = Field(..., title="选拔周期")
    person: PoolPersonOut = Field(..., title="后备干部")
    level: Level = Field(..., title="级别", description=codes(Level))
    readiness: Readiness = Field(..., title="成熟程度", description=codes(Readiness))
    decided_on: dt.date = Field(..., title="决定日期")
    valid_until: dt.date = Field(..., title="有效期至")


class PoolPage(Schema):
    count: int = Field(..., title="总数")
    limit: int = Field(..., title="每页条数")
    offset: int = Field(..., title="起始位置")
    items: list[PoolEntryOut] = Field(..., title="本页条目")


class SelectionSchool(Schema):
    school: int | None = Field(
        None,
        title="学校编号",
        description="本校用户只能查看本校，可省略；区教育局用户可指定所辖学校，不传时为全部所辖学校。",
    )
    year: int | None = Field(None, title="年度", ge=2000, le=2100, description="选拔周期的年度。")
    limit: int = Field(50, title="每页条数", ge=1, le=MAX_LIMIT)
    offset: int = Field(0, title="起始位置", ge=0)


class CycleQuery(SelectionSchool):
    stage: Stage | None = Field(None, title="当前阶段", description=STAGE_CODES)


class PoolQuery(SelectionSchool):
    level: Level | None = Field(None, title="级别", description=codes(Level))
    readiness: Readiness | None = Field(None, title="成熟程度", description=codes(Readiness))
    valid_on: dt.date | None = Field(
        None,
        title="有效日期",
        ge=EARLIEST_AS_OF,
        le=LATEST_AS_OF,
        description="只看这一天在有效期内的条目（决定日期至有效期至），格式 YYYY-MM-DD。",
    )

    @field_validator("valid_on", mode="before")
    @classmethod
    def _iso_date_only(cls, value: Any) -> Any:
        return iso_date(value)


# Request schemas defined beside their router (``api/rotations.py``) add themselves here.
LABELLED: list[type[Schema]] = []


def field_labels() -> dict[str, str]:
    """Field name → Chinese title, over every schema here; used to name fields in errors."""
    labels: dict[str, str] = {}
    schemas = (PersonCreateIn, PersonPatchIn, PersonDetailOut, PostOut, SchoolOut)
    queries = (PeopleQuery, PostFilters, BoardQuery, RuleSetFilters, CycleQuery, PoolQuery)
    everything: list[type[Schema]] = [*schemas, *queries, AdvanceIn, *LABELLED]
    for schema in everything:
        for name, info in schema.model_fields.items():
            if info.title:
                labels.setdefault(name, info.title)
    return labels
