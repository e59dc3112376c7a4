/*
 * crmsync contact plugin: ISO 3166-2 subdivisions for US, CA, AU and JP
 * (private to geo.c; the country table and the general notes are in
 * geo_data.h).
 *
 * Deliberate choices:
 *  - US: the 50 states, DC and the six outlying areas that ISO 3166-2:US
 *    lists (AS, GU, MP, PR, UM, VI); aliases are USPS codes (= ISO), AP
 *    style ("Calif.", "N.Y.", "W.Va.") and older GPO abbreviations
 *    ("Penna.", "Wisc.", "N. Dak."). "Washington D.C." gives DC,
 *    "Washington" alone gives WA; "New York City" / "NYC" give NY.
 *  - CA: 10 provinces and 3 territories. Old or informal codes are accepted:
 *    PQ -> QC, NF and LB -> NL, YK -> YT; French names are aliases.
 *    geo_state_name() returns the English ISO name ("Quebec").
 *  - AU: 6 states and 2 territories with the ISO codes (ACT, NSW, NT, QLD,
 *    SA, TAS, VIC, WA).
 *  - JP: 47 prefectures, codes "01".."47" ("1".."9" and "JP-13" are accepted
 *    too). The English name is plain ASCII Hepburn without macrons
 *    ("Tokyo", "Hyogo"), as Salesforce shows it. geo.c derives the variants
 *    from each row: the kanji base with and without the suffix (東京 /
 *    東京都), romaji with the suffix ("Tokyo-to", "Tokyo to", "Tokyoto",
 *    "Aichi-ken", "Osaka-fu") and with "Prefecture"/"Pref." ; the macron
 *    spelling folds to the plain one during normalisation. Hokkaido has no
 *    separate suffix (北海道 is the whole name; "北海" is not accepted).
 */
#ifndef CRMSYNC_CONTACT_GEO_DATA_SUB_H
#define CRMSYNC_CONTACT_GEO_DATA_SUB_H

struct geo_sub {
	const char *code, *name, *alias;
};

static const struct geo_sub geo_sub_us[] = {
	{"AL", "Alabama", "Ala|Alab"},
	{"AK", "Alaska", "Alas|Alsk"},
	{"AZ", "Arizona", "Ariz"},
	{"AR", "Arkansas", "Ark"},
	{"CA", "California", "Calif|Cal|Cali|Calf|Califor"},
	{"CO", "Colorado", "Colo|Col"},
	{"CT", "Connecticut", "Conn"},
	{"DE", "Delaware", "Del"},
	{"FL", "Florida", "Fla|Flor"},
	{"GA", "Georgia", "Geo"},
	{"HI", "Hawaii", "Hawaiʻi|Hawai'i"},
	{"ID", "Idaho", "Ida"},
	{"IL", "Illinois", "Ill|Ills"},
	{"IN", "Indiana", "Ind"},
	{"IA", "Iowa", ""},
	{"KS", "Kansas", "Kan|Kans"},
	{"KY", "Kentucky", "Ken|Kent|Kty"},
	{"LA", "Louisiana", ""},
	{"ME", "Maine", ""},
	{"MD", "Maryland", ""},
	{"MA", "Massachusetts", "Mass"},
	{"MI", "Michigan", "Mich"},
	{"MN", "Minnesota", "Minn"},
	{"MS", "Mississippi", "Miss"},
	{"MO", "Missouri", ""},
	{"MT", "Montana", "Mont"},
	{"NE", "Nebraska", "Neb|Nebr"},
	{"NV", "Nevada", "Nev"},
	{"NH", "New Hampshire", "N. Hamp."},
	{"NJ", "New Jersey", ""},
	{"NM", "New Mexico", "N. Mex.|N. M."},
	{"NY", "New York", "New York State|NYS|New York City|NYC"},
	{"NC", "North Carolina", "N. Car.|N. Carolina"},
	{"ND", "North Dakota", "N. Dak.|N. Dakota"},
	{"OH", "Ohio", ""},
	{"OK", "Oklahoma", "Okla"},
	{"OR", "Oregon", "Ore|Oreg"},
	{"PA", "Pennsylvania", "Penn|Penna"},
	{"RI", "Rhode Island", "Rhode Island and Providence Plantations"},
	{"SC", "South Carolina", "S. Car.|S. Carolina"},
	{"SD", "South Dakota", "S. Dak.|S. Dakota"},
	{"TN", "Tennessee", "Tenn"},
	{"TX", "Texas", "Tex"},
	{"UT", "Utah", ""},
	{"VT", "Vermont", ""},
	{"VA", "Virginia", "Virg"},
	{"WA", "Washington", "Wash|Washington State|Wn"},
	{"WV", "West Virginia", "W. Va.|W. Virginia|W. Virg."},
	{"WI", "Wisconsin", "Wis|Wisc"},
	{"WY", "Wyoming", "Wyo"},
	{"DC", "District of Columbia", "Washington D.C.|Washington, DC|Wash. D.C.|Dist. of Columbia|Dist. Columbia"},
	{"AS", "American Samoa", "Am. Samoa"},
	{"GU", "Guam", ""},
	{"MP", "Northern Mariana Islands", "N. Mariana Islands|Northern Marianas|Mariana Islands|CNMI"},
	{"PR", "Puerto Rico", "Porto Rico"},
	{"UM", "United States Minor Outlying Islands", "U.S. Minor Outlying Islands|Minor Outlying Islands"},
	{"VI", "Virgin Islands, U.S.", "U.S. Virgin Islands|United States Virgin Islands|USVI|Virgin Islands"},
};

