"""The demo's two-way selection and rotation (双向选择、轮岗锻炼: SPEC module 6, the plan's 二,
五, 六.2, 七 and 附2), run through the rotation services as the personnel office runs them,
with the system as the actor, so every rule is checked and the audit trail is real.

Who takes part is read from the database: the school's reserve cadres whose pool entry is
valid when a round's rotation starts (``intentions.reserve_cadres``, the rule the services
apply), among the people each round plans for (附1's). A planned round with nobody valid
at its start is not held: the school has no reserve cadres then. The demo's selections of
2021, 2023 and 2025 (``selection.py``) each put them in the pool for two years (to
2023-03-23, 2025-03-21 and 2027-03-18), so every planned round is held: those of the 2021
pool (2021–2022, 2022–2023), of the 2023 pool (2023–2024, 2024–2025), of the 2025 pool
(2025–2026 and the two below). The newcomers of those selections have no rotation
planned; 2025's are reserve cadres of the open round who have not filled their forms.
``add_rotations`` called again adds only rounds that have become possible since.

* **Completed rounds**, one or two a school year from 2021–2022 on: the reserve cadres'
  意向表 (three posts in the order of their wishes, not posts they hold or rotated through
  already — 一岗多能), the mentors' rankings where a post was contested, the matching, the
  confirmation; every rotation started on the first day of term with its goals
  (缺什么补什么), a mentor's log through the term, 急、难、险、重 tasks with outcomes the
  mentor confirmed, and its completion — some 一学期, some 一学年, one ended early.
* **The current term** (2026–2027学年第一学期): a confirmed round whose rotations are
  running, their logs and tasks up to the week before the demo's today.
* **The next term** (2026–2027学年第二学期): a round in 填报意向 for the visitor — posts with
  seats and mentors, a mentor with a number of their own, a post exempt from the level
  rule, most reserve cadres' forms filled with ranked posts, preferred mentors, lengths
  and remarks, a few not yet, and some posts' rankings (others, like 沈佩玲's, left to
  rank). Closed and matched it shows a first choice, a post already full, a post above a
  person's level, a person the post did not rank and one left without a post; moving
  someone brings a blocking-pair warning.

Every record of a round held in the past carries its own time (the services' ``at``):
the round opens two weeks before its forms are due, the forms come in on the working days
between, the contested posts rank and the forms close on the day they are due, the
matching runs the next working day and the proposal is confirmed two days after
(``Schedule``); the rotations start, are logged, given tasks whose outcomes the mentor
confirms, and complete, each on its day. The open round's steps are the build's, today's."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from houbei.organisation.models import Post, RotationLength, School, Term, TermNumber
from houbei.organisation.workdays import is_workday, load_calendar
from houbei.people.models import Gender, Person, PostHistory
from houbei.rotations import assignments as service
from houbei.rotations.intentions import (
    ChoiceDraft,
    candidates_for,
    reserve_cadres,
    set_post_preferences,
    submit_intention,
)
from houbei.rotations.models import (
    Assignment,
    AssignmentStatus,
    HardTask,
    MentorNote,
    Round,
    RoundPost,
    RoundScope,
    RoundStatus,
    TaskDifficulty,
    TaskKind,
)
from houbei.rotations.proposal import confirm_round, run_matching
from houbei.rotations.rounds import (
    close_intentions,
    create_round,
    set_mentor_capacity,
    set_round_post,
)
from houbei.selection.models import PoolEntry

from . import plan

SEED = 20210901
TERM, YEAR = RotationLength.TERM, RotationLength.YEAR
FIRST, SECOND = TermNumber.FIRST, TermNumber.SECOND
# The running term's logs and tasks stop before the demo's today (2026-12-07).
LAST_ENTRY = dt.date(2026, 12, 4)

# The posts each reserve cadre would like to rotate through, most wanted first (plan keys;
# posts they hold are skipped when they fill the form).
WISHES: dict[str, tuple[str, ...]] = {
    "chen-ye": (plan.LEADER, plan.TEACHING, plan.ACADEMIC, plan.PERSONNEL, plan.GENERAL, plan.UNION),
    "huang-weimin": (plan.MORAL, plan.LEADER, plan.PERSONNEL, plan.TEACHING, plan.UNION, plan.GENERAL),
    "lu-yilei": (plan.MORAL, plan.ACADEMIC, plan.LEADER, plan.TEACHING, plan.PERSONNEL, plan.GENERAL),
    "pu-jili": (plan.PERSONNEL, plan.TEACHING, plan.UNION, plan.LEADER, plan.ACADEMIC, plan.MORAL),
    "zhang-lanlan": (plan.GENERAL, plan.LEADER, plan.ACADEMIC, plan.PERSONNEL, plan.MORAL, plan.UNION),
    "chen-jinghua": (plan.TEACHING, plan.MORAL, plan.ACADEMIC, plan.UNION, plan.PERSONNEL, plan.GENERAL),
    "xi-li": (plan.ACADEMIC, plan.TEACHING, plan.MORAL, plan.UNION, plan.PERSONNEL, plan.GENERAL),
    "yu-liqun": (plan.GENERAL, plan.UNION, plan.TEACHING, plan.ACADEMIC, plan.PERSONNEL, plan.MORAL),
    "zou-jianqin": (plan.UNION, plan.PERSONNEL, plan.MORAL, plan.GENERAL, plan.ACADEMIC, plan.TEACHING),
    "zhu-jiamei": (plan.ACADEMIC, plan.TEACHING, plan.UNION, plan.MORAL, plan.PERSONNEL, plan.GENERAL),
    "wang-jing": (plan.TEACHING, plan.MORAL, plan.UNION, plan.PERSONNEL, plan.ACADEMIC, plan.GENERAL),
    "zhang-qingyuan": (plan.GENERAL, plan.MORAL, plan.UNION, plan.TEACHING, plan.PERSONNEL, plan.ACADEMIC),
    "qiu-zhe": (plan.TEACHING, plan.GENERAL, plan.PERSONNEL, plan.ACADEMIC, plan.MORAL, plan.UNION),
}  # fmt: skip

# 缺什么补什么: what each of them is to make up for, from their 考察材料 and earlier reviews.
MAKE_UP: dict[str, str] = {
    "chen-ye": "多参与跨部门工作的协调，锻炼统筹全局、谋划学校整体工作的能力",
    "huang-weimin": "加强与家长、社区的沟通，补上德育和家校工作经验的不足",
    "lu-yilei": "多承担文字材料的起草和汇报，提高口头和书面表达能力",
    "pu-jili": "加强政策学习，提高对教育人事和教学管理政策的理解力",
    "zhang-lanlan": "学会抓大放小、合理分工，改变事事亲力亲为的习惯",
    "chen-jinghua": "从年级管理走向学校层面，学习制度建设和流程管理",
    "xi-li": "加强调查研究，学会用数据发现和分析问题",
    "yu-liqun": "多参与对外协调和接待工作，提高组织协调能力",
    "zou-jianqin": "合理安排教学和轮岗工作，提高工作的计划性",
    "zhu-jiamei": "多经历突发情况的处置，提高应急应变能力",
    "wang-jing": "多参与具体事务的落实，提高过程执行力",
    "zhang-qingyuan": "坚持写好工作小结，提高书面表达能力",
    "qiu-zhe": "多与不同学科、不同岗位的老师交流，拓宽视野",
}

# Form remarks: when they can be at the office, in their words.
FREE_TIME = (
    "本学期周二、周四下午没有课，可以集中参加处室工作。",
    "担任两个班的教学，早读和午间可以安排轮岗工作。",
    "希望轮岗工作尽量安排在下午第三节课以后，不影响教学。",
    "本学期不担任班主任，时间上比较充裕。",
    "周一、周三下午有空，其余时间以教学为主。",
)


@dataclass(frozen=True)
class Task:
    title: str
    kinds: tuple[str, ...]
    difficulty: int
    detail: str
    outcome: str


@dataclass(frozen=True)
class PostContent:
    """What rotating at a post is about: the goal, the mentor's log (three moments of a
    term, two ways each; ``{name}`` the mentee, ``{ta}`` 他/她), a line for a year's second
    term, the wish the form's row states, and the hard tasks such a post hands out."""

    goal: str
    wish: str
    early: tuple[str, str]
    middle: tuple[str, str]
    late: tuple[str, str]
    tasks: tuple[Task, Task]


