"""The audit's repros (issue 15) print the documents' own text.

Expected strings are copied by hand from the documents (seed/sources), never computed.
"""

import json


def lines_with(text: str, word: str) -> list[str]:
    return [x for x in text.splitlines() if word in x]


def test_flexible_retire_shows_the_online_menu_path(kiosk_stdout):
    # 000 §3.4.2③
    online = lines_with(kiosk_stdout("show", "--region", "shenyang", "--service", "flexible-retire"), "· 网上办：")
    assert len(online) == 1
    assert "沈阳政务服务网 http://zwfw.shenyang.gov.cn/" in online[0]
    assert "进入【主页】-【个人办事】-【医保网上服务】-【我要办】-【灵活就业人员在职转退休】" in online[0]


def test_personal_record_query_app_shows_the_documents_two_menu_items(kiosk_stdout):
    # 000 §11.2③: 进入【主页】-【账户查询】/【权益证明】
    app = lines_with(kiosk_stdout("show", "--region", "shenyang", "--service", "personal-record-query"), "· 掌上办：")
    assert len(app) == 1
    assert "沈阳智慧医保 APP 进入【主页】-【账户查询】/【权益证明】" in app[0]
    assert "【账户查询/权益证明】" not in app[0]  # the invented single item


def test_fushun_maternity_allowance_shows_the_menu_path(kiosk_stdout):
    # 003 §21.2②: 国家医疗保障公共服务平台[首页](#) - [地方版](#)
    online = lines_with(kiosk_stdout("show", "--region", "fushun", "--service", "maternity-allowance"), "· 网上办：")
    assert len(online) == 1
    assert "国家医疗保障公共服务平台 [首页] - [地方版]" in online[0]
    assert "http" not in online[0]  # the document gives no address


def test_office_is_labelled_as_the_document_does(kiosk_stdout):
    # 000 §23.2①/§24.2①: 现场办：沈阳市医疗保障事务服务中心办公室 (not a 窗口)
    for service in ("medical-institution-designation", "pharmacy-designation"):
        out = kiosk_stdout("show", "--region", "shenyang", "--service", service)
        assert "· 现场办：沈阳市医疗保障事务服务中心办公室" in out
        assert "窗口办：沈阳市医疗保障事务服务中心办公室" not in out


def test_show_gives_hall_directions(kiosk_stdout):
    out = kiosk_stdout("show", "--region", "shenyang", "--service", "flexible-enrol")
    # 002's 和平分中心 directions
    assert "乘车：乘坐128路、165路、247路、137路到“万科城西”站下车，或乘坐173路到“长白苑”站下车可到达。" in out


def test_older_notes_are_headed_by_their_own_document(kiosk_stdout):
    sy = kiosk_stdout("show", "--region", "shenyang", "--service", "flexible-enrol")
    assert "【注意事项（2020 年《市医保局全面推进基层政务公开标准化规范化工作指南（政务服务 32 项公开事项）》）】" in sy
    for region, service in (("fushun", "unit-registration"), ("kaiyuan", "unit-registration")):
        out = kiosk_stdout("show", "--region", region, "--service", service)
        assert "注意事项（" not in out and "2020" not in out


def test_differences_stay_in_their_region(kiosk_stdout):
    ky = kiosk_stdout("differences", "--region", "kaiyuan")
    assert ky.splitlines()[0] == "开原市：0 处文件差异（以较新的文件为准）"
    assert "004_709bd3044cefa219.txt  未注明日期《开原市医疗保障局 办事不找关系指南》" in ky
    assert "000_" not in ky and "001_" not in ky and "■" not in ky
    fs = json.loads(kiosk_stdout("differences", "--region", "fushun", "--json"))
    assert fs == []
    sy = json.loads(kiosk_stdout("differences", "--region", "shenyang", "--json"))
    assert sy and {d["region"] for d in sy} == {"shenyang"}
    assert {d["document"] for d in sy} <= {"000_56952294bcb9045a.txt", "001_59261023aeffb4ef.txt",
                                          "002_b2916466e5dfe043.txt"}
    # a hall difference and a service difference, each with its kind
    assert {d["kind"] for d in sy} == {"hall", "service"}
    text = kiosk_stdout("differences", "--region", "shenyang")
    assert "■ 沈阳市医疗保障事务服务中心沈河分中心 · address  〔002_b2916466e5dfe043.txt〕" in text
    assert "■ 单位参保登记（unit-registration） · time_limit  〔001_59261023aeffb4ef.txt〕" in text