static const struct geo_sub geo_sub_ca[] = {
	{"AB", "Alberta", "Alta|Alb"},
	{"BC", "British Columbia", "Brit. Col.|Colombie-Britannique|C.-B."},
	{"MB", "Manitoba", "Man"},
	{"NB", "New Brunswick", "Nouveau-Brunswick|N.-B."},
	{"NL", "Newfoundland and Labrador", "Newfoundland & Labrador|Newfoundland|Labrador|Nfld|Nfld. & Lab.|"
	 "Nfld. and Lab.|NF|LB|Terre-Neuve-et-Labrador|Terre-Neuve|T.-N.-L."},
	{"NS", "Nova Scotia", "Nouvelle-Écosse|N.-É."},
	{"NT", "Northwest Territories", "North West Territories|N.W.T.|Territoires du Nord-Ouest|T.N.-O."},
	{"NU", "Nunavut", "Nvt|Nun"},
	{"ON", "Ontario", "Ont"},
	{"PE", "Prince Edward Island", "P.E.I.|Île-du-Prince-Édouard|Î.-P.-É."},
	{"QC", "Quebec", "Que|P.Q.|Province of Quebec|Province de Québec"},
	{"SK", "Saskatchewan", "Sask"},
	{"YT", "Yukon", "Yukon Territory|Yukon Territories|Y.T.|YK|Yuk"},
};

static const struct geo_sub geo_sub_au[] = {
	{"ACT", "Australian Capital Territory", "Aust. Capital Territory"},
	{"NSW", "New South Wales", ""},
	{"NT", "Northern Territory", "Nth Territory|Nor. Territory"},
	{"QLD", "Queensland", "Q'ld|Qland"},
	{"SA", "South Australia", "Sth Australia|S. Aust."},
	{"TAS", "Tasmania", "Tassie"},
	{"VIC", "Victoria", ""},
	{"WA", "Western Australia", "West Australia|W. Aust."},
};

/* Japan: romaji is the macron spelling; kanji is the name without its
 * suffix; suffix is "to", "do", "fu", "ken" or "" (Hokkaido). The extra
 * aliases are wapuro spellings and older romanisations. */
struct geo_jp {
	const char *code, *name, *romaji, *kanji, *suffix, *alias;
};

