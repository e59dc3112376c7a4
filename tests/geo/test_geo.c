/*
 * tests/geo: the contact plugin's country and subdivision lookups
 * (plugins/objects/contact/geo.c, compiled into this program directly).
 *
 * The tables are enumerated through the public API only: every two-letter
 * (and, for AU, three-letter) code is tried, so the counts and the round
 * trips cover every row without a second copy of the data. The Japanese
 * prefecture kanji below are an independent list, checked against geo.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/objects/contact/geo.h"

struct pair {
	const char *text, *code;
};

static void check_countries(const struct pair *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *got = geo_country_code(p[i].text);

		if (!p[i].code) {
			if (got)
				fail_msg("country \"%s\": expected NULL, got %s", p[i].text, got);
		} else if (!got || strcmp(got, p[i].code) != 0) {
			fail_msg("country \"%s\": expected %s, got %s", p[i].text, p[i].code, got ? got : "NULL");
		}
	}
}

static void check_states(const char *country, const struct pair *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *got = geo_state_code(country, p[i].text);

		if (!p[i].code) {
			if (got)
				fail_msg("%s state \"%s\": expected NULL, got %s", country, p[i].text, got);
		} else if (!got || strcmp(got, p[i].code) != 0) {
			fail_msg("%s state \"%s\": expected %s, got %s", country, p[i].text, p[i].code,
				 got ? got : "NULL");
		}
	}
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- countries -------------------------------------------------------- */

static void test_country_count_and_round_trip(void **state)
{
	int count = 0;
	char code[3] = {0, 0, 0}, lower[3] = {0, 0, 0};

	(void)state;
	for (char a = 'A'; a <= 'Z'; a++) {
		for (char b = 'A'; b <= 'Z'; b++) {
			const char *name, *back;

			code[0] = a;
			code[1] = b;
			lower[0] = (char)(a + 32);
			lower[1] = (char)(b + 32);
			name = geo_country_name(code);
			if (!name) {
				assert_null(geo_country_name(lower));
				continue;
			}
			count++;
			assert_string_equal(geo_country_name(lower), name);
			back = geo_country_code(name);
			if (!back || strcmp(back, code) != 0)
				fail_msg("%s -> \"%s\" -> %s", code, name, back ? back : "NULL");
			assert_string_equal(geo_country_code(code), code);
			assert_string_equal(geo_country_code(lower), code);
		}
	}
	assert_int_equal(count, 249);
}

static void test_country_names(void **state)
{
	(void)state;
	assert_string_equal(geo_country_name("JP"), "Japan");
	assert_string_equal(geo_country_name("de"), "Germany");
	assert_string_equal(geo_country_name("CI"), "Côte d'Ivoire");
	assert_string_equal(geo_country_name("TR"), "Türkiye");
	assert_string_equal(geo_country_name("US"), "United States of America");
	/* Only alpha-2 codes, not names, alpha-3 or aliases. */
	assert_null(geo_country_name("JPN"));
	assert_null(geo_country_name("Japan"));
	assert_null(geo_country_name("UK"));
	assert_null(geo_country_name("EL"));
	assert_null(geo_country_name("AN")); /* withdrawn */
	assert_null(geo_country_name("YU"));
	assert_null(geo_country_name(NULL));
	assert_null(geo_country_name(""));
}

