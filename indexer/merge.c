/*
 * merge.c - segment merging (see merge.h).  Documents are renumbered by
 * concatenation; stored blocks are copied compressed where the segments
 * share a vocabulary and nothing in the block was deleted; dictionaries
 * are merged k ways (k is small: the merge policy bounds it), and each
 * term's postings are decoded, renumbered and re-encoded by the segment
 * writer, which recomputes the block maxima.  An input without facet
 * keys (format version 6) has them made from its stored records as its
 * documents are copied (mergefacet.h), so the new segment has them all.
 */
#include "merge.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "fmt.h"
#include "mergedocs.h"
#include "mergefacet.h"
#include "segwrite.h"

/* Bytes of an input a merge reads (postings and positions: all inputs
 * together; stored blocks: one input's) before it releases the pages read
 * (seg_map_drop): mapped pages count in the process's resident set. */
#define DROP_BYTES ((uint64_t)1 << 20)

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
 * and packed again, one inflate per block.  With mf (the segment has no
 * facet keys), every live record is also unpacked for its facet values,
 * added to mf under its number in the new segment. */
static int copy_docs(sw_writer *w, struct seg *s, struct seg *const *segs,
		     const uint8_t *const *dead, size_t i, int same, const struct mdocs *md,
		     mfacet *mf, struct merge_out *mo, struct err *e)
{
	uint8_t *raw = NULL;
	struct fmt_buf rec, scratch;
	fmt_buf_init(&rec);
	fmt_buf_init(&scratch);
	int rc = 0;
	uint64_t dropped = 0; /* stored body released up to here */
	for (uint32_t b = 0; b < s->nstoredblocks && !rc; b++) {
		struct seg_stored_blk k;
		if ((rc = seg_stored_entry(s, b, &k, e)))
			break;
		/* a 100,000-citation input has 60 MB of stored blocks */
		seg_map_drop_behind(&s->f[SEGF_STORED], &dropped,
				    (uint64_t)(k.comp - s->f[SEGF_STORED].body), DROP_BYTES);
		uint32_t live = 0;
		for (uint32_t d = k.first; d < k.first + k.count; d++)
			live += !mdocs_dead(segs, dead, i, d);
		if (live == 0)
			continue;
		int copy = same && live == k.count;
		if (copy) {
			if (sw_add_stored_block(w, &k)) {
				rc = err_set(e, sw_error(w)->code, "%s", sw_error(w)->msg);
				break;
			}
			for (uint32_t d = k.first; d < k.first + k.count && !rc; d++)
				rc = add_doc(w, s, d, NULL, 0, e);
			mo->blocks_copied++;
			if (rc || mf == NULL)
				continue;
		}
		struct st_block it;
		if ((rc = seg_stored_open_block(s, b, &raw, &it, e)))
			break;
		for (uint32_t d = k.first; d < k.first + k.count && !rc; d++) {
			int dead_doc = mdocs_dead(segs, dead, i, d);
			rec.len = 0;
			if ((rc = seg_stored_next(s, b, &it, &scratch, dead_doc ? NULL : &rec, e)) ||
			    dead_doc)
				continue;
			if (!copy && (rc = add_doc(w, s, d, rec.p, rec.len, e)))
				break;
			if (mf && (rc = mfacet_add(mf, mdocs_out(md, i, d), rec.p, rec.len)) ==
					  ERR_CORRUPT)
				err_set(e, rc, "%s.ssto: stored record of document %u is damaged",
					s->name, d);
			else if (rc)
				err_set(e, rc, "out of memory");
		}
		if (!copy)
			mo->blocks_packed++;
	}
	free(raw);
	fmt_buf_free(&rec);
	fmt_buf_free(&scratch);
	seg_map_drop(&s->f[SEGF_STORED], 0, s->f[SEGF_STORED].body_len);
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
	uint64_t best_live = 0;
	size_t best = n;
	for (size_t i = 0; i < n; i++) {
		if (!(segs[i]->vocab_flags & SEG_VOCAB_FULL))
			continue;
		uint64_t cover = 0;
		for (size_t j = 0; j < n; j++)
			if (seg_same_vocab(segs[j], segs[i]))
				cover += live[j];
		if (cover > best_live) {
			best_live = cover;
			best = i;
		}
	}
	if (best == n)
		return 0;
	for (size_t j = 0; j < n; j++)
		same[j] = seg_same_vocab(segs[j], segs[best]);
	v->sample = segs[best]->vocab_sample;
	v->flags = segs[best]->vocab_flags;
	return seg_stored_vocab(segs[best], &v->ser, e);
}

