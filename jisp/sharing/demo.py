"""Demo topics: about 300 alerts, notices and reports through the Games (21 July – 5 September).

Called by ``jisp demo`` after the organisations and people are loaded (``load(plan)``), and before
they are deleted on ``--reset`` (``delete(plan)``). Deterministic for the demo seed: everything is
drawn from ``random.Random`` and the people are taken in e-mail order, never in id order.

The topics follow the seed (sections 1, 3 and 6): the centre's alerts and daily notices, the
agencies' and CTI vendors' reports, members' incident reports (some published anonymously by the
centre), fake live-streaming sites, phishing, DDoS, vulnerabilities. The three most-read topics of
the seed are the three most-read here. Views are written as the service would have recorded them
(``TopicView`` rows and ``ViewEvent`` hourly tallies), for people the access policy lets see the
topic (``policy.audience_users``); acknowledgements for the targeted organisations
(``services.topics.targeted_organisations``).

Everything is written with ``bulk_create`` (a few seconds); the body HTML and the search tokens are
computed exactly as ``services.topics`` does (``render_markdown`` and ``search.index_text``).
"""

from __future__ import annotations

import hashlib
import heapq
import random
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Model, Q, QuerySet

from jisp.core import policy
from jisp.core.choices import TLP, Audience, OrganisationCategory, Role
from jisp.core.models import Membership, Sector
from jisp.sharing import search
from jisp.sharing.choices import TopicCategory, TopicStatus
from jisp.sharing.models import (
    Acknowledgement,
    Comment,
    Tag,
    Topic,
    TopicVersion,
    TopicView,
    ViewEvent,
)
from jisp.sharing.services.topics import render_markdown, targeted_organisations

TOKYO = ZoneInfo("Asia/Tokyo")
START = datetime(2021, 7, 21, 8, 0, tzinfo=TOKYO)
END = datetime(2021, 9, 5, 23, 0, tzinfo=TOKYO)
DAYS = (END.date() - START.date()).days + 1  # 47
TOTAL_TOPICS = 300
#: The three most-read topics of the seed (section 6), in order, with their views here.
TOP_VIEWS = (4300, 3650, 3100)

IMPORTANT, ALERT, INFO, ANSWER = (
    TopicCategory.IMPORTANT,
    TopicCategory.ALERT,
    TopicCategory.INFORMATION,
    TopicCategory.ADVISORY_ANSWER,
)
LABEL: dict[str, str] = {
    IMPORTANT: "【重要】",
    ALERT: "【注意喚起】",
    INFO: "【情報】",
    ANSWER: "【回答】",
}


# --- The topics' text ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """A kind of topic; ``count`` instances are drawn from it (``{n}`` numbers them)."""

    key: str
    category: str
    title: str
    summary: str
    actions: tuple[str, ...]
    body: str
    tags: tuple[str, ...]
    count: int = 1
    source: str = "centre"  # centre, agency, vendor, vendor_en, operator, organiser
    professional: bool = False
    audience: str = "everyone"  # everyone, sectors, organisations
    tlp: tuple[tuple[str, int], ...] = ((TLP.GREEN, 5), (TLP.AMBER, 4), (TLP.CLEAR, 1))
    popularity: float = 1.0
    requires_ack: bool = False
    days: tuple[int, int] = (0, DAYS - 1)  # first and last day (0 = 21 July)
    daily: bool = False  # one a day in ``days`` rather than at random
    anonymous: float = 0.0  # chance that the centre publishes a member's report anonymously
    pinned: bool = False


_IOC_TABLE = """| 種別 | 値 |
|---|---|
| ファイル名 | `{filename}` |
| SHA-256 | `{hash}` |
| 通信先 | `{domain}` |
| IPアドレス | `{ip}` |
"""

_WIPER_BODY = """## 概要

大会関連のサイバー攻撃による被害報告を装った実行ファイルが確認されました。文書ファイルの
アイコンに偽装されていますが、実行するとPC内のファイルを削除する**ワイパー型**の不正プログラムです。

## 確認された検体

{ioc}
## 対応

1. 上記のファイル名・ハッシュ値の検体をメールゲートウェイ、EDRで検知・遮断してください。
2. 通信先への通信がないかプロキシのログを確認してください。
3. 感染が疑われる場合はネットワークから切り離し、対処調整センターへ報告してください。
"""

_PROGRAM_BODY = """## 概要

東都2020大会の名称を騙るプログラムの存在を確認しました。大会の公式アプリ等を装って配布される
おそれがあります。

## 確認された検体

{ioc}
## 参考

検体の詳細な解析結果は、CTI事業者の協力を得て追ってお知らせします。
"""

_DDOS_BODY = """## 概要

大会関係組織を標的とするDDoS攻撃キャンペーンを示唆する投稿がSNS及びダークウェブ上で
確認されました。攻撃予告では、競技初日及び開会式当日が挙げられています。

## 想定される攻撃

- HTTP GET フラッドによるWebサイトの閲覧障害
- DNS 反射型攻撃による回線帯域の圧迫
- 攻撃停止と引き換えに金銭を要求する脅迫メール

## 推奨される対応

| 対策 | 確認先 |
|---|---|
| DDoS対策サービスの設定確認 | 回線事業者・CDN事業者 |
| 緊急連絡先の確認 | 社内CSIRT・委託先 |
| 静的ページへの切替手順の確認 | Webサイト運用担当 |
"""

_LIVE_BODY = """## 確認状況（{date}時点）

対処調整センターでは、大会の**偽ライブ配信サイト**を継続して調査しています。本日新たに
{k}件を確認しました（累計{total}件）。

| ドメイン | 状況 |
|---|---|
| `{domain}` | 稼働中（テイクダウン要請済み） |
| `{domain2}` | 停止を確認 |

これらのサイトは、視聴のためと称してアカウント登録やクレジットカード情報の入力を求めます。
"""

_GENERIC_BODY = """## 詳細

{detail}

## 確認された情報

{ioc}
## お問い合わせ

本件に関するお問い合わせは、対処調整センターまでJISPのコメント機能でご連絡ください。
"""

_VULN_BODY = """## 概要

{product}に脆弱性（{cve}）が公表されました。攻撃に悪用された場合、{impact}おそれがあります。
既に攻撃コードが公開されており、大会期間中の悪用が懸念されます。

## 対象

- {product}（ベンダーの公表する影響を受けるバージョン）

## 対策

1. ベンダーが提供する修正プログラムを適用してください。
2. 直ちに適用できない場合は、ベンダーの示す回避策を実施してください。
3. 外部に公開している機器を優先してください。
"""

