/*
 * seg.c - read access to one immutable segment: headers, mappings, the
 * document table, the front-coded dictionary, posting cursors with block
 * maxima, and stored records.  FORMAT.md §2-§8 specify every byte read here;
 * every read is bounds-checked so that a damaged file is an error, never a
 * crash.
 */
#include "seg.h"

#include "bitpack.h"
#include "pblock.h"
#include "segfacet.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <libdeflate.h>


const char *const seg_file_ext[SEGF_N] = {".sdoc", ".sdic", ".spst", ".spos", ".ssto"};
const char *const seg_file_kind[SEGF_N] = {SEG_KIND_DOC, SEG_KIND_DICT, SEG_KIND_POST,
					   SEG_KIND_POS, SEG_KIND_STORED};

void seg_header_encode(uint8_t out[SEG_HEADER_BYTES], const struct seg_header *h)
{
	memcpy(out, "SARC", 4);
	memcpy(out + 4, h->kind, 4);
	fmt_put_u32le(out + 8, h->version);
	fmt_put_u32le(out + 12, h->an_version);
	fmt_put_u32le(out + 16, h->flags);
	fmt_put_u32le(out + 20, h->body_crc);
	fmt_put_u64le(out + 24, h->body_len);
}

int seg_header_decode(const uint8_t *p, size_t n, const char *kind, const char *path,
		      struct seg_header *h, struct err *e)
{
	if (n < SEG_HEADER_BYTES)
		return err_set(e, ERR_CORRUPT, "%s: file is truncated (%zu bytes)", path, n);
	if (memcmp(p, "SARC", 4) != 0 || memcmp(p + 4, kind, 4) != 0)
		return err_set(e, ERR_CORRUPT, "%s: not a sarc %s file (bad magic)", path, kind);
	memcpy(h->kind, p + 4, 4);
	h->kind[4] = '\0';
	h->version = fmt_get_u32le(p + 8);
	h->an_version = fmt_get_u32le(p + 12);
	h->flags = fmt_get_u32le(p + 16);
	h->body_crc = fmt_get_u32le(p + 20);
	h->body_len = fmt_get_u64le(p + 24);
	if (h->version < SARC_FORMAT_OLDEST || h->version > SARC_FORMAT_VERSION)
		return err_set(e, ERR_FORMAT_VERSION,
			       "%s: index format version %u, this sarc reads version %u%s", path,
			       h->version, SARC_FORMAT_VERSION,
			       h->version < SARC_FORMAT_VERSION ? " (index the XML again)" : "");
	if (h->version < 7 && (h->flags & SEG_FLAG_FACETS))
		return err_set(e, ERR_CORRUPT, "%s: facet keys in a file of format version %u", path,
			       h->version);
	if (h->body_len > n - SEG_HEADER_BYTES)
		return err_set(e, ERR_CORRUPT, "%s: file is truncated (body of %llu bytes, %zu present)",
			       path, (unsigned long long)h->body_len, n - SEG_HEADER_BYTES);
	return 0;
}

int seg_map_open(struct seg_map *m, const char *dir, const char *name, const char *kind,
		 struct err *e)
{
	char path[4096];
	int rc = 0, fd = -1;
	memset(m, 0, sizeof *m);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return err_errno(e, errno, "cannot open '%s'", path);
	struct stat st;
	if (fstat(fd, &st) != 0) {
		rc = err_errno(e, errno, "cannot stat '%s'", path);
		goto out;
	}
	if ((size_t)st.st_size < SEG_HEADER_BYTES) {
		rc = err_set(e, ERR_CORRUPT, "%s: file is truncated (%lld bytes)", path,
			     (long long)st.st_size);
		goto out;
	}
	void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		rc = err_errno(e, errno, "cannot map '%s'", path);
		goto out;
	}
	m->base = p;
	m->size = (size_t)st.st_size;
	if ((rc = seg_header_decode(m->base, m->size, kind, path, &m->h, e)) != 0) {
		seg_map_close(m);
		goto out;
	}
	/* The body is followed by SEG_TAIL_PAD zero bytes so that decoders may
	 * over-read; a file without them was cut short.  Writers add nothing
	 * after them, so any other size means a damaged body length, which a
	 * query would otherwise take at its word (header bytes are outside the
	 * CRC, and a shorter body would cut the trailer or lists short). */
	if (m->size - SEG_HEADER_BYTES - m->h.body_len < SEG_TAIL_PAD) {
		rc = err_set(e, ERR_CORRUPT, "%s: file is truncated (padding missing)", path);
		seg_map_close(m);
		goto out;
	}
	if (m->size - SEG_HEADER_BYTES - m->h.body_len != SEG_TAIL_PAD) {
		rc = err_set(e, ERR_CORRUPT, "%s: body length %llu does not match the file size %zu",
			     path, (unsigned long long)m->h.body_len, m->size);
		seg_map_close(m);
		goto out;
	}
	m->body = m->base + SEG_HEADER_BYTES;
	m->body_len = (size_t)m->h.body_len;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

void seg_map_close(struct seg_map *m)
{
	if (m->base)
		munmap((void *)m->base, m->size);
	memset(m, 0, sizeof *m);
}

void seg_map_release(const struct seg_map *m, size_t n)
{
	/* mmap returns page-aligned bases, and whole files are mapped */
	for (size_t i = 0; i < n; i++)
		if (m[i].base)
			madvise((void *)m[i].base, m[i].size, MADV_DONTNEED);
}

void seg_map_drop(const struct seg_map *m, uint64_t from, uint64_t to)
{
	long pg = sysconf(_SC_PAGESIZE);
	if (pg <= 0 || m->base == NULL)
		return;
	uintptr_t mask = (uintptr_t)pg - 1;
	uintptr_t start = from == 0 ? (uintptr_t)m->base
				    : ((uintptr_t)m->body + (uintptr_t)from + mask) & ~mask;
	uintptr_t end = ((uintptr_t)m->body + (uintptr_t)to) & ~mask;
	if (end > start)
		madvise((void *)start, end - start, MADV_DONTNEED);
}

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
