"""Elections, their lists and candidates, credentials, and the anonymous ballot store.

What may know whom (``docs/ballots.md`` is the threat model):

* ``Election``, ``BallotList`` and ``Candidate`` are ordinary, audited records.
* ``Credential`` is a one-time right to cast: a keyed digest of a code (``codes``), with
  no link to anyone. Slips are handed out at random in the room, so the server never
  learns who holds which.
* ``Ballot`` and ``Receipt`` hold what was cast and the codes voters can check. They have
  no link to a person, a credential or each other, no time, random UUIDv4 keys and no
  default ordering; they are not in the admin and no audit entry names them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from houbei.organisation.models import School
from houbei.people.models import Person


class Mode(models.TextChoices):
    SLIPS = "slips", _("会场选票（一次性投票码）")
    ROLL = "roll", _("名单登录投票")


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("投票中")
    CLOSED = "closed", _("已结束")
    TALLIED = "tallied", _("已计票")
    PUBLISHED = "published", _("已公布")


# Which status may follow which.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.DRAFT: (Status.OPEN,),
    Status.OPEN: (Status.CLOSED,),
    Status.CLOSED: (Status.TALLIED,),
    Status.TALLIED: (Status.PUBLISHED,),
    Status.PUBLISHED: (),
}


class Election(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="elections", verbose_name=_("学校")
    )
    title = models.CharField(_("名称"), max_length=120)
    # The election's name in public links (casting, receipt check): not guessable, so a
    # slip's link says nothing of other elections.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mode = models.CharField(_("投票方式"), max_length=8, choices=Mode.choices, default=Mode.SLIPS)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    electorate = models.PositiveIntegerField(
        _("应参加人数"), default=0, help_text=_("计算参与率的分母：应到会或名单上的人数")
    )
    quorum_numerator = models.PositiveSmallIntegerField(_("参与率要求（分子）"), default=2)
    quorum_denominator = models.PositiveSmallIntegerField(_("参与率要求（分母）"), default=3)
    digest = models.CharField(_("选票摘要（SHA-256）"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("投票")
        verbose_name_plural = _("投票")
        ordering = ["school", "-created_at"]

    def __str__(self) -> str:
        return self.title

    def can_become(self, status: str) -> bool:
        return status in TRANSITIONS[self.status]


class BallotList(models.Model):
    """One list of a ballot, e.g. 区级后备干部 with quota 5."""

    election = models.ForeignKey(
        Election, on_delete=models.PROTECT, related_name="lists", verbose_name=_("投票")
    )
    name = models.CharField(_("名称"), max_length=60)
    quota = models.PositiveSmallIntegerField(_("应选（最多可选）人数"))
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("推荐名单")
        verbose_name_plural = _("推荐名单")
        ordering = ["election", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["election", "name"], name="ballotlist_unique_name"),
            models.CheckConstraint(condition=models.Q(quota__gte=1), name="ballotlist_quota"),
        ]

    def __str__(self) -> str:
        return self.name


class Candidate(models.Model):
    ballot_list = models.ForeignKey(
        BallotList, on_delete=models.PROTECT, related_name="candidates", verbose_name=_("名单")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=50)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("候选人")
        verbose_name_plural = _("候选人")
        ordering = ["ballot_list", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ballot_list", "person"], name="candidate_once_per_list"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    ONLINE = "online", _("网上")
    PAPER = "paper", _("纸质")


class Credential(models.Model):
    """A one-time right to cast one ballot. ``used`` flips once, by a conditional UPDATE;
    ``channel`` says whether it was used online or on paper (a code serves once, either
    way)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="+")
    code_digest = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)
    channel = models.CharField(max_length=8, choices=Channel.choices, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(used=False, channel="")
                | models.Q(used=True) & ~models.Q(channel=""),
                name="credential_channel_when_used",
            ),
        ]

    def __str__(self) -> str:
        return str(_("投票码"))


class Ballot(models.Model):
    """One cast ballot: for each list (by id, as text) the sorted candidate ids marked.
    Validity is the tally's business (over-marking voids that list of this ballot)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="+")
    marks = models.JSONField()
    channel = models.CharField(max_length=8, choices=Channel.choices)

    def __str__(self) -> str:
        return str(_("选票"))


class Receipt(models.Model):
    """A code a voter keeps to check that their ballot was counted. It says nothing of
    what the ballot says and is not linked to it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=16, unique=True)

    def __str__(self) -> str:
        return str(_("回执"))


class RollEntry(models.Model):
    """A person on the roll of a roll-mode election. ``issued`` flips once, when the
    person receives their one-time credential (that is their taking part, like signing
    in at a meeting); the credential itself is not linked to the entry, and the ballot
    is cast in a later, separate transaction. No time is kept."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="roll")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    issued = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="rollentry_once"),
        ]

    def __str__(self) -> str:
        return str(self.person)


# --- paper ballots: blind double entry (``paper.py``) ----------------------------------


class RejectReason(models.TextChoices):
    UNREADABLE = "unreadable", _("投票码空白或无法识别")
    UNKNOWN = "unknown", _("不是本次投票发出的投票码")
    USED_ONLINE = "used_online", _("投票码已在网上投过票")
    USED_PAPER = "used_paper", _("投票码已由另一张纸质选票使用")


class PaperEntry(models.Model):
    """One clerk's reading of one paper sheet, kept only while the sheet is undecided.

    What a row holds, and why no more: ``code_digest`` is the credential's keyed digest
    ("" when the code could not be read), which pairs the two readings of one sheet;
    ``marks_digest`` is a keyed digest of the code *together with* the marks, so the
    second reading is compared with the first without the marks being stored at all
    (and two sheets marked alike do not look alike); ``code_hint`` is the first group
    of the code, enough for the third person to find the sheet in the stack. The code
    itself is never stored: a code in clear could be cast online, by anyone who reads
    the table, before its sheet is counted. When the sheet is decided — counted, or
    rejected — its entries are deleted in that same transaction, so no row is left
    pairing a code with what its sheet said (and ``paper.py`` removes the deleted
    rows' residue). No time, random keys, no default order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="+")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    code_digest = models.CharField(max_length=64, blank=True)
    code_hint = models.CharField(max_length=4, blank=True)
    marks_digest = models.CharField(max_length=64, blank=True)
    # Two readings of this sheet disagree: both wait for a third person.
    disputed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            # One clerk reads one sheet once.
            models.UniqueConstraint(
                fields=["election", "code_digest", "clerk"],
                condition=~models.Q(code_digest=""),
                name="paperentry_once_per_clerk",
            ),
        ]

    def __str__(self) -> str:
        return str(_("纸质选票录入"))


class RejectedSheet(models.Model):
    """A paper sheet that was returned but counts for nothing, and why. No code, no
    marks, no clerk, no time: it is there to be counted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=12, choices=RejectReason.choices)

    def __str__(self) -> str:
        return str(self.get_reason_display())


class BoxCount(models.Model):
    """How many sheets the tellers counted when the ballot box was opened: what the
    entered sheets must add up to."""

    election = models.OneToOneField(
        Election, on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    sheets = models.PositiveIntegerField(_("开箱清点张数"))

    def __str__(self) -> str:
        return str(self.sheets)
