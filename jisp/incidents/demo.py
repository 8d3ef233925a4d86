"""Demo incident response: the Games (21 July – 5 September 2021) as the seed's section 2 tells it.

Called by ``jisp demo`` after the organisations and people are loaded (``load(plan)``) and before
they are deleted on ``--reset`` (``delete(plan)``). Deterministic: the people are taken in e-mail
order and the organisations in name order, never in id order.

What the seed reports, and what is loaded:

- 19 reports from members: 17 incident reports and 2 consultations; 17 through the platform and 2
  received otherwise (one by telephone, one by e-mail, entered by the centre's duty officer);
- the incidents by category: cloud-service outages 7, system failures 3, DoS 3, a website
  defacement 1, the official online shop unreachable from overload after the opening ceremony 1,
  and a phishing site and a suspicious program (the seed's sections 3 and 4);
- 7 events escalated to the Security Coordination Centre: sites unreachable 4 (the shop, two DoS
  and the defaced page taken offline) and system failures 3; no event affected the Games'
  operation (the seed), so they were reported because they concerned Games sites or the public;
- cases in every state (the last days' cases are still open on 5 September), the centre's
  assignees, messages both ways, internal notes, tasks, a duplicate merged, linked DoS cases;
- support requests to NICT, IPA, JPCERT/CC, JC3 and a CTI vendor, in every state, with findings;
- routing rules (the ministry in charge of each sector, law enforcement for attacks, the organiser
  for the categories that may affect the Games, the sector information centres) and recipients;
- the 24-hour duty desk: three shifts a day in every role, with handover notes;
- for each day an AM and a PM report to the Security Coordination Centre and their summaries for
  the organiser, and the daily bulletin: composed by ``services.sitreps`` from the cases (its
  periods, figures and text), approved by the overall commander on duty, issued.

Everything is written with ``bulk_create`` (about a second, most of it composing the 235
situation reports); the audit log is not touched, neither by ``load`` nor by ``delete``.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import translation

from jisp.core import reference
from jisp.core.choices import TLP, OrganisationCategory, Role
from jisp.core.models import Membership, Organisation, Sector, User
from jisp.incidents.choices import (
    CaseRole,
    CaseState,
    DutyRole,
    EntryAudience,
    EntryKind,
    Grant,
    IntakeChannel,
    ReportCategory,
    ReportKind,
    ReportStatus,
    Severity,
    SitrepKind,
    SitrepSlot,
    SitrepState,
    SupportKind,
    SupportState,
    YesNoUnknown,
)
from jisp.incidents.models import (
    Case,
    CaseLink,
    CaseParticipant,
    DutyShift,
    Report,
    ReportRecipient,
    ReportUpdate,
    RoutingRule,
    SitrepRecipient,
    SituationReport,
    SupportRequest,
    Task,
    TimelineEntry,
)

TOKYO = ZoneInfo("Asia/Tokyo")
START = datetime(2021, 7, 21, 0, 0, tzinfo=TOKYO)
END = datetime(2021, 9, 5, 23, 59, tzinfo=TOKYO)
DAYS = 47  # 21 July – 5 September

#: The seed's headings of the events reported to the Security Coordination Centre.
SITE = "サイト閲覧障害"
SYSTEM = "システム等の障害"

C = ReportCategory
S = CaseState
K = SupportKind
YES, NO, UNKNOWN = YesNoUnknown.YES, YesNoUnknown.NO, YesNoUnknown.UNKNOWN


# --- The reports (pure data) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Ask:
    """A support request from the case to an agency (short name) or a CTI vendor (name)."""

    org: str
    kinds: tuple[str, ...]
    state: str
    message: str
    answer: str = ""
    findings: str = ""
    after: int = 90  # minutes after the case was opened


@dataclass(frozen=True)
class Spec:
    key: str
    kind: str
    category: str
    org: tuple[str, str, int]  # ("name", name, 0) | ("sector", code, n) | ("category", cat, n)
    day: int  # 0 = 21 July
    time: str  # Tokyo
    title: str
    description: str
    services: str
    systems: str
    state: str
    severity: str = Severity.MEDIUM
    hours: float = 20.0  # from the report to its resolution
    channel: str = IntakeChannel.PLATFORM
    tlp: str = TLP.AMBER
    escalated: str = ""  # SITE or SYSTEM: reported to the Security Coordination Centre
    impact_note: str = ""
    public: str = UNKNOWN
    support_wanted: tuple[str, ...] = ()
    indicators: str = ""
    talk: tuple[tuple[str, str], ...] = ()  # ("centre" | "reporter" | "note", text)
    updates: tuple[tuple[float, str], ...] = ()  # (hours after the report, text)
    asks: tuple[Ask, ...] = ()
    tasks: tuple[str, ...] = ()
    merged_into: str = ""
    linked: str = ""


_CLOSING = "対応が完了したため、本事案をクローズします。ご協力ありがとうございました。"

REPORTS: tuple[Spec, ...] = (
    Spec(
        "rail_cloud", ReportKind.INCIDENT, C.CLOUD_OUTAGE, ("name", "みなと鉄道株式会社", 0),
        0, "10:40", "クラウド型運行情報配信サービスの障害により運行情報サイトの更新が停止",
        "10時15分頃から、運行情報の配信に利用しているクラウドサービスで障害が発生し、当社Webサイト"
        "及びアプリの運行情報が更新されない状態です。大会会場への輸送に関する案内にも影響する"
        "可能性があります。列車の運行そのものへの影響はありません。",
        "運行情報Webサイト、公式アプリのプッシュ通知", "運行情報配信システム（SaaS）",
        S.CLOSED, Severity.HIGH, 6, escalated=SYSTEM, public=YES,
        impact_note="大会組織委員会（輸送）と確認。観客輸送の案内は駅掲示で代替しており大会運営への"
        "影響なし。SNS上で更新停止が話題になっているため、公に認知されうる事象として報告。",
        support_wanted=(K.ADVICE,),
        talk=(
            ("centre", "報告を受領しました。障害の復旧見込みと、代替の案内手段についてお知らせ"
                       "ください。"),
            ("reporter", "クラウド事業者から12時頃の復旧見込みとの連絡がありました。駅構内の"
                         "掲示とSNSで案内しています。"),
            ("note", "輸送への影響がないか大会組織委員会リエゾン経由で確認済み。AM報告に掲載。"),
            ("reporter", "11時52分に復旧し、運行情報の更新が再開されました。"),
            ("centre", "復旧を確認しました。原因について事業者から報告があれば"
                       "共有をお願いします。"),
        ),
        tasks=("クラウド事業者の障害情報を確認", "大会組織委員会（輸送）へ影響確認"),
    ),
    Spec(
        "consult_ddos", ReportKind.CONSULTATION, C.OTHER, ("category", "venue", 0),
        1, "14:20", "大会期間中のWebサイトへのDDoS攻撃対策について",
        "当会場のWebサイトはレンタルサーバで運用しています。開会式前後にDDoS攻撃が予告されている"
        "との報道を見ましたが、小規模な組織として優先して確認すべき対策があれば教えてください。",
        "会場公式Webサイト", "レンタルサーバ",
        S.CLOSED, Severity.LOW, 30, tlp=TLP.GREEN,
        talk=(
            ("centre", "ご相談ありがとうございます。まず、サーバ事業者が提供するDDoS対策の有無と"
                       "緊急連絡先を確認してください。CDNの利用や、障害時に表示する静的な"
                       "お知らせページの準備も有効です。"),
            ("reporter", "事業者に確認したところ、CDNオプションが利用できるとのことでした。"
                         "開会式前に有効化します。"),
            ("centre", "注意喚起「DDoS攻撃キャンペーンに関する注意喚起」も併せてご確認ください。"
                       "回答内容は匿名化のうえ、他の参加組織にも共有します。"),
        ),
        tasks=("回答を匿名化してトピック化",),
    ),
    Spec(
        "venue_dos", ReportKind.INCIDENT, C.DOS, ("category", "venue", 1),
        2, "19:05", "会場公式Webサイトに対するDoS攻撃と思われるアクセス集中",
        "18時40分頃から海外の複数のIPアドレスから大量のHTTPリクエストを受け、会場公式Webサイトが"
        "閲覧しにくい状態です。開会式の時間帯と重なっています。",
        "会場公式Webサイト（観戦案内）", "Webサーバ、ロードバランサ",
        S.CLOSED, Severity.HIGH, 5, escalated=SITE, public=YES,
        impact_note="大会組織委員会と確認。観戦案内は大会公式サイトにも掲載されており大会運営への"
        "影響なし。大会に関するサイトにおける事象として報告。",
        support_wanted=(K.ADVICE, K.INVESTIGATION),
        indicators="203.0.113.45\n203.0.113.46\n198.51.100.201",
        talk=(
            ("centre", "受領しました。アクセス元の上位IPアドレスとリクエストの傾向をお知らせ"
                       "ください。JPCERT/CCに助言を依頼します。"),
            ("reporter", "上位のアクセス元を共有します。トップページへのGETリクエストがほとんど"
                         "です。"),
            ("note", "所管省庁・治安機関に連絡済み（ルールによる自動連絡）。"),
            ("centre", "JPCERT/CCからの助言を共有します。CDNでのレート制限と、攻撃元の国別の"
                       "一時遮断を検討してください。"),
            ("reporter", "レート制限を設定し、20時30分以降は閲覧できる状態に戻りました。"),
        ),
        asks=(
            Ask("JPCERT/CC", (K.ADVICE,), SupportState.CLOSED,
                "開会式当日の会場公式WebサイトへのDoS攻撃について、緩和策の助言をお願いします。",
                "承知しました。ログの一部を共有いただければ傾向を確認します。",
                "HTTP GETフラッドと判断します。同一のUser-Agentが大半のため、CDNでのレート制限と"
                "User-Agentによる遮断が有効です。同種の攻撃が他の会場サイトにも向いていないか"
                "確認しています。", 25),
        ),
        tasks=("アクセスログの保全を依頼", "同種の攻撃が他会場にないか確認"),
        linked="sports_dos",
    ),
    Spec(
        "shop_overload", ReportKind.INCIDENT, C.SITE_UNREACHABLE,
        ("name", "大会公式オンラインショップ運営株式会社", 0),
        2, "23:40", "公式オンラインショップのアクセス過多による閲覧障害",
        "開会式終了後の22時50分頃から公式オンラインショップへのアクセスが急増し、ページが表示され"
        "にくい状態です。攻撃の兆候は今のところ確認されていません。",
        "公式オンラインショップ", "ECサイト（クラウド上のWebサーバ群）",
        S.CLOSED, Severity.HIGH, 18 * 24, escalated=SITE, public=YES,
        impact_note="大会組織委員会と確認。販売サイトの閲覧障害であり大会運営への影響なし。報道"
        "されているため、公に認知されうる事象として報告。",
        support_wanted=(K.ADVICE,),
        talk=(
            ("centre", "受領しました。アクセス過多の原因（正規の購入者か、攻撃か）の切り分け状況を"
                       "お知らせください。"),
            ("reporter", "アクセス元は国内の一般の利用者が大半で、開会式で紹介された商品への"
                         "アクセスが集中したものと考えています。待合室（アクセス制御）を導入"
                         "しました。"),
            ("note", "報道あり（ネットニュース2件）。PM報告に掲載。閉会式でも再発の可能性。"),
            ("centre", "閉会式前にも同様の集中が想定されます。増強の予定があれば"
                       "共有をお願いします。"),
            ("reporter", "閉会式に向けてサーバを増強し、待合室の上限を見直しました。"),
        ),
        updates=(
            (14, "翌朝7時時点でも断続的に表示が遅い状態が続いています。待合室を継続しています。"),
            (62, "7月26日夜までにアクセスは平常に戻りました。"),
            (16 * 24 - 3, "オリンピック閉会式の終了後、再びアクセスが集中し、約40分間閲覧しにくい"
                          "状態となりました。待合室で対応し、現在は復旧しています。"),
        ),
        tasks=("報道状況の確認", "閉会式前の増強状況を確認"),
    ),
    Spec(
        "live_cloud", ReportKind.INCIDENT, C.CLOUD_OUTAGE,
        ("name", "大会公式ライブ配信株式会社", 0),
        3, "15:10", "配信基盤クラウドの障害によりライブ配信が一時停止",
        "14時55分頃、ライブ配信の配信基盤として利用しているクラウドサービスの障害により、一部競技の"
        "ライブ配信が約10分間停止しました。現在はバックアップ系に切り替えて配信しています。",
        "大会公式ライブ配信", "配信基盤（クラウド）、CDN",
        S.CLOSED, Severity.HIGH, 8, channel=IntakeChannel.PHONE, escalated=SYSTEM, public=YES,
        impact_note="大会組織委員会と確認。競技運営には影響なし。視聴者からの問合せが多くSNSで"
        "話題となっているため報告。",
        talk=(
            ("note", "当直が電話で受付（15時10分）。内容を代理入力。"),
            ("centre", "お電話の内容を登録しました。以降の状況はこちらでご連絡ください。"),
            ("reporter", "クラウド事業者から、特定リージョンのストレージ障害との"
                         "報告がありました。"),
            ("centre", "承知しました。偽ライブ配信サイトへの誘導が増えるおそれがあるため、"
                       "公式の告知をお願いします。"),
        ),
        tasks=("偽ライブ配信サイトの監視を強化",),
    ),
    Spec(
        "sports_dos", ReportKind.INCIDENT, C.DOS, ("category", "sports", 0),
        4, "09:30", "競技団体Webサイトに対するDDoS攻撃",
        "早朝から競技団体のWebサイトが閲覧できない状態です。ホスティング事業者からDDoS攻撃を"
        "受けているとの連絡がありました。",
        "競技団体公式Webサイト（競技日程・結果）", "ホスティング事業者のWebサーバ",
        S.CLOSED, Severity.MEDIUM, 10, escalated=SITE, public=NO,
        impact_note="大会組織委員会と確認。競技日程・結果は大会公式サイトで提供されており大会運営"
        "への影響なし。大会に関するサイトにおける事象として報告。",
        support_wanted=(K.INVESTIGATION,),
        indicators="198.51.100.77\n198.51.100.78",
        talk=(
            ("centre", "受領しました。ホスティング事業者からの連絡内容（攻撃の規模、開始時刻）を"
                       "お知らせください。"),
            ("reporter", "6時頃から約2Gbpsの通信があったとのことです。事業者側で"
                         "遮断を実施中です。"),
            ("note", "7/23の会場サイトへのDoSと同じ攻撃元の可能性。関連付け。"),
            ("reporter", "11時頃から閲覧できるようになりました。"),
        ),
        asks=(
            Ask("NICT", (K.INVESTIGATION,), SupportState.CLOSED,
                "競技団体Webサイトに対するDDoS攻撃について、観測状況の確認をお願いします。",
                "承知しました。観測網で確認します。",
                "当該時間帯に、同一のボットネットからと見られる通信を観測しました。7月23日の会場"
                "サイトへの攻撃と送信元の一部が一致します。", 60),
        ),
    ),
    Spec(
        "ticket_system", ReportKind.INCIDENT, C.SYSTEM_FAILURE,
        ("name", "大会公式チケッティング株式会社", 0),
        5, "08:50", "チケット発券・入場システムの一部端末で障害",
        "8時20分頃から、一部会場の入場ゲートでチケットの読み取りができない端末が発生しています。"
        "手動での確認に切り替えています。不正アクセスの兆候は確認されていません。",
        "入場ゲートのチケット読み取り", "入場管理システム（端末、認証サーバ）",
        S.CLOSED, Severity.HIGH, 4, escalated=SYSTEM, public=YES,
        impact_note="大会組織委員会と確認。手動確認により入場は継続しており大会運営への影響なし。"
        "入場待ちの列が報道されたため報告。",
        talk=(
            ("centre", "受領しました。影響を受けている会場と端末の数、原因の見込みをお知らせ"
                       "ください。"),
            ("reporter", "2会場で計14台です。前夜に配信した設定ファイルの不備が原因と見ています。"),
            ("centre", "サイバー攻撃の可能性が低いことを確認しました。復旧後にご連絡ください。"),
            ("reporter", "10時15分に全端末が復旧しました。"),
        ),
        tasks=("大会組織委員会へ影響確認",),
    ),
    Spec(
        "broadcast_cloud", ReportKind.INCIDENT, C.CLOUD_OUTAGE, ("sector", "broadcasting", 0),
        6, "11:15", "クラウド型番組素材伝送サービスの障害",
        "番組素材の伝送に利用しているクラウドサービスで障害が発生し、一部の素材の受信が遅れて"
        "います。放送への影響はありません。",
        "番組素材の伝送", "素材伝送サービス（クラウド）",
        S.CLOSED, Severity.LOW, 5, channel=IntakeChannel.EMAIL, tlp=TLP.GREEN,
        talk=(
            ("note", "メールで受付。当直が代理入力。"),
            ("centre", "メールの内容を登録しました。放送への影響が出る場合はお知らせください。"),
            ("reporter", "14時に復旧しました。"),
        ),
    ),
    Spec(
        "city_defacement", ReportKind.INCIDENT, C.DEFACEMENT, ("sector", "local_government", 0),
        8, "07:45", "市の大会関連情報ページの改ざん",
        "市のWebサイトのうち、大会関連のイベント情報ページが改ざんされ、無関係な画像と文字列が"
        "表示されていることを職員が発見しました。該当ページを公開停止しています。",
        "市Webサイト（大会関連イベント情報）", "CMS（外部委託）",
        S.CLOSED, Severity.HIGH, 30, escalated=SITE, public=YES,
        impact_note="大会組織委員会と確認。市のイベント情報のみで大会運営への影響なし。該当ページを"
        "公開停止し閲覧できない状態のため、公に認知されうる事象として報告。",
        support_wanted=(K.INVESTIGATION, K.ADVICE),
        indicators="http://toto-events.example/defaced.html",
        talk=(
            ("centre", "受領しました。改ざんされたページの保存と、CMSのログの保全をお願いします。"),
            ("reporter", "改ざん後の画面を保存しました。委託先にログの提出を依頼しています。"),
            ("note", "CMSの既知の脆弱性（プラグイン）が原因の可能性。JPCERT/CCに調査を依頼。"),
            ("centre", "JPCERT/CCの調査結果を共有します。プラグインの更新と、管理画面へのアクセス"
                       "制限をお願いします。"),
            ("reporter", "プラグインを更新し、ページを再公開しました。"),
        ),
        asks=(
            Ask("JPCERT/CC", (K.INVESTIGATION, K.ADVICE), SupportState.CLOSED,
                "市Webサイトの改ざんについて、原因の調査と再発防止の助言をお願いします。",
                "承知しました。CMSのバージョンとログを確認します。",
                "CMSのプラグインの既知の脆弱性を悪用した改ざんと判断します。同じプラグインを"
                "利用する他のサイトにも注意喚起が必要です。", 45),
            Ask("JC3", (K.ADVICE,), SupportState.DECLINED,
                "市Webサイトの改ざんについて、類似事案の情報があれば助言をお願いします。",
                "本件は都道府県警察への相談を推奨します。類似事案の情報は確認できていません。",
                "", 60),
        ),
        tasks=("改ざんページの保全", "同じCMSを使う参加組織への注意喚起を検討"),
    ),
    Spec(
        "water_malware", ReportKind.INCIDENT, C.MALWARE, ("sector", "water", 0),
        9, "10:05", "業務端末で大会関連の被害報告を装う不審な実行ファイルを検知",
        "職員宛てのメールに添付された「被害報告」という名前のファイルを、EDRが不審な実行ファイル"
        "として検知・隔離しました。実行された形跡はありません。",
        "事務系ネットワーク", "業務端末1台、メールゲートウェイ",
        S.CLOSED, Severity.MEDIUM, 48, tlp=TLP.AMBER,
        support_wanted=(K.MALWARE_ANALYSIS,),
        indicators="被害報告.exe\n3f1a9c0e5b7d2e8f4a6c1b9d0e7f3a2c5b8d4e6f1a0c9b7e2d5f8a3c6b1e4d70",
        talk=(
            ("centre", "受領しました。検体の提出が可能であれば、IPAに解析を依頼します。"),
            ("reporter", "検体をパスワード付きZIPで提出します。"),
            ("note", "注意喚起「大会関連の被害報告を装う不正プログラム」と同種の可能性。"),
            ("centre", "IPAの解析結果を共有します。ワイパー型の不正プログラムと判断されました。"
                       "メールゲートウェイで同じハッシュ値の遮断をお願いします。"),
            ("reporter", "遮断設定を行いました。他の端末での受信はありませんでした。"),
        ),
        asks=(
            Ask("IPA", (K.MALWARE_ANALYSIS,), SupportState.CLOSED,
                "業務端末で検知された不審な実行ファイルの解析をお願いします。",
                "承知しました。検体を受領しました。",
                "ファイルを削除するワイパー型の不正プログラムです。外部との通信機能はありません。"
                "文書ファイルのアイコンに偽装されています。", 60),
            Ask("株式会社サイバーアストロラーベ", (K.MALWARE_ANALYSIS,), SupportState.REPORTED,
                "同一検体の流通状況（他組織での観測）について情報提供をお願いします。",
                "承知しました。当社の観測データで確認します。",
                "同一ハッシュ値の検体を国内の2組織宛てのメールで観測しています。送信元ドメインは"
                "大会関連組織を装ったものです。", 120),
        ),
        tasks=("検体をIPAへ送付", "注意喚起の要否を判断"),
    ),
    Spec(
        "bus_cloud", ReportKind.INCIDENT, C.CLOUD_OUTAGE, ("sector", "buses", 0),
        11, "09:20", "クラウドサービス障害によるバスロケーションシステムの停止",
        "8時50分頃から、利用しているクラウドサービス（みなとクラウド）の東日本リージョンの障害"
        "により、バスロケーションシステムが停止しています。運行には影響ありません。",
        "バスロケーションシステム", "バス接近情報サーバ（クラウド）",
        S.CLOSED, Severity.MEDIUM, 5,
        talk=(
            ("centre", "受領しました。同じクラウドサービスの障害について、他の参加組織からも報告が"
                       "あります。"),
            ("reporter", "12時に復旧しました。"),
        ),
        tasks=("クラウド事業者の障害情報を確認",),
    ),
    Spec(
        "city_cloud", ReportKind.INCIDENT, C.CLOUD_OUTAGE, ("sector", "local_government", 1),
        11, "09:45", "クラウド障害により市Webサイトの一部機能が停止",
        "市Webサイトの施設予約機能が利用できません。利用しているクラウドサービス（みなとクラウド）"
        "の障害と見られます。",
        "施設予約", "施設予約システム（クラウド）",
        S.CLOSED, Severity.LOW, 1, merged_into="bus_cloud",
        talk=(
            ("note", "みなとクラウドの同一障害。バスロケーションシステムの事案に統合する。"),
            ("centre", "同じクラウドサービスの障害として、先に受け付けた事案に"
                       "まとめて対応します。"),
        ),
    ),
    Spec(
        "power_system", ReportKind.INCIDENT, C.SYSTEM_FAILURE, ("name", "東都電力株式会社", 0),
        16, "18:30", "社内システム障害によりWebサイトの停電情報ページが表示されない",
        "社内の配信サーバの障害により、Webサイトの停電情報ページが表示されない状態です。停電は"
        "発生しておらず、電力供給への影響はありません。",
        "停電情報ページ", "情報配信サーバ",
        S.RESOLVED, Severity.MEDIUM, 3,
        talk=(
            ("centre", "受領しました。サイバー攻撃の可能性はありますか。"),
            ("reporter", "ディスク障害が原因で、攻撃の可能性はありません。21時に復旧しました。"),
            ("centre", "承知しました。原因の報告書がまとまりましたら共有をお願いします。"),
        ),
    ),
    Spec(
        "bank_cloud", ReportKind.INCIDENT, C.CLOUD_OUTAGE, ("sector", "finance", 0),
        21, "08:55", "クラウド型認証サービスの障害によりインターネットバンキングにログインしにくい",
        "8時30分頃から、インターネットバンキングのログインに利用しているクラウド型の認証サービスで"
        "障害が発生し、ログインしにくい状態です。",
        "インターネットバンキング", "認証サービス（SaaS）",
        S.CLOSED, Severity.MEDIUM, 4,
        talk=(
            ("centre", "受領しました。フィッシングの誘導に悪用されないよう、お客様への告知を"
                       "お願いします。"),
            ("reporter", "10時40分に復旧し、告知を掲載しました。"),
        ),
    ),
    Spec(
        "telecom_ddos", ReportKind.INCIDENT, C.DOS, ("sector", "telecoms", 0),
        35, "02:10", "DNSサーバに対するDDoS攻撃",
        "1時40分頃から、当社のキャッシュDNSサーバに対して大量の問い合わせを受けています。"
        "名前解決の遅延が一部で発生しています。",
        "インターネット接続サービス（名前解決）", "キャッシュDNSサーバ",
        S.RESOLVED, Severity.HIGH, 9,
        support_wanted=(K.INVESTIGATION,),
        indicators="192.0.2.10\n192.0.2.11",
        talk=(
            ("centre", "受領しました。問い合わせの種類と送信元の傾向をお知らせください。"),
            ("reporter", "ランダムなサブドメインへの問い合わせ（水責め攻撃）と見られます。"),
            ("note", "NICTに観測状況の確認を依頼。パラリンピック開会式の翌日。"),
            ("reporter", "フィルタを適用し、4時以降は遅延が解消しました。"),
        ),
        asks=(
            Ask("NICT", (K.INVESTIGATION,), SupportState.REPORTED,
                "キャッシュDNSサーバへのDDoS攻撃について、観測状況の確認をお願いします。",
                "承知しました。",
                "同時間帯に国内の複数の事業者のDNSサーバへの同種の問い合わせを観測しています。"
                "特定の大会関係組織を狙ったものではないと見られます。", 40),
        ),
    ),
    Spec(
        "logistics_cloud", ReportKind.INCIDENT, C.CLOUD_OUTAGE, ("sector", "logistics", 0),
        44, "13:20", "SaaS型配送管理システムの障害",
        "配送管理に利用しているSaaSで障害が発生し、配送状況の確認ができない状態です。",
        "配送管理", "配送管理システム（SaaS）",
        S.WAITING, Severity.LOW, 30,
        talk=(
            ("centre", "受領しました。大会関係の輸送に影響がありますか。"),
            ("reporter", "大会関係の輸送も一部含まれます。影響の範囲を確認中です。"),
            ("centre", "影響を受ける輸送の範囲がわかりましたらお知らせください。大会組織委員会と"
                       "共有します。"),
        ),
        tasks=("大会組織委員会（輸送）へ影響確認",),
    ),
    Spec(
        "airport_system", ReportKind.INCIDENT, C.SYSTEM_FAILURE, ("sector", "airports", 0),
        45, "06:40", "フライト情報表示システムの障害",
        "6時10分頃から、空港ターミナルのフライト情報表示システムの一部表示器が更新されない状態"
        "です。放送と係員の案内で対応しています。",
        "フライト情報表示", "FIDS（フライト情報表示システム）",
        S.IN_PROGRESS, Severity.MEDIUM, 30,
        talk=(
            ("centre", "受領しました。原因の見込みと、大会関係者の出国への影響を"
                       "お知らせください。"),
            ("reporter", "表示制御サーバの不具合と見ています。出国への影響は出ていません。"),
            ("note", "JPCERT/CCに助言を依頼。閉会式前日のため経過を注視。"),
        ),
        asks=(
            Ask("JPCERT/CC", (K.ADVICE,), SupportState.ACCEPTED,
                "フライト情報表示システムの障害について、サイバー攻撃の可能性の判断に助言を"
                "お願いします。",
                "承知しました。ログを確認のうえ回答します。", "", 120),
        ),
        tasks=("ログの提出を依頼", "大会組織委員会へ影響確認"),
    ),
    Spec(
        "card_phishing", ReportKind.INCIDENT, C.PHISHING, ("sector", "credit", 0),
        45, "16:30", "大会チケットの当選を装いカード会社を騙るフィッシングサイト",
        "当社を騙り「閉会式チケット当選」を装うSMSが送られ、カード情報を入力させるフィッシング"
        "サイトに誘導されているとのお客様からの問い合わせが複数ありました。",
        "会員向けWebサービス", "なし（外部のフィッシングサイト）",
        S.TRIAGE, Severity.MEDIUM, 30, tlp=TLP.GREEN,
        support_wanted=(K.ADVICE,),
        indicators="hxxps://toto-ticket-lottery.example/login",
        talk=(
            ("centre", "受領しました。フィッシングサイトのURLとSMSの文面をお知らせください。"),
            ("reporter", "URLとSMSの文面を追記しました。"),
        ),
        asks=(
            Ask("JC3", (K.ADVICE, K.INVESTIGATION), SupportState.REQUESTED,
                "カード会社を騙るフィッシングサイトについて、テイクダウンに向けた助言と類似サイト"
                "の情報提供をお願いします。", after=60),
        ),
        tasks=("フィッシングサイトのテイクダウン依頼を検討",),
    ),
    Spec(
        "consult_accounts", ReportKind.CONSULTATION, C.OTHER, ("category", "sports", 1),
        46, "20:10", "大会終了後の臨時アカウントの棚卸しについて",
        "大会期間中に臨時で発行したアカウントが多数あります。大会終了後の棚卸しと削除の進め方に"
        "ついて、参考になる手順があれば教えてください。",
        "", "",
        S.NEW, Severity.LOW, 30, tlp=TLP.GREEN,
    ),
)  # fmt: skip


# --- Routing rules and situation report recipients ------------------------------------------------

#: (category, recipient organisation name) for law enforcement: attacks are crimes.
_POLICE_RULES = (C.DOS, C.DEFACEMENT, C.UNAUTHORISED_ACCESS)
#: The categories that may affect the Games: the organiser receives them (redacted).
_ORGANISER_RULES = (C.CLOUD_OUTAGE, C.SYSTEM_FAILURE, C.SITE_UNREACHABLE, C.DOS, C.DEFACEMENT)
#: The sector information centres (the members' associations) and their sectors.
_SECTOR_CENTRES = {
    "エネルギー分野セキュリティ情報センター": ("electricity", "gas", "heat_supply"),
    "金融分野サイバー情報共有会": ("finance", "credit"),
    "放送・通信セキュリティ情報センター": ("telecoms", "broadcasting"),
    "交通インフラ情報共有センター": ("railways", "aviation", "airports", "buses", "expressways"),
    "自治体セキュリティ情報センター": ("local_government", "water", "sewerage"),
}
_POLICE = "警視庁"
_ORGANISER = "公益財団法人東都国際競技大会組織委員会"

SITREP_RECIPIENTS: tuple[tuple[str, str, str], ...] = (
    (SitrepKind.SITUATION, "セキュリティ調整センター 事態対処班", "scc-ops@scc.example.jp"),
    (SitrepKind.SITUATION, "セキュリティ調整センター 当直", "scc-duty@scc.example.jp"),
    (SitrepKind.ORGANISER, "大会組織委員会 サイバーセキュリティ担当", "cyber@tigoc.example.jp"),
    (SitrepKind.ORGANISER, "体制検討会窓口", "taisei-kentokai@ccc.example.jp"),
    (SitrepKind.ORGANISER, "東都都 大会準備局 情報セキュリティ担当",
     "security@games.metro-toto.example.jp"),
    (SitrepKind.BULLETIN, "体制参加組織（一斉配信）", "members@ccc.example.jp"),
)  # fmt: skip


#: Japanese labels fixed here (the choices' labels follow the active language).
CATEGORY_JA = {
    C.CLOUD_OUTAGE: "クラウドサービス障害", C.SYSTEM_FAILURE: "システム障害",
    C.SITE_UNREACHABLE: "サイト閲覧不可・過負荷", C.DOS: "DoS／DDoS攻撃",
    C.DEFACEMENT: "Webサイト改ざん", C.PHISHING: "フィッシング",
    C.MALWARE: "マルウェア・ランサムウェア", C.UNAUTHORISED_ACCESS: "不正アクセス",
    C.INFORMATION_LEAK: "情報漏えい", C.VULNERABILITY: "脆弱性",
    C.PHYSICAL_CYBER: "物理・サイバー複合", C.OTHER: "その他",
}  # fmt: skip
STATE_JA = {
    S.NEW: "新規", S.TRIAGE: "トリアージ", S.IN_PROGRESS: "対応中",
    S.WAITING: "報告者の回答待ち", S.RESOLVED: "解決", S.CLOSED: "完了",
}  # fmt: skip


def rule_names() -> list[str]:
    """The names of the demo's routing rules (how ``delete`` recognises them)."""
    names = [f"所管省庁へ連絡（{name}）" for _code, name, _en, _m in reference.SECTORS]
    names += [f"治安機関へ連絡（{CATEGORY_JA[c]}）" for c in _POLICE_RULES]
    names += [f"大会組織委員会へ連絡（{CATEGORY_JA[c]}）" for c in _ORGANISER_RULES]
    sector_names = {code: name for code, name, _en, _m in reference.SECTORS}
    names += [
        f"{centre}へ連絡（{sector_names[code]}）"
        for centre, codes in _SECTOR_CENTRES.items()
        for code in codes
    ]
    return names


