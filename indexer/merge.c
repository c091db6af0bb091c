/*
 * merge.c - segment merging (see merge.h).  Documents are renumbered by
 * concatenation; stored blocks are copied compressed where the segments
 * share a vocabulary and nothing in the block was deleted; dictionaries
 * are merged k ways (k is small: the merge policy bounds it), and each
 * term's postings are decoded, renumbered and re-encoded by the segment
 * writer, which recomputes the block maxima.
 */
#include "merge.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analyze.h"
#include "fmt.h"
#include "segwrite.h"

/* Releases the pages of m's body before off.  A merge reads each input
 * once, front to back; without this every page read stays mapped into the
 * process until the end, and its resident size grows with the index
 * instead of staying within --memory. */
static void drop_before(const struct seg_map *m, uint64_t off)
{
	long pg = sysconf(_SC_PAGESIZE);
	if (pg <= 0 || m->base == NULL)
		return;
	uintptr_t start = (uintptr_t)m->base;
	uintptr_t end = ((uintptr_t)m->body + (uintptr_t)off) & ~((uintptr_t)pg - 1);
	if (end > start)
		madvise((void *)start, end - start, MADV_DONTNEED);
}

static int is_dead(struct seg *const *segs, const uint8_t *const *dead, size_t i, uint32_t d)
{
	return seg_deleted(segs[i], d) || (dead && dead[i] && (dead[i][d >> 3] >> (d & 7) & 1));
}

static int key_cmp(const struct seg_term *a, const struct seg_term *b)
{
	return seg_key_cmp(a->key, a->keylen, b->key, b->keylen);
}

static int add_doc(sw_writer *w, struct seg *s, uint32_t d, const uint8_t *rec, size_t n,
		   struct err *e)
{
	uint16_t lens[F_NFIELDS];
	for (unsigned f = 0; f < F_NFIELDS; f++)
		lens[f] = seg_doc_len(s, d, f);
	int rc = sw_add_doc(w, seg_doc_pmid(s, d), seg_doc_year(s, d), lens, rec, n);
	if (rc)
		err_set(e, rc, "%s", sw_error(w)->msg);
	return rc;
}

/* Copies the live documents of segment i.  When the new segment packs
 * with the same vocabulary (same), a block without deleted documents is
 * copied compressed, as it is; the records of other blocks are unpacked
 * and packed again, one inflate per block. */
static int copy_docs(sw_writer *w, struct seg *s, struct seg *const *segs,
		     const uint8_t *const *dead, size_t i, int same, struct merge_out *mo,
		     struct err *e)
{
	uint8_t *raw = NULL;
	struct fmt_buf rec;
	fmt_buf_init(&rec);
	int rc = 0;
	for (uint32_t b = 0; b < s->nstoredblocks && !rc; b++) {
		struct seg_stored_blk k;
		if ((rc = seg_stored_entry(s, b, &k, e)))
			break;
		uint32_t live = 0;
		for (uint32_t d = k.first; d < k.first + k.count; d++)
			live += !is_dead(segs, dead, i, d);
		if (live == 0)
			continue;
		if (same && live == k.count) {
			if (sw_add_stored_block(w, &k)) {
				rc = err_set(e, sw_error(w)->code, "%s", sw_error(w)->msg);
				break;
			}
			for (uint32_t d = k.first; d < k.first + k.count && !rc; d++)
				rc = add_doc(w, s, d, NULL, 0, e);
			mo->blocks_copied++;
			continue;
		}
		size_t rlen;
		if ((rc = seg_stored_block(s, b, &raw, &rlen, e)))
			break;
		const uint8_t *q = raw, *end = raw + rlen;
		for (uint32_t d = k.first; d < k.first + k.count && !rc; d++) {
			const uint8_t *p;
			uint64_t n;
			uint32_t crc;
			size_t len = seg_stored_record(q, end, &p, &n, &crc);
			if (len == 0) {
				rc = err_set(e, ERR_CORRUPT, "%s.ssto: stored block %u is damaged", s->name, b);
				break;
			}
			q += len;
			if (is_dead(segs, dead, i, d))
				continue;
			rec.len = 0;
			if ((rc = seg_stored_unpack(s, b, p, (size_t)n, crc, &rec, e)))
				break;
			rc = add_doc(w, s, d, rec.p, rec.len, e);
		}
		mo->blocks_packed++;
	}
	free(raw);
	fmt_buf_free(&rec);
	drop_before(&s->f[SEGF_STORED], s->f[SEGF_STORED].body_len);
	return rc;
}

