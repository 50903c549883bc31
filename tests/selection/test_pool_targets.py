"""The school's own targets for the structure of its reserve pool: the reference numbers
until it sets them, the personnel office's service with its checks and audit entry, the
pool's structure judged against them, and the page that sets them (read-only for the
decision body and the district)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.core.errors import NotAllowed, ValidationFailed
from houbei.people.models import Gender
from houbei.selection import pages, pool_targets
from houbei.selection.models import PoolTargets
from houbei.selection.pool_targets import REFERENCE, set_targets, targets_of

from ..conftest import make_user
from .conftest import TODAY
from .views_support import as_user, page, post

pytestmark = pytest.mark.django_db

OWN = {"ratio_low": "1.5", "ratio_high": "3", "women_percent": 30, "non_party_percent": 15,
       "age_low": 30, "age_high": 50}  # fmt: skip


def _set(school, actor, **changes):
    return set_targets(actor=actor, school=school, **(OWN | {"reason": "经校务会研究"} | changes))


def _errors(call) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        call()
    return {k: [str(m) for m in v] for k, v in caught.value.errors.items()}


def test_a_school_without_targets_is_watched_against_the_reference(school):
    targets = targets_of(school)
    assert not targets.own and targets.values() == REFERENCE
    assert "女性不低于25%" in targets.source
    # The model's defaults are the reference numbers.
    defaults = {n: PoolTargets._meta.get_field(n).get_default() for n in pool_targets.FIELDS}
    assert {n: Decimal(str(v)) for n, v in defaults.items()} == {
        n: Decimal(str(v)) for n, v in REFERENCE.items()
    }


def test_the_office_sets_the_targets_with_a_reason(school, users):
    office = users[Role.PERSONNEL]
    row = _set(school, office)
    targets = targets_of(school)
    assert targets.own and targets.ratio_low == Decimal("1.5") and targets.ratio_high == 3
    assert targets.reason == "经校务会研究" and targets.source == "本校设置的目标"
    (entry,) = AuditEntry.objects.filter(action="selection.pool_targets.set")
    assert entry.school_id == school.pk and entry.reason == "经校务会研究"
    assert entry.old == {"ratio_low": "1.0", "ratio_high": "2.0", "women_percent": "25",
                         "non_party_percent": "10", "age_low": "28", "age_high": "45",
                         "own": False}  # fmt: skip
    assert entry.new["ratio_low"] == "1.5" and entry.new["own"] is True
    # Changed again: the same row, the earlier numbers in the audit entry.
    again = _set(school, office, women_percent=35, reason="按区教育局要求")
    assert again.pk == row.pk and PoolTargets.objects.count() == 1
    latest = AuditEntry.objects.filter(action="selection.pool_targets.set").order_by("-seq")[0]
    assert latest.old["women_percent"] == "30" and latest.new["women_percent"] == "35"
    assert latest.old["own"] is True


def test_the_checks_of_the_targets(school, other_school, users):
    office = users[Role.PERSONNEL]
    assert _errors(lambda: _set(school, office, ratio_low="2.5", ratio_high="2")) == {
        "ratio_high": ["每个岗位后备干部数的上限不能小于下限。"]
    }
    assert _errors(lambda: _set(school, office, ratio_low="0")) == {
        "ratio_low": ["每个岗位后备干部数（下限）须在0.1至9.9之间。"]
    }
    assert _errors(lambda: _set(school, office, women_percent=101)) == {
        "women_percent": ["女性比例不低于（%）须在0至100之间。"]
    }
    assert "non_party_percent" in _errors(lambda: _set(school, office, non_party_percent=-1))
    assert _errors(lambda: _set(school, office, age_low=45, age_high=45)) == {
        "age_high": ["年龄段的止岁须大于起岁。"]
    }
    assert _errors(lambda: _set(school, office, age_low=16)) == {
        "age_low": ["年龄段（起，周岁）须在18至65之间。"]
    }
    assert _errors(lambda: _set(school, office, reason=" ")) == {"reason": ["请填写设置理由。"]}
    assert _errors(lambda: _set(school, office, ratio_low="abc")) == {
        "ratio_low": ["每个岗位后备干部数（下限）须为数字。"]
    }
    for actor in (users[Role.DECISION], users[Role.DISTRICT],
                  make_user(Role.PERSONNEL, school=other_school)):  # fmt: skip
        with pytest.raises(NotAllowed):
            _set(school, actor)
    assert not PoolTargets.objects.exists()
    _set(school, office)
    assert _errors(lambda: _set(school, office)) == {"reason": ["目标与现行设置相同，无需修改。"]}


def test_the_database_refuses_targets_out_of_their_bands(school):
    for wrong in ({"ratio_low": 3, "ratio_high": 2}, {"women_percent": 101},
                  {"age_low": 50, "age_high": 40}):  # fmt: skip
        with pytest.raises(IntegrityError), transaction.atomic():
            PoolTargets.objects.create(school=school, reason="测试", **wrong)


def test_the_pool_is_judged_against_the_schools_targets(walk, users):
    walk.to_done()
    school = walk.cycle.school
    before = pages.pool_structure(school, TODAY())
    assert before.people > 0 and not before.targets.own
    measures = {m.label: m for m in before.measures}
    assert measures["女性比例"].target == "不低于25%"
    assert "28至45岁比例" in measures
    assert measures["中层及以上岗位与后备干部之比"].target == "1:1至1:2"
    _set(school, users[Role.PERSONNEL], women_percent=100, age_low=18, age_high=20,
         ratio_low="0.1", ratio_high="9.9")  # fmt: skip
    after = pages.pool_structure(school, TODAY())
    assert after.targets.own
    measures = {m.label: m for m in after.measures}
    people = {e.person_id: e.person for e in walk.cycle.pool_entries.all()}
    women = sum(1 for p in people.values() if p.gender == Gender.FEMALE)
    assert 0 < women < len(people)  # so 100 % is not reached
    assert measures["女性比例"].target == "不低于100%" and measures["女性比例"].ok is False
    assert measures["18至20岁比例"].ok is False  # nobody in the pool is under 21
    assert measures["中层及以上岗位与后备干部之比"].target == "1:0.1至1:9.9"
    assert (
        measures["中层及以上岗位与后备干部之比"].ok
        and not measures["中层及以上岗位与后备干部之比"].over
    )
    # More reserves per post than the upper bound: 超出, not 未达到.
    _set(school, users[Role.PERSONNEL], ratio_low="0.1", ratio_high="0.2", reason="收紧")
    ratio = {m.label: m for m in pages.pool_structure(school, TODAY()).measures}[
        "中层及以上岗位与后备干部之比"
    ]
    assert ratio.ok is False and ratio.over is True


def test_the_page_of_the_targets(client, school, users, walk):
    url = reverse("selection:pool_targets", args=[school.pk])
    save = reverse("selection:pool_targets_save", args=[school.pk])
    office = as_user(client, users[Role.PERSONNEL])
    text = page(office, url)
    assert "本校尚未设置目标" in text and f'action="{save}"' in text
    text = post(office, save, OWN | {"ratio_high": "1", "reason": ""})
    assert "请填写设置理由。" in text and not PoolTargets.objects.exists()
    text = post(office, save, OWN | {"women_percent": "abc", "reason": "调整"})
    assert "女性比例不低于（%）须为数字。" in text
    text = post(office, save, OWN | {"ratio_high": "1", "reason": "调整"})
    assert 'id="id_ratio_high_error"' in text and "上限不能小于下限" in text
    assert "← 后备干部库" in page(office, url, cycle=str(walk.cycle.pk))
    response = office.post(save, OWN | {"reason": "经校务会研究", "cycle": str(walk.cycle.pk)})
    assert response["Location"] == f"{url}?cycle={walk.cycle.pk}"
    text = page(office, response["Location"])
    assert "← 后备干部库" in text
    assert "已保存本校后备干部队伍结构目标。" in text and "本校设置的目标" in text
    assert "女性比例不低于（%） 25 → 30" in text and "经校务会研究" in text
    # The pool page says whose targets they are.
    pool_url = reverse("selection:pool", args=[walk.cycle.pk])
    assert "本校目标" in page(office, pool_url) and "不低于30%" in page(office, pool_url)
    # Read-only for the decision body and the district.
    for role in (Role.DECISION, Role.DISTRICT):
        reader = as_user(client, users[role])
        text = page(reader, url)
        assert "本校设置的目标" in text and f'action="{save}"' not in text
        assert reader.post(save, OWN | {"reason": "x"}).status_code == 403
    assert PoolTargets.objects.get().women_percent == 30