static void test_country_variants(void **state)
{
	static const struct pair p[] = {
		{"Japan", "JP"}, {"JPN", "JP"}, {"jpn", "JP"}, {"Nippon", "JP"}, {"Nihon", "JP"},
		{"Germany", "DE"}, {"Deutschland", "DE"}, {"DEU", "DE"},
		{"USA", "US"}, {"U.S.A.", "US"}, {"U.S.", "US"}, {"US", "US"}, {"United States", "US"},
		{"United States of America", "US"}, {"America", "US"}, {"the United States", "US"},
		{"UK", "GB"}, {"U.K.", "GB"}, {"United Kingdom", "GB"}, {"Great Britain", "GB"},
		{"Britain", "GB"}, {"England", "GB"}, {"Scotland", "GB"}, {"Wales", "GB"},
		{"Northern Ireland", "GB"}, {"GBR", "GB"},
		{"Korea, Republic of", "KR"}, {"South Korea", "KR"}, {"Republic of Korea", "KR"},
		{"Korea (South)", "KR"}, {"North Korea", "KP"}, {"DPRK", "KP"},
		{"Korea, Democratic People's Republic of", "KP"},
		{"Russia", "RU"}, {"Russian Federation", "RU"},
		{"Viet Nam", "VN"}, {"Vietnam", "VN"},
		{"Czechia", "CZ"}, {"Czech Republic", "CZ"},
		{"Türkiye", "TR"}, {"Turkiye", "TR"}, {"Turkey", "TR"},
		{"Côte d'Ivoire", "CI"}, {"Cote d'Ivoire", "CI"}, {"Ivory Coast", "CI"},
		{"Netherlands", "NL"}, {"The Netherlands", "NL"}, {"Holland", "NL"},
		{"Iran", "IR"}, {"Iran, Islamic Republic of", "IR"}, {"Bolivia", "BO"},
		{"Bolivia, Plurinational State of", "BO"}, {"Venezuela", "VE"}, {"Syria", "SY"},
		{"Laos", "LA"}, {"Moldova", "MD"}, {"Tanzania", "TZ"}, {"Taiwan", "TW"},
		{"Hong Kong", "HK"}, {"Macau", "MO"}, {"Macao", "MO"}, {"Palestine", "PS"},
		{"Congo", "CG"}, {"Republic of the Congo", "CG"}, {"DR Congo", "CD"},
		{"Democratic Republic of the Congo", "CD"}, {"Congo, Democratic Republic of the", "CD"},
		{"Zaire", "CD"}, {"Burma", "MM"}, {"Myanmar", "MM"}, {"Swaziland", "SZ"},
		{"Eswatini", "SZ"}, {"Macedonia", "MK"}, {"North Macedonia", "MK"},
		{"Cape Verde", "CV"}, {"Cabo Verde", "CV"}, {"East Timor", "TL"}, {"Timor-Leste", "TL"},
		{"Brunei", "BN"}, {"Vatican City", "VA"}, {"Holy See", "VA"},
		{"St. Kitts and Nevis", "KN"}, {"Saint Kitts & Nevis", "KN"}, {"St Lucia", "LC"},
		{"St. Vincent and the Grenadines", "VC"}, {"Trinidad & Tobago", "TT"},
		{"Bosnia-Herzegovina", "BA"}, {"Bosnia and Herzegovina", "BA"},
		{"Guinea-Bissau", "GW"}, {"Guinea Bissau", "GW"}, {"Guinea", "GN"},
		{"Equatorial Guinea", "GQ"}, {"Papua New Guinea", "PG"}, {"Niger", "NE"},
		{"Nigeria", "NG"}, {"Georgia", "GE"}, {"Dominica", "DM"}, {"Dominican Republic", "DO"},
		{"Samoa", "WS"}, {"American Samoa", "AS"}, {"Sudan", "SD"}, {"South Sudan", "SS"},
		{"UAE", "AE"}, {"United Arab Emirates", "AE"}, {"Saudi Arabia", "SA"},
		{"Sint Maarten", "SX"}, {"British Virgin Islands", "VG"}, {"US Virgin Islands", "VI"},
		{"Virgin Islands, U.S.", "VI"}, {"Falklands", "FK"}, {"Åland", "AX"},
		{"Curacao", "CW"}, {"Réunion", "RE"}, {"Reunion", "RE"},
		{"Saint Barthélemy", "BL"}, {"St Barts", "BL"}, {"Gambia", "GM"}, {"The Gambia", "GM"},
		{"Bahamas", "BS"}, {"the bahamas", "BS"}, {"Philippines", "PH"},
		{"España", "ES"}, {"Italia", "IT"}, {"Brasil", "BR"}, {"México", "MX"},
		{"Schweiz", "CH"}, {"Suisse", "CH"}, {"Österreich", "AT"}, {"Sverige", "SE"},
		{"Polska", "PL"}, {"Россия", "RU"}, {"Ελλάδα", "GR"}, {"PRC", "CN"},
		{"People's Republic of China", "CN"}, {"Republic of China", "TW"},
	};

	(void)state;
	check_countries(p, N(p));
}