_REPORT_BODY = """## 事象

{detail}

## 時系列（{date}）

- 09:12 監視で異常を検知
- 09:40 影響範囲の確認を開始
- 11:05 暫定対処を実施
- 15:30 復旧を確認

## 大会への影響

現時点で大会運営への影響は確認されていません。
"""

_DAILY_BODY = """## 本日の概況（{date}）

- 体制参加組織からの報告: {reports}件
- センターからの情報提供: {alerts}件
- 不審ドメインの新規確認: {domains}件

大会の運営に影響を及ぼすインシデントは確認されていません。引き続き警戒をお願いします。
"""

_VULNS: list[tuple[str, str, str]] = [
    ("Windows 印刷スプーラー", "CVE-2021-34527", "遠隔からコードを実行される"),
    ("Windows（SAMファイルのアクセス権）", "CVE-2021-36934", "権限を昇格される"),
    ("Microsoft Exchange Server", "CVE-2021-34473", "遠隔からコードを実行される"),
    ("Atlassian Confluence Server", "CVE-2021-26084", "遠隔からコードを実行される"),
    ("Pulse Connect Secure", "CVE-2021-22893", "認証を回避される"),
    ("Windows LSA（PetitPotam）", "CVE-2021-36942", "認証情報を中継される"),
    ("FortiOS SSL-VPN", "CVE-2018-13379", "認証情報を窃取される"),
    ("Citrix ADC", "CVE-2019-19781", "遠隔からコードを実行される"),
    ("VMware vCenter Server", "CVE-2021-21985", "遠隔からコードを実行される"),
    ("SonicWall SMA 100", "CVE-2021-20016", "認証情報を窃取される"),
]

