/*
 * test_analyze.c - tests of the shared analyzer (common/analyze.c): a table
 * of inputs from the notation of real sarcoma abstracts with their exact
 * terms, equivalences the product promises (TNF-α = TNF-alpha, Ewing's =
 * Ewing, Sjögren = Sjogren), stopwords, limits, malformed UTF-8, megabyte
 * tokens, and a seeded property test: every word of a random document,
 * analyzed alone, yields only terms the document has, and every term's
 * byte offsets point at text that analyzes to that term.
 *
 *   build/tests/test_analyze [SEED]     (the seed used is printed)
 *
 * Expected terms are written "text@pos" for a word, "text~pos" for a part
 * of a compound and "text=pos" for the joined form, in emission order.
 */
#include "analyze.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"

/* ---- collecting terms ------------------------------------------------- */

struct term {
	char text[AN_MAX_TERM_BYTES + 1];
	size_t len;
	uint32_t pos, start, end;
	enum an_kind kind;
};

struct coll {
	struct term *v;
	size_t n, cap;
	int keep;         /* store terms (else only count and check) */
	size_t n_input;   /* length of the analyzed text, for offset checks */
	uint32_t pos0;    /* *pos passed to an_run */
	uint32_t last_pos;
	int bad;          /* an invariant failed; why says which */
	const char *why;
	int stop_after;   /* return 7 from the callback after this many terms */
};

/* Independent UTF-8 validator (not the analyzer's decoder). */
static int valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i], need, min;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0)
			need = 1, min = 0x80, cp = c & 0x1F;
		else if ((c & 0xF0) == 0xE0)
			need = 2, min = 0x800, cp = c & 0x0F;
		else if ((c & 0xF8) == 0xF0)
			need = 3, min = 0x10000, cp = c & 0x07;
		else
			return 0;
		if (n - i <= need)
			return 0;
		for (unsigned k = 1; k <= need; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += need + 1;
	}
	return 1;
}

static int collect(void *ctx, const struct an_term *t)
{
	struct coll *c = ctx;
	if (!c->bad) {
		if (t->len == 0 || t->len > AN_MAX_TERM_BYTES)
			c->bad = 1, c->why = "term length out of range";
		else if (!valid_utf8((const unsigned char *)t->text, t->len))
			c->bad = 1, c->why = "term is not valid UTF-8";
		else if (t->start >= t->end || t->end > c->n_input)
			c->bad = 1, c->why = "offsets outside the input";
		else if (t->pos < c->last_pos || t->pos < c->pos0)
			c->bad = 1, c->why = "positions decrease";
		else if (t->kind != AN_WORD && t->kind != AN_PART && t->kind != AN_JOINED)
			c->bad = 1, c->why = "bad kind";
	}
	c->last_pos = t->pos;
	if (c->keep) {
		if (c->n == c->cap) {
			size_t cap = c->cap ? 2 * c->cap : 64;
			struct term *v = realloc(c->v, cap * sizeof *v);
			if (!v) {
				fprintf(stderr, "test_analyze: out of memory\n");
				exit(2);
			}
			c->v = v;
			c->cap = cap;
		}
		struct term *d = &c->v[c->n];
		memcpy(d->text, t->text, t->len <= AN_MAX_TERM_BYTES ? t->len : AN_MAX_TERM_BYTES);
		d->len = t->len <= AN_MAX_TERM_BYTES ? t->len : AN_MAX_TERM_BYTES;
		d->text[d->len] = '\0';
		d->pos = t->pos;
		d->start = t->start;
		d->end = t->end;
		d->kind = t->kind;
	}
	c->n++;
	if (c->stop_after && c->n >= (size_t)c->stop_after)
		return 7;
	return 0;
}

/* Analyzes text into c (reset first) with an_run_flags; returns its result. */
static int analyze_flags(an_analyzer *a, const char *text, size_t n, unsigned flags,
			 struct coll *c, uint32_t *pos, size_t *nstop)
{
	uint32_t p = pos ? *pos : 0;
	c->n = 0;
	c->keep = 1;
	c->n_input = n;
	c->pos0 = p;
	c->last_pos = p;
	c->bad = 0;
	c->why = "";
	int rc = flags ? an_run_flags(a, text, n, flags, &p, nstop, collect, c)
		       : an_run(a, text, n, &p, nstop, collect, c);
	if (pos)
		*pos = p;
	return rc;
}

/* Analyzes text into c (reset first); returns an_run's result. */
static int analyze(an_analyzer *a, const char *text, size_t n, struct coll *c, uint32_t *pos,
		   size_t *nstop)
{
	return analyze_flags(a, text, n, 0, c, pos, nstop);
}

/* "ews~0 ewsfli1=0 fli1~1" */
static void render(const struct coll *c, char *out, size_t cap)
{
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < c->n && len < cap; i++) {
		const struct term *t = &c->v[i];
		char k = t->kind == AN_JOINED ? '=' : t->kind == AN_PART ? '~' : '@';
		len += (size_t)snprintf(out + len, cap - len, "%s%s%c%u", i ? " " : "", t->text, k,
					(unsigned)t->pos);
	}
}

static an_analyzer *new_analyzer(int stem, const char *stopwords)
{
	struct an_settings s = {stem, stopwords};
	struct err e;
	err_clear(&e);
	an_analyzer *a = an_new(&s, &e);
	if (!a) {
		printf("not ok an_new: %s\n", e.msg);
		exit(1);
	}
	return a;
}

/* ---- the table -------------------------------------------------------- */

/* stem, input, expected terms.  Invisible characters are written as \x
 * escapes: U+00A0 no-break space c2 a0, U+00AD soft hyphen c2 ad, U+200B
 * zero-width space e2 80 8b, U+2009 thin space e2 80 89, U+202F narrow
 * no-break space e2 80 af, and the dashes U+2010 e2 80 90, U+2011 e2 80 91,
 * U+2013 e2 80 93, U+2014 e2 80 94, U+2212 e2 88 92. */