U, D, R, H = TaskKind.URGENT, TaskKind.DIFFICULT, TaskKind.RISKY, TaskKind.HEAVY
ORDINARY, HARD, VERY_HARD = TaskDifficulty.ORDINARY, TaskDifficulty.HARD, TaskDifficulty.VERY_HARD

CONTENT: dict[str, PostContent] = {
    plan.ACADEMIC: PostContent(
        goal="熟悉教学常规管理和校本研修的组织流程，能独立组织一次全校性教研活动",
        wish="希望系统学习教学常规管理和校本研修的组织",
        early=(
            "{name}本周起到教导处轮岗。第一次见面和{ta}一起梳理了教导处的工作清单：教学常规"
            "检查、校本研修、公开课安排和教师培训。约定每周三下午跟我参加教研组长例会，先看、再做。",
            "和{name}谈了本学期的轮岗安排。{ta}对教学常规检查的流程还不熟，我把上学期的检查"
            "记录和反馈表给{ta}看，请{ta}下周跟我查一次语文、数学两个组的备课和作业。",
        ),
        middle=(
            "期中教学常规检查由{name}牵头。{ta}提前拟定了检查表，分组安排合理，反馈意见具体。"
            "不足是与个别老教师沟通时有些急，我提醒{ta}先肯定、再提建议。",
            "{name}组织了本学期第一次校本研修，主题贴近一线，参加的老师反映有收获。会后复盘时"
            "谈到：活动前的预案可以再细一些，场地和设备要有备用方案。",
        ),
        late=(
            "轮岗即将结束。{name}已能独立完成教学常规检查的全过程，对校本研修也有了自己的想法。"
            "建议下一阶段多了解学校的课程建设，补上对整体课程规划了解不多的短板。",
            "与{name}做了轮岗小结。{ta}写的期末教学质量分析数据扎实、结论清楚，可作为教导处的"
            "参考材料；统筹多项工作时的计划性还需提高，已写进小结。",
        ),
        tasks=(
            Task(
                "承办区级公开课展示活动",
                (U, H),
                HARD,
                "区教育学院临时通知我校承办初中语文、数学两场区级公开课展示，须在两周内完成"
                "场地、听课和接待安排。",
                "按时完成两场公开课的承办，协调12个班的调课和场地，来校听课教师86人，活动有序，"
                "区教育学院来函致谢。",
            ),
            Task(
                "教学常规检查问题的整改跟进",
                (D,),
                ORDINARY,
                "针对期中检查中部分教师作业批改不及时的问题，跟进整改并复查。",
                "逐一约谈涉及的5位教师，两周后复查全部整改到位，建立检查整改台账。",
            ),
        ),
    ),
    plan.TEACHING: PostContent(
        goal="掌握排课、考务和学籍管理的基本流程，独立完成一次期中考试的考务安排",
        wish="希望熟悉排课、考务和学籍管理",
        early=(
            "{name}到教务处轮岗第一周，跟着处里老师完成了开学调课和课表发放。{ta}做事细心，"
            "课表核对中发现两处冲突并及时改正。下阶段请{ta}熟悉学籍系统。",
            "和{name}商定了本学期的轮岗重点：考务和学籍。先请{ta}把近三年的考务方案读一遍，"
            "记下疑问，每周五下午我们碰一次。",
        ),
        middle=(
            "期中考试的考务由{name}主要负责。考场编排、监考安排、试卷交接都按流程走，考试期间"
            "两位监考老师临时请假，{ta}十分钟内安排好替补，处置得当。",
            "{name}这段时间在学籍系统上花了不少功夫，转入转出的材料审核已能独立完成。提醒{ta}"
            "学籍信息涉及学生隐私，导出的表格要及时删除、不外传。",
        ),
        late=(
            "本学期轮岗结束。{name}对教务工作的流程已较熟悉，考务安排条理清楚。建议今后在"
            "学校课程计划的编制上多学习，把教务工作和教学改革联系起来看。",
            "{name}的轮岗小结写得实在，把排课中教师诉求与学校规定之间的矛盾讲得很清楚，也提了"
            "改进建议。{ta}遇事冷静，但对外协调时还可以更主动。",
        ),
        tasks=(
            Task(
                "期中考试考务总协调",
                (H, U),
                HARD,
                "负责全校四个年级期中考试的考场编排、监考安排和试卷保密流转。",
                "编排考场48个，安排监考96人次，试卷流转零差错；考试当天妥善处理两起监考临时请假。",
            ),
            Task(
                "学籍信息集中核对",
                (D,),
                ORDINARY,
                "在上级规定时限内完成全校学生学籍信息核对和更正。",
                "核对学籍信息近千条，发现并更正错误23处，按期上报。",
            ),
        ),
    ),
    plan.MORAL: PostContent(
        goal="熟悉学生行为规范教育和主题教育活动的组织，策划并主持一次年级主题教育活动",
        wish="希望学习学生行为规范教育和主题教育活动的组织",
        early=(
            "{name}到德育处轮岗。第一周跟我参加了升旗仪式和班主任例会，熟悉了行为规范检查的"
            "流程。{ta}和学生关系好，这是做德育工作的底子。",
            "和{name}一起梳理了本学期德育工作计划，请{ta}负责行为规范示范班评比，并跟进"
            "两名需要重点关注学生的情况。",
        ),
        middle=(
            "{name}策划的年级主题教育活动开得不错，学生参与度高，家长反馈积极。{ta}在活动中"
            "能照顾到平时不爱发言的学生，细节处理好。",
            "本周一起处理了一起学生矛盾。{name}先分别谈话、再约家长，过程中始终站在教育的"
            "立场上，没有简单处罚。提醒{ta}处理后要做好记录并回访。",
        ),
        late=(
            "轮岗结束前与{name}做了交流。{ta}对德育处工作有了整体认识，处理学生问题有耐心、"
            "有方法。今后可多研究心理健康教育和家校共育，补上这方面的不足。",
            "{name}本学期在德育处的工作扎实：示范班评比、主题教育、个别学生跟踪都做到了有"
            "记录、有反馈。建议今后在制度建设上多思考，把经验变成做法。",
        ),
        tasks=(
            Task(
                "学生矛盾隐患的排查与个案处置",
                (R, D),
                VERY_HARD,
                "接到家长反映某班学生之间有欺凌苗头，牵头排查，与班主任、心理老师共同处置。",
                "三天内完成谈话和家访，及时化解矛盾，签订家校共育约定；跟踪一个月未再发生类似情况。",
            ),
            Task(
                "开学典礼和行为规范示范周的组织",
                (H, U),
                HARD,
                "开学前一周接手开学典礼和行为规范示范周的全部组织工作。",
                "典礼流程顺畅，示范周覆盖全部24个班，检查记录完整，形成了可沿用的活动方案。",
            ),
        ),
    ),
    plan.GENERAL: PostContent(
        goal="了解校舍维修、物资采购和食堂管理的制度与流程，参与一项维修或采购项目的全过程",
        wish="希望了解后勤保障和校园安全管理",
        early=(
            "{name}到总务处轮岗。第一周带{ta}把校园走了一遍，看了配电房、食堂和各处消防设施，"
            "讲了报修、采购的审批流程。{ta}问得很细。",
            "和{name}定了本学期的学习重点：采购流程和食堂管理。请{ta}先熟悉政府采购的有关"
            "规定，再参与本月的食堂食品安全检查。",
        ),
        middle=(
            "{name}参与了教室照明改造的比价和验收，资料整理得清楚，验收时对照合同逐项核对，"
            "发现一处灯具型号不符并要求更换。做事认真，原则性强。",
            "这段时间{name}每周跟食堂检查一次，提出的留样登记改进意见已经采纳。提醒{ta}后勤"
            "工作琐碎，要学会分清轻重缓急。",
        ),
        late=(
            "轮岗结束。{name}对总务工作的制度和流程有了比较全面的了解，处理报修和采购事务已能"
            "独立完成。{ta}原则性强，今后与供应商、施工方打交道时可以更灵活一些。",
            "{name}的轮岗小结对学校后勤保障的几个薄弱环节分析得到位。{ta}吃苦耐劳，关键时刻"
            "顶得上，是可以放心交任务的同志。",
        ),
        tasks=(
            Task(
                "暴雨预警期间的校园安全应急处置",
                (U, R),
                VERY_HARD,
                "暴雨红色预警期间，连夜组织排查校园积水和危险部位，保障次日正常上课。",
                "带领后勤人员排查全校32处重点部位，疏通下水道3处、加固临时围挡1处，次日按时"
                "开学，无安全事故。",
            ),
            Task(
                "教室照明改造的采购与验收",
                (H, D),
                HARD,
                "按采购流程完成12间教室照明改造的比价、合同和验收。",
                "三家比价、合同审核、施工监管和验收全部按流程完成，发现并整改型号不符问题一处，"
                "资料归档齐全。",
            ),
        ),
    ),
    plan.PERSONNEL: PostContent(
        goal="熟悉教职工招聘、职称评审和绩效考核的政策与流程，协助完成一次职称申报材料审核",
        wish="希望学习人事政策和职称评审、绩效考核的流程",
        early=(
            "{name}到人事室轮岗。先请{ta}学习了教师职称评审和绩效工资的有关文件，强调人事"
            "工作的保密要求，涉及个人信息的材料不带出办公室。",
            "和{name}谈了本学期的安排：重点参与职称申报和年度考核。{ta}对政策条文理解快，"
            "下阶段要在具体材料中把政策用准。",
        ),
        middle=(
            "{name}协助审核了本年度职称申报材料，发现一份材料中的任职年限计算有误，及时提醒"
            "当事老师更正，避免了申报被退回。细致、有原则。",
            "本周{name}参与新教师招聘面试的组织，流程安排紧凑，考生候考管理有序。提醒{ta}"
            "面试评分表的保管要严格按规定执行。",
        ),
        late=(
            "轮岗即将结束。{name}对人事工作的政策和流程已较熟悉，工作保密意识强。今后可多思考"
            "学校教师队伍建设的整体问题，而不只是具体事务。",
            "{name}的轮岗小结对学校绩效考核办法提出了两条修改建议，有调查、有依据，已提交"
            "校务会参考。",
        ),
        tasks=(
            Task(
                "年度职称申报材料审核",
                (H, D),
                HARD,
                "在区里规定的时限内完成本校14位教师职称申报材料的审核和上报。",
                "逐份审核并退回补正3份，全部材料按时上报，无一被区里退回。",
            ),
            Task(
                "新教师招聘面试的组织",
                (U, H),
                HARD,
                "承担本年度新教师招聘面试的考场、候考和评分材料管理。",
                "组织面试考生42人，流程有序、评分材料保管规范，面试当天无投诉。",
            ),
        ),
    ),
    plan.UNION: PostContent(
        goal="了解教代会和工会工作的制度，协助筹办一次教代会或教职工文体活动",
        wish="希望了解教代会和工会工作，为教职工做些实事",
        early=(
            "{name}到工会轮岗。和{ta}一起学习了教代会条例和学校工会工作制度，介绍了本学期"
            "的主要工作：教代会提案、困难教职工帮扶和教职工活动。",
            "{name}第一周就走访了三个教研组，了解老师们对工会工作的意见，记了满满两页。"
            "这种作风好，工会工作就是要贴近教职工。",
        ),
        middle=(
            "{name}筹办的教职工趣味运动会很成功，参与的老师比往年多。{ta}把退休教师也请了回来，"
            "大家很感动。组织工作细致，预算控制得好。",
            "本周{name}整理了教代会提案，分类清楚，对每条提案的答复部门和时限都做了跟踪表。"
            "提醒{ta}答复提案人时要把理由讲透。",
        ),
        late=(
            "轮岗结束。{name}在工会的工作得到老师们认可，善于倾听、办事公道。建议今后多学习"
            "学校民主管理的制度设计，提高政策水平。",
            "与{name}做了轮岗小结。{ta}对工会工作有热情，能换位思考；不足是有时顾虑较多，"
            "遇到不同意见时要敢于表达自己的看法。",
        ),
        tasks=(
            Task(
                "教代会提案的征集与答复跟踪",
                (D, H),
                HARD,
                "负责本年度教代会提案的征集、分类、交办和答复跟踪。",
                "征集提案27件，立案19件，全部按期答复，提案人满意率较往年提高。",
            ),
            Task(
                "困难教职工的帮扶走访",
                (U,),
                ORDINARY,
                "一位教职工家中突发变故，及时走访了解情况并落实帮扶。",
                "三天内完成走访，协助申请区教育工会帮扶金，并协调组内老师代课两周。",
            ),
        ),
    ),
    plan.LEADER: PostContent(
        goal="列席校务会，参与学校年度计划和重点工作的讨论，牵头一项跨部门专项工作",
        wish="希望在校级岗位上锻炼统筹全局的能力",
        early=(
            "{name}开始在校级岗位轮岗，列席本周校务会。会后和{ta}谈了体会：校级岗位看问题"
            "要从学校全局出发，既要看到本部门，也要看到各部门之间的关系。",
            "和{name}商定了本学期的重点：参与学校年度计划的讨论，牵头一项跨部门专项工作。"
            "{ta}有中层工作的基础，关键是转换角色。",
        ),
        middle=(
            "{name}牵头的专项工作推进顺利，能协调教导、德育、总务几个部门共同推进，会议纪要"
            "和任务分解清楚。{ta}在会上发言有条理，但对不同意见的回应还可以更从容。",
            "本周{name}代表学校接待了区里的专项督导，汇报材料准备充分，回答问题实事求是。"
            "这是一次很好的锻炼。",
        ),
        late=(
            "轮岗结束。{name}在校级岗位上得到了全面锻炼，统筹意识明显增强。今后要进一步提高"
            "把握政策和处理复杂问题的能力，多研究学校发展中的深层次问题。",
            "与{name}做了轮岗小结。{ta}工作有思路、有担当，校务会成员普遍反映较好。建议今后"
            "在干部队伍建设和教师发展方面多思考。",
        ),
        tasks=(
            Task(
                "学校三年发展规划中期评估材料的统稿",
                (H, D),
                VERY_HARD,
                "在一个月内牵头完成学校三年发展规划中期评估的自评报告和佐证材料。",
                "协调六个部门提供材料，完成自评报告约两万字和佐证材料目录，按时报送区教育局，"
                "评估组反馈材料翔实。",
            ),
            Task(
                "家长集体反映问题的调查与答复",
                (U, R),
                HARD,
                "一个年级的家长集中反映课后服务安排问题，须在一周内调查并答复。",
                "召开家长代表座谈会两次，调整课后服务时段和项目，一周内书面答复家长，事态平稳。",
            ),
        ),
    ),
    plan.GRADE: PostContent(
        goal="协调年级日常管理和家校沟通，组织一次年级家长会",
        wish="希望熟悉年级管理和家校沟通",
        early=(
            "{name}到年级组轮岗。先请{ta}参加年级班主任会，了解年级的学生情况和本学期的重点。",
            "和{name}一起梳理了年级工作计划，请{ta}负责年级的家校沟通和家长会筹备。",
        ),
        middle=(
            "{name}组织的年级家长会准备充分，各班发言时间控制得好，家长提问都有回应。",
            "本周{name}协调处理了年级两个班之间的纪律问题，处理公道，班主任们都服气。",
        ),
        late=(
            "轮岗结束。{name}对年级管理有了全面认识，协调能力有提高。建议今后多研究学生的"
            "学段特点，把管理做细。",
            "与{name}做了小结。{ta}工作踏实，与班主任沟通顺畅；对年级整体质量的分析还可以更深入。",
        ),
        tasks=(
            Task(
                "年级学生外出社会实践的组织",
                (R, H),
                HARD,
                "负责年级学生外出社会实践的行程、安全预案和家长告知。",
                "组织学生240人外出实践，安全预案和分组到位，全程无事故，家长满意。",
            ),
            Task(
                "年级家长会的筹备",
                (H,),
                ORDINARY,
                "筹备本学期年级家长会，统一各班的汇报内容。",
                "家长会到会率96%，会后收集家长意见38条并逐条反馈。",
            ),
        ),
    ),
    plan.SUBJECT: PostContent(
        goal="组织组内教研和青年教师带教，主持一次组内公开课研讨",
        wish="希望学习教研组的组织和青年教师带教",
        early=(
            "{name}到教研组长岗位轮岗。请{ta}先听组内每位老师一节课，了解组内教学情况。",
            "和{name}商定了本学期的教研主题，请{ta}负责组内青年教师的听课和评课安排。",
        ),
        middle=(
            "{name}主持的组内公开课研讨准备充分，评课不流于形式，青年教师收获大。",
            "{name}这段时间组织了两次集体备课，分工合理，资料整理规范。",
        ),
        late=(
            "轮岗结束。{name}能组织好组内的日常教研，今后可以在课题研究方面多下功夫。",
            "与{name}做了小结。{ta}带教青年教师有耐心，组内反映较好。",
        ),
        tasks=(
            Task(
                "组内青年教师教学评比的组织",
                (H,),
                ORDINARY,
                "组织组内青年教师参加区级教学评比的校内选拔和磨课。",
                "完成校内选拔和三轮磨课，推荐的青年教师获区级二等奖。",
            ),
            Task(
                "期末复习资料的统筹",
                (U, H),
                HARD,
                "统筹组内各年级期末复习资料的编写和审核。",
                "按时完成四个年级的复习资料，审核后无差错。",
            ),
        ),
    ),
    plan.CLASS: PostContent(
        goal="熟悉班级管理和家校沟通，带好一个班的日常工作",
        wish="希望重新体会班主任工作",
        early=(
            "{name}到班主任岗位轮岗，接手一个班的日常管理。先请{ta}熟悉每一位学生的情况。",
            "和{name}谈了班级管理的要点：常规、沟通和关注个别学生。",
        ),
        middle=(
            "{name}带的班级常规有明显进步，班会课设计用心。",
            "本周{name}家访了三户学生家庭，记录详细。",
        ),
        late=(
            "轮岗结束。{name}对班主任工作有了新的体会，今后在管理岗位上更能理解班主任的难处。",
            "与{name}做了小结，班级管理有条理，家长反映好。",
        ),
        tasks=(
            Task(
                "班级突发事件的处置",
                (U, R),
                HARD,
                "班上一名学生在体育课上受伤，须及时处置并与家长沟通。",
                "第一时间送医并通知家长，事后与家长、体育老师沟通到位，家长表示理解。",
            ),
            Task(
                "班级家长会的组织",
                (H,),
                ORDINARY,
                "组织本学期班级家长会。",
                "家长到会率98%，会后逐一回应家长关心的问题。",
            ),
        ),
    ),
}

