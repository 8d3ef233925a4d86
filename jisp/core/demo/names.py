"""Names of the demo people: Japanese family and given names (kanji with romaji), English names.

Common names only; combined at random they describe nobody in particular, and every demo address is
on a reserved example domain.
"""

from __future__ import annotations

#: (kanji, romaji) — common family names.
FAMILY_NAMES: list[tuple[str, str]] = [
    ("佐藤", "Sato"), ("鈴木", "Suzuki"), ("高橋", "Takahashi"), ("田中", "Tanaka"),
    ("伊藤", "Ito"), ("渡辺", "Watanabe"), ("山本", "Yamamoto"), ("中村", "Nakamura"),
    ("小林", "Kobayashi"), ("加藤", "Kato"), ("吉田", "Yoshida"), ("山田", "Yamada"),
    ("佐々木", "Sasaki"), ("山口", "Yamaguchi"), ("松本", "Matsumoto"), ("井上", "Inoue"),
    ("木村", "Kimura"), ("林", "Hayashi"), ("斎藤", "Saito"), ("清水", "Shimizu"),
    ("山崎", "Yamazaki"), ("森", "Mori"), ("池田", "Ikeda"), ("橋本", "Hashimoto"),
    ("阿部", "Abe"), ("石川", "Ishikawa"), ("山下", "Yamashita"), ("中島", "Nakajima"),
    ("石井", "Ishii"), ("小川", "Ogawa"), ("前田", "Maeda"), ("岡田", "Okada"),
    ("長谷川", "Hasegawa"), ("藤田", "Fujita"), ("後藤", "Goto"), ("近藤", "Kondo"),
    ("村上", "Murakami"), ("遠藤", "Endo"), ("青木", "Aoki"), ("坂本", "Sakamoto"),
    ("斉藤", "Saito"), ("福田", "Fukuda"), ("太田", "Ota"), ("西村", "Nishimura"),
    ("藤井", "Fujii"), ("金子", "Kaneko"), ("岡本", "Okamoto"), ("藤原", "Fujiwara"),
    ("中野", "Nakano"), ("三浦", "Miura"), ("原田", "Harada"), ("中川", "Nakagawa"),
    ("松田", "Matsuda"), ("竹内", "Takeuchi"), ("小野", "Ono"), ("田村", "Tamura"),
    ("中山", "Nakayama"), ("和田", "Wada"), ("石田", "Ishida"), ("森田", "Morita"),
    ("上田", "Ueda"), ("原", "Hara"), ("内田", "Uchida"), ("柴田", "Shibata"),
    ("酒井", "Sakai"), ("宮崎", "Miyazaki"), ("横山", "Yokoyama"), ("高木", "Takagi"),
    ("安藤", "Ando"), ("宮本", "Miyamoto"), ("大野", "Ono"), ("小島", "Kojima"),
    ("工藤", "Kudo"), ("谷口", "Taniguchi"), ("今井", "Imai"), ("高田", "Takada"),
    ("丸山", "Maruyama"), ("増田", "Masuda"), ("杉山", "Sugiyama"), ("村田", "Murata"),
    ("大塚", "Otsuka"), ("小山", "Koyama"), ("平野", "Hirano"), ("藤本", "Fujimoto"),
    ("河野", "Kono"), ("上野", "Ueno"), ("野口", "Noguchi"), ("武田", "Takeda"),
    ("松井", "Matsui"), ("千葉", "Chiba"), ("岩崎", "Iwasaki"), ("菅原", "Sugawara"),
    ("木下", "Kinoshita"), ("久保", "Kubo"), ("佐野", "Sano"), ("野村", "Nomura"),
    ("松尾", "Matsuo"), ("市川", "Ichikawa"), ("菊地", "Kikuchi"), ("杉本", "Sugimoto"),
    ("古川", "Furukawa"), ("大西", "Onishi"), ("島田", "Shimada"), ("水野", "Mizuno"),
    ("桜井", "Sakurai"), ("高野", "Takano"), ("渡部", "Watanabe"), ("吉川", "Yoshikawa"),
    ("山内", "Yamauchi"), ("西田", "Nishida"), ("飯田", "Iida"), ("菊池", "Kikuchi"),
]  # fmt: skip