static const struct {
	int stem;
	const char *in;
	const char *want;
} cases[] = {
	{1, "EWS-FLI1", "ews~0 ewsfli1=0 fli1~1"},
	{1, "EWS\xe2\x80\x93" "FLI1", "ews~0 ewsfli1=0 fli1~1"},
	{1, "EWSR1::FLI1", "ewsr1~0 ewsr1fli1=0 fli1~1"},
	{1, "SS18-SSX1", "ss18~0 ss18ssx1=0 ssx1~1"},
	{1, "SS18\xe2\x80\x93SSX2 fusion", "ss18~0 ss18ssx2=0 ssx2~1 fusion@2"},
	{1, "SYT-SSX", "syt~0 sytssx=0 ssx~1"},
	{1, "PAX3-FOXO1", "pax3~0 pax3foxo1=0 foxo1~1"},
	{1, "PAX7/FOXO1", "pax7~0 pax7foxo1=0 foxo1~1"},
	{1, "c-KIT", "c~0 ckit=0 kit~1"},
	{1, "KIT", "kit@0"},
	{1, "CD117", "cd117@0"},
	{1, "CD117+", "cd117@0"},
	{1, "CD34+/CD117+", "cd34@0 cd117@1"},
	{1, "IL-6", "il~0 il6=0 6~1"},
	{1, "Ki-67", "ki~0 ki67=0 67~1"},
	{1, "Ki67", "ki67@0"},
	{1, "p53", "p53@0"},
	{1, "TP53", "tp53@0"},
	{1, "5-FU", "5~0 5fu=0 fu~1"},
	{1, "PD-L1", "pd~0 pdl1=0 l1~1"},
	{1, "PD-1/PD-L1", "pd~0 pd1pdl1=0 1~1 pd~2 l1~3"},
	{1, "HER2/neu", "her2~0 her2neu=0 neu~1"},
	{1, "MDM2", "mdm2@0"},
	{1, "CDK4", "cdk4@0"},
	{1, "MDM2/CDK4 amplification", "mdm2~0 mdm2cdk4=0 cdk4~1 amplif@2"},
	{1, "NAB2-STAT6", "nab2~0 nab2stat6=0 stat6~1"},
	{1, "COL1A1-PDGFB", "col1a1~0 col1a1pdgfb=0 pdgfb~1"},
	{1, "ETV6-NTRK3", "etv6~0 etv6ntrk3=0 ntrk3~1"},
	{1, "EWSR1-WT1", "ewsr1~0 ewsr1wt1=0 wt1~1"},
	{1, "ASPSCR1-TFE3", "aspscr1~0 aspscr1tfe3=0 tfe3~1"},
	{1, "FUS-DDIT3", "fus~0 fusddit3=0 ddit3~1"},
	{1, "CIC-DUX4", "cic~0 cicdux4=0 dux4~1"},
	{1, "BCOR-CCNB3", "bcor~0 bcorccnb3=0 ccnb3~1"},
	{1, "NTRK1/2/3", "ntrk1~0 ntrk123=0 2~1 3~2"},
	{1, "BRAF V600E", "braf@0 v600e@1"},
	{1, "KRAS G12C", "kras@0 g12c@1"},
	{1, "PDGFRA D842V", "pdgfra@0 d842v@1"},
	{1, "p.D842V", "p~0 pd842v=0 d842v~1"},
	{1, "c.1234G>A", "c~0 c1234g=0 1234g~1"},
	{1, "t(11;22)(q24;q12)", "t~0 t1122q24q12=0 11~1 22~2 q24~3 q12~4"},
	{1, "t(X;18)(p11.2;q11.2)", "t~0 tx18p11.2q11.2=0 x~1 18~2 p11.2~3 q11.2~4"},
	{1, "46,XY,t(11;22)(q24;q12)", "46@0 xy@1 t~2 t1122q24q12=2 11~3 22~4 q24~5 q12~6"},
	{1, "del(1p36)", "del~0 del1p36=0 1p36~1"},
	{1, "1p/19q", "1p~0 1p19q=0 19q~1"},
	{1, "12q13-15", "12q13~0 12q1315=0 15~1"},
	{1, "t(12;16)", "t~0 t1216=0 12~1 16~2"},
	{1, "inv(12)", "inv~0 inv12=0 12~1"},
	{1, "TNF-α", "tnf~0 tnfalpha=0 alpha~1"},
	{1, "TNF-alpha", "tnf~0 tnfalpha=0 alpha~1"},
	{1, "TNFα", "tnfalpha@0"},
	{1, "β-catenin", "beta~0 betacatenin=0 catenin~1"},
	{1, "beta-catenin", "beta~0 betacatenin=0 catenin~1"},
	{1, "IFN-γ", "ifn~0 ifngamma=0 gamma~1"},
	{1, "IL-1β", "il~0 il1beta=0 1beta~1"},
	{1, "TGF-β1", "tgf~0 tgfbeta1=0 beta1~1"},
	{1, "PDGFRα", "pdgfralpha@0"},
	{1, "PPARγ", "ppargamma@0"},
	{1, "αβ T cells", "alphabeta@0 t@1 cell@2"},
	{1, "γδ T-cells", "gammadelta@0 t~1 tcell=1 cell~2"},
	{1, "Ω", "omega@0"},
	{1, "Α Β Γ Δ Ε Ζ Η Θ Ι Κ Λ Μ Ν Ξ Ο Π Ρ Σ Τ Υ Φ Χ Ψ Ω", "alpha@0 beta@1 gamma@2 delta@3 epsilon@4 zeta@5 eta@6 theta@7 iota@8 kappa@9 lambda@10 mu@11 nu@12 xi@13 omicron@14 pi@15 rho@16 sigma@17 tau@18 upsilon@19 phi@20 chi@21 psi@22 omega@23"},
	{1, "α β γ δ ε ζ η θ ι κ λ μ ν ξ ο π ρ σ τ υ φ χ ψ ω", "alpha@0 beta@1 gamma@2 delta@3 epsilon@4 zeta@5 eta@6 theta@7 iota@8 kappa@9 lambda@10 mu@11 nu@12 xi@13 omicron@14 pi@15 rho@16 sigma@17 tau@18 upsilon@19 phi@20 chi@21 psi@22 omega@23"},
	{1, "ς", "sigma@0"},
	{1, "µg µl μg", "mug@0 mul@1 mug@2"},
	{1, "2 μM", "2@0 mum@1"},
	{1, "ά έ ή ί ό ύ ώ", "alpha@0 epsilon@1 eta@2 iota@3 omicron@4 upsilon@5 omega@6"},
	{1, "𝛽-blocker", "beta~0 betablock=0 blocker~1"},
	{1, "Ewing's sarcoma", "ewing@0 sarcoma@1"},
	{1, "Ewing’s sarcoma", "ewing@0 sarcoma@1"},
	{1, "Ewing sarcoma", "ewing@0 sarcoma@1"},
	{1, "Ewings sarcoma", "ewing@0 sarcoma@1"},
	{1, "Ewing´s sarcoma", "ewing@0 sarcoma@1"},
	{1, "patients' outcomes", "patient@0 outcom@1"},
	{1, "patients’ outcomes", "patient@0 outcom@1"},
	{1, "Kaposi's", "kaposi@0"},
	{1, "it's", ""},
	{1, "the tumor's margins", "tumor@1 margin@2"},
	{1, "O'Brien", "o~0 obrien=0 brien~1"},
	{1, "3'UTR", "3~0 3utr=0 utr~1"},
	{1, "5'-UTR", "5~0 5utr=0 utr~1"},
	{1, "don't", "don~0 dont=0 t~1"},
	{1, "0.05", "0.05@0"},
	{1, "p<0.05", "p@0 0.05@1"},
	{1, "P < .001", "p@0 001@1"},
	{1, "p = 0.003", "p@0 0.003@1"},
	{1, "2.5", "2.5@0"},
	{1, "2.5-fold", "2.5~0 2.5fold=0 fold~1"},
	{1, "1,000", "1000@0"},
	{1, "12,345,678 cells", "12345678@0 cell@1"},
	{1, "1,000.5", "1000.5@0"},
	{1, "2,3-dimethyl", "2@0 3~1 3dimethyl=1 dimethyl~2"},
	{1, "1,2,3", "1@0 2@1 3@2"},
	{1, "3,4", "3@0 4@1"},
	{1, "45%", "45@0"},
	{1, "45.5%", "45.5@0"},
	{1, "10-20", "10~0 1020=0 20~1"},
	{1, "10\xe2\x80\x93" "20 years", "10~0 1020=0 20~1 year@2"},
	{1, "range 1-100", "rang@0 1~1 1100=1 100~2"},
	{1, "95% CI 1.2\xe2\x80\x93" "3.4", "95@0 ci@1 1.2~2 1.23.4=2 3.4~3"},
	{1, "[95% CI, 1.2-3.4]", "95@0 ci@1 1.2~2 1.23.4=2 3.4~3"},
	{1, "HR=0.62", "hr@0 0.62@1"},
	{1, "(n = 45)", "n@0 45@1"},
	{1, "n=45", "n@0 45@1"},
	{1, "75 mg/m2", "75@0 mg~1 mgm2=1 m2~2"},
	{1, "75 mg/m²", "75@0 mg~1 mgm2=1 m~2 2~3"},
	{1, "1.2 mg/kg/day", "1.2@0 mg~1 mgkgday=1 kg~2 day~3"},
	{1, "37°C", "37@0 c@1"},
	{1, "±2.5", "2.5@0"},
	{1, "2×10", "2@0 10@1"},
	{1, "10^6", "10@0 6@1"},
	{1, "10⁶", "10~0 106=0 6~1"},
	{1, "Nkx2.2", "nkx2.2@0"},
	{1, "NKX2-2", "nkx2~0 nkx22=0 2~1"},
	{1, "v2.5.1", "v2.5.1@0"},
	{1, "e.g.", "e~0 eg=0 g~1"},
	{1, "i.v.", "i~0 iv=0 v~1"},
	{1, "U.S.", "u~0 us=0 s~1"},
	{1, "trabectedin", "trabectedin@0"},
	{1, "imatinib mesylate", "imatinib@0 mesyl@1"},
	{1, "doxorubicin", "doxorubicin@0"},
	{1, "Doxorubicin-based chemotherapy", "doxorubicin~0 doxorubicinbas=0 base~1 chemotherapi@2"},
	{1, "eribulin", "eribulin@0"},
	{1, "pazopanib", "pazopanib@0"},
	{1, "ifosfamide", "ifosfamid@0"},
	{1, "gemcitabine/docetaxel", "gemcitabin~0 gemcitabinedocetaxel=0 docetaxel~1"},
	{1, "ET-743", "et~0 et743=0 743~1"},
	{1, "STI-571", "sti~0 sti571=0 571~1"},
	{1, "STI571", "sti571@0"},
	{1, "well-differentiated liposarcoma", "well~0 welldifferenti=0 differenti~1 liposarcoma@2"},
	{1, "dedifferentiated liposarcomas", "dedifferenti@0 liposarcoma@1"},
	{1, "high-grade", "high~0 highgrad=0 grade~1"},
	{1, "progression-free survival", "progress~0 progressionfre=0 free~1 surviv@2"},
	{1, "soft-tissue sarcomas", "soft~0 softtissu=0 tissu~1 sarcoma@2"},
	{1, "rhabdomyosarcomas", "rhabdomyosarcoma@0"},
	{1, "leiomyosarcoma", "leiomyosarcoma@0"},
	{1, "osteosarcoma", "osteosarcoma@0"},
	{1, "GISTs", "gist@0"},
	{1, "GIST", "gist@0"},
	{1, "PNETs", "pnet@0"},
	{1, "DSRCT", "dsrct@0"},
	{1, "EWS", "ews@0"},
	{1, "CDs", "cds@0"},
	{1, "Sjögren", "sjogren@0"},
	{1, "Sjogren", "sjogren@0"},
	{1, "Ménétrier", "menetri@0"},
	{1, "Menetrier", "menetri@0"},
	{1, "straße", "strass@0"},
	{1, "Æsculapius", "aesculapius@0"},
	{1, "Ørsted", "orst@0"},
	{1, "Łódź", "lodz@0"},
	{1, "Dvořák", "dvorak@0"},
	{1, "São Paulo", "sao@0 paulo@1"},
	{1, "Müller", "muller@0"},
	{1, "naïve", "naiv@0"},
	{1, "café-au-lait", "cafe~0 cafeaulait=0 au~1 lait~2"},
	{1, "Œdème", "oedem@0"},
	{1, "İstanbul", "istanbul@0"},
	{1, "ﬁbrosarcoma", "fibrosarcoma@0"},
	{1, "ﬂuorescence", "fluoresc@0"},
	{1, "“high-risk”", "high~0 highrisk=0 risk~1"},
	{1, "‘low-grade’", "low~0 lowgrad=0 grade~1"},
	{1, "«sarcome»", "sarcom@0"},
	{1, "sarcoma\xe2\x80\x94" "a rare tumor", "sarcoma~0 sarcomaa=0 rare@2 tumor@3"},
	{1, "sarcoma \xe2\x88\x92 2", "sarcoma@0 2@1"},
	{1, "tumor\xe2\x80\x90" "free", "tumor~0 tumorfre=0 free~1"},
	{1, "non\xe2\x80\x91small", "non~0 nonsmal=0 small~1"},
	{1, "a \xe2\x80\x93 b", "b@1"},
	{1, "sarcoma\xe2\x80\x83sarcoma", "sarcoma@0 sarcoma@1"},
	{1, "soft\xc2\xa0tissue", "soft@0 tissu@1"},
	{1, "soft\xe2\x80\xaftissue", "soft@0 tissu@1"},
	{1, "soft\xe2\x80\x8btissue", "soft@0 tissu@1"},
	{1, "sar\xc2\xad" "coma", "sarcoma@0"},
	{1, "Ewing<sup>1</sup>", "ewing~0 ewing1=0 1~1"},
	{1, "m<sup>2</sup>", "m~0 m2=0 2~1"},
	{1, "<i>EWSR1</i>-<i>FLI1</i>", "ewsr1~0 ewsr1fli1=0 fli1~1"},
	{1, "<b>Background</b>: sarcoma", "background@0 sarcoma@1"},
	{1, "line<br/>break", "line@0 break@1"},
	{1, "&lt;0.05", "0.05@0"},
	{1, "&amp; and", ""},
	{1, "&beta;-catenin", "beta~0 betacatenin=0 catenin~1"},
	{1, "&#946;-catenin", "beta~0 betacatenin=0 catenin~1"},
	{1, "&#x3B2;-catenin", "beta~0 betacatenin=0 catenin~1"},
	{1, "&eacute;", "e@0"},
	{1, "R&amp;D", "r@0 d@1"},
	{1, "AT&T", "t@1"},
	{1, "&unknown; x", "x@0"},
	{1, "&#0; x", "x@0"},
	{1, "<EWS> fusion", "ews@0 fusion@1"},
	{1, "Québec", "quebec@0"},
	{1, "ＣＤ１１７", "cd117@0"},
	{1, "①", "1@0"},
	{1, "stage Ⅳ", "stage@0 iv@1"},
	{1, "Москва", "москва@0"},
	{1, "ЁЛКА", "елка@0"},
	{1, "中文 摘要", "中文@0 摘要@1"},
	{1, "العربية", "العربية@0"},
	{1, "sarcoma(s)", "sarcoma~0 s~1"},
	{1, "patient(s)", "patient~0 s~1"},
	{1, "tumour(s)", "tumour~0 s~1"},
	{1, "(EWS-FLI1)", "ews~0 ewsfli1=0 fli1~1"},
	{1, "[18F]FDG", "18f~0 18ffdg=0 fdg~1"},
	{1, "18F-FDG PET/CT", "18f~0 18ffdg=0 fdg~1 pet~2 petct=2 ct~3"},
	{1, "PET/CT", "pet~0 petct=0 ct~1"},
	{1, "and/or", "andor=0 or~1"},
	{1, "with/without", "withwithout=0 without~1"},
	{1, "no evidence of disease", "no@0 evid@1 diseas@3"},
	{1, "not significant", "not@0 signific@1"},
	{1, "the and of a an", ""},
	{1, "A", ""},
	{1, "vitamin A", "vitamin@0"},
	{1, "type I and II", "type@0 i@1 ii@3"},
	{1, "OR 1.5", "or@0 1.5@1"},
	{1, "AS angiosarcoma", "as@0 angiosarcoma@1"},
	{1, "ALL leukemia", "all@0 leukemia@1"},
	{1, "x", "x@0"},
	{1, "-", ""},
	{1, "--", ""},
	{1, "...", ""},
	{1, "'quoted'", "quot@0"},
	{1, "-sarcoma-", "sarcoma@0"},
	{1, "//EWS//FLI1//", "ews~0 ewsfli1=0 fli1~1"},
	{1, "a-b-c-d", "abcd=0 b~1 c~2 d~3"},
	{1, "NM_000546", "nm~0 nm000546=0 000546~1"},
	{1, "rs12345", "rs12345@0"},
	{1, "chr22:29,683,123", "chr22~0 chr2229683123=0 29683123~1"},
	{1, "10.1016/j.ejca.2020.01.001", "10.1016~0 10.1016jejca2020.01.001=0 j~1 ejca~2 2020.01.001~3"},
	{1, "https://pubmed.ncbi.nlm.nih.gov/12345", "https~0 httpspubmedncbinlmnihgov12345=0 pubm~1 ncbi~2 nlm~3 nih~4 gov~5 12345~6"},
	{1, "user@example.com", "user@0 exampl~1 examplecom=1 com~2"},
	{1, "#hashtag", "hashtag@0"},
	{1, "C++", "c@0"},
	{1, "G2/M", "g2~0 g2m=0 m~1"},
	{1, "S-phase", "s~0 sphase=0 phase~1"},
	{1, "Runx2", "runx2@0"},
	{1, "H&E", "h@0 e@1"},
	{1, "H&amp;E", "h@0 e@1"},
	{1, "1st 2nd 3rd", "1st@0 2nd@1 3rd@2"},
	{1, "24-h", "24~0 24h=0 h~1"},
	{1, "3-year", "3~0 3year=0 year~1"},
	{1, "5-year OS", "5~0 5year=0 year~1 os@2"},
	{1, "IIIA", "iiia@0"},
	{1, "T1N0M0", "t1n0m0@0"},
	{1, "pT2bN1", "pt2bn1@0"},
	{1, "R0/R1", "r0~0 r0r1=0 r1~1"},
	{1, "R0", "r0@0"},
	{0, "sarcomas", "sarcomas@0"},
	{0, "patients treated", "patients@0 treated@1"},
	{0, "Ewing's sarcomas", "ewing@0 sarcomas@1"},
	{0, "well-differentiated liposarcomas", "well~0 welldifferentiated=0 differentiated~1 liposarcomas@2"},
	{0, "the and of", ""},
	{0, "running", "running@0"},
	{0, "TNF-α", "tnf~0 tnfalpha=0 alpha~1"},
	{0, "EWS", "ews@0"},
	{0, "Ewing’s sarcoma; PAX3\xe2\x80\x93" "FOXO1-positive alveolar rhabdomyosarcomas (ARMS).", "ewing@0 sarcoma@1 pax3~2 pax3foxo1positive=2 foxo1~3 positive~4 alveolar@5 rhabdomyosarcomas@6 arms@7"},
	{0, "Imatinib 400 mg/day vs 800 mg/day", "imatinib@0 400@1 mg~2 mgday=2 day~3 vs@4 800@5 mg~6 mgday=6 day~7"},
	{0, "Sjögren's syndrome", "sjogren@0 syndrome@1"},
	{0, "β-catenin", "beta~0 betacatenin=0 catenin~1"},
	{0, "&lt;i&gt;KIT&lt;/i&gt;", "i@0 kit@1 i@2"},
	{1, "The 5-year overall survival (OS) rate was 45.5% (95% CI, 38.2\xe2\x80\x93" "52.7%).", "5~1 5year=1 year~2 overal@3 surviv@4 os@5 rate@6 45.5@8 95@9 ci@10 38.2~11 38.252.7=11 52.7~12"},
	{1, "Patients received doxorubicin 75 mg/m² every 3 weeks.", "patient@0 receiv@1 doxorubicin@2 75@3 mg~4 mgm2=4 m~5 2~6 everi@7 3@8 week@9"},
	{1, "Trabectedin (ET-743) in L-sarcomas.", "trabectedin@0 et~1 et743=1 743~2 l~4 lsarcoma=4 sarcoma~5"},
	{1, "Eribulin vs. dacarbazine in liposarcoma.", "eribulin@0 vs@1 dacarbazin@2 liposarcoma@4"},
	{1, "EWSR1\xe2\x80\x93" "FLI1-positive Ewing’s sarcoma family tumours (ESFT)", "ewsr1~0 ewsr1fli1positive=0 fli1~1 posit~2 ewing@3 sarcoma@4 famili@5 tumour@6 esft@7"},
	{1, "Ki-67 index ≥ 20%", "ki~0 ki67=0 67~1 index@2 20@3"},
	{1, "Nuclear β-catenin; CTNNB1 S45F", "nuclear@0 beta~1 betacatenin=1 catenin~2 ctnnb1@3 s45f@4"},
	{1, "MDM2 amplification (FISH) in 12q13\xe2\x80\x93" "15", "mdm2@0 amplif@1 fish@2 12q13~4 12q1315=4 15~5"},
	{1, "CD99+, NKX2.2+ and FLI-1+", "cd99@0 nkx2.2@1 fli~3 fli1=3 1~4"},
	{1, "desmoid-type fibromatosis", "desmoid~0 desmoidtyp=0 type~1 fibromatosi@2"},
	{1, "α-SMA, h-caldesmon, desmin", "alpha~0 alphasma=0 sma~1 h~2 hcaldesmon=2 caldesmon~3 desmin@4"},
	{1, "SMARCB1/INI1-deficient", "smarcb1~0 smarcb1ini1deficient=0 ini1~1 defici~2"},
	{1, "H3K27me3 loss", "h3k27me3@0 loss@1"},
	{1, "IDH1/2-mutant chondrosarcomas", "idh1~0 idh12mutant=0 2~1 mutant~2 chondrosarcoma@3"},
	{1, "O6-methylguanine", "o6~0 o6methylguanine=0 methylguanin~1"},
	{1, "the patient’s tumor’s margins", "patient@1 tumor@2 margin@3"},
	{1, "Ewing sarcoma’s", "ewing@0 sarcoma@1"},
	{1, "IL-6/STAT3", "il~0 il6stat3=0 6~1 stat3~2"},
	{1, "PI3K/AKT/mTOR", "pi3k~0 pi3kaktmtor=0 akt~1 mtor~2"},
	{1, "PD-L1 (22C3) TPS ≥ 1%", "pd~0 pdl1=0 l1~1 22c3@2 tps@3 1@4"},
	{1, "HHV-8", "hhv~0 hhv8=0 8~1"},
	{1, "Epstein\xe2\x80\x93" "Barr virus", "epstein~0 epsteinbarr=0 barr~1 virus@2"},
	{1, "von Hippel\xe2\x80\x93Lindau", "von@0 hippel~1 hippellindau=1 lindau~2"},
	{1, "Li\xe2\x80\x93" "Fraumeni syndrome", "li~0 lifraumeni=0 fraumeni~1 syndrom@2"},
	{1, "Gardner’s syndrome", "gardner@0 syndrom@1"},
	{1, "Kaposi’s sarcoma-associated herpesvirus (KSHV)", "kaposi@0 sarcoma~1 sarcomaassoci=1 associ~2 herpesvirus@3 kshv@4"},
	{1, "sarcoma&nbsp;patients", "sarcoma@0 patient@1"},
	{1, "sarcoma\xe2\x80\x89patients", "sarcoma@0 patient@1"},
	{1, "dose:response", "dose~0 doserespons=0 respons~1"},
	{1, "A/B", "ab=0 b~1"},
	{1, "IFN-α2b", "ifn~0 ifnalpha2b=0 alpha2b~1"},
	{1, "Vδ2 T cells", "vdelta2@0 t@1 cell@2"},
	{1, "CO₂", "co~0 co2=0 2~1"},
	{1, "Ca²⁺", "ca~0 ca2=0 2~1"},
	{1, "H₂O₂", "h~0 h2o2=0 2~1 o~2 2~3"},
	{1, "&amp;beta;", "beta@0"},
	{1, "Ёлка", "елка@0"},
	{1, "σάρκωμα", "sigmaalpharhokappaomegamualpha@0"},
	{1, "1,0000", "1@0 0000@1"},
	{1, "٣", "3@0"},
	{1, "Ǆ ﬃ", "dz@0 ffi@1"},
	{1, "ẞ đ þ ħ ŋ ſ ı", "ss@0 d@1 th@2 h@3 n@4 s@5 i@6"},
	{1, "Ewing¹", "ewing~0 ewing1=0 1~1"},
	{1, "1.2–3.4", "1.2~0 1.23.4=0 3.4~1"},
	{1, "ϐ ϑ ϕ ϖ ϰ ϱ ϵ ϲ", "beta@0 theta@1 phi@2 pi@3 kappa@4 rho@5 epsilon@6 sigma@7"},
	{1, "ἀ Ά ΐ", "alpha@0 alpha@1 iota@2"},
	{1, "𝜶𝝱", "alphabeta@0"},
	{1, "Sjo\xcc\x88gren", "sjogren@0"},
	{1, "x&#x2013;y", "x~0 xy=0 y~1"},
	{1, "EWS\xe2\x80\x95" "FLI1 EWS\xef\xb9\x98" "FLI1 EWS\xef\xbc\x8d" "FLI1", "ews~0 ewsfli1=0 fli1~1 ews~2 ewsfli1=2 fli1~3 ews~4 ewsfli1=4 fli1~5"},
	{1, "Crohn\xca\xbcs x\xe2\x80\xb2s", "crohn@0 x@1"},
	{1, "a\xe2\x81\x84" "b c\xe2\x88\x95" "d", "ab=0 b~1 c~2 cd=2 d~3"},
	{1, "\xe2\x80\x9cx\xe2\x80\x9d \xe2\x80\x9ey\xc2\xab", "x@0 y@1"},
	{0, "&Beta; &#X3b2; &ouml;", "beta@0 beta@1 o@2"},
	{0, "<P>x</P><br>y<hr/>z", "x@0 y@1 z@2"},
};

