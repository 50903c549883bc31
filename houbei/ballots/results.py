"""What an election's pages and documents show: live turnout while open, and after the
tally the figures per list and candidate in the official sentence of SPEC module 4.

``figures`` is pure (plain numbers and a ``Tally`` in, a ``Results`` out); ``results_of``
and ``turnout_of`` are the database reads around it, one query per table, however many
ballots there are."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houbei.audit.models import AuditEntry
from houbei.core.errors import DomainError

from .models import (
    Ballot,
    Channel,
    Credential,
    Election,
    Mode,
    Receipt,
    RejectedSheet,
    RollEntry,
    Status,
)
from .services import specs_of
from .tally import CandidateResult, ListResult, Tally, count, digest


class NotCounted(DomainError):
    default_message = gettext_lazy("投票尚未计票，没有结果。")
    status_code = 409


@dataclass(frozen=True)
class Turnout:
    participants: int  # people who took part: codes used (slips) or roll entries marked
    electorate: int  # 应参加人数
    quorum: Fraction  # the share required, 2/3 by default

    @property
    def share(self) -> Fraction:
        return Fraction(self.participants, self.electorate) if self.electorate else Fraction(0)

    @property
    def quorum_reached(self) -> bool:
        return self.electorate > 0 and self.share >= self.quorum

    @property
    def percent(self) -> str:
        return percent(self.share) if self.electorate else "—"

    @property
    def quorum_label(self) -> str:
        return f"{self.quorum.numerator}/{self.quorum.denominator}"


@dataclass(frozen=True)
class CandidateLine:
    result: CandidateResult
    sentence: str  # the official wording

    @property
    def percent(self) -> str:
        return percent(self.result.share)


@dataclass(frozen=True)
class ListLines:
    result: ListResult
    level: str  # 区级, 校级 … taken from the list's name
    candidates: tuple[CandidateLine, ...]


@dataclass(frozen=True)
class Results:
    title: str
    school: str
    turnout: Turnout
    issued: int  # 发出推荐票
    returned: int  # 收回
    ballots: int  # stored ballots (returned minus sheets refused for their code)
    online: int
    paper: int
    receipts: int
    lists: tuple[ListLines, ...]
    digest: str  # stored on the election at the tally
    recomputed: str  # from the stored ballots and receipts now
    digest_at_tally: str  # what the audit trail recorded at the tally ("" if nothing)

    @property
    def digest_matches(self) -> bool:
        """The ballots and receipts are still those that were counted: the stored digest
        is recomputed from them, and agrees with the audit trail's."""
        return (
            bool(self.digest)
            and self.digest == self.recomputed
            and self.digest_at_tally in ("", self.digest)
        )

    @property
    def summary(self) -> str:
        return _("共有%(p)d人参加推荐，发出推荐票%(i)d张，收回%(r)d张。") % {
            "p": self.turnout.participants,
            "i": self.issued,
            "r": self.returned,
        }


def percent(share: Fraction) -> str:
    """A share to one decimal place, rounded half up: 1/3 → 33.3%."""
    tenths = (share * 1000 + Fraction(1, 2)).__floor__()
    return f"{tenths // 10}.{tenths % 10}%"


_LEVEL = re.compile(r"^(.*?级)")


def level_of(list_name: str) -> str:
    """The level word of a list: "区级后备干部" → "区级"; a name without one is kept whole."""
    match = _LEVEL.match(list_name.strip())
    return match.group(1) if match else list_name.removesuffix("后备干部")


