/*
 * analyze.c - the text analyzer shared by the indexer and the query engine
 * (see analyze.h; every rule, with examples, is in docs/ANALYSIS.md).
 *
 * One pass over the bytes, no allocation per token:
 *
 *   bytes --decode/fold--> units --compound builder--> terms --stop/stem--> emit
 *
 * A unit is one source character (or an HTML entity, or an inline tag) after
 * folding: a word piece to append (ASCII letters and digits lower-cased,
 * a replacement string from the an_fold.c table, or the character's own
 * UTF-8 bytes), a connector (- / . ( ) [ ] ; : _ ' and <i>-style tags), a
 * separator, or nothing at all (zero-width characters).
 *
 * The compound builder groups word pieces into parts and parts into a
 * compound when only connectors stand between them.  While the joined form
 * still fits in AN_MAX_TERM_BYTES the parts are buffered (their texts lie
 * back to back in a->buf, which is then the joined form); once it cannot,
 * the joined form is dead, buffered parts are emitted and later parts are
 * emitted as they end.  That keeps memory bounded (a->buf never holds more
 * than one term and a replacement) and time linear even on a megabyte
 * without a space.  ASCII letters and digits, by far the commonest bytes,
 * are copied a run at a time through a 128-entry class table.
 */
#include "analyze.h"

#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

#include "an_fold.h"
#include "fmt.h"

#define MAXT AN_MAX_TERM_BYTES
/* a->buf holds a term plus the largest single append: a fold replacement
 * (pool lengths are < 16) or one UTF-8 character. */
#define BUF_CAP (MAXT + 16)
/* Buffered parts are at least one byte each and fit in MAXT bytes. */
#define MAX_PARTS (MAXT + 1)
#define NO_FIRST ((size_t)-1)

/* Per-analyzer memo of stems: Zipf's law makes most words repeats, and the
 * Snowball stemmer costs several times more than the rest of the pipeline.
 * Two-way set-associative, least recently used way replaced, a set per
 * 64-byte cache line; only short words are cached.  On the synthetic
 * benchmark (60,000 distinct words stemmed) the direct-mapped table of
 * 65536 48-byte slots this replaces missed 11% of lookups, conflicts for
 * the most part; these 4 MB miss 3.3%.  A larger table is no slower per
 * lookup because put() prefetches the set. */
#define STEM_SETS 65536
/* Shorter words are not stemmed: three-letter tokens in this literature
 * are nearly all acronyms, and Porter's plural rule would merge EWS with
 * EW, CDS with CD, MDS with MD. */
#define STEM_MIN 4
#define STEM_WORD_MAX 24
/* A slot keeps a stem as the word's first keep bytes and a tail of at
 * most STEM_TAIL bytes ("studies" -> "studi": keep 5; "dying" -> "die":
 * keep 1, tail "ie"), which lets it take half a cache line; a word whose
 * stem needs a longer tail is stemmed anew each time. */
#define STEM_TAIL 5

struct stem_slot {
	uint8_t in_len;  /* 0: empty */
	uint8_t keep, tail_len;
	unsigned char tail[STEM_TAIL];
	unsigned char in[STEM_WORD_MAX];
};
struct stem_set {
	struct stem_slot way[2]; /* way[0] the more recently used */
};
_Static_assert(sizeof(struct stem_set) == 64, "a stem set is one cache line");

struct an_analyzer {
	struct sb_stemmer *stemmer; /* NULL: stemming off */
	struct stem_set *stem_cache; /* 64-byte aligned, in stem_mem */
	void *stem_mem;
	unsigned char stem_out[STEM_WORD_MAX + STEM_TAIL]; /* a stem read from the memo */

	/* Stopwords: open addressing over term_hash(); stop_len_mask has bit
	 * L set when some stopword is L bytes long, a cheap first filter. */
	char *stop_text;        /* folded stopwords, back to back */
	uint32_t *stop_slot;    /* 0 = empty, else 1 + index into stop_off/len */
	uint32_t *stop_off;
	uint8_t *stop_len;
	uint32_t stop_mask;     /* slots - 1 */
	uint64_t stop_len_mask;

	unsigned char buf[BUF_CAP]; /* joined form / current part */
	/* The first part's final text, so that a joined form equal to it
	 * ("sarcoma(s)") is not emitted twice; first_len NO_FIRST: none. */
	unsigned char first[MAXT];
	size_t first_len;
};

/* ---- ASCII classes ---------------------------------------------------- */

enum {
	K_SEP = 0,  /* ends a token */
	K_LOW = 1,  /* a-z */
	K_UP = 2,   /* A-Z */
	K_DIG = 3,  /* 0-9 */
	K_CONN = 4, /* joins parts of a compound: - / . ( ) [ ] ; : _ */
	K_APOS = 5, /* ' and `: a connector, or a possessive 's */
	K_COMMA = 6,/* a separator, or a thousands separator in 1,000 */
	K_AMP = 7,  /* may start an HTML entity */
	K_LT = 8,   /* may start an inline tag */
};

#define S K_SEP
#define L K_LOW
#define U K_UP
#define D K_DIG
#define C K_CONN
static const unsigned char ascii_class[128] = {
	S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, /* controls */
	S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
	/* sp !  "  #  $  %  &      '       (  )  *  +  ,        -  .  / */
	S, S, S, S, S, S, K_AMP, K_APOS, C, C, S, S, K_COMMA, C, C, C,
	/* 0-9                          :  ;  <     =  >  ? */
	D, D, D, D, D, D, D, D, D, D, C, C, K_LT, S, S, S,
	/* @ A-O */
	S, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
	/* P-Z                          [  \  ]  ^  _ */
	U, U, U, U, U, U, U, U, U, U, U, C, S, C, S, C,
	/* `       a-o */
	K_APOS, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
	/* p-z                          {  |  }  ~  DEL */
	L, L, L, L, L, L, L, L, L, L, L, S, S, S, S, S,
};
#undef S
#undef L
#undef U
#undef D
#undef C