static void test_country_japanese(void **state)
{
	static const struct pair p[] = {
		{"日本", "JP"}, {"日本国", "JP"}, {"にほん", "JP"}, {"米国", "US"}, {"アメリカ", "US"},
		{"アメリカ合衆国", "US"}, {"中国", "CN"}, {"中華人民共和国", "CN"}, {"韓国", "KR"},
		{"大韓民国", "KR"}, {"北朝鮮", "KP"}, {"台湾", "TW"}, {"中華民国", "TW"}, {"香港", "HK"},
		{"マカオ", "MO"}, {"イギリス", "GB"}, {"英国", "GB"}, {"ドイツ", "DE"}, {"フランス", "FR"},
		{"イタリア", "IT"}, {"スペイン", "ES"}, {"ポルトガル", "PT"}, {"オランダ", "NL"},
		{"ベルギー", "BE"}, {"スイス", "CH"}, {"オーストリア", "AT"}, {"スウェーデン", "SE"},
		{"ノルウェー", "NO"}, {"デンマーク", "DK"}, {"フィンランド", "FI"}, {"アイルランド", "IE"},
		{"ポーランド", "PL"}, {"チェコ", "CZ"}, {"ハンガリー", "HU"}, {"ギリシャ", "GR"},
		{"ロシア", "RU"}, {"ウクライナ", "UA"}, {"トルコ", "TR"}, {"イスラエル", "IL"},
		{"アラブ首長国連邦", "AE"}, {"サウジアラビア", "SA"}, {"カタール", "QA"}, {"エジプト", "EG"},
		{"南アフリカ", "ZA"}, {"ナイジェリア", "NG"}, {"ケニア", "KE"}, {"インド", "IN"},
		{"パキスタン", "PK"}, {"バングラデシュ", "BD"}, {"スリランカ", "LK"}, {"ネパール", "NP"},
		{"タイ", "TH"}, {"ベトナム", "VN"}, {"マレーシア", "MY"}, {"シンガポール", "SG"},
		{"インドネシア", "ID"}, {"フィリピン", "PH"}, {"カンボジア", "KH"}, {"ミャンマー", "MM"},
		{"ラオス", "LA"}, {"モンゴル", "MN"}, {"オーストラリア", "AU"}, {"豪州", "AU"},
		{"ニュージーランド", "NZ"}, {"カナダ", "CA"}, {"メキシコ", "MX"}, {"ブラジル", "BR"},
		{"アルゼンチン", "AR"}, {"チリ", "CL"}, {"ペルー", "PE"}, {"コロンビア", "CO"},
		{"ルーマニア", "RO"}, {"ブルガリア", "BG"}, {"クロアチア", "HR"}, {"セルビア", "RS"},
		{"スロバキア", "SK"}, {"スロベニア", "SI"}, {"エストニア", "EE"}, {"ラトビア", "LV"},
		{"リトアニア", "LT"}, {"ルクセンブルク", "LU"}, {"アイスランド", "IS"}, {"イラン", "IR"},
		{"イラク", "IQ"}, {"クウェート", "KW"}, {"ヨルダン", "JO"}, {"モロッコ", "MA"},
		{"キューバ", "CU"}, {"カザフスタン", "KZ"}, {"ウズベキスタン", "UZ"}, {"ベラルーシ", "BY"},
		{"ベネズエラ", "VE"}, {"エクアドル", "EC"}, {"パナマ", "PA"}, {"コスタリカ", "CR"},
		{"ボスニア・ヘルツェゴビナ", "BA"}, {"ボスニアヘルツェゴビナ", "BA"},
		/* ideographic space and full-width letters around the name */
		{"\xE3\x80\x80日本\xE3\x80\x80", "JP"}, {"ＪＡＰＡＮ", "JP"}, {"ｊｐ", "JP"},
	};

	(void)state;
	check_countries(p, N(p));
}

