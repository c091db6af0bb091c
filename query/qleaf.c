/*
 * qleaf.c - the leaves of the query tree: words, phrases, prefixes, author
 * names and language names.  Every leaf is analyzed here with the index's
 * analyzer (an_run), so the engine only looks terms up.  A word the
 * analyzer drops (a stopword, punctuation) gives NULL, "nothing", which
 * the grammar (qparse.c) skips or reports; a quoted phrase that comes to
 * nothing is reported here.
 *
 * The parser's only malloc is here: the scratch vector p->tv that an_run's
 * callback fills, freed before q_parse returns.
 */
#include "qpriv.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int collect_emit(void *ctx, const struct an_term *t)
{
	struct parser *p = ctx;
	if (p->ntv == p->captv) {
		size_t cap = p->captv ? p->captv * 2 : 16;
		if (cap > SIZE_MAX / sizeof *p->tv)
			return ERR_NOMEM;
		struct sterm *nv = realloc(p->tv, cap * sizeof *nv);
		if (nv == NULL)
			return ERR_NOMEM;
		p->tv = nv;
		p->captv = cap;
	}
	char *txt = arena_strndup(p->a, t->text, t->len);
	if (txt == NULL)
		return ERR_NOMEM;
	struct sterm *st = &p->tv[p->ntv++];
	st->text = txt;
	st->len = t->len;
	st->pos = t->pos;
	st->start = t->start;
	st->end = t->end;
	st->kind = t->kind;
	return 0;
}

/* Runs the analyzer over s[start..end) into p->tv, as the indexer does
 * for fields: author names are neither stopped nor stemmed (invert.c
 * add_text). */
static int analyze(struct parser *p, size_t start, size_t end, uint32_t fields)
{
	uint32_t pos = 0;
	size_t ns = 0;
	p->ntv = 0;
	int rc = an_run_flags(p->an, p->s + start, end - start,
			      fields == FB(AUTHOR) ? AN_NAMES : 0, &pos, &ns, collect_emit, p);
	if (rc == ERR_NOMEM)
		return qp_nomem(p);
	if (rc)
		return err_set(p->e, rc, "query: analyzer failed: %s", err_str(rc));
	p->nstop += ns;
	return 0;
}

/* A leaf of type `type` from the kept terms of p->tv (keep[i] != 0). */
static int mkleaf(struct parser *p, enum q_type type, const unsigned char *keep, size_t qpos,
		  uint32_t fields, struct q_node **out)
{
	size_t nk = 0;
	uint32_t minpos = UINT32_MAX;
	for (size_t i = 0; i < p->ntv; i++)
		if (!keep || keep[i]) {
			nk++;
			if (p->tv[i].pos < minpos)
				minpos = p->tv[i].pos;
		}
	struct q_node *q = qp_newnode(p, type, qpos);
	if (q == NULL)
		return ERR_NOMEM;
	if (nk > SIZE_MAX / sizeof *q->terms || (q->terms = arena_alloc(p->a, nk * sizeof *q->terms)) == NULL)
		return qp_nomem(p);
	for (size_t i = 0, k = 0; i < p->ntv; i++)
		if (!keep || keep[i]) {
			q->terms[k].text = p->tv[i].text;
			q->terms[k].len = p->tv[i].len;
			q->terms[k].relpos = p->tv[i].pos - minpos;
			k++;
		}
	q->nterms = nk;
	q->fields = fields;
	*out = q;
	return 0;
}

/* A phrase holding compounds ("non-metastatic tumour"), whose joined
 * terms keep[] leaves out: the text says each compound either way, as its
 * parts in a row or as one word ("nonmetastatic tumour"), so the phrase
 * is an OR of both spellings of each, the words after a joined compound
 * moving up to follow it.  Up to PHRASE_SPELLINGS compounds (2^n
 * phrases); those after keep their parts only. */
#define PHRASE_SPELLINGS 3

static int no_emit(void *ctx, const struct an_term *t)
{
	(void)ctx;
	(void)t;
	return 0;
}

/* start: where the phrase's text begins in p->s (p->tv's offsets count
 * from there). */