TEMPLATES: list[Template] = [
    # The three most-read topics of the seed, pinned to their days.
    Template(
        "wiper",
        IMPORTANT,
        "大会関連の被害報告を装う不正プログラムを確認。開かないように注意を。",
        "大会へのサイバー攻撃の「被害報告」を装ったファイルが出回っています。開くとPCのデータが"
        "消去されます。心当たりのないファイルは開かず、社内に周知してください。",
        (
            "メールやチャットで届いた「被害報告」ファイルを開かない",
            "ハッシュ値をセキュリティ製品に登録する",
            "感染が疑われる場合は直ちに報告する",
        ),
        _WIPER_BODY,
        ("マルウェア", "ワイパー", "不正プログラム", "IoC"),
        professional=True,
        tlp=((TLP.GREEN, 1),),
        popularity=0,
        requires_ack=True,
        days=(0, 0),
        pinned=True,
    ),
    Template(
        "program",
        INFO,
        "東都2020大会を騙るプログラムの存在を確認",
        "大会の名称を騙り、公式アプリ等を装ったプログラムが確認されました。公式サイト以外から"
        "入手したアプリやプログラムは実行しないでください。",
        (
            "公式サイト以外から大会関連のアプリを入手しない",
            "ハッシュ値をセキュリティ製品に登録する",
        ),
        _PROGRAM_BODY,
        ("マルウェア", "不正プログラム", "IoC"),
        professional=True,
        tlp=((TLP.GREEN, 1),),
        popularity=0,
        days=(1, 1),
    ),
    Template(
        "ddos",
        IMPORTANT,
        "DDoS攻撃キャンペーンに関する注意喚起",
        "大会関係組織を狙ったDDoS攻撃（大量の通信でWebサイトを使えなくする攻撃）の予告が"
        "確認されました。対策サービスと緊急連絡先を確認してください。",
        (
            "DDoS対策サービスの設定と連絡先を確認する",
            "Webサイトの静的ページへの切替手順を確認する",
            "異常を検知したら対処調整センターへ報告する",
        ),
        _DDOS_BODY,
        ("DDoS", "攻撃予告"),
        professional=True,
        tlp=((TLP.AMBER, 1),),
        popularity=0,
        requires_ack=True,
        days=(1, 1),
    ),
    # Plain-language versions for non-experts.
    Template(
        "wiper_plain",
        IMPORTANT,
        "被害報告を装った不正プログラムについて",
        "「被害報告」と題したファイルを開くと、パソコンのデータが消えてしまいます。"
        "心当たりのないファイルは開かず、担当部署に相談してください。",
        ("心当たりのないファイルを開かない", "不審なファイルは情報システム担当に相談する"),
        _WIPER_BODY,
        ("マルウェア", "不正プログラム"),
        tlp=((TLP.CLEAR, 1),),
        popularity=4.0,
        requires_ack=True,
        days=(1, 1),
    ),
    Template(
        "program_plain",
        INFO,
        "東都2020大会を騙ったプログラムについて",
        "大会の名前を使った偽のアプリが見つかっています。アプリは公式サイトから入手してください。",
        ("アプリは公式サイトから入手する",),
        _PROGRAM_BODY,
        ("マルウェア", "不正プログラム"),
        tlp=((TLP.CLEAR, 1),),
        popularity=3.0,
        days=(2, 2),
    ),
    Template(
        "ddos_plain",
        IMPORTANT,
        "DDoS攻撃キャンペーンに関する注意喚起（一般向け）",
        "大量の通信でWebサイトを使えなくする攻撃が予告されています。Webサイトが見られなく"
        "なった場合の連絡先と手順を確認してください。",
        ("緊急連絡先を確認する", "Webサイトが見られなくなった時の手順を確認する"),
        _DDOS_BODY,
        ("DDoS",),
        tlp=((TLP.GREEN, 1),),
        popularity=3.0,
        days=(2, 2),
    ),
    Template(
        "vaccine",
        ALERT,
        "コロナワクチンナビを装った不正サイト",
        "新型コロナワクチンの接種予約サイトを装った偽のサイトが見つかりました。個人情報や"
        "カード番号を入力しないでください。",
        ("接種予約は自治体の案内するサイトから行う", "職員に偽サイトの存在を周知する"),
        _GENERIC_BODY,
        ("フィッシング", "新型コロナウイルス", "不審ドメイン"),
        tlp=((TLP.GREEN, 1),),
        popularity=3.0,
        days=(10, 14),
    ),
    Template(
        "contact",
        IMPORTANT,
        "大会期間中の連絡体制について",
        "大会期間中、対処調整センターは24時間体制で報告と相談を受け付けます。緊急連絡先を"
        "確認してください。",
        ("自組織の緊急連絡先をJISPに登録する", "報告の手順を担当者に周知する"),
        "## 連絡体制\n\n- 受付: 24時間\n- 報告: JISPのインシデント報告、または当直電話\n",
        ("連絡体制",),
        tlp=((TLP.CLEAR, 1),),
        popularity=2.5,
        requires_ack=True,
        days=(0, 0),
        pinned=True,
    ),
    Template(
        "para",
        IMPORTANT,
        "パラリンピック期間の体制について",
        "パラリンピック期間（8月24日～9月5日）も、24時間体制で報告と相談を受け付けます。",
        ("自組織の連絡先に変更がないか確認する",),
        "## 体制\n\nオリンピック期間と同じ体制を継続します。\n",
        ("連絡体制",),
        tlp=((TLP.CLEAR, 1),),
        popularity=1.5,
        requires_ack=True,
        days=(33, 33),
    ),
    Template(
        "ceremony",
        IMPORTANT,
        "{ceremony}当日の警戒について",
        "{ceremony}の前後は、攻撃が増えるおそれがあります。監視と連絡体制を強化してください。",
        ("当日の監視体制を強化する", "異常を検知したら直ちに報告する"),
        _DDOS_BODY,
        ("DDoS", "攻撃予告"),
        count=4,
        tlp=((TLP.GREEN, 1),),
        popularity=2.0,
        requires_ack=True,
        days=(17, 46),
    ),
    Template(
        "threat",
        IMPORTANT,
        "大会関係組織を狙った攻撃予告の確認",
        "競技初日と翌日を狙った攻撃予告が確認されました。警戒を強めてください。",
        ("監視体制を強化する", "不審な通信を確認したら報告する"),
        _DDOS_BODY,
        ("攻撃予告", "DDoS", "ダークウェブ"),
        professional=True,
        tlp=((TLP.AMBER, 1),),
        popularity=2.5,
        requires_ack=True,
        days=(0, 0),
    ),
    # Series through the Games.
    Template(
        "live",
        INFO,
        "偽ライブ配信サイトの確認状況（第{n}報）",
        "競技を無料で見られると誘う偽のライブ配信サイトが増えています。アカウント登録や"
        "カード番号の入力を求められても応じないでください。",
        ("視聴は公式の配信サービスで行う", "偽サイトを見つけたら報告する"),
        _LIVE_BODY,
        ("偽ライブ配信", "フィッシング", "不審ドメイン"),
        count=36,
        popularity=0.8,
        days=(0, 46),
        daily=True,
    ),
    Template(
        "daily",
        INFO,
        "対処調整センター活動状況（{date}）",
        "本日の報告と情報提供の件数をお知らせします。大会運営に影響するインシデントはありません。",
        (),
        _DAILY_BODY,
        ("活動状況",),
        count=DAYS,
        tlp=((TLP.CLEAR, 1), (TLP.GREEN, 3)),
        popularity=0.5,
        days=(0, 46),
        daily=True,
    ),
    Template(
        "phishing",
        ALERT,
        "大会観戦者を狙ったフィッシングサイトの確認（{domain}）",
        "大会のチケットやグッズを装ったフィッシングサイトが確認されました。URLをよく確認し、"
        "個人情報を入力しないでください。",
        ("職員・利用者に注意を呼び掛ける", "ドメインをWebフィルタに登録する"),
        _GENERIC_BODY,
        ("フィッシング", "不審ドメイン"),
        count=24,
        popularity=0.9,
    ),
    Template(
        "lookalike",
        ALERT,
        "大会公式サイトに類似したドメインの登録",
        "大会公式サイトによく似たドメインが新たに登録されました。フィッシングに使われる"
        "おそれがあります。",
        ("ドメインをWebフィルタに登録する",),
        _GENERIC_BODY,
        ("不審ドメイン", "フィッシング"),
        count=12,
        professional=True,
        audience="organisations",
        tlp=((TLP.AMBER, 3), (TLP.AMBER_STRICT, 2)),
        popularity=0.6,
    ),
    Template(
        "domains",
        INFO,
        "不審ドメインの観測状況（{date}時点）",
        "大会関連の不審ドメインの観測状況をまとめました。",
        ("一覧のドメインをブロックリストに登録する",),
        _GENERIC_BODY,
        ("不審ドメイン", "観測情報"),
        count=7,
        professional=True,
        tlp=((TLP.AMBER, 1),),
        popularity=0.8,
    ),
    Template(
        "darkweb",
        INFO,
        "ダークウェブ上の大会関連情報の調査結果（第{n}報）",
        "ダークウェブ上で大会関係組織に関する情報を調査した結果です。",
        ("漏えいが疑われるアカウントのパスワードを変更する",),
        _GENERIC_BODY,
        ("ダークウェブ", "観測情報"),
        count=8,
        professional=True,
        tlp=((TLP.AMBER, 1),),
        popularity=1.2,
    ),
    Template(
        "vuln",
        ALERT,
        "{product}の脆弱性（{cve}）について",
        "{product}に深刻な脆弱性が見つかりました。修正プログラムを早めに適用してください。",
        ("影響を受ける製品を使っていないか確認する", "修正プログラムを適用する"),
        _VULN_BODY,
        ("脆弱性",),
        count=20,
        professional=True,
        popularity=1.0,
    ),
    Template(
        "vuln_agency",
        ALERT,
        "{product}の脆弱性に関する注意喚起",
        "{product}の脆弱性を悪用する攻撃が観測されています。対策を確認してください。",
        ("修正プログラムを適用する", "不審なログインがないか確認する"),
        _VULN_BODY,
        ("脆弱性",),
        count=10,
        source="agency",
        professional=True,
        popularity=0.8,
    ),
    Template(
        "sector_ddos",
        ALERT,
        "{sector}分野を狙ったDDoS攻撃予告",
        "{sector}分野の組織を狙うとする攻撃予告が確認されました。",
        ("DDoS対策サービスの設定を確認する",),
        _DDOS_BODY,
        ("DDoS", "攻撃予告"),
        count=12,
        audience="sectors",
        professional=True,
        tlp=((TLP.AMBER, 2), (TLP.GREEN, 1)),
        popularity=0.7,
    ),
    Template(
        "ddos_status",
        INFO,
        "DDoS攻撃の観測状況（{date}）",
        "大会関係組織へのDDoS攻撃の観測状況です。大会運営への影響はありません。",
        (),
        _GENERIC_BODY,
        ("DDoS", "観測情報"),
        count=10,
        source="agency",
        professional=True,
        popularity=0.6,
    ),
    Template(
        "emotet",
        INFO,
        "Emotet・Trickbot等のマルウェア観測レポート",
        "CTI事業者から提供されたマルウェアの観測レポートです。",
        ("IoCをセキュリティ製品に登録する",),
        _GENERIC_BODY,
        ("Emotet", "マルウェア", "IoC"),
        count=8,
        source="vendor",
        professional=True,
        tlp=((TLP.AMBER, 1),),
        popularity=0.7,
    ),
    Template(
        "ransom",
        INFO,
        "ランサムウェア動向レポート（{month}月）",
        "ランサムウェアの最新の動向と、よく使われる侵入経路をまとめました。",
        ("VPN機器の修正プログラムを確認する", "バックアップをオフラインで保管する"),
        _GENERIC_BODY,
        ("ランサムウェア", "マルウェア"),
        count=3,
        source="vendor",
        professional=True,
        popularity=0.7,
    ),
    Template(
        "ioc_en",
        INFO,
        "IoC list for the Games ({date})",
        "Indicators of compromise observed against Games-related organisations.",
        ("Add the indicators to your blocklists",),
        _GENERIC_BODY,
        ("IoC", "観測情報"),
        count=5,
        source="vendor_en",
        professional=True,
        tlp=((TLP.AMBER, 1),),
        popularity=0.5,
    ),
    Template(
        "targeted_mail",
        ALERT,
        "大会をテーマにした不審メール（標的型メール）の確認",
        "大会の関係者を装ったメールが届いています。添付ファイルやURLを開かないでください。",
        ("添付ファイルを開かない", "受信したら報告する"),
        _GENERIC_BODY,
        ("標的型メール", "マルウェア"),
        count=10,
        popularity=1.0,
    ),
    Template(
        "member_ddos",
        INFO,
        "当社Webサイトへの大量アクセスについて",
        "当社Webサイトに大量のアクセスがあり、一時的に閲覧しにくくなりました。",
        (),
        _REPORT_BODY,
        ("DDoS",),
        count=8,
        source="operator",
        anonymous=0.6,
        popularity=0.7,
    ),
    Template(
        "member_cloud",
        INFO,
        "クラウドサービス障害の影響について",
        "利用しているクラウドサービスの障害により、一部のサービスが停止しました。",
        (),
        _REPORT_BODY,
        ("クラウド障害",),
        count=7,
        source="operator",
        anonymous=0.4,
        audience="sectors",
        popularity=0.5,
    ),
    Template(
        "member_deface",
        INFO,
        "Webサイト改ざんの確認と対応状況",
        "当組織のWebサイトの一部が改ざんされていたことを確認し、復旧しました。",
        ("CMSとプラグインを最新版に更新する",),
        _REPORT_BODY,
        ("Webサイト改ざん",),
        source="operator",
        anonymous=1.0,
        popularity=1.0,
    ),
    Template(
        "member_mail",
        INFO,
        "標的型メールの受信について",
        "大会関係者を装ったメールを受信しました。同様のメールにご注意ください。",
        ("同様のメールを受信していないか確認する",),
        _REPORT_BODY,
        ("標的型メール",),
        count=10,
        source="operator",
        anonymous=0.7,
        audience="sectors",
        popularity=0.6,
    ),
    Template(
        "shop",
        INFO,
        "公式オンラインショップの閲覧障害について",
        "アクセスの集中により、公式オンラインショップが閲覧しにくい状態になりました。",
        (),
        _REPORT_BODY,
        ("アクセス集中",),
        count=2,
        source="shop",
        popularity=0.6,
        days=(3, 46),
    ),
    Template(
        "phishing_status",
        INFO,
        "フィッシングサイトの観測状況（{date}）",
        "大会や大会観戦者を狙ったフィッシングサイトの観測状況をまとめました。",
        ("一覧のURLをWebフィルタに登録する",),
        _GENERIC_BODY,
        ("フィッシング", "観測情報"),
        count=8,
        source="agency",
        popularity=0.6,
    ),
    Template(
        "sns",
        ALERT,
        "大会関係組織を装ったSNSの偽アカウント",
        "大会関係組織を装ったSNSアカウントが、偽のプレゼント企画で個人情報を集めています。",
        ("自組織を装ったアカウントがないか確認する",),
        _GENERIC_BODY,
        ("フィッシング", "SNS"),
        count=4,
        popularity=0.8,
    ),
    Template(
        "traffic",
        INFO,
        "不正通信の観測状況（{date}）",
        "大会関係組織のネットワークで観測された不正な通信の概要です。",
        ("観測された通信先への通信をブロックする",),
        _GENERIC_BODY,
        ("不正通信", "観測情報"),
        count=6,
        source="agency",
        professional=True,
        tlp=((TLP.AMBER, 1),),
        popularity=0.5,
    ),
    Template(
        "answer",
        ANSWER,
        "ご相談いただいた{subject}について",
        "ご相談の件について、確認した結果をお知らせします。",
        ("回答内容をご確認のうえ、必要な対処を実施する",),
        _GENERIC_BODY,
        ("相談",),
        count=24,
        audience="organisations",
        tlp=((TLP.AMBER_STRICT, 2), (TLP.AMBER, 1)),
        popularity=0.15,
    ),
    Template(
        "verdict",
        ANSWER,
        "不審サイトの有害/無害判別結果（{domain}）",
        "CTI事業者の協力を得て判別した結果です。",
        (),
        _GENERIC_BODY,
        ("不審ドメイン",),
        count=4,
        source="vendor",
        audience="organisations",
        tlp=((TLP.AMBER, 1),),
        popularity=0.2,
    ),
]