/* One key range of a merge, [lo, hi) (hi NULL: to the end), written by
 * w: the main writer for the first range, a part writer (sw_open_part)
 * for the others, each on its own thread. */
struct range {
	struct seg *const *segs;
	size_t n;
	const struct mdocs *md;
	const mfacet *mf; /* the facet keys of inputs without them, or NULL */
	int facets;       /* the new segment has facet keys (§4.1) */
	uint8_t lo[SEG_MAX_KEY], hi[SEG_MAX_KEY];
	size_t lolen, hilen;
	int has_hi;
	sw_writer *w;
	pthread_t th;
	struct err e;
	int rc;
};

/* Releases what a range has read of each input since post0/pos0: up to
 * its iterator (more 1), or the next range's first key (2), or the end. */
static void drop_read(struct seg *const *segs, size_t n, const struct seg_dict_iter *it,
		      const int *more, uint64_t *post0, uint64_t *pos0)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t po = more[i] ? it[i].t.post_off : segs[i]->f[SEGF_POST].body_len;
		uint64_t qo = more[i] ? it[i].t.pos_off : segs[i]->f[SEGF_POS].body_len;
		seg_map_drop(&segs[i]->f[SEGF_POST], post0[i], po);
		seg_map_drop(&segs[i]->f[SEGF_POS], pos0[i], qo);
		/* and the lengths the block maxima read, all over the table:
		 * they come back from the page cache when needed */
		seg_map_release(&segs[i]->f[SEGF_DOC], 1);
		post0[i] = po;
		pos0[i] = qo;
	}
}

/* Moves input i's iterator to its next key of the range: 1 there, 2 at
 * the next range's first key (it[i] stays valid), 0 at the end, <0
 * corrupt.  An input without facet keys ends before them: were it to
 * hold some, they would not be its records' (--verify refuses them); so
 * does every input when the new segment has none. */
static int next_key(const struct range *r, struct seg_dict_iter *it, size_t i, struct err *e)
{
	int more = seg_dict_next(it, e);
	if (more == 1 && it->t.key[0] >= F_NFIELDS &&
	    (!r->facets || !(r->segs[i]->flags & SEG_FLAG_FACETS)))
		more = 0;
	if (more == 1 && r->has_hi && seg_key_cmp(it->t.key, it->t.keylen, r->hi, r->hilen) >= 0)
		more = 2;
	return more;
}