static void test_table(void)
{
	an_analyzer *a[2] = {new_analyzer(0, NULL), new_analyzer(1, NULL)};
	struct coll c = {0};
	char got[4096];
	int nstem = 0;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = analyze(a[cases[i].stem], cases[i].in, strlen(cases[i].in), &c, NULL, NULL);
		render(&c, got, sizeof got);
		nstem += cases[i].stem;
		CHECKF(rc == 0 && !c.bad && strcmp(got, cases[i].want) == 0,
		       "case %zu (stem=%d) \"%s\":\n  got  \"%s\"\n  want \"%s\" %s", i, cases[i].stem,
		       cases[i].in, got, cases[i].want, c.why);
	}
	printf("# table: %zu cases, %d with stemming\n", sizeof cases / sizeof cases[0], nstem);
	free(c.v);
	an_free(a[0]);
	an_free(a[1]);
}

/* ---- equivalences ----------------------------------------------------- */

/* Same terms, kinds and positions (offsets differ, of course). */
static int same_terms(an_analyzer *a, const char *x, const char *y, char *gx, char *gy, size_t cap)
{
	struct coll cx = {0}, cy = {0};
	analyze(a, x, strlen(x), &cx, NULL, NULL);
	analyze(a, y, strlen(y), &cy, NULL, NULL);
	render(&cx, gx, cap);
	render(&cy, gy, cap);
	int ok = !cx.bad && !cy.bad && cx.n > 0 && strcmp(gx, gy) == 0;
	free(cx.v);
	free(cy.v);
	return ok;
}

