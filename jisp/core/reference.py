"""Reference data shipped with every installation: the sectors of the seed and their ministries.

Loaded by migration 0003 and kept in sync by ``jisp demo``. Water supply moved from the Ministry of
Health, Labour and Welfare to MLIT in April 2024; the table follows today's arrangement.
"""

from __future__ import annotations

from typing import Any

#: (Japanese name, English name, short code)
MINISTRIES = [
    ("総務省", "Ministry of Internal Affairs and Communications", "MIC"),
    ("金融庁", "Financial Services Agency", "FSA"),
    ("国土交通省", "Ministry of Land, Infrastructure, Transport and Tourism", "MLIT"),
    ("経済産業省", "Ministry of Economy, Trade and Industry", "METI"),
    ("法務省", "Ministry of Justice", "MOJ"),
    ("警察庁", "National Police Agency", "NPA"),
]

#: The 22 sectors of critical services in the seed, in its order, with the ministry in charge.
SECTORS = [
    ("telecoms", "通信", "Telecommunications", "MIC"),
    ("broadcasting", "放送", "Broadcasting", "MIC"),
    ("finance", "金融", "Finance", "FSA"),
    ("aviation", "航空", "Aviation", "MLIT"),
    ("railways", "鉄道", "Railways", "MLIT"),
    ("electricity", "電力", "Electricity", "METI"),
    ("gas", "ガス", "Gas", "METI"),
    ("water", "上水道", "Water supply", "MLIT"),
    ("logistics", "物流", "Logistics", "MLIT"),
    ("credit", "クレジット", "Credit cards", "METI"),
    (
        "local_government",
        "行政サービス（地方自治体）",
        "Government services (local authorities)",
        "MIC",
    ),
    ("sewerage", "下水道", "Sewerage", "MLIT"),
    ("airports", "空港", "Airports", "MLIT"),
    (
        "traffic_control",
        "道路・海上・航空交通管制",
        "Road, maritime and air traffic control",
        "MLIT",
    ),
    ("emergency_calls", "緊急通報", "Emergency calls", "MIC"),
    ("weather", "気象・災害情報", "Weather and disaster information", "MLIT"),
    ("immigration", "出入国管理", "Immigration control", "MOJ"),
    ("expressways", "高速道路", "Expressways", "MLIT"),
    ("heat_supply", "熱供給", "Heat supply", "METI"),
    ("buses", "バス", "Buses", "MLIT"),
    ("security_services", "警備", "Security services", "NPA"),
    ("travel", "旅行", "Travel", "MLIT"),
]

CENTRE_NAME = "サイバーセキュリティ対処調整センター"
CENTRE_NAME_EN = "Cybersecurity Coordination Centre"


def load(organisation_model: Any, sector_model: Any) -> None:
    """Create or update the ministries, the centre and the sectors (idempotent)."""
    by_code = {}
    for name, name_en, short in MINISTRIES:
        ministry, _ = organisation_model.objects.update_or_create(
            category="ministry",
            short_name=short,
            defaults={"name": name, "name_en": name_en},
        )
        by_code[short] = ministry
    organisation_model.objects.get_or_create(
        category="centre",
        short_name="CCC",
        defaults={"name": CENTRE_NAME, "name_en": CENTRE_NAME_EN},
    )
    for position, (code, name_ja, name_en, ministry) in enumerate(SECTORS, start=1):
        sector_model.objects.update_or_create(
            code=code,
            defaults={
                "name_ja": name_ja,
                "name_en": name_en,
                "ministry": by_code[ministry],
                "position": position,
            },
        )