static int phrase_variants(struct parser *p, size_t start, const unsigned char *keep,
			   size_t qpos, uint32_t fields, struct q_node **out)
{
	size_t comp[PHRASE_SPELLINGS], nc = 0;
	uint32_t places[PHRASE_SPELLINGS]; /* positions each compound's parts take */
	for (size_t i = 0; i < p->ntv && nc < PHRASE_SPELLINGS; i++)
		if (!keep[i])
			comp[nc++] = i;
	for (size_t c = 0; c < nc; c++) {
		/* as many as analyzing the compound alone counts, stopwords
		 * included ("drop-in": 2) */
		const struct sterm *j = &p->tv[comp[c]];
		size_t nstop = 0;
		places[c] = 0;
		if (an_run(p->an, p->s + start + j->start, j->end - j->start, &places[c], &nstop,
			   no_emit, NULL) == ERR_NOMEM)
			return qp_nomem(p);
	}
	uint32_t *pos0 = arena_alloc(p->a, p->ntv * sizeof *pos0);
	unsigned char *kv = arena_alloc(p->a, p->ntv);
	if (pos0 == NULL || kv == NULL)
		return qp_nomem(p);
	for (size_t i = 0; i < p->ntv; i++)
		pos0[i] = p->tv[i].pos;
	struct kv k = {0};
	int rc = 0;
	for (unsigned mask = 0; mask < 1u << nc && rc == 0; mask++) {
		memcpy(kv, keep, p->ntv);
		for (size_t i = 0; i < p->ntv; i++)
			p->tv[i].pos = pos0[i];
		for (size_t c = 0; c < nc; c++) {
			if (!(mask >> c & 1))
				continue;
			/* the joined term instead of its parts, the terms
			 * after them one position after it */
			const struct sterm *j = &p->tv[comp[c]];
			for (size_t t = 0; t < p->ntv; t++)
				if (p->tv[t].kind == AN_PART && p->tv[t].start >= j->start &&
				    p->tv[t].end <= j->end)
					kv[t] = 0;
			kv[comp[c]] = 1;
			for (size_t t = 0; places[c] > 1 && t < p->ntv; t++)
				if (pos0[t] >= pos0[comp[c]] + places[c])
					p->tv[t].pos -= places[c] - 1;
		}
		size_t nkv = 0;
		for (size_t i = 0; i < p->ntv; i++)
			nkv += kv[i];
		struct q_node *v;
		if ((rc = mkleaf(p, nkv > 1 ? Q_PHRASE : Q_TERMS, kv, qpos, fields, &v)) == 0)
			rc = qp_kv_push(p, &k, v);
	}
	for (size_t i = 0; i < p->ntv; i++)
		p->tv[i].pos = pos0[i];
	if (rc == 0 && (rc = qp_mkgroup(p, Q_OR, &k, qpos, out)) == 0 && (*out)->type == Q_OR)
		(*out)->spellings = 1;
	return rc;
}

/* A leaf of `type` holding one term text[0..len) (room for `cap` terms),
 * or NULL when out of memory (reported in p). */
static struct q_node *one_term_leaf(struct parser *p, enum q_type type, size_t qpos,
				    const char *text, size_t len, uint32_t fields, size_t cap)
{
	struct q_node *q = qp_newnode(p, type, qpos);
	if (q == NULL)
		return NULL;
	if ((q->terms = arena_alloc(p->a, cap * sizeof *q->terms)) == NULL) {
		qp_nomem(p);
		return NULL;
	}
	q->terms[0] = (struct q_term){text, len, 0};
	q->nterms = 1;
	q->fields = fields;
	return q;
}

/* PubMed records name languages by MEDLINE's three-letter codes (the
 * lang field holds "eng"); searches copied from PubMed say "english[la]". */