SECOND_TERM = (
    "寒假后{name}继续在{post}轮岗。第二学期我们商定把重点放在独立负责上：上学期是跟着做，"
    "这学期要自己拿方案、自己抓落实。",
    "第二学期开学，和{name}回顾了上学期的轮岗情况。{ta}已熟悉{post}的日常工作，这学期请{ta}"
    "独立负责一项完整的工作，我只在关键处把关。",
)


@dataclass(frozen=True)
class PostSide:
    """A post's answer in the open round: tiers of plan keys, best first; whether the
    others who listed it are acceptable; the mentor who answered."""

    post: str
    by: str
    ranking: tuple[tuple[str, ...], ...]
    accept_others: bool = True


@dataclass(frozen=True)
class Row:
    post: str
    length: str = TERM
    mentor: str | None = None  # plan key
    remark: str = ""


@dataclass(frozen=True)
class Form:
    who: str  # plan key
    rows: tuple[Row, ...]
    remarks: str = ""


@dataclass(frozen=True)
class RoundPlan:
    """One planned round: its term and scope, and who takes part for how long (those the
    services accept then). ``ended_early`` is (who, day, reason)."""

    title: str
    year: int  # the school year's start year
    number: int
    scope: str = RoundScope.TERM
    people: Mapping[str, str] = field(default_factory=dict)  # plan key → wanted length
    due_days: int = 20  # intentions due this many days before the term starts
    ended_early: tuple[str, dt.date, str] | None = None


