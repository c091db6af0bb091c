/*
 * stored.c - encoding of stored records (FORMAT.md §7.1) and the word
 * substitution applied to them before deflate (§7.2).  Strings are kept
 * with their NUL so that a decoded record points straight into the
 * decompressed block without copying.
 *
 * The substitution is ours because zlib alone tops out near 2.7:1 on
 * PubMed records (even over a whole segment at level 9, or with preset
 * dictionaries), and the project compresses stored fields with zlib:
 * coding each segment's frequent words in two bytes lets deflate's 32 KB
 * window and Huffman tables reach further (3:1 on the real files).
 */
#include "stored.h"

#include "fields.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

void st_encode(struct fmt_buf *b, const struct st_record *r)
{
	fmt_buf_varint(b, r->pmid);
	fmt_buf_varint(b, r->version);
	fmt_buf_varint(b, r->year);
	fmt_buf_varint(b, ST_NSTR);
	for (int i = 0; i < ST_NSTR; i++) {
		const char *s = r->s[i] ? r->s[i] : "";
		size_t n = r->s[i] ? (r->len[i] ? r->len[i] : strlen(s)) : 0;
		fmt_buf_varint(b, n);
		fmt_buf_put(b, s, n);
		fmt_buf_u8(b, 0);
	}
	fmt_buf_varint(b, r->nrefs);
	for (size_t i = 0; i < r->nrefs; i++)
		fmt_buf_varint(b, r->refs[i]);
}

int st_decode(const uint8_t *p, size_t n, struct st_record *r, uint32_t **refs_owned)
{
	struct fmt_cur c = {p, p + n, 0};
	memset(r, 0, sizeof *r);
	*refs_owned = NULL;
	r->pmid = (uint32_t)fmt_cur_varint(&c);
	r->version = (uint32_t)fmt_cur_varint(&c);
	r->year = (uint16_t)fmt_cur_varint(&c);
	uint64_t ns = fmt_cur_varint(&c);
	if (c.bad || ns < ST_NSTR)
		return ERR_CORRUPT;
	for (uint64_t i = 0; i < ns; i++) {
		uint64_t len = fmt_cur_varint(&c);
		const uint8_t *s = fmt_cur_bytes(&c, len < SIZE_MAX ? (size_t)len + 1 : len);
		if (s == NULL || s[len] != 0)
			return ERR_CORRUPT;
		if (i < ST_NSTR) {
			r->s[i] = (const char *)s;
			r->len[i] = (size_t)len;
		}
	}
	uint64_t nrefs = fmt_cur_varint(&c);
	if (c.bad || nrefs > n)
		return ERR_CORRUPT;
	uint32_t *refs = malloc(sizeof *refs * (nrefs ? nrefs : 1));
	if (refs == NULL)
		return ERR_NOMEM;
	for (uint64_t i = 0; i < nrefs; i++)
		refs[i] = (uint32_t)fmt_cur_varint(&c);
	if (c.bad) {
		free(refs);
		return ERR_CORRUPT;
	}
	r->refs = refs;
	r->nrefs = (size_t)nrefs;
	*refs_owned = refs;
	return 0;
}

/* ---- word substitution (FORMAT.md §7.2) ---- */

/* The 40 lead bytes of a code, none of which occurs in the UTF-8 text of
 * a stored string: C0 controls other than NUL, tab, LF and CR (XML 1.0
 * does not allow them), and the bytes that are never valid in UTF-8.
 * Code k is lead_byte[k / 256], k % 256. */
static const uint8_t lead_byte[ST_VOCAB_MAX / 256] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0B, 0x0C,
	0x0E, 0x0F, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0xC0, 0xC1,
	0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE,
};

/* The index of lead byte b in lead_byte, or -1. */
static int lead_index(uint8_t b)
{
	if (b >= 0x01 && b <= 0x08)
		return b - 0x01;
	if (b == 0x0B || b == 0x0C)
		return b - 0x0B + 8;
	if (b >= 0x0E && b <= 0x1F)
		return b - 0x0E + 10;
	if (b == 0xC0 || b == 0xC1)
		return b - 0xC0 + 28;
	if (b >= 0xF5 && b <= 0xFE)
		return b - 0xF5 + 30;
	return -1;
}