static inline int is_alnum_class(unsigned k)
{
	return k - K_LOW < 3u;
}

/* For scan()'s run of ASCII letters and digits: one load and test per
 * byte tells whether the run goes on and what it holds; any other byte,
 * non-ASCII included, is 0 and ends the run. */
enum { A_LETTER = 1, A_DIGIT = 2 };
#define LT A_LETTER
#define DG A_DIGIT
static const unsigned char alnum_bits[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	DG, DG, DG, DG, DG, DG, DG, DG, DG, DG, 0, 0, 0, 0, 0, 0,
	0, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT,
	LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, 0, 0, 0, 0, 0,
	0, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT,
	LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, LT, 0, 0, 0, 0, 0,
	/* 0x80-0xFF: 0 */
};
#undef LT
#undef DG

static inline int is_digit(unsigned char b)
{
	return (unsigned)b - '0' < 10u;
}

/* ---- UTF-8 ------------------------------------------------------------ */

/* Decodes the character at s[i] (i < n).  Returns its length, or 0 if the
 * bytes there are not well-formed UTF-8 (overlong forms, surrogates, code
 * points above U+10FFFF, truncated sequences, stray continuation bytes).
 * Only continuation bytes are ever consumed after the lead, so an invalid
 * sequence never swallows the ASCII byte that follows it. */
static inline size_t utf8_decode(const unsigned char *s, size_t n, size_t i, uint32_t *cp)
{
	unsigned b0 = s[i], b1, b2, b3;
	size_t left = n - i;
	if (b0 < 0xC2)
		return 0; /* continuation byte, or overlong lead C0/C1 */
	if (b0 < 0xE0) {
		if (left < 2 || (s[i + 1] & 0xC0) != 0x80)
			return 0;
		*cp = (b0 & 0x1Fu) << 6 | (s[i + 1] & 0x3Fu);
		return 2;
	}
	if (b0 < 0xF0) {
		if (left < 3)
			return 0;
		b1 = s[i + 1];
		b2 = s[i + 2];
		if ((b1 & 0xC0) != 0x80 || (b2 & 0xC0) != 0x80)
			return 0;
		if ((b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 >= 0xA0))
			return 0; /* overlong, or a UTF-16 surrogate */
		*cp = (b0 & 0x0Fu) << 12 | (b1 & 0x3Fu) << 6 | (b2 & 0x3Fu);
		return 3;
	}
	if (b0 < 0xF5) {
		if (left < 4)
			return 0;
		b1 = s[i + 1];
		b2 = s[i + 2];
		b3 = s[i + 3];
		if ((b1 & 0xC0) != 0x80 || (b2 & 0xC0) != 0x80 || (b3 & 0xC0) != 0x80)
			return 0;
		if ((b0 == 0xF0 && b1 < 0x90) || (b0 == 0xF4 && b1 >= 0x90))
			return 0; /* overlong, or above U+10FFFF */
		*cp = (b0 & 0x07u) << 18 | (b1 & 0x3Fu) << 12 | (b2 & 0x3Fu) << 6 | (b3 & 0x3Fu);
		return 4;
	}
	return 0;
}