static void test_country_normalisation(void **state)
{
	static const struct pair p[] = {
		{"  japan  ", "JP"}, {"JAPAN", "JP"}, {"jApAn", "JP"}, {"\tJapan\n", "JP"},
		{"United   States", "US"}, {"united\tstates", "US"}, {"u.s.a", "US"}, {"U. S. A.", "US"},
		{"Côte d’Ivoire", "CI"},            /* U+2019 */
		{"Côte d‘Ivoire", "CI"},            /* U+2018 */
		{"COTE D'IVOIRE", "CI"}, {"CÔTE D'IVOIRE", "CI"},
		{"Co\xCC\x82te d'Ivoire", "CI"},    /* NFD: o + U+0302 */
		{"Cote-d'Ivoire", "CI"}, {"Curaçao", "CW"}, {"CURAÇAO", "CW"},
		{"São Tomé and Príncipe", "ST"}, {"Sao Tome & Principe", "ST"},
		{"Timor\xE2\x80\x93Leste", "TL"},   /* en dash */
		{"Guinea\xE2\x80\x90" "Bissau", "GW"}, /* U+2010 hyphen */
		{"TÜRKIYE", "TR"}, {"turkiye", "TR"}, {"Viet\xC2\xA0Nam", "VN"}, /* NBSP */
		{"Việt Nam", "VN"},
	};

	(void)state;
	check_countries(p, N(p));
}

static void test_country_ambiguous_and_unknown(void **state)
{
	static const struct pair p[] = {
		{"Korea", NULL}, {"KOREA", NULL}, {"Virgin Islands", NULL}, {"Saint Martin", NULL},
		{"St. Martin", NULL}, {"Atlantis", NULL}, {"Narnia", NULL}, {"Europe", NULL},
		{"EU", NULL}, {"XX", NULL}, {"ZZZ", NULL}, {"AN", NULL}, {"Yugoslavia", NULL},
		{"Netherlands Antilles", NULL}, {"EL", NULL}, {"N/A", NULL}, {"n/a", NULL}, {"-", NULL},
		{"...", NULL}, {"unknown", NULL}, {"Japan Japan", NULL}, {"the", NULL},
		{"California", NULL}, {"Tokyo", NULL},
	};

	(void)state;
	check_countries(p, N(p));
}

/* ---- subdivisions ----------------------------------------------------- */

/* Counts the codes of country that have a name, over every code made of
 * len characters from alphabet, and checks each round trip. */
static int count_subdivisions(const char *country, const char *alphabet, size_t len)
{
	size_t k = strlen(alphabet), total = 1;
	int count = 0;
	char code[8], prefixed[16];

	for (size_t i = 0; i < len; i++)
		total *= k;
	for (size_t v = 0; v < total; v++) {
		const char *name, *back;
		size_t x = v;

		for (size_t i = len; i-- > 0; x /= k)
			code[i] = alphabet[x % k];
		code[len] = '\0';
		name = geo_state_name(country, code);
		if (!name)
			continue;
		count++;
		back = geo_state_code(country, name);
		if (!back || strcmp(back, code) != 0)
			fail_msg("%s-%s -> \"%s\" -> %s", country, code, name, back ? back : "NULL");
		assert_string_equal(geo_state_code(country, code), code);
		snprintf(prefixed, sizeof prefixed, "%s-%s", country, code);
		assert_string_equal(geo_state_code(country, prefixed), code);
		assert_string_equal(geo_state_name(country, prefixed), name);
	}
	return count;
}

#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

static void test_subdivision_counts(void **state)
{
	(void)state;
	assert_int_equal(count_subdivisions("US", UPPER, 2), 50 + 1 + 6);
	assert_int_equal(count_subdivisions("CA", UPPER, 2), 13);
	assert_int_equal(count_subdivisions("AU", UPPER, 2) + count_subdivisions("AU", UPPER, 3), 8);
	assert_int_equal(count_subdivisions("JP", "0123456789", 2), 47);
	/* No subdivisions for other countries (yet). */
	assert_int_equal(count_subdivisions("FR", UPPER, 2), 0);
	assert_int_equal(count_subdivisions("GB", UPPER, 3), 0);
}