static int is_letter(uint8_t c)
{
	return (uint8_t)((c | 0x20) - 'a') < 26;
}

/* FNV-1a, a byte at a time so that pack_string() can hash a word while
 * it finds the word's end. */
#define WORD_HASH_INIT 2166136261u
static inline uint32_t word_hash_step(uint32_t h, uint8_t c)
{
	return (h ^ c) * 16777619u;
}

static uint32_t word_hash(const uint8_t *p, size_t n)
{
	uint32_t h = WORD_HASH_INIT;
	for (size_t i = 0; i < n; i++)
		h = word_hash_step(h, p[i]);
	return h;
}

/* What pack_string() does with a byte (st_vocab.kind). */
enum { B_PLAIN = 0, B_LETTER = 1, B_ESCAPE = 2 };

struct st_vocab {
	uint32_t n;
	uint32_t *off;    /* n + 1 offsets into words */
	uint8_t *words;   /* the words, back to back */
	uint16_t *slot;   /* hash table of code + 1 (0: empty), for packing only:
			   * a reader need not spend the time to build it */
	uint32_t mask;
	uint8_t kind[256]; /* B_* of each byte, for packing: one load where a
			    * letter test and five range tests were */
};

uint32_t st_vocab_words(const st_vocab *v)
{
	return v->n;
}

void st_vocab_free(st_vocab *v)
{
	if (v) {
		free(v->off);
		free(v->words);
		free(v->slot);
		free(v);
	}
}

/* The code of word p[0..n) whose word_hash() is h, or -1. */
static int32_t vocab_find(const st_vocab *v, const uint8_t *p, size_t n, uint32_t h)
{
	for (h &= v->mask;; h = (h + 1) & v->mask) {
		uint32_t k = v->slot[h];
		if (k == 0)
			return -1;
		k--;
		if (v->off[k + 1] - v->off[k] == n && fmt_same(v->words + v->off[k], p, n))
			return (int32_t)k;
	}
}

int st_vocab_load(const uint8_t *p, size_t n, st_vocab **out)
{
	const uint8_t *end = p + n;
	uint64_t nw;
	size_t k = fmt_get_varint(p, end, &nw);
	*out = NULL;
	if (k == 0 || nw > ST_VOCAB_MAX)
		return ERR_CORRUPT;
	p += k;
	st_vocab *v = calloc(1, sizeof *v);
	if (v == NULL)
		return ERR_NOMEM;
	v->n = (uint32_t)nw;
	/* Every entry takes at least 3 bytes and stands for at most
	 * ST_WORD_MAX, but front coding about halves the words: start there
	 * and grow.  ST_WORD_MAX bytes of slack let each word be copied from
	 * the previous one in one fixed-size move. */
	size_t cap = 2 * n + 2 * ST_WORD_MAX;
	v->off = malloc(sizeof *v->off * (v->n + 1));
	v->words = malloc(cap); /* the slack is copied about, never used */
	if (!v->off || !v->words) {
		st_vocab_free(v);
		return ERR_NOMEM;
	}
	/* front-coded: each word is (shared with the previous word, suffix).
	 * A reader runs this once per segment and process, so it checks only
	 * what keeps it within bounds; st_vocab_check checks the rest. */
	size_t at = 0, prev = 0, prevlen = 0;
	for (uint32_t i = 0; i < v->n; i++) {
		/* both counts are at most ST_WORD_MAX < 128: one byte each */
		if (end - p < 2 || p[0] > prevlen || p[1] > ST_WORD_MAX || p[0] + p[1] < ST_WORD_MIN ||
		    p[0] + p[1] > ST_WORD_MAX || (size_t)(end - p) - 2 < p[1])
			goto bad;
		size_t shared = p[0], slen = p[1];
		if (cap - at < 2 * ST_WORD_MAX) {
			uint8_t *w = realloc(v->words, cap * 2);
			if (w == NULL) {
				st_vocab_free(v);
				return ERR_NOMEM;
			}
			v->words = w;
			cap *= 2;
		}
		uint8_t *w = v->words + at;
		memmove(w, v->words + prev, ST_WORD_MAX); /* the two overlap */
		memcpy(w + shared, p + 2, slen);
		v->off[i] = (uint32_t)at;
		prev = at;
		prevlen = shared + slen;
		at += prevlen;
		p += 2 + slen;
	}
	v->off[v->n] = (uint32_t)at;
	if (p != end)
		goto bad;
	*out = v;
	return 0;
bad:
	st_vocab_free(v);
	return ERR_CORRUPT;
}

