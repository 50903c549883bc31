"""Chinese names for audit action codes, for the audit page.

Each module adds its own codes to ``ACTION_LABELS`` (one line per code, here) and, for a
new first segment, a name to ``GROUP_LABELS``. A code without a label is shown as the
raw code, so a missing line never hides an entry."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

# The first segment of a code ("people" in "people.person.updated") names its module.
GROUP_LABELS: dict[str, Any] = {
    "system": _("系统"),
    "accounts": _("账户与权限"),
    "organisation": _("学校与岗位"),
    "people": _("教职工档案"),
    "eligibility": _("选拔条件"),
    "selection": _("选拔周期"),
    "ballots": _("民主推荐与测评"),
    "rotations": _("双向选择与轮岗"),
    "evaluations": _("半学期考察"),
    "development": _("培养与使用"),
    "documents": _("文书"),
    "api": _("接口"),
}

ACTION_LABELS: dict[str, Any] = {
    # system
    "system.backup.created": _("创建备份"),
    "system.backup.restored": _("从备份恢复"),
    # accounts
    "accounts.user.created": _("创建用户"),
    "accounts.user.updated": _("修改用户"),
    "accounts.user.locked": _("账户因登录失败被锁定"),
    "accounts.user.unlocked": _("解除账户锁定"),
    "accounts.user.password_changed": _("修改密码"),
    "accounts.user.password_reset": _("重置密码"),
    "accounts.api_token.issued": _("签发API令牌"),
    "accounts.api_token.revoked": _("吊销API令牌"),
    # organisation
    "organisation.district.created": _("创建区"),
    "organisation.school.created": _("创建学校"),
    "organisation.school.updated": _("修改学校"),
    "organisation.school.reactivated": _("重新启用学校"),
    "organisation.posts.seeded": _("生成方案规定的轮岗岗位"),
    "organisation.post.created": _("新增岗位"),
    "organisation.post.updated": _("修改岗位"),
    "organisation.post.archived": _("归档岗位"),
    "organisation.post.restored": _("恢复岗位"),
    "organisation.schoolyear.created": _("新增学年"),
    "organisation.schoolyear.updated": _("修改学年"),
    "organisation.term.updated": _("修改学期"),
    "organisation.workday_override.added": _("新增工作日调整"),
    "organisation.workday_override.updated": _("修改工作日调整"),
    "organisation.workday_override.removed": _("删除工作日调整"),
    "organisation.workday_year.confirmed": _("确认全年节假日已录入"),
    "organisation.workday_year.withdrawn": _("撤销全年节假日确认"),
    # people
    "people.person.created": _("新增教职工"),
    "people.person.updated": _("修改教职工档案"),
    "people.person.archived": _("归档教职工档案"),
    "people.person.restored": _("恢复教职工档案"),
    "people.post_history.added": _("新增任职经历"),
    "people.post_history.updated": _("修改任职经历"),
    "people.post_history.ended": _("结束任职"),
    "people.post_history.removed": _("删除任职经历"),
    "people.honour.added": _("新增荣誉"),
    "people.honour.updated": _("修改荣誉"),
    "people.honour.removed": _("删除荣誉"),
    "people.appraisal.added": _("新增年度考核等次"),
    "people.appraisal.updated": _("修改年度考核等次"),
    "people.appraisal.removed": _("删除年度考核等次"),
    "people.roster.imported": _("导入名册"),
    "people.roster.exported": _("导出名册"),
    # eligibility
    "eligibility.rule_set.created": _("新建选拔条件"),
    "eligibility.rule_set.updated": _("修改选拔条件"),
    "eligibility.rule_set.archived": _("归档选拔条件"),
    "eligibility.rule.updated": _("修改条件"),
    "eligibility.exemption.granted": _("免除岗位条件"),
    "eligibility.exemption.revoked": _("撤销岗位免除"),
    "eligibility.ruling.overridden": _("逐人认定（改变计算结果）"),
    "eligibility.ruling.recorded": _("记录人工条件结果"),
    "eligibility.ruling.revoked": _("撤销逐人认定"),
    "eligibility.snapshot.taken": _("保存结果快照"),
    "eligibility.board.exported": _("导出资格审查结果"),
    # selection
    "selection.cycle.created": _("新建选拔周期"),
    "selection.cycle.updated": _("修改选拔周期"),
    "selection.list.set": _("设置后备干部名单及名额"),
    "selection.roll.added": _("列入参加民主推荐人员"),
    "selection.roll.removed": _("移出参加民主推荐人员"),
    "selection.stage.planned": _("设置阶段截止日期和负责人"),
    "selection.stage.recommendation_started": _("开始民主推荐"),
    "selection.stage.opinions_started": _("开始征求意见"),
    "selection.stage.targets_started": _("开始确定考察对象"),
    "selection.stage.inspection_started": _("开始组织考察"),
    "selection.stage.decision_started": _("开始讨论决定"),
    "selection.stage.notice_started": _("开始公示"),
    "selection.cycle.completed": _("结束公示，列入后备干部库"),
    "selection.stage.reopened": _("重新开启阶段"),
    "selection.round.created": _("新建推荐轮次"),
    "selection.round.tallied": _("推荐轮次计票"),
    "selection.talks.recorded": _("记录谈话调研推荐"),
    "selection.opinion.recorded": _("记录征求意见"),
    "selection.targets.chosen": _("确定考察对象"),
    "selection.targets.notice_published": _("发布考察预告"),
    "selection.target.readiness_set": _("设定成熟程度"),
    "selection.talk.recorded": _("记录个别谈话"),
    "selection.appraisal.linked": _("组织民主测评"),
    "selection.report.version_saved": _("保存考察材料"),
    "selection.report.signed_off": _("签发考察材料"),
    "selection.check.recorded": _("记录考察核查结果"),
    "selection.check.amended": _("修改考察核查结果"),
    "selection.pool_targets.set": _("设置后备干部队伍结构目标"),
    "selection.meeting.recorded": _("记录讨论决定"),
    "selection.objection.registered": _("登记异议"),
    "selection.objection.closed": _("处理异议"),
    "selection.objection.postponement_resolved": _("了结暂缓事项"),
    "selection.document.exported": _("导出选拔文书"),
    "selection.pool.exported": _("导出后备干部名单"),
    # ballots (administrative steps only: casting is never recorded)
    "ballots.election.created": _("新建投票"),
    "ballots.slips.issued": _("生成投票码"),
    "ballots.election.opened": _("开始投票"),
    "ballots.election.closed": _("结束投票"),
    "ballots.election.tallied": _("计票"),
    "ballots.roll.set": _("设置投票名单"),
    "ballots.election.published": _("公布投票结果"),
    "ballots.results.exported": _("导出投票结果"),
    "ballots.rating.created": _("新建测评"),
    "ballots.rating.group_added": _("增加评议人类别"),
    "ballots.rating.codes_issued": _("生成评议码"),
    "ballots.rating.roll_set": _("设置测评名单"),
    "ballots.rating.opened": _("开始测评"),
    "ballots.rating.closed": _("结束测评"),
    "ballots.rating.comments_reviewed": _("审核评语"),
    "ballots.rating.released": _("发布测评结果"),
    "ballots.paper.sheet_entered": _("录入纸质选票"),
    "ballots.paper.discrepancy_resolved": _("核对纸质选票录入不一致"),
    "ballots.paper.entry_withdrawn": _("撤回纸质选票录入"),
    "ballots.paper.box_counted": _("登记开箱清点张数"),
    # rotations (双向选择与轮岗)
    "rotations.round.created": _("新建双向选择轮次"),
    "rotations.round.updated": _("修改双向选择轮次"),
    "rotations.round_post.set": _("设置本轮轮岗岗位"),
    "rotations.mentor.capacity_set": _("设置带教人员名额"),
    "rotations.waiver.granted": _("逐人免除岗位层级要求"),
    "rotations.waiver.revoked": _("撤销层级要求免除"),
    "rotations.round.closed": _("截止意向填报"),
    "rotations.round.reopened": _("重新开放意向填报"),
    "rotations.intention.submitted": _("填报双向选择意向表"),
    "rotations.intention.withdrawn": _("撤回双向选择意向表"),
    "rotations.post_side.ranked": _("岗位方排序或接受轮岗人"),
    "rotations.round.matched": _("生成双向选择匹配方案"),
    "rotations.placement.moved": _("调整匹配方案"),
    "rotations.proposal.discarded": _("作废匹配方案"),
    "rotations.round.confirmed": _("确认匹配方案，生成轮岗安排"),
    "rotations.assignment.created": _("新建轮岗安排"),
    "rotations.assignment.started": _("开始轮岗"),
    "rotations.assignment.completed": _("轮岗期满结束"),
    "rotations.assignment.ended_early": _("提前终止轮岗锻炼"),
    "rotations.assignment.goals_set": _("修改轮岗锻炼目标"),
    "rotations.assignment.mentor_added": _("增加带教人员"),
    "rotations.assignment.mentor_removed": _("撤换带教人员"),
    "rotations.note.added": _("填写带教记录"),
    "rotations.task.added": _("布置急难险重任务"),
    "rotations.task.outcome_recorded": _("记录任务完成情况"),
    "rotations.task.confirmed": _("带教人员确认任务"),
    "rotations.document.exported": _("导出轮岗文书"),
    "rotations.assignments.exported": _("导出轮岗安排"),
}


def action_group(code: str) -> str:
    return code.split(".", 1)[0]


def group_label(group: str) -> str:
    label = GROUP_LABELS.get(group)
    return str(label) if label is not None else group


def action_label(code: str) -> str:
    """The Chinese name of an action code, or the code itself when it has none."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code
