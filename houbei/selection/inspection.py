"""组织考察 of each target: individual talks (个别谈话), the 民主测评 (a rating round of
``houbei.ballots.ratings`` per target, one per person when someone is on both lists), the
checks of 凡提四必 (个人有关事项报告, 纪检监察部门意见, 信访举报; the 档案审核 is read
from the registry), and the written 考察材料 in versions, one of which is signed off.

Drafting the report's text from the data is not done here: a person writes it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from houbei.accounts.access import Cap, has_cap
from houbei.audit.services import record
from houbei.ballots.ratings import services as ratings
from houbei.ballots.ratings.models import RoundKind, RoundStatus
from houbei.core.errors import NotAllowed
from houbei.people.models import Person

from .common import (
    Refused,
    check_people,
    clean_text,
    day_of,
    lock_cycle,
    moment,
    require_stage,
    stamp,
    user_of,
)
from .models import (
    CHECKS_NOT_APPLICABLE,
    CheckKind,
    CheckResult,
    Cycle,
    InspectionCheck,
    InspectionReport,
    InspectionTalk,
    InspectionTarget,
    ReportVersion,
    Stage,
)

_DOING = _("进行组织考察")
REPORT_MAX = 50_000
# The marked gaps of a draft (``drafting.GAP``, 【待补充：…】) still to be filled in.
GAP_MARK = re.compile(r"【待补充[^】]*】")


def gaps_in(text: str) -> list[str]:
    """The marked gaps left in a 考察材料's text, in order."""
    return GAP_MARK.findall(text)


def _locked_target(target: InspectionTarget, doing: str) -> tuple[Cycle, InspectionTarget]:
    cycle = lock_cycle(target.cycle)
    require_stage(cycle, Stage.INSPECTION, doing=doing)
    found = (
        InspectionTarget.objects.active()
        .filter(pk=target.pk)
        .select_related("person", "cycle_list")
        .first()
    )
    if found is None:
        raise Refused({"target": [_("该考察对象已撤销。")]})
    return cycle, found


def record_talk(
    *,
    actor: Any,
    target: InspectionTarget,
    interviewee_name: str,
    held_on: dt.date,
    interviewer: str,
    summary: str,
    interviewee: Person | None = None,
    at: dt.datetime | None = None,
) -> InspectionTalk:
    """One individual talk about ``target``, recorded now or at ``at`` (held no later
    than that day). Confidential: the summary is shown to the inspection team and the
    decision body only, and the audit entry does not repeat it."""
    name = clean_text(
        interviewee.name if interviewee is not None and not interviewee_name else interviewee_name,
        field="interviewee_name", label=_("谈话对象"), limit=50,
    )  # fmt: skip
    interviewer = clean_text(interviewer, field="interviewer", label=_("谈话人"), limit=100)
    summary = clean_text(summary, field="summary", label=_("谈话要点"), limit=10_000)
    with transaction.atomic():
        cycle, target = _locked_target(target, _("记录个别谈话"))
        if interviewee is not None:
            check_people(cycle, [interviewee], field="interviewee")
        if held_on > day_of(at):
            raise Refused({"held_on": [_("谈话日期不能晚于今天。")]})
        talk = InspectionTalk.objects.create(
            target=target, interviewee=interviewee, interviewee_name=name, held_on=held_on,
            interviewer=interviewer, summary=summary, recorded_by=user_of(actor),
        )  # fmt: skip
        stamp(talk, "recorded_at", at)
        record(
            actor=actor, action="selection.talk.recorded", target=cycle,
            new={"target": str(target), "interviewee": name, "held_on": held_on}, at=at,
        )  # fmt: skip
    return talk


def start_appraisal(
    *, actor: Any, target: InspectionTarget, groups: Sequence[ratings.GroupDraft],
    at: dt.datetime | None = None,
) -> InspectionTarget:  # fmt: skip
    """The 民主测评 of ``target``: a draft rating round of the person on 德、能、勤、绩、廉
    (``ratings.create_round``) with the given rater groups, linked to the target — and to
    the person's other target of this cycle, if they are on both lists. ``at``: when, for
    the audit entry of the link."""
    with transaction.atomic():
        cycle, target = _locked_target(target, _("组织民主测评"))
        if target.rating_round_id is not None:
            raise Refused({"target": [_("%(t)s已有民主测评。") % {"t": target}]})
        siblings = InspectionTarget.objects.active().filter(cycle=cycle, person=target.person)
        shared = siblings.filter(rating_round__isnull=False).first()
        if shared is not None:
            rating_round = shared.rating_round
        else:
            rating_round = ratings.create_round(
                actor=actor,
                school=cycle.school,
                title=_("%(cycle)s %(name)s民主测评") % {"cycle": cycle.title,
                                                       "name": target.person.name},
                subjects=[target.person],
                groups=groups,
                kind=RoundKind.APPRAISAL,
            )  # fmt: skip
        linked = [str(t) for t in siblings.filter(rating_round__isnull=True)]
        siblings.filter(rating_round__isnull=True).update(rating_round=rating_round)
        record(
            actor=actor, action="selection.appraisal.linked", target=cycle,
            new={"targets": linked, "rating_round": getattr(rating_round, "pk", None)}, at=at,
        )  # fmt: skip
        target.refresh_from_db()
    return target


