"""Access rules for the eligibility pages (see ``tests/core/test_routes.py`` for the format).

The board, the explanations and the rules are for the personnel office and the decision
body; changing anything (rules, exemptions, rulings, snapshots) is for the personnel office.
Another school's rule set, and everything under it, is refused to everyone."""

import datetime as dt

from houbei.accounts.models import Role
from houbei.eligibility import services
from houbei.eligibility.models import RuleSet
from houbei.organisation.models import Post

READERS = frozenset({Role.PERSONNEL, Role.DECISION})
WRITERS = frozenset({Role.PERSONNEL})


def rule_set_of(school):
    existing = RuleSet.objects.filter(school=school).first()
    if existing:
        return existing
    return services.create_rule_set(
        actor=None, school=school, name="测试条件", reference_date=dt.date(2021, 2, 26)
    )


def _set(ctx):
    return {"pk": rule_set_of(ctx.school).pk}


def _foreign_set(ctx):
    return {"pk": rule_set_of(ctx.other_school).pk}


def _rule(ctx):
    rs = rule_set_of(ctx.school)
    return {"pk": rs.pk, "sub": rs.rules.get(key="level-below").pk}


def _foreign_rule(ctx):
    rs = rule_set_of(ctx.other_school)
    return {"pk": rs.pk, "sub": rs.rules.get(key="level-below").pk}


def _person(ctx):
    return {"pk": rule_set_of(ctx.school).pk, "sub": ctx.person.pk}


def _foreign_person(ctx):
    return {"pk": rule_set_of(ctx.other_school).pk, "sub": ctx.foreign_person.pk}


def _exemption(school):
    rs = rule_set_of(school)
    rule = rs.rules.get(key="level-below")
    existing = rule.exemptions.filter(revoked_at__isnull=True).first()
    if existing:
        return rs, existing
    post = Post.objects.get(school=school, code="trade-union")
    return rs, services.grant_exemption(actor=None, rule=rule, post=post, reason="测试免除")


def _exemption_kwargs(ctx):
    rs, exemption = _exemption(ctx.school)
    return {"pk": rs.pk, "sub": exemption.pk}


def _foreign_exemption(ctx):
    rs, exemption = _exemption(ctx.other_school)
    return {"pk": rs.pk, "sub": exemption.pk}


def _ruling(school, person):
    rs = rule_set_of(school)
    rule = rs.rules.get(key="thinking")
    existing = rule.rulings.filter(person=person, revoked_at__isnull=True).first()
    if existing:
        return rs, existing
    return rs, services.record_ruling(
        actor=None, rule=rule, person=person, outcome="pass", reason="考察结论：思想端正"
    )


def _ruling_kwargs(ctx):
    rs, ruling = _ruling(ctx.school, ctx.person)
    return {"pk": rs.pk, "sub": ruling.pk}


def _foreign_ruling(ctx):
    rs, ruling = _ruling(ctx.other_school, ctx.foreign_person)
    return {"pk": rs.pk, "sub": ruling.pk}


def _snapshot(school):
    rs = rule_set_of(school)
    snap = rs.snapshots.first() or services.take_snapshot(actor=None, rule_set=rs, purpose="测试")
    return {"pk": rs.pk, "sub": snap.pk}


def _post(kwargs, foreign):
    return {"allowed": WRITERS, "method": "POST", "kwargs": kwargs, "foreign_kwargs": foreign}


RULES = {
    "eligibility:list": {"allowed": READERS},
    "eligibility:create": {"allowed": WRITERS},
    "eligibility:board": {"allowed": READERS, "kwargs": _set, "foreign_kwargs": _foreign_set},
    "eligibility:print": {"allowed": READERS, "kwargs": _set, "foreign_kwargs": _foreign_set},
    "eligibility:export": {"allowed": READERS, "kwargs": _set, "foreign_kwargs": _foreign_set},
    "eligibility:rules": {"allowed": READERS, "kwargs": _set, "foreign_kwargs": _foreign_set},
    "eligibility:person": {
        "allowed": READERS,
        "kwargs": _person,
        "foreign_kwargs": _foreign_person,
    },
    "eligibility:snapshot": {
        "allowed": READERS,
        "kwargs": lambda ctx: _snapshot(ctx.school),
        "foreign_kwargs": lambda ctx: _snapshot(ctx.other_school),
    },
    # Empty POSTs: the allowed role is sent back with a message (302) or gets the form (200).
    "eligibility:edit": _post(_set, _foreign_set),
    "eligibility:rules_save": _post(_set, _foreign_set),
    "eligibility:rule_toggle": _post(_rule, _foreign_rule),
    "eligibility:exemption_grant": _post(_rule, _foreign_rule),
    "eligibility:exemption_revoke": _post(_exemption_kwargs, _foreign_exemption),
    "eligibility:ruling_record": _post(_person, _foreign_person),
    "eligibility:ruling_revoke": _post(_ruling_kwargs, _foreign_ruling),
    "eligibility:snapshot_take": _post(_set, _foreign_set),
}