static void test_equivalences(void)
{
	static const char *const pairs[][2] = {
		{"TNF-α", "TNF-alpha"},
		{"TNF-α", "TNF–ALPHA"},
		{"TNFα", "TNFalpha"},
		{"β-catenin", "beta-catenin"},
		{"β-catenin", "&beta;-catenin"},
		{"Β-CATENIN", "beta-catenin"},
		{"IL-1β", "IL-1beta"},
		{"IFN-γ", "IFN-gamma"},
		{"κ light chain", "kappa light chain"},
		{"δ", "delta"},
		{"µg", "μg"},
		{"µg", "mug"},
		{"Ewing's sarcoma", "Ewing sarcoma"},
		{"Ewing’s sarcoma", "Ewing sarcoma"},
		{"EWING'S SARCOMA", "ewing sarcoma"},
		{"patients' survival", "patients survival"},
		{"patients’ survival", "patients survival"},
		{"Sjögren", "Sjogren"},
		{"Sjögren's syndrome", "Sjogren syndrome"},
		{"Sjo\xcc\x88gren", "Sjögren"}, /* combining diaeresis */
		{"Ménétrier", "Menetrier"},
		{"MÉNÉTRIER", "menetrier"},
		{"Straße", "strasse"},
		{"ærosol", "aerosol"},
		{"Ørsted", "Orsted"},
		{"Łukasz", "Lukasz"},
		{"ﬁbrosarcoma", "fibrosarcoma"},
		{"ﬂow", "flow"},
		{"“high-grade”", "\"high-grade\""},
		{"‘low-grade’", "'low-grade'"},
		{"EWS–FLI1", "EWS-FLI1"},
		{"EWS—FLI1", "EWS-FLI1"},
		{"EWS‐FLI1", "EWS-FLI1"},
		{"EWS−FLI1", "EWS-FLI1"},
		{"EWS::FLI1", "EWS-FLI1"},
		{"EWS/FLI1", "EWS-FLI1"},
		{"soft\xc2\xa0tissue", "soft tissue"},
		{"soft\xe2\x80\x89tissue", "soft tissue"},
		{"sar\xc2\xad" "coma", "sarcoma"},
		{"1,000 patients", "1000 patients"},
		{"45% of patients", "45 of patients"},
		{"mg/m²", "mg/m<sup>2</sup>"},
		{"ＣＤ１１７", "CD117"},
		{"Québec", "Quebec"},
		{"H&amp;E", "H&E"},
		{"&eacute;tude", "etude"},
	};
	an_analyzer *a = new_analyzer(1, NULL);
	char gx[1024], gy[1024];
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
		CHECKF(same_terms(a, pairs[i][0], pairs[i][1], gx, gy, sizeof gx),
		       "\"%s\" -> \"%s\" but \"%s\" -> \"%s\"", pairs[i][0], gx, pairs[i][1], gy);
	an_free(a);
}