def figures(
    *, title: str, school: str, turnout: Turnout, issued: int, returned: int, online: int,
    paper: int, receipts: int, tally: Tally, stored_digest: str, recomputed: str,
    digest_at_tally: str = "",
) -> Results:  # fmt: skip
    """The results of a counted election, sentences included: pure, over the figures
    ``results_of`` reads (``tally`` is ``tally.count`` over the stored ballots)."""
    lines = []
    for lr in tally.lists:
        level = level_of(lr.name)
        candidates = tuple(
            CandidateLine(
                c,
                _(
                    "共有%(p)d人参加推荐，发出推荐票%(i)d张，收回%(r)d张，其中有效票%(v)d张；"
                    "推荐其为%(level)s后备干部%(votes)d票，占有效票%(share)s，居第%(rank)d位"
                )
                % {
                    "p": turnout.participants,
                    "i": issued,
                    "r": returned,
                    "v": lr.valid,
                    "level": level,
                    "votes": c.votes,
                    "share": percent(c.share),
                    "rank": c.rank,
                },
            )
            for c in lr.candidates
        )
        lines.append(ListLines(lr, level, candidates))
    return Results(
        title=title, school=school, turnout=turnout, issued=issued, returned=returned,
        ballots=tally.ballots, online=online, paper=paper, receipts=receipts,
        lists=tuple(lines), digest=stored_digest, recomputed=recomputed,
        digest_at_tally=digest_at_tally,
    )  # fmt: skip


def _used(election: Election) -> dict[tuple[bool, str], int]:
    rows = (
        Credential.objects.filter(election=election)
        .values_list("used", "channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(used, channel): n for used, channel, n in rows}


def _turnout(election: Election, used: dict[tuple[bool, str], int]) -> Turnout:
    quorum = Fraction(election.quorum_numerator, election.quorum_denominator or 1)
    if election.mode == Mode.ROLL:
        # Taking part is receiving one's credential (``services.issue_credential``).
        taken = RollEntry.objects.filter(election=election, issued=True).count()
    else:
        taken = used.get((True, Channel.ONLINE), 0) + used.get((True, Channel.PAPER), 0)
    return Turnout(taken, election.electorate, quorum)


def turnout_of(election: Election) -> Turnout:
    """How many took part, of how many, and whether the quorum is reached — the one
    figure shown while voting is open (nothing per list or candidate). Any status."""
    return _turnout(election, _used(election))


def _rejected_sheets(election: Election) -> int:
    return RejectedSheet.objects.filter(election=election).count()


def tally_record(election: Election) -> dict[str, Any]:
    """What the audit trail recorded when ``election`` was tallied (``ballots``,
    ``digest``), {} if nothing: a second, hash-chained statement of the count, kept apart
    from the ballot store, so rewriting the store and the election's digest together is
    still caught."""
    new = (
        AuditEntry.objects.filter(
            action="ballots.election.tallied",
            target_type=Election._meta.label_lower,
            target_id=str(election.pk),
        )
        .order_by("-seq")
        .values_list("new", flat=True)
        .first()
    )
    return dict(new) if isinstance(new, dict) else {}


def results_of(election: Election) -> Results:
    """The results of a tallied or published election, read in a fixed number of
    queries (one per table, whatever the number of ballots): turnout and quorum, slips
    issued and returned, per list valid, void and blank with each candidate's votes,
    share, rank and official sentence, and the digest with its check. Raises NotCounted
    (a DomainError) before the tally."""
    if election.status not in (Status.TALLIED, Status.PUBLISHED):
        raise NotCounted(_("投票尚未计票，没有结果。"))
    used = _used(election)
    online = used.get((True, Channel.ONLINE), 0)
    paper = used.get((True, Channel.PAPER), 0)
    ballots: list[Any] = list(
        Ballot.objects.filter(election=election).values_list("marks", flat=True)
    )
    receipt_codes = list(Receipt.objects.filter(election=election).values_list("code", flat=True))
    return figures(
        title=election.title,
        school=election.school.name,
        turnout=_turnout(election, used),
        # Slips printed, or on a roll the credentials handed out (one per person who took
        # part): every credential is a ballot issued.
        issued=sum(used.values()),
        returned=len(ballots) + _rejected_sheets(election),
        online=online,
        paper=paper,
        receipts=len(receipt_codes),
        tally=count(specs_of(election), ballots),
        stored_digest=election.digest,
        recomputed=digest(ballots, receipt_codes),
        digest_at_tally=str(tally_record(election).get("digest") or ""),
    )