static const struct {
	const char *name, *code;
} languages[] = {
	{"afrikaans", "afr"}, {"albanian", "alb"}, {"arabic", "ara"}, {"armenian", "arm"},
	{"azerbaijani", "aze"}, {"bosnian", "bos"}, {"bulgarian", "bul"}, {"catalan", "cat"},
	{"chinese", "chi"}, {"croatian", "scr"}, {"czech", "cze"}, {"danish", "dan"},
	{"dutch", "dut"}, {"english", "eng"}, {"esperanto", "epo"}, {"estonian", "est"},
	{"finnish", "fin"}, {"french", "fre"}, {"georgian", "geo"}, {"german", "ger"},
	{"greek", "gre"}, {"hebrew", "heb"}, {"hindi", "hin"}, {"hungarian", "hun"},
	{"icelandic", "ice"}, {"indonesian", "ind"}, {"italian", "ita"}, {"japanese", "jpn"},
	{"korean", "kor"}, {"latin", "lat"}, {"latvian", "lav"}, {"lithuanian", "lit"},
	{"macedonian", "mac"}, {"malay", "may"}, {"norwegian", "nor"}, {"persian", "per"},
	{"polish", "pol"}, {"portuguese", "por"}, {"romanian", "rum"}, {"russian", "rus"},
	{"serbian", "srp"}, {"slovak", "slo"}, {"slovenian", "slv"}, {"spanish", "spa"},
	{"swedish", "swe"}, {"thai", "tha"}, {"turkish", "tur"}, {"ukrainian", "ukr"},
	{"urdu", "urd"}, {"vietnamese", "vie"}, {"welsh", "wel"},
};

/* For a word searched in the lang field only: the code of the language
 * it names, as a Q_TERMS leaf in *out; NULL when it names none. */
int qp_lang_leaf(struct parser *p, size_t start, size_t end, size_t qpos, uint32_t fields,
		 struct q_node **out)
{
	*out = NULL;
	for (size_t i = 0; i < NELEM(languages); i++) {
		size_t n = strlen(languages[i].name);
		if (end - start != n || strncasecmp(p->s + start, languages[i].name, n) != 0)
			continue;
		*out = one_term_leaf(p, Q_TERMS, qpos, languages[i].code, 3, fields, 1);
		return *out ? 0 : ERR_NOMEM;
	}
	return 0;
}

/* A word: Q_TERMS with every term the analyzer gives, or NULL. */
int qp_word_leaf(struct parser *p, size_t start, size_t end, size_t qpos, uint32_t fields,
		 struct q_node **out)
{
	int rc;
	*out = NULL;
	if ((rc = analyze(p, start, end, fields)) != 0)
		return rc;
	if (p->ntv == 0)
		return 0;
	return mkleaf(p, Q_TERMS, NULL, qpos, fields, out);
}

int qp_prefix_leaf(struct parser *p, const struct tok *t, uint32_t fields, struct q_node **out)
{
	size_t len = t->vend - t->vstart;
	char b[SHOWBUF];
	if (len > (SIZE_MAX - 16) / 8)
		return qp_nomem(p);
	/* Room for folds that grow ("α" is 2 bytes, "alpha" 5; a fold
	 * replacement is under 16 bytes for a character of 2 or more). */
	size_t cap = len * 8 + 16;
	char *buf = arena_alloc(p->a, cap);
	if (buf == NULL)
		return qp_nomem(p);
	size_t fl = an_fold_prefix(p->an, p->s + t->vstart, len, buf, cap - 1);
	if (fl >= cap)
		fl = cap - 1;
	buf[fl] = '\0';
	size_t nch = 0;
	for (size_t i = 0; i < fl; i++)
		if (((unsigned char)buf[i] & 0xc0) != 0x80)
			nch++;
	if (nch < Q_MIN_PREFIX)
		return qp_perr(p, t->start, "prefix too short: '%s' (at least %d characters before '*')",
			       qp_show(p, t->start, t->end, b, sizeof b), Q_MIN_PREFIX);
	/* room for the prefix's stem (below) */
	struct q_node *q = one_term_leaf(p, Q_PREFIX, t->start, buf, fl, fields, 2);
	if (q == NULL)
		return ERR_NOMEM;
	/* Words are indexed by their stems, and a stem may end before the
	 * prefix does or spell it otherwise: "patients*" must find
	 * "patients" (patient), "studies*" "studies" (studi).  The prefix read
	 * as a whole word gives that stem. */
	size_t nstop = p->nstop;
	int rc = analyze(p, t->vstart, t->vend, fields);
	p->nstop = nstop;
	if (rc)
		return rc;
	if (p->ntv == 1 && p->tv[0].kind == AN_WORD &&
	    !(p->tv[0].len >= fl && memcmp(p->tv[0].text, buf, fl) == 0)) {
		q->terms[1].text = p->tv[0].text;
		q->terms[1].len = p->tv[0].len;
		q->terms[1].relpos = 0;
		q->nterms = 2;
	}
	q->fields = fields;
	*out = q;
	return 0;
}