# --- Who is in the demo ---------------------------------------------------------------------------


@dataclass
class Cast:
    centre: int
    staff: dict[str, list[int]]  # role -> centre people (e-mail order)
    people_of: dict[int, list[int]]  # organisation -> its members and administrators
    responders_of: dict[int, list[int]]  # organisation -> its agency responders / vendor analysts
    org_by_name: dict[str, int]
    by_category: dict[str, list[int]]  # category -> organisations (name order)
    by_sector: dict[str, list[int]]  # sector code -> operators (name order)
    sector_of: dict[int, int | None]  # organisation -> sector id
    short_names: dict[str, int]  # short name -> organisation
    ministry_of_sector: dict[int, int | None]
    sector_ids: dict[str, int]
    org_names: dict[int, str]
    names: dict[int, str]  # person -> name (as the services write it in timeline data)


def _cast(plan: Any) -> Cast:
    rows = (
        Membership.objects.filter(user__email__in=plan.emails)
        .values_list("user_id", "organisation_id", "organisation__category", "role")
        .order_by("user__email", "organisation__name")
    )
    staff: dict[str, list[int]] = defaultdict(list)
    people_of: dict[int, list[int]] = defaultdict(list)
    responders_of: dict[int, list[int]] = defaultdict(list)
    centre = 0
    for user_id, org_id, category, role in rows:
        if category == OrganisationCategory.CENTRE:
            centre = org_id
            staff[role].append(user_id)
        elif role in {Role.MEMBER, Role.ORG_ADMIN}:
            people_of[org_id].append(user_id)
        if role in {Role.AGENCY_RESPONDER, Role.VENDOR_ANALYST}:
            responders_of[org_id].append(user_id)
    names = [org.name for org in plan.orgs]
    orgs = list(
        Organisation.objects.filter(name__in=names)
        .order_by("name")
        .values_list("pk", "name", "category", "sector_id", "short_name", "sector__code")
    )
    by_category: dict[str, list[int]] = defaultdict(list)
    by_sector: dict[str, list[int]] = defaultdict(list)
    for pk, _name, category, _sector, _short, code in orgs:
        by_category[category].append(pk)
        if code and category == OrganisationCategory.OPERATOR:
            by_sector[code].append(pk)
    return Cast(
        centre=centre,
        staff=dict(staff),
        people_of=dict(people_of),
        responders_of=dict(responders_of),
        org_by_name={name: pk for pk, name, *_rest in orgs},
        by_category=dict(by_category),
        by_sector=dict(by_sector),
        sector_of={pk: sector for pk, _n, _c, sector, _s, _code in orgs},
        short_names={short: pk for pk, _n, _c, _s, short, _code in orgs if short},
        ministry_of_sector=dict(Sector.objects.values_list("pk", "ministry_id")),
        sector_ids=dict(Sector.objects.values_list("code", "pk")),
        org_names={pk: name for pk, name, *_rest in orgs},
        names=dict(User.objects.filter(email__in=plan.emails).values_list("pk", "name")),
    )