_DETAILS = [
    "大会関連のキーワードを含む不審なドメインが複数登録されています。",
    "SNS上で大会関係組織を標的とする投稿が拡散されています。",
    "大会の公式情報を装ったメールに不正なURLが記載されています。",
    "観測された通信先は、既知の攻撃基盤と一致しています。",
]
_SUBJECTS = [
    "不審なメール",
    "Webサイトへの不審なアクセス",
    "VPN機器の脆弱性",
    "不審な通信",
    "ログインの失敗の増加",
    "取引先を装ったメール",
]
_CEREMONIES = ["開会式", "オリンピック閉会式", "パラリンピック開会式", "パラリンピック閉会式"]
_CEREMONY_DAYS = {"開会式": 2, "オリンピック閉会式": 18, "パラリンピック開会式": 34,
                  "パラリンピック閉会式": 46}  # fmt: skip
_CHANGE_NOTES = [
    "ハッシュ値を追加",
    "対象URLを追加",
    "推奨される対応を追記",
    "誤記を修正",
    "影響を受けるバージョンを追記",
]
_COMMENTS = [
    "情報ありがとうございます。社内に周知しました。",
    "当社でも同様のメールを受信しました。ハッシュ値が一致しています。",
    "IoCをファイアウォールのブロックリストに登録しました。",
    "追加の情報があれば共有をお願いします。",
    "該当するドメインへの通信は確認されませんでした。",
    "グループ会社にも展開してよいでしょうか。",
]
_REPLIES = [
    "ご報告ありがとうございます。検体を分析し、結果を追記します。",
    "TLPの範囲内であれば、グループ会社への展開は問題ありません。",
    "承知しました。続報をお待ちください。",
]
#: Relative weight of each hour (Tokyo time) for reading: office hours, with an evening tail.
_HOUR_WEIGHTS = [1, 1, 0, 0, 0, 1, 2, 5, 12, 16, 13, 10, 6, 12, 11, 9, 8, 7, 5, 4, 3, 2, 2, 1]
#: How busy each day is (the seed: most active from 21 to 23 July; a lull between the Games).
_DAY_WEIGHTS = [
    6,
    6,
    6,
    4,
    3,
    3,
    3,
    3,
    3,
    2,
    2,
    2,
    2,
    2,
    2,
    2,
    2,
    2,
    2,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    3,
    3,
    2,
    2,
    2,
    2,
    2,
    2,
    2,
    2,
    2,
    2,
    2,
    3,
]