def checks_about(target: InspectionTarget) -> dict[str, InspectionCheck]:
    """Kind → the check that counts (the latest recorded) about the target's person in
    its cycle, whichever of their targets it was recorded on; a kind not yet checked is
    absent. One query."""
    latest: dict[str, InspectionCheck] = {}
    for check in (
        InspectionCheck.objects.filter(
            target__cycle_id=target.cycle_id, target__person_id=target.person_id
        )
        .select_related("recorded_by")
        .order_by("recorded_at", "pk")
    ):
        latest[check.kind] = check
    return latest


def check_history(target: InspectionTarget) -> list[InspectionCheck]:
    """Every check recorded about the target's person in its cycle, amendments included,
    newest first."""
    return list(
        InspectionCheck.objects.filter(
            target__cycle_id=target.cycle_id, target__person_id=target.person_id
        )
        .select_related("recorded_by", "target__cycle_list")
        .order_by("-recorded_at", "-pk")
    )


def _check_values(check: InspectionCheck) -> dict[str, Any]:
    # The audit entry names the result and its source; what a problem was stays on the
    # row (a 信访举报's content is read on the target's page by the school only).
    return {
        "kind": check.kind,
        "result": check.result,
        "checked_on": check.checked_on,
        "source": check.source,
        "explained": bool(check.explanation),
    }


def record_check(
    *,
    actor: Any,
    target: InspectionTarget,
    kind: str,
    result: str,
    checked_on: dt.date,
    source: str = "",
    explanation: str = "",
    note: str = "",
    reason: str = "",
    at: dt.datetime | None = None,
) -> InspectionCheck:
    """Record the result of one check (``CheckKind``) about ``target``'s person, now or
    at ``at`` (checked no later than that day), during 组织考察, by the personnel office
    or a member of the decision body of the cycle's school (``actor`` None: the system).

    ``result`` is 无问题, 有问题 (with ``explanation``, required) or 不适用 (only for the
    personal matters report, which not every target must file); ``source`` the document or
    body the result comes from (required unless 不适用). Recording a kind already
    recorded amends it: ``reason`` required, the earlier record kept. Audit:
    ``selection.check.recorded`` or ``selection.check.amended`` with before and after."""
    if kind not in CheckKind.values:
        raise Refused({"kind": [_("请选择核查事项。")]})
    if result not in CheckResult.values:
        raise Refused({"result": [_("请选择核查结果。")]})
    label = CheckKind(kind).label
    if result == CheckResult.NOT_APPLICABLE and kind not in CHECKS_NOT_APPLICABLE:
        raise Refused(
            {"result": [_("核查结果：%(kind)s不能选择“不适用”，须如实核查。") % {"kind": label}]}
        )
    explanation = clean_text(
        explanation, field="explanation", label=_("问题说明"), limit=5000, required=False
    )
    if result == CheckResult.PROBLEM and not explanation:
        raise Refused(
            {"explanation": [_("问题说明：核查结果为“有问题”时，请写明发现的问题及核实情况。")]}
        )
    source = clean_text(
        source, field="source", label=_("依据（文件或部门）"), limit=200,
        required=result != CheckResult.NOT_APPLICABLE,
    )  # fmt: skip
    note = clean_text(note, field="note", label=_("备注"), limit=2000, required=False)
    reason = clean_text(reason, field="reason", label=_("修改理由"), required=False)
    if actor is not None and not (
        getattr(actor, "school_id", None) == target.cycle.school_id
        and (has_cap(actor, Cap.SELECTION_RUN) or has_cap(actor, Cap.SELECTION_DECIDE))
    ):
        raise NotAllowed(_("只有本校人事室和校务会、支委会成员可以记录考察核查结果。"))
    with transaction.atomic():
        cycle, target = _locked_target(target, _("记录考察核查结果"))
        if checked_on > day_of(at):
            raise Refused({"checked_on": [_("核查日期不能晚于今天。")]})
        previous = checks_about(target).get(kind)
        if previous is not None:
            same = (previous.result, previous.checked_on, previous.source,
                    previous.explanation, previous.note) == (
                        result, checked_on, source, explanation, note)  # fmt: skip
            if same:
                raise Refused(
                    {"kind": [_("%(kind)s的结果与已记录的相同，无需修改。") % {"kind": label}]}
                )
            if not reason:
                raise Refused(
                    {
                        "reason": [
                            _("修改理由：%(kind)s已有记录，修改时请写明理由。") % {"kind": label}
                        ]
                    }
                )
        elif reason:
            reason = ""  # nothing amended: a first record needs no reason
        check = InspectionCheck.objects.create(
            target=target, kind=kind, result=result, explanation=explanation,
            checked_on=checked_on, source=source, note=note, reason=reason,
            recorded_by=user_of(actor),
        )  # fmt: skip
        stamp(check, "recorded_at", at)
        record(
            actor=actor,
            action="selection.check.amended" if previous else "selection.check.recorded",
            target=cycle,
            old={"target": str(target), **_check_values(previous)} if previous else None,
            new={"target": str(target), **_check_values(check)},
            reason=reason,
            at=at,
        )
    return check