static void test_state_names(void **state)
{
	(void)state;
	assert_string_equal(geo_state_name("US", "CA"), "California");
	assert_string_equal(geo_state_name("US", "ca"), "California");
	assert_string_equal(geo_state_name("US", "US-CA"), "California");
	assert_string_equal(geo_state_name("US", "DC"), "District of Columbia");
	assert_string_equal(geo_state_name("US", "PR"), "Puerto Rico");
	assert_string_equal(geo_state_name("CA", "QC"), "Quebec");
	assert_string_equal(geo_state_name("AU", "VIC"), "Victoria");
	assert_string_equal(geo_state_name("JP", "13"), "Tokyo");
	assert_string_equal(geo_state_name("JP", "JP-13"), "Tokyo");
	assert_string_equal(geo_state_name("JP", "01"), "Hokkaido");
	assert_string_equal(geo_state_name("JP", "1"), "Hokkaido");
	assert_string_equal(geo_state_name("Japan", "47"), "Okinawa");
	assert_string_equal(geo_state_name("usa", "NY"), "New York");
	/* Codes only: names and aliases are not codes. */
	assert_null(geo_state_name("US", "California"));
	assert_null(geo_state_name("US", "Calif."));
	assert_null(geo_state_name("CA", "PQ"));
	assert_null(geo_state_name("JP", "Tokyo"));
	assert_null(geo_state_name("JP", "48"));
	assert_null(geo_state_name("JP", "00"));
	assert_null(geo_state_name("US", "XX"));
	assert_null(geo_state_name("FR", "75"));
	assert_null(geo_state_name("XX", "CA"));
	assert_null(geo_state_name(NULL, "CA"));
	assert_null(geo_state_name("US", NULL));
}

static void test_us_variants(void **state)
{
	static const struct pair p[] = {
		{"California", "CA"}, {"Calif.", "CA"}, {"CA", "CA"}, {"calif", "CA"}, {"Cal.", "CA"},
		{"CALIFORNIA", "CA"}, {"US-CA", "CA"}, {"Ala.", "AL"}, {"Ariz.", "AZ"}, {"Ark.", "AR"},
		{"Colo.", "CO"}, {"Conn.", "CT"}, {"Del.", "DE"}, {"Fla.", "FL"}, {"Ga.", "GA"},
		{"Ill.", "IL"}, {"Ind.", "IN"}, {"Kan.", "KS"}, {"Ky.", "KY"}, {"La.", "LA"},
		{"Md.", "MD"}, {"Mass.", "MA"}, {"Mich.", "MI"}, {"Minn.", "MN"}, {"Miss.", "MS"},
		{"Mo.", "MO"}, {"Mont.", "MT"}, {"Neb.", "NE"}, {"Nev.", "NV"}, {"N.H.", "NH"},
		{"N.J.", "NJ"}, {"N.M.", "NM"}, {"N.Y.", "NY"}, {"N.C.", "NC"}, {"N.D.", "ND"},
		{"Okla.", "OK"}, {"Ore.", "OR"}, {"Pa.", "PA"}, {"Penn.", "PA"}, {"R.I.", "RI"},
		{"S.C.", "SC"}, {"S.D.", "SD"}, {"Tenn.", "TN"}, {"Tex.", "TX"}, {"Vt.", "VT"},
		{"Va.", "VA"}, {"Wash.", "WA"}, {"W.Va.", "WV"}, {"W. Va.", "WV"}, {"Wis.", "WI"},
		{"Wyo.", "WY"}, {"Alaska", "AK"}, {"Hawaii", "HI"}, {"Hawaiʻi", "HI"}, {"Idaho", "ID"},
		{"Iowa", "IA"}, {"Maine", "ME"}, {"Ohio", "OH"}, {"Texas", "TX"}, {"Utah", "UT"},
		{"New York", "NY"}, {"new  york", "NY"}, {"NYC", "NY"}, {"West Virginia", "WV"},
		{"Virginia", "VA"}, {"Washington", "WA"}, {"Washington State", "WA"},
		{"Washington, D.C.", "DC"}, {"D.C.", "DC"}, {"District of Columbia", "DC"},
		{"Puerto Rico", "PR"}, {"P.R.", "PR"}, {"Guam", "GU"}, {"American Samoa", "AS"},
		{"Northern Mariana Islands", "MP"}, {"U.S. Virgin Islands", "VI"},
		{"Virgin Islands", "VI"}, {"United States Minor Outlying Islands", "UM"},
		{"Georgia", "GA"}, {"Tokyo", NULL}, {"Ontario", NULL}, {"Calif. USA", NULL},
	};

	(void)state;
	check_states("US", p, N(p));
	assert_string_equal(geo_state_code("USA", "Calif."), "CA");
	assert_string_equal(geo_state_code("United States", "Mass."), "MA");
	assert_string_equal(geo_state_code("アメリカ", "N.Y."), "NY");
}