# --- Who is in the demo --------------------------------------------------------------------------


@dataclass
class Cast:
    """The demo people and organisations, in a deterministic order (by e-mail, by name)."""

    centre: int
    centre_staff: list[int]  # analysts and incident handlers: the authors of the centre's topics
    reviewers: list[int]
    people_of: dict[int, list[int]]  # organisation -> people (e-mail order)
    orgs_by_category: dict[str, list[int]]
    operators_by_sector: dict[int, list[int]]
    sectors: list[tuple[int, str]]  # (id, Japanese name)
    organiser_core: list[int]  # the organising committee and its streaming, shop and ticketing
    org_names: dict[int, str]
    email: dict[int, str]
    rate: dict[int, float]  # how often each person reads (the core plan's weekday sign-in rate)
    org_of: dict[int, int]  # person -> their first organisation


def _cast(plan: Any) -> Cast:
    rates = {person.email: person.weekday_rate for person in plan.people}
    rows = (
        Membership.objects.filter(user__email__in=plan.emails)
        .values_list(
            "user_id",
            "user__email",
            "organisation_id",
            "organisation__name",
            "organisation__category",
            "organisation__sector_id",
            "role",
        )
        .order_by("user__email", "organisation__name")
    )
    people_of: dict[int, list[int]] = defaultdict(list)
    orgs: dict[str, dict[int, str]] = defaultdict(dict)
    by_sector: dict[int, dict[int, str]] = defaultdict(dict)
    email: dict[int, str] = {}
    org_of: dict[int, int] = {}
    centre = 0
    staff, reviewers = [], []
    for user_id, address, org_id, org_name, category, sector_id, role in rows:
        people_of[org_id].append(user_id)
        orgs[category][org_id] = org_name
        email[user_id] = address
        org_of.setdefault(user_id, org_id)
        if sector_id and category == OrganisationCategory.OPERATOR:
            by_sector[sector_id][org_id] = org_name
        if category == OrganisationCategory.CENTRE:
            centre = org_id
            if role in {Role.ANALYST, Role.INCIDENT_HANDLER}:
                staff.append(user_id)
            if role in {Role.INCIDENT_CONTROLLER, Role.COMMANDER}:
                reviewers.append(user_id)

    def by_name(names: dict[int, str]) -> list[int]:
        return [pk for pk, _name in sorted(names.items(), key=lambda item: item[1])]

    organiser = by_name(orgs[OrganisationCategory.ORGANISER])
    core_names = ("組織委員会", "ライブ配信", "オンラインショップ", "チケッティング")
    return Cast(
        centre=centre,
        centre_staff=staff,
        reviewers=reviewers,
        people_of=dict(people_of),
        orgs_by_category={category: by_name(names) for category, names in orgs.items()},
        operators_by_sector={sector: by_name(names) for sector, names in by_sector.items()},
        sectors=sorted(Sector.objects.values_list("pk", "name_ja"), key=lambda s: s[1]),
        organiser_core=[
            pk for pk in organiser if any(word in orgs["organiser"][pk] for word in core_names)
        ],
        org_names={pk: name for names in orgs.values() for pk, name in names.items()},
        email=email,
        rate={pk: rates.get(address, 0.2) for pk, address in email.items()},
        org_of=org_of,
    )


# --- Planning the topics (pure Python) -----------------------------------------------------------


@dataclass
class TopicPlan:
    template: Template
    published_at: datetime
    title: str
    summary: str
    actions: list[str]
    body: str
    tags: list[str]
    tlp: str
    audience: str
    organisation: int
    author: int
    sectors: list[int] = field(default_factory=list)
    organisations: list[int] = field(default_factory=list)
    anonymous: bool = False
    reviewer: int | None = None
    views: int = 0
    #: Earlier versions, oldest first: (title, summary, actions, body, the change note of the
    #: version that replaced it, when it was replaced). The topic's own text is the newest.
    history: list[tuple[str, str, list[str], str, str, datetime]] = field(default_factory=list)


def _fake_domain(rng: random.Random) -> str:
    words = [
        "toto2020",
        "games-live",
        "toto-games",
        "olympic-toto",
        "tigoc",
        "live-toto",
        "toto-ticket",
        "games-shop",
    ]
    tails = ["-stream", "-free", "-hd", "-official", "-watch", "-jp", "2021", ""]
    return f"{rng.choice(words)}{rng.choice(tails)}[.]example"


def _fill(template: Template, rng: random.Random, n: int, when: datetime) -> dict[str, str]:
    product, cve, impact = _VULNS[(n - 1) % len(_VULNS)]
    if n > len(_VULNS):
        product += "（続報）" if template.key == "vuln" else ""
    digest = hashlib.sha256(f"{template.key}:{n}:{rng.random()}".encode()).hexdigest()
    values = {
        "n": str(n),
        "date": f"{when:%d %b}" if template.key.endswith("_en") else f"{when.month}月{when.day}日",
        "month": str(when.month),
        "domain": _fake_domain(rng),
        "domain2": _fake_domain(rng),
        "hash": digest,
        "ip": f"203.0.113.{rng.randint(2, 254)}",
        "filename": rng.choice(["被害報告", "被害状況一覧", "Incident_Report", "攻撃報告書"])
        + f"_{when:%m%d}.exe",
        "product": product,
        "cve": cve,
        "impact": impact,
        "detail": rng.choice(_DETAILS),
        "subject": rng.choice(_SUBJECTS),
        "ceremony": _CEREMONIES[(n - 1) % len(_CEREMONIES)],
        "k": str(rng.randint(1, 3)),
        "total": str(n + rng.randint(0, 2)),
        "reports": str(rng.randint(0, 3)),
        "alerts": str(rng.randint(1, 5)),
        "domains": str(rng.randint(40, 180)),
        "sector": "",
    }
    values["ioc"] = _IOC_TABLE.format(**values)
    return values