int st_vocab_check(const st_vocab *v)
{
	for (uint32_t i = 0; i < v->n; i++) {
		const uint8_t *w = v->words + v->off[i];
		uint32_t len = v->off[i + 1] - v->off[i];
		for (uint32_t j = 0; j < len; j++)
			if (!is_letter(w[j]))
				return ERR_CORRUPT;
		if (i > 0) {
			const uint8_t *pw = v->words + v->off[i - 1];
			uint32_t plen = v->off[i] - v->off[i - 1];
			int c = memcmp(pw, w, plen < len ? plen : len);
			if (c > 0 || (c == 0 && plen >= len))
				return ERR_CORRUPT;
		}
	}
	return 0;
}

int st_vocab_index(st_vocab *v)
{
	uint32_t cap = 64;
	while (cap < 2 * v->n)
		cap *= 2;
	free(v->slot);
	v->mask = cap - 1;
	v->slot = calloc(cap, sizeof *v->slot);
	if (v->slot == NULL)
		return ERR_NOMEM;
	for (uint32_t i = 0; i < v->n; i++) {
		uint32_t h = word_hash(v->words + v->off[i], v->off[i + 1] - v->off[i]) & v->mask;
		while (v->slot[h])
			h = (h + 1) & v->mask;
		v->slot[h] = (uint16_t)(i + 1);
	}
	for (unsigned b = 0; b < 256; b++)
		v->kind[b] = is_letter((uint8_t)b) ? B_LETTER
			     : b == ST_ESC || lead_index((uint8_t)b) >= 0 ? B_ESCAPE : B_PLAIN;
	return 0;
}

/* ---- the record walk shared by counting, packing and unpacking ---- */

/* Calls fn on each string of the §7.1 record rec[0..n), after copying
 * (when out is not NULL) the bytes before it; fn writes the string's
 * replacement, if any.  The bytes after the last string (the references)
 * are copied as they are.  Returns 0, ERR_NOMEM, ERR_CORRUPT, or what fn
 * returns. */
typedef int (*string_fn)(void *ctx, const uint8_t *s, size_t n, struct fmt_buf *out);

static int walk_record(const uint8_t *rec, size_t n, string_fn fn, void *ctx, struct fmt_buf *out)
{
	struct fmt_cur c = {rec, rec + n, 0};
	fmt_cur_varint(&c);
	fmt_cur_varint(&c);
	fmt_cur_varint(&c);
	uint64_t ns = fmt_cur_varint(&c);
	if (c.bad || ns > n)
		return ERR_CORRUPT;
	if (out)
		fmt_buf_put(out, rec, (size_t)(c.p - rec));
	for (uint64_t i = 0; i < ns; i++) {
		uint64_t len = fmt_cur_varint(&c);
		const uint8_t *s = fmt_cur_bytes(&c, len < SIZE_MAX ? (size_t)len + 1 : len);
		if (s == NULL || s[len] != 0)
			return ERR_CORRUPT;
		int rc = fn(ctx, s, (size_t)len, out);
		if (rc)
			return rc;
	}
	if (out) {
		fmt_buf_put(out, c.p, (size_t)(c.end - c.p));
		if (out->rc)
			return ERR_NOMEM;
	}
	return 0;
}