/* ---- stopwords, positions, limits ------------------------------------- */

static void test_stopwords(void)
{
	struct coll c = {0};
	char got[512];
	size_t nstop = 99, nw = 0;
	uint32_t pos = 0;
	const char *d = an_default_stopwords();
	for (size_t i = 0; d[i]; i++)
		nw += d[i] != ' ' && (i == 0 || d[i - 1] == ' ');
	CHECKF(nw >= 30 && nw <= 40, "default list has %zu words", nw);
	CHECK(strstr(d, " not ") == NULL && strstr(d, " no ") == NULL);

	an_analyzer *a = new_analyzer(1, NULL);
	/* stopwords consume positions and are counted */
	analyze(a, "the tumor of the thigh", 22, &c, &pos, &nstop);
	render(&c, got, sizeof got);
	CHECKF(strcmp(got, "tumor@1 thigh@4") == 0, "got \"%s\"", got);
	CHECKF(nstop == 3 && pos == 5, "nstop %zu pos %u", nstop, (unsigned)pos);
	/* a stopword part of a compound counts; a joined form never does */
	pos = 0;
	analyze(a, "and/or a-t", 10, &c, &pos, &nstop);
	render(&c, got, sizeof got);
	CHECKF(strcmp(got, "andor=0 or~1 t~3") == 0, "got \"%s\"", got);
	CHECKF(nstop == 2 && pos == 4, "nstop %zu pos %u", nstop, (unsigned)pos);
	/* nstop may be NULL */
	CHECK(analyze(a, "the", 3, &c, NULL, NULL) == 0 && c.n == 0);
	/* AN_KEEP_STOPWORDS (author names): the same terms and positions,
	 * stopwords included, none counted */
	pos = 0;
	nstop = 99;
	analyze_flags(a, "An Ning; To Kenneth A and/or a-t", 32, AN_KEEP_STOPWORDS, &c, &pos, &nstop);
	render(&c, got, sizeof got);
	CHECKF(strcmp(got, "an@0 ning@1 to@2 kenneth@3 a@4 and~5 andor=5 or~6 a~7 at=7 t~8") == 0,
	       "got \"%s\"", got);
	CHECKF(nstop == 0 && pos == 9, "nstop %zu pos %u", nstop, (unsigned)pos);
	/* ... and an_run after it drops them again */
	analyze(a, "An Ning", 7, &c, NULL, &nstop);
	render(&c, got, sizeof got);
	CHECKF(strcmp(got, "ning@1") == 0 && nstop == 1, "got \"%s\"", got);
	/* AN_NAMES: nor stemmed (Browning is not Brown), and an_run after it
	 * stems again (the stem memo holds no unstemmed word) */
	analyze_flags(a, "Browning Manning A", 18, AN_NAMES, &c, NULL, &nstop);
	render(&c, got, sizeof got);
	CHECKF(strcmp(got, "browning@0 manning@1 a@2") == 0, "got \"%s\"", got);
	analyze(a, "Browning Manning", 16, &c, NULL, &nstop);
	render(&c, got, sizeof got);
	CHECKF(strcmp(got, "brown@0 man@1") == 0, "got \"%s\"", got);
	an_free(a);

	/* a custom list, folded like text; the default words are then kept */
	a = new_analyzer(1, " Sarcoma\tÜBER\n tumours ");
	pos = 0;
	analyze(a, "the sarcoma über TUMOURS tumour uber", 38, &c, &pos, &nstop);
	render(&c, got, sizeof got);
	CHECKF(strcmp(got, "the@0 tumour@4") == 0, "got \"%s\"", got);
	CHECKF(nstop == 4 && pos == 6, "nstop %zu pos %u", nstop, (unsigned)pos);
	an_free(a);

	/* entries that grow when folded (α is 2 bytes, alpha 5) */
	a = new_analyzer(0, "α ΰ &beta;");
	analyze(a, "alpha upsilon beta gamma", 24, &c, NULL, &nstop);
	render(&c, got, sizeof got);
	CHECKF(strcmp(got, "gamma@3") == 0 && nstop == 3, "got \"%s\"", got);
	an_free(a);

	/* an empty list stops nothing */
	a = new_analyzer(0, "");
	analyze(a, "the and of a", 12, &c, NULL, &nstop);
	render(&c, got, sizeof got);
	CHECKF(strcmp(got, "the@0 and@1 of@2 a@3") == 0 && nstop == 0, "got \"%s\"", got);
	an_free(a);

	/* NULL settings: stemming on, default stopwords */
	struct err e;
	err_clear(&e);
	a = an_new(NULL, &e);
	CHECK(a != NULL);
	if (a) {
		analyze(a, "the sarcomas", 12, &c, NULL, NULL);
		render(&c, got, sizeof got);
		CHECKF(strcmp(got, "sarcoma@1") == 0, "got \"%s\"", got);
		an_free(a);
	}
	free(c.v);
}

