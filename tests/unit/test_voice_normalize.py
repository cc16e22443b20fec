"""The text clean-up on its own: Chinese numerals, percentages, politeness, widths."""

from __future__ import annotations

import pytest

from custom_components.miot_connect.voice.normalize import chinese_number, normalize, numbers


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("零", 0),
        ("一", 1),
        ("两", 2),
        ("十", 10),
        ("十八", 18),
        ("二十", 20),
        ("二十五", 25),
        ("三十", 30),
        ("九十九", 99),
        ("一百", 100),
        ("一百零五", 105),
        ("百", 100),
        ("二五", 25),
        ("一千二百", 1200),
    ],
)
def test_chinese_number(numeral: str, value: int) -> None:
    """Chinese numerals read as numbers."""
    assert chinese_number(numeral) == value


@pytest.mark.parametrize("text", ["", "十a", "度"])
def test_not_a_number(text: str) -> None:
    """Anything else is not a number."""
    assert chinese_number(text) is None


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        # numerals with a measure word or a unit in them become digits
        ("把空调调到二十六度", "把空调调到26度"),
        ("十八度", "18度"),
        ("风扇调到三档", "风扇调到3档"),
        ("亮度调到七十", "亮度调到70"),
        ("温度调高两度", "温度调高2度"),
        # percentages
        ("百分之六十", "60%"),
        ("亮度调到百分之二十五", "亮度调到25%"),
        ("百分之100", "100%"),
        ("窗帘开到三成", "窗帘开到30%"),
        ("窗帘打开一半", "窗帘打开50%"),
        ("open the blind halfway", "open the blind 50%"),
        ("set it to 40 percent", "set it to 40%"),
        # numerals that are not numbers stay
        ("一楼的灯", "一楼的灯"),
        ("暖一点", "暖一点"),
        # politeness and particles
        ("请帮我开一下餐厅的灯吧", "开餐厅的灯"),
        ("麻烦你把灯关了", "把灯关"),
        ("阳台门关了吗", "阳台门关了吗"),
        ("小爱同学，打开空调呀", "打开空调"),
        ("Could you please turn on the TV?", "turn on the tv"),
        ("switch off the telly", "turn off the telly"),
        ("turn on the wall switch", "turn on the wall switch"),
        # widths, case, punctuation
        ("打开ＴＶ！", "打开tv"),
        ("Set the A/C to 23°C", "set the ac to 23度"),
    ],
)
def test_normalize(text: str, normalized: str) -> None:
    """The text as the matcher reads it."""
    assert normalize(text) == normalized


def test_numbers() -> None:
    """Numbers with their units; degree words and 级 are read as 度 and 档."""
    assert numbers("调到26度") == [(26.0, "度")]
    assert numbers("set to 23 degrees") == [(23.0, "度")]
    assert numbers("开到30%") == [(30.0, "%")]
    assert numbers("风速2级") == [(2.0, "档")]
    assert numbers("speed 4") == [(4.0, "")]
    assert numbers("开灯") == []