static const struct geo_jp geo_sub_jp[] = {
	{"01", "Hokkaido", "Hokkaidō", "北海道", "", "Hokkaidou|Hokkaido Prefecture"},
	{"02", "Aomori", "Aomori", "青森", "ken", ""},
	{"03", "Iwate", "Iwate", "岩手", "ken", ""},
	{"04", "Miyagi", "Miyagi", "宮城", "ken", ""},
	{"05", "Akita", "Akita", "秋田", "ken", ""},
	{"06", "Yamagata", "Yamagata", "山形", "ken", ""},
	{"07", "Fukushima", "Fukushima", "福島", "ken", ""},
	{"08", "Ibaraki", "Ibaraki", "茨城", "ken", ""},
	{"09", "Tochigi", "Tochigi", "栃木", "ken", ""},
	{"10", "Gunma", "Gunma", "群馬", "ken", "Gumma"},
	{"11", "Saitama", "Saitama", "埼玉", "ken", ""},
	{"12", "Chiba", "Chiba", "千葉", "ken", ""},
	{"13", "Tokyo", "Tōkyō", "東京", "to", "Toukyou|Tokyo Metropolis|Tokyo Metropolitan|東京府"},
	{"14", "Kanagawa", "Kanagawa", "神奈川", "ken", ""},
	{"15", "Niigata", "Niigata", "新潟", "ken", ""},
	{"16", "Toyama", "Toyama", "富山", "ken", ""},
	{"17", "Ishikawa", "Ishikawa", "石川", "ken", ""},
	{"18", "Fukui", "Fukui", "福井", "ken", ""},
	{"19", "Yamanashi", "Yamanashi", "山梨", "ken", ""},
	{"20", "Nagano", "Nagano", "長野", "ken", ""},
	{"21", "Gifu", "Gifu", "岐阜", "ken", ""},
	{"22", "Shizuoka", "Shizuoka", "静岡", "ken", ""},
	{"23", "Aichi", "Aichi", "愛知", "ken", ""},
	{"24", "Mie", "Mie", "三重", "ken", ""},
	{"25", "Shiga", "Shiga", "滋賀", "ken", ""},
	{"26", "Kyoto", "Kyōto", "京都", "fu", "Kyouto"},
	{"27", "Osaka", "Ōsaka", "大阪", "fu", "Oosaka"},
	{"28", "Hyogo", "Hyōgo", "兵庫", "ken", "Hyougo"},
	{"29", "Nara", "Nara", "奈良", "ken", ""},
	{"30", "Wakayama", "Wakayama", "和歌山", "ken", ""},
	{"31", "Tottori", "Tottori", "鳥取", "ken", ""},
	{"32", "Shimane", "Shimane", "島根", "ken", ""},
	{"33", "Okayama", "Okayama", "岡山", "ken", ""},
	{"34", "Hiroshima", "Hiroshima", "広島", "ken", ""},
	{"35", "Yamaguchi", "Yamaguchi", "山口", "ken", ""},
	{"36", "Tokushima", "Tokushima", "徳島", "ken", ""},
	{"37", "Kagawa", "Kagawa", "香川", "ken", ""},
	{"38", "Ehime", "Ehime", "愛媛", "ken", ""},
	{"39", "Kochi", "Kōchi", "高知", "ken", "Kouchi"},
	{"40", "Fukuoka", "Fukuoka", "福岡", "ken", ""},
	{"41", "Saga", "Saga", "佐賀", "ken", ""},
	{"42", "Nagasaki", "Nagasaki", "長崎", "ken", ""},
	{"43", "Kumamoto", "Kumamoto", "熊本", "ken", ""},
	{"44", "Oita", "Ōita", "大分", "ken", "Ooita"},
	{"45", "Miyazaki", "Miyazaki", "宮崎", "ken", ""},
	{"46", "Kagoshima", "Kagoshima", "鹿児島", "ken", ""},
	{"47", "Okinawa", "Okinawa", "沖縄", "ken", ""},
};

#endif