/* Authors are indexed as "Last Fore Initials" (invert.c), and PubMed's
 * way to name one is "smith j" or "sjogren im": the last name, then the
 * initials or their start.  So an author phrase whose last word is one to
 * three letters is the other words, then within AUTHOR_NEAR words a word
 * starting with those letters ("smith j" finds Smith John A and Smith JA).
 * Authors lie 8 positions apart (invert.c), so that never spans two. */
#define AUTHOR_NEAR 4

/* The author form above for s[start..end), or 0 with *out NULL when the
 * text is not in that form.  The last name is a phrase as written, never
 * itself read as name and initials ("Dei Tos AP", "Hui Ong E"); a
 * compound last name ("Maheu-Giroux M", "O'Brien MJ") is either of its
 * spellings, so the result is an OR of one NEAR per spelling. */
int qp_author_leaf(struct parser *p, size_t start, size_t end, size_t qpos, uint32_t fields,
		   struct q_node **out)
{
	const char *s = p->s;
	*out = NULL;
	while (end > start && qp_space_at(s, p->n, end - 1))
		end--;
	size_t ws = end;
	while (ws > start && ((unsigned char)s[ws - 1] | 0x20) >= 'a' &&
	       ((unsigned char)s[ws - 1] | 0x20) <= 'z')
		ws--;
	if (ws == start || end - ws < 1 || end - ws > 3 || !qp_space_at(s, p->n, ws - 1))
		return 0;
	struct q_node *name;
	int rc = qp_phrase_leaf(p, start, ws, qpos, fields, 0, &name);
	if (rc || name == NULL)
		return rc;
	struct q_node **sp = &name; /* the spellings of the last name */
	size_t nsp = 1;
	if (name->type == Q_OR) {
		sp = name->kids;
		nsp = name->nkids;
	}
	for (size_t i = 0; i < nsp; i++)
		if (!qp_is_leaf(sp[i]))
			return 0;
	char *t = arena_alloc(p->a, end - ws + 1);
	if (t == NULL)
		return qp_nomem(p);
	for (size_t i = ws; i < end; i++)
		t[i - ws] = (char)((unsigned char)s[i] | 0x20);
	t[end - ws] = '\0';
	struct kv k = {0};
	for (size_t i = 0; i < nsp; i++) {
		struct q_node *ini = one_term_leaf(p, Q_PREFIX, ws, t, end - ws, fields, 1);
		struct q_node *q = ini ? qp_newnode(p, Q_NEAR, qpos) : NULL;
		struct q_node **kids = q ? arena_alloc(p->a, 2 * sizeof *kids) : NULL;
		if (kids == NULL)
			return ini && q ? qp_nomem(p) : ERR_NOMEM;
		kids[0] = sp[i];
		kids[1] = ini;
		q->kids = kids;
		q->nkids = 2;
		q->dist = AUTHOR_NEAR;
		if ((rc = qp_kv_push(p, &k, q)) != 0)
			return rc;
	}
	return qp_mkgroup(p, Q_OR, &k, qpos, out);
}

/* A phrase over s[start..end) (the text inside the quotes, or a PubMed run
 * of words before a tag).  One word gives Q_TERMS, several Q_PHRASE;
 * prox > 0 (a "[tiab:~N]" tag) gives Q_NEAR of the words instead.
 * Reduced to nothing is an error: the user quoted it on purpose. */
