"""The six real pages decode correctly and carry no claim; copies with injected claims yield exactly those."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from checker.extract import extract_page
from checker.extract.gate import may_mention
from pagetext.decode import decode_page

# page -> (encoding the page really is in, text that must appear once decoded)
KNOWN_TEXT = {
    "tmall_item_01.html": ("utf-8", "iPhone 11"),
    "tmall_item_01_gbk.html": ("gb18030", "iPhone 11"),
    "taobao_item_01.html": ("utf-8", "KBDfans"),
    "jd_item_01_gbk.html": ("gb18030", "华为"),
    "jd_item_02_derived_jsp.html": ("utf-8", "华为"),
    "mfr_product_01_kingtec_steel.php": ("utf-8", "执行标准"),
}

# page -> (the real parameter-table markup to inject after, the injected rows, expected claims)
# code, tie, claimant, claimant source, product name (None: not checked)
Expected = tuple[str, str, str, str, str | None]
INJECTIONS: dict[str, tuple[str, str, list[Expected]]] = {
    "tmall_item_01.html": (
        '<ul id="J_AttrUL">',
        '<li title="&nbsp;T/SHHJ 000003-2018">产品标准号:&nbsp;T/SHHJ 000003-2018（上海标准）</li>'
        '<li title="&nbsp;上海甲建材有限公司">厂名:&nbsp;上海甲建材有限公司</li>',
        [("T/SHHJ 000003-2018", "annotation", "上海甲建材有限公司", "row:厂名", "Apple/苹果 iPhone 11")],
    ),
    "tmall_item_01_gbk.html": (
        '<ul id="J_AttrUL">',
        '<li title="&nbsp;DB31/T 1108-2018">执行标准:&nbsp;DB31/T 1108-2018 上海标准</li>',
        [("DB31/T 1108-2018", "annotation", "苏宁易购官方旗舰店", "shop", "Apple/苹果 iPhone 11")],
    ),
    "taobao_item_01.html": (
        '<ul class="attributes-list">',
        '<li title="Q/KBD 0001-2020">执行标准:&nbsp;GB/T 14081-2010、Q/KBD 0001-2020（上海标准）</li>'
        '<li title="上海键盘制造有限公司">生产企业:&nbsp;上海键盘制造有限公司</li>',
        [("Q/KBD 0001-2020", "annotation", "上海键盘制造有限公司", "row:生产企业", None)],
    ),
    "jd_item_01_gbk.html": (
        '<th class="tdTitle" colspan="2">主体</th></tr>',
        '<tr><td class="tdTitle">执行标准</td><td>T/SHHJ 000003-2018</td><td>上海标准</td></tr>'
        '<tr><td class="tdTitle">制造商</td><td>上海华为终端有限公司</td></tr>',
        [("T/SHHJ 000003-2018", "row", "上海华为终端有限公司", "row:制造商", "华为P6")],
    ),
    "jd_item_02_derived_jsp.html": (
        '<ul class="parameter2 p-parameter-list">',
        '<li title="T/SHHJ 3-2018">执行标准：T/SHHJ 3-2018（上海标准）</li>',
        [("T/SHHJ 3-2018", "annotation", "荣耀京东自营旗舰店", "shop", "华为荣耀10")],
    ),
    "mfr_product_01_kingtec_steel.php": (
        "<li>执行标准:GB1499.2-2007</li>",
        "<li>执行标准:Q/KT 0001-2020（上海标准）</li><li>生产企业:上海金泰钢铁有限公司</li>",
        [("Q/KT 0001-2020", "annotation", "上海金泰钢铁有限公司", "row:生产企业", None)],
    ),
}


@pytest.mark.parametrize("name", sorted(KNOWN_TEXT))
def test_real_page_decodes(realpages_dir: Path, name: str) -> None:
    raw = (realpages_dir / name).read_bytes()
    encoding, known = KNOWN_TEXT[name]
    decoded = decode_page(raw)
    assert decoded.encoding == encoding
    assert known in decoded.text
    # Replacement characters only where the page itself carries them (the Taobao copy has two).
    assert decoded.text.count("\ufffd") == raw.count("\ufffd".encode())


@pytest.mark.parametrize("name", sorted(KNOWN_TEXT))
def test_real_page_has_no_claim(realpages_dir: Path, name: str) -> None:
    raw = (realpages_dir / name).read_bytes()
    assert not may_mention(raw)
    assert extract_page(raw).claims == []


def _inject(realpages_dir: Path, name: str) -> bytes:
    encoding = KNOWN_TEXT[name][0]
    anchor, rows, _ = INJECTIONS[name]
    text = (realpages_dir / name).read_bytes().decode(encoding)
    assert text.count(anchor) >= 1, f"{name}: parameter table not found"
    return text.replace(anchor, anchor + rows, 1).encode(encoding)


@pytest.mark.parametrize("name", sorted(INJECTIONS))
def test_injected_claims(realpages_dir: Path, name: str) -> None:
    result = extract_page(_inject(realpages_dir, name), url=f"https://example.test/{name}")
    got = [(c.standard_code, c.tie, c.claimant, c.claimant_source) for c in result.claims]
    want = [expected[:4] for expected in INJECTIONS[name][2]]
    assert got == want
    for claim, expected in zip(result.claims, INJECTIONS[name][2], strict=True):
        if expected[4] is not None:
            assert claim.product_name == expected[4]
        assert claim.location and claim.snippet


def test_copies_are_byte_for_byte_the_recorded_real_pages(realpages_dir: Path) -> None:
    # SOURCES.md records each file's SHA-256 as fetched; a changed byte (an editor, a line-ending filter)
    # would silently weaken every encoding test above.
    sources = (realpages_dir / "SOURCES.md").read_text(encoding="utf-8")
    recorded = dict((name, digest) for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", sources, re.M))
    assert set(recorded) == set(KNOWN_TEXT)
    for name, digest in recorded.items():
        assert hashlib.sha256((realpages_dir / name).read_bytes()).hexdigest() == digest, name


def test_breadcrumb_category_skips_the_brand_picker(realpages_dir: Path) -> None:
    # JD's crumb bar is 手机 > 手机通讯 > 手机 > [brand switcher listing other brands] > product. The switcher
    # (a dropdown holding a list) is not the product's trail: the category is the last real crumb.
    (claim,) = extract_page(_inject(realpages_dir, "jd_item_02_derived_jsp.html")).claims
    assert claim.product_category == "手机"


def test_claims_in_real_pages_inactive_tabs_are_not_hidden_text(realpages_dir: Path) -> None:
    # Marketplaces keep the 规格参数 table in a tab that is display:none until clicked (JD: data-tab="item";
    # Tmall: role="tabpanel"). A buyer opens it: its claims are not hidden text, their findings stay high.
    text = (realpages_dir / "jd_item_02_derived_jsp.html").read_bytes().decode("utf-8")
    tab = '<div data-tab="item" class="hide">\n                    <div class="Ptable">'
    assert text.count(tab) == 1
    shown = tab.replace('class="hide"', 'class="hide" style="display:none"')
    claim = '<div class="Ptable-item"><h3>主体</h3><dl><dt>执行标准</dt><dd>T/SHHJ 3-2018（上海标准）</dd></dl></div>'
    (found,) = extract_page(text.replace(tab, shown + claim).encode()).claims
    assert found.standard_code == "T/SHHJ 3-2018" and found.hidden is None
    # The same table hidden by a bare display:none (no tab): hidden text.
    bare = tab.replace('data-tab="item" class="hide"', 'style="display:none"')
    (hidden,) = extract_page(text.replace(tab, bare + claim).encode()).claims
    assert hidden.hidden == "display:none"
    tmall = (realpages_dir / "tmall_item_01.html").read_bytes().decode("utf-8")
    panel = 'id="ks-accordion-tab-panel1308" role="tabpanel" aria-hidden="true" aria-labelledby="ks-accordion-tab1325">'
    assert tmall.count(panel) == 1
    (in_panel,) = extract_page(
        tmall.replace(panel, panel + "<li>执行标准：T/SHHJ 3-2018（上海标准）</li>").encode()
    ).claims
    assert in_panel.hidden is None