def _organisation(cast: Cast, selector: tuple[str, str, int]) -> int:
    how, what, index = selector
    if how == "name":
        return cast.org_by_name[what]
    if how == "sector":
        return cast.by_sector[what][index]
    return cast.by_category[what][index]


def _agency(cast: Cast, name: str) -> int:
    return cast.short_names.get(name) or cast.org_by_name[name]


# --- The timetable of one case (pure Python) ------------------------------------------------------


def _at(day: int, hhmm: str) -> datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return START + timedelta(days=day, hours=hour, minutes=minute)


def _clamp(moment: datetime) -> datetime:
    return min(moment, END)


@dataclass
class Timetable:
    opened: datetime
    acknowledged: datetime | None
    states: list[tuple[datetime, str, str]]  # (when, from, to)
    resolved: datetime | None
    closed: datetime | None
    talk_times: list[datetime] = field(default_factory=list)


def _timetable(spec: Spec, rng: random.Random) -> Timetable:
    opened = _at(spec.day, spec.time)
    if spec.state == S.NEW:
        return Timetable(opened, None, [], None, None)
    ack = opened + timedelta(minutes=rng.randint(4, 18))
    path = {
        S.TRIAGE: [S.TRIAGE],
        S.IN_PROGRESS: [S.TRIAGE, S.IN_PROGRESS],
        S.WAITING: [S.TRIAGE, S.IN_PROGRESS, S.WAITING],
        S.RESOLVED: [S.TRIAGE, S.IN_PROGRESS, S.RESOLVED],
        S.CLOSED: [S.TRIAGE, S.IN_PROGRESS, S.RESOLVED, S.CLOSED],
    }[S(spec.state)]
    if spec.merged_into:
        path = [S.TRIAGE, S.CLOSED]
    resolved_at = _clamp(opened + timedelta(hours=spec.hours))
    closed_at = _clamp(resolved_at + timedelta(hours=rng.randint(14, 30)))
    if spec.merged_into:
        closed_at = ack + timedelta(minutes=35)
    when = {
        S.TRIAGE: ack,
        S.IN_PROGRESS: ack + timedelta(minutes=25),
        S.WAITING: _clamp(ack + timedelta(hours=min(spec.hours, 20) * 0.6)),
        S.RESOLVED: resolved_at,
        S.CLOSED: closed_at,
    }
    states, previous = [], S.NEW
    for state in path:
        states.append((when[state], str(previous), str(state)))
        previous = state
    table = Timetable(
        opened,
        ack,
        states,
        resolved_at if S.RESOLVED in path else None,
        closed_at if S.CLOSED in path else None,
    )
    # The conversation: the first line 10 minutes after the acknowledgement, the others spread
    # (closer together at first) up to the resolution, the merge, or the last state change.
    if spec.merged_into:
        end = closed_at
    elif table.resolved:
        end = table.resolved
    else:
        end = states[-1][0] + timedelta(hours=3 if spec.state != S.WAITING else 0)
    first = ack + timedelta(minutes=10)
    end = _clamp(max(end, first + timedelta(minutes=30)))
    count = len(spec.talk)
    table.talk_times = [first + (end - first) * (index / count) ** 2 for index in range(count)]
    return table


