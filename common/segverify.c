/*
 * segverify.c - --verify: the CRC of each file's body (seg_map_verify) and
 * every structural invariant of a segment (seg_verify), reading each byte
 * once and handing its pages back behind it.  Opening a segment checks
 * headers, trailers and the deletion file only; damage anywhere else is
 * found here, before a query meets it.
 */
#include "seg.h"

#include "bitpack.h"
#include "segfacet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes that verification reads of a file before it releases their pages
 * (seg_map_drop): it reads every byte of the index once, and a 10^7-citation
 * index kept 10 GB resident until the end. */
#define VERIFY_DROP ((uint64_t)64 << 20)

int seg_map_verify(const struct seg_map *m, const char *name, struct err *e)
{
	uint32_t crc = 0;
	for (uint64_t at = 0; at < m->body_len; at += VERIFY_DROP) {
		uint64_t n = m->body_len - at < VERIFY_DROP ? m->body_len - at : VERIFY_DROP;
		crc = fmt_crc32(crc, m->body + at, (size_t)n);
		seg_map_drop(m, at, at + n);
	}
	if (crc != m->h.body_crc)
		return err_set(e, ERR_CORRUPT, "%s: checksum mismatch (stored %08x, computed %08x)",
			       name, m->h.body_crc, crc);
	/* the padding is outside the CRC but must be zero (§2) */
	for (size_t i = SEG_HEADER_BYTES + m->body_len; i < m->size; i++)
		if (m->base[i] != 0)
			return err_set(e, ERR_CORRUPT, "%s: padding byte at offset %zu is not zero", name,
				       i);
	return 0;
}

