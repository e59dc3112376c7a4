/*
 * crmsync-sim deterministic data generator: people and companies of a
 * universe fixed by the seed, shared by both sides so that the same person
 * (same email) can exist on each. Names include Japanese (kanji and romaji)
 * and accented ones; states and countries are written many ways, as real CRM
 * data is. A share of people is "dirty" (enum sim_dirt): their data makes a
 * write fail on the other side. Pure functions of (seed, index): no state.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

/* snprintf that may truncate on purpose (generated text has bounded fields). */
static void sfmt(char *dst, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void sfmt(char *dst, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, len, fmt, ap);
	va_end(ap);
}

uint64_t sim_rand_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static uint64_t rng_for(uint64_t seed, uint64_t salt, size_t i)
{
	uint64_t st = seed ^ (salt * 0xD6E8FEB86659FD93ull) ^ ((uint64_t)i * 0xA0761D6478BD642Full);

	sim_rand_next(&st);
	return st;
}

static size_t pick(uint64_t *st, size_t n)
{
	return (size_t)(sim_rand_next(st) % n);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A name as written, and its ASCII form for email addresses. */
struct name {
	const char *text, *ascii;
};

static const struct name first_en[] = {
	{"James", "james"}, {"Mary", "mary"}, {"Robert", "robert"}, {"Patricia", "patricia"},
	{"Michael", "michael"}, {"Jennifer", "jennifer"}, {"David", "david"}, {"Linda", "linda"},
	{"William", "william"}, {"Elizabeth", "elizabeth"}, {"Richard", "richard"},
	{"Susan", "susan"}, {"Joseph", "joseph"}, {"Jessica", "jessica"}, {"Thomas", "thomas"},
	{"Sarah", "sarah"}, {"Christopher", "christopher"}, {"Karen", "karen"}, {"Daniel", "daniel"},
	{"Emily", "emily"}, {"Matthew", "matthew"}, {"Ashley", "ashley"}, {"Anthony", "anthony"},
	{"Olivia", "olivia"}, {"Mark", "mark"}, {"Chloe", "chloe"}, {"Liam", "liam"},
	{"Priya", "priya"}, {"Wei", "wei"}, {"Aisha", "aisha"}, {"Noah", "noah"}, {"Grace", "grace"},
};
static const struct name last_en[] = {
	{"Smith", "smith"}, {"Johnson", "johnson"}, {"Williams", "williams"}, {"Brown", "brown"},
	{"Jones", "jones"}, {"Miller", "miller"}, {"Davis", "davis"}, {"Wilson", "wilson"},
	{"Anderson", "anderson"}, {"Taylor", "taylor"}, {"Thomas", "thomas"}, {"Moore", "moore"},
	{"Martin", "martin"}, {"Jackson", "jackson"}, {"Thompson", "thompson"}, {"White", "white"},
	{"Harris", "harris"}, {"Clark", "clark"}, {"Lewis", "lewis"}, {"Walker", "walker"},
	{"O'Brien", "obrien"}, {"McDonald", "mcdonald"}, {"Nguyen", "nguyen"}, {"Patel", "patel"},
	{"Chen", "chen"}, {"Kim", "kim"}, {"Singh", "singh"}, {"Van der Berg", "vanderberg"},
};
static const struct name first_acc[] = {
	{"José", "jose"}, {"María", "maria"}, {"Zoë", "zoe"}, {"François", "francois"},
	{"Jürgen", "juergen"}, {"Søren", "soren"}, {"Björn", "bjorn"}, {"Inès", "ines"},
	{"Łukasz", "lukasz"}, {"Ángel", "angel"}, {"Renée", "renee"}, {"Hélène", "helene"},
	{"Joël", "joel"}, {"Raphaël", "raphael"}, {"Małgorzata", "malgorzata"}, {"Andrés", "andres"},
	{"Chloé", "chloe"}, {"Göran", "goran"}, {"Noémie", "noemie"}, {"Dvořák", "dvorak"},
};
static const struct name last_acc[] = {
	{"Müller", "mueller"}, {"García", "garcia"}, {"Pérez", "perez"}, {"Lefèvre", "lefevre"},
	{"Schröder", "schroeder"}, {"Núñez", "nunez"}, {"Østergaard", "ostergaard"},
	{"Çelik", "celik"}, {"Dvořák", "dvorak"}, {"Gómez", "gomez"}, {"Wójcik", "wojcik"},
	{"Brontë", "bronte"}, {"Ibáñez", "ibanez"}, {"Fernández", "fernandez"},
	{"Löwe", "loewe"}, {"Hämäläinen", "hamalainen"}, {"Sánchez", "sanchez"}, {"Côté", "cote"},
};
/* Japanese: kanji, romaji (for the romaji spelling and for emails). */
static const struct name first_ja[] = {
	{"太郎", "Taro"}, {"花子", "Hanako"}, {"健", "Ken"}, {"由美", "Yumi"}, {"翔太", "Shota"},
	{"陽菜", "Hina"}, {"大輔", "Daisuke"}, {"さくら", "Sakura"}, {"拓海", "Takumi"},
	{"美咲", "Misaki"}, {"直樹", "Naoki"}, {"愛", "Ai"}, {"蓮", "Ren"}, {"結衣", "Yui"},
};
static const struct name last_ja[] = {
	{"佐藤", "Sato"}, {"鈴木", "Suzuki"}, {"高橋", "Takahashi"}, {"田中", "Tanaka"},
	{"伊藤", "Ito"}, {"渡辺", "Watanabe"}, {"山本", "Yamamoto"}, {"中村", "Nakamura"},
	{"小林", "Kobayashi"}, {"加藤", "Kato"}, {"吉田", "Yoshida"}, {"山田", "Yamada"},
	{"松本", "Matsumoto"}, {"井上", "Inoue"},
};

/* A place: city, state written several ways, postal code pattern, country
 * index. */
struct place {
	const char *city;
	const char *state[4];   /* NULL-terminated variants */
	const char *postal;     /* '9' = a digit, 'A' = a letter */
	int country;
	const char *area;       /* phone area code */
};

static const char *const countries[][6] = {
	{"United States", "USA", "US", "U.S.A.", "United States of America", NULL},
	{"Canada", "CA", "CAN", "canada", NULL},
	{"Australia", "AU", "AUS", "Australia ", NULL},
	{"Japan", "日本", "JP", "JPN", "Nippon", NULL},
	{"Germany", "Deutschland", "DE", "GER", NULL},
	{"France", "FR", "République française", NULL},
	{"Spain", "España", "ES", NULL},
	{"United Kingdom", "UK", "GB", "Great Britain", "England", NULL},
};

static const struct place places[] = {
	{"San Francisco", {"California", "CA", "Calif.", "ca"}, "941999", 0, "415"},
	{"Los Angeles", {"California", "CA", "Calif.", NULL}, "900999", 0, "213"},
	{"New York", {"New York", "NY", "N.Y.", "new york"}, "100999", 0, "212"},
	{"Austin", {"Texas", "TX", "Tex.", NULL}, "787999", 0, "512"},
	{"Chicago", {"Illinois", "IL", "Ill.", NULL}, "606999", 0, "312"},
	{"Boston", {"Massachusetts", "MA", "Mass.", NULL}, "021999", 0, "617"},
	{"Seattle", {"Washington", "WA", "Wash.", NULL}, "981999", 0, "206"},
	{"Miami", {"Florida", "FL", "Fla.", NULL}, "331999", 0, "305"},
	{"Toronto", {"Ontario", "ON", "Ont.", NULL}, "M9A 9A9", 1, "416"},
	{"Montréal", {"Quebec", "Québec", "QC", "Que."}, "H9A 9A9", 1, "514"},
	{"Vancouver", {"British Columbia", "BC", "B.C.", NULL}, "V9A 9A9", 1, "604"},
	{"Sydney", {"New South Wales", "NSW", "N.S.W.", NULL}, "2999", 2, "2"},
	{"Melbourne", {"Victoria", "VIC", "Vic.", NULL}, "3999", 2, "3"},
	{"Brisbane", {"Queensland", "QLD", "Qld", NULL}, "4999", 2, "7"},
	{"東京", {"東京都", "Tokyo", "Tokyo-to", "13"}, "999-9999", 3, "3"},
	{"Osaka", {"大阪府", "Osaka", "Osaka-fu", "27"}, "999-9999", 3, "6"},
	{"横浜", {"神奈川県", "Kanagawa", "Kanagawa-ken", NULL}, "999-9999", 3, "45"},
	{"München", {"Bayern", "Bavaria", "BY", NULL}, "89999", 4, "89"},
	{"Köln", {"Nordrhein-Westfalen", "NRW", NULL, NULL}, "59999", 4, "221"},
	{"Paris", {"Île-de-France", "IDF", NULL, NULL}, "75099", 5, "1"},
	{"Madrid", {"Comunidad de Madrid", "Madrid", "MD", NULL}, "28099", 6, "91"},
	{"London", {"England", "Greater London", NULL, NULL}, "EC9A 9AA", 7, "20"},
};

static const char *const streets[] = {
	"Main St", "Market Street", "2nd Ave", "Oak Street", "Elm St.", "Sunset Blvd",
	"Queen St W", "George Street", "Collins St", "Hauptstraße", "Rue de Rivoli",
	"Calle Mayor", "High Street", "Broadway", "King's Road", "Maple Avenue",
};
static const char *const streets_ja[] = {
	"千代田区丸の内1-1-1", "港区六本木6-10-1", "渋谷区道玄坂2-24-1", "Chuo-ku Ginza 4-6-16",
	"北区梅田3-1-3", "西区みなとみらい2-2-1",
};

static const char *const company_core[] = {
	"Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent",
	"Cyberdyne", "Tyrell", "Wonka", "Gringotts", "Oscorp", "Pied Piper", "Aperture",
	"Black Mesa", "Monarch", "Nakatomi", "Dunder Mifflin", "Sterling Cooper", "Prestige",
	"Blue Sun", "Massive Dynamic", "Sakura", "Fuji Denki", "Kawasaki Logistik", "Nordwind",
	"Boulangerie Dupont", "Ibérica", "Kangaroo", "Maple Leaf", "Pacific Rim", "Redwood",
	"Summit", "Bluebird", "Evergreen", "Ironclad", "Quantum", "Zenith",
};
static const char *const company_kind[] = {
	"Systems", "Logistics", "Labs", "Foods", "Consulting", "Analytics", "Robotics",
	"Health", "Energy", "Media", "Software", "Capital", "Manufacturing", "Retail",
};
static const char *const company_suffix[][4] = {
	{"Inc.", "LLC", "Corp.", "Co."},          /* US */
	{"Ltd.", "Inc.", "Corp.", "ULC"},         /* CA */
	{"Pty Ltd", "Pty. Ltd.", "Ltd", "Group"}, /* AU */
	{"株式会社", "K.K.", "Co., Ltd.", "合同会社"}, /* JP */
	{"GmbH", "AG", "GmbH & Co. KG", "SE"},    /* DE */
	{"SA", "SAS", "SARL", "Groupe"},          /* FR */
	{"S.L.", "S.A.", "SL", "Grupo"},          /* ES */
	{"Ltd", "plc", "Limited", "LLP"},         /* UK */
};
static const char *const tlds[] = {
	".com", ".ca", ".com.au", ".co.jp", ".de", ".fr", ".es", ".co.uk",
};

/* Salesforce's standard Industry picklist values (the HubSpot side maps them). */
static const char *const industries[] = {
	"Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications",
	"Construction", "Consulting", "Education", "Electronics", "Energy", "Engineering",
	"Entertainment", "Environmental", "Finance", "Food & Beverage", "Government",
	"Healthcare", "Hospitality", "Insurance", "Machinery", "Manufacturing", "Media",
	"Not For Profit", "Recreation", "Retail", "Shipping", "Technology",
	"Telecommunications", "Transportation", "Utilities", "Other",
};
static const char *const titles[] = {
	"CEO", "CTO", "VP of Sales", "Sales Manager", "Account Executive", "Marketing Director",
	"Office Manager", "Software Engineer", "Head of Operations", "Procurement Lead",
	"Customer Success Manager", "CFO", "Product Manager", "営業部長", "Directeur commercial",
	"Geschäftsführer", "Jefe de Compras", "IT Administrator", "",
};
static const char *const lead_sources[] = {
	"Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other",
};
static const char *const free_mail[] = {
	"gmail.com", "yahoo.com", "outlook.com", "hotmail.co.uk", "yahoo.co.jp", "gmx.de",
	"icloud.com", "orange.fr",
};

static void fill_pattern(uint64_t *st, const char *pat, char *out, size_t len)
{
	size_t o = 0;

	for (; *pat && o + 1 < len; pat++) {
		if (*pat == '9')
			out[o++] = (char)('0' + pick(st, 10));
		else if (*pat == 'A')
			out[o++] = (char)('A' + pick(st, 26));
		else
			out[o++] = *pat;
	}
	out[o] = '\0';
}

static void slugify(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (; *in && o + 1 < len; in++) {
		unsigned char c = (unsigned char)*in;

		if (isalnum(c) && c < 0x80)
			out[o++] = (char)tolower(c);
	}
	out[o] = '\0';
}

static const char *pick_variant(uint64_t *st, const char *const *v, size_t max)
{
	size_t n = 0;

	while (n < max && v[n])
		n++;
	return v[pick(st, n)];
}

static void make_phone(uint64_t *st, const struct place *pl, char *out, size_t len)
{
	char a[8], b[8];

	fill_pattern(st, "999", a, sizeof(a));
	fill_pattern(st, "9999", b, sizeof(b));
	switch (pl->country) {
	case 0:
	case 1:
		switch (pick(st, 3)) {
		case 0: sfmt(out, len, "+1 %s-%s-%s", pl->area, a, b); break;
		case 1: sfmt(out, len, "(%s) %s-%s", pl->area, a, b); break;
		default: sfmt(out, len, "%s.%s.%s", pl->area, a, b); break;
		}
		break;
	case 2:
		sfmt(out, len, pick(st, 2) ? "+61 %s %s %s" : "(0%s) %s %s", pl->area, b, b);
		break;
	case 3:
		sfmt(out, len, pick(st, 2) ? "0%s-%s-%s" : "+81 %s %s %s", pl->area, b, b);
		break;
	default:
		sfmt(out, len, "+%d %s %s%s", 30 + pl->country, pl->area, a, b);
		break;
	}
}

void sim_gen_company(uint64_t seed, size_t i, struct sim_company *out)
{
	uint64_t st = rng_for(seed, 1, i);
	const struct place *pl = &places[pick(&st, N(places))];
	const char *core = company_core[i % N(company_core)];
	const char *kind = company_kind[pick(&st, N(company_kind))];
	const char *suffix = company_suffix[pl->country][pick(&st, 4)];
	size_t round = i / N(company_core);
	char slug[96];

	memset(out, 0, sizeof(*out));
	if (pl->country == 3 && !strcmp(suffix, "株式会社"))
		sfmt(out->name, sizeof(out->name), "%s%s %s", suffix, core, kind);
	else
		sfmt(out->name, sizeof(out->name), "%s %s %s", core, kind, suffix);
	slugify(core, slug, sizeof(slug));
	if (round)
		sfmt(out->domain, sizeof(out->domain), "%s%s%zu%s", slug,
			 kind[0] == 'S' ? "sys" : "", round, tlds[pl->country]);
	else
		sfmt(out->domain, sizeof(out->domain), "%s%s", slug, tlds[pl->country]);
	sfmt(out->website, sizeof(out->website), pick(&st, 3) ? "https://www.%s" : "http://%s",
		 out->domain);
	make_phone(&st, pl, out->phone, sizeof(out->phone));
	sfmt(out->city, sizeof(out->city), "%s", pl->city);
	sfmt(out->state, sizeof(out->state), "%s", pick_variant(&st, pl->state, 4));
	sfmt(out->country, sizeof(out->country), "%s",
		 pick_variant(&st, countries[pl->country], 6));
	sfmt(out->industry, sizeof(out->industry), "%s", industries[pick(&st, N(industries))]);
	out->employees = (int)(5 + pick(&st, 5000));
	out->annual_revenue = (int)(out->employees * (50000 + pick(&st, 200000)) / 1000) * 1000;
}

static void make_email(uint64_t *st, const char *fa, const char *la, const char *domain,
		       char *out, size_t len)
{
	char f[64], l[64];

	slugify(fa, f, sizeof(f));
	slugify(la, l, sizeof(l));
	if (!l[0])
		sfmt(l, sizeof(l), "x");
	if (pick(st, 5) == 0)
		domain = free_mail[pick(st, N(free_mail))];
	switch (pick(st, 5)) {
	case 0: sfmt(out, len, "%s.%s@%s", f, l, domain); break;
	case 1: sfmt(out, len, "%c%s@%s", f[0], l, domain); break;
	case 2: sfmt(out, len, "%s_%s@%s", f, l, domain); break;
	case 3: sfmt(out, len, "%s%c@%s", l, f[0], domain); break;
	default: sfmt(out, len, "%s.%s@%s", f, l, domain); break;
	}
}

static void dirty_up(uint64_t *st, uint64_t seed, size_t i, struct sim_person *p)
{
	static const char *const long_first = "Maria-Guadalupe-Alexandra-Esperanza-Concepción";
	char user[128];
	char *at;

	switch (p->dirt) {
	case SIM_DIRT_BAD_EMAIL:
		sfmt(user, sizeof(user), "%s", p->email);
		at = strchr(user, '@');
		if (at)
			*at = '\0';
		switch (pick(st, 4)) {
		case 0: sfmt(p->email, sizeof(p->email), "%s@", user); break;
		case 1: sfmt(p->email, sizeof(p->email), "%s@@%s", user, at ? at + 1 : "x.com"); break;
		case 2: sfmt(p->email, sizeof(p->email), "%s at %s", user, at ? at + 1 : "x.com"); break;
		default: sfmt(p->email, sizeof(p->email), "%s@%s", user, "localhost"); break;
		}
		break;
	case SIM_DIRT_TOO_LONG:
		sfmt(p->first, sizeof(p->first), "%s", long_first); /* > 40 characters */
		break;
	case SIM_DIRT_BAD_PICKLIST:
		sfmt(p->lead_source, sizeof(p->lead_source), "%s",
			 pick(st, 2) ? "Webinarr" : "Trade Show 2019");
		break;
	case SIM_DIRT_MISSING_REQUIRED:
		p->last[0] = '\0';
		if (pick(st, 2))
			p->company[0] = '\0';
		break;
	case SIM_DIRT_DUPLICATE:
		/* same address as the previous person, in upper case */
		if (i > 0) {
			struct sim_person prev;

			sim_gen_person(seed, i - 1, 0.0, &prev);
			for (size_t k = 0; prev.email[k] && k + 1 < sizeof(p->email); k++)
				p->email[k] = (char)toupper((unsigned char)prev.email[k]);
			p->email[strlen(prev.email) < sizeof(p->email) ? strlen(prev.email) : sizeof(p->email) - 1] = '\0';
		}
		break;
	case SIM_DIRT_VALIDATION:
		sfmt(p->phone, sizeof(p->phone), "%s", pick(st, 2) ? "n/a" : "call reception");
		sfmt(p->postal, sizeof(p->postal), "%s", "ABCDE-?");
		break;
	case SIM_DIRT_FLOW:
		/* clean data; the Salesforce side's flow fails on it (see its rules) */
		break;
	default:
		break;
	}
}

void sim_gen_person(uint64_t seed, size_t i, double dirty, struct sim_person *out)
{
	uint64_t st = rng_for(seed, 2, i);
	struct sim_company co;
	const struct place *pl;
	const struct name *f, *l;
	unsigned culture = (unsigned)pick(&st, 100);
	double d;

	memset(out, 0, sizeof(*out));
	sim_gen_company(seed, i % SIM_GEN_NCOMPANIES, &co);
	if (culture < 55) {
		f = &first_en[pick(&st, N(first_en))];
		l = &last_en[pick(&st, N(last_en))];
	} else if (culture < 75) {
		f = &first_acc[pick(&st, N(first_acc))];
		l = &last_acc[pick(&st, N(last_acc))];
	} else {
		f = &first_ja[pick(&st, N(first_ja))];
		l = &last_ja[pick(&st, N(last_ja))];
	}
	if (culture >= 75 && pick(&st, 2)) {
		sfmt(out->first, sizeof(out->first), "%s", f->text);  /* kanji */
		sfmt(out->last, sizeof(out->last), "%s", l->text);
	} else if (culture >= 75) {
		sfmt(out->first, sizeof(out->first), "%s", f->ascii); /* romaji */
		sfmt(out->last, sizeof(out->last), "%s", l->ascii);
	} else {
		sfmt(out->first, sizeof(out->first), "%s", f->text);
		sfmt(out->last, sizeof(out->last), "%s", l->text);
	}
	make_email(&st, f->ascii, l->ascii, co.domain, out->email, sizeof(out->email));
	/* people mostly live where their company is; some elsewhere */
	pl = &places[pick(&st, N(places))];
	if (pick(&st, 4)) {
		for (size_t k = 0; k < N(places); k++)
			if (!strcmp(places[k].city, co.city))
				pl = &places[k];
	}
	make_phone(&st, pl, out->phone, sizeof(out->phone));
	make_phone(&st, pl, out->mobile, sizeof(out->mobile));
	sfmt(out->title, sizeof(out->title), "%s", titles[pick(&st, N(titles))]);
	sfmt(out->company, sizeof(out->company), "%s", co.name);
	sfmt(out->website, sizeof(out->website), "%s", co.website);
	if (pl->country == 3)
		sfmt(out->street, sizeof(out->street), "%s", streets_ja[pick(&st, N(streets_ja))]);
	else
		sfmt(out->street, sizeof(out->street), "%u %s", (unsigned)(1 + pick(&st, 9999)),
			 streets[pick(&st, N(streets))]);
	sfmt(out->city, sizeof(out->city), "%s", pl->city);
	sfmt(out->state, sizeof(out->state), "%s", pick_variant(&st, pl->state, 4));
	fill_pattern(&st, pl->postal, out->postal, sizeof(out->postal));
	sfmt(out->country, sizeof(out->country), "%s",
		 pick_variant(&st, countries[pl->country], 6));
	sfmt(out->lead_source, sizeof(out->lead_source), "%s",
		 lead_sources[pick(&st, N(lead_sources))]);
	sfmt(out->industry, sizeof(out->industry), "%s", co.industry);
	out->annual_revenue = co.annual_revenue;
	out->employees = co.employees;

	d = (double)(sim_rand_next(&st) >> 11) / 9007199254740992.0;
	if (d < dirty) {
		out->dirt = (enum sim_dirt)(1 + pick(&st, SIM_DIRT_COUNT - 1));
		dirty_up(&st, seed, i, out);
	}
}

size_t sim_gen_sf_first(size_t records, double overlap)
{
	if (overlap <= 0)
		return records;
	if (overlap >= 1)
		return 0;
	return (size_t)((double)records * (1.0 - overlap));
}