/* Writes varint(len) of the bytes written at out->p[at + 10 ...] and moves
 * them down to follow it, then the string's terminating 0. */
static void close_string(struct fmt_buf *out, size_t at, size_t len)
{
	uint8_t v[10];
	size_t k = fmt_put_varint(v, len);
	memcpy(out->p + at, v, k);
	memmove(out->p + at + k, out->p + at + 10, len);
	out->len = at + k + len;
	fmt_buf_u8(out, 0);
}

static int pack_string(void *ctx, const uint8_t *s, size_t n, struct fmt_buf *out)
{
	const st_vocab *v = ctx;
	size_t at = out->len;
	/* at most two bytes out per byte in (an escape), plus room for the
	 * length in front */
	if (n > (SIZE_MAX - 11) / 2 || fmt_buf_reserve(out, 10 + 2 * n + 1) == NULL)
		return ERR_NOMEM;
	uint8_t *o = out->p + at + 10, *o0 = o;
	for (size_t i = 0; i < n;) {
		uint8_t kind = v->kind[s[i]];
		if (kind == B_LETTER) {
			size_t j = i;
			uint32_t h = WORD_HASH_INIT;
			do
				h = word_hash_step(h, s[j++]);
			while (j < n && v->kind[s[j]] == B_LETTER);
			int32_t k = j - i >= ST_WORD_MIN && j - i <= ST_WORD_MAX ? vocab_find(v, s + i, j - i, h) : -1;
			if (k >= 0) {
				*o++ = lead_byte[k >> 8];
				*o++ = (uint8_t)k;
			} else {
				memcpy(o, s + i, j - i);
				o += j - i;
			}
			i = j;
			continue;
		}
		if (kind == B_ESCAPE)
			*o++ = ST_ESC;
		*o++ = s[i++];
	}
	close_string(out, at, (size_t)(o - o0));
	return 0;
}

int st_pack(const st_vocab *v, const uint8_t *rec, size_t n, struct fmt_buf *out)
{
	assert(v->slot != NULL); /* st_vocab_index first */
	return walk_record(rec, n, pack_string, (void *)v, out);
}

static int unpack_string(void *ctx, const uint8_t *s, size_t n, struct fmt_buf *out)
{
	const st_vocab *v = ctx;
	size_t at = out->len;
	if (fmt_buf_reserve(out, 10 + n + 1) == NULL)
		return ERR_NOMEM;
	size_t len = 0; /* bytes written after at + 10 */
	for (size_t i = 0; i < n;) {
		uint8_t b = s[i];
		int li = lead_index(b);
		if (b == ST_ESC || li >= 0) {
			if (i + 1 >= n)
				return ERR_CORRUPT;
			if (b == ST_ESC) {
				out->p[at + 10 + len++] = s[i + 1];
			} else {
				uint32_t k = (uint32_t)li << 8 | s[i + 1];
				if (k >= v->n)
					return ERR_CORRUPT;
				uint32_t wl = v->off[k + 1] - v->off[k];
				/* a code (2 bytes) may stand for up to ST_WORD_MAX */
				out->len = at + 10 + len;
				if (fmt_buf_reserve(out, wl + (n - i) + 1) == NULL)
					return ERR_NOMEM;
				memcpy(out->p + at + 10 + len, v->words + v->off[k], wl);
				len += wl;
			}
			i += 2;
		} else {
			out->p[at + 10 + len++] = b;
			i++;
		}
	}
	close_string(out, at, len);
	return 0;
}

int st_unpack(const st_vocab *v, const uint8_t *p, size_t n, struct fmt_buf *out)
{
	return walk_record(p, n, unpack_string, (void *)v, out);
}

/* ---- choosing a vocabulary ---- */

struct wcount {
	uint32_t off;   /* into the counter's bytes */
	uint32_t count;
	uint8_t len;
};

struct counter {
	struct wcount *e; /* open addressing; len 0: empty */
	uint32_t mask, used;
	struct fmt_buf bytes;
	int rc;
};

