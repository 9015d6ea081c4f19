"""Traditional to simplified with OpenCC (issue 13 §6): whole articles convert, simplified text is left alone."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.extract import extract_page
from pagetext.normalize import fold_char, normalize_text
from pagetext.traditional import char_to_simplified, to_simplified

# A notice as a Hong Kong or Taiwan outlet would print it, with the words inspectors read for.
ARTICLE = """消費者報：上海市市場監督管理局發布「上海標準」標識使用指引
本報記者 陳曉華 報導
為規範「上海標準」標識的使用，市場監管部門表示，執行團體標準或企業標準的產品，可在公開標準編號時加註「上海標準」字樣。
該標識是對標準的評價，並非產品認證，企業不得宣稱「通過上海標準認證」或「榮獲上海標準」。
監督檢驗發現違規者，將依《反不正當競爭法》處理。相關產品包括醫療設備、電動車充電樁與學校運動場地面層。"""
EXPECTED = """消费者报:上海市市场监督管理局发布「上海标准」标识使用指引
本报记者 陈晓华 报导
为规范「上海标准」标识的使用,市场监管部门表示,执行团体标准或企业标准的产品,可在公开标准编号时加注「上海标准」字样。
该标识是对标准的评价,并非产品认证,企业不得宣称「通过上海标准认证」或「荣获上海标准」。
监督检验发现违规者,将依《反不正当竞争法》处理。相关产品包括医疗设备、电动车充电桩与学校运动场地面层。"""


def test_a_whole_traditional_article_normalises_completely() -> None:
    lines = [normalize_text(line) for line in ARTICLE.split("\n")]
    assert lines == EXPECTED.split("\n")
    # No character is left that OpenCC would convert on its own.
    assert all(char_to_simplified(char) == char for line in lines for char in line)


def test_phrases_convert_as_phrases() -> None:
    assert normalize_text("乾燥的頭髮") == "干燥的头发"
    assert normalize_text("乾隆年間") == "乾隆年间"  # a name: 乾 stays
    assert normalize_text("後來於是") == "后来于是"


def test_simplified_text_is_left_as_written() -> None:
    # OpenCC's phrase table would turn these simplified words into others (打坏 -> 打坯).
    for text in ("打坏了就换", "著作权", "上海标准件厂", "执行标准:T/SHHJ 000003-2018"):
        assert normalize_text(text) == text


def test_traps_and_labels_in_traditional_script_read_like_simplified() -> None:
    assert normalize_text("上海標準件廠") == "上海标准件厂"
    assert normalize_text("上海標準化研究院") == "上海标准化研究院"
    assert (
        normalize_text("產品執行標準號：Ｔ／ＳＨＨＪ　０００００３—２０１８")
        == "产品执行标准号:T/SHHJ 000003-2018"
    )


def test_fold_char_converts_one_character_at_a_time() -> None:
    # Offset maps (checker.codes.fold_with_offsets) rely on one output per input character.
    assert [fold_char(c) for c in "標準執行"] == ["标", "准", "执", "行"]
    assert fold_char("－") == "-"
    assert fold_char("Ａ") == "A"
    assert fold_char("a") == "a"


def test_text_with_lone_surrogates_still_converts() -> None:
    assert to_simplified("標\ud800準") == "标\ud800准"


def test_conversion_reaches_a_fixed_point() -> None:
    # 蔣昇 is a phrase entry giving 蒋昇, whose 昇 converts again.
    assert to_simplified("蔣昇") == "蒋升"
    assert to_simplified(to_simplified("蔣昇")) == to_simplified("蔣昇")


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("標準認證執行產品號廠製獲榮頒團體業國乾隆著作打坏上海")), max_size=40
    )
)
def test_normalising_traditional_text_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


def test_a_traditional_product_page_yields_a_claim_with_simplified_context() -> None:
    page = (
        "<html><body><table>"
        "<tr><th>產品名稱</th><td>兒童運動場地塑膠面層</td></tr>"
        "<tr><th>執行標準</th><td>T/SHHJ 000003-2018（上海標準）</td></tr>"
        "<tr><th>生產企業</th><td>上海某建材有限公司</td></tr>"
        "</table></body></html>"
    ).encode()
    [claim] = extract_page(page).claims
    assert (claim.standard_key, claim.tie, claim.claimant, claim.product_name) == (
        "T/SHHJ 3-2018",
        "annotation",
        "上海某建材有限公司",
        "儿童运动场地塑胶面层",
    )
