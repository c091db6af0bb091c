/*
 * floor.c - how few bytes an index's postings and positions could take,
 * for `make bench` (tests/bench/run.sh): the yardstick beside which the
 * size target (postings, positions and all, as a share of the text) is
 * read.  It walks every posting of every segment and adds up, per field:
 *
 *   documents   log2 C(N, df) bits per term: which df of the segment's N
 *               documents hold it, every such set being equally likely
 *               (the generator draws words independently, so its lists
 *               carry about that much);
 *   frequencies the empirical entropy of the field's frequencies;
 *   positions   log2 C(len, tf) bits per posting: which tf of its len
 *               places the term takes, len being the field's length
 *               without stopwords, which positions count too, so this
 *               bound is lower than the true one.
 *
 * No code reaches these figures (a code also pays for its parameters, and
 * readers need skip data); a format may come close, not below.  Prints
 * one JSON line with the bytes by field and in all, and the bytes the
 * index spends on the same postings and positions.
 *
 * usage: floor INDEX
 * Build: see tests/bench/run.sh (links common/).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "ix.h"

#define TF_CLASSES 64 /* frequencies above are counted together */

/* log2 of n choose k. */
static double log2_choose(double n, double k)
{
	if (k <= 0 || k >= n)
		return 0;
	return (lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1)) / log(2.0);
}

struct field_floor {
	double doc_bits, pos_bits;
	double tf_count[TF_CLASSES];
	double postings;
	double post_bytes, pos_bytes; /* what the index spends */
};

static int walk(const struct seg *s, struct field_floor *ff, struct err *e)
{
	struct seg_dict_iter it;
	struct seg_postings c;
	int rc = seg_dict_seek(&it, s, (const uint8_t *)"", 0, e);
	while (rc == 0 && (rc = seg_dict_next(&it, e)) == 1) {
		unsigned f = it.t.key[0] < F_NFIELDS ? it.t.key[0] : 0;
		struct field_floor *p = &ff[f];
		p->doc_bits += log2_choose(s->ndocs, it.t.df);
		p->post_bytes += (double)it.t.post_len;
		p->pos_bytes += (double)it.t.pos_len;
		if ((rc = seg_postings_open(&c, s, &it.t, e)))
			break;
		for (uint32_t d = c.doc; d != SEG_END; d = seg_postings_next(&c)) {
			uint32_t tf = seg_postings_tf(&c);
			uint32_t len = seg_doc_len(s, d, f);
			p->pos_bits += log2_choose(len > tf ? len : tf, tf);
			p->tf_count[tf < TF_CLASSES ? tf : TF_CLASSES - 1]++;
			p->postings++;
		}
		if (c.corrupt) {
			rc = err_set(e, ERR_CORRUPT, "%s: a posting list is damaged", s->name);
			break;
		}
		rc = 0;
	}
	return rc < 0 ? rc : 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: floor INDEX\n");
		return 2;
	}
	struct ix x;
	struct err e;
	err_clear(&e);
	if (ix_open(&x, argv[1], &e)) {
		fprintf(stderr, "floor: %s\n", e.msg);
		return 2;
	}
	struct field_floor ff[F_NFIELDS];
	memset(ff, 0, sizeof ff);
	for (size_t i = 0; i < x.nsegs; i++)
		if (walk(&x.segs[i], ff, &e)) {
			fprintf(stderr, "floor: %s\n", e.msg);
			ix_close(&x);
			return 2;
		}
	double all = 0, spent = 0;
	printf("{\"engine\":\"sarc\",\"task\":\"floor\",\"fields\":{");
	for (unsigned f = 0; f < F_NFIELDS; f++) {
		double tf_bits = 0;
		for (int k = 0; k < TF_CLASSES; k++)
			if (ff[f].tf_count[k] > 0)
				tf_bits -= ff[f].tf_count[k] * log2(ff[f].tf_count[k] / ff[f].postings);
		double bytes = (ff[f].doc_bits + tf_bits + ff[f].pos_bits) / 8;
		all += bytes;
		spent += ff[f].post_bytes + ff[f].pos_bytes;
		printf("%s\"%s\":{\"documents\":%.0f,\"frequencies\":%.0f,\"positions\":%.0f,"
		       "\"floor\":%.0f,\"spent\":%.0f}",
		       f ? "," : "", field_name(f), ff[f].doc_bits / 8, tf_bits / 8, ff[f].pos_bits / 8,
		       bytes, ff[f].post_bytes + ff[f].pos_bytes);
	}
	printf("},\"floor\":%.0f,\"spent\":%.0f}\n", all, spent);
	ix_close(&x);
	return 0;
}
