"""A small seed, written by hand: two made-up documents of a region `test` (an older
guide of 2020 and a newer one of 2025) and one record of every kind the loader reads — a
region with a hotline and a hall whose address changed, a service with a conditional
material, channels, a time limit, tips and phones, a 禁办 and a 容缺 list, an older
document's item merged into it, and a policy topic with a fact and a table.

It loads without a problem; tests/test_sources_small_seed.py breaks it one rule at a time.
The documents are fixtures (example.org, 024-…), not catalogue data.
"""

from __future__ import annotations

from pathlib import Path

FILES = {
"sources/001_abc.txt": """示例公开指南
一、参保登记
1.居民身份证原件及复印件。
2.单位登记表，加盖单位公章。
3.户口簿复印件。
办理时限：5个工作日。
办理环节：受理、审核、办结。
设定依据：《示例条例》。
二、服务大厅
示例大厅，地址：和平区旧路1号，电话：024-11112222。
""",
"sources/002_def.txt": """示例办事指南
一、参保登记
1.1 申请材料
①居民身份证原件及复印件。
②代办人身份证原件。
1.2 办理渠道
①窗口办：示例大厅3号窗口
②网上办：示例平台 http://example.org/apply/
1.3 办理时限：即时办结
1.4 温馨提示：外地户籍人员需提供居住证。
咨询电话：024-87654321
二、服务大厅
示例大厅，地址：和平区新路8号，电话：024-12345678。
违规禁办事项清单
1.冒名办理的。
容缺办理事项清单
1.居民身份证（申请人提供） 补正期限：5个工作日
缴费政策
政策依据：《示例办法》。
单位缴费比例为8%。
档次 比例
一档 8%
""",
"documents.yaml": """documents:
  - file: 001_abc.txt
    title: 示例公开指南
    region: test
    date: "2020"
    rank: 1
  - file: 002_def.txt
    title: 示例办事指南
    short_title: 办事指南
    issuer: 示例中心
    region: test
    date: "2025"
    rank: 2
""",
"vocabulary.yaml": """topics:
  - {id: enrolment, label: 参保登记}
audiences: [个人, 单位]
evidence:
  - {id: id_card, name: 居民身份证}
questions:
  - id: applicant
    text: 由谁来办理？
    options:
      - {id: self, label: 本人办理}
      - {id: proxy, label: 他人代办}
""",
"test/region.yaml": """document: 002_def.txt
region:
  id: test
  name: 示例市
  hotline: {number: "024-87654321", label: 咨询电话, ref: "§一 1.4"}
halls:
  - id: main
    name: 示例大厅
    address: 和平区新路8号
    phone: "024-12345678"
    ref: "§二"
    differences:
      - field: address
        older: 和平区旧路1号
        older_ref: "001_abc.txt §二"
        newer: 和平区新路8号
        note: 地址以较新文件为准
""",
"test/services-002.yaml": """document: 002_def.txt
region: test
services:
  - id: enrol
    name: 参保登记
    category: 参保登记
    audience: 个人
    topics: [enrolment]
    ref: "§一"
    questions: [applicant]
    materials:
      - text: 居民身份证原件及复印件。
        evidence: id_card
        original: 原件及复印件
        ref: "§一 1.1①"
      - text: 代办人身份证原件。
        name: 代办人身份证
        original: 原件
        when: {applicant: proxy}
        ref: "§一 1.1②"
    channels:
      - type: window
        text: 窗口办：示例大厅3号窗口
        place: 示例大厅
        window: 3号窗口
        ref: "§一 1.2①"
      - type: online
        text: 网上办：示例平台 http://example.org/apply/
        name: 示例平台
        url: http://example.org/apply/
        ref: "§一 1.2②"
    time_limit: {text: 即时办结, days: 0, ref: "§一 1.3"}
    tips:
      - {text: 外地户籍人员需提供居住证。, ref: "§一 1.4"}
    phones:
      - {number: "024-87654321", label: 咨询电话, ref: "§一 1.4"}
refusal_lists:
  - matter: 参保登记
    heading: 不予受理
    applies_to: [enrol]
    ref: "§违规禁办事项清单"
    items:
      - {text: 冒名办理的。, ref: "§违规禁办事项清单 1"}
deferrable_lists:
  - matter: 参保登记
    applies_to: [enrol]
    deadline: {text: "补正期限：5个工作日", days: 5, ref: "§容缺办理事项清单 1"}
    ref: "§容缺办理事项清单"
    items:
      - text: 居民身份证
        matches: 居民身份证
        ref: "§容缺办理事项清单 1"
""",
"test/items-001.yaml": """document: 001_abc.txt
region: test
items:
  - title: 参保登记
    ref: "§一"
    merge_into: enrol
    materials:
      - {text: 户口簿复印件。, original: 复印件, silent: true, ref: "§一.3"}
    time_limit: {text: 5个工作日。, days: 5, ref: "§一"}
    steps:
      - {text: 办理环节：受理、审核、办结。, ref: "§一"}
    legal_basis:
      - {text: 设定依据：《示例条例》。, ref: "§一"}
""",
"test/policy-002.yaml": """document: 002_def.txt
region: test
policy_topics:
  - id: rates
    title: 缴费政策
    ref: "§缴费政策"
    basis: {text: 政策依据：《示例办法》。, ref: "§缴费政策"}
    paragraphs:
      - {text: 单位缴费比例为8%。, ref: "§缴费政策"}
    facts:
      - {label: 单位缴费比例, value: "8%", ref: "§缴费政策"}
    tables:
      - title: 缴费档次
        columns: [档次, 比例]
        rows: [[一档, "8%"]]
        ref: "§缴费政策"
        notes:
          - {text: 单位缴费比例为8%。, ref: "§缴费政策"}
    services: [enrol]
""",
}


def write_small_seed(root: Path) -> Path:
    """Write the small seed under root/seed and return that folder."""
    for rel, text in FILES.items():
        p = root / "seed" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root / "seed"
