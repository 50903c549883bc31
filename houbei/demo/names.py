"""Curated Chinese names for generated staff: common surnames and given names, so the demo
and the benchmark districts read like real rosters. Nothing here names a real person
except the plan's 附1, which the demo reproduces on purpose."""

from __future__ import annotations

import random


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Frequent surnames, most common first; the Shanghai-area ones (沈, 陆, 顾, 钱, 施, 俞, 奚, 浦,
# 瞿 …) are over-represented because the plan's school is in Shanghai.
SURNAMES = _words(
    """
    王 李 张 陈 刘 杨 黄 周 吴 徐 朱 沈 陆 顾 孙 胡 郭 何 林 高 金 钱 施 俞 姚 蒋 汪 范 唐 许 马 罗 郑 梁 谢 宋
    韩 曹 曾 彭 董 潘 袁 蔡 余 杜 叶 程 魏 苏 吕 丁 任 卢 钟 姜 崔 谭 方 邹 邱 秦 江 薛 陶 毛 龚 邵 戴 严 倪 葛
    殷 凌 费 夏 万 汤 孔 奚 浦 瞿 储 糜 庄 翁 盛 贺 孟 傅
    """
)

GIVEN_FEMALE = _words(
    """
    静 敏 丽 娟 艳 芳 燕 霞 玲 婷 雪 琳 洁 颖 倩 慧 蕾 晶 瑜 萍 琴 雯 怡 菁 晓燕 丽华 秀英 佳怡 雨婷 思琪 欣怡 梦洁
    晓敏 丽娟 海燕 美玲 春燕 静怡 雅琴 慧敏 文静 晓雯 佩玲 嘉怡 怡雯 颖洁 雯婷 敏华 亚萍 丽萍 凤英 琳琳 婷婷 燕青 晓岚 瑾瑜
    蓓蕾 佳琪 诗涵 梦琪 雅婷 晓红 秀芳 玉兰 红梅 丹丹 晨曦 忆雯 晓菁 卫红 建英 美华 惠琴 雪芳 悦 璐 娴 青 莹 蓉
    """
)

GIVEN_MALE = _words(
    """
    伟 强 磊 军 勇 杰 涛 斌 超 明 刚 平 辉 鹏 华 飞 鑫 波 宁 浩 俊 峰 骏 昊 建华 志强 晓东 海涛 俊杰 国强 建国 文斌
    志明 浩然 子豪 宇轩 家豪 一鸣 振宇 立新 卫东 永明 思远 天宇 明辉 建军 伟民 正阳 承志 博文 启明 嘉诚 国华 德兴 文龙 晓峰
    宏伟 俊彦 志刚 海峰 逸飞 云龙 耀华 伟杰 敏杰 晨 毅 睿
    """
)


def name_generator(
    rng: random.Random, *, taken: set[str] | None = None, unique: bool = True
) -> NameSource:
    return NameSource(rng, taken=taken if taken is not None else set(), unique=unique)


class NameSource:
    """Draws names from the lists above with a given random generator.

    With ``unique`` the source never returns a name in ``taken`` and adds each name it
    returns, so a school's roster has no duplicates; the benchmark turns it off because a
    district of 9,000 people really does have namesakes."""

    def __init__(self, rng: random.Random, *, taken: set[str], unique: bool) -> None:
        self.rng = rng
        self.taken = taken
        self.unique = unique
        # Surnames follow a rough Zipf curve: the first in the list are far more common.
        self.weights = [1 / (rank + 8) for rank in range(len(SURNAMES))]

    def draw(self, female: bool) -> str:
        given = GIVEN_FEMALE if female else GIVEN_MALE
        for _attempt in range(1000):
            surname = self.rng.choices(SURNAMES, weights=self.weights)[0]
            name = surname + self.rng.choice(given)
            if not self.unique or name not in self.taken:
                self.taken.add(name)
                return name
        raise RuntimeError("name lists exhausted")  # pragma: no cover - thousands of pairs