/* Room for tf positions in *tmp (*cap of them). */
static int pos_room(uint32_t **tmp, size_t *cap, uint32_t tf, struct err *e)
{
	if (tf <= *cap)
		return 0;
	free(*tmp);
	*cap = tf;
	if ((*tmp = malloc(sizeof **tmp * *cap)) == NULL) {
		*cap = 0;
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	return 0;
}

static void *merge_range(void *arg)
{
	struct range *r = arg;
	struct seg *const *segs = r->segs;
	size_t n = r->n;
	struct err *e = &r->e;
	struct seg_dict_iter *it = calloc(n, sizeof *it);
	int *more = calloc(n, sizeof *more);
	uint64_t *post0 = calloc(n, sizeof *post0), *pos0 = calloc(n, sizeof *pos0);
	uint32_t *tmp = NULL;
	size_t tmpcap = 0;
	struct fmt_buf fbuf; /* the postings of a made facet key */
	fmt_buf_init(&fbuf);
	/* the made facet keys of this range: [fk, fk_end) */
	size_t fk = 0, fk_end = 0;
	int rc = 0;
	if (!it || !more || !post0 || !pos0) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (r->mf) {
		fk = mfacet_seek(r->mf, r->lo, r->lolen);
		fk_end = r->has_hi ? mfacet_seek(r->mf, r->hi, r->hilen) : mfacet_nkeys(r->mf);
	}
	for (size_t i = 0; i < n; i++) {
		if ((rc = seg_dict_seek(&it[i], segs[i], r->lo, r->lolen, e)))
			goto out;
		if ((more[i] = next_key(r, &it[i], i, e)) < 0) {
			rc = more[i];
			goto out;
		}
		post0[i] = more[i] ? it[i].t.post_off : segs[i]->f[SEGF_POST].body_len;
		pos0[i] = more[i] ? it[i].t.pos_off : segs[i]->f[SEGF_POS].body_len;
	}
	uint64_t read_since = 0;
	for (;;) {
		/* the smallest current key, of the inputs' and the made ones */
		size_t min = n;
		for (size_t i = 0; i < n; i++)
			if (more[i] == 1 && (min == n || key_cmp(&it[i].t, &it[min].t) < 0))
				min = i;
		const uint8_t *key = min < n ? it[min].t.key : NULL;
		size_t keylen = min < n ? it[min].t.keylen : 0, mlen = 0;
		const uint8_t *mkey = fk < fk_end ? mfacet_key(r->mf, fk, &mlen) : NULL;
		if (mkey && (key == NULL || seg_key_cmp(mkey, mlen, key, keylen) < 0)) {
			key = mkey;
			keylen = mlen;
		}
		if (key == NULL)
			break;
		uint8_t kb[SEG_MAX_KEY]; /* it[min] moves on below */
		memcpy(kb, key, keylen);
		key = kb;
		struct mfacet_list ml;
		ml.doc = SEG_END;
		if (mkey && seg_key_cmp(mkey, mlen, key, keylen) == 0) {
			if (mfacet_open(r->mf, fk++, &fbuf, &ml)) {
				rc = err_set(e, ERR_NOMEM, "out of memory");
				goto out;
			}
		}
		if (sw_term_begin(r->w, key, keylen)) {
			rc = err_set(e, sw_error(r->w)->code, "%s", sw_error(r->w)->msg);
			goto out;
		}
		/* input by input, so that documents come in increasing order */
		for (size_t i = 0; i < n; i++) {
			/* the made postings of input i: its documents' numbers */
			while (ml.doc < r->md->first[i + 1]) {
				uint32_t d = ml.doc, tf = ml.tf;
				if ((rc = pos_room(&tmp, &tmpcap, tf, e)))
					goto out;
				mfacet_next(&ml, tmp);
				if (sw_term_add(r->w, d, tf, tmp)) {
					rc = err_set(e, sw_error(r->w)->code, "%s", sw_error(r->w)->msg);
					goto out;
				}
			}
			if (more[i] != 1 || seg_key_cmp(it[i].t.key, it[i].t.keylen, key, keylen) != 0)
				continue;
			struct seg_postings pc;
			if ((rc = seg_postings_open(&pc, segs[i], &it[i].t, e)))
				goto out;
			read_since += it[i].t.post_len + it[i].t.pos_len;
			for (uint32_t d = pc.doc; d != SEG_END; d = seg_postings_next(&pc)) {
				uint32_t od = mdocs_out(r->md, i, d);
				if (od == SEG_END)
					continue;
				uint32_t tf = seg_postings_tf(&pc);
				if ((rc = pos_room(&tmp, &tmpcap, tf, e)))
					goto out;
				if (seg_postings_positions(&pc, tmp, (uint32_t)tmpcap) != (int)tf) {
					pc.corrupt = 1;
					break;
				}
				if (sw_term_add(r->w, od, tf, tmp)) {
					rc = err_set(e, sw_error(r->w)->code, "%s", sw_error(r->w)->msg);
					goto out;
				}
			}
			if (pc.corrupt) {
				rc = err_set(e, ERR_CORRUPT, "%s.spst: posting list is damaged", segs[i]->name);
				goto out;
			}
			if ((more[i] = next_key(r, &it[i], i, e)) < 0) {
				rc = more[i];
				goto out;
			}
		}
		assert(ml.doc == SEG_END);
		/* by bytes read, not by terms (a few thousand frequent terms
		 * span much of a file), and all inputs at once (with dozens of
		 * inputs, a threshold per input would keep dozens of times it) */
		if (read_since >= DROP_BYTES) {
			drop_read(segs, n, it, more, post0, pos0);
			read_since = 0;
		}
		if ((rc = sw_term_end(r->w))) {
			err_set(e, rc, "%s", sw_error(r->w)->msg);
			goto out;
		}
	}
	drop_read(segs, n, it, more, post0, pos0);
out:
	free(it);
	free(more);
	free(post0);
	free(pos0);
	free(tmp);
	fmt_buf_free(&fbuf);
	r->rc = rc;
	return NULL;
}

/* Splits the keys into nr ranges of about equal postings and positions,
 * by the dictionary of the largest input (a scan of its entries: a few
 * tens of milliseconds against seconds of merging).  Sets r[k].lo for k
 * >= 1 (r[0] starts at the first key) and returns the number of ranges,
 * fewer when the lists are too few to be worth splitting. */
static size_t split_ranges(struct seg *const *segs, size_t n, struct range *r, size_t nr)
{
	size_t big = 0;
	for (size_t i = 1; i < n; i++)
		if (segs[i]->f[SEGF_POST].body_len + segs[i]->f[SEGF_POS].body_len >
		    segs[big]->f[SEGF_POST].body_len + segs[big]->f[SEGF_POS].body_len)
			big = i;
	uint64_t total = segs[big]->f[SEGF_POST].body_len + segs[big]->f[SEGF_POS].body_len;
	/* below a few megabytes a thread costs more than it saves */
	if (nr < 2 || total < ((uint64_t)4 << 20))
		return 1;
	/* a damaged dictionary is reported by the merge itself */
	struct seg_dict_iter it;
	struct err le;
	err_clear(&le);
	if (seg_dict_seek(&it, segs[big], (const uint8_t *)"", 0, &le))
		return 1;
	size_t k = 1;
	uint64_t sum = 0;
	while (k < nr && seg_dict_next(&it, &le) == 1) {
		if (sum >= total / nr * k) {
			memcpy(r[k].lo, it.t.key, it.t.keylen);
			r[k].lolen = it.t.keylen;
			k++;
		}
		sum += it.t.post_len + it.t.pos_len;
	}
	return k;
}

/* How many key ranges to merge at once: up to `threads`, as memory
 * allows.  Each range reads every input at its own place, and the kernel
 * maps page-cache folios of up to 2 MB whole (ext4 on Linux 6.x), so a
 * range keeps about 4 MB of each input's postings and positions mapped,
 * besides its decoding buffers (a frequent term's lists: tens of MB).
 * Measured on 10^6 citations under --memory 256M on two threads: 34
 * inputs, peak RSS 257 MB with one range and 316 MB with two. */
static size_t merge_ranges(size_t n, unsigned threads, size_t memory)
{
	size_t nr = threads < 1 ? 1 : threads > 64 ? 64 : threads;
	uint64_t per_range = (uint64_t)n * (4u << 20) + ((uint64_t)32 << 20);
	while (nr > 1 && nr * per_range > memory / 2)
		nr--;
	return nr;
}

int merge_segments(const char *dir, struct seg *const *segs, const uint8_t *const *dead,
		   size_t n, const char *outname, uint32_t flags, unsigned threads,
		   size_t memory, struct merge_out *mo, struct err *e)
{
	int rc = 0;
	struct mdocs md;
	uint32_t *live = calloc(n ? n : 1, sizeof *live);
	int *same = calloc(n ? n : 1, sizeof *same);
	size_t nr = merge_ranges(n, threads, memory);
	struct range *ranges = calloc(nr, sizeof *ranges);
	sw_writer *w = NULL;
	mfacet *mf = NULL;
	struct sw_vocab vocab;
	memset(&vocab, 0, sizeof vocab);
	memset(mo, 0, sizeof *mo);
	int md_rc = mdocs_init(&md, segs, dead, n, e);
	if (md_rc) {
		rc = md_rc;
		goto out;
	}
	if (!live || !same || !ranges) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		live[i] = mdocs_live(&md, i);
	if ((rc = choose_vocab(segs, live, n, &vocab, same, e)))
		goto out;
	/* The segment has facet keys (§4.1), made for the inputs without:
	 * counts taken from them must leave no document out, and an index
	 * from before they existed gets them at its next merge, when --memory
	 * holds them (mfacet_fits); else it has none, as those inputs. */
	uint64_t nokeys = 0;
	for (size_t i = 0; i < n; i++)
		if (!(segs[i]->flags & SEG_FLAG_FACETS))
			nokeys += live[i];
	int facets = mfacet_fits(nokeys, memory);
	if (facets && nokeys > 0 && (mf = mfacet_new()) == NULL) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	flags = (flags & ~SEG_FLAG_FACETS) | (facets ? SEG_FLAG_FACETS : 0);
	if ((w = sw_open(dir, outname, AN_VERSION, flags, e)) == NULL) {
		rc = e->code;
		goto out;
	}
	sw_use_docsrc(w, &md.src);
	if (vocab.ser.len > 0 && sw_use_vocab(w, &vocab)) {
		rc = err_set(e, sw_error(w)->code, "%s", sw_error(w)->msg);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if ((rc = copy_docs(w, segs[i], segs, dead, i, same[i], &md,
				    (segs[i]->flags & SEG_FLAG_FACETS) ? NULL : mf, mo, e)))
			goto out;
	if (mf && mfacet_sort(mf)) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	/* the terms: the first range here, the others on threads of their own */
	nr = split_ranges(segs, n, ranges, nr);
	for (size_t k = 0; k < nr; k++) {
		ranges[k].segs = segs;
		ranges[k].n = n;
		ranges[k].md = &md;
		ranges[k].mf = mf;
		ranges[k].facets = facets;
		if (k + 1 < nr) {
			memcpy(ranges[k].hi, ranges[k + 1].lo, ranges[k + 1].lolen);
			ranges[k].hilen = ranges[k + 1].lolen;
			ranges[k].has_hi = 1;
		}
		err_clear(&ranges[k].e);
		ranges[k].w = k == 0 ? w : sw_open_part(w, (unsigned)k, &ranges[k].e);
		if (ranges[k].w == NULL) {
			rc = err_set(e, ranges[k].e.code, "%s", ranges[k].e.msg);
			nr = k;
			break;
		}
	}
	size_t started = 1;
	for (; rc == 0 && started < nr; started++)
		if (pthread_create(&ranges[started].th, NULL, merge_range, &ranges[started]) != 0)
			break;
	if (rc == 0)
		merge_range(&ranges[0]);
	for (size_t k = 1; k < started; k++)
		pthread_join(ranges[k].th, NULL);
	for (size_t k = started; rc == 0 && k < nr; k++)
		merge_range(&ranges[k]); /* a thread that did not start */
	for (size_t k = 0; k < nr && rc == 0; k++)
		if (ranges[k].rc)
			rc = err_set(e, ranges[k].rc, "%s", ranges[k].e.msg);
	for (size_t k = 1; k < nr; k++) {
		if (rc == 0 && sw_append_part(w, ranges[k].w))
			rc = err_set(e, sw_error(w)->code, "%s", sw_error(w)->msg);
		else if (rc)
			sw_abort(ranges[k].w);
		ranges[k].w = NULL;
	}
	if (rc)
		goto out;
	mo->ndocs = md.first[n];
	rc = sw_finish(w, &mo->bytes, e);
	w = NULL;
out:
	if (w)
		sw_abort(w);
	mdocs_free(&md);
	mfacet_free(mf);
	free(live);
	free(same);
	free(ranges);
	fmt_buf_free(&vocab.ser);
	return rc;
}
