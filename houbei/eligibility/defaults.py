"""The plan's selection conditions (三、选拔条件) and scope (附1 推荐范围) as a rule set a school
starts from. Every number here is a parameter the school can change on the rules page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .rules import Strength

# (key, type, strength, label, params). Labels quote the plan.
PLAN_RULES: list[tuple[str, str, str, object, dict[str, object]]] = [
    ("in-establishment", "scope_establishment", Strength.SCOPE, _("在编"), {"values": ["in"]}),
    ("on-duty", "scope_post_status", Strength.SCOPE, _("在岗"), {"values": ["on"]}),
    ("thinking", "manual", Strength.MANUAL, _("思想端正，热爱教育事业，有事业心、责任感和奉献精神"), {}),
    ("school-years", "years_at_school", Strength.HARD, _("在本校五年以上的工作经历"), {"min_years": "5"}),
    ("head-years", "years_in_posts", Strength.HARD, _("三年以上班主任或科室组长工作经历"), {"min_years": "3", "posts": []}),
    ("level-below", "level_below", Strength.HARD, _("在下一级岗位工作一年以上（个别岗位酌情处理）"), {"min_years": "1", "target_level": 2}),
    ("age-band", "age_band", Strength.SOFT, _("年龄以28至45岁为主体"), {"min_age": 28, "max_age": 45}),
    ("honours", "honours", Strength.PRIORITY, _("曾获校级或以上的优秀党员、“勤朴”教师、优秀班主任等称号优先"), {"titles": ["优秀党员", "“勤朴”教师", "优秀班主任"], "min_level": 1}),
    ("health", "attestation", Strength.HARD, _("身心健康"), {"valid_months": None}),
]  # fmt: skip