def _t(people: str, length: str = TERM) -> dict[str, str]:
    return dict.fromkeys(people.split(), length)


ZOU_ENDED = (
    "zou-jianqin",
    dt.date(2022, 4, 29),
    "2022年4月起学校转为线上教学，邹建琴同志承担初三毕业年级的生物线上教学和学生居家学习"
    "跟踪，工作量大幅增加，无法兼顾工会工作。经本人申请、带教人员同意，学校研究决定提前结束"
    "本次轮岗锻炼，今后可在新的轮次中重新填报。",
)

# The completed rounds and the current term's. Each term round is for one term; in a
# year round (from 第一学期) each person's form says 一学期 or 一学年.
PAST: tuple[RoundPlan, ...] = (
    RoundPlan("2021–2022学年第一学期双向选择", 2021, FIRST,
              people=_t("chen-ye huang-weimin zhang-lanlan chen-jinghua yu-liqun zhu-jiamei")),
    RoundPlan("2021–2022学年第二学期双向选择", 2021, SECOND,
              people=_t("lu-yilei pu-jili xi-li zou-jianqin wang-jing zhang-qingyuan huang-weimin"),
              ended_early=ZOU_ENDED),
    RoundPlan("2022–2023学年双向选择", 2022, FIRST, scope=RoundScope.YEAR,
              people={**_t("chen-jinghua qiu-zhe zhang-lanlan", YEAR),
                      **_t("yu-liqun zhu-jiamei lu-yilei chen-ye")}),
    RoundPlan("2022–2023学年第二学期双向选择", 2022, SECOND,
              people=_t("yu-liqun pu-jili wang-jing zou-jianqin xi-li")),
    RoundPlan("2023–2024学年双向选择", 2023, FIRST, scope=RoundScope.YEAR,
              people={**_t("huang-weimin zhang-qingyuan", YEAR),
                      **_t("chen-ye pu-jili xi-li zou-jianqin")}),
    RoundPlan("2023–2024学年第二学期双向选择", 2023, SECOND,
              people=_t("chen-ye pu-jili wang-jing qiu-zhe chen-jinghua zhu-jiamei")),
    RoundPlan("2024–2025学年第一学期双向选择", 2024, FIRST,
              people=_t("lu-yilei zhang-lanlan yu-liqun xi-li zou-jianqin zhang-qingyuan")),
    RoundPlan("2024–2025学年第二学期双向选择", 2024, SECOND,
              people=_t("huang-weimin chen-jinghua wang-jing qiu-zhe zhu-jiamei chen-ye")),
    RoundPlan("2025–2026学年双向选择", 2025, FIRST, scope=RoundScope.YEAR,
              people={**_t("lu-yilei yu-liqun", YEAR),
                      **_t("pu-jili zhang-lanlan xi-li zou-jianqin")}),
)  # fmt: skip
CURRENT = RoundPlan(
    "2026–2027学年第一学期双向选择", 2026, FIRST,
    people=_t("huang-weimin chen-jinghua wang-jing qiu-zhe zhu-jiamei zhang-qingyuan chen-ye"),
)  # fmt: skip
OPEN_TITLE = "2026–2027学年第二学期双向选择"
OPEN_DUE = dt.date(2026, 12, 25)
OPEN_NOTE = (
    "根据学校《后备管理干部选拔轮岗锻炼使用方案》，本学期开放中层处室、工会和校级轮岗岗位。"
    "请后备干部于12月25日前填报双向选择意向表，每人可填报三个岗位并排序，注明希望的带教人员"
    "和时长；岗位方于1月8日前完成排序。"
)


