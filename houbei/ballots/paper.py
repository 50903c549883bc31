"""Paper ballots: blind double entry, the third person's reading, reconciliation.

A slip is the paper ballot: its one-time code serves once, online or on paper. When the
box is opened, two clerks each enter every sheet, without seeing the other's entry. A
sheet counts only when two different clerks have entered the same code with the same
marks; it is then stored as a ballot exactly like an online cast (the credential
consumed by a conditional UPDATE, the ballot inserted, in one transaction). When they
disagree, both entries wait for a third person — neither clerk — who reads the sheet
and enters what it says. One entry alone never counts.

A sheet whose code is blank or unreadable, not one of this election's, or already used
(online, or by another sheet) is rejected: it was returned and is counted as such, but
casts nothing. It too needs two entries, so that the number of returned sheets is
double-checked like everything else.

What is stored while a sheet is undecided, and why it is safe, is described on
``PaperEntry``. Every service here locks the election row first, which serialises the
clerks of one election: two clerks entering the same sheet at the same moment cannot
both become its "first" entry, and the tally (which takes the same lock) cannot slip in
between an entry and its check.

Audit: each entry, resolution and withdrawal is recorded with its clerk and what came
of it ("pending", "committed", …); never the code, its digest or the marks."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houbei.audit.models import AuditEntry
from houbei.audit.services import record
from houbei.core.errors import DomainError, NotAllowed, ValidationFailed

from . import codes
from .models import (
    Ballot,
    BoxCount,
    Channel,
    Credential,
    Election,
    Mode,
    PaperEntry,
    Receipt,
    RejectedSheet,
    RejectReason,
    Status,
)
from .services import _checked_marks  # the same check of marks as a cast's
from .store import rewrite_in_key_order

ENTRY_STATUSES = (Status.OPEN, Status.CLOSED)


class Outcome(models.TextChoices):
    PENDING = "pending", gettext_lazy("已录入，等待另一人录入")
    COMMITTED = "committed", gettext_lazy("两次录入一致，已计入")
    DISPUTED = "disputed", gettext_lazy("与另一次录入不一致，已转第三人核对")
    REJECTED = "rejected", gettext_lazy("已登记为无效选票")


@dataclass(frozen=True)
class EntryResult:
    outcome: str  # an Outcome
    reason: str = ""  # a RejectReason when rejected

    def label(self) -> str:
        text = str(Outcome(self.outcome).label)
        if self.reason:
            text += _("（%(reason)s）") % {"reason": RejectReason(self.reason).label}
        return text


class NeedsConfirmation(DomainError):
    """The sheet would be rejected; asked only when the caller wants to confirm first
    (the entry form does, so a typing slip is caught before it is recorded)."""

    status_code = 409

    def __init__(self, reason: str, message: object) -> None:
        self.reason = reason
        super().__init__(message, field="code")


def entry_refusal(election: Election) -> str:
    """Why paper sheets cannot be entered for ``election`` now; "" when they can."""
    if election.mode != Mode.SLIPS:
        return _("名单登录投票没有纸质选票。")
    if election.status not in ENTRY_STATUSES:
        return _("只有投票中或已结束、尚未计票的投票可以录入纸质选票（当前状态：%(s)s）。") % {
            "s": election.get_status_display()
        }
    return ""


def _locked(election: Election) -> Election:
    election = Election.objects.select_for_update().get(pk=election.pk)
    refusal = entry_refusal(election)
    if refusal:
        raise ValidationFailed(message=refusal)
    return election


def _marks_digest(code: str, marks: Mapping[str, Sequence[int]]) -> str:
    # Keyed like the codes, and over the code too: without the key nothing can be
    # learnt from it, and equal marks on two sheets give unrelated digests.
    text = json.dumps(marks, sort_keys=True, separators=(",", ":"))
    return codes.digest(f"{code}:{text}", purpose="paper-marks")


def _code_state(election: Election, digest: str) -> str:
    """The RejectReason for a sheet with this code, or "" when it can be cast."""
    row = (
        Credential.objects.filter(election=election, code_digest=digest)
        .values_list("used", "channel")
        .first()
    )
    if row is None:
        return RejectReason.UNKNOWN
    used, channel = row
    if not used:
        return ""
    return RejectReason.USED_ONLINE if channel == Channel.ONLINE else RejectReason.USED_PAPER


def _forget(entries: Sequence[PaperEntry]) -> None:
    """Delete decided entries, leaving nothing of them in the database file."""
    if connection.vendor == "sqlite":
        # SQLite otherwise keeps deleted rows' bytes in free pages.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
    # PostgreSQL keeps the dead row versions until VACUUM; the tally rewrites the table.
    PaperEntry.objects.filter(pk__in=[e.pk for e in entries]).delete()


def _decide(
    election: Election, digest: str, cleaned: dict[str, list[int]], entries: Sequence[PaperEntry]
) -> EntryResult:
    """Store the sheet as a ballot, as ``cast_ballot`` does (a conditional UPDATE consumes
    the code; the ballot goes in the same transaction), or as rejected should the code
    have been used meanwhile; forget its entries."""
    consumed = Credential.objects.filter(election=election, code_digest=digest, used=False).update(
        used=True, channel=Channel.PAPER
    )
    if consumed == 1:
        Ballot.objects.create(election=election, marks=cleaned, channel=Channel.PAPER)
        result = EntryResult(Outcome.COMMITTED)
    else:  # cast online after the first reading
        result = _reject(election, _code_state(election, digest) or RejectReason.USED_ONLINE)
    _forget(entries)
    return result


def _reject(election: Election, reason: str) -> EntryResult:
    RejectedSheet.objects.create(election=election, reason=reason)
    return EntryResult(Outcome.REJECTED, reason)


def _rejection_message(reason: str, shown: str) -> str:
    messages = {
        RejectReason.UNREADABLE: _("投票码空白或格式不对（应为13位字母和数字）。"),
        RejectReason.UNKNOWN: _("投票码 %(code)s 不是本次投票发出的。"),
        RejectReason.USED_ONLINE: _("投票码 %(code)s 已在网上投过票，这张纸质选票无效。"),
        RejectReason.USED_PAPER: _("投票码 %(code)s 已由另一张纸质选票使用。"),
    }
    return messages[RejectReason(reason)] % {"code": shown} + _(
        "请核对选票；确实如此，请勾选“确认按无效选票登记”后再提交。"
    )


def enter_sheet(
    *,
    actor: Any,
    election: Election,
    code: str,
    marks: Mapping[str, Sequence[Any]],
    confirm_rejected: bool = True,
) -> EntryResult:
    """One clerk's entry of one paper sheet.

    The first entry of a code waits (PENDING). The entry of the same code by a second,
    different clerk decides the sheet: equal marks → the ballot is stored (COMMITTED);
    different marks → both wait for a third person (DISPUTED, see
    ``resolve_discrepancy``). A blank or unreadable code, an unknown one or one already
    used makes the sheet REJECTED once two clerks have entered it (unreadable sheets
    pair with another clerk's unreadable sheet, as they have no code); its marks are
    ignored. With ``confirm_rejected=False`` such a sheet is not recorded:
    NeedsConfirmation says why, so the clerk can check the sheet first.

    Raises ValidationFailed when entry is not open for the election, the clerk has
    entered this code already, the sheet already waits for a third person, or the marks
    name someone not on the lists (over-marked lists are kept; the tally voids them)."""
    canonical = codes.canonical(code or "")
    with transaction.atomic():
        election = _locked(election)
        if canonical is None:
            if not confirm_rejected:
                raise NeedsConfirmation(
                    RejectReason.UNREADABLE, _rejection_message(RejectReason.UNREADABLE, "")
                )
            result = _enter_unreadable(actor, election)
        else:
            result = _enter_coded(actor, election, canonical, marks, confirm_rejected)
        new = {"outcome": result.outcome}
        if result.reason:
            new["reason"] = result.reason
        record(actor=actor, action="ballots.paper.sheet_entered", target=election, new=new)
    return result


def _enter_unreadable(actor: Any, election: Election) -> EntryResult:
    partner = (
        PaperEntry.objects.filter(election=election, code_digest="").exclude(clerk=actor).first()
    )
    if partner is None:
        PaperEntry.objects.create(election=election, clerk=actor)
        return EntryResult(Outcome.PENDING)
    _forget([partner])
    return _reject(election, RejectReason.UNREADABLE)


def _enter_coded(
    actor: Any,
    election: Election,
    canonical: str,
    marks: Mapping[str, Sequence[Any]],
    confirm_rejected: bool,
) -> EntryResult:
    shown = codes.display(canonical)
    digest = codes.digest(canonical)
    entries = list(PaperEntry.objects.filter(election=election, code_digest=digest))
    if any(e.clerk_id == actor.pk for e in entries):
        raise ValidationFailed(
            {
                "code": [
                    _("您已录入过投票码为 %(code)s 的选票：同一张选票每人只录一次。")
                    % {"code": shown}
                ]
            }
        )
    if any(e.disputed for e in entries):
        raise ValidationFailed(
            {
                "code": [
                    _("投票码为 %(code)s 的选票两次录入不一致，正等待第三人核对。")
                    % {"code": shown}
                ]
            }
        )
    rejected = _code_state(election, digest)
    if rejected and not confirm_rejected:
        raise NeedsConfirmation(rejected, _rejection_message(rejected, shown))
    cleaned = {} if rejected else _checked_marks(election, marks, Channel.PAPER)
    fingerprint = "" if rejected else _marks_digest(canonical, cleaned)
    if not entries:
        PaperEntry.objects.create(
            election=election, clerk=actor, code_digest=digest, code_hint=canonical[:4],
            marks_digest=fingerprint,
        )  # fmt: skip
        return EntryResult(Outcome.PENDING)
    # Not disputed and not this clerk's: the one first entry of this sheet.
    (first,) = entries
    if rejected:
        _forget([first])
        return _reject(election, rejected)
    if first.marks_digest == fingerprint:
        return _decide(election, digest, cleaned, [first])
    first.disputed = True
    first.save(update_fields=["disputed"])
    PaperEntry.objects.create(
        election=election, clerk=actor, code_digest=digest, code_hint=canonical[:4],
        marks_digest=fingerprint, disputed=True,
    )  # fmt: skip
    return EntryResult(Outcome.DISPUTED)


def resolve_discrepancy(
    *, actor: Any, election: Election, code: str, marks: Mapping[str, Sequence[Any]]
) -> EntryResult:
    """A third person's reading of a sheet whose two entries disagree: what they enter
    is what counts (COMMITTED, or REJECTED should the code have been used online
    meanwhile). Raises NotAllowed for either of the two clerks, ValidationFailed for a
    code with no open discrepancy or marks naming someone not on the lists."""
    canonical = codes.canonical(code or "")
    if canonical is None:
        raise ValidationFailed({"code": [_("投票码格式不对：应为13位字母和数字。")]})
    with transaction.atomic():
        election = _locked(election)
        digest = codes.digest(canonical)
        entries = list(
            PaperEntry.objects.filter(election=election, code_digest=digest, disputed=True)
        )
        if not entries:
            raise ValidationFailed(
                {
                    "code": [
                        _("投票码为 %(code)s 的选票没有待核对的不一致。")
                        % {"code": codes.display(canonical)}
                    ]
                }
            )
        if any(e.clerk_id == actor.pk for e in entries):
            raise NotAllowed(_("您录入过这张选票，须由两位录入员以外的第三人核对。"))
        rejected = _code_state(election, digest)
        if rejected:
            _forget(entries)
            result = _reject(election, rejected)
        else:
            cleaned = _checked_marks(election, marks, Channel.PAPER)
            result = _decide(election, digest, cleaned, entries)
        new = {"outcome": result.outcome}
        if result.reason:
            new["reason"] = result.reason
        record(actor=actor, action="ballots.paper.discrepancy_resolved", target=election, new=new)
    return result


def withdraw_entry(
    *, actor: Any, election: Election, entry_id: uuid.UUID, reason: str = ""
) -> None:
    """Take back an entry that waits for its second reading: a clerk's own typing slip,
    or — by someone else, with a reason — an entry no sheet in the box matches (e.g. a
    mistyped code confirmed as unknown). Entries of a disputed sheet cannot be
    withdrawn: the third person decides them. Raises ValidationFailed."""
    reason = reason.strip()
    with transaction.atomic():
        election = _locked(election)
        entry = (
            PaperEntry.objects.select_related("clerk")
            .filter(election=election, pk=entry_id, disputed=False)
            .first()
        )
        if entry is None:
            raise ValidationFailed(message=_("这次录入已不在待录入之列（可能已计入或已转核对）。"))
        if entry.clerk_id != actor.pk and not reason:
            raise ValidationFailed({"reason": [_("撤回他人的录入须写明理由。")]})
        clerk = str(entry.clerk)
        _forget([entry])
        record(
            actor=actor, action="ballots.paper.entry_withdrawn", target=election,
            new={"clerk": clerk}, reason=reason,
        )  # fmt: skip


def record_box_count(*, actor: Any, election: Election, sheets: int) -> BoxCount:
    """The number of sheets the tellers counted when the box was opened (again: the new
    count replaces the old; both are in the audit trail)."""
    if sheets < 0:
        raise ValidationFailed({"sheets": [_("张数不能为负。")]})
    with transaction.atomic():
        election = _locked(election)
        box = BoxCount.objects.filter(election=election).first()
        old = {"sheets": box.sheets} if box else None
        box, _created = BoxCount.objects.update_or_create(
            election=election, defaults={"sheets": sheets}
        )
        record(
            actor=actor, action="ballots.paper.box_counted", target=election, old=old,
            new={"sheets": sheets},
        )  # fmt: skip
    return box


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reconciliation:
    """issued = online + paper + not returned; returned = paper + rejected."""

    issued: int  # slips (credentials) made
    online: int  # codes used online
    paper: int  # sheets counted with a valid code
    rejected: dict[str, int]  # RejectReason → sheets
    pending: int  # sheets entered once only
    discrepancies: int  # sheets whose two entries disagree
    not_returned: int  # issued − online − paper
    box_count: int | None  # sheets counted when the box was opened, if recorded
    problems: tuple[str, ...] = field(default=())

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    @property
    def returned(self) -> int:
        return self.paper + self.rejected_total

    @property
    def balances(self) -> bool:
        return not self.problems

    def rejected_rows(self) -> list[tuple[str, int]]:
        return [(str(r.label), self.rejected.get(r.value, 0)) for r in RejectReason]


def reconciliation(election: Election) -> Reconciliation:
    """The figures of the slips and sheets of ``election``, and every reason they do not
    balance: sheets entered once only or disputed, a box count the sheets do not reach,
    and stored ballots, receipts and used codes that do not match one another."""
    credentials = {
        (used, channel): n
        for used, channel, n in Credential.objects.filter(election=election)
        .values_list("used", "channel")
        .annotate(n=Count("id"))
        .order_by()
    }
    issued = sum(credentials.values())
    online = credentials.get((True, Channel.ONLINE), 0)
    paper = credentials.get((True, Channel.PAPER), 0)
    unused = credentials.get((False, ""), 0)
    ballots = dict(
        Ballot.objects.filter(election=election)
        .values_list("channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    receipts = Receipt.objects.filter(election=election).count()
    rejected = dict(
        RejectedSheet.objects.filter(election=election)
        .values_list("reason")
        .annotate(n=Count("id"))
        .order_by()
    )
    entries = PaperEntry.objects.filter(election=election)
    pending = entries.filter(disputed=False).count()
    discrepancies = entries.filter(disputed=True).values("code_digest").distinct().count()
    box = BoxCount.objects.filter(election=election).values_list("sheets", flat=True).first()
    not_returned = issued - online - paper
    returned = paper + sum(rejected.values())

    problems: list[str] = []
    if pending:
        problems.append(_("%(n)d张选票只录入了一次，等待另一人录入。") % {"n": pending})
    if discrepancies:
        problems.append(_("%(n)d张选票两次录入不一致，等待第三人核对。") % {"n": discrepancies})
    entered = returned + pending + discrepancies  # sheets, decided or not
    if box is not None and box != entered:
        problems.append(
            _("开箱清点%(box)d张，录入%(entered)d张，相差%(d)d张。")
            % {"box": box, "entered": entered, "d": abs(box - entered)}
        )
    if unused != not_returned:
        problems.append(
            _("投票码数目不符：未使用%(u)d个，应为%(n)d个。") % {"u": unused, "n": not_returned}
        )
    if ballots.get(Channel.ONLINE, 0) != online or receipts != online:
        problems.append(
            _("网上选票%(b)d张、回执%(r)d个，与网上用过的投票码%(c)d个不符。")
            % {"b": ballots.get(Channel.ONLINE, 0), "r": receipts, "c": online}
        )
    if ballots.get(Channel.PAPER, 0) != paper:
        problems.append(
            _("纸质选票%(b)d张，与纸质用过的投票码%(c)d个不符。")
            % {"b": ballots.get(Channel.PAPER, 0), "c": paper}
        )
    return Reconciliation(
        issued=issued, online=online, paper=paper, rejected=rejected, pending=pending,
        discrepancies=discrepancies, not_returned=not_returned, box_count=box,
        problems=tuple(problems),
    )  # fmt: skip


def tally_refusal(election: Election) -> str:
    """Why ``election`` cannot be tallied for its paper ballots; "" when it can. Called
    by ``services.tally_election`` under the election's row lock."""
    entries = PaperEntry.objects.filter(election=election)
    pending = entries.filter(disputed=False).count()
    disputed = entries.filter(disputed=True).values("code_digest").distinct().count()
    if pending or disputed:
        return _(
            "纸质选票尚未录完：%(p)d张只录入了一次，%(d)d张两次录入不一致。请录完并核对后再计票。"
        ) % {"p": pending, "d": disputed}
    box = BoxCount.objects.filter(election=election).values_list("sheets", flat=True).first()
    if box is not None:
        returned = (
            Credential.objects.filter(election=election, used=True, channel=Channel.PAPER).count()
            + RejectedSheet.objects.filter(election=election).count()
        )
        if box != returned:
            return _(
                "开箱清点%(box)d张，录入并确定的只有%(n)d张。请查找缺少的选票，"
                "或更正清点张数后再计票。"
            ) % {"box": box, "n": returned}
    return ""


def forget_entry_residue() -> None:
    """Rewrite the entry table so no old version of a deleted entry is left in it
    (PostgreSQL keeps them until VACUUM; SQLite deletes securely, see ``_forget``).
    Runs at tally, inside its transaction."""
    if connection.vendor != "postgresql":
        return
    rewrite_in_key_order([PaperEntry])


@dataclass(frozen=True)
class Progress:
    entered: int  # sheets this clerk has entered
    mine_pending: int  # of theirs, waiting for the other reading
    pending: int  # all sheets entered once only
    discrepancies: int


def progress(election: Election, clerk: Any) -> Progress:
    """What the entry form shows a clerk. Their count comes from the audit trail, the
    one place that keeps "X entered a sheet" once the entries are gone."""
    entered = AuditEntry.objects.filter(
        action="ballots.paper.sheet_entered",
        actor=clerk,
        target_type=Election._meta.label_lower,
        target_id=str(election.pk),
    ).count()
    entries = PaperEntry.objects.filter(election=election)
    return Progress(
        entered=entered,
        mine_pending=entries.filter(clerk=clerk, disputed=False).count(),
        pending=entries.filter(disputed=False).count(),
        discrepancies=entries.filter(disputed=True).values("code_digest").distinct().count(),
    )


@dataclass(frozen=True)
class Waiting:
    """A sheet that waits: by the first group of its code (the rest is never stored)."""

    hint: str
    clerks: tuple[str, ...]
    entry_id: uuid.UUID | None  # the single entry, when it waits for its second reading
    clerk_id: int | None


def disputed_sheets(election: Election) -> list[Waiting]:
    by_sheet: dict[str, list[PaperEntry]] = {}
    for entry in PaperEntry.objects.filter(election=election, disputed=True).select_related(
        "clerk"
    ):
        by_sheet.setdefault(entry.code_digest, []).append(entry)
    rows = [
        Waiting(
            hint=_hint(pair[0]),
            clerks=tuple(sorted(str(e.clerk) for e in pair)),
            entry_id=None,
            clerk_id=None,
        )
        for pair in by_sheet.values()
    ]
    return sorted(rows, key=lambda w: (w.hint, w.clerks))


def single_entries(election: Election) -> list[Waiting]:
    rows = [
        Waiting(hint=_hint(e), clerks=(str(e.clerk),), entry_id=e.pk, clerk_id=e.clerk_id)
        for e in PaperEntry.objects.filter(election=election, disputed=False).select_related(
            "clerk"
        )
    ]
    return sorted(rows, key=lambda w: (w.hint, w.clerks, str(w.entry_id)))


def _hint(entry: PaperEntry) -> str:
    if not entry.code_digest:
        return ""
    return f"{entry.code_hint}-····-·····"


__all__ = [
    "EntryResult", "NeedsConfirmation", "Outcome", "Progress", "Reconciliation", "Waiting",
    "disputed_sheets", "enter_sheet", "entry_refusal", "forget_entry_residue", "progress",
    "reconciliation", "record_box_count", "resolve_discrepancy", "single_entries",
    "tally_refusal", "withdraw_entry",
]  # fmt: skip