static void test_ca_variants(void **state)
{
	static const struct pair p[] = {
		{"Quebec", "QC"}, {"Québec", "QC"}, {"quebec", "QC"}, {"QUÉBEC", "QC"}, {"Que.", "QC"},
		{"Qué.", "QC"}, {"PQ", "QC"}, {"P.Q.", "QC"}, {"QC", "QC"}, {"CA-QC", "QC"},
		{"Ontario", "ON"}, {"Ont.", "ON"}, {"British Columbia", "BC"}, {"B.C.", "BC"},
		{"Colombie-Britannique", "BC"}, {"Alberta", "AB"}, {"Alta.", "AB"},
		{"Manitoba", "MB"}, {"Man.", "MB"}, {"Saskatchewan", "SK"}, {"Sask.", "SK"},
		{"New Brunswick", "NB"}, {"N.B.", "NB"}, {"Nouveau-Brunswick", "NB"},
		{"Nova Scotia", "NS"}, {"N.S.", "NS"}, {"Nouvelle-Écosse", "NS"},
		{"Prince Edward Island", "PE"}, {"P.E.I.", "PE"}, {"PEI", "PE"},
		{"Île-du-Prince-Édouard", "PE"}, {"Newfoundland and Labrador", "NL"},
		{"Newfoundland", "NL"}, {"Nfld.", "NL"}, {"NF", "NL"}, {"Labrador", "NL"},
		{"Newfoundland & Labrador", "NL"}, {"Yukon", "YT"}, {"Yukon Territory", "YT"},
		{"YK", "YT"}, {"Y.T.", "YT"}, {"Northwest Territories", "NT"}, {"N.W.T.", "NT"},
		{"NWT", "NT"}, {"Nunavut", "NU"}, {"California", NULL}, {"NSW", NULL},
	};

	(void)state;
	check_states("CA", p, N(p));
	assert_string_equal(geo_state_code("Canada", "Québec"), "QC");
}

static void test_au_variants(void **state)
{
	static const struct pair p[] = {
		{"Victoria", "VIC"}, {"Vic", "VIC"}, {"Vic.", "VIC"}, {"VIC", "VIC"},
		{"New South Wales", "NSW"}, {"NSW", "NSW"}, {"N.S.W.", "NSW"}, {"Queensland", "QLD"},
		{"Qld", "QLD"}, {"QLD", "QLD"}, {"Tasmania", "TAS"}, {"Tas.", "TAS"}, {"Tas", "TAS"},
		{"South Australia", "SA"}, {"S.A.", "SA"}, {"Western Australia", "WA"}, {"W.A.", "WA"},
		{"Northern Territory", "NT"}, {"N.T.", "NT"}, {"Australian Capital Territory", "ACT"},
		{"A.C.T.", "ACT"}, {"AU-NSW", "NSW"}, {"Quebec", NULL}, {"Tokyo", NULL},
	};

	(void)state;
	check_states("AU", p, N(p));
}

/* Independent list: full kanji names of the 47 prefectures, JIS order. */
static const char *const jp_kanji[47] = {
	"北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県",
	"栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県",
	"石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県", "愛知県", "三重県",
	"滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県",
	"岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
	"佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
};

