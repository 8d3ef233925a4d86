"""The demo organisations: 330 in the seed's categories and 22 sectors, with fictional names.

Public bodies (ministries, the information-security agencies, police forces) carry their real
names, as the reference data does; every company, city, venue and federation is invented around a
fictional host city, 東都 (Toto). Every organisation gets its own reserved example domain
(``*.example.jp``, or ``*.example`` for foreign partners), so no address can reach anyone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from jisp.core import reference
from jisp.core.choices import OrganisationCategory as Cat

#: How many organisations the seed reports (reference ministries and the centre included).
TOTAL = 330


@dataclass(frozen=True)
class OrgSpec:
    """One demo organisation. ``reference`` ones exist already (migration 0003) and are kept."""

    category: str
    name: str
    name_en: str
    domain: str
    short_name: str = ""
    sector: str | None = None
    english: bool = False  # staffed by people with English names, English UI
    reference: bool = False


#: (Japanese, romaji) prefixes of invented company and venue names.
PREFIXES: list[tuple[str, str]] = [
    ("東都", "Toto"), ("みなと", "Minato"), ("湾岸", "Wangan"), ("北辰", "Hokushin"),
    ("青葉", "Aoba"), ("若葉", "Wakaba"), ("桜台", "Sakuradai"), ("翠山", "Suizan"),
    ("朝霧", "Asagiri"), ("白鷺", "Shirasagi"), ("光が丘", "Hikarigaoka"), ("常盤", "Tokiwa"),
    ("葵", "Aoi"), ("銀河", "Ginga"), ("暁", "Akatsuki"), ("旭野", "Asahino"),
    ("花園", "Hanazono"), ("月見", "Tsukimi"), ("星見", "Hoshimi"), ("緑川", "Midorikawa"),
    ("清流", "Seiryu"), ("大樹", "Taiju"), ("天空", "Tenku"), ("碧海", "Hekikai"),
    ("紫苑", "Shion"), ("春日野", "Kasugano"), ("秋津", "Akitsu"), ("飛鳥野", "Asukano"),
    ("小春", "Koharu"), ("若潮", "Wakashio"), ("白砂", "Shirasuna"), ("青嵐", "Seiran"),
    ("朝日台", "Asahidai"), ("夕凪", "Yunagi"), ("風見", "Kazami"), ("雲雀", "Hibari"),
    ("鳴海", "Narumi"), ("稲穂", "Inaho"), ("楓", "Kaede"), ("椿", "Tsubaki"),
    ("藤波", "Fujinami"), ("浜風", "Hamakaze"), ("北斗", "Hokuto"), ("南風", "Minamikaze"),
    ("東雲", "Shinonome"), ("西海", "Saikai"), ("瑞雲", "Zuiun"), ("豊海", "Toyomi"),
    ("大和野", "Yamatono"), ("武蔵台", "Musashidai"), ("相模野", "Sagamino"),
    ("晴海台", "Harumidai"),
    ("葛西浜", "Kasaihama"), ("多摩丘", "Tamaoka"), ("隅田原", "Sumidahara"), ("日比野", "Hibino"),
]  # fmt: skip

#: (Japanese, romaji) names of invented cities (local government, water, sewerage, fire bureaus).
CITIES: list[tuple[str, str]] = [
    ("みどり野", "Midorino"), ("さくら台", "Sakuradai"), ("ひかり浜", "Hikarihama"),
    ("あおば台", "Aobadai"), ("つばさ野", "Tsubasano"), ("ゆめが丘", "Yumegaoka"),
    ("かえで原", "Kaedehara"), ("はるかぜ", "Harukaze"), ("ほしの台", "Hoshinodai"),
    ("みずほ野", "Mizuhono"), ("あさひ浜", "Asahihama"), ("こもれび", "Komorebi"),
    ("なぎさ", "Nagisa"), ("いずみ野", "Izumino"), ("もみじ台", "Momijidai"),
    ("すずらん", "Suzuran"), ("わかば野", "Wakabano"), ("ひばり野", "Hibarino"),
    ("しらかば", "Shirakaba"), ("たちばな", "Tachibana"),
]  # fmt: skip

#: Operators per sector (200 in all) and the shapes of their names:
#: (Japanese suffix, English suffix, domain word). "{c}" marks a city-based name.
SECTOR_PLAN: dict[str, tuple[int, list[tuple[str, str, str]]]] = {
    "telecoms": (14, [
        ("通信株式会社", "Telecommunications Co., Ltd.", "tel"),
        ("ネットワークス株式会社", "Networks Co., Ltd.", "net"),
    ]),
    "broadcasting": (12, [
        ("放送株式会社", "Broadcasting Co., Ltd.", "bc"),
        ("テレビ株式会社", "Television Co., Ltd.", "tv"),
    ]),
    "finance": (20, [
        ("銀行", "Bank, Ltd.", "bank"),
        ("信用金庫", "Shinkin Bank", "shinkin"),
        ("証券株式会社", "Securities Co., Ltd.", "sec"),
        ("生命保険株式会社", "Life Insurance Co., Ltd.", "life"),
        ("損害保険株式会社", "General Insurance Co., Ltd.", "sonpo"),
    ]),
    "aviation": (8, [("航空株式会社", "Airlines Co., Ltd.", "air")]),
    "railways": (16, [
        ("鉄道株式会社", "Railway Co., Ltd.", "rail"),
        ("電鉄株式会社", "Electric Railway Co., Ltd.", "dentetsu"),
    ]),
    "electricity": (12, [
        ("電力株式会社", "Electric Power Co., Inc.", "power"),
        ("送配電株式会社", "Power Grid Co., Inc.", "grid"),
    ]),
    "gas": (8, [("ガス株式会社", "Gas Co., Ltd.", "gas")]),
    "water": (10, [("{c}市水道局", "{c} City Waterworks Bureau", "water")]),
    "logistics": (10, [
        ("運輸株式会社", "Transport Co., Ltd.", "unyu"),
        ("物流株式会社", "Logistics Co., Ltd.", "logi"),
    ]),
    "credit": (8, [
        ("カード株式会社", "Card Co., Ltd.", "card"),
        ("クレジットサービス株式会社", "Credit Services Co., Ltd.", "credit"),
    ]),
    "local_government": (20, [("{c}市", "{c} City", "city")]),
    "sewerage": (6, [("{c}市下水道局", "{c} City Sewerage Bureau", "gesui")]),
    "airports": (6, [
        ("空港ビルディング株式会社", "Airport Terminal Co., Ltd.", "apt"),
        ("国際空港株式会社", "International Airport Co., Ltd.", "airport"),
    ]),
    "traffic_control": (5, [
        ("道路交通管制センター", "Road Traffic Control Centre", "rtc"),
        ("海上交通センター", "Vessel Traffic Service Centre", "vts"),
        ("航空管制システム株式会社", "Air Traffic Systems Co., Ltd.", "atc"),
    ]),
    "emergency_calls": (4, [("{c}市消防局", "{c} City Fire Bureau", "fire")]),
    "weather": (4, [
        ("気象サービス株式会社", "Weather Services Co., Ltd.", "wx"),
        ("防災情報株式会社", "Disaster Information Co., Ltd.", "bosai"),
    ]),
    "immigration": (2, [("入国管理システム株式会社", "Immigration Systems Co., Ltd.", "imm")]),
    "expressways": (6, [("高速道路株式会社", "Expressway Co., Ltd.", "expwy")]),
    "heat_supply": (5, [("地域冷暖房株式会社", "District Heating and Cooling Co., Ltd.", "dhc")]),
    "buses": (10, [
        ("バス株式会社", "Bus Co., Ltd.", "bus"),
        ("交通株式会社", "Transit Co., Ltd.", "kotsu"),
    ]),
    "security_services": (8, [("警備保障株式会社", "Security Services Co., Ltd.", "keibi")]),
    "travel": (6, [
        ("ツーリスト株式会社", "Tourist Co., Ltd.", "tourist"),
        ("旅行株式会社", "Travel Co., Ltd.", "travel"),
    ]),
}  # fmt: skip

#: The first operator of some sectors has a fixed name (used in the printed demo sign-ins).
FLAGSHIPS = {"electricity": "東都", "railways": "みなと"}

ORGANISER: list[tuple[str, str, str, str, bool]] = [
    # (name, English name, domain, short name, English-speaking staff)
    ("公益財団法人東都国際競技大会組織委員会", "Toto International Games Organising Committee",
     "tigoc.example.jp", "TIGOC", False),
    ("東都都 大会準備局", "Toto Metropolitan Government, Games Preparation Bureau",
     "games.metro-toto.example.jp", "", False),
    ("グローバル・ゲームズ放送サービス", "Global Games Broadcasting Services S.A.",
     "ggbs.example", "GGBS", True),
    ("インターナショナル・リザルト・アンド・タイミング", "International Results & Timing AG",
     "irt-timing.example", "IRT", True),
    ("パシフィック・ゲームズ・データサービス", "Pacific Games Data Services Ltd.",
     "pgds.example", "PGDS", True),
    ("ワールドワイド認証システムズ", "Worldwide Accreditation Systems Inc.",
     "wwaccred.example", "WAS", True),
    ("東都テクノロジーズ株式会社", "Toto Technologies Co., Ltd.",
     "toto-tech.example.jp", "", False),
    ("大会公式チケッティング株式会社", "Games Official Ticketing Co., Ltd.",
     "tickets.tigoc.example.jp", "", False),
    ("大会公式オンラインショップ運営株式会社", "Games Official Online Shop Co., Ltd.",
     "shop.tigoc.example.jp", "", False),
    ("大会公式ライブ配信株式会社", "Games Official Live Streaming Co., Ltd.",
     "live.tigoc.example.jp", "", False),
    ("みなとクラウドサービス株式会社", "Minato Cloud Services Co., Ltd.",
     "minato-cloud.example.jp", "", False),
    ("青葉データセンター株式会社", "Aoba Data Centre Co., Ltd.", "aoba-dc.example.jp", "", False),
    ("大会ボランティア運営センター", "Games Volunteer Operations Centre",
     "volunteer.tigoc.example.jp", "", False),
    ("大会輸送センター", "Games Transport Centre", "transport.tigoc.example.jp", "", False),
    ("聖火リレー実行事務局", "Torch Relay Office", "torch.tigoc.example.jp", "", False),
    ("選手村運営株式会社", "Athletes' Village Operations Co., Ltd.",
     "village.tigoc.example.jp", "", False),
    ("国際メディアセンター運営株式会社", "International Media Centre Operations Co., Ltd.",
     "imc.tigoc.example.jp", "IMC", False),
    ("暁ネットワークサービス株式会社", "Akatsuki Network Services Co., Ltd.",
     "akatsuki-ns.example.jp", "", False),
    ("銀河システムインテグレーション株式会社", "Ginga Systems Integration Co., Ltd.",
     "ginga-si.example.jp", "", False),
    ("北辰セキュリティ株式会社", "Hokushin Security Co., Ltd.",
     "hokushin-sec.example.jp", "", False),
]  # fmt: skip

#: Venue facilities: (Japanese, English, domain word).
FACILITIES: list[tuple[str, str, str]] = [
    ("スタジアム", "Stadium", "stadium"), ("アリーナ", "Arena", "arena"),
    ("国際展示場", "International Exhibition Centre", "expo"),
    ("水泳センター", "Aquatics Centre", "aquatics"), ("体育館", "Gymnasium", "gym"),
    ("陸上競技場", "Athletics Stadium", "athletics"), ("ゴルフ倶楽部", "Golf Club", "golf"),
    ("マリーナ", "Marina", "marina"), ("自転車競技場", "Velodrome", "velodrome"),
    ("馬術公園", "Equestrian Park", "equestrian"), ("ホッケー競技場", "Hockey Stadium", "hockey"),
    ("テニスの森", "Tennis Park", "tennis"), ("カヌー・スラロームセンター", "Canoe Slalom Centre",
     "canoe"), ("海浜公園", "Seaside Park", "seaside"),
]  # fmt: skip

VENUE_FORMS: list[tuple[str, str]] = [
    ("株式会社{p}{f}", "{P} {F} Co., Ltd."),
    ("{p}{f}管理運営協議会", "{P} {F} Management Council"),
    ("公益財団法人{p}{f}運営財団", "{P} {F} Foundation"),
]

#: Sports: (Japanese, English, domain word).
SPORTS: list[tuple[str, str, str]] = [
    ("陸上競技", "Athletics", "athletics"), ("水泳", "Aquatics", "aquatics"),
    ("体操", "Gymnastics", "gymnastics"), ("柔道", "Judo", "judo"),
    ("卓球", "Table Tennis", "tabletennis"), ("バドミントン", "Badminton", "badminton"),
    ("自転車競技", "Cycling", "cycling"), ("ボート", "Rowing", "rowing"),
    ("セーリング", "Sailing", "sailing"), ("馬術", "Equestrian", "equestrian"),
    ("フェンシング", "Fencing", "fencing"), ("レスリング", "Wrestling", "wrestling"),
    ("ハンドボール", "Handball", "handball"), ("バスケットボール", "Basketball", "basketball"),
    ("バレーボール", "Volleyball", "volleyball"), ("ラグビー", "Rugby", "rugby"),
    ("サッカー", "Football", "football"), ("ホッケー", "Hockey", "hockey"),
    ("射撃", "Shooting", "shooting"), ("アーチェリー", "Archery", "archery"),
    ("カヌー", "Canoe", "canoe"), ("トライアスロン", "Triathlon", "triathlon"),
    ("空手", "Karate", "karate"), ("スケートボード", "Skateboarding", "skateboarding"),
    ("スポーツクライミング", "Sport Climbing", "climbing"), ("サーフィン", "Surfing", "surfing"),
    ("パラ陸上競技", "Para Athletics", "para-athletics"), ("ボッチャ", "Boccia", "boccia"),
    ("車いすバスケットボール", "Wheelchair Basketball", "wheelchair-basketball"),
]  # fmt: skip

#: Ministries beyond the reference ones (real names: they are public bodies).
MORE_MINISTRIES: list[tuple[str, str, str]] = [
    ("内閣官房", "Cabinet Secretariat", "CAS"),
    ("厚生労働省", "Ministry of Health, Labour and Welfare", "MHLW"),
    ("文部科学省", "Ministry of Education, Culture, Sports, Science and Technology", "MEXT"),
    ("スポーツ庁", "Japan Sports Agency", "JSA"),
    ("外務省", "Ministry of Foreign Affairs", "MOFA"),
    ("デジタル庁", "Digital Agency", "DA"),
    ("防衛省", "Ministry of Defense", "MOD"),
    ("消防庁", "Fire and Disaster Management Agency", "FDMA"),
    ("出入国在留管理庁", "Immigration Services Agency", "ISA"),
]

AGENCIES: list[tuple[str, str, str]] = [
    ("国立研究開発法人情報通信研究機構",
     "National Institute of Information and Communications Technology", "NICT"),
    ("独立行政法人情報処理推進機構", "Information-technology Promotion Agency, Japan", "IPA"),
    ("一般社団法人JPCERTコーディネーションセンター", "JPCERT Coordination Center", "JPCERT/CC"),
    ("一般財団法人日本サイバー犯罪対策センター", "Japan Cybercrime Control Center", "JC3"),
]  # fmt: skip

#: Police forces of the prefectures that hosted events, and the Tokyo Metropolitan Police.
POLICE: list[tuple[str, str, str]] = [
    ("警視庁", "Tokyo Metropolitan Police Department", "mpd"),
    ("北海道警察", "Hokkaido Prefectural Police", "hokkaido"),
    ("宮城県警察", "Miyagi Prefectural Police", "miyagi"),
    ("福島県警察", "Fukushima Prefectural Police", "fukushima"),
    ("茨城県警察", "Ibaraki Prefectural Police", "ibaraki"),
    ("埼玉県警察", "Saitama Prefectural Police", "saitama"),
    ("千葉県警察", "Chiba Prefectural Police", "chiba"),
    ("神奈川県警察", "Kanagawa Prefectural Police", "kanagawa"),
    ("静岡県警察", "Shizuoka Prefectural Police", "shizuoka"),
    ("大阪府警察", "Osaka Prefectural Police", "osaka"),
]

SECURITY_CENTRES: list[tuple[str, str, str]] = [
    ("東都セキュリティ情報センター", "Toto Security Information Centre", "toto-sic"),
    ("放送・通信セキュリティ情報センター", "Broadcasting and Telecoms Security Information Centre",
     "bt-sic"),
    ("交通インフラ情報共有センター", "Transport Infrastructure Information Sharing Centre",
     "transport-isc"),
    ("エネルギー分野セキュリティ情報センター", "Energy Sector Security Information Centre",
     "energy-sic"),
    ("金融分野サイバー情報共有会", "Financial Sector Cyber Information Sharing Forum", "fin-cisf"),
    ("自治体セキュリティ情報センター", "Local Government Security Information Centre", "lg-sic"),
]  # fmt: skip

VENDORS: list[tuple[str, str, str, bool]] = [
    ("株式会社サイバーアストロラーベ", "Cyber Astrolabe K.K.", "cyber-astrolabe.example.jp", False),
    ("みなとセキュリティリサーチ株式会社", "Minato Security Research Co., Ltd.",
     "minato-sr.example.jp", False),
    ("ノースウインド・インテリジェンス", "Northwind Intelligence Ltd.", "northwind-intel.example",
     True),
    ("ブルーハーバー・スレットラボ", "Blue Harbor Threat Labs Inc.", "blueharbor-labs.example",
     True),
    ("シグナルライト・サイバー", "Signallight Cyber GmbH", "signallight.example", True),
]  # fmt: skip

VENUES = 42
SPORTS_BODIES = 27
CENTRE_DOMAIN = "ccc.example.jp"


def build(rng: random.Random) -> list[OrgSpec]:
    """All 330 organisations in a fixed order (names drawn from ``rng``)."""
    orgs: list[OrgSpec] = []
    orgs.append(
        OrgSpec(
            Cat.CENTRE,
            reference.CENTRE_NAME,
            reference.CENTRE_NAME_EN,
            CENTRE_DOMAIN,
            short_name="CCC",
            reference=True,
        )
    )
    for name, name_en, domain, short, english in ORGANISER:
        orgs.append(OrgSpec(Cat.ORGANISER, name, name_en, domain, short, english=english))
    orgs.extend(_operators(rng))
    orgs.extend(_venues(rng))
    for ja, en, word in rng.sample(SPORTS, SPORTS_BODIES):
        form = rng.choice([("一般社団法人東都{s}協会", "Toto {S} Association"),
                           ("東都{s}連盟", "Toto {S} Federation")])  # fmt: skip
        orgs.append(
            OrgSpec(
                Cat.SPORTS,
                form[0].format(s=ja),
                form[1].format(S=en),
                f"{word}.toto-sports.example.jp",
            )
        )
    for name, name_en, short in reference.MINISTRIES:
        orgs.append(
            OrgSpec(
                Cat.MINISTRY, name, name_en, f"{short.lower()}.example.jp", short, reference=True
            )
        )
    for name, name_en, short in MORE_MINISTRIES:
        orgs.append(OrgSpec(Cat.MINISTRY, name, name_en, f"{short.lower()}.example.jp", short))
    for name, name_en, short in AGENCIES:
        word = short.split("/")[0].lower()
        orgs.append(OrgSpec(Cat.AGENCY, name, name_en, f"{word}.example.jp", short))
    for name, name_en, word in POLICE:
        orgs.append(OrgSpec(Cat.LAW_ENFORCEMENT, name, name_en, f"police-{word}.example.jp"))
    for name, name_en, word in SECURITY_CENTRES:
        orgs.append(OrgSpec(Cat.SECURITY_CENTRE, name, name_en, f"{word}.example.jp"))
    for name, name_en, domain, english in VENDORS:
        orgs.append(OrgSpec(Cat.VENDOR, name, name_en, domain, english=english))
    unique = len({o.domain for o in orgs}) == len({(o.category, o.name) for o in orgs}) == TOTAL
    if len(orgs) != TOTAL or not unique:
        raise AssertionError(f"the demo plan has {len(orgs)} organisations, expected {TOTAL}")
    return orgs


def _operators(rng: random.Random) -> list[OrgSpec]:
    result: list[OrgSpec] = []
    cities = list(CITIES)
    rng.shuffle(cities)
    for code, (count, forms) in SECTOR_PLAN.items():
        prefixes = rng.sample(PREFIXES, count)
        flagship = FLAGSHIPS.get(code)
        if flagship:
            first = next(p for p in PREFIXES if p[0] == flagship)
            prefixes = [first, *[p for p in prefixes if p != first][: count - 1]]
        for index in range(count):
            ja, en, word = forms[index % len(forms)]
            if "{c}" in ja:
                city, city_en = cities[index % len(cities)]
                name, name_en = ja.format(c=city), en.format(c=city_en)
                domain = f"{word}.{city_en.lower()}.example.jp"
            else:
                prefix, romaji = prefixes[index]
                name, name_en = prefix + ja, f"{romaji} {en}"
                domain = f"{romaji.lower()}-{word}.example.jp"
            result.append(OrgSpec(Cat.OPERATOR, name, name_en, domain, sector=code))
    return result


def _venues(rng: random.Random) -> list[OrgSpec]:
    result: list[OrgSpec] = []
    pairs = [(p, f) for p in PREFIXES for f in FACILITIES]
    for (prefix, romaji), (facility, facility_en, word) in rng.sample(pairs, VENUES):
        form_ja, form_en = rng.choice(VENUE_FORMS)
        result.append(
            OrgSpec(
                Cat.VENUE,
                form_ja.format(p=prefix, f=facility),
                form_en.format(P=romaji, F=facility_en),
                f"{romaji.lower()}-{word}.example.jp",
            )
        )
    return result