static void test_positions_and_offsets(void)
{
	an_analyzer *a = new_analyzer(1, NULL);
	struct coll c = {0};
	char got[512];
	uint32_t pos = 100;
	size_t nstop;
	const char *t = "(EWS-FLI1) in Ewing's sarcoma of.";
	analyze(a, t, strlen(t), &c, &pos, &nstop);
	render(&c, got, sizeof got);
	CHECKF(strcmp(got, "ews~100 ewsfli1=100 fli1~101 ewing@103 sarcoma@104") == 0, "got \"%s\"", got);
	CHECKF(pos == 106 && nstop == 2, "pos %u nstop %zu", (unsigned)pos, nstop);
	if (c.n == 5) {
		CHECK(c.v[0].start == 1 && c.v[0].end == 4);  /* EWS */
		CHECK(c.v[1].start == 1 && c.v[1].end == 9);  /* EWS-FLI1 */
		CHECK(c.v[2].start == 5 && c.v[2].end == 9);  /* FLI1 */
		CHECK(c.v[3].start == 14 && c.v[3].end == 19); /* Ewing, not Ewing's */
		CHECK(c.v[4].start == 22 && c.v[4].end == 29);
	}
	/* the source span of a folded character is all of its bytes */
	t = "β-catenin &beta;";
	analyze(a, t, strlen(t), &c, NULL, NULL);
	CHECK(c.n == 4 && c.v[0].start == 0 && c.v[0].end == 2 && c.v[3].start == 11 &&
	      c.v[3].end == 17);
	/* a run continues positions across calls */
	pos = 0;
	analyze(a, "sarcoma", 7, &c, &pos, NULL);
	analyze(a, "tumor", 5, &c, &pos, NULL);
	CHECK(c.n == 1 && c.v[0].pos == 1 && pos == 2);
	/* empty input */
	pos = 7;
	CHECK(analyze(a, "", 0, &c, &pos, &nstop) == 0 && c.n == 0 && pos == 7 && nstop == 0);
	CHECK(analyze(a, " \t\n", 3, &c, &pos, NULL) == 0 && c.n == 0 && pos == 7);
	free(c.v);
	an_free(a);
}

static void test_limits(void)
{
	an_analyzer *a = new_analyzer(0, NULL);
	struct coll c = {0};
	char in[1024], got[2048];
	uint32_t pos;

	/* exactly AN_MAX_TERM_BYTES is emitted, one more is not (but counts) */
	memset(in, 'x', AN_MAX_TERM_BYTES);
	memcpy(in + AN_MAX_TERM_BYTES, " y", 3);
	pos = 0;
	analyze(a, in, strlen(in), &c, &pos, NULL);
	CHECK(c.n == 2 && c.v[0].len == AN_MAX_TERM_BYTES && c.v[1].pos == 1 && pos == 2);
	memset(in, 'x', AN_MAX_TERM_BYTES + 1);
	memcpy(in + AN_MAX_TERM_BYTES + 1, " y", 3);
	pos = 0;
	analyze(a, in, strlen(in), &c, &pos, NULL);
	render(&c, got, sizeof got);
	CHECKF(strcmp(got, "y@1") == 0 && pos == 2, "got \"%s\"", got);
	/* the limit applies to folded bytes: 13 alphas are 65 bytes */
	strcpy(in, "ααααααααααααα");
	analyze(a, in, strlen(in), &c, NULL, NULL);
	CHECK(c.n == 0);
	/* a joined form of 64 bytes is emitted, of 65 not; parts regardless */
	memset(in, 'a', 32);
	in[32] = '-';
	memset(in + 33, 'b', 32);
	in[65] = '\0';
	analyze(a, in, strlen(in), &c, NULL, NULL);
	CHECK(c.n == 3 && c.v[1].kind == AN_JOINED && c.v[1].len == 64);
	memset(in + 33, 'b', 33);
	in[66] = '\0';
	pos = 0;
	analyze(a, in, strlen(in), &c, &pos, NULL);
	CHECK(c.n == 2 && c.v[0].kind == AN_PART && c.v[1].kind == AN_PART && c.v[1].pos == 1 &&
	      pos == 2);
	/* many parts: no joined form, every part at its own position */
	size_t len = 0;
	for (int k = 0; k < 100; k++)
		len += (size_t)snprintf(in + len, sizeof in - len, "%sp%d", k ? "-" : "", k);
	pos = 0;
	analyze(a, in, len, &c, &pos, NULL);
	int ok = c.n == 100 && pos == 100;
	for (size_t k = 0; ok && k < c.n; k++)
		ok = c.v[k].kind == AN_PART && c.v[k].pos == k;
	CHECKF(ok, "%zu terms, pos %u", c.n, (unsigned)pos);
	/* a long part among short ones: the long one is skipped */
	len = (size_t)snprintf(in, sizeof in, "ews-");
	memset(in + len, 'z', 80);
	len += 80;
	len += (size_t)snprintf(in + len, sizeof in - len, "-fli1");
	pos = 0;
	analyze(a, in, len, &c, &pos, NULL);
	render(&c, got, sizeof got);
	CHECKF(strcmp(got, "ews~0 fli1~2") == 0 && pos == 3, "got \"%s\"", got);
	free(c.v);
	an_free(a);
}

