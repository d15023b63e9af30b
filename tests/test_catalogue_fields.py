"""A handful of services per region, checked field by field against the documents."""

from kiosk.catalogue.guide import build_guide


def texts(items):
    return [i.text for i in items]


def joined(items):
    return "\n".join(texts(items))


# -- Shenyang -------------------------------------------------------------------------------
def test_shenyang_flexible_enrol_nonlocal_by_proxy(catalogue):
    svc = catalogue.service("shenyang", "flexible-enrol")
    assert svc.name == "灵活就业人员参保登记-参保登记"
    assert {q.id for q in svc.questions} >= {"hukou", "applicant"}
    g = build_guide(svc, {"hukou": "nonlocal", "applicant": "proxy"})
    m = joined(g.materials)
    assert "外地户籍人员需提供本人身份证和居住证" in m
    assert "代办需提供代办人有效身份证件" in m
    assert "户口簿" not in m  # that is the 本市户籍 material
    g_local_self = build_guide(svc, {"hukou": "local", "applicant": "self"})
    assert "本市户籍人员需提供本人身份证和户口簿" in joined(g_local_self.materials)
    assert "代办人" not in joined(g_local_self.materials)
    assert g.online_url == "http://zwfw.shenyang.gov.cn/"
    app = next(c for c in svc.channels if c.type == "app")
    assert app.app == "沈阳智慧医保 APP" and app.path == ["主页", "个体居民", "灵活就业人员参保登记"]
    assert any(c.type == "kiosk" for c in svc.channels)
    assert svc.time_limit.text == "即时办结（不含网办）" and svc.time_limit.days == 0
    assert "024-12345-1-7" in [p.number for p in svc.phones]
    # merged from 001 (2020): its 办理环节 and 设定依据
    assert any("申请" in s.text for s in svc.steps)
    assert any("社会保险法" in b.text for b in svc.legal_basis)


def test_shenyang_unit_registration_open_and_close(catalogue):
    svc = catalogue.service("shenyang", "unit-registration")
    assert svc.audience == "单位"
    assert svc.time_limit.text == "5 个工作日" and svc.time_limit.days == 5
    close = joined(build_guide(svc, {"unit_action": "close"}).materials)
    assert "单位批准注销的书面资料" in close
    assert "统一社会信用代码证书" not in close
    form = next(m for m in svc.materials if m.form)
    assert "基本医疗保险单位参保信息登记表" in form.form.title
    assert form.form.url == "http://ybj.shenyang.gov.cn"
    # 001 (2020) says 即时办结; the newer 000 wins and the difference is recorded
    tl = [d for d in svc.differences if d.field == "time_limit"]
    assert tl and any("即时办结" in d.older for d in tl)
    assert all(d.older_ref and d.older_ref.startswith("001_") for d in tl)


def test_shenyang_designation_refusals(catalogue):
    svc = catalogue.service("shenyang", "medical-institution-designation")
    assert svc.audience == "医药机构"
    assert len(svc.refusals) == 9
    assert any("种植牙" in r.text for r in svc.refusals)
    assert any(p.number == "62693677" for p in svc.phones)
    assert build_guide(svc).online_url == "http://yyjg.ybj.shenyang.gov.cn/"


def test_shenyang_maternity_allowance_deferrable_and_newer_materials(catalogue):
    svc = catalogue.service("shenyang", "maternity-allowance")
    flagged = [m for m in svc.materials if m.deferrable_deadline]
    assert flagged and all("生育登记单" in m.text for m in flagged)
    assert all(m.deferrable_days == 10 and "10个工作日" in m.deferrable_deadline for m in flagged)
    # the 2025-12 handbook's material lists replace 000's; 000's are kept as a difference
    assert any(m.ref.startswith("002_") for m in svc.materials)
    assert any(d.field == "materials" for d in svc.differences)


def test_shenyang_halls_newer_address_wins(catalogue):
    halls = {h.id: h for h in catalogue.halls("shenyang")}
    assert len(halls) == 15
    zs = halls["zhangshi"]
    assert "开发十九号路21号" in zs.address.replace(" ", "")
    assert zs.phone == "024-64689587"
    assert "宁官" in zs.directions
    assert any("流花湖街" in d.older for d in zs.differences)
    assert catalogue.region("shenyang").hotline.number == "024-12345-1-7"


def test_shenyang_policy_reference_tables(catalogue):
    topics = catalogue.policy_topics("shenyang")
    tables = [t for topic in topics for t in topic.tables]
    inpatient = next(t for t in tables if "住院医疗费用报销比例" in t.title)
    cells = {c for row in inpatient.rows for c in row}
    assert {"94%", "97%", "1200"} <= cells
    linked = catalogue.policy_topics("shenyang", "inpatient-reimbursement")
    assert linked, "the inpatient table explains the inpatient reimbursement service"


# -- Fushun -----------------------------------------------------------------------------------
def test_fushun_unit_registration(catalogue):
    svc = catalogue.service("fushun", "unit-registration")
    assert len(svc.materials) == 3
    assert "统一社会信用代码证书原件或复印件" in joined(svc.materials)
    assert svc.time_limit.text == "5个工作日内办结"
    assert any(p.number == "53997899" for p in svc.phones)
    assert [c.type for c in svc.channels] == ["window"]
    assert "医保服务大厅" in svc.channels[0].place


def test_fushun_maternity_allowance_deferrable_and_refusals(catalogue):
    svc = catalogue.service("fushun", "maternity-allowance")
    later = {d.text for d in svc.deferrable_items} | {m.text for m in svc.materials if m.deferrable_deadline}
    assert {"结婚证", "生育登记单"} <= {t.strip("《》") for t in later} | later
    assert all(d.deadline_days == 20 for d in svc.deferrable_items)
    assert any("医保连续缴费不满十个月" in r.text for r in svc.refusals)


def test_fushun_halls(catalogue):
    halls = catalogue.halls("fushun")
    assert len(halls) == 10
    assert any(h.phone == "024-53997796" and "顺城" in h.name for h in halls)


# -- Kaiyuan ----------------------------------------------------------------------------------
def test_kaiyuan_unit_registration_window_and_url(catalogue):
    svc = catalogue.service("kaiyuan", "unit-registration")
    window = next(c for c in svc.channels if c.type == "window")
    assert "15" in window.window and "号" in window.window
    assert build_guide(svc).online_url == "http://wt.tlyb.vip/hallEnter/#/"


def test_kaiyuan_blank_online_channel_is_recorded_not_invented(catalogue):
    svc = catalogue.service("kaiyuan", "resident-enrol")
    online = [c for c in svc.channels if c.type == "online"]
    assert online and all(c.blank and not c.url for c in online)
    assert build_guide(svc).online_url is None


def test_kaiyuan_remote_filing_by_email_and_reimbursement_refusals(catalogue):
    svc = catalogue.service("kaiyuan", "remote-retiree-resettlement")
    assert any(c.type == "email" and c.email == "kyybfzx@163.com" for c in svc.channels)
    out = catalogue.service("kaiyuan", "outpatient-reimbursement")
    assert any("工伤保险基金" in r.text for r in out.refusals)
    assert {"73600683", "73600623"} <= {p.number for p in out.phones}


def test_kaiyuan_hall_has_no_invented_address(catalogue):
    halls = catalogue.halls("kaiyuan")
    assert len(halls) == 1
    assert halls[0].address is None and halls[0].phone is None
    assert halls[0].name == "开原市医疗保障事务服务中心"