static int counter_grow(struct counter *c)
{
	uint32_t cap = c->e ? (c->mask + 1) * 2 : 16384;
	struct wcount *e = calloc(cap, sizeof *e);
	if (e == NULL)
		return ERR_NOMEM;
	for (uint32_t i = 0; c->e && i <= c->mask; i++) {
		if (c->e[i].len == 0)
			continue;
		uint32_t h = word_hash(c->bytes.p + c->e[i].off, c->e[i].len) & (cap - 1);
		while (e[h].len)
			h = (h + 1) & (cap - 1);
		e[h] = c->e[i];
	}
	free(c->e);
	c->e = e;
	c->mask = cap - 1;
	return 0;
}

static int count_word(struct counter *c, const uint8_t *w, size_t n)
{
	uint32_t h = word_hash(w, n) & c->mask;
	for (;; h = (h + 1) & c->mask) {
		struct wcount *x = &c->e[h];
		if (x->len == 0)
			break;
		if (x->len == n && fmt_same(c->bytes.p + x->off, w, n)) {
			x->count++;
			return 0;
		}
	}
	if (c->bytes.len > UINT32_MAX - ST_WORD_MAX)
		return 0; /* a sample this large has its vocabulary already */
	c->e[h].off = (uint32_t)c->bytes.len;
	c->e[h].len = (uint8_t)n;
	c->e[h].count = 1;
	fmt_buf_put(&c->bytes, w, n);
	if (c->bytes.rc)
		return ERR_NOMEM;
	if (++c->used > c->mask / 2)
		return counter_grow(c);
	return 0;
}

static int count_string(void *ctx, const uint8_t *s, size_t n, struct fmt_buf *out)
{
	(void)out;
	struct counter *c = ctx;
	for (size_t i = 0; i < n;) {
		if (!is_letter(s[i])) {
			i++;
			continue;
		}
		size_t j = i + 1;
		while (j < n && is_letter(s[j]))
			j++;
		if (j - i >= ST_WORD_MIN && j - i <= ST_WORD_MAX) {
			int rc = count_word(c, s + i, j - i);
			if (rc)
				return rc;
		}
		i = j;
	}
	return 0;
}

/* qsort contexts: the counter's bytes are needed to compare words */
struct pick {
	const uint8_t *w;
	uint32_t count;
	uint8_t len;
};

static int cmp_bytes(const struct pick *a, const struct pick *b)
{
	int c = memcmp(a->w, b->w, a->len < b->len ? a->len : b->len);
	return c ? c : (int)a->len - (int)b->len;
}

static int cmp_by_count(const void *x, const void *y)
{
	const struct pick *a = x, *b = y;
	uint64_t sa = (uint64_t)a->count * (a->len - 2u), sb = (uint64_t)b->count * (b->len - 2u);
	if (sa != sb)
		return sa > sb ? -1 : 1;
	return cmp_bytes(a, b);
}

static int cmp_by_bytes(const void *x, const void *y)
{
	return cmp_bytes(x, y);
}