static size_t utf8_encode(uint32_t cp, unsigned char *out)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xC0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xE0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (unsigned char)(0xF0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* ---- HTML leftovers --------------------------------------------------- */

/* PubMed text sometimes arrives with entities escaped twice or with inline
 * markup left in ("mg/m<sup>2</sup>", "&beta;-catenin").  Only short,
 * space-free forms are recognized, so that a word analyzed on its own
 * gives the same terms as inside its document. */

static const char *const greek_names[24] = {
	"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta",
	"iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi",
	"rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
};

static int name_eq(const unsigned char *p, size_t k, const char *name, int fold_first)
{
	size_t i;
	if (strlen(name) != k)
		return 0;
	for (i = 0; i < k; i++) {
		unsigned char c = p[i];
		if (i == 0 && fold_first && c >= 'A' && c <= 'Z')
			c |= 0x20;
		if (c != (unsigned char)name[i])
			return 0;
	}
	return 1;
}

/* The code point of a named entity, or 0 if we do not know it. */
static uint32_t named_entity(const unsigned char *p, size_t k)
{
	static const struct {
		const char *name;
		uint32_t cp;
	} tab[] = {
		{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''},
		{"nbsp", 0xA0}, {"shy", 0xAD}, {"ndash", 0x2013}, {"mdash", 0x2014},
		{"minus", 0x2212}, {"hyphen", 0x2010}, {"dash", 0x2010}, {"lsquo", 0x2018},
		{"rsquo", 0x2019}, {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"prime", 0x2032},
		{"micro", 0xB5}, {"deg", 0xB0}, {"plusmn", 0xB1}, {"times", 0xD7},
		{"middot", 0xB7}, {"hellip", 0x2026}, {"thinsp", 0x2009}, {"ensp", 0x2002},
		{"emsp", 0x2003}, {"zwj", 0x200D}, {"zwnj", 0x200C}, {"sup1", 0xB9},
		{"sup2", 0xB2}, {"sup3", 0xB3}, {"szlig", 0xDF}, {"aelig", 0xE6},
		{"AElig", 0xC6}, {"oelig", 0x153}, {"OElig", 0x152}, {"eth", 0xF0},
		{"ETH", 0xD0}, {"thorn", 0xFE}, {"THORN", 0xDE}, {"oslash", 0xF8},
		{"Oslash", 0xD8}, {"le", 0x2264}, {"ge", 0x2265}, {"frasl", 0x2044},
		{"sigmaf", 0x3C2}, {"copy", 0xA9}, {"reg", 0xAE}, {"trade", 0x2122},
		{"laquo", 0xAB}, {"raquo", 0xBB}, {"bull", 0x2022}, {"rarr", 0x2192},
	};
	/* &eacute; &Ouml; ...: the accent is folded away anyway, so only the
	 * base letter matters. */
	static const char *const accents[] = {
		"acute", "grave", "uml", "circ", "tilde", "ring", "cedil", "caron",
		"macr", "ogon", "breve", "dot",
	};
	size_t i;
	for (i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (name_eq(p, k, tab[i].name, 0))
			return tab[i].cp;
	for (i = 0; i < 24; i++)
		if (name_eq(p, k, greek_names[i], 1))
			return 0x3B1 + (uint32_t)i + (i >= 17); /* U+03C2 is final sigma */
	if (k >= 4 && ((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z'))
		for (i = 0; i < sizeof accents / sizeof accents[0]; i++)
			if (name_eq(p + 1, k - 1, accents[i], 0))
				return (uint32_t)(p[0] | 0x20);
	return 0;
}

/* At s[i] == '&': the length of an entity "&name;", "&#123;" or "&#x7B;"
 * and its code point in *cp (0xFFFD for an unknown name or a bad number,
 * which then acts as a separator), or 0 if this is no entity. */
static size_t parse_entity(const unsigned char *s, size_t n, size_t i, uint32_t *cp)
{
	size_t j = i + 1, k0;
	uint32_t v = 0;
	if (j < n && s[j] == '#') {
		int hex = 0;
		j++;
		if (j < n && (s[j] | 0x20) == 'x') {
			hex = 1;
			j++;
		}
		k0 = j;
		for (; j < n && j - k0 < 8; j++) {
			unsigned c = s[j], d;
			if (is_digit((unsigned char)c))
				d = c - '0';
			else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
				d = (c | 0x20) - 'a' + 10;
			else
				break;
			v = v * (hex ? 16 : 10) + d;
		}
		if (j == k0 || j >= n || s[j] != ';')
			return 0;
		if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
			v = 0xFFFD;
		*cp = v;
		return j + 1 - i;
	}
	k0 = j;
	for (; j < n && j - k0 < 10; j++) {
		unsigned c = s[j];
		if (!(is_digit((unsigned char)c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')))
			break;
	}
	if (j - k0 < 2 || j >= n || s[j] != ';')
		return 0;
	v = named_entity(s + k0, j - k0);
	*cp = v ? v : 0xFFFD;
	return j + 1 - i;
}

/* At s[i] == '<': the length of a simple tag like <sup>, </i>, <br/>,
 * setting *inline_tag for inline formatting, which joins like a hyphen
 * ("m<sup>2</sup>" -> m, 2, m2 as "m-2" would), or 0 if this is no tag
 * we know (then '<' is a separator and "<EWS>" stays a word). */
static size_t parse_tag(const unsigned char *s, size_t n, size_t i, int *inline_tag)
{
	static const char *const inl[] = {"i", "b", "u", "em", "strong", "sup", "sub", "sc",
					  "small", "big", "tt", "span", "mark"};
	static const char *const blk[] = {"br", "p", "div", "hr", "li", "ul", "ol", "td", "tr"};
	unsigned char name[8];
	size_t j = i + 1, k = 0, t;
	if (j < n && s[j] == '/')
		j++;
	for (; j < n && k < sizeof name; j++, k++) {
		unsigned c = s[j] | 0x20;
		if (c < 'a' || c > 'z')
			break;
		name[k] = (unsigned char)c;
	}
	if (k == 0 || k == sizeof name)
		return 0;
	if (j < n && s[j] == '/')
		j++;
	if (j >= n || s[j] != '>')
		return 0;
	for (t = 0; t < sizeof inl / sizeof inl[0]; t++)
		if (name_eq(name, k, inl[t], 0)) {
			*inline_tag = 1;
			return j + 1 - i;
		}
	for (t = 0; t < sizeof blk / sizeof blk[0]; t++)
		if (name_eq(name, k, blk[t], 0)) {
			*inline_tag = 0;
			return j + 1 - i;
		}
	return 0;
}

/* ---- stopwords -------------------------------------------------------- */

/* Deliberately short: function words only.  Kept out on purpose: "no",
 * "not", "nor", "without", "against" (negation decides clinical meaning),
 * "or" (OR = odds ratio), "as" (AS = angiosarcoma), "all" (ALL =
 * acute lymphoblastic leukemia), "can", "may", "between", "after". */
static const char default_stopwords[] =
	"a an and are at be been but by for from had has have in into is it its of on "
	"that the their then there these they this those to was were which with";

const char *an_default_stopwords(void)
{
	return default_stopwords;
}

/* Hash of a term for the stopword set and the stem memo: eight bytes per
 * multiply (a term is hashed once per emission, so byte-at-a-time FNV
 * showed up in profiles).  Not for untrusted keys: the sets it indexes are
 * ours and small. */
static inline uint32_t term_hash(const unsigned char *p, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ n, w;
	while (n >= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
		h ^= h >> 31;
		p += 8;
		n -= 8;
	}
	w = 0;
	memcpy(&w, p, n);
	h = (h ^ w) * 0x94D049BB133111EBull;
	h ^= h >> 29;
	return (uint32_t)h;
}

/* Could p[0..n) be a stopword?  One shift and test saves hashing most
 * words (stopwords are short; most words are not). */
static inline int maybe_stop(const an_analyzer *a, size_t n)
{
	return n < 64 && (a->stop_len_mask >> n & 1);
}

/* Is p[0..n) a stopword?  h is term_hash(p, n). */
static int is_stop(const an_analyzer *a, const unsigned char *p, size_t n, uint32_t h)
{
	if (!maybe_stop(a, n))
		return 0;
	for (h &= a->stop_mask;; h = (h + 1) & a->stop_mask) {
		uint32_t v = a->stop_slot[h];
		if (v == 0)
			return 0;
		v--;
		if (a->stop_len[v] == n && fmt_same(a->stop_text + a->stop_off[v], p, n))
			return 1;
	}
}

static size_t fold_into(an_analyzer *a, const char *text, size_t n, unsigned char *out,
			size_t cap, int *overflow);

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Next entry of a whitespace-separated list at or after *i: its folded
 * form into tmp (MAXT + 1 bytes), its length as the result, 0 at the end.
 * Entries that fold to nothing or to 64 bytes or more are skipped. */
static size_t next_stopword(an_analyzer *a, const char *list, size_t len, size_t *i,
			    unsigned char *tmp)
{
	while (*i < len) {
		size_t j, k;
		int overflow = 0;
		while (*i < len && is_space(list[*i]))
			(*i)++;
		for (j = *i; j < len && !is_space(list[j]); j++)
			;
		if (j == *i)
			break;
		k = fold_into(a, list + *i, j - *i, tmp, MAXT + 1, &overflow);
		*i = j;
		if (k > 0 && !overflow && k < 64)
			return k;
	}
	return 0;
}

/* Builds the stopword set from a whitespace-separated list, each entry
 * folded exactly as the analyzer folds text (so "UBER" with an umlaut in
 * the list stops "uber").  Two passes, because folding may lengthen an
 * entry (a 2-byte alpha becomes "alpha"): the first sizes the arrays, the
 * second fills them. */
static int build_stopwords(an_analyzer *a, const char *list, struct err *e)
{
	size_t len = strlen(list), nwords = 0, nbytes = 0, slots = 64, i = 0, k;
	uint32_t count = 0, used = 0;
	unsigned char tmp[MAXT + 1];
	while ((k = next_stopword(a, list, len, &i, tmp)) != 0) {
		nwords++;
		nbytes += k;
	}
	if (nwords > UINT32_MAX / 4 || nbytes > UINT32_MAX)
		return err_set(e, ERR_LIMIT, "analyzer: stopword list too long");
	while (slots < 2 * nwords)
		slots *= 2;
	a->stop_text = malloc(nbytes + 1);
	a->stop_slot = calloc(slots, sizeof *a->stop_slot);
	a->stop_off = malloc((nwords + 1) * sizeof *a->stop_off);
	a->stop_len = malloc(nwords + 1);
	if (!a->stop_text || !a->stop_slot || !a->stop_off || !a->stop_len)
		return err_set(e, ERR_NOMEM, "analyzer: cannot allocate the stopword set");
	a->stop_mask = (uint32_t)(slots - 1);
	a->stop_len_mask = 0;
	i = 0;
	while ((k = next_stopword(a, list, len, &i, tmp)) != 0) {
		uint32_t h = term_hash(tmp, k);
		if (is_stop(a, tmp, k, h))
			continue; /* listed twice */
		memcpy(a->stop_text + used, tmp, k);
		a->stop_off[count] = used;
		a->stop_len[count] = (uint8_t)k;
		used += (uint32_t)k;
		for (h &= a->stop_mask; a->stop_slot[h]; h = (h + 1) & a->stop_mask)
			;
		a->stop_slot[h] = ++count;
		a->stop_len_mask |= (uint64_t)1 << k;
	}
	return 0;
}

/* ---- the analyzer object ---------------------------------------------- */

an_analyzer *an_new(const struct an_settings *s, struct err *e)
{
	an_analyzer *a = calloc(1, sizeof *a);
	int stem = s ? s->stem : 1;
	const char *stop = s && s->stopwords ? s->stopwords : default_stopwords;
	if (!a) {
		err_set(e, ERR_NOMEM, "analyzer: out of memory");
		return NULL;
	}
	if (stem) {
		if ((a->stemmer = sb_stemmer_new("english", NULL)) == NULL) {
			err_set(e, ERR_NOMEM, "analyzer: cannot create the Snowball english stemmer");
			goto fail;
		}
		/* calloc, not aligned_alloc and memset: its pages stay
		 * untouched until used, which a query process notices */
		size_t bytes = STEM_SETS * sizeof *a->stem_cache + 63;
		if ((a->stem_mem = calloc(1, bytes)) == NULL) {
			err_set(e, ERR_NOMEM, "analyzer: out of memory");
			goto fail;
		}
		a->stem_cache = (struct stem_set *)(((uintptr_t)a->stem_mem + 63) & ~(uintptr_t)63);
	}
	if (build_stopwords(a, stop, e) != 0)
		goto fail;
	return a;
fail:
	an_free(a);
	return NULL;
}

void an_free(an_analyzer *a)
{
	if (!a)
		return;
	sb_stemmer_delete(a->stemmer);
	free(a->stem_mem);
	free(a->stop_text);
	free(a->stop_slot);
	free(a->stop_off);
	free(a->stop_len);
	free(a);
}

/* ---- one run ---------------------------------------------------------- */

struct part {
	uint32_t off, len; /* text in a->buf; len saturates at MAXT + 1 (too long) */
	uint32_t start, end; /* source bytes */
	int alpha;         /* only a-z so far: may be stemmed */
};

/* A term waiting in put()'s queue, with everything put_now() needs. */
struct qterm {
	uint32_t pos, start, end;
	uint32_t hash;        /* term_hash(text, len) */
	uint8_t len;
	uint8_t alpha, kind, save;
	unsigned char text[MAXT];
};

/* Terms queued before their stopword check and stem lookup: a stem cache
 * slot is usually a cache miss (the table is larger than L2 and gets
 * evicted between documents), and queueing lets the miss of one term
 * overlap the work on the terms before it. */
#define QMAX 8

struct run {
	an_analyzer *a;
	const unsigned char *s;
	size_t n;
	an_emit_fn emit;
	void *ctx;
	uint32_t pos;     /* position of the next token */
	size_t nstop;
	int keep_stop;    /* AN_KEEP_STOPWORDS */
	int no_stem;      /* AN_NO_STEM */

	/* collect mode (an_fold_prefix): word pieces go to out, nothing is emitted */
	unsigned char *out;
	size_t out_cap, out_len;
	int out_overflow;

	/* the compound being built */
	int in;           /* a part is open */
	int streaming;    /* joined form too long: parts emitted as they end */
	uint32_t nparts;  /* parts so far, the open one included */
	uint32_t p0;      /* position of the first part */
	size_t total;     /* bytes in a->buf while buffering */
	int jalpha;       /* every completed part is a-z only */
	uint32_t np;      /* completed parts buffered */

	/* the open part */
	struct part cur;
	int conn;         /* a connector followed it */
	int dot;          /* ... and that connector is a lone '.' after a digit */
	int digits_only;  /* only ASCII digits so far */
	int last_digit;   /* its last character is an ASCII digit */
	int thou;         /* it contains thousands commas */
	unsigned group;   /* digits since the last thousands comma */
	int script;       /* it is made of superscripts/subscripts */

	/* terms on their way to put_now(), oldest at qhead (see put()) */
	uint32_t qhead, nq;

	struct part parts[MAX_PARTS]; /* last two: not cleared by an_run */
	struct qterm q[QMAX];
};

/* Words whose Porter2 stem is also the stem of an unrelated common word,
 * given a stem of their own: "Ewing" stems to "ewe", so a search for
 * Ewing sarcoma found papers about sheep; "Letterer" (Letterer-Siwe
 * disease) stems to "letter".  Lucene's KeywordMarkerFilter and Xapian's
 * stopper-free stem exclusions serve the same end.  Sorted by word. */
static const struct {
	const char *word, *stem;
} stem_keep[] = {
	{"ewing", "ewing"},
	{"ewings", "ewing"},
	{"letterer", "letterer"},
};

/* The kept stem of text[0..len) (its length in *n), or NULL. */
static const unsigned char *stem_kept(const unsigned char *text, size_t len, size_t *n)
{
	for (size_t i = 0; i < sizeof stem_keep / sizeof stem_keep[0]; i++)
		if (strlen(stem_keep[i].word) == len && memcmp(stem_keep[i].word, text, len) == 0) {
			*n = strlen(stem_keep[i].stem);
			return (const unsigned char *)stem_keep[i].stem;
		}
	return NULL;
}

/* Applies stopwords and stemming to a term and emits it.  For AN_JOINED,
 * a stopword is dropped silently and a term equal to the first part's
 * (at the same position) is not repeated.  save != 0 copies the final text
 * to a->first for that comparison.  hashed != 0: h is term_hash(text, len).
 * always_inline: put() and put_oldest() each get their own copy; through a
 * call, the 11 arguments cost 5% of analyzing without stemming. */
static inline __attribute__((always_inline)) int
put_now(struct run *r, const unsigned char *text, size_t len, int alpha, enum an_kind kind,
	uint32_t pos, uint32_t start, uint32_t end, int save, uint32_t h, int hashed)
{
	an_analyzer *a = r->a;
	struct an_term t;
	if (save)
		a->first_len = NO_FIRST;
	if (len > MAXT)
		return 0;
	if (!r->keep_stop && maybe_stop(a, len) &&
	    is_stop(a, text, len, hashed ? h : (h = term_hash(text, len), hashed = 1, h))) {
		if (kind != AN_JOINED)
			r->nstop++;
		return 0;
	}
	if (a->stemmer && alpha && len >= STEM_MIN && !r->no_stem) {
		struct stem_set *set = NULL;
		if (len <= STEM_WORD_MAX) {
			if (!hashed)
				h = term_hash(text, len);
			set = &a->stem_cache[(h >> 8) & (STEM_SETS - 1)];
			struct stem_slot *sl = NULL;
			if (set->way[0].in_len == len && fmt_same(set->way[0].in, text, len)) {
				sl = &set->way[0];
			} else if (set->way[1].in_len == len && fmt_same(set->way[1].in, text, len)) {
				struct stem_slot tmp = set->way[0];
				set->way[0] = set->way[1];
				set->way[1] = tmp;
				sl = &set->way[0];
			}
			if (sl) {
				/* fixed-size copies: the bytes past the stem do not matter */
				memcpy(a->stem_out, sl->in, STEM_WORD_MAX);
				memcpy(a->stem_out + sl->keep, sl->tail, STEM_TAIL);
				text = a->stem_out;
				len = (size_t)sl->keep + sl->tail_len;
				goto stemmed;
			}
		}
		size_t sl_len;
		const sb_symbol *st = stem_kept(text, len, &sl_len);
		if (st == NULL) {
			if ((st = sb_stemmer_stem(a->stemmer, text, (int)len)) == NULL)
				return ERR_NOMEM;
			sl_len = (size_t)sb_stemmer_length(a->stemmer);
		}
		size_t keep = 0;
		while (keep < sl_len && keep < len && st[keep] == text[keep])
			keep++;
		if (set && sl_len - keep <= STEM_TAIL) {
			/* the new stem is the most recently used */
			set->way[1] = set->way[0];
			struct stem_slot *sl = &set->way[0];
			sl->in_len = (uint8_t)len;
			memcpy(sl->in, text, len);
			sl->keep = (uint8_t)keep;
			sl->tail_len = (uint8_t)(sl_len - keep);
			memcpy(sl->tail, st + keep, sl_len - keep);
		}
		text = st;
		len = sl_len;
	}
stemmed:
	if (kind == AN_JOINED && a->first_len == len && memcmp(a->first, text, len) == 0)
		return 0; /* "sarcoma(s)": joined "sarcomas" stems to the first part */
	if (save && len <= MAXT) {
		a->first_len = len;
		memcpy(a->first, text, len);
	}
	t.text = (const char *)text;
	t.len = len;
	t.pos = pos;
	t.start = start;
	t.end = end;
	t.kind = kind;
	return r->emit(r->ctx, &t);
}

/* Emits the oldest queued term. */
static int put_oldest(struct run *r)
{
	const struct qterm *q = &r->q[r->qhead];
	r->qhead = (r->qhead + 1) % QMAX;
	r->nq--;
	return put_now(r, q->text, q->len, q->alpha, (enum an_kind)q->kind, q->pos, q->start,
		       q->end, q->save, q->hash, 1);
}

/* Emits the queued terms, oldest first. */
static int drain(struct run *r)
{
	int rc = 0;
	while (r->nq > 0 && rc == 0)
		rc = put_oldest(r);
	return rc;
}

/* Emits a term through put_now(), by way of the queue when it will look
 * up the stem cache: then it is hashed now and its slot asked for. */
static int put(struct run *r, const unsigned char *text, size_t len, int alpha, enum an_kind kind,
	       uint32_t pos, uint32_t start, uint32_t end, int save)
{
	an_analyzer *a = r->a;
	int rc;
	if (!(a->stemmer && alpha && len >= STEM_MIN && len <= STEM_WORD_MAX)) {
		/* no lookup to wait for: queue only to keep the order */
		if (r->nq == 0)
			return put_now(r, text, len, alpha, kind, pos, start, end, save, 0, 0);
		if (len > MAXT) {
			if (save && (rc = drain(r)) != 0)
				return rc;
			if (save)
				a->first_len = NO_FIRST;
			return 0;
		}
	}
	if (r->nq == QMAX && (rc = put_oldest(r)) != 0)
		return rc;
	struct qterm *q = &r->q[(r->qhead + r->nq++) % QMAX];
	q->pos = pos;
	q->start = start;
	q->end = end;
	q->alpha = (uint8_t)alpha;
	q->kind = (uint8_t)kind;
	q->save = (uint8_t)save;
	q->len = (uint8_t)len;
	memcpy(q->text, text, len);
	q->hash = term_hash(text, len);
	if (a->stemmer && alpha && len >= STEM_MIN && len <= STEM_WORD_MAX)
		__builtin_prefetch(&a->stem_cache[(q->hash >> 8) & (STEM_SETS - 1)]);
	return 0;
}

/* The joined form cannot fit any more: emit the buffered parts and keep
 * only the open part, at the start of a->buf. */
static int go_streaming(struct run *r)
{
	uint32_t k;
	int rc;
	for (k = 0; k < r->np; k++) {
		struct part *p = &r->parts[k];
		rc = put(r, r->a->buf + p->off, p->len, p->alpha, AN_PART, r->p0 + k, p->start,
			 p->end, 0);
		if (rc)
			return rc;
	}
	memmove(r->a->buf, r->a->buf + r->cur.off, r->cur.len);
	r->cur.off = 0;
	r->np = 0;
	r->streaming = 1;
	return 0;
}

/* Appends folded bytes to the open part. */
static int add(struct run *r, const unsigned char *b, size_t k)
{
	if (r->out) {
		if (!r->out_overflow && r->out_len + k < r->out_cap) {
			memcpy(r->out + r->out_len, b, k);
			r->out_len += k;
		} else {
			r->out_overflow = 1;
		}
		r->cur.len += (uint32_t)k;
		return 0;
	}
	if (!r->streaming) {
		if (r->total + k <= MAXT) {
			memcpy(r->a->buf + r->total, b, k);
			r->total += k;
			r->cur.len += (uint32_t)k;
			return 0;
		}
		int rc = go_streaming(r);
		if (rc)
			return rc;
	}
	if (r->cur.len + k <= MAXT) {
		memcpy(r->a->buf + r->cur.len, b, k);
		r->cur.len += (uint32_t)k;
	} else {
		r->cur.len = MAXT + 1;
	}
	return 0;
}

/* As add() for a run of ASCII letters and digits that scan() could not
 * copy straight into the part, lower-casing them: at most MAXT + 1 bytes
 * are ever kept. */
static int add_ascii(struct run *r, const unsigned char *b, size_t k)
{
	for (size_t i = 0; i < k; i++) {
		unsigned char c = b[i] | 0x20;
		int rc = add(r, &c, 1);
		if (rc)
			return rc;
		if (r->streaming && r->cur.len > MAXT && !r->out)
			break; /* the part is too long: the rest changes nothing */
	}
	return 0;
}

static void start_part(struct run *r, size_t start, int script)
{
	r->script = script;
	r->cur.off = r->streaming ? 0 : (uint32_t)r->total;
	r->cur.len = 0;
	r->cur.start = (uint32_t)start;
	r->cur.end = (uint32_t)start;
	r->cur.alpha = 1;
	r->digits_only = 1;
	r->last_digit = 0;
	r->thou = 0;
	r->group = 0;
	r->nparts++;
}

/* The open part ends because another part begins. */
static int end_part(struct run *r)
{
	r->jalpha &= r->cur.alpha;
	if (r->out)
		return 0;
	if (r->streaming)
		return put(r, r->a->buf, r->cur.len, r->cur.alpha, AN_PART, r->p0 + r->nparts - 1,
			   r->cur.start, r->cur.end, 0);
	r->parts[r->np++] = r->cur;
	return 0;
}

/* A separator (or the end of the text) closes the compound: emit what is
 * left, in position order (first part, joined form, other parts). */
static int end_compound(struct run *r)
{
	int rc = 0;
	uint32_t k;
	if (!r->in)
		return 0;
	r->in = 0;
	r->conn = 0;
	r->dot = 0;
	if (r->out)
		return 0;
	if (r->streaming) {
		rc = put(r, r->a->buf, r->cur.len, r->cur.alpha, r->nparts > 1 ? AN_PART : AN_WORD,
			 r->p0 + r->nparts - 1, r->cur.start, r->cur.end, 0);
	} else if (r->np == 0) {
		rc = put(r, r->a->buf, r->cur.len, r->cur.alpha, AN_WORD, r->p0, r->cur.start,
			 r->cur.end, 0);
	} else {
		r->parts[r->np++] = r->cur;
		struct part *p = r->parts;
		rc = put(r, r->a->buf + p->off, p->len, p->alpha, AN_PART, r->p0, p->start, p->end, 1);
		if (!rc)
			rc = put(r, r->a->buf, r->total, r->jalpha & r->cur.alpha, AN_JOINED, r->p0,
				 p->start, r->cur.end, 0);
		for (k = 1; !rc && k < r->np; k++) {
			p = &r->parts[k];
			rc = put(r, r->a->buf + p->off, p->len, p->alpha, AN_PART, r->p0 + k, p->start,
				 p->end, 0);
		}
	}
	r->pos = r->p0 + r->nparts;
	return rc;
}

/* A word piece begins at source byte start: opens a compound, continues
 * the open part, or starts the next part (after a connector, or when it
 * moves onto or off superscripts: H2O2 with subscript twos is h, 2, o, 2).
 * A lone '.' between digits is a decimal point and stays inside ("2.5"). */
static int word_begin(struct run *r, size_t start, int first_digit, int script)
{
	if (!r->in) {
		r->in = 1;
		r->streaming = 0;
		r->nparts = 0;
		r->np = 0;
		r->total = 0;
		r->jalpha = 1;
		r->p0 = r->pos;
		r->conn = 0;
		r->dot = 0;
		start_part(r, start, script);
		return 0;
	}
	if (!r->conn && r->script == script)
		return 0;
	r->conn = 0;
	if (r->dot && first_digit && r->script == script) {
		r->dot = 0;
		r->digits_only = 0;
		r->cur.alpha = 0;
		return add(r, (const unsigned char *)".", 1);
	}
	r->dot = 0;
	int rc = end_part(r);
	if (rc)
		return rc;
	start_part(r, start, script);
	return 0;
}

/* A folded word piece b[0..k) (lower case; ASCII or UTF-8) from source
 * bytes [us, ue); script: it was a superscript or subscript. */
static int word_piece(struct run *r, const unsigned char *b, size_t k, size_t us, size_t ue,
		      int script)
{
	int alpha = 1, digits = 1, rc;
	size_t i;
	for (i = 0; i < k; i++) {
		if (!(b[i] >= 'a' && b[i] <= 'z'))
			alpha = 0;
		if (!is_digit(b[i]))
			digits = 0;
	}
	if ((rc = word_begin(r, us, is_digit(b[0]), script)) != 0)
		return rc;
	if ((rc = add(r, b, k)) != 0)
		return rc;
	r->cur.alpha &= alpha;
	r->digits_only &= digits;
	r->last_digit = is_digit(b[k - 1]);
	r->group += (unsigned)k;
	r->cur.end = (uint32_t)ue;
	return 0;
}

static void connector(struct run *r, unsigned char ch)
{
	if (!r->in)
		return; /* leading punctuation is not part of a token */
	if (!r->conn) {
		r->conn = 1;
		r->dot = ch == '.' && r->last_digit;
	} else {
		r->dot = 0;
	}
}

/* Does the character at s[j] start a word piece? (possessive look-ahead) */
static int word_at(const struct run *r, size_t j)
{
	uint32_t cp;
	size_t k;
	unsigned code;
	if (j >= r->n)
		return 0;
	if (r->s[j] < 0x80)
		return is_alnum_class(ascii_class[r->s[j]]);
	if ((k = utf8_decode(r->s, r->n, j, &cp)) == 0)
		return 0;
	code = an_fold_code(cp);
	if (code == AN_FOLD_VERBATIM)
		return 1;
	if (code < AN_FOLD_STR)
		return 0;
	const unsigned char *p = an_fold_pool + code - AN_FOLD_STR;
	return !(p[1] < 0x80 && !is_alnum_class(ascii_class[p[1]]));
}

/* ASCII punctuation ch whose source ends at byte ue (ch may come from a fold
 * replacement or an entity, so '&' and '<' here are plain separators).
 * Returns the index to continue at, or sets *rc. */
static size_t punct(struct run *r, unsigned char ch, size_t ue, int *rc)
{
	const unsigned char *s = r->s;
	size_t n = r->n;
	switch (ascii_class[ch]) {
	case K_CONN:
		connector(r, ch);
		return ue;
	case K_APOS:
		/* Possessive: "Ewing's" -> ewing.  The 's goes as a connector
		 * would, so a trailing one vanishes like any trailing punctuation
		 * and "patients'" loses only its apostrophe. */
		if (r->in && !r->conn && ue < n && (s[ue] | 0x20) == 's' && !word_at(r, ue + 1)) {
			connector(r, '\'');
			r->dot = 0;
			return ue + 1;
		}
		connector(r, ch);
		return ue;
	case K_COMMA:
		/* Thousands separator: 1-3 digits (or a complete group), a comma,
		 * exactly three digits.  "1,000" -> 1000, but "2,3-dimethyl" and
		 * "1,2,3" keep their commas as separators. */
		if (r->in && !r->conn && r->digits_only &&
		    (r->thou ? r->group == 3 : r->cur.len <= 3) && n - ue >= 3 && is_digit(s[ue]) &&
		    is_digit(s[ue + 1]) && is_digit(s[ue + 2]) && (n - ue == 3 || !is_digit(s[ue + 3]))) {
			r->thou = 1;
			r->group = 0;
			return ue;
		}
		break;
	default:
		break;
	}
	*rc = end_compound(r);
	return ue;
}

/* A code point (from UTF-8 or an entity) at source bytes [us, ue). */
static size_t codepoint(struct run *r, uint32_t cp, size_t us, size_t ue, int *rc)
{
	unsigned char tmp[4];
	if (cp < 0x80) {
		unsigned k = ascii_class[cp];
		if (is_alnum_class(k)) {
			tmp[0] = (unsigned char)(cp | 0x20);
			*rc = word_piece(r, tmp, 1, us, ue, 0);
			return ue;
		}
		return punct(r, (unsigned char)cp, ue, rc);
	}
	unsigned code = an_fold_code(cp);
	if (code == AN_FOLD_VERBATIM) {
		size_t k = utf8_encode(cp, tmp);
		*rc = word_piece(r, tmp, k, us, ue, 0);
	} else if (code == AN_FOLD_SEP) {
		*rc = end_compound(r);
	} else if (code >= AN_FOLD_STR) {
		const unsigned char *p = an_fold_pool + code - AN_FOLD_STR;
		if (p[1] < 0x80 && !is_alnum_class(ascii_class[p[1]])) {
			if (p[0] == 1)
				return punct(r, p[1], ue, rc);
			/* "-2": a superscript or subscript two */
			*rc = word_piece(r, p + 2, p[0] - 1u, us, ue, 1);
			return ue;
		}
		*rc = word_piece(r, p + 1, p[0], us, ue, 0);
	}
	return ue;
}

/* The main loop, shared by an_run and folding (collect mode). */
static int scan(struct run *r)
{
	const unsigned char *s = r->s;
	size_t n = r->n, i = 0;
	int rc = 0;
	while (i < n && rc == 0) {
		unsigned b = s[i];
		if (b >= 0x80) {
			uint32_t cp;
			size_t k = utf8_decode(s, n, i, &cp);
			if (k == 0) {
				/* invalid byte: a separator, one byte at a time */
				rc = end_compound(r);
				i++;
			} else {
				i = codepoint(r, cp, i, i + k, &rc);
			}
			continue;
		}
		unsigned k = ascii_class[b];
		if (is_alnum_class(k)) {
			/* fast path: the whole run of ASCII letters and digits,
			 * lower-cased (b | 0x20 lower-cases A-Z and leaves a-z
			 * and 0-9 alone) straight into the part as far as it
			 * has room, in the pass that finds the run's end */
			if ((rc = word_begin(r, i, k == K_DIG, 0)) != 0)
				break;
			size_t room = !r->out && !r->streaming ? MAXT - r->total : 0, j = i;
			size_t lim = n - i < room ? n : i + room;
			unsigned char *dst = r->a->buf + r->total;
			unsigned seen = 0, f;
			for (; j < lim && (f = alnum_bits[s[j]]) != 0; j++) {
				seen |= f;
				dst[j - i] = s[j] | 0x20;
			}
			r->total += j - i;
			r->cur.len += (uint32_t)(j - i);
			size_t copied = j;
			for (; j < n && (f = alnum_bits[s[j]]) != 0; j++)
				seen |= f;
			/* the rest, if any, the way add() takes it */
			if (j > copied && (rc = add_ascii(r, s + copied, j - copied)) != 0)
				break;
			r->cur.alpha &= !(seen & A_DIGIT);
			r->digits_only &= !(seen & A_LETTER);
			r->last_digit = is_digit(s[j - 1]);
			r->group += (unsigned)(j - i);
			r->cur.end = (uint32_t)j;
			i = j;
			continue;
		}
		switch (k) {
		case K_SEP:
			rc = end_compound(r);
			i++;
			break;
		case K_AMP: {
			uint32_t cp;
			size_t len = parse_entity(s, n, i, &cp);
			if (len == 0) {
				rc = end_compound(r);
				i++;
			} else {
				/* a decoded '&' or '<' is a plain separator (punct()),
				 * so "&amp;lt;" does not decode twice */
				i = codepoint(r, cp, i, i + len, &rc);
			}
			break;
		}
		case K_LT: {
			int inline_tag = 0;
			size_t len = parse_tag(s, n, i, &inline_tag);
			if (len == 0) {
				rc = end_compound(r);
				i++;
			} else {
				if (inline_tag)
					connector(r, '-');
				else
					rc = end_compound(r);
				i += len;
			}
			break;
		}
		default:
			i = punct(r, (unsigned char)b, i + 1, &rc);
			break;
		}
	}
	if (rc == 0)
		rc = end_compound(r);
	return rc;
}

int an_run(an_analyzer *a, const char *text, size_t n, uint32_t *pos, size_t *nstop,
	   an_emit_fn emit, void *ctx)
{
	return an_run_flags(a, text, n, 0, pos, nstop, emit, ctx);
}

int an_run_flags(an_analyzer *a, const char *text, size_t n, unsigned flags, uint32_t *pos,
		 size_t *nstop, an_emit_fn emit, void *ctx)
{
	struct run r;
	int rc;
	if (n > UINT32_MAX)
		return ERR_LIMIT; /* term offsets are 32-bit */
	memset(&r, 0, offsetof(struct run, parts));
	r.a = a;
	r.keep_stop = (flags & AN_KEEP_STOPWORDS) != 0;
	r.no_stem = (flags & AN_NO_STEM) != 0;
	r.s = (const unsigned char *)text;
	r.n = n;
	r.emit = emit;
	r.ctx = ctx;
	r.pos = *pos;
	rc = scan(&r);
	if (rc == 0)
		rc = drain(&r);
	*pos = r.pos;
	if (nstop)
		*nstop = r.nstop;
	return rc;
}

/* Folds text into out[0..cap) as the concatenation of every part (the
 * unstemmed joined form, word after word).  Sets *overflow if it did not
 * fit.  Returns the length. */
static size_t fold_into(an_analyzer *a, const char *text, size_t n, unsigned char *out,
			size_t cap, int *overflow)
{
	struct run r;
	memset(&r, 0, offsetof(struct run, parts));
	r.a = a;
	r.s = (const unsigned char *)text;
	r.n = n;
	r.out = out;
	r.out_cap = cap;
	scan(&r);
	*overflow = r.out_overflow;
	return r.out_len;
}

size_t an_fold_prefix(an_analyzer *a, const char *text, size_t n, char *out, size_t cap)
{
	int overflow = 0;
	size_t len;
	if (cap == 0)
		return 0;
	len = fold_into(a, text, n, (unsigned char *)out, cap, &overflow);
	if (overflow)
		len = 0;
	out[len] = '\0';
	return len;
}