static void test_jp_prefectures(void **state)
{
	(void)state;
	for (int i = 0; i < 47; i++) {
		char code[3], base[32], romaji[64];
		const char *name, *suffix;
		size_t len = strlen(jp_kanji[i]);

		snprintf(code, sizeof code, "%02d", i + 1);
		assert_string_equal(geo_state_code("JP", jp_kanji[i]), code);
		/* Without the suffix (the last kanji, 3 UTF-8 bytes); 北海道 keeps it. */
		if (i > 0) {
			memcpy(base, jp_kanji[i], len - 3);
			base[len - 3] = '\0';
			assert_string_equal(geo_state_code("JP", base), code);
		}
		name = geo_state_name("JP", code);
		assert_non_null(name);
		suffix = i == 0 ? "" : i == 12 ? "to" : i == 25 || i == 26 ? "fu" : "ken";
		if (*suffix) {
			snprintf(romaji, sizeof romaji, "%s-%s", name, suffix);
			assert_string_equal(geo_state_code("JP", romaji), code);
			snprintf(romaji, sizeof romaji, "%s %s", name, suffix);
			assert_string_equal(geo_state_code("JP", romaji), code);
		}
		snprintf(romaji, sizeof romaji, "%s Prefecture", name);
		assert_string_equal(geo_state_code("JP", romaji), code);
	}
}

static void test_jp_variants(void **state)
{
	static const struct pair p[] = {
		{"東京都", "13"}, {"東京", "13"}, {"Tokyo", "13"}, {"Tōkyō", "13"}, {"Tôkyô", "13"},
		{"To\xCC\x84kyo\xCC\x84", "13"}, /* NFD macrons */
		{"Tokyo-to", "13"}, {"TOKYO TO", "13"}, {"Tokyoto", "13"}, {"Tōkyō-to", "13"},
		{"Tokyo Metropolis", "13"}, {"13", "13"}, {"JP-13", "13"}, {"jp13", "13"},
		{"ＴＯＫＹＯ", "13"}, {"Osaka", "27"}, {"Ōsaka", "27"}, {"Osaka-fu", "27"},
		{"大阪", "27"}, {"大阪府", "27"}, {"Kyoto", "26"}, {"Kyōto-fu", "26"}, {"京都", "26"},
		{"京都府", "26"}, {"Hokkaido", "01"}, {"Hokkaidō", "01"}, {"北海道", "01"}, {"1", "01"},
		{"01", "01"}, {"JP-01", "01"}, {"Hyōgo", "28"}, {"Hyogo-ken", "28"}, {"Kōchi", "39"},
		{"Ōita", "44"}, {"Gumma", "10"}, {"Gunma", "10"}, {"Aichi-ken", "23"},
		{"Aichi Pref.", "23"}, {"Kanagawa", "14"}, {"神奈川", "14"}, {"Okinawa", "47"},
		{"Tokyo-ken", "13"}, {"北海", NULL}, {"48", NULL}, {"0", NULL}, {"California", NULL},
		{"東京都港区", NULL},
	};

	(void)state;
	check_states("JP", p, N(p));
	assert_string_equal(geo_state_code("Japan", "東京"), "13");
	assert_string_equal(geo_state_code("日本", "大阪府"), "27");
}

static void test_state_unknown_country(void **state)
{
	(void)state;
	assert_null(geo_state_code("FR", "Paris"));
	assert_null(geo_state_code("GB", "England"));
	assert_null(geo_state_code("XX", "CA"));
	assert_null(geo_state_code("Korea", "Seoul"));
	assert_null(geo_state_code(NULL, "California"));
	assert_null(geo_state_code("", "California"));
	assert_null(geo_state_code("US", NULL));
	assert_null(geo_state_code("US", ""));
}

/* ---- hostile input ---------------------------------------------------- */