# The open round's offers that differ from the posts' defaults: (副)校级 with the party
# secretary as a second mentor; 工会 with two seats and its level rule waived, with the
# reason. The principal takes one mentee a term.
@dataclass(frozen=True)
class Offer:
    post: str
    capacity: int | None = None  # None: the post's seats per term
    mentors: tuple[str, ...] = ()  # plan keys; empty: the post's default mentors
    exempt_reason: str = ""


OPEN_OFFERS = (
    Offer(plan.LEADER, mentors=("principal", "secretary")),
    Offer(plan.UNION, capacity=2, exempt_reason=(
        "工会岗位以服务教职工为主，经校务会研究，本轮对轮岗人员不作下一级岗位工作经历的要求"
        "（方案“个别岗位酌情处理”）。"
    )),
)  # fmt: skip
OPEN_LIMITS = {"principal": 1}
# Filled forms of the open round; the other reserve cadres (卢懿蕾 and 余立群 back from a
# year's rotation, 邹建琴, and 何亚萍 and 梁怡雯, new to the pool) have not filled theirs yet. By then most of them have rotated
# through most offices, so each lists what is left to them. 德育处 (one seat) is wanted
# first by 奚莉, 邱喆 and 浦吉丽 and ranks them in that order; (副)校级 (one seat) ranks
# 陈晔 before 黄蔚敏, and 朱佳美 and 王静 list it without the time at 中层 it asks for;
# 总务处 ranks only 朱佳美 and takes no one else, so 王静 is left without a post, and
# 浦吉丽, who wants only 德育处, too.
OPEN_FORMS: tuple[Form, ...] = (
    Form("xi-li", (
        Row(plan.MORAL, TERM, "chen-ye", "想学习德育处的学生管理和主题教育"),
        Row(plan.PERSONNEL, TERM),
    ), "本学期任教七年级两个班英语，周二、周四下午没有课。"),
    Form("qiu-zhe", (
        Row(plan.MORAL, TERM, None, "希望参与学生信息化管理和网络安全教育"),
        Row(plan.TEACHING, TERM, "teaching-head", "希望参与教务信息化和学籍系统的工作"),
    ), "兼任学校网络维护，周一上午固定在信息中心。"),
    Form("pu-jili", (
        Row(plan.MORAL, YEAR, "chen-ye", "其他处室都已轮过，还没有在德育处工作过，希望轮岗一学年"),
    ), "担任总务处副主任，轮岗期间总务处日常工作已与金国强主任商定。"),
    Form("chen-ye", (
        Row(plan.LEADER, YEAR, "principal", "希望在校级岗位完整经历一个学年的工作"),
    ), "担任德育处主任，轮岗期间德育处日常工作由副主任协助。"),
    Form("huang-weimin", (
        Row(plan.LEADER, TERM, "secretary", "希望参与学校党建和干部队伍建设的工作"),
        Row(plan.UNION, TERM),
    )),
    Form("zhu-jiamei", (
        Row(plan.LEADER, TERM, "secretary", "希望体验校级岗位，锻炼统筹能力"),
        Row(plan.GENERAL, TERM, "general-head"),
        Row(plan.PERSONNEL, TERM),
    ), "本学期不担任班主任，时间比较充裕。"),
    Form("wang-jing", (
        Row(plan.GENERAL, TERM, "general-head", "希望了解后勤保障和校园安全管理"),
        Row(plan.LEADER, TERM),
    ), "希望轮岗时间安排在下午第三节课以后。"),
    Form("zhang-lanlan", (
        Row(plan.UNION, TERM, "union-head", "希望为教职工做些实事，了解教代会工作"),
        Row(plan.MORAL, TERM),
    ), "周一、周三下午有空。"),
    Form("chen-jinghua", (
        Row(plan.PERSONNEL, TERM, "personnel-officer", "希望学习人事政策和职称评审工作"),
        Row(plan.UNION, TERM),
        Row(plan.SUBJECT, TERM, None, "想了解组内教研的组织"),
    ), "担任八年级班主任，希望轮岗工作尽量不与班级活动冲突。"),
    Form("zhang-qingyuan", (
        Row(plan.ACADEMIC, TERM, "academic-head", "希望学习教学常规管理和校本研修"),
        Row(plan.PERSONNEL, TERM),
    ), "体育组本学期有区运动会任务，三月、四月周末可能外出带队。"),
)  # fmt: skip
# The posts that have answered; 教导处 and 教研组长 (沈佩玲), 教务处, 人事室 and 工会 have
# not yet.
OPEN_SIDES: tuple[PostSide, ...] = (
    PostSide(plan.MORAL, "chen-ye", (("xi-li",), ("qiu-zhe",), ("pu-jili",))),
    PostSide(plan.LEADER, "principal", (("chen-ye",), ("huang-weimin",))),
    PostSide(plan.GENERAL, "general-head", (("zhu-jiamei",),), accept_others=False),
)