def _days(template: Template, rng: random.Random) -> list[int]:
    """The days (0 = 21 July) on which the template's topics are published."""
    if template.key == "ceremony":  # the day before each ceremony
        return [_CEREMONY_DAYS[name] - 1 for name in _CEREMONIES]
    first, last = template.days
    span = list(range(first, last + 1))
    if template.daily:
        step = len(span) / template.count
        return [span[min(len(span) - 1, int(i * step))] for i in range(template.count)]
    weights = [_DAY_WEIGHTS[day] for day in span]
    return sorted(rng.choices(span, weights=weights, k=template.count))


_SOURCE_CATEGORY = {
    "agency": OrganisationCategory.AGENCY,
    "vendor": OrganisationCategory.VENDOR,
    "vendor_en": OrganisationCategory.VENDOR,
    "operator": OrganisationCategory.OPERATOR,
    "shop": OrganisationCategory.ORGANISER,
}


def _source(template: Template, cast: Cast, rng: random.Random) -> tuple[int, int]:
    """(organisation, author) of a topic."""
    if template.source == "centre":
        return cast.centre, rng.choice(cast.centre_staff)
    candidates = cast.orgs_by_category[_SOURCE_CATEGORY[template.source]]
    if template.source == "vendor_en":  # the foreign vendors: addresses on *.example
        candidates = [
            pk for pk in candidates if not cast.email[cast.people_of[pk][0]].endswith(".jp")
        ]
    elif template.source == "shop":
        candidates = [pk for pk in candidates if "オンラインショップ" in cast.org_names[pk]]
    org = rng.choice(candidates)
    return org, rng.choice(cast.people_of[org])


def build_topics(cast: Cast, seed: int) -> list[TopicPlan]:
    """Every topic of the demo, in publication order."""
    rng = random.Random(seed * 7907 + 21)
    plans: list[TopicPlan] = []
    for template in TEMPLATES:
        for n, day in enumerate(_days(template, rng), start=1):
            hour = 17 if template.daily else max(8, rng.choices(range(24), _HOUR_WEIGHTS)[0])
            when = START.replace(hour=0) + timedelta(
                days=day, hours=hour, minutes=rng.randrange(60)
            )
            plans.append(_plan_one(template, cast, rng, n, when))
    plans.sort(key=lambda plan: (plan.published_at, plan.title))
    _popularity(plans, rng)
    return plans


def _plan_one(
    template: Template, cast: Cast, rng: random.Random, n: int, when: datetime
) -> TopicPlan:
    values = _fill(template, rng, n, when)
    english = template.key.endswith("_en")
    prefix = ""  # the pages mark professional topics "(プロ)" themselves
    label = "[Info] " if english else LABEL[template.category]
    organisation, author = _source(template, cast, rng)
    tlp = rng.choices([t for t, _w in template.tlp], weights=[w for _t, w in template.tlp])[0]
    audience, sectors, organisations = Audience.EVERYONE, [], []
    if template.audience == "sectors":
        audience = Audience.SECTORS
        own = [pk for pk, orgs in cast.operators_by_sector.items() if organisation in orgs]
        sectors = own or sorted(pk for pk, _name in rng.sample(cast.sectors, rng.randint(1, 3)))
        values["sector"] = dict(cast.sectors)[sectors[0]]
    elif template.audience == "organisations":
        audience = Audience.ORGANISATIONS
        if template.category == ANSWER:  # an answer goes to the one organisation that asked
            pool = sorted(
                pk for pks in cast.orgs_by_category.values() for pk in pks if pk != cast.centre
            )
            organisations = [rng.choice(pool)]
        else:
            organisations = sorted(cast.organiser_core)
    member = organisation != cast.centre
    plan = TopicPlan(
        template=template,
        published_at=when,
        title=prefix + label + template.title.format(**values),
        summary=template.summary.format(**values),
        actions=list(template.actions),
        body=template.body.format(**values),
        tags=list(template.tags),
        tlp=tlp,
        audience=audience,
        organisation=organisation,
        author=author,
        sectors=sectors,
        organisations=organisations,
        anonymous=member and rng.random() < template.anonymous,
        reviewer=rng.choice(cast.reviewers) if member else None,
    )
    _revise(plan, rng)
    return plan


def _revise(plan: TopicPlan, rng: random.Random) -> None:
    """Some topics were updated: keep the earlier texts, each with the time it was replaced."""
    key = plan.template.key
    if key == "program":
        revisions = 1  # the seed's "7/30更新"
    elif key in {"daily", "live"}:
        revisions = 0
    else:
        revisions = rng.choice([0, 0, 0, 0, 0, 1, 1, 2])
    when = plan.published_at
    for number in range(1, revisions + 1):
        if key == "program":
            changed = datetime(2021, 7, 30, 14, 10, tzinfo=TOKYO)
        else:
            changed = when + timedelta(days=rng.randint(0, 4), hours=rng.randint(2, 8))
        changed = min(changed, END - timedelta(hours=1))
        when = changed
        what = "ハッシュ値を追加" if key == "program" else rng.choice(_CHANGE_NOTES)
        note = f"{changed.month}月{changed.day}日更新: {what}"
        plan.history.append(
            (plan.title, plan.summary, list(plan.actions), plan.body, note, changed)
        )
        if key == "program":
            plan.title = f"{changed.month}/{changed.day}更新{plan.title}"
        if what == "ハッシュ値を追加":
            extra = hashlib.sha256(f"{plan.title}:{number}".encode()).hexdigest()
            plan.body += (
                f"\n## 追加のハッシュ値（{changed.month}月{changed.day}日）\n\n- `{extra}`\n"
            )
        elif what == "対象URLを追加":
            plan.body += f"\n## 追加の対象URL\n\n- `hxxps://{_fake_domain(rng)}/`\n"
        elif what == "推奨される対応を追記":
            plan.actions.append("不審な通信の有無をログで確認する")
        else:
            plan.body += f"\n（{changed.month}月{changed.day}日: {what}）\n"