static void test_emit_stops(void)
{
	an_analyzer *a = new_analyzer(1, NULL);
	struct coll c = {0};
	uint32_t pos = 0;
	c.stop_after = 2;
	int rc = analyze(a, "one two three four", 18, &c, &pos, NULL);
	CHECKF(rc == 7 && c.n == 2, "rc %d n %zu", rc, c.n);
	c.stop_after = 2; /* inside a compound */
	rc = analyze(a, "EWS-FLI1-ERG x", 14, &c, &pos, NULL);
	CHECKF(rc == 7 && c.n == 2, "rc %d n %zu", rc, c.n);
	free(c.v);
	an_free(a);
}

static void test_prefix(void)
{
	static const struct {
		const char *in, *want;
	} t[] = {
		{"sarcom", "sarcom"},
		{"Sarcomas", "sarcomas"}, /* never stemmed */
		{"Sjögr", "sjogr"},
		{"MÉNÉ", "mene"},
		{"TNF-α", "tnfalpha"},
		{"β-cat", "betacat"},
		{"EWS-FL", "ewsfl"},
		{"t(11;22", "t1122"},
		{"Ewing's", "ewing"},
		{"2.5-f", "2.5f"},
		{"1,000", "1000"},
		{"the", "the"}, /* no stopwords in prefixes */
		{"ﬁbro", "fibro"},
		{"(CD11", "cd11"},
		{"москв", "москв"},
		{"", ""},
		{"--", ""},
		{"\xff\xfe", ""},
	};
	an_analyzer *a = new_analyzer(1, NULL);
	char out[AN_MAX_TERM_BYTES + 1];
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		memset(out, '#', sizeof out);
		size_t k = an_fold_prefix(a, t[i].in, strlen(t[i].in), out, sizeof out);
		CHECKF(k == strlen(t[i].want) && strcmp(out, t[i].want) == 0, "\"%s\" -> %zu \"%s\"",
		       t[i].in, k, out);
	}
	/* too small an output buffer: 0, never a truncated prefix */
	CHECK(an_fold_prefix(a, "sarcoma", 7, out, 7) == 0 && out[0] == '\0');
	CHECK(an_fold_prefix(a, "sarcoma", 7, out, 8) == 7);
	CHECK(an_fold_prefix(a, "sarcoma", 7, out, 0) == 0);
	CHECK(an_fold_prefix(a, "αβ", 4, out, 9) == 0 && an_fold_prefix(a, "αβ", 4, out, 10) == 9);
	an_free(a);
}

/* ---- malformed input -------------------------------------------------- */

static void test_malformed(void)
{
	static const struct {
		const char *in;
		size_t n;
		const char *want;
	} t[] = {
		{"x\xffy", 3, "x@0 y@1"},
		{"x\xfe\xffy", 4, "x@0 y@1"},
		{"x\xc0\xafy", 4, "x@0 y@1"},          /* overlong '/' */
		{"x\xe0\x80\xafy", 5, "x@0 y@1"},      /* overlong, 3 bytes */
		{"x\xf0\x80\x80\xafy", 6, "x@0 y@1"},  /* overlong, 4 bytes */
		{"x\xed\xa0\x80y", 5, "x@0 y@1"},      /* surrogate D800 */
		{"x\xed\xbf\xbfy", 5, "x@0 y@1"},      /* surrogate DFFF */
		{"x\xf4\x90\x80\x80y", 6, "x@0 y@1"},  /* above U+10FFFF */
		{"x\xf5\x80\x80\x80y", 6, "x@0 y@1"},
		{"x\x80y", 3, "x@0 y@1"},              /* stray continuation */
		{"x\xc3", 2, "x@0"},                   /* truncated at the end */
		{"x\xe2\x80", 3, "x@0"},
		{"x\xf0\x9f\x98", 4, "x@0"},
		{"x\xc3 y", 4, "x@0 y@1"},             /* truncated before a space */
		{"x\xe2\x80y", 4, "x@0 y@1"},
		{"x\xc3\xa9\xc3", 5, "xe@0"},          /* good é, then truncated */
		{"ab\0cd", 5, "ab@0 cd@1"},            /* NUL is a separator */
		{"\0\0\0", 3, ""},
		{"x\xef\xbf\xbdy", 5, "x@0 y@1"},      /* U+FFFD itself */
		{"x\xef\xbf\xbey", 5, "x@0 y@1"},      /* noncharacter U+FFFE */
		{"x\xf3\xb0\x80\x80y", 6, "x@0 y@1"},  /* private use plane */
		{"x\xf0\x9f\x98\x80y", 6, "x@0 y@1"},  /* emoji */
		{"&#xD800;x", 9, "x@0"},               /* entity for a surrogate */
		{"&#99999999;x", 12, "x@0"},
		{"&#x110000;x", 11, "x@0"},
		{"&#;x", 4, "x@0"},
		{"&", 1, ""},
		{"&#", 2, ""},
		{"&#12", 4, "12@0"},
		{"<", 1, ""},
		{"</", 2, ""},
		{"<sup", 4, "sup@0"},
	};
	an_analyzer *a = new_analyzer(1, NULL);
	struct coll c = {0};
	char got[512];
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		int rc = analyze(a, t[i].in, t[i].n, &c, NULL, NULL);
		render(&c, got, sizeof got);
		CHECKF(rc == 0 && !c.bad && strcmp(got, t[i].want) == 0, "malformed %zu: got \"%s\" want \"%s\" %s",
		       i, got, t[i].want, c.why);
	}
	free(c.v);
	an_free(a);
}

static void test_huge_tokens(void)
{
	/* Each pattern repeated past 1 MB with no space: linear time, bounded
	 * memory, and only well-formed terms.  Terms are counted, not kept. */
	static const char *const pat[] = {
		"a", "ab-", "é", "α", "1,000", "2.5", "x's", "&beta;", "<i>", "’", "-",
		"\xff", "\xc3", "a\xcc\x81", "EWS-FLI1/", "t(11;22)", "²", "ﬁ",
	};
	const size_t target = (1u << 20) + 17;
	char *buf = malloc(target + 16);
	an_analyzer *a[2] = {new_analyzer(0, NULL), new_analyzer(1, NULL)};
	struct coll c = {0};
	if (!buf) {
		printf("not ok out of memory\n");
		exit(1);
	}
	for (size_t p = 0; p < sizeof pat / sizeof pat[0]; p++) {
		size_t k = strlen(pat[p]), n = 0;
		while (n + k <= target) {
			memcpy(buf + n, pat[p], k);
			n += k;
		}
		uint32_t pos = 0;
		clock_t t0 = clock();
		c.n = 0;
		c.keep = 0;
		c.n_input = n;
		c.pos0 = c.last_pos = 0;
		c.bad = 0;
		int rc = an_run(a[p & 1], buf, n, &pos, NULL, collect, &c);
		double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
		/* at most one position per two input bytes plus joined forms */
		CHECKF(rc == 0 && !c.bad && c.n <= n && pos <= n, "pattern \"%s\" x %zu: rc %d, %zu terms, %s",
		       pat[p], n / k, rc, c.n, c.why);
		/* generous even under sanitizers: quadratic work would take hours */
		CHECKF(secs < 20, "pattern \"%s\": %.1f s", pat[p], secs);
	}
	free(buf);
	an_free(a[0]);
	an_free(a[1]);
}

