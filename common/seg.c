/*
 * seg.c - opening and closing one immutable segment (seg.h): its five
 * files mapped and their analyzer settings compared, the document table
 * (FORMAT.md §3), the trailers of the dictionary and of the stored
 * records, and the deletion file (§6).  What opening reads is
 * bounds-checked, so that a damaged file is an error, never a crash.  The
 * rest is read by segdict.c, segpost.c and segstored.c, and checked whole
 * by segverify.c.
 */
#include "seg.h"

#include "bitpack.h"

#include <stdio.h>
#include <string.h>

const char *const seg_file_ext[SEGF_N] = {".sdoc", ".sdic", ".spst", ".spos", ".ssto"};
const char *const seg_file_kind[SEGF_N] = {SEG_KIND_DOC, SEG_KIND_DICT, SEG_KIND_POST,
					   SEG_KIND_POS, SEG_KIND_STORED};

/* ---- opening ---- */

static int open_doc(struct seg *s, struct err *e)
{
	const struct seg_map *m = &s->f[SEGF_DOC];
	struct fmt_cur c = {m->body, m->body + m->body_len, 0};
	s->ndocs = fmt_cur_u32(&c);
	if (!c.bad && s->ndocs > SEG_MAX_DOCS)
		return err_set(e, ERR_CORRUPT, "%s.sdoc: %u documents, more than a segment holds",
			       s->name, s->ndocs);
	uint32_t nf = fmt_cur_u32(&c);
	if (!c.bad && nf != F_NFIELDS)
		return err_set(e, ERR_CORRUPT, "%s.sdoc: %u fields, expected %u", s->name, nf,
			       F_NFIELDS);
	for (unsigned f = 0; f < F_NFIELDS; f++)
		s->field_len_sum[f] = fmt_cur_u64(&c);
	/* column bases and widths, then the columns (§3) */
	struct seg_col *col[3 + F_NFIELDS] = {&s->col_pmid, &s->col_year};
	for (unsigned f = 0; f < F_NFIELDS; f++)
		col[2 + f] = &s->col_len[f];
	col[2 + F_NFIELDS] = &s->col_order;
	s->col_pmid.base = fmt_cur_u32(&c);
	s->col_pmid.w = fmt_cur_u8(&c);
	s->col_year.base = fmt_cur_u16(&c);
	s->col_year.w = fmt_cur_u8(&c);
	for (unsigned f = 0; f < F_NFIELDS; f++)
		s->col_len[f].w = fmt_cur_u8(&c);
	s->col_order.w = fmt_cur_u8(&c);
	for (unsigned k = 0; k < 3 + F_NFIELDS && !c.bad; k++) {
		/* years and lengths are u16, an order needs a width only with
		 * two documents or more */
		unsigned max = k == 0 || k == 2 + F_NFIELDS ? 32 : 16;
		if (col[k]->w > max || (k == 2 + F_NFIELDS && col[k]->w && s->ndocs < 2))
			return err_set(e, ERR_CORRUPT, "%s.sdoc: column %u has a bad width", s->name,
				       k);
		col[k]->p = fmt_cur_bytes(&c, bp_bytes(s->ndocs, col[k]->w));
	}
	if (c.bad || c.p != c.end)
		return err_set(e, ERR_CORRUPT, "%s.sdoc: document table size does not match %u documents",
			       s->name, s->ndocs);
	return 0;
}

static int open_dict(struct seg *s, struct err *e)
{
	const struct seg_map *m = &s->f[SEGF_DICT];
	if (m->body_len < 16)
		return err_set(e, ERR_CORRUPT, "%s.sdic: dictionary trailer missing", s->name);
	const uint8_t *t = m->body + m->body_len - 16;
	s->nterms = fmt_get_u32le(t);
	s->ndictblocks = fmt_get_u32le(t + 4);
	uint64_t idx = fmt_get_u64le(t + 8);
	if (idx > m->body_len - 16 || (m->body_len - 16 - idx) / 4 < s->ndictblocks ||
	    s->ndictblocks != ((uint64_t)s->nterms + SEG_DICT_BLOCK - 1) / SEG_DICT_BLOCK)
		return err_set(e, ERR_CORRUPT, "%s.sdic: block index out of bounds", s->name);
	s->dict_index = m->body + idx;
	return 0;
}

static int open_stored(struct seg *s, struct err *e)
{
	const struct seg_map *m = &s->f[SEGF_STORED];
	if (m->body_len < SEG_STORED_TRAILER)
		return err_set(e, ERR_CORRUPT, "%s.ssto: stored trailer missing", s->name);
	const uint8_t *t = m->body + m->body_len - SEG_STORED_TRAILER;
	s->stored_text_bytes = fmt_get_u64le(t);
	s->vocab_clen = fmt_get_u32le(t + 8);
	s->vocab_rlen = fmt_get_u32le(t + 12);
	uint32_t ndocs = fmt_get_u32le(t + 16);
	s->nstoredblocks = fmt_get_u32le(t + 20);
	uint64_t idx = fmt_get_u64le(t + 24);
	s->vocab_sample = fmt_get_u32le(t + 32);
	s->vocab_flags = fmt_get_u32le(t + 36);
	uint64_t room = m->body_len - SEG_STORED_TRAILER;
	/* blocks hold 1 to SEG_STORED_BLOCK records each */
	if (ndocs != s->ndocs || s->nstoredblocks > ndocs ||
	    s->nstoredblocks < ((uint64_t)ndocs + SEG_STORED_BLOCK - 1) / SEG_STORED_BLOCK ||
	    idx > room || (room - idx) / SEG_STORED_ENTRY < s->nstoredblocks ||
	    s->vocab_clen > idx || (s->vocab_flags & ~SEG_VOCAB_FULL))
		return err_set(e, ERR_CORRUPT, "%s.ssto: block index out of bounds", s->name);
	s->stored_index = m->body + idx;
	return 0;
}