# --- Writing --------------------------------------------------------------------------------------


@dataclass
class IncidentsLoadResult:
    reports: int
    cases: int
    entries: int
    support_requests: int
    sitreps: int
    shifts: int
    rules: int


def demo_reports(plan: Any) -> QuerySet[Report]:
    """The reports of the demo organisations (non-reference ones)."""
    names = [org.name for org in plan.orgs if not org.reference]
    return Report.objects.filter(organisation__name__in=names)


def is_loaded(plan: Any) -> bool:
    return demo_reports(plan).filter(submitted_at__range=(START, END)).exists()


def delete(plan: Any) -> int:
    """Delete what ``load`` made: the demo organisations' reports and every case about them or
    asking them for support, the situation reports and shifts of demo people, the demo routing
    rules and report recipients' addresses. The audit log is not touched. Returns the reports."""
    names = [org.name for org in plan.orgs if not org.reference]
    reports = list(demo_reports(plan).values_list("pk", flat=True))
    cases = (
        Case.objects.filter(
            Q(report_id__in=reports)
            | Q(organisation__name__in=names)
            | Q(support_requests__organisation__name__in=names)
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    case_ids = list(cases)
    with transaction.atomic():
        people = list(User.objects.filter(email__in=plan.emails).values_list("pk", flat=True))
        SituationReport.objects.filter(drafted_by_id__in=people).delete()
        DutyShift.objects.filter(person_id__in=people).delete()
        for start in range(0, len(case_ids), 500):
            Case.objects.filter(pk__in=case_ids[start : start + 500]).delete()
        for start in range(0, len(reports), 500):
            Report.objects.filter(pk__in=reports[start : start + 500]).delete()
        RoutingRule.objects.filter(name__in=rule_names()).delete()
        SitrepRecipient.objects.filter(email__in=[email for *_x, email in SITREP_RECIPIENTS])\
            .delete()  # fmt: skip
    return len(reports)


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


_TIMESTAMPED = (
    Report, ReportUpdate, RoutingRule, ReportRecipient, Case, CaseParticipant, SupportRequest,
    Task, CaseLink, SituationReport, DutyShift,
)  # fmt: skip


def load(plan: Any) -> IncidentsLoadResult | None:
    """Write the demo incident response after the core demo; None if it is there already (or the
    core demo is not loaded)."""
    if is_loaded(plan):
        return None
    cast = _cast(plan)
    if not cast.centre or not cast.staff.get(Role.INCIDENT_HANDLER):
        return None
    rng = random.Random(plan.seed * 15485863 + 4)
    with transaction.atomic(), _explicit_timestamps(*_TIMESTAMPED):
        rules = _write_rules(cast)
        shifts = _write_shifts(cast)
        writer = _CaseWriter(cast, rng, shifts)
        writer.write(rules)
        _handover_notes(writer, shifts)
        DutyShift.objects.bulk_create(shifts, batch_size=500)
        sitreps = _write_sitreps(writer)
    return IncidentsLoadResult(
        reports=len(writer.reports),
        cases=len(writer.cases),
        entries=writer.entry_count,
        support_requests=writer.support_count,
        sitreps=sitreps,
        shifts=len(shifts),
        rules=len(rules),
    )


def _write_rules(cast: Cast) -> list[RoutingRule]:
    created = START - timedelta(days=40)
    rules = [
        RoutingRule(name=f"所管省庁へ連絡（{name}）", sector_id=cast.sector_ids[code],
                    kind=ReportKind.INCIDENT, sector_ministry=True, grant=Grant.FULL,
                    created_at=created)
        for code, name, _en, _ministry in reference.SECTORS
    ]  # fmt: skip
    police = cast.org_by_name[_POLICE]
    rules += [
        RoutingRule(name=f"治安機関へ連絡（{CATEGORY_JA[c]}）", category=c, recipient_id=police,
                    kind=ReportKind.INCIDENT, grant=Grant.FULL, created_at=created)
        for c in _POLICE_RULES
    ]  # fmt: skip
    organiser = cast.org_by_name[_ORGANISER]
    rules += [
        RoutingRule(name=f"大会組織委員会へ連絡（{CATEGORY_JA[c]}）", category=c,
                    recipient_id=organiser, kind=ReportKind.INCIDENT, grant=Grant.REDACTED,
                    created_at=created)
        for c in _ORGANISER_RULES
    ]  # fmt: skip
    sector_names = {code: name for code, name, _en, _m in reference.SECTORS}
    for centre, codes in _SECTOR_CENTRES.items():
        for code in codes:
            rules.append(
                RoutingRule(name=f"{centre}へ連絡（{sector_names[code]}）",
                            sector_id=cast.sector_ids[code],
                            recipient_id=cast.org_by_name[centre], kind=ReportKind.INCIDENT,
                            grant=Grant.REDACTED, created_at=created)
            )  # fmt: skip
    RoutingRule.objects.bulk_create(rules)
    return rules


def _routes(rules: list[RoutingRule], cast: Cast, report: Report) -> dict[int, tuple[str, Any]]:
    """organisation -> (grant, rule), as ``services.routing.route_report`` decides."""
    if report.tlp == TLP.RED:
        return {}
    sector = cast.sector_of.get(report.organisation_id)
    found: dict[int, tuple[str, Any]] = {}
    for rule in rules:
        if rule.sector_id and rule.sector_id != sector:
            continue
        if rule.category and rule.category != report.category:
            continue
        if rule.kind and rule.kind != report.kind:
            continue
        target = rule.recipient_id or (cast.ministry_of_sector.get(sector) if sector else None)
        if not target or target == report.organisation_id:
            continue
        grant = Grant.REDACTED if report.tlp == TLP.AMBER_STRICT else rule.grant
        if target not in found or grant == Grant.FULL:
            found[target] = (str(grant), rule)
    return found


# --- Duty shifts ----------------------------------------------------------------------------------

#: The 24-hour desk: three shifts (Tokyo time) and how many people of each role hold each one.
SHIFTS = ((0, "深夜"), (8, "日勤"), (16, "準夜"))
DESK: tuple[tuple[str, str, int], ...] = (
    (DutyRole.COMMANDER, Role.COMMANDER, 1),
    (DutyRole.INCIDENT_CONTROLLER, Role.INCIDENT_CONTROLLER, 1),
    (DutyRole.INCIDENT_HANDLER, Role.INCIDENT_HANDLER, 2),
    (DutyRole.ORGANISER_LIAISON, Role.ORGANISER_LIAISON, 1),
    (DutyRole.DUTY_OFFICER, Role.DUTY_OFFICER, 2),
)


def _write_shifts(cast: Cast) -> list[DutyShift]:
    shifts: list[DutyShift] = []
    creator = cast.staff[Role.COMMANDER][0]
    for day in range(DAYS):
        for number, (hour, _label) in enumerate(SHIFTS):
            starts = START + timedelta(days=day, hours=hour)
            index = day * len(SHIFTS) + number
            for duty_role, role, count in DESK:
                people = cast.staff.get(role) or cast.staff[Role.INCIDENT_HANDLER]
                for seat in range(count):
                    shifts.append(
                        DutyShift(
                            person_id=people[(index * count + seat) % len(people)],
                            role=duty_role,
                            starts_at=starts,
                            ends_at=starts + timedelta(hours=8),
                            created_by_id=creator,
                            created_at=START - timedelta(days=7),
                        )
                    )
    return shifts  # written after the cases, with the handover notes


def _on_duty(shifts: list[DutyShift], moment: datetime, role: str) -> int | None:
    day = (moment - START).days
    if day < 0 or day >= DAYS:
        return None
    hour = (moment - START - timedelta(days=day)).seconds // 3600
    number = hour // 8
    per_slot = sum(count for _r, _role, count in DESK)
    base = (day * len(SHIFTS) + number) * per_slot
    for shift in shifts[base : base + per_slot]:
        if shift.role == role:
            return shift.person_id
    return None


# --- Cases ----------------------------------------------------------------------------------------


class _CaseWriter:
    """Writes the reports, their cases and everything on them, in a few bulk inserts."""

    def __init__(self, cast: Cast, rng: random.Random, shifts: list[DutyShift]) -> None:
        self.cast, self.rng, self.shifts = cast, rng, shifts
        self.reports: list[Report] = []
        self.cases: list[Case] = []
        self.tables: list[Timetable] = []
        self.entries: list[TimelineEntry] = []
        self.entry_count = 0
        self.support_count = 0
        self.pending_tasks: list[tuple[Task, TimelineEntry]] = []  # ids known once written
        self.pending_updates: list[tuple[ReportUpdate, TimelineEntry]] = []

    def staff(self, role: str, moment: datetime) -> int:
        """Who of ``role`` was on duty at ``moment`` (outside the Games: one of them)."""
        on_duty = _on_duty(self.shifts, moment, role_to_duty(role))
        if on_duty is not None:
            return on_duty
        people = self.cast.staff[role]
        return people[moment.toordinal() % len(people)]

    def entry(self, case: Case, kind: str, at: datetime, author: int | None, body: str = "",
              audience: str = EntryAudience.CENTRE, data: dict[str, Any] | None = None,
              support: SupportRequest | None = None) -> TimelineEntry:  # fmt: skip
        """One timeline line; ``data`` has the shapes the services write."""
        entry = TimelineEntry(
            case=case,
            kind=kind,
            audience=audience,
            author_id=author,
            body=body,
            data=data or {},
            created_at=at,
            support_request=support,
        )
        self.entries.append(entry)
        return entry  # fmt: skip

    def write(self, rules: list[RoutingRule]) -> None:
        cast = self.cast
        for spec in REPORTS:
            org = _organisation(cast, spec.org)
            reporter = cast.people_of[org][0]  # every demo organisation has staff
            table = _timetable(spec, self.rng)
            offline = spec.channel != IntakeChannel.PLATFORM
            report = Report(
                kind=spec.kind, organisation_id=org, reporter_id=reporter, title=spec.title,
                description=spec.description, category=spec.category,
                started_at=table.opened - timedelta(minutes=self.rng.randint(20, 45)),
                detected_at=table.opened - timedelta(minutes=self.rng.randint(5, 18)),
                affected_services=spec.services, affected_systems=spec.systems,
                event_impact=UNKNOWN, public_awareness=spec.public,
                support_wanted=list(spec.support_wanted), indicators=spec.indicators, tlp=spec.tlp,
                channel=spec.channel,
                entered_by_id=self.staff(Role.DUTY_OFFICER, table.opened) if offline else None,
                status=ReportStatus.SUBMITTED, submitted_at=table.opened,
                created_at=table.opened - timedelta(minutes=6), updated_at=table.opened,
            )  # fmt: skip
            if spec.kind == ReportKind.CONSULTATION:
                report.started_at = report.detected_at = None
            self.reports.append(report)
            self.tables.append(table)
        Report.objects.bulk_create(self.reports)
        for spec, report, table in zip(REPORTS, self.reports, self.tables, strict=True):
            self.cases.append(self._case(spec, report, table))
        Case.objects.bulk_create(self.cases)
        by_key = {spec.key: case for spec, case in zip(REPORTS, self.cases, strict=True)}
        merged = []
        for spec, case in zip(REPORTS, self.cases, strict=True):
            if spec.merged_into:
                case.merged_into_id = by_key[spec.merged_into].pk
                merged.append(case)
        Case.objects.bulk_update(merged, ["merged_into"])
        recipients: list[ReportRecipient] = []
        updates: list[ReportUpdate] = []
        participants: list[CaseParticipant] = []
        tasks: list[Task] = []
        links: list[CaseLink] = []
        supports: list[tuple[Ask, SupportRequest, Case, Timetable]] = []
        for spec, report, case, table in zip(
            REPORTS, self.reports, self.cases, self.tables, strict=True
        ):
            recipients += self._route(rules, report, case, table)
            updates += self._updates(spec, report, case, table)
            participants += self._people(spec, case, table)
            tasks += self._tasks(spec, case, table)
            self._conversation(spec, report, case, table)
            self._states(spec, case, table)
            if spec.escalated:
                self.entry(case, EntryKind.IMPACT, case.impact_assessed_at or table.opened,
                           case.impact_assessed_by_id, case.impact_note,
                           data={"event_impact": NO, "public_awareness": spec.public,
                                 "for_sitrep": True, "proposed": True})  # fmt: skip
            if spec.merged_into:
                into = by_key[spec.merged_into]
                at = table.closed or table.opened
                author = self.staff(Role.INCIDENT_CONTROLLER, at)
                self.entry(case, EntryKind.MERGE, at, author, data={"into": into.pk})
                self.entry(into, EntryKind.MERGE, at, author, data={"from": case.pk})
            if spec.linked:
                other = by_key[spec.linked]
                first, second = sorted([case, other], key=lambda c: c.pk)
                at = max(first.opened_at, second.opened_at) + timedelta(hours=2)
                author = self.staff(Role.INCIDENT_HANDLER, at)
                note = "同じ攻撃元からの可能性"
                links.append(CaseLink(case=first, other=second, note=note, created_by_id=author,
                                      created_at=at))  # fmt: skip
                for one, two in ((first, second), (second, first)):
                    self.entry(one, EntryKind.LINK, at, author, note, data={"case": two.pk})
            for ask in spec.asks:
                supports.append((ask, self._support(ask, case, table), case, table))
        ReportRecipient.objects.bulk_create(recipients)
        ReportUpdate.objects.bulk_create(updates)
        for update, entry in self.pending_updates:
            entry.data["update"] = update.pk
        SupportRequest.objects.bulk_create([sr for _a, sr, _c, _t in supports])
        for ask, sr, case, table in supports:
            participants += self._support_entries(ask, sr, case, table)
        self.support_count = len(supports)
        CaseParticipant.objects.bulk_create(participants, ignore_conflicts=True)
        Task.objects.bulk_create(tasks)
        for task, entry in self.pending_tasks:
            entry.data["task"] = task.pk
        CaseLink.objects.bulk_create(links)
        self._answers()
        self.entries.sort(key=lambda e: (e.case.pk, e.created_at))
        TimelineEntry.objects.bulk_create(self.entries, batch_size=500)
        self.entry_count = len(self.entries)

    def _answers(self) -> None:
        """A closed consultation's answer, published by the centre as an advisory topic (the
        sharing demo's first one after the answer, if the sharing demo is loaded)."""
        from jisp.sharing.choices import TopicCategory
        from jisp.sharing.models import Topic

        for spec, case in zip(REPORTS, self.cases, strict=True):
            if spec.kind != ReportKind.CONSULTATION or case.resolved_at is None:
                continue
            topic = (
                Topic.objects.filter(category=TopicCategory.ADVISORY_ANSWER,
                                     published_at__gte=case.resolved_at)
                .order_by("published_at", "title")
                .first()
            )  # fmt: skip
            if topic is None or topic.published_at is None:
                continue
            case.topics.add(topic)
            self.entry(case, EntryKind.TOPIC, topic.published_at, topic.created_by_id,
                       topic.title, EntryAudience.REPORTER, {"topic": topic.pk})  # fmt: skip

    def _case(self, spec: Spec, report: Report, table: Timetable) -> Case:
        handler = None
        if table.acknowledged:
            handler = self.staff(Role.INCIDENT_HANDLER, table.acknowledged)
        case = Case(
            report=report, kind=spec.kind, title=spec.title, organisation_id=report.organisation_id,
            category=spec.category, tlp=spec.tlp, state=spec.state,
            severity=spec.severity if table.acknowledged else Severity.MEDIUM, assignee_id=handler,
            event_impact=NO if spec.escalated else UNKNOWN, public_awareness=spec.public,
            for_sitrep=bool(spec.escalated), opened_at=table.opened,
            acknowledged_at=table.acknowledged, resolved_at=table.resolved,
            closed_at=table.closed,
            updated_at=table.states[-1][0] if table.states else table.opened,
        )  # fmt: skip
        if spec.escalated and table.acknowledged:
            case.impact_note = f"【{spec.escalated}】{spec.impact_note}"
            case.impact_assessed_at = table.acknowledged + timedelta(minutes=40)
            case.impact_assessed_by_id = self.staff(Role.ORGANISER_LIAISON, table.acknowledged)
        firsts = [t for t, (who, _text) in zip(table.talk_times, spec.talk, strict=True)
                  if who == "centre"]  # fmt: skip
        case.first_response_at = firsts[0] if firsts else None
        return case

    def _route(
        self, rules: list[RoutingRule], report: Report, case: Case, table: Timetable
    ) -> list[ReportRecipient]:
        routes = _routes(rules, self.cast, report)
        at = table.opened + timedelta(seconds=2)
        rows = [
            ReportRecipient(report=report, organisation_id=org, grant=grant, rule=rule,
                            routed_at=at)
            for org, (grant, rule) in sorted(routes.items())
        ]  # fmt: skip
        if rows:
            recipients = [
                {"organisation": org, "name": self.cast.org_names.get(org, ""), "grant": grant}
                for org, (grant, _rule) in sorted(routes.items())
            ]
            self.entry(case, EntryKind.ROUTED, at, None, audience=EntryAudience.REPORTER,
                       data={"recipients": recipients, "by_hand": False})  # fmt: skip
        return rows

    def _updates(
        self, spec: Spec, report: Report, case: Case, table: Timetable
    ) -> list[ReportUpdate]:
        rows = []
        for hours, text in spec.updates:
            at = _clamp(table.opened + timedelta(hours=hours))
            update = ReportUpdate(report=report, author_id=report.reporter_id, body=text,
                                  created_at=at)  # fmt: skip
            rows.append(update)
            entry = self.entry(case, EntryKind.UPDATE, at, report.reporter_id, text,
                               EntryAudience.REPORTER)  # fmt: skip
            self.pending_updates.append((update, entry))
        return rows

    def _people(self, spec: Spec, case: Case, table: Timetable) -> list[CaseParticipant]:
        opened = table.opened
        self.entry(case, EntryKind.CREATED, opened, case.report.reporter_id,  # type: ignore[union-attr]
                   audience=EntryAudience.REPORTER,
                   data={"channel": spec.channel})  # fmt: skip
        if table.acknowledged is None:
            return []
        ack = table.acknowledged
        controller = self.staff(Role.INCIDENT_CONTROLLER, ack)
        handler = self.staff(Role.INCIDENT_HANDLER, ack)  # the assignee
        rows = [
            CaseParticipant(case=case, user_id=controller, role=CaseRole.CONTROLLER, added_at=ack),
            CaseParticipant(case=case, user_id=handler, role=CaseRole.HANDLER,
                            added_at=ack),
        ]  # fmt: skip
        names = self.cast.names
        self.entry(
            case,
            EntryKind.ASSIGNED,
            ack,
            controller,
            data={"from": None, "to": handler, "name": names.get(handler, "")},
        )
        self.entry(case, EntryKind.PARTICIPANT, ack, controller,
                   data={"user": controller, "name": names.get(controller, ""),
                         "role": CaseRole.CONTROLLER})  # fmt: skip
        if case.severity != Severity.MEDIUM:
            self.entry(case, EntryKind.SEVERITY, ack + timedelta(minutes=2), controller,
                       data={"from": Severity.MEDIUM, "to": case.severity})  # fmt: skip
        if spec.escalated and case.impact_assessed_by_id:
            rows.append(CaseParticipant(case=case, user_id=case.impact_assessed_by_id,
                                        role=CaseRole.LIAISON, added_at=ack))  # fmt: skip
        return rows

    def _tasks(self, spec: Spec, case: Case, table: Timetable) -> list[Task]:
        if table.acknowledged is None:
            return []
        rows = []
        finished = spec.state in {S.RESOLVED, S.CLOSED}
        for index, title in enumerate(spec.tasks):
            created = table.acknowledged + timedelta(minutes=5 + index)
            due = created + timedelta(hours=2 * (index + 1))
            done = None
            if finished or (index == 0 and spec.state != S.TRIAGE):
                done = _clamp(min(due, table.resolved or due) - timedelta(minutes=20))
            task = Task(
                case=case,
                title=title,
                assignee_id=case.assignee_id,
                due_at=due,
                done_at=done,
                created_by_id=case.assignee_id,
                created_at=created,
            )
            rows.append(task)
            entry = self.entry(
                case,
                EntryKind.TASK,
                created,
                case.assignee_id,
                title,
                data={"action": "added", "assignee": case.assignee_id},
            )
            self.pending_tasks.append((task, entry))
            if done:
                entry = self.entry(
                    case, EntryKind.TASK, done, case.assignee_id, title, data={"action": "done"}
                )
                self.pending_tasks.append((task, entry))  # fmt: skip
        return rows

    def _conversation(self, spec: Spec, report: Report, case: Case, table: Timetable) -> None:
        for at, (who, text) in zip(table.talk_times, spec.talk, strict=True):
            if who == "reporter":
                self.entry(case, EntryKind.MESSAGE, at, report.reporter_id, text,
                           EntryAudience.REPORTER, {"side": "reporter"})  # fmt: skip
            elif who == "centre":
                self.entry(case, EntryKind.MESSAGE, at, case.assignee_id, text,
                           EntryAudience.REPORTER, {"side": "centre"})  # fmt: skip
            else:
                self.entry(
                    case, EntryKind.NOTE, at, case.assignee_id, text, data={"side": "centre"}
                )

    def _states(self, spec: Spec, case: Case, table: Timetable) -> None:
        for at, before, after in table.states:
            author = case.assignee_id
            note = _CLOSING if after == S.CLOSED and not spec.merged_into else ""
            if after == S.CLOSED and spec.merged_into:
                note = "重複のため統合しました。"
            data: dict[str, Any] = {"from": before, "to": after}
            if after == S.CLOSED and spec.merged_into:
                data["merged"] = True
            self.entry(case, EntryKind.STATE, at, author, note, EntryAudience.REPORTER, data)

    def _support(self, ask: Ask, case: Case, table: Timetable) -> SupportRequest:
        org = _agency(self.cast, ask.org)
        requested = table.opened + timedelta(minutes=ask.after)
        answered = requested + timedelta(minutes=35)
        sr = SupportRequest(
            case=case, organisation_id=org, kinds=list(ask.kinds), message=ask.message,
            state=ask.state, requested_by_id=self.staff(Role.INCIDENT_CONTROLLER, requested),
            requested_at=requested,
        )  # fmt: skip
        if ask.state != SupportState.REQUESTED:
            sr.answered_by_id = self.cast.responders_of[org][0]
            sr.answered_at = answered
            sr.answer_note = ask.answer
        if ask.findings and ask.state in {SupportState.REPORTED, SupportState.CLOSED}:
            sr.findings = ask.findings
        if ask.state == SupportState.CLOSED:
            sr.closed_at = _clamp(max(answered + timedelta(hours=8), table.resolved or answered))
        return sr

    def _support_entries(
        self, ask: Ask, sr: SupportRequest, case: Case, table: Timetable
    ) -> list[CaseParticipant]:
        both = EntryAudience.SUPPORT
        self.entry(case, EntryKind.SUPPORT, sr.requested_at, sr.requested_by_id, sr.message, both,
                   {"step": "requested", "kinds": sr.kinds}, sr)  # fmt: skip
        if sr.answered_at is None:
            return []
        accepted = ask.state != SupportState.DECLINED
        self.entry(case, EntryKind.SUPPORT, sr.answered_at, sr.answered_by_id, sr.answer_note,
                   both, {"step": "accepted" if accepted else "declined"}, sr)  # fmt: skip
        if not accepted:
            return []
        self.entry(case, EntryKind.PARTICIPANT, sr.answered_at, sr.answered_by_id,
                   data={"user": sr.answered_by_id, "role": CaseRole.AGENCY})  # fmt: skip
        at = sr.answered_at + timedelta(minutes=20)
        self.entry(case, EntryKind.MESSAGE, at, sr.requested_by_id,
                   "資料を共有します。ご確認をお願いします。", both, support=sr)  # fmt: skip
        # The findings come before the case is resolved (or within 4 hours for open cases).
        until = table.resolved or sr.answered_at + timedelta(hours=10)
        found = sr.answered_at + max(timedelta(minutes=30), (until - sr.answered_at) * 0.4)
        if sr.findings:
            self.entry(case, EntryKind.SUPPORT, found, sr.answered_by_id, sr.findings, both,
                       {"step": "findings"}, sr)  # fmt: skip
        if sr.closed_at:
            self.entry(case, EntryKind.SUPPORT, max(sr.closed_at, found), sr.requested_by_id,
                       "ご協力ありがとうございました。本件の支援依頼を終了します。", both,
                       {"step": "closed"}, sr)  # fmt: skip
        return [
            CaseParticipant(case=case, user_id=self.cast.responders_of[sr.organisation_id][0],
                            role=CaseRole.AGENCY,
                            added_at=sr.answered_at)
        ]  # fmt: skip


def role_to_duty(role: str) -> str:
    """The duty role that a centre role holds on the desk."""
    duties: dict[str, str] = {
        Role.COMMANDER: DutyRole.COMMANDER,
        Role.INCIDENT_CONTROLLER: DutyRole.INCIDENT_CONTROLLER,
        Role.INCIDENT_HANDLER: DutyRole.INCIDENT_HANDLER,
        Role.ORGANISER_LIAISON: DutyRole.ORGANISER_LIAISON,
        Role.DUTY_OFFICER: DutyRole.DUTY_OFFICER,
    }
    return duties.get(role, role)


# --- Situation reports, summaries, bulletins and the handover notes -------------------------------


def _state_at(case: Case, table: Timetable, moment: datetime) -> str | None:
    """The case's state at ``moment`` (None before it was opened)."""
    if case.opened_at >= moment:
        return None
    state = str(S.NEW)
    for at, _before, after in table.states:
        if at < moment:
            state = after
    return state


#: The reports of each day: (kind, slot), in the order they are issued.
SITREP_SLOTS: tuple[tuple[str, str], ...] = (
    (SitrepKind.SITUATION, SitrepSlot.AM),
    (SitrepKind.ORGANISER, SitrepSlot.AM),
    (SitrepKind.SITUATION, SitrepSlot.PM),
    (SitrepKind.ORGANISER, SitrepSlot.PM),
    (SitrepKind.BULLETIN, SitrepSlot.DAY),
)


def _write_sitreps(writer: _CaseWriter) -> int:
    """Every day's reports, written as ``services.sitreps.draft_sitrep`` writes them (same
    periods, figures, text and cases), then approved by the overall commander on duty and issued
    by the incident controller; without draft_sitrep's audit records and notifications, which
    would be dated today (the audit log is append-only)."""
    from jisp.incidents.services import sitreps as service

    SitrepRecipient.objects.bulk_create(
        [SitrepRecipient(kind=kind, name=name, email=email)
         for kind, name, email in SITREP_RECIPIENTS],
        ignore_conflicts=True,
    )  # fmt: skip
    addresses: dict[str, list[str]] = defaultdict(list)
    for kind, _name, email in SITREP_RECIPIENTS:
        addresses[kind].append(email)
    sitreps: list[SituationReport] = []
    mentioned: list[list[Case]] = []
    with translation.override("ja"):
        for offset in range(DAYS):
            day = (START + timedelta(days=offset)).date()
            for number, (kind, slot) in enumerate(SITREP_SLOTS):
                composed = service.compose(kind, day, slot, "ja")
                start, end, title, body = (composed.start, composed.end, composed.title,
                                           composed.body)  # fmt: skip
                figures, cases = composed.figures, composed.cases
                figures["body_sha256"] = service.body_digest(body)
                drafted = end + timedelta(minutes=10 + 5 * (number % 2))
                if kind == SitrepKind.BULLETIN:
                    drafted = end - timedelta(hours=5)  # sent in the evening of the day
                approved = drafted + timedelta(minutes=15)
                issued = approved + timedelta(minutes=5)
                sitreps.append(
                    SituationReport(
                        kind=kind, slot=slot, period_start=start, period_end=end, title=title,
                        body=body, body_html=service.render_body(body), figures=figures,
                        state=SitrepState.ISSUED,
                        drafted_by_id=writer.staff(Role.DUTY_OFFICER, drafted),
                        approved_by_id=writer.staff(Role.COMMANDER, approved),
                        approved_at=approved,
                        issued_by_id=writer.staff(Role.INCIDENT_CONTROLLER, issued),
                        issued_at=issued,
                        recipients=addresses[kind] if kind != SitrepKind.BULLETIN else [],
                        created_at=drafted, updated_at=issued,
                    )
                )  # fmt: skip
                mentioned.append(cases)
    SituationReport.objects.bulk_create(sitreps, batch_size=200)
    through: Any = SituationReport.cases.through
    through.objects.bulk_create(
        [
            through(situationreport_id=sitrep.pk, case_id=case.pk)
            for sitrep, cases in zip(sitreps, mentioned, strict=True)
            for case in cases
        ],
        batch_size=1000,
    )
    return len(sitreps)


def _handover_notes(writer: _CaseWriter, shifts: list[DutyShift]) -> None:
    """Every shift hands over at its end: the controllers and duty officers list the open cases."""
    cache: dict[datetime, str] = {}
    for shift in shifts:
        if shift.role not in {DutyRole.INCIDENT_CONTROLLER, DutyRole.DUTY_OFFICER}:
            shift.handover_note = "特記事項なし。"
        else:
            if shift.ends_at not in cache:
                cache[shift.ends_at] = _open_cases_note(writer, shift.starts_at, shift.ends_at)
            shift.handover_note = cache[shift.ends_at]
        shift.handed_over_at = min(shift.ends_at, END)
    last = max(shift.starts_at for shift in shifts)
    for shift in shifts:
        if shift.starts_at == last:  # the last shift of the Games is still on duty
            shift.handover_note = ""
            shift.handed_over_at = None


def _open_cases_note(writer: _CaseWriter, start: datetime, end: datetime) -> str:
    open_cases, new = [], 0
    for case, table in zip(writer.cases, writer.tables, strict=True):
        state = _state_at(case, table, end)
        if state is None or case.merged_into_id:
            continue
        if start <= case.opened_at < end:
            new += 1
        if state not in {S.RESOLVED, S.CLOSED}:
            open_cases.append(f"#{case.pk} {case.title}（{STATE_JA[S(state)]}）")
    if not open_cases and not new:
        return "受付・対応中の事案なし。観測情報に異常なし。"
    lines = [f"本シフトの新規受付 {new}件、対応中 {len(open_cases)}件。"]
    lines += [f"- {line}" for line in open_cases]
    return "\n".join(lines)