/* ---- property test ---------------------------------------------------- */

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static const char *const vocab[] = {
	"sarcoma", "sarcomas", "Ewing", "Ewing's", "Ewing’s", "patients'", "EWS-FLI1",
	"EWSR1::FLI1", "SS18-SSX1", "PAX3–FOXO1", "c-KIT", "CD117", "IL-6", "Ki-67", "p53",
	"5-FU", "t(11;22)(q24;q12)", "1p/19q", "PD-L1", "TNF-α", "TNF-alpha", "TNFα", "β-catenin",
	"IFN-γ", "µg/kg", "μM", "Sjögren", "Ménétrier", "Straße", "Ørsted", "Łódź", "ﬁbroma",
	"“quoted”", "‘single’", "well-differentiated", "0.05", "2.5-fold", "1,000", "12,345",
	"45%", "10-20", "10–20", "75", "mg/m2", "mg/m²", "p<0.05", "(n=45)", "[95%", "CI,",
	"1.2–3.4]", "HR=0.62;", "the", "of", "and", "a", "in", "with", "trabectedin",
	"imatinib", "doxorubicin", "eribulin", "liposarcoma", "leiomyosarcomas",
	"rhabdomyosarcoma", "GISTs", "and/or", "sarcoma(s)", "O'Brien", "3'UTR", "e.g.",
	"U.S.", "&beta;", "&amp;", "&lt;", "&#946;", "m<sup>2</sup>", "<i>EWS</i>", "Ca²⁺",
	"H₂O₂", "ＣＤ９９", "Москва", "中文", "sar\302\255coma", "soft\xc2\xa0tissue",
	"x\xffy", "\xc3", "\xed\xa0\x80", "\xe2\x80", "NKX2.2", "v2.5.1", "chr22:29,683,123",
	"Ⅳ", "①", "a's", "s's", "'s", "’", "--", "...", "", "10⁻³", "non‑small", "α", "Ω",
	"1,000,000", "1,0000", "2,3-dimethyl", "x.5", "5.x", "....5", "it's", "&eacute;",
	"&unknown;", "<br/>", "<p>", "ae\xcc\x81", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
};
static const char *const prefixes[] = {"(", "[", "“", "‘", "\"", "'", "-", "<i>", "&lt;"};
static const char *const suffixes[] = {",", ".", ";", ":", ")", "]", "”", "’", "'s", "’s",
				       "%", "'", "+", "<sup>1</sup>", "¹", "&gt;"};
static const char *const glue[] = {"-", "/", "", "–", "::", ".", "'", "(", ")(", ","};
static const char *const spaces[] = {" ", " ", " ", "  ", "\n", "\t", " \xc2\xa0 ", "\r\n"};

#define PICK(arr, s) arr[rnd(s) % (sizeof arr / sizeof arr[0])]

static size_t append(char *buf, size_t len, size_t cap, const char *w)
{
	size_t k = strlen(w);
	if (len + k < cap) {
		memcpy(buf + len, w, k);
		len += k;
	}
	return len;
}

static size_t gen_doc(uint64_t *s, char *buf, size_t cap)
{
	size_t len = 0, nw = 1 + rnd(s) % 40;
	for (size_t w = 0; w < nw; w++) {
		if (w)
			len = append(buf, len, cap, PICK(spaces, s));
		if (rnd(s) % 7 == 0)
			len = append(buf, len, cap, PICK(prefixes, s));
		len = append(buf, len, cap, PICK(vocab, s));
		while (rnd(s) % 6 == 0) {
			len = append(buf, len, cap, PICK(glue, s));
			len = append(buf, len, cap, PICK(vocab, s));
		}
		if (rnd(s) % 5 == 0)
			len = append(buf, len, cap, PICK(suffixes, s));
	}
	buf[len] = '\0';
	return len;
}

static int has_text(const struct coll *c, const char *text, size_t len)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].len == len && memcmp(c->v[i].text, text, len) == 0)
			return 1;
	return 0;
}

static void test_property(uint64_t seed)
{
	an_analyzer *a[2] = {new_analyzer(0, NULL), new_analyzer(1, NULL)};
	struct coll doc = {0}, one = {0};
	char buf[8192];
	uint64_t s = seed ? seed : 1;
	int ndocs = 400, failed_docs = 0;
	printf("# property seed %llu (rerun: test_analyze %llu)\n", (unsigned long long)seed,
	       (unsigned long long)seed);
	for (int d = 0; d < ndocs; d++) {
		an_analyzer *an = a[d & 1];
		size_t n = gen_doc(&s, buf, sizeof buf);
		char why[512] = "";
		analyze(an, buf, n, &doc, NULL, NULL);
		if (doc.bad)
			snprintf(why, sizeof why, "document: %s", doc.why);
		/* 1. every whitespace-separated word alone: a subset of the doc */
		for (size_t i = 0; i < n && !why[0];) {
			while (i < n && strchr(" \t\n\r\f\v", buf[i]) && buf[i])
				i++;
			size_t j = i;
			while (j < n && !(strchr(" \t\n\r\f\v", buf[j]) && buf[j]))
				j++;
			if (j > i) {
				analyze(an, buf + i, j - i, &one, NULL, NULL);
				for (size_t k = 0; k < one.n && !why[0]; k++)
					if (!has_text(&doc, one.v[k].text, one.v[k].len))
						snprintf(why, sizeof why, "word \"%.*s\" gives \"%s\", absent from the document",
							 (int)(j - i), buf + i, one.v[k].text);
			}
			i = j;
		}
		/* 2. every term's span, analyzed alone, gives that term */
		for (size_t k = 0; k < doc.n && !why[0]; k++) {
			struct term t = doc.v[k];
			int found = 0;
			analyze(an, buf + t.start, t.end - t.start, &one, NULL, NULL);
			for (size_t m = 0; m < one.n && !found; m++)
				found = strcmp(one.v[m].text, t.text) == 0 &&
					(t.kind == AN_JOINED) == (one.v[m].kind == AN_JOINED) &&
					(t.kind == AN_JOINED || one.n == 1);
			if (!found)
				snprintf(why, sizeof why, "term \"%s\" (kind %d) at [%u,%u) \"%.*s\" does not analyze back",
					 t.text, (int)t.kind, (unsigned)t.start, (unsigned)t.end,
					 (int)(t.end - t.start), buf + t.start);
		}
		if (why[0])
			failed_docs++;
		CHECKF(!why[0], "seed %llu doc %d (stem=%d): %s\n  doc: \"%s\"", (unsigned long long)seed,
		       d, d & 1, why, buf);
	}
	printf("# property: %d documents, %d failed\n", ndocs, failed_docs);
	free(doc.v);
	free(one.v);
	an_free(a[0]);
	an_free(a[1]);
}

int main(int argc, char **argv)
{
	uint64_t seed = 20240611;
	if (argc > 1)
		seed = strtoull(argv[1], NULL, 10);
	test_table();
	test_equivalences();
	test_stopwords();
	test_positions_and_offsets();
	test_limits();
	test_emit_stops();
	test_prefix();
	test_malformed();
	test_huge_tokens();
	test_property(seed);
	return check_done("analyze");
}