static void test_hostile(void **state)
{
	static const char *const bad[] = {
		"", " ", "\t\n ", "....", ",,,-", "\xC3",            /* truncated */
		"Qu\xC3" "bec", "\xC0\xAF", "\xE0\x80\xAF",          /* overlong */
		"\xED\xA0\x80", "\xF4\x90\x80\x80", "\xF8\x88\x80\x80\x80", "\xFF\xFE",
		"\x80", "Japan\xFF", "\xE6\x97", "\xF0\x9F\x98", "日本\xE6",
		"%s%s%n", "'; DROP TABLE contacts; --", "\x01\x02\x03", "\x7F",
		"\xF0\x9F\x98\x80", /* emoji: valid, unknown */
	};
	char *big;

	(void)state;
	assert_null(geo_country_code(NULL));
	for (size_t i = 0; i < N(bad); i++) {
		if (geo_country_code(bad[i]))
			fail_msg("country: bad input %zu matched", i);
		if (geo_state_code("US", bad[i]) || geo_state_code("JP", bad[i]))
			fail_msg("state: bad input %zu matched", i);
		assert_null(geo_state_code(bad[i], "CA"));
		assert_null(geo_country_name(bad[i]));
		assert_null(geo_state_name("US", bad[i]));
	}

	/* Very long input, including a known name padded to a huge length. */
	big = malloc(100001);
	assert_non_null(big);
	memset(big, 'a', 100000);
	big[100000] = '\0';
	assert_null(geo_country_code(big));
	assert_null(geo_state_code("US", big));
	memset(big, ' ', 100000);
	memcpy(big + 99990, "Japan", 5);
	assert_null(geo_country_code(big));
	memset(big, 0, 100001);
	for (size_t i = 0; i + 3 <= 99999; i += 3)
		memcpy(big + i, "\xE3\x80\x80", 3); /* ideographic spaces */
	assert_null(geo_country_code(big));
	free(big);

	/* Moderate padding is fine. */
	assert_string_equal(geo_country_code("                    Japan                    "), "JP");
}

static void test_random_bytes(void **state)
{
	uint32_t seed = 12345;
	char buf[64];

	(void)state;
	for (int n = 0; n < 200000; n++) {
		size_t len = 0;
		const char *c, *s;

		seed = seed * 1103515245u + 12345u;
		len = (seed >> 16) % (sizeof buf - 1);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (char)((seed >> 16) % 255 + 1); /* NUL-free */
		}
		buf[len] = '\0';
		c = geo_country_code(buf);
		if (c)
			assert_non_null(geo_country_name(c));
		s = geo_state_code("JP", buf);
		if (s)
			assert_non_null(geo_state_name("JP", s));
	}
}

/* ---- threads ---------------------------------------------------------- */

#define NTHREADS 8

static void *lookup_thread(void *arg)
{
	int *ok = arg;

	*ok = 1;
	for (int i = 0; i < 20000; i++) {
		const char *a = geo_country_code("Deutschland");
		const char *b = geo_state_code("JP", "東京都");
		const char *c = geo_state_code("US", "Calif.");

		if (!a || strcmp(a, "DE") != 0 || !b || strcmp(b, "13") != 0 || !c || strcmp(c, "CA") != 0)
			*ok = 0;
	}
	return NULL;
}

/* Must run first: the threads race to trigger the one-time build. */
static void test_threads_first_use(void **state)
{
	pthread_t t[NTHREADS];
	int ok[NTHREADS];

	(void)state;
	for (int i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, lookup_thread, &ok[i]), 0);
	for (int i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_true(ok[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_first_use),
		cmocka_unit_test(test_country_count_and_round_trip),
		cmocka_unit_test(test_country_names),
		cmocka_unit_test(test_country_variants),
		cmocka_unit_test(test_country_japanese),
		cmocka_unit_test(test_country_normalisation),
		cmocka_unit_test(test_country_ambiguous_and_unknown),
		cmocka_unit_test(test_subdivision_counts),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_us_variants),
		cmocka_unit_test(test_ca_variants),
		cmocka_unit_test(test_au_variants),
		cmocka_unit_test(test_jp_prefectures),
		cmocka_unit_test(test_jp_variants),
		cmocka_unit_test(test_state_unknown_country),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_random_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