#: (kanji, romaji) — given names.
GIVEN_NAMES: list[tuple[str, str]] = [
    ("健太", "Kenta"), ("翔太", "Shota"), ("大輔", "Daisuke"), ("拓也", "Takuya"),
    ("直樹", "Naoki"), ("和也", "Kazuya"), ("達也", "Tatsuya"), ("誠", "Makoto"),
    ("剛", "Tsuyoshi"), ("修", "Osamu"), ("浩", "Hiroshi"), ("隆", "Takashi"),
    ("健一", "Kenichi"), ("雄一", "Yuichi"), ("亮", "Ryo"), ("翼", "Tsubasa"),
    ("大樹", "Daiki"), ("悠斗", "Yuto"), ("陽介", "Yosuke"), ("慎也", "Shinya"),
    ("哲也", "Tetsuya"), ("智也", "Tomoya"), ("将太", "Shota"), ("俊介", "Shunsuke"),
    ("圭", "Kei"), ("学", "Manabu"), ("稔", "Minoru"), ("聡", "Satoshi"),
    ("孝之", "Takayuki"), ("秀樹", "Hideki"), ("英明", "Hideaki"), ("正人", "Masato"),
    ("康介", "Kosuke"), ("祐介", "Yusuke"), ("恭平", "Kyohei"), ("光", "Hikaru"),
    ("蓮", "Ren"), ("颯太", "Sota"), ("一郎", "Ichiro"), ("真司", "Shinji"),
    ("美咲", "Misaki"), ("彩", "Aya"), ("愛", "Ai"), ("恵", "Megumi"),
    ("陽子", "Yoko"), ("裕子", "Yuko"), ("直美", "Naomi"), ("真由美", "Mayumi"),
    ("由美", "Yumi"), ("香織", "Kaori"), ("麻衣", "Mai"), ("舞", "Mai"),
    ("沙織", "Saori"), ("智子", "Tomoko"), ("久美子", "Kumiko"), ("明美", "Akemi"),
    ("千尋", "Chihiro"), ("遥", "Haruka"), ("葵", "Aoi"), ("結衣", "Yui"),
    ("さくら", "Sakura"), ("優子", "Yuko"), ("奈々", "Nana"), ("早紀", "Saki"),
    ("理恵", "Rie"), ("美穂", "Miho"), ("朋美", "Tomomi"), ("亜希子", "Akiko"),
    ("綾香", "Ayaka"), ("瞳", "Hitomi"), ("玲奈", "Rena"), ("菜摘", "Natsumi"),
    ("明", "Akira"), ("薫", "Kaoru"), ("渚", "Nagisa"), ("翔", "Sho"),
    ("純", "Jun"), ("司", "Tsukasa"), ("忍", "Shinobu"), ("晶", "Akira"),
]  # fmt: skip

#: English given names and family names, for foreign partners and vendors.
ENGLISH_GIVEN_NAMES: list[str] = [
    "Emma", "Olivia", "Sophie", "Charlotte", "Amelia", "Grace", "Hannah", "Laura",
    "Chloe", "Lucy", "Sarah", "Rachel", "Claire", "Anna", "Julia", "Maria",
    "James", "Oliver", "Thomas", "William", "Daniel", "David", "Michael", "Lucas",
    "Samuel", "Benjamin", "Henry", "Jack", "Ethan", "Noah", "Adam", "Peter",
    "Mark", "Paul", "Robert", "Andrew", "Chris", "Martin", "Simon", "Nathan",
]  # fmt: skip

ENGLISH_FAMILY_NAMES: list[str] = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
    "Taylor", "Clarke", "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes",
    "Edwards", "Green", "Hall", "Wood", "Harris", "Martin", "Lewis", "Young",
    "King", "Baker", "Turner", "Hill", "Cooper", "Ward", "Morris", "Moore",
    "Bennett", "Fischer", "Weber", "Schneider", "Dubois", "Laurent", "Rossi", "Bianchi",
]  # fmt: skip
