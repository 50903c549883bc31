"""What each stage of a cycle is for, as a page shows it: what is due, who is responsible,
and the documents it produces (by name; the documents themselves come later).

Plain data, translatable; ``workflow`` decides what may happen, this only describes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from .models import Stage


@dataclass(frozen=True)
class StageInfo:
    stage: Stage
    summary: Any
    due: tuple[Any, ...]
    responsible: Any
    documents: tuple[Any, ...]

    @property
    def label(self) -> str:
        return str(self.stage.label)


STAGES: dict[Stage, StageInfo] = {
    Stage.PREPARATION: StageInfo(
        Stage.PREPARATION,
        _("确定基准日、选拔条件、后备干部名单及名额，确定参加民主推荐人员。"),
        (
            _("确定基准日和选拔条件"),
            _("确定区级、校级后备干部名单及名额（一人可同时列入两个名单）"),
            _("确定参加民主推荐人员（默认全体在编在岗教职工，可按知情度、关联度、代表性调整）"),
        ),
        _("人事室"),
        (_("选拔工作方案"), _("参加民主推荐人员名单")),
    ),
    Stage.RECOMMENDATION: StageInfo(
        Stage.RECOMMENDATION,
        _("以无记名方式进行会议推荐，并可开展谈话调研推荐。"),
        (
            _("印制民主推荐表，发放选票或投票码"),
            _("组织会议推荐：参加人数须达到应参加人数的2/3，否则本轮无效"),
            _("计票并公布推荐结果；票数分散时可进行第二轮推荐"),
            _("记录谈话调研推荐情况"),
        ),
        _("人事室；监票人、计票人"),
        (_("民主推荐表"), _("推荐结果汇总表"), _("谈话调研推荐情况汇总")),
    ),
    Stage.OPINIONS: StageInfo(
        Stage.OPINIONS,
        _("就推荐人选征求学校领导班子和党支部的意见。"),
        (_("逐人记录学校领导班子意见"), _("逐人记录党支部意见")),
        _("人事室；学校领导班子、党支部"),
        (_("征求意见表"),),
    ),
    Stage.TARGETS: StageInfo(
        Stage.TARGETS,
        _("集体研究确定考察对象，一般实行差额考察，并发布考察预告。"),
        (
            _("结合民主推荐、谈话调研推荐和征求意见情况确定考察对象（推荐票数旁注）"),
            _("考察对象不多于名额时须说明理由并确认"),
            _("考察前发布考察预告（默认提前3天）"),
        ),
        _("校务会、支委会"),
        (_("考察对象名单"), _("考察预告")),
    ),
    Stage.INSPECTION: StageInfo(
        Stage.INSPECTION,
        _("通过个别谈话、民主测评等方式考察德、能、勤、绩、廉，形成书面考察材料。"),
        (
            _("按知情度、关联度确定谈话对象，进行个别谈话并记录要点"),
            _("组织民主测评（优秀、称职、基本称职、不称职）并发布结果"),
            _("撰写写实的考察材料，经审核签发"),
        ),
        _("考察组（学校领导）"),
        (_("个别谈话记录"), _("民主测评表"), _("民主测评结果"), _("考察材料")),
    ),
    Stage.DECISION: StageInfo(
        Stage.DECISION,
        _("校务会、支委会集体讨论决定后备干部人选。"),
        (
            _("到会成员须达到应到会成员的2/3"),
            _("每名成员逐人表态同意、不同意或缓议，主要负责人最后表态"),
            _("同意票超过应到会成员半数为通过；意见分歧的暂缓决定"),
        ),
        _("校务会、支委会"),
        (_("讨论决定会议记录"), _("表决情况统计")),
    ),
    Stage.NOTICE: StageInfo(
        Stage.NOTICE,
        _("在校内公示拟列入后备干部人选，受理并调查核实异议。"),
        (
            _("公示期不少于5个工作日（按法定节假日和调休计算）"),
            _("登记署名或匿名异议，调查核实并作出处理结论"),
            _("向署名反映人反馈；暂缓的一般不超过3个月"),
        ),
        _("人事室"),
        (_("公示"), _("异议登记表"), _("调查核实情况报告")),
    ),
    Stage.DONE: StageInfo(
        Stage.DONE,
        _("公示结束，人选列入后备干部库，有效期两年。"),
        (_("按级别（区级、校级）和成熟程度（近期可提拔、中长期培养）列入后备干部库"),),
        _("人事室"),
        (_("后备干部名单"),),
    ),
}


def info(stage: str) -> StageInfo:
    return STAGES[Stage(stage)]
