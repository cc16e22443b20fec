"""Text clean-up before understanding: width, case, politeness, Chinese numerals, percentages.

Pure functions, no Home Assistant imports, so the rules can be tested on their own.

- Full-width characters become half-width (NFKC), letters lower case, punctuation spaces.
- Chinese numerals become digits ("二十六度" → "26度", "三档" → "3档").
- Percentages become "N%": "百分之六十", "六成" (tenths), "一半", "60 percent".
- Politeness and particles go: 请/帮我/麻烦/给我, 一下/吧/啊/呀/呢, "please", "could you" …;
  a 了 stays only where it asks ("关了吗"), elsewhere it goes ("灯关了" → "灯关").
"""

from __future__ import annotations

import re
import unicodedata

_DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
_NUMERAL = "零〇一二两俩三四五六七八九十百千"
# A numeral run that is a number: a unit in it, or followed by a measure word.
_NUMERAL_RUN = re.compile(f"[{_NUMERAL}]+")
_MEASURES = ("度", "档", "级", "成", "%", "摄氏度")


def chinese_number(text: str) -> int | None:
    """The value of a Chinese numeral ("十八" 18, "二十五" 25, "一百" 100, "六" 6)."""
    if not text or any(char not in _DIGITS and char not in _UNITS for char in text):
        return None
    if all(char in _DIGITS for char in text):  # read digit by digit: "二五" is 25
        return int("".join(str(_DIGITS[char]) for char in text))
    total, current = 0, 0
    for char in text:
        if char in _DIGITS:
            current = _DIGITS[char]
        else:
            total += (current or 1) * _UNITS[char]
            current = 0
    return total + current


def _value(text: str) -> int:
    """Digits or a Chinese numeral, as a number."""
    number = chinese_number(text)
    return int(text) if number is None else number


def _replace_numerals(text: str) -> str:
    def number(match: re.Match[str]) -> str:
        run = match.group(0)
        after = text[match.end() : match.end() + 2]
        before = text[max(match.start() - 3, 0) : match.start()]
        if (
            any(char in _UNITS for char in run)
            or after.startswith(_MEASURES)
            or before.endswith(("百分之", "到", "为", "成", "至"))
        ):
            value = chinese_number(run)
            if value is not None:
                return str(value)
        return run

    return _NUMERAL_RUN.sub(number, text)


_PERCENT_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"百分之(\d+)"), r"\1%"),
    (re.compile(r"(\d+)\s*(?:percent|per cent|pct)\b"), r"\1%"),
    (re.compile(r"\bhalf(?:way)?\b"), "50%"),
)
_TENTHS = re.compile(r"(\d+)成")

# Removed anywhere (longest first). Chinese words only; English words below.
_ZH_FILLERS: tuple[str, ...] = (
    "小爱同学",
    "麻烦你",
    "麻烦",
    "帮我把",
    "帮忙把",
    "请帮我",
    "帮我",
    "帮忙",
    "给我把",
    "你给我",
    "给我",
    "请你",
    "请",
    "可以",
    "能不能",
    "能否",
    "一下子",
    "一下",
    "谢谢",
    "好吗",
    "好不好",
    "行吗",
    "可以吗",
    "吧",
    "啊",
    "呀",
    "哦",
    "嘛",
    "啦",
    "呢",
)
_EN_FILLERS = re.compile(
    r"\b(?:please|pls|kindly|could you|can you|would you|will you|would you mind|"
    r"i want you to|i'd like you to|i would like you to|go ahead and|hey|ok|okay|"
    r"thanks|thank you|for me|right now|now|just|quickly|a bit of)\b"
)


def normalize(text: str) -> str:
    """The text as the matcher reads it (see the module doc)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("a/c", "ac").replace("°c", "度").replace("°", "度")
    text = re.sub(r"[，。！？、,.!?;；:：\"“”‘’]+", " ", text)
    for filler in _ZH_FILLERS:
        text = text.replace(filler, "")
    text = text.replace("一半", "50%")
    text = re.sub(
        f"百分之([{_NUMERAL}]+|\\d+)",
        lambda match: f"{_value(match.group(1))}%",
        text,
    )
    text = _replace_numerals(text)
    for pattern, replacement in _PERCENT_RULES:
        text = pattern.sub(replacement, text)
    text = _TENTHS.sub(lambda match: f"{int(match.group(1)) * 10}%", text)
    # 了 asks with 吗 ("关了吗"); otherwise it only marks the deed done ("灯关了").
    text = re.sub(r"了(?!吗)", "", text)
    text = _EN_FILLERS.sub(" ", text)
    # "switch off the tv": the verb, not a switch.
    text = re.sub(r"\bswitch\b(?=.*\b(?:on|off)\b)", "turn", text)
    return re.sub(r"\s+", " ", text).strip()


_NUMBER = re.compile(r"(-?\d+(?:\.\d+)?)\s*(%|度|degrees?|档|级|percent)?")


def numbers(text: str) -> list[tuple[float, str]]:
    """The numbers in a normalized text with their unit ("" when none): [(26.0, "度")]."""
    found: list[tuple[float, str]] = []
    for match in _NUMBER.finditer(text):
        unit = match.group(2) or ""
        if unit.startswith("degree"):
            unit = "度"
        elif unit == "级":
            unit = "档"
        found.append((float(match.group(1)), unit))
    return found