def _popularity(plans: list[TopicPlan], rng: random.Random) -> None:
    """How often each topic was read: the seed's three on top, a long tail below."""
    for plan in plans:
        base = 60 * rng.paretovariate(1.6) * plan.template.popularity
        if plan.template.professional:
            base *= 1.3
        if plan.published_at < START + timedelta(days=3):
            base *= 1.8  # the busiest days of the Games
        plan.views = max(3, min(2400, int(base)))
    for key, views in zip(("wiper", "program", "ddos"), TOP_VIEWS, strict=True):
        next(plan for plan in plans if plan.template.key == key).views = views


# --- Writing ---------------------------------------------------------------------------------


@dataclass
class SharingLoadResult:
    topics: int
    versions: int
    comments: int
    acknowledgements: int
    readings: int
    views: int


def demo_topics(plan: Any) -> QuerySet[Topic]:
    """The demo's topics: those written by demo people or coming from a demo organisation."""
    names = [org.name for org in plan.orgs if not org.reference]
    return Topic.objects.filter(
        Q(created_by__email__in=plan.emails) | Q(organisation__name__in=names)
    )


def is_loaded(plan: Any) -> bool:
    return demo_topics(plan).exists()


def delete(plan: Any) -> int:
    """Delete the demo topics (with their versions, views, comments and acknowledgements), so
    that the demo organisations can be deleted; returns how many topics."""
    ids = list(demo_topics(plan).values_list("pk", flat=True))
    with transaction.atomic():
        for start in range(0, len(ids), 500):
            Topic.objects.filter(pk__in=ids[start : start + 500]).delete()
    return len(ids)


@contextmanager
def _explicit_timestamps(*models: type[Model]) -> Iterator[None]:
    """Let bulk_create keep our 2021 timestamps instead of auto_now(_add)'s current time."""
    changed = []
    for model in models:
        for f in model._meta.concrete_fields:
            for attr in ("auto_now", "auto_now_add"):
                if getattr(f, attr, False):
                    setattr(f, attr, False)
                    changed.append((f, attr))
    try:
        yield
    finally:
        for f, attr in changed:
            setattr(f, attr, True)


def load(plan: Any) -> SharingLoadResult | None:
    """Write the demo topics after the core demo; None if they are there already."""
    if is_loaded(plan):
        return None
    cast = _cast(plan)
    if not cast.centre or not cast.centre_staff:
        return None  # the core demo is not loaded: nothing to attach topics to
    plans = build_topics(cast, plan.seed)
    rng = random.Random(plan.seed * 104729 + 3)
    with transaction.atomic(), _explicit_timestamps(Topic, TopicVersion, Comment, Tag):
        topics = _write_topics(plans)
        versions = _write_versions(plans, topics)
        acks = _write_acknowledgements(plans, topics, cast, rng)
        readers = _readers(plans, topics, cast)
        readings, views = _write_views(plans, topics, readers, cast, rng)
        comments = _write_comments(plans, topics, readers, cast, rng)
    return SharingLoadResult(len(topics), versions, comments, acks, readings, views)


def _write_topics(plans: Sequence[TopicPlan]) -> list[Topic]:
    tag_names = sorted({name for plan in plans for name in plan.tags})
    Tag.objects.bulk_create(
        [Tag(name=name, created_at=START) for name in tag_names], ignore_conflicts=True
    )
    tags = dict(Tag.objects.filter(name__in=tag_names).values_list("name", "pk"))
    topics = []
    for plan in plans:
        updated = plan.history[-1][5] if plan.history else plan.published_at
        topics.append(
            Topic(
                title=plan.title,
                summary=plan.summary,
                actions=plan.actions,
                body=plan.body,
                body_html=render_markdown(plan.body),
                category=plan.template.category,
                professional=plan.template.professional,
                valid_until=plan.published_at + timedelta(days=60)
                if plan.template.category in {IMPORTANT, ALERT}
                else None,
                pinned=plan.template.pinned,
                requires_ack=plan.template.requires_ack,
                status=TopicStatus.PUBLISHED,
                anonymous=plan.anonymous,
                version=len(plan.history) + 1,
                reviewed_by_id=plan.reviewer,
                review_note="匿名で公開します。" if plan.anonymous else "",
                created_at=plan.published_at - timedelta(minutes=25),
                updated_at=updated,
                published_at=plan.published_at,
                search_text=search.index_text(
                    plan.title,
                    plan.summary,
                    plan.body,
                    " ".join(plan.actions),
                    " ".join(plan.tags),
                ),
                tlp=plan.tlp,
                audience=plan.audience,
                organisation_id=plan.organisation,
                created_by_id=plan.author,
            )
        )
    Topic.objects.bulk_create(topics, batch_size=200)
    through_tags: Any = Topic.tags.through
    through_sectors: Any = Topic.audience_sectors.through
    through_orgs: Any = Topic.audience_organisations.through
    through_tags.objects.bulk_create(
        [
            through_tags(topic_id=t.pk, tag_id=tags[name])
            for t, plan in zip(topics, plans, strict=True)
            for name in plan.tags
        ]
    )
    through_sectors.objects.bulk_create(
        [
            through_sectors(topic_id=t.pk, sector_id=s)
            for t, plan in zip(topics, plans, strict=True)
            for s in plan.sectors
        ]
    )
    through_orgs.objects.bulk_create(
        [
            through_orgs(topic_id=t.pk, organisation_id=o)
            for t, plan in zip(topics, plans, strict=True)
            for o in plan.organisations
        ]
    )
    return topics