/* The vocabulary the merged segment packs with (FORMAT.md §7.2): of the
 * inputs' vocabularies chosen from a full sample, the one that covers the
 * most live documents, so that the most blocks are copied as they are.
 * same[i] is set for the inputs that use it.  Returns 0 with v->ser empty
 * when no input's will do: the new segment then chooses its own. */
static int choose_vocab(struct seg *const *segs, const uint32_t *live, size_t n,
			struct sw_vocab *v, int *same, struct err *e)
{
	struct fmt_buf *ser = calloc(n ? n : 1, sizeof *ser);
	uint64_t best_live = 0;
	size_t best = n;
	int rc = 0;
	if (ser == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < n && !rc; i++)
		if (segs[i]->vocab_flags & SEG_VOCAB_FULL)
			rc = seg_stored_vocab(segs[i], &ser[i], e);
	for (size_t i = 0; i < n && !rc; i++) {
		if (ser[i].len == 0)
			continue;
		uint64_t cover = 0;
		for (size_t j = 0; j < n; j++)
			if (ser[j].len == ser[i].len && memcmp(ser[j].p, ser[i].p, ser[i].len) == 0)
				cover += live[j];
		if (cover > best_live) {
			best_live = cover;
			best = i;
		}
	}
	if (!rc && best < n) {
		for (size_t j = 0; j < n; j++)
			same[j] = ser[j].len == ser[best].len &&
				  memcmp(ser[j].p, ser[best].p, ser[best].len) == 0;
		v->ser = ser[best];
		v->sample = segs[best]->vocab_sample;
		v->flags = segs[best]->vocab_flags;
		fmt_buf_init(&ser[best]);
	}
	for (size_t i = 0; i < n; i++)
		fmt_buf_free(&ser[i]);
	free(ser);
	return rc;
}

struct growbuf {
	uint32_t *v;
	size_t n, cap;
};

static int gb_push(struct growbuf *g, uint32_t x)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 1024;
		uint32_t *v = realloc(g->v, sizeof *v * cap);
		if (v == NULL)
			return ERR_NOMEM;
		g->v = v;
		g->cap = cap;
	}
	g->v[g->n++] = x;
	return 0;
}

