/*
 * qfilter.c - the values of filters: years and year ranges, PubMed dates
 * and their ranges, PMIDs.  Each becomes a filter node (Q_YEAR, Q_PMID,
 * Q_CITES, Q_CITEDBY), which restricts and is not scored.
 */
#include "qpriv.h"

/* A date YYYY, YYYY/MM, YYYY/MM/DD (or with '-'); months and days are
 * checked but only the year is kept: filters work on whole years. */
static int parse_date(const char *s, size_t n, size_t *i, uint32_t *year)
{
	size_t k = *i;
	if (k + 4 > n)
		return 0;
	for (size_t j = 0; j < 4; j++)
		if (!is_digit((unsigned char)s[k + j]))
			return 0;
	if (k + 4 < n && is_digit((unsigned char)s[k + 4]))
		return 0;
	*year = (uint32_t)((s[k] - '0') * 1000 + (s[k + 1] - '0') * 100 + (s[k + 2] - '0') * 10 +
			   (s[k + 3] - '0'));
	k += 4;
	for (int part = 0; part < 2; part++) {
		if (k + 1 >= n || (s[k] != '/' && s[k] != '-') || !is_digit((unsigned char)s[k + 1]))
			break;
		size_t d = k + 1;
		unsigned v = 0;
		while (d < n && is_digit((unsigned char)s[d]) && d - k <= 2)
			v = v * 10 + (unsigned)(s[d++] - '0');
		if (d - k - 1 > 2 || (d < n && is_digit((unsigned char)s[d])))
			break; /* "2015-2020": the '-' is a range, not a month */
		if (v < 1 || v > (part == 0 ? 12u : 31u))
			return 0;
		k = d;
	}
	*i = k;
	return 1;
}

/* YEAR, YEAR..YEAR, YEAR:YEAR, YEAR-YEAR, YEAR.. and ..YEAR (open ends).
 * Returns 1 on success, 0 if malformed. */
static int parse_years(const char *s, size_t n, uint32_t *lo, uint32_t *hi)
{
	size_t i = 0;
	int has_lo = 0, has_hi = 0;
	*lo = 0;
	*hi = UINT32_MAX;
	if (n >= 2 && s[0] == '.' && s[1] == '.') {
		i = 2;
	} else {
		if (!parse_date(s, n, &i, lo))
			return 0;
		has_lo = 1;
		if (i == n) {
			*hi = *lo;
			return 1;
		}
		if (i + 2 <= n && s[i] == '.' && s[i + 1] == '.')
			i += 2;
		else if (s[i] == ':' || s[i] == '-')
			i += 1;
		else
			return 0;
	}
	if (i < n) {
		if (!parse_date(s, n, &i, hi) || i != n)
			return 0;
		has_hi = 1;
	}
	return has_lo || has_hi;
}

/* Why a PMID's text is not one. */
enum pmid_bad { PMID_OK, PMID_NAN, PMID_BELOW_1, PMID_TOO_LARGE };

static enum pmid_bad parse_pmid(const char *s, size_t n, uint32_t *v)
{
	uint64_t x = 0;
	size_t i = n > 1 && s[0] == '-' ? 1 : 0; /* "-5": a number, below 1 */
	if (n == i)
		return PMID_NAN;
	for (size_t k = i; k < n; k++) {
		if (!is_digit((unsigned char)s[k]))
			return PMID_NAN;
		if (x <= UINT32_MAX) /* saturate: no overflow */
			x = x * 10 + (uint64_t)(s[k] - '0');
	}
	if (i || x == 0)
		return PMID_BELOW_1;
	if (x > UINT32_MAX)
		return PMID_TOO_LARGE;
	*v = (uint32_t)x;
	return PMID_OK;
}

/* A filter node of kind k from the value s[vs..ve) (name is the field or
 * tag, for messages). */
int qp_filter_leaf(struct parser *p, enum fkind k, size_t vs, size_t ve, size_t qpos,
		   const char *name, struct q_node **out)
{
	char b[SHOWBUF];
	uint32_t lo = 0, hi = 0;
	enum q_type type = Q_YEAR;
	if (k == FK_YEAR) {
		if (!parse_years(p->s + vs, ve - vs, &lo, &hi))
			return qp_perr(p, vs, "'%s' is not a year or year range, as in 2015 or 2015..2020",
				       qp_show(p, vs, ve, b, sizeof b));
		if (lo > hi)
			return qp_perr(p, vs, "year range '%s' is the wrong way round",
				       qp_show(p, vs, ve, b, sizeof b));
	} else {
		switch (parse_pmid(p->s + vs, ve - vs, &lo)) {
		case PMID_OK:
			break;
		case PMID_NAN:
			return qp_perr(p, vs, "%s '%s' is not a number", name,
				       qp_show(p, vs, ve, b, sizeof b));
		case PMID_BELOW_1:
			return qp_perr(p, vs, "%s '%s' is not a valid PMID: PMIDs start at 1", name,
				       qp_show(p, vs, ve, b, sizeof b));
		case PMID_TOO_LARGE:
			return qp_perr(p, vs, "%s '%s' is too large for a PMID (at most %lu)", name,
				       qp_show(p, vs, ve, b, sizeof b), (unsigned long)UINT32_MAX);
		}
		hi = lo;
		type = k == FK_PMID ? Q_PMID : k == FK_CITES ? Q_CITES : Q_CITEDBY;
	}
	struct q_node *q = qp_newnode(p, type, qpos);
	if (q == NULL)
		return ERR_NOMEM;
	q->lo = lo;
	q->hi = type == Q_YEAR ? hi : 0;
	*out = q;
	return 0;
}

/* After "2015/01/01"[dp], PubMed writes ranges as ` : "2020/12/31"[dp]`:
 * if that follows, widen q to it; otherwise leave the tokens alone. */
int qp_dp_range(struct parser *p, struct q_node *q)
{
	struct lexstate save = p->lx;
	struct tok colon, val, tag;
	int rc, ok;
	/* Quiet: a lexing error in the look-ahead is reported in order when
	 * the parser gets there; here it only means "not a range". */
	p->quiet++;
	ok = qp_next(p, &colon) == 0 && colon.kind == TK_WORD &&
	     qp_eq_len(p->s + colon.start, colon.end - colon.start, ":") && qp_next(p, &val) == 0 &&
	     (val.kind == TK_WORD || val.kind == TK_PHRASE) && qp_next(p, &tag) == 0 &&
	     tag.kind == TK_TAG && qp_tags[tag.idx].kind == FK_YEAR;
	p->quiet--;
	if (!ok) {
		p->lx = save;
		return 0;
	}
	struct q_node *q2;
	if ((rc = qp_filter_leaf(p, FK_YEAR, val.vstart, val.vend, val.start, "[dp]", &q2)) != 0)
		return rc;
	if (q->lo > q2->hi) {
		char b[SHOWBUF];
		return qp_perr(p, q->qpos, "date range '%s' is the wrong way round",
			       qp_show(p, q->qpos, tag.end, b, sizeof b));
	}
	q->hi = q2->hi;
	return 0;
}