int st_vocab_build(const uint8_t *sample, size_t n, struct fmt_buf *out)
{
	struct counter c;
	struct pick *pk = NULL;
	memset(&c, 0, sizeof c);
	fmt_buf_init(&c.bytes);
	int rc = counter_grow(&c);
	const uint8_t *p = sample, *end = sample + n;
	while (rc == 0 && p < end) {
		uint64_t len;
		size_t k = fmt_get_varint(p, end, &len);
		if (k == 0 || len > (size_t)(end - p) - k) {
			rc = ERR_CORRUPT;
			break;
		}
		rc = walk_record(p + k, (size_t)len, count_string, &c, NULL);
		p += k + len;
	}
	uint32_t np = 0;
	if (rc == 0 && (pk = malloc(sizeof *pk * (c.used ? c.used : 1))) == NULL)
		rc = ERR_NOMEM;
	for (uint32_t i = 0; rc == 0 && i <= c.mask; i++)
		/* a word seen once in the sample would cost more in the
		 * vocabulary than it saves in the blocks */
		if (c.e[i].len && c.e[i].count >= 2)
			pk[np++] = (struct pick){c.bytes.p + c.e[i].off, c.e[i].count, c.e[i].len};
	if (rc == 0) {
		qsort(pk, np, sizeof *pk, cmp_by_count);
		if (np > ST_VOCAB_MAX)
			np = ST_VOCAB_MAX;
		/* codes follow byte order: front coding then stores the
		 * vocabulary in about half its bytes, and on PubMed text the
		 * blocks compressed as well as with codes by frequency */
		qsort(pk, np, sizeof *pk, cmp_by_bytes);
		fmt_buf_varint(out, np);
		for (uint32_t i = 0; i < np; i++) {
			uint32_t shared = 0;
			if (i > 0)
				while (shared < pk[i].len && shared < pk[i - 1].len &&
				       pk[i].w[shared] == pk[i - 1].w[shared])
					shared++;
			fmt_buf_varint(out, shared);
			fmt_buf_str(out, (const char *)pk[i].w + shared, pk[i].len - shared);
		}
		if (out->rc)
			rc = ERR_NOMEM;
	}
	free(pk);
	free(c.e);
	fmt_buf_free(&c.bytes);
	return rc;
}

/* One facet value s[0..n) to fn, trimmed and cut (st_facet_values). */
static int facet_value(const char *s, size_t n, int (*fn)(void *, const char *, size_t),
		       void *ctx)
{
	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '*'))
		n--;
	if (n > ST_FACET_MAX) {
		n = ST_FACET_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--; /* s[n] continues a character: cut before it */
	}
	return n ? fn(ctx, s, n) : 0;
}

int st_facet_values(unsigned fk, const char *journal, const char *journal_iso,
		    const char *list, int (*fn)(void *ctx, const char *s, size_t n), void *ctx)
{
	if (fk == FK_JOURNAL) {
		const char *j = journal_iso && journal_iso[0] ? journal_iso : journal ? journal : "";
		return facet_value(j, strlen(j), fn, ctx);
	}
	for (const char *s = list && list[0] ? list : NULL; s;) {
		size_t n;
		const char *next = st_list_item(s, &n);
		if (fk == FK_MESH) {
			const char *slash = memchr(s, '/', n);
			if (slash)
				n = (size_t)(slash - s);
		}
		int rc = facet_value(s, n, fn, ctx);
		if (rc)
			return rc;
		s = next;
	}
	return 0;
}

struct facet_walk {
	st_facet_fn *fn;
	void *ctx;
	unsigned fk;
	uint32_t pos;
};

static int facet_walk_value(void *ctx, const char *s, size_t n)
{
	struct facet_walk *w = ctx;
	return w->fn(w->ctx, w->fk, s, n, w->pos++);
}

int st_record_facets(const struct st_record *r, st_facet_fn *fn, void *ctx)
{
	static const unsigned fks[] = {FK_JOURNAL, FK_MESH, FK_PUBTYPE};
	int rc = 0;
	for (size_t i = 0; i < sizeof fks / sizeof *fks && !rc; i++) {
		struct facet_walk w = {fn, ctx, fks[i], 0};
		rc = st_facet_values(fks[i], r->s[ST_JOURNAL], r->s[ST_JOURNAL_ISO],
				     r->s[fks[i] == FK_MESH ? ST_MESH : ST_PUBTYPES], facet_walk_value,
				     &w);
	}
	return rc;
}

int st_encoded_facets(const uint8_t *p, size_t n, st_facet_fn *fn, void *ctx)
{
	struct st_record r;
	uint32_t *refs = NULL;
	int rc = st_decode(p, n, &r, &refs);
	free(refs);
	return rc ? rc : st_record_facets(&r, fn, ctx);
}

const char *st_list_item(const char *s, size_t *len)
{
	const char *e = strchr(s, ST_LIST_SEP);
	*len = e ? (size_t)(e - s) : strlen(s);
	return e ? e + 1 : NULL;
}