def _write_versions(plans: Sequence[TopicPlan], topics: Sequence[Topic]) -> int:
    rows = []
    for topic, plan in zip(topics, plans, strict=True):
        created = plan.published_at - timedelta(minutes=25)
        note = ""
        for number, (title, summary, actions, body, next_note, changed) in enumerate(
            plan.history, start=1
        ):
            rows.append(
                TopicVersion(
                    topic_id=topic.pk,
                    number=number,
                    title=title,
                    summary=summary,
                    actions=actions,
                    body=body,
                    change_note=note,
                    created_by_id=plan.author,
                    created_at=created,
                )
            )
            note, created = next_note, changed
        rows.append(
            TopicVersion(
                topic_id=topic.pk,
                number=len(plan.history) + 1,
                title=plan.title,
                summary=plan.summary,
                actions=plan.actions,
                body=plan.body,
                change_note=note,
                created_by_id=plan.author,
                created_at=created,
            )
        )
    TopicVersion.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _write_acknowledgements(
    plans: Sequence[TopicPlan], topics: Sequence[Topic], cast: Cast, rng: random.Random
) -> int:
    """Most targeted organisations confirmed reading (and acting); the latest topics less so."""
    rows = []
    for topic, plan in zip(topics, plans, strict=True):
        if not plan.template.requires_ack:
            continue
        days_left = (END - plan.published_at).total_seconds() / 86400
        read_rate = 0.93 if days_left > 3 else 0.7
        for org_id in sorted(targeted_organisations(topic).values_list("pk", flat=True)):
            people = cast.people_of.get(org_id)
            ack = Acknowledgement(topic_id=topic.pk, organisation_id=org_id)
            if people and rng.random() < read_rate:
                ack.read_at = plan.published_at + timedelta(hours=rng.expovariate(1 / 6))
                ack.read_by_id = people[0]
                if rng.random() < 0.8:
                    ack.actioned_at = ack.read_at + timedelta(hours=rng.expovariate(1 / 12))
                    ack.actioned_by_id = people[0]
            rows.append(ack)
    Acknowledgement.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _readers(plans: Sequence[TopicPlan], topics: Sequence[Topic], cast: Cast) -> list[list[int]]:
    """Per topic, the demo people who may read it (the policy's fan-out list), by e-mail."""
    cache: dict[tuple[Any, ...], list[int]] = {}
    result = []
    for topic, plan in zip(topics, plans, strict=True):
        wide = plan.tlp in {TLP.CLEAR, TLP.GREEN, TLP.AMBER}
        key: tuple[Any, ...] = (
            ("everyone",)
            if plan.audience == Audience.EVERYONE and wide
            else (
                plan.tlp,
                plan.audience,
                tuple(plan.sectors),
                tuple(plan.organisations),
                plan.organisation,
                plan.author,
            )
        )
        if key not in cache:
            ids = policy.audience_users(topic).values_list("pk", flat=True)
            cache[key] = sorted((pk for pk in ids if pk in cast.email), key=cast.email.__getitem__)
        result.append(cache[key])
    return result


def _view_time(rng: random.Random, published: datetime, professional: bool) -> datetime:
    """When one view happened: mostly within a day of publication, in office hours."""
    for _ in range(8):
        delay = timedelta(hours=rng.expovariate(1 / (30 if professional else 18)))
        moment = (published + delay).astimezone(TOKYO)
        if moment > END:
            continue
        if rng.random() * 16 <= _HOUR_WEIGHTS[moment.hour]:
            return moment
    return min(END, published + timedelta(minutes=rng.randint(5, 300)))


def _write_views(
    plans: Sequence[TopicPlan],
    topics: Sequence[Topic],
    readers: Sequence[list[int]],
    cast: Cast,
    rng: random.Random,
) -> tuple[int, int]:
    """TopicView rows (one per reader) and ViewEvent hourly tallies, as record_view writes them."""
    reading_rows: list[TopicView] = []
    tallies: dict[tuple[datetime, int], int] = defaultdict(int)
    for topic, plan, pool in zip(topics, plans, readers, strict=True):
        weighted = [(pk, cast.rate[pk] + (0.6 if pk == plan.author else 0.0)) for pk in pool]
        weighted = [(pk, w) for pk, w in weighted if w > 0]
        if not weighted:
            continue
        views = min(plan.views, 4 * len(weighted))  # a small audience reads a few times at most
        unique = max(1, min(len(weighted), int(views / 2.2)))
        # Weighted sampling without replacement (Efraimidis–Spirakis): keep the largest keys.
        chosen = heapq.nlargest(unique, weighted, key=lambda item: rng.random() ** (1 / item[1]))
        chosen.sort(key=lambda item: cast.email[item[0]])
        counts = [1] * len(chosen)
        for index in rng.choices(range(len(chosen)), [w for _pk, w in chosen],
                                 k=max(0, views - len(chosen))):  # fmt: skip
            counts[index] += 1
        changes = [changed for *_text, changed in plan.history]
        topic.view_count = sum(counts)
        topic.viewer_count = len(chosen)
        for (pk, _w), count in zip(chosen, counts, strict=True):
            moments = sorted(
                _view_time(rng, plan.published_at, plan.template.professional) for _ in range(count)
            )
            for moment in moments:
                utc = moment.astimezone(ZoneInfo("UTC"))
                tallies[(utc.replace(minute=0, second=0, microsecond=0), topic.pk)] += 1
            version = 1 + sum(1 for changed in changes if changed <= moments[-1])
            reading_rows.append(
                TopicView(
                    topic_id=topic.pk,
                    user_id=pk,
                    organisation_id=cast.org_of.get(pk),
                    version=version,
                    count=count,
                    first_at=moments[0],
                    last_at=moments[-1],
                )
            )
    TopicView.objects.bulk_create(reading_rows, batch_size=2000)
    ViewEvent.objects.bulk_create(
        [
            ViewEvent(hour=hour, topic_id=topic_id, count=count)
            for (hour, topic_id), count in sorted(tallies.items())
        ],
        batch_size=2000,
    )
    Topic.objects.bulk_update(topics, ["view_count", "viewer_count"], batch_size=300)
    return len(reading_rows), sum(tallies.values())


def _write_comments(
    plans: Sequence[TopicPlan],
    topics: Sequence[Topic],
    readers: Sequence[list[int]],
    cast: Cast,
    rng: random.Random,
) -> int:
    """A few comments on a fifth of the topics, some answered by the centre (one level)."""
    top_level: list[tuple[Comment, TopicPlan]] = []
    for topic, plan, pool in zip(topics, plans, readers, strict=True):
        if plan.template.key == "daily" or rng.random() > (0.9 if plan.views > 1000 else 0.2):
            continue
        members = [pk for pk in pool if cast.org_of.get(pk) != cast.centre] or pool
        for _ in range(rng.randint(1, 4)):
            at = plan.published_at + timedelta(hours=rng.uniform(0.5, 30))
            comment = Comment(
                topic_id=topic.pk,
                author_id=rng.choice(members),
                body=rng.choice(_COMMENTS),
                created_at=min(at, END),
            )
            top_level.append((comment, plan))
    Comment.objects.bulk_create([comment for comment, _plan in top_level], batch_size=500)
    replies = [
        Comment(
            topic_id=comment.topic_id,
            parent_id=comment.pk,
            author_id=rng.choice(cast.centre_staff),
            body=rng.choice(_REPLIES),
            created_at=min(comment.created_at + timedelta(hours=rng.uniform(0.2, 4)), END),
        )
        for comment, _plan in top_level
        if rng.random() < 0.35
    ]
    Comment.objects.bulk_create(replies, batch_size=500)
    return len(top_level) + len(replies)