static int open_del(struct seg *s, const char *dir, struct err *e)
{
	int rc = seg_map_open(&s->del, dir, s->delname, SEG_KIND_DEL, e);
	if (rc)
		return rc;
	/* A flipped bit here silently deletes or revives a document, and the
	 * file is small (one bit per document): check its CRC now rather than
	 * only under --verify.  Its header must carry the segment's settings. */
	if (s->del.h.an_version != s->an_version || s->del.h.flags != s->flags)
		return err_set(e, ERR_CORRUPT, "%s: analyzer settings differ from its segment's",
			       s->delname);
	if ((rc = seg_map_verify(&s->del, s->delname, e)) != 0)
		return rc;
	struct fmt_cur c = {s->del.body, s->del.body + s->del.body_len, 0};
	uint32_t n = fmt_cur_u32(&c);
	s->ndeleted = fmt_cur_u32(&c);
	s->delbits = fmt_cur_bytes(&c, ((size_t)s->ndocs + 7) / 8);
	if (c.bad || n != s->ndocs || s->ndeleted > s->ndocs)
		return err_set(e, ERR_CORRUPT, "%s: deletion bitmap does not match %u documents",
			       s->delname, s->ndocs);
	return 0;
}

/* Starts s afresh, named name with deletion file delname. */
static int seg_init_names(struct seg *s, const char *name, const char *delname, struct err *e)
{
	memset(s, 0, sizeof *s);
	if (strlen(name) >= sizeof s->name || strlen(delname) >= sizeof s->delname)
		return err_set(e, ERR_CORRUPT, "segment name '%s' too long", name);
	strcpy(s->name, name);
	strcpy(s->delname, delname);
	return 0;
}

int seg_open(struct seg *s, const char *dir, const char *name, const char *delname,
	     struct err *e)
{
	int rc = seg_init_names(s, name, delname, e);
	if (rc)
		return rc;
	for (int i = 0; i < SEGF_N; i++) {
		char fn[96];
		snprintf(fn, sizeof fn, "%s%s", name, seg_file_ext[i]);
		if ((rc = seg_map_open(&s->f[i], dir, fn, seg_file_kind[i], e)) != 0)
			goto fail;
	}
	/* Every file repeats the analyzer settings in its header, which no CRC
	 * covers: name the file that disagrees with the others (a damaged
	 * header), not just the segment, so that --verify points at it. */
	for (int i = 0; i < SEGF_N; i++) {
		int agree = 0;
		for (int j = 0; j < SEGF_N; j++)
			agree += j != i && s->f[j].h.an_version == s->f[i].h.an_version &&
				 s->f[j].h.flags == s->f[i].h.flags;
		if (agree < SEGF_N / 2) {
			rc = err_set(e, ERR_CORRUPT,
				     "%s%s: analyzer settings differ from the other files of the segment",
				     name, seg_file_ext[i]);
			goto fail;
		}
	}
	s->flags = s->f[0].h.flags;
	s->an_version = s->f[0].h.an_version;
	if ((rc = open_doc(s, e)) || (rc = open_dict(s, e)) || (rc = open_stored(s, e)))
		goto fail;
	if (delname[0] && (rc = open_del(s, dir, e)))
		goto fail;
	return 0;
fail:
	seg_close(s);
	return rc;
}

int seg_open_docs(struct seg *s, const char *dir, const char *name, const char *delname,
		  struct err *e)
{
	int rc = seg_init_names(s, name, delname, e);
	if (rc)
		return rc;
	char fn[96];
	snprintf(fn, sizeof fn, "%s%s", name, seg_file_ext[SEGF_DOC]);
	if ((rc = seg_map_open(&s->f[SEGF_DOC], dir, fn, seg_file_kind[SEGF_DOC], e)) != 0)
		return rc;
	s->flags = s->f[SEGF_DOC].h.flags;
	s->an_version = s->f[SEGF_DOC].h.an_version;
	if ((rc = open_doc(s, e)) != 0 || (delname[0] && (rc = open_del(s, dir, e)) != 0))
		seg_close(s);
	return rc;
}

void seg_close(struct seg *s)
{
	for (int i = 0; i < SEGF_N; i++)
		seg_map_close(&s->f[i]);
	seg_map_close(&s->del);
	s->delbits = NULL;
	if (s->vocab_peer == NULL)
		st_vocab_free(s->vocab);
	s->vocab = NULL;
	s->vocab_peer = NULL;
}

/* ---- document table (§3) ---- */

size_t seg_pmid_ranks(const struct seg *s, uint32_t pmid, size_t *first)
{
	size_t lo = 0, hi = s->ndocs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t d = seg_doc_by_rank(s, mid);
		if (d < s->ndocs && seg_doc_pmid(s, d) < pmid)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	for (; end < s->ndocs; end++) {
		uint32_t d = seg_doc_by_rank(s, end);
		if (d >= s->ndocs || seg_doc_pmid(s, d) != pmid)
			break;
	}
	*first = lo;
	return end - lo;
}
