"""Cleaning rules, on real broken snippets of the source documents."""

from kiosk.catalogue.cleaning import clean_document_text, match_key, normalize_lookalikes

# 000, page break inside 2.1: footer URL repeated, then the page continues mid-sentence.
SNIPPET_FOOTER = """个人出现国家规定的停止享受医保待遇的情形后，待遇享受

人员或者其亲属应当自相关情形发生之日起 20 个工作日内告知

http://ybj.shenyang.gov.cn
 医保经办机构，无法通过数据共享获取相关证明的需提供相应的

佐证资料。
"""

# 000, 16.2: a page number between two list items.
SNIPPET_PAGE_NUMBER = """16.2 办理路径

①掌上办：沈阳智慧医保 APP



— 40 —

②窗口办：公共业务服务部及各分中心综合窗口
"""

# 000, 3.1.2: a genuine URL at the end of a page followed by its footer copy.
SNIPPET_GENUINE_URL = """③网上办：沈阳政务服务网：

http://zwfw.shenyang.gov.cn/

http://zwfw.shenyang.gov.cn/
 3.1.3 办理时限：即时办结（不含网办）
"""

# 002: Kangxi radicals and CJK Radicals Supplement look-alikes.
SNIPPET_RADICALS = "乘坐116路、205路、299路、地铁⼗号线“百⻦公园”站下⻋可到达。⼈⺠⻔⻄⻓"


def test_footer_url_inside_a_sentence_is_dropped_and_the_sentence_joined():
    text = clean_document_text(SNIPPET_FOOTER)
    assert "http://" not in text
    assert "应当自相关情形发生之日起 20 个工作日内告知医保经办机构，无法通过数据共享" in text


def test_page_number_is_dropped_and_list_items_stay_apart():
    text = clean_document_text(SNIPPET_PAGE_NUMBER)
    assert "40" not in text
    lines = text.splitlines()
    assert "①掌上办：沈阳智慧医保 APP" in lines
    assert "②窗口办：公共业务服务部及各分中心综合窗口" in lines


def test_genuine_url_is_kept_once():
    text = clean_document_text(SNIPPET_GENUINE_URL)
    assert text.count("http://zwfw.shenyang.gov.cn/") == 1
    assert "3.1.3 办理时限：即时办结（不含网办）" in text


def test_radical_lookalikes_become_searchable_ideographs():
    fixed = normalize_lookalikes(SNIPPET_RADICALS)
    assert "地铁十号线“百鸟公园”站下车可到达" in fixed
    assert fixed.endswith("人民门西长")
    # the supplement block is exactly what NFKC leaves alone
    import unicodedata

    assert unicodedata.normalize("NFKC", "⻦⻔") == "⻦⻔"
    assert normalize_lookalikes("⻦⻔") == "鸟门"


def test_match_key_ignores_width_spacing_quotes_and_urls():
    a = match_key("②网上办：沈阳政务服务网：\n\nhttp://zwfw.shenyang.gov.cn/")
    b = match_key("网上办:沈阳政务服务网:")
    assert b in a
    assert match_key("“网上办”") == match_key('"网上办"')
    assert match_key("[个人事项详情](#)") == match_key("个人事项详情")


def test_whole_document_002_has_no_lookalikes_left():
    from tests.conftest import SEED

    raw = (SEED / "sources" / "002_b2916466e5dfe043.txt").read_text(encoding="utf-8")
    cleaned = clean_document_text(raw)
    assert not any(0x2E80 <= ord(c) <= 0x2FDF for c in cleaned)
    assert "沈阳市医疗保障事务服务中心" in cleaned