int merge_segments(const char *dir, struct seg *const *segs, const uint8_t *const *dead,
		   size_t n, const char *outname, uint32_t flags, struct merge_out *mo,
		   struct err *e)
{
	int rc = 0;
	uint32_t **remap = calloc(n ? n : 1, sizeof *remap);
	uint32_t *live = calloc(n ? n : 1, sizeof *live);
	int *same = calloc(n ? n : 1, sizeof *same);
	struct seg_dict_iter *it = calloc(n ? n : 1, sizeof *it);
	int *more = calloc(n ? n : 1, sizeof *more);
	struct growbuf docs = {0}, tfs = {0}, pos = {0};
	uint32_t *tmp = NULL;
	size_t tmpcap = 0;
	sw_writer *w = NULL;
	struct sw_vocab vocab;
	memset(&vocab, 0, sizeof vocab);
	memset(mo, 0, sizeof *mo);
	if (!remap || !live || !same || !it || !more) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	uint32_t next = 0;
	for (size_t i = 0; i < n; i++) {
		if ((remap[i] = malloc(sizeof **remap * (segs[i]->ndocs + 1))) == NULL) {
			rc = err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		uint32_t first = next;
		for (uint32_t d = 0; d < segs[i]->ndocs; d++)
			remap[i][d] = is_dead(segs, dead, i, d) ? SEG_END : next++;
		live[i] = next - first;
	}
	if ((rc = choose_vocab(segs, live, n, &vocab, same, e)))
		goto out;
	if ((w = sw_open(dir, outname, AN_VERSION, flags, e)) == NULL) {
		rc = e->code;
		goto out;
	}
	if (vocab.ser.len > 0 && sw_use_vocab(w, &vocab)) {
		rc = err_set(e, sw_error(w)->code, "%s", sw_error(w)->msg);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if ((rc = copy_docs(w, segs[i], segs, dead, i, same[i], mo, e)))
			goto out;
		if ((rc = seg_dict_seek(&it[i], segs[i], (const uint8_t *)"", 0, e)))
			goto out;
		if ((more[i] = seg_dict_next(&it[i], e)) < 0) {
			rc = more[i];
			goto out;
		}
	}
	uint64_t nterms = 0;
	for (;;) {
		if ((++nterms & 4095) == 0)
			for (size_t i = 0; i < n; i++)
				if (more[i] == 1) {
					drop_before(&segs[i]->f[SEGF_POST], it[i].t.post_off);
					drop_before(&segs[i]->f[SEGF_POS], it[i].t.pos_off);
				}
		/* the smallest current key */
		size_t min = n;
		for (size_t i = 0; i < n; i++)
			if (more[i] == 1 && (min == n || key_cmp(&it[i].t, &it[min].t) < 0))
				min = i;
		if (min == n)
			break;
		struct seg_term key = it[min].t;
		docs.n = tfs.n = pos.n = 0;
		for (size_t i = 0; i < n; i++) {
			if (more[i] != 1 || key_cmp(&it[i].t, &key) != 0)
				continue;
			struct seg_postings pc;
			if ((rc = seg_postings_open(&pc, segs[i], &it[i].t, e)))
				goto out;
			for (uint32_t d = pc.doc; d != SEG_END; d = seg_postings_next(&pc)) {
				if (remap[i][d] == SEG_END)
					continue;
				uint32_t tf = seg_postings_tf(&pc);
				if (tf > tmpcap) {
					free(tmp);
					tmpcap = tf;
					if ((tmp = malloc(sizeof *tmp * tmpcap)) == NULL) {
						rc = err_set(e, ERR_NOMEM, "out of memory");
						goto out;
					}
				}
				if (seg_postings_positions(&pc, tmp, (uint32_t)tmpcap) != (int)tf) {
					pc.corrupt = 1;
					break;
				}
				if (gb_push(&docs, remap[i][d]) || gb_push(&tfs, tf)) {
					rc = err_set(e, ERR_NOMEM, "out of memory");
					goto out;
				}
				for (uint32_t k = 0; k < tf; k++)
					if (gb_push(&pos, tmp[k])) {
						rc = err_set(e, ERR_NOMEM, "out of memory");
						goto out;
					}
			}
			if (pc.corrupt) {
				rc = err_set(e, ERR_CORRUPT, "%s.spst: posting list is damaged", segs[i]->name);
				goto out;
			}
			if ((more[i] = seg_dict_next(&it[i], e)) < 0) {
				rc = more[i];
				goto out;
			}
		}
		if (docs.n > 0 &&
		    (rc = sw_add_term(w, key.key, key.keylen, (uint32_t)docs.n, docs.v, tfs.v, pos.v))) {
			err_set(e, rc, "%s", sw_error(w)->msg);
			goto out;
		}
	}
	mo->ndocs = next;
	rc = sw_finish(w, &mo->bytes, e);
	w = NULL;
out:
	if (w)
		sw_abort(w);
	for (size_t i = 0; remap && i < n; i++)
		free(remap[i]);
	free(remap);
	free(live);
	free(same);
	fmt_buf_free(&vocab.ser);
	free(it);
	free(more);
	free(docs.v);
	free(tfs.v);
	free(pos.v);
	free(tmp);
	return rc;
}