int seg_verify(struct seg *s, const char *dir, struct err *e)
{
	(void)dir;
	int rc;
	for (int i = 0; i < SEGF_N; i++) {
		char fn[96];
		snprintf(fn, sizeof fn, "%s%s", s->name, seg_file_ext[i]);
		if ((rc = seg_map_verify(&s->f[i], fn, e)))
			return rc;
	}
	if (s->delname[0] && (rc = seg_map_verify(&s->del, s->delname, e)))
		return rc;
	/* pmid map sorted and pointing at documents with that pmid */
	/* the (pmid, doc) order strictly increases over n documents below
	 * n, so it is a permutation; a value's base plus its packed part
	 * stays in range */
	uint64_t prevkey = 0;
	for (uint32_t i = 0; i < s->ndocs; i++) {
		uint32_t d = seg_doc_by_rank(s, i);
		uint64_t key = d < s->ndocs ? (uint64_t)seg_doc_pmid(s, d) << 32 | d : 0;
		if (d >= s->ndocs || (i > 0 && key <= prevkey) ||
		    (uint64_t)s->col_pmid.base + bp_get(s->col_pmid.p, d, s->col_pmid.w) > UINT32_MAX)
			return err_set(e, ERR_CORRUPT, "%s.sdoc: pmid order entry %u is inconsistent",
				       s->name, i);
		prevkey = key;
		if ((uint32_t)s->col_year.base + bp_get(s->col_year.p, d, s->col_year.w) > UINT16_MAX)
			return err_set(e, ERR_CORRUPT, "%s.sdoc: year of document %u is out of range",
				       s->name, d);
	}
	/* every term in order, every posting list decodable, positions consistent */
	struct seg_dict_iter it;
	if ((rc = seg_dict_seek(&it, s, (const uint8_t *)"", 0, e)))
		return rc;
	uint8_t prev[SEG_MAX_KEY];
	size_t prevlen = 0;
	uint32_t count = 0;
	uint32_t *pos = malloc(sizeof *pos * 1024);
	uint64_t post_done = 0, pos_done = 0; /* released below these */
	/* facet keys against the stored records, when the segment has them */
	segfacet *fc = (s->flags & SEG_FLAG_FACETS) ? segfacet_new() : NULL;
	if (pos == NULL || ((s->flags & SEG_FLAG_FACETS) && fc == NULL)) {
		free(pos);
		segfacet_free(fc);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	while ((rc = seg_dict_next(&it, e)) == 1) {
		/* lists are in key order, front to back in both files */
		seg_map_drop_behind(&s->f[SEGF_POST], &post_done, it.t.post_off, VERIFY_DROP);
		seg_map_drop_behind(&s->f[SEGF_POS], &pos_done, it.t.pos_off, VERIFY_DROP);
		if (count > 0 && seg_key_cmp(prev, prevlen, it.t.key, it.t.keylen) >= 0) {
			rc = err_set(e, ERR_CORRUPT, "%s.sdic: terms out of order at term %u", s->name,
				     count);
			break;
		}
		memcpy(prev, it.t.key, it.t.keylen);
		prevlen = it.t.keylen;
		struct seg_postings pc;
		if ((rc = seg_postings_open(&pc, s, &it.t, e)))
			break;
		uint32_t n = 0, field = it.t.keylen ? it.t.key[0] : FK_END, loose = SEG_END;
		/* facet keys (§4.1) only where the header says so */
		if (field >= FK_END || (field >= F_NFIELDS && !(s->flags & SEG_FLAG_FACETS))) {
			rc = err_set(e, ERR_CORRUPT, "%s.sdic: term %u has no field this segment holds",
				     s->name, count);
			break;
		}
		uint64_t docsum = 0; /* a facet key's documents (segfacet_doc) */
		for (uint32_t d = pc.doc; d != SEG_END; d = seg_postings_next(&pc)) {
			n++;
			if (field >= F_NFIELDS)
				docsum += segfacet_doc(d);
			if (seg_postings_positions(&pc, pos, 1024) < 0) {
				pc.corrupt = 1;
				break;
			}
			/* a block's corners bound each of its postings (§5.2):
			 * one with a tf at least as high at a length no longer */
			uint32_t last, tf = seg_postings_tf(&pc);
			struct seg_corner cn[2];
			if (field < F_NFIELDS && loose == SEG_END &&
			    seg_postings_block_max(&pc, d, &last, cn) == 0) {
				uint16_t len = seg_doc_len(s, d, field);
				if (!((cn[0].tf >= tf && cn[0].len <= len) ||
				      (cn[1].tf >= tf && cn[1].len <= len)))
					loose = d;
			}
		}
		if (pc.corrupt || n != it.t.df) {
			rc = err_set(e, ERR_CORRUPT, "%s.spst: posting list of term %u is damaged",
				     s->name, count);
			break;
		}
		if (loose != SEG_END) {
			rc = err_set(e, ERR_CORRUPT,
				     "%s.spst: the block maxima of term %u do not bound document %u",
				     s->name, count, loose);
			break;
		}
		if (field >= F_NFIELDS && segfacet_key(fc, it.t.key, it.t.keylen, it.t.df, docsum)) {
			rc = err_set(e, ERR_NOMEM, "out of memory");
			break;
		}
		count++;
	}
	free(pos);
	if (rc == 0 && count != s->nterms)
		rc = err_set(e, ERR_CORRUPT, "%s.sdic: %u terms found, %u declared", s->name, count,
			     s->nterms);
	if (rc) {
		segfacet_free(fc);
		return rc;
	}
	/* every stored record: the vocabulary loads, each block inflates
	 * whole and frames exactly its records, each unpacking to bytes with
	 * a matching CRC */
	uint8_t *raw = NULL;
	struct fmt_buf rec, scratch;
	fmt_buf_init(&rec);
	fmt_buf_init(&scratch);
	uint64_t text = 0, sto_done = 0;
	for (uint32_t b = 0; b < s->nstoredblocks && rc == 0; b++) {
		struct seg_stored_blk k;
		struct st_block sb;
		if ((rc = seg_stored_entry(s, b, &k, e)))
			break;
		seg_map_drop_behind(&s->f[SEGF_STORED], &sto_done,
				    (uint64_t)(k.comp - s->f[SEGF_STORED].body), VERIFY_DROP);
		if ((rc = seg_stored_open_block(s, b, &raw, &sb, e)))
			break;
		uint64_t btext = 0;
		for (uint32_t i = 0; i < k.count && rc == 0; i++) {
			rec.len = 0;
			rc = seg_stored_next(s, b, &sb, &scratch, &rec, e);
			btext += rec.len;
			int frc = rc == 0 && fc ? segfacet_record(fc, k.first + i, rec.p, rec.len) : 0;
			if (frc)
				rc = err_set(e, frc, frc == ERR_NOMEM ? "out of memory" :
					     "%s.ssto: stored record of document %u is damaged", s->name,
					     k.first + i);
		}
		text += btext;
		if (rc == 0 && (st_block_done(&sb) || btext != k.text))
			rc = err_set(e, ERR_CORRUPT, "%s.ssto: stored block %u is damaged", s->name, b);
	}
	fmt_buf_free(&scratch);
	if (rc == 0)
		rc = seg_load_vocab(s, e);
	if (rc == 0 && st_vocab_check(s->vocab))
		rc = err_set(e, ERR_CORRUPT, "%s.ssto: stored vocabulary is damaged", s->name);
	if (rc == 0 && text != s->stored_text_bytes)
		rc = err_set(e, ERR_CORRUPT, "%s.ssto: records hold %llu bytes, the trailer says %llu",
			     s->name, (unsigned long long)text,
			     (unsigned long long)s->stored_text_bytes);
	if (rc == 0 && fc)
		rc = segfacet_check(fc, s->name, e);
	segfacet_free(fc);
	free(raw);
	fmt_buf_free(&rec);
	/* the next segment's pages replace this one's */
	seg_map_release(s->f, SEGF_N);
	return rc;
}
