"""打印测试页: a sample checklist on the configured printer, through kiosk.printing.

kiosk.printing is its own package (see its docstring); this module only asks it
whether it is there. `available()` is False when it cannot be imported, and the
configuration screen then shows no test button.
"""

from __future__ import annotations

import logging
from datetime import datetime

log = logging.getLogger("kiosk.staff")

FAULT_TEXT = {
    "no-printer": "未设置打印机", "not-found": "找不到打印机（请检查队列名或地址）", "offline": "打印机离线",
    "paper-out": "打印机缺纸", "refused": "打印机拒绝打印任务", "disconnected": "打印机连接中断",
    "timeout": "打印超时", "error": "打印出错",
}


def available() -> bool:
    try:
        from kiosk.printing import build_document, print_checklist  # noqa: F401
    except ImportError:
        return False
    return True


def sample_guide(catalogue, region_id: str):
    """The guide of the region's first service with an online address (a QR code on the page)."""
    from kiosk.catalogue.guide import build_guide

    services = catalogue.services(region_id)
    svc = next((s for s in services if any(c.type == "online" and c.url for c in s.channels)), services[0])
    return build_guide(svc, {})


def print_test_page(catalogue, config, now: datetime | None = None) -> tuple[bool, str]:
    """Print it; returns (ok, a sentence for staff in Chinese). Blocks up to the printer timeout."""
    from kiosk.printing import build_document, print_checklist

    region = catalogue.region(config.region)
    halls = catalogue.halls(region.id)
    hall = next((h for h in halls if h.id == config.hall), halls[0] if halls else None)
    doc = build_document(sample_guide(catalogue, region.id), region, hall, serial="TEST", now=now or datetime.now())
    result = print_checklist(doc, config.printer)
    if result.ok:
        return True, "测试页已发送到打印机，请查看打印效果。"
    reason = FAULT_TEXT.get(result.fault or "error", "打印出错")
    return False, f"测试页没有打印：{reason}。{result.detail}".strip()