int qp_phrase_leaf(struct parser *p, size_t start, size_t end, size_t qpos, uint32_t fields,
		   uint32_t prox, struct q_node **out)
{
	const char *s = p->s;
	size_t n = p->n;
	size_t nstop0 = p->nstop;
	int rc;
	*out = NULL;
	size_t b = start;
	while (b < end && qp_space_at(s, n, b))
		b++;
	if (b == end)
		return qp_perr(p, qpos, "empty phrase matches nothing");
	for (b = start + 1; b < end; b++)
		if (s[b] == '*' && !qp_space_at(s, n, b - 1) && (b + 1 == end || qp_space_at(s, n, b + 1)))
			return qp_perr(p, b, "truncation '*' is not supported inside a phrase");
	if (prox) {
		struct kv k = {0};
		size_t i = start;
		while (i < end) {
			size_t w;
			while (i < end && (w = qp_space_at(s, n, i)) != 0)
				i += w;
			size_t ws = i;
			while (i < end && !qp_space_at(s, n, i))
				i++;
			if (ws == i)
				break;
			struct q_node *leaf;
			if ((rc = qp_word_leaf(p, ws, i, ws, fields, &leaf)) != 0)
				return rc;
			if (leaf && (rc = qp_kv_push(p, &k, leaf)) != 0)
				return rc;
		}
		if (k.n == 0)
			return qp_nothing(p, start, end, p->nstop > nstop0);
		if (k.n == 1) {
			*out = k.v[0];
			return 0;
		}
		struct q_node *q = qp_newnode(p, Q_NEAR, qpos);
		if (q == NULL)
			return ERR_NOMEM;
		q->kids = k.v;
		q->nkids = k.n;
		q->dist = prox;
		*out = q;
		return 0;
	}
	if ((rc = analyze(p, start, end, fields)) != 0)
		return rc;
	if (p->ntv == 0)
		return qp_nothing(p, start, end, p->nstop > nstop0);
	/* One word (all terms from one space-free stretch) is just Q_TERMS. */
	size_t lo = SIZE_MAX, hi = 0;
	for (size_t i = 0; i < p->ntv; i++) {
		size_t st = p->tv[i].start;
		if (st < lo)
			lo = st;
		if (st > hi)
			hi = st;
	}
	int oneword = 1;
	for (size_t i = start + lo; i < start + hi && i < end; i++)
		if (qp_space_at(s, n, i))
			oneword = 0;
	unsigned char *keep = arena_alloc(p->a, p->ntv);
	if (keep == NULL)
		return qp_nomem(p);
	size_t nk = 0, njoined = 0;
	for (size_t i = 0; i < p->ntv; i++) {
		keep[i] = 1;
		if (p->tv[i].kind == AN_JOINED)
			for (size_t j = 0; j < p->ntv; j++)
				if (p->tv[j].kind == AN_PART && p->tv[j].pos == p->tv[i].pos)
					keep[i] = 0;
		nk += keep[i];
		njoined += !keep[i];
	}
	if (oneword && njoined == 1 && nk > 1) {
		/* One quoted compound ("non-metastatic", "TNF-α") is that
		 * compound exactly: its parts as a phrase or its joined term
		 * (docs/ANALYSIS.md §5), never one part alone, as the bare
		 * word may match.  Spellings, the parts first, as for a
		 * longer phrase: NEAR takes that one. */
		struct q_node *joined, *parts;
		unsigned char *only = arena_alloc(p->a, p->ntv);
		if (only == NULL)
			return qp_nomem(p);
		for (size_t i = 0; i < p->ntv; i++)
			only[i] = !keep[i];
		if ((rc = mkleaf(p, Q_TERMS, only, qpos, fields, &joined)) != 0 ||
		    (rc = mkleaf(p, Q_PHRASE, keep, qpos, fields, &parts)) != 0)
			return rc;
		struct kv k = {0};
		if ((rc = qp_kv_push(p, &k, parts)) != 0 || (rc = qp_kv_push(p, &k, joined)) != 0 ||
		    (rc = qp_mkgroup(p, Q_OR, &k, qpos, out)) != 0)
			return rc;
		(*out)->spellings = 1;
		return 0;
	}
	/* Quoted words, even without a space between them ("CD34+/CD117+"),
	 * are a phrase when they take more than one position. */
	int many = 0;
	for (size_t i = 1; i < p->ntv; i++)
		many |= keep[i] && p->tv[i].pos != p->tv[0].pos;
	if (oneword && njoined == 0 && !many)
		return mkleaf(p, Q_TERMS, NULL, qpos, fields, out);
	if (nk > 1 && njoined > 0)
		return phrase_variants(p, start, keep, qpos, fields, out);
	return mkleaf(p, nk > 1 ? Q_PHRASE : Q_TERMS, keep, qpos, fields, out);
}