def latest_version(report: InspectionReport) -> ReportVersion | None:
    return report.versions.order_by("-number").first()


def save_report(
    *, actor: Any, target: InspectionTarget, text: str, at: dt.datetime | None = None
) -> ReportVersion:
    """A new version of the target's 考察材料, written now or at ``at`` (the earlier ones
    are kept). A new version after a sign-off needs a sign-off of its own."""
    text = clean_text(text, field="text", label=_("考察材料正文"), limit=REPORT_MAX)
    with transaction.atomic():
        cycle, target = _locked_target(target, _("撰写考察材料"))
        report, _created = InspectionReport.objects.get_or_create(target=target)
        previous = latest_version(report)
        version = ReportVersion.objects.create(
            report=report, number=(previous.number + 1) if previous else 1, text=text,
            written_by=user_of(actor),
        )  # fmt: skip
        stamp(version, "written_at", at)
        record(
            actor=actor, action="selection.report.version_saved", target=cycle,
            new={"target": str(target), "version": version.number, "characters": len(text)},
            at=at,
        )  # fmt: skip
    return version


def sign_off_report(
    *, actor: Any, target: InspectionTarget, at: dt.datetime | None = None
) -> InspectionReport:
    """Sign off the latest version of the target's 考察材料, now or at ``at`` (not before
    it was written). The person who wrote that version cannot sign it off (four eyes),
    and a version that still has a marked gap (【待补充：…】) cannot be signed off."""
    with transaction.atomic():
        cycle, target = _locked_target(target, _("签发考察材料"))
        report = InspectionReport.objects.filter(target=target).first()
        version = latest_version(report) if report is not None else None
        if report is None or version is None:
            raise Refused({"report": [_("%(t)s尚无考察材料。") % {"t": target}]})
        if report.signed_version_id == version.pk:
            raise Refused({"report": [_("该稿已签发。")]})
        gaps = gaps_in(version.text)
        if gaps:
            raise Refused(
                {
                    "report": [
                        _(
                            "考察材料第%(n)d稿还有%(count)d处待补充内容（第一处：%(first)s），"
                            "请补充后保存为新一稿再签发。"
                        )
                        % {"n": version.number, "count": len(gaps), "first": gaps[0]}
                    ]
                }
            )
        signer = user_of(actor)
        if signer is not None and version.written_by_id == signer.pk:
            raise Refused({"report": [_("撰写人不能签发自己撰写的考察材料。")]})
        signed_at = moment(at)
        if signed_at < version.written_at:
            raise Refused({"report": [_("签发时间不能早于该稿的撰写时间。")]})
        report.signed_version, report.signed_by, report.signed_at = version, signer, signed_at
        report.save(update_fields=["signed_version", "signed_by", "signed_at"])
        record(
            actor=actor, action="selection.report.signed_off", target=cycle,
            new={"target": str(target), "version": version.number}, at=at,
        )  # fmt: skip
    return report


def inspection_problems(cycle: Cycle) -> list[str]:
    """What keeps the decision from starting: per target, a 民主测评 not released, or a
    考察材料 whose latest version is not signed off; per person, no individual talk
    recorded (talks count across a person's two lists, as the checklist does)."""
    targets = list(
        InspectionTarget.objects.active()
        .filter(cycle=cycle)
        .select_related("person", "cycle_list", "rating_round", "report")
    )
    if not targets:
        return [_("没有考察对象。")]
    # The latest version of every report in one query, whatever the number of targets.
    reports = [r for t in targets if (r := getattr(t, "report", None)) is not None]
    latest: dict[int, int] = {}
    for report_id, pk in (
        ReportVersion.objects.filter(report__in=reports)
        .order_by("report_id", "number")
        .values_list("report_id", "pk")
    ):
        latest[report_id] = pk  # ordered by number: the last one seen is the latest
    talked = set(
        InspectionTalk.objects.filter(
            target__cycle=cycle, target__person_id__in=[t.person_id for t in targets]
        ).values_list("target__person_id", flat=True)
    )
    silent = list(dict.fromkeys(t.person.name for t in targets if t.person_id not in talked))
    problems = []
    if silent:
        problems.append(
            _("%(names)s：尚无个别谈话记录，请至少记录一次个别谈话。")
            % {"names": "、".join(silent)}
        )
    for target in targets:
        rating_round = target.rating_round
        if rating_round is None:
            problems.append(_("%(t)s：尚未组织民主测评。") % {"t": target})
        elif rating_round.status != RoundStatus.RELEASED:
            problems.append(_("%(t)s：民主测评结果尚未发布。") % {"t": target})
        report = getattr(target, "report", None)
        version = latest.get(report.pk) if report is not None else None
        if version is None:
            problems.append(_("%(t)s：尚无考察材料。") % {"t": target})
        elif report is not None and report.signed_version_id != version:
            problems.append(_("%(t)s：考察材料最新一稿尚未签发。") % {"t": target})
    return problems