@dataclass
class DemoRotations:
    rounds: list[Round] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # planned rounds with nobody valid


# --- helpers ------------------------------------------------------------------------------


class _Days:
    """Working days of the school calendar, for the dates of notes and tasks."""

    def __init__(self) -> None:
        self.oracle = load_calendar().oracle

    def on_or_after(self, day: dt.date) -> dt.date:
        while not is_workday(day, self.oracle).value:
            day += dt.timedelta(days=1)
        return day

    def on_or_before(self, day: dt.date) -> dt.date:
        while not is_workday(day, self.oracle).value:
            day -= dt.timedelta(days=1)
        return day


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A time of a school day (the school's time zone), for the services' ``at``."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@dataclass(frozen=True)
class Schedule:
    """When each step of a past round was done: opened two weeks before the forms were
    due, the forms in on the working days between, the posts' rankings in the morning of
    the day the forms were due and the forms closed that afternoon, matched the next
    working day, confirmed two days after."""

    opened: dt.datetime
    form_days: tuple[dt.date, ...]
    ranked: dt.datetime
    closed: dt.datetime
    matched: dt.datetime
    confirmed: dt.datetime

    @classmethod
    def of(cls, days: _Days, due: dt.date) -> Schedule:
        closing = days.on_or_before(due)
        opening = days.on_or_before(closing - dt.timedelta(days=14))
        between = tuple(
            d
            for n in range(1, (closing - opening).days)
            if (d := opening + dt.timedelta(days=n)) == days.on_or_after(d)
        )
        matching = days.on_or_after(closing + dt.timedelta(days=1))
        confirming = days.on_or_after(matching + dt.timedelta(days=2))
        return cls(
            opened=at(opening, 9),
            form_days=between or (opening,),
            ranked=at(closing, 10),
            closed=at(closing, 17),
            matched=at(matching, 10),
            confirmed=at(confirming, 15),
        )

    def form(self, n: int, of: int) -> dt.datetime:
        """The ``n``th of ``of`` forms, spread over the working days in order."""
        day = self.form_days[n * len(self.form_days) // max(of, 1)]
        return at(day, 12 + n % 6, 10 * (n % 5))


def _term(school: School, year: int, number: int) -> Term:
    return Term.objects.select_related("school_year").get(
        school_year__school=school, school_year__start_year=year, number=number
    )


def _say(text: str, person: Person, post: Post) -> str:
    ta = "他" if person.gender == Gender.MALE else "她"
    return text.format(name=person.name, ta=ta, post=post.name)


class _Builder:
    def __init__(self, school: School, people: Mapping[str, Person]) -> None:
        self.school, self.people = school, people
        self.posts = {p.code: p for p in Post.objects.filter(school=school)}
        self.key_of = {p.pk: k for k, p in people.items()}
        self.rng = random.Random(SEED)
        self.days = _Days()

    # The people of the plan who may fill the round's form (the services' own rule).
    def valid(self, round_or_term: Round | Term) -> set[int]:
        if isinstance(round_or_term, Round):
            return set(reserve_cadres(round_or_term).values_list("pk", flat=True))
        entries = PoolEntry.objects.for_school(self.school).valid_on(round_or_term.start)
        return set(entries.values_list("person_id", flat=True))

    def create(self, spec: RoundPlan, term: Term, when: Schedule, *, note: str = "") -> Round:
        return create_round(
            actor=None,
            school=self.school,
            title=spec.title,
            start_term=term,
            scope=spec.scope,
            intentions_due=term.start - dt.timedelta(days=spec.due_days),
            note=note,
            at=when.opened,
        )

    # --- forms ---------------------------------------------------------------------------

    def generated_forms(self, round_: Round, spec: RoundPlan, when: Schedule) -> None:
        """Each person lists the first three posts of their wishes that are offered with
        a seat, not held at the start and not rotated through yet."""
        offers = {
            o.post.code: o for o in RoundPost.objects.filter(round=round_).select_related("post")
        }
        valid = self.valid(round_)
        keys = [k for k in spec.people if self.people[k].pk in valid]
        ids = [self.people[k].pk for k in keys]
        held: dict[int, set[int]] = defaultdict(set)
        for person_id, post_id in (
            PostHistory.objects.filter(person_id__in=ids)
            .current(round_.start_date)
            .values_list("person_id", "post_id")
        ):
            held[person_id].add(post_id)
        for person_id, post_id in (
            Assignment.objects.filter(person_id__in=ids)
            .with_days()
            .values_list("person_id", "post_id")
        ):
            held[person_id].add(post_id)
        # Seats that rotations of earlier rounds (a year's second term) still take.
        term = round_.start_term
        taken = Counter(
            Assignment.objects.filter(school=self.school)
            .overlapping(term.start, term.end)
            .values_list("post_id", flat=True)
        )
        for n, key in enumerate(keys):
            person = self.people[key]
            wanted = [
                offers[code]
                for code in WISHES[key]
                if code in offers
                and offers[code].capacity > taken[offers[code].post_id]
                and offers[code].post_id not in held[person.pk]
            ][:3]
            if not wanted:
                continue
            rows = []
            for rank, offer in enumerate(wanted, start=1):
                mentors = list(offer.mentors.all())
                mentor = mentors[0] if rank == 1 and mentors and self.rng.random() < 0.6 else None
                remark = CONTENT[offer.post.code].wish if rank == 1 else ""
                rows.append(ChoiceDraft(offer.post, rank, spec.people[key], mentor, remark))
            submit_intention(
                actor=None, round_=round_, person=person, choices=rows,
                remarks=self.rng.choice(FREE_TIME) if self.rng.random() < 0.7 else "",
                at=when.form(n, len(keys)),
            )  # fmt: skip

    def rank_contested(self, round_: Round, when: Schedule) -> None:
        """Where more people listed a post than it has seats, its mentor ranks them: those
        who put it higher first, then by staff number."""
        for offer in (
            RoundPost.objects.filter(round=round_)
            .select_related("post")
            .prefetch_related("mentors")
        ):
            rows = list(candidates_for(offer))
            mentors = list(offer.mentors.all())
            if len(rows) <= offer.capacity or not mentors:
                continue
            order = sorted(rows, key=lambda c: (c.rank, c.intention.person.staff_number))
            set_post_preferences(
                actor=None, offer=offer, ranking=[[c.intention.person] for c in order],
                by=mentors[0], at=when.ranked,
            )  # fmt: skip

    # --- rotations -----------------------------------------------------------------------

    def confirm(self, round_: Round, when: Schedule) -> list[Assignment]:
        close_intentions(actor=None, round_=round_, at=when.closed)
        run_matching(actor=None, round_=round_, at=when.matched)
        made = confirm_round(actor=None, round_=round_, at=when.confirmed)
        for assignment in made:
            key = self.key_of[assignment.person_id]
            goal = CONTENT[assignment.post.code].goal
            service.set_goals(
                actor=None, assignment=assignment,
                goals=_("%(goal)s；缺什么补什么：%(make_up)s。")
                % {"goal": goal, "make_up": MAKE_UP[key]},
                at=when.confirmed + dt.timedelta(minutes=30),
            )  # fmt: skip
        return made

    def run(
        self,
        assignment: Assignment,
        *,
        until: dt.date | None = None,
        ended: tuple[dt.date, str] | None = None,
    ) -> None:
        """Start on the first day of term, keep the log and the tasks, and complete it (or
        end it early); with ``until``, keep it running and write nothing after that day.
        Each step is recorded on its day."""
        assignment = service.start_assignment(
            actor=None, assignment=assignment, at=at(assignment.start_date, 8)
        )
        links = list(assignment.mentor_links.active().select_related("person"))
        if links:
            self.log(assignment, links[0].person, until=until, ended=ended)
        if ended is not None:
            service.end_assignment_early(
                actor=None, assignment=assignment, on=ended[0], reason=ended[1],
                at=at(ended[0], 16),
            )  # fmt: skip
        elif until is None:
            service.complete_assignment(
                actor=None, assignment=assignment, at=at(assignment.end_date, 17)
            )

    def log(
        self,
        assignment: Assignment,
        mentor: Person,
        *,
        until: dt.date | None,
        ended: tuple[dt.date, str] | None,
    ) -> None:
        """The mentor's notes through the rotation (its opening weeks, the middle of each
        term, the opening of a year's second term, the last weeks) and its hard tasks,
        none after ``until`` or the day it ended."""
        person, post = assignment.person, assignment.post
        content = CONTENT[post.code]
        pick = (person.pk + assignment.start_term_id) % 2
        last = min(d for d in (until, ended[0] if ended else None, assignment.end_date) if d)
        terms = [assignment.start_term]
        if assignment.end_term_id != assignment.start_term_id:
            terms.append(assignment.end_term)
        notes: list[tuple[dt.date, str]] = []
        first, final = terms[0], terms[-1]
        notes.append((first.start + dt.timedelta(days=15), content.early[pick]))
        notes.append((first.start + dt.timedelta(days=62), content.middle[pick]))
        if len(terms) == 2:
            notes.append((final.start + dt.timedelta(days=10), SECOND_TERM[pick]))
            notes.append((final.start + dt.timedelta(days=55), content.middle[1 - pick]))
        notes.append((final.end - dt.timedelta(days=12), content.late[pick]))
        for day, text in notes:
            day = self.days.on_or_after(day)
            if day > last:
                continue
            service.add_mentor_note(
                actor=None, assignment=assignment, author=mentor, text=_say(text, person, post),
                written_on=day, at=at(day, 18),
            )  # fmt: skip
        # One task a term, a month or so in; a running rotation has a second one, given
        # late in the term and still under way.
        if len(terms) == 2:
            tasks = [(content.tasks[0], terms[0].start), (content.tasks[1], terms[1].start)]
        else:
            tasks = [(content.tasks[pick], first.start)]
            if until is not None:
                tasks.append((content.tasks[1 - pick], first.start + dt.timedelta(days=50)))
        for n, (task, start) in enumerate(tasks):
            given = self.days.on_or_after(start + dt.timedelta(days=35 + 7 * pick))
            if given > last:
                continue
            made = service.add_hard_task(
                actor=None, assignment=assignment, title=task.title, kinds=list(task.kinds),
                given_on=given, difficulty=task.difficulty, detail=task.detail,
                at=at(given, 11),
            )  # fmt: skip
            done = self.days.on_or_after(given + dt.timedelta(days=12 + 3 * n))
            if done > last:
                continue  # still under way
            made = service.record_task_outcome(
                actor=None, task=made, outcome=task.outcome, outcome_on=done, at=at(done, 16)
            )
            service.confirm_hard_task(actor=None, task=made, mentor=mentor, at=at(done, 16, 30))

    # --- the rounds ----------------------------------------------------------------------

    def held(self, spec: RoundPlan, *, running: bool = False) -> Round | None:
        term = _term(self.school, spec.year, spec.number)
        valid = self.valid(term)
        if not any(self.people[k].pk in valid for k in spec.people):
            return None
        when = Schedule.of(self.days, term.start - dt.timedelta(days=spec.due_days))
        round_ = self.create(spec, term, when)
        self.generated_forms(round_, spec, when)
        self.rank_contested(round_, when)
        for assignment in self.confirm(round_, when):
            ended = None
            if spec.ended_early and self.key_of[assignment.person_id] == spec.ended_early[0]:
                ended = spec.ended_early[1:]
            self.run(assignment, until=LAST_ENTRY if running else None, ended=ended)
        return round_

    def open(self) -> Round | None:
        term = _term(self.school, 2026, SECOND)
        valid = self.valid(term)
        if not any(self.people[f.who].pk in valid for f in OPEN_FORMS):
            return None
        round_ = create_round(
            actor=None, school=self.school, title=OPEN_TITLE, start_term=term,
            intentions_due=OPEN_DUE, note=OPEN_NOTE,
        )  # fmt: skip
        for change in OPEN_OFFERS:
            offer = RoundPost.objects.prefetch_related("mentors").get(
                round=round_, post=self.posts[change.post]
            )
            mentors = [self.people[k] for k in change.mentors] or list(offer.mentors.all())
            set_round_post(
                actor=None, round_=round_, post=offer.post,
                capacity=offer.capacity if change.capacity is None else change.capacity,
                mentors=mentors, level_exempt=bool(change.exempt_reason),
                exempt_reason=change.exempt_reason,
            )  # fmt: skip
        for key, capacity in OPEN_LIMITS.items():
            set_mentor_capacity(
                actor=None, round_=round_, mentor=self.people[key], capacity=capacity
            )
        valid = self.valid(round_)
        for form in OPEN_FORMS:
            person = self.people[form.who]
            if person.pk not in valid:
                continue
            submit_intention(
                actor=None, round_=round_, person=person, remarks=form.remarks,
                choices=[
                    ChoiceDraft(
                        self.posts[row.post], rank, row.length,
                        self.people[row.mentor] if row.mentor else None, row.remark,
                    )
                    for rank, row in enumerate(form.rows, start=1)
                ],
            )  # fmt: skip
        for side in OPEN_SIDES:
            offer = RoundPost.objects.get(round=round_, post=self.posts[side.post])
            listed = set(candidates_for(offer).values_list("intention__person_id", flat=True))
            ranking = [
                [self.people[k] for k in tier if self.people[k].pk in listed]
                for tier in side.ranking
            ]
            set_post_preferences(
                actor=None, offer=offer, ranking=[t for t in ranking if t],
                accept_others=side.accept_others, by=self.people[side.by],
            )  # fmt: skip
        return round_


def add_rotations(
    school: School,
    people: Mapping[str, Person],
    *,
    progress: Callable[[str], None] = lambda message: None,
) -> DemoRotations:
    """The demo school's rounds and rotations (see the module docstring). ``people`` are
    the stored staff by plan key. Rounds that already exist (by title) are left alone, so
    a second call only adds the rounds that have become possible."""
    builder = _Builder(school, people)
    result = DemoRotations()
    existing = set(Round.objects.for_school(school).values_list("title", flat=True))
    for spec in (*PAST, CURRENT):
        if spec.title in existing:
            continue
        round_ = builder.held(spec, running=spec is CURRENT)
        if round_ is None:
            result.skipped.append(spec.title)
        else:
            result.rounds.append(round_)
    if OPEN_TITLE not in existing:
        round_ = builder.open()
        if round_ is None:
            result.skipped.append(OPEN_TITLE)
        else:
            result.rounds.append(round_)
    if result.skipped:
        last = PoolEntry.objects.for_school(school).order_by("-valid_until").first()
        progress(
            _(
                "%(first)s等%(n)d个轮次开始时本校没有有效期内的后备干部"
                "（后备干部库有效期至%(until)s），未安排。"
            )
            % {
                "first": result.skipped[0],
                "n": len(result.skipped),
                "until": last.valid_until.isoformat() if last else "—",
            }
        )
    return result


# --- the summary ---------------------------------------------------------------------------


def summary(school: School) -> list[str]:
    """Lines for the console: the confirmed rounds and their rotations, the rotations
    running now (the current term's), then each round still open or being matched."""
    rounds = list(Round.objects.for_school(school).select_related("start_term__school_year"))
    if not rounds:
        return []
    confirmed = [r for r in rounds if r.status == RoundStatus.CONFIRMED]
    lines = []
    if confirmed:
        by_status = dict(
            Assignment.objects.for_school(school)
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        people = Assignment.objects.for_school(school).values("person").distinct().count()
        notes = MentorNote.objects.filter(assignment__school=school).count()
        tasks = HardTask.objects.filter(assignment__school=school).count()
        first = min(confirmed, key=lambda r: r.start_term.start).start_term
        lines.append(
            _(
                "轮岗锻炼：自%(first)s起已确认双向选择%(rounds)d轮，%(people)d名后备干部轮岗"
                "%(total)d人次（轮岗中%(active)d、已完成%(done)d、提前终止%(ended)d），"
                "带教记录%(notes)d条，急难险重任务%(tasks)d项"
            )
            % {
                "first": first,
                "rounds": len(confirmed),
                "people": people,
                "total": sum(by_status.values()),
                "active": by_status.get(AssignmentStatus.ACTIVE, 0),
                "done": by_status.get(AssignmentStatus.COMPLETED, 0),
                "ended": by_status.get(AssignmentStatus.ENDED, 0),
                "notes": notes,
                "tasks": tasks,
            }
        )
    running = list(
        Assignment.objects.for_school(school)
        .filter(status=AssignmentStatus.ACTIVE)
        .select_related("person", "post", "start_term__school_year")
        .order_by("start_term__start", "post__sort_order", "person__staff_number")
    )
    if running:
        lines.append(
            _("%(term)s轮岗中%(n)d人：%(who)s")
            % {
                "term": running[0].start_term,
                "n": len(running),
                "who": "、".join(f"{a.person.name}（{a.post.name}）" for a in running),
            }
        )
    for round_ in rounds:
        if round_.status == RoundStatus.CONFIRMED:
            continue
        filled = round_.intentions.live().count()
        eligible = reserve_cadres(round_).count()
        lines.append(
            _("%(title)s（%(status)s）：%(eligible)d名后备干部中%(filled)d人已填报意向表%(due)s")
            % {
                "title": round_.title,
                "status": round_.get_status_display(),
                "eligible": eligible,
                "filled": filled,
                "due": _("，截止%(day)s") % {"day": round_.intentions_due.isoformat()}
                if round_.intentions_due
                else "",
            }
        )
    return lines
