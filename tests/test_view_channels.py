"""How the guide view words a channel (kiosk.catalogue.view): its label, menu path and one-line
summary, on hand-written channels. Every renderer prints these strings, so each case's
expected line is written out in full. No Qt, no catalogue: fast enough for mutation runs.

The channels are made up for the tests (example.org), not catalogue data.
"""

from __future__ import annotations

import pytest

from kiosk.catalogue.model import Channel, Difference, Hall
from kiosk.catalogue.view import _strip_prefix, channel_label, channel_summary, hall_view, menu_text


def ch(type_: str, text: str, **kw) -> Channel:
    return Channel(type=type_, text=text, ref="001_abc.txt §一", **kw)


# -- label -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "label"), [
    ("现场办：到大厅", "现场办"),
    ("① 线下办: 到大厅", "线下办"),
    ("（2）窗口办：到大厅", "窗口办"),
    ("(3)网上办：登录", "网上办"),
    ("医保网上办理：登录", "窗口办"),  # five characters before 办: not a label, the type's word
    ("到大厅现场办：", "窗口办"),  # not at the start
    ("现场办理", "窗口办"),  # no colon
])
def test_channel_label_is_the_documents_own_label_else_the_types(text, label):
    assert channel_label(ch("window", text)) == label


def test_channel_label_of_each_type_and_of_an_unknown_type():
    assert [channel_label(ch(t, "到大厅")) for t in ("online", "app", "wechat", "miniprogram", "kiosk",
                                                    "agency", "hospital", "email", "office")] == [
        "网上办", "掌上办", "公众号", "小程序", "一体机/自助办", "代办机构", "医疗机构办理", "网上办（邮箱）", "现场办"]
    assert channel_label(ch("fax", "到大厅")) == "fax"


# -- menu path ---------------------------------------------------------------------------------
def test_menu_text_in_brackets_after_enter():
    c = ch("app", "下载APP后进入【主页】-【账户查询】/【权益证明】即可", path=["主页", "账户查询", "权益证明"])
    assert menu_text(c) == "进入【主页】-【账户查询】/【权益证明】"


def test_menu_text_in_square_brackets():
    c = ch("app", "打开后点击[首页] - [地方版]查询", path=["首页", "地方版"])
    assert menu_text(c) == "[首页] - [地方版]"


def test_menu_text_without_brackets():
    c = ch("app", "打开后点击首页，再点地方版查询", path=["首页", "地方版"])
    assert menu_text(c) == "首页，再点地方版"


def test_menu_text_at_the_very_start_and_end():
    assert menu_text(ch("app", "首页-地方版", path=["首页", "地方版"])) == "首页-地方版"
    assert menu_text(ch("app", "【首页】-【地方版】", path=["首页", "地方版"])) == "【首页】-【地方版】"


def test_menu_text_one_character_before_is_not_enter():
    assert menu_text(ch("app", "入【首页】", path=["首页"])) == "【首页】"


def test_menu_text_without_path_or_not_in_the_text():
    assert menu_text(ch("app", "【首页】")) == ""
    assert menu_text(ch("app", "打开后查询", path=["首页", "地方版"])) == "首页 - 地方版"


# -- summary -------------------------------------------------------------------------------------
def test_window_summary_place_and_window():
    c = ch("window", "窗口办：到大厅", place="示例中心", window="3号窗口")
    assert channel_summary(c) == "窗口办：示例中心 3号窗口"


def test_window_summary_window_already_in_the_place():
    c = ch("window", "窗口办：到大厅", place="示例中心3号窗口", window="3号窗口")
    assert channel_summary(c) == "窗口办：示例中心3号窗口"


def test_window_summary_falls_back_to_the_text():
    assert channel_summary(ch("window", "到示例中心办理")) == "窗口办：到示例中心办理"
    assert channel_summary(ch("window", "到示例中心办理", window="5号窗口")) == "窗口办：到示例中心办理 5号窗口"


def test_app_summary_with_menu():
    c = ch("app", "打开示例APP进入【主页】-【查询】", app="示例APP", name="别名", path=["主页", "查询"])
    assert channel_summary(c) == "掌上办：示例APP 进入【主页】-【查询】"


@pytest.mark.parametrize("type_", ["wechat", "miniprogram"])
def test_wechat_and_miniprogram_summary_name_then_text(type_):
    assert channel_summary(ch(type_, "关注公众号", name="示例医保")).endswith("：示例医保")
    assert channel_summary(ch(type_, "关注公众号")).endswith("：关注公众号")


def test_online_summary_name_url_menu():
    c = ch("online", "登录示例网进入【办事】", name="示例网", url="http://example.org", path=["办事"])
    assert channel_summary(c) == "网上办：示例网 http://example.org 进入【办事】"


def test_online_summary_without_url_says_so():
    assert channel_summary(ch("online", "登录示例网", name="示例网")) == "网上办：示例网 （文件未给出网址）"
    assert channel_summary(ch("online", "登录示例网")) == "网上办：登录示例网 （文件未给出网址）"
    assert channel_summary(ch("online", "登录", url="http://example.org")) == "网上办：http://example.org"


def test_blank_channel_says_the_document_gives_no_address():
    c = ch("online", "网上办：", blank=True, note="见官网")
    assert channel_summary(c) == "网上办：文件未给出具体地址"


def test_email_summary():
    assert channel_summary(ch("email", "发邮件", email="a@example.org")) == "网上办（邮箱）：a@example.org"
    assert channel_summary(ch("email", "发邮件")) == "网上办（邮箱）：发邮件"


def test_other_types_place_then_name_then_text():
    assert channel_summary(ch("agency", "委托代办", place="示例所", name="乙")) == "代办机构：示例所"
    assert channel_summary(ch("agency", "委托代办", name="乙")) == "代办机构：乙"
    assert channel_summary(ch("agency", "委托代办")) == "代办机构：委托代办"


def test_summary_adds_the_note_in_brackets():
    assert channel_summary(ch("agency", "委托代办", note="需授权")) == "代办机构：委托代办 （需授权）"


# -- small pieces ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "out"), [
    ("窗口办：到示例中心", "到示例中心"),
    ("窗口办: 到示例中心 ", "到示例中心"),
    ("一二三四五六七：到示例中心", "一二三四五六七：到示例中心"),  # seven characters: no label
    ("窗口办：", "窗口办："),
    (" 到示例中心 ", "到示例中心"),
])
def test_strip_prefix(text, out):
    assert _strip_prefix(text) == out


def test_hall_view_keeps_every_field_and_its_differences():
    d = Difference(field="phone", older="024-1", older_ref="002_def.txt §一", newer="024-2",
                   newer_ref="001_abc.txt §二", note="新号", subject="hall_a", region="test",
                   document="001_abc.txt", kind="value")
    h = Hall(region="test", id="hall_a", name="示例大厅", ref="001_abc.txt §二", address="示例路8号",
             phone="024-2", directions="乘1路", note="周末休息", differences=[d])
    v = hall_view(h)
    assert (v.region, v.id, v.name, v.ref, v.address, v.phone, v.directions, v.note) == (
        "test", "hall_a", "示例大厅", "001_abc.txt §二", "示例路8号", "024-2", "乘1路", "周末休息")
    [dv] = v.differences
    assert (dv.field, dv.older, dv.older_ref, dv.newer, dv.newer_ref, dv.note, dv.subject, dv.region,
            dv.document, dv.kind) == ("phone", "024-1", "002_def.txt §一", "024-2", "001_abc.txt §二", "新号",
                                      "hall_a", "test", "001_abc.txt", "value")


def test_menu_text_starts_at_the_first_occurrence_of_the_first_item():
    c = ch("app", "首页说明：进入【首页】-【地方版】", path=["首页", "地方版"])
    assert menu_text(c) == "首页说明：进入【首页】-【地方版】"


def test_menu_text_at_the_start_of_a_text_that_ends_in_a_bracket():
    assert menu_text(ch("app", "首页-地方版【", path=["首页", "地方版"])) == "首页-地方版"


@pytest.mark.parametrize(("text", "path", "menu"), [
    ("点X首页-地方版", ["首页", "地方版"], "首页-地方版"),  # only 【 or [ before the first item is kept
    ("首页-地方版X", ["首页", "地方版"], "首页-地方版"),  # only 】 or ] after the last
    ("进入首页", ["首页"], "进入首页"),  # 进入 at the very start
    ("地方版说明：首页-地方版", ["首页", "地方版"], "首页-地方版"),  # each item after the one before
    ("首页-地方版-地方版", ["首页", "地方版"], "首页-地方版"),  # the next occurrence, not the last
])
def test_menu_text_edges(text, path, menu):
    assert menu_text(ch("app", text, path=path)) == menu


@pytest.mark.parametrize("type_", ["app", "wechat", "miniprogram"])
def test_app_like_channels_add_their_menu(type_):
    c = ch(type_, "关注后进入【服务】", name="示例医保", path=["服务"])
    assert channel_summary(c).endswith("：示例医保 进入【服务】")


def test_window_without_place_keeps_its_window():
    assert channel_summary(ch("window", "到大厅", window="XX")) == "窗口办：到大厅 XX"
