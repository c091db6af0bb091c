/*
 * test_real_index.c - the index built from the real PubMed files in
 * ../shared/corpus against a naive reference built here from the same
 * files: records read in the indexer's order (the last record for a PMID
 * wins, DeleteCitation removes), title and abstract analyzed into plain
 * arrays, then every posting list, frequency, position and length of those
 * two fields compared with what the compressed index decodes.  Skipped
 * (with a message) when the folder is absent.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyze.h"
#include "build.h"
#include "check.h"
#include "fields.h"
#include "inputs.h"
#include "ix.h"
#include "pubmed.h"
#include "seg.h"
#include "stored.h"
#include "testutil.h"

struct rdoc {
	uint32_t pmid;
	char *text[2]; /* title, abstract */
	int live;
};

static struct rdoc *docs;
static size_t ndocs, capdocs;

static struct rdoc *find(uint32_t pmid)
{
	for (size_t i = 0; i < ndocs; i++)
		if (docs[i].pmid == pmid && docs[i].live)
			return &docs[i];
	return NULL;
}

/* One reference posting: a term of a field in a document, with positions. */
struct occ {
	char term[AN_MAX_TERM_BYTES + 1];
	uint32_t pos;
};

struct occs {
	struct occ *v;
	size_t n, cap;
	uint32_t len; /* field length as FORMAT.md §3 defines it */
};

static int collect(void *ctx, const struct an_term *t)
{
	struct occs *o = ctx;
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 256;
		o->v = realloc(o->v, sizeof *o->v * o->cap);
	}
	memcpy(o->v[o->n].term, t->text, t->len);
	o->v[o->n].term[t->len] = '\0';
	o->v[o->n].pos = t->pos;
	o->n++;
	if (t->kind != AN_JOINED)
		o->len++;
	return 0;
}

static int cmp_occ(const void *a, const void *b)
{
	const struct occ *x = a, *y = b;
	int c = strcmp(x->term, y->term);
	if (c)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

int main(void)
{
	const char *root = "../shared/corpus";
	struct stat st;
	if (stat(root, &st) != 0) {
		printf("ok real_index # skip %s not present\n", root);
		return 0;
	}
	struct inputs in = {0}, files = {0};
	struct err e;
	err_clear(&e);
	CHECK(inputs_add(&in, root, &e) == 0);
	for (size_t i = 0; i < in.n; i++)
		if (!strstr(in.v[i], "/broken/") && !strstr(in.v[i], "/wrapped/"))
			inputs_add(&files, in.v[i], &e);
	inputs_free(&in);
	printf("# %zu real files\n", files.n);

	/* the reference: records in order, last wins, deletions applied */
	for (size_t f = 0; f < files.n; f++) {
		pm_reader *r = pm_open(files.v[f], PM_READ_AHEAD, &e);
		if (r == NULL)
			continue;
		struct pm_event ev;
		while (pm_next(r, &ev, &e) == 1) {
			if (ev.kind == PM_EV_DELETE) {
				for (size_t k = 0; k < ev.ndel; k++) {
					struct rdoc *d = find(ev.del[k]);
					if (d)
						d->live = 0;
				}
				continue;
			}
			struct rdoc *old = find(ev.rec->pmid);
			if (old)
				old->live = 0;
			if (ndocs == capdocs) {
				capdocs = capdocs ? capdocs * 2 : 1024;
				docs = realloc(docs, sizeof *docs * capdocs);
			}
			docs[ndocs].pmid = ev.rec->pmid;
			docs[ndocs].text[0] = strdup(ev.rec->title);
			docs[ndocs].text[1] = strdup(ev.rec->abstract);
			docs[ndocs].live = 1;
			ndocs++;
		}
		pm_close(r, NULL);
		err_clear(&e);
	}

	/* the index, through the real pipeline, compacted to one segment */
	char tmp[] = "/tmp/sarc-test-real-XXXXXX";
	if (mkdtemp(tmp) == NULL)
		return 1;
	char idx[600];
	snprintf(idx, sizeof idx, "%s/idx", tmp);
	struct bld_options o;
	struct bld_stats bs;
	memset(&o, 0, sizeof o);
	o.index = idx;
	o.files = (const char *const *)files.v;
	o.nfiles = files.n;
	o.threads = 2;
	o.memory_bytes = (size_t)4 << 20;
	o.stem = 1;
	o.keep_going = 1;
	CHECKF(bld_run(&o, &bs, NULL, NULL, &e) == 0, "%s", e.msg);
	memset(&o, 0, sizeof o);
	o.index = idx;
	o.threads = 1;
	o.memory_bytes = (size_t)4 << 20;
	o.merge_all = 1;
	CHECKF(bld_run(&o, &bs, NULL, NULL, &e) == 0, "%s", e.msg);

	struct ix x;
	CHECKF(ix_open(&x, idx, &e) == 0, "%s", e.msg);
	CHECK(x.nsegs == 1);
	if (x.nsegs != 1)
		return check_done("real_index");
	struct seg *s = &x.segs[0];
	size_t live = 0;
	for (size_t i = 0; i < ndocs; i++)
		live += docs[i].live;
	CHECKF(s->ndocs == live, "%u documents, reference has %zu", s->ndocs, live);

	struct an_settings as = {.stem = 1};
	an_analyzer *an = an_new(&as, &e);
	int bad_len = 0, bad_post = 0, missing = 0;
	size_t checked = 0;
	for (uint32_t d = 0; d < s->ndocs && an; d++) {
		struct rdoc *r = find(seg_doc_pmid(s, d));
		if (r == NULL) {
			missing++;
			continue;
		}
		for (unsigned f = 0; f < 2; f++) {
			struct occs oc = {0};
			uint32_t pos = 0;
			an_run(an, r->text[f], strlen(r->text[f]), &pos, NULL, collect, &oc);
			if (seg_doc_len(s, d, f) != (oc.len > 65535 ? 65535 : oc.len))
				bad_len++;
			if (oc.n > 1)
				qsort(oc.v, oc.n, sizeof *oc.v, cmp_occ);
			for (size_t i = 0; i < oc.n;) {
				size_t j = i;
				while (j < oc.n && strcmp(oc.v[j].term, oc.v[i].term) == 0)
					j++;
				/* the index's posting for (field, term, d) */
				uint8_t key[SEG_MAX_KEY];
				size_t kl = strlen(oc.v[i].term);
				key[0] = (uint8_t)f;
				memcpy(key + 1, oc.v[i].term, kl);
				struct seg_term t;
				struct seg_postings pc;
				uint32_t p[4096];
				if (seg_lookup(s, key, kl + 1, &t, &e) != 1 ||
				    seg_postings_open(&pc, s, &t, &e) != 0 ||
				    seg_postings_advance(&pc, d) != d ||
				    seg_postings_tf(&pc) != j - i) {
					bad_post++;
				} else {
					int np = seg_postings_positions(&pc, p, 4096);
					for (size_t k = i; k < j && (int)(k - i) < np; k++)
						if (p[k - i] != oc.v[k].pos)
							bad_post++;
				}
				checked++;
				i = j;
			}
			free(oc.v);
		}
	}
	an_free(an);
	printf("# %u documents, %zu postings compared\n", s->ndocs, checked);
	CHECKF(missing == 0, "%d indexed documents not in the reference", missing);
	CHECKF(bad_len == 0, "%d field lengths differ", bad_len);
	CHECKF(bad_post == 0, "%d postings differ", bad_post);
	CHECK(checked > 100000);
	/* and no extra postings: the dictionary's totals equal the reference's */
	uint64_t idx_postings = 0;
	struct seg_dict_iter it;
	seg_dict_seek(&it, s, (const uint8_t *)"", 0, &e);
	while (seg_dict_next(&it, &e) == 1)
		if (it.t.key[0] <= F_ABSTRACT)
			idx_postings += it.t.df;
	CHECKF(idx_postings == checked, "index has %llu title/abstract postings, reference %zu",
	       (unsigned long long)idx_postings, checked);

	/* the stored records came through flushes and a merge (copied or
	 * packed again, FORMAT.md §7.2): each still holds its title and
	 * abstract as the reader parsed them */
	int bad_rec = 0, bad_refs = 0;
	size_t with_refs = 0;
	for (uint32_t d = 0; d < s->ndocs; d++) {
		struct rdoc *r = find(seg_doc_pmid(s, d));
		uint8_t *raw = NULL;
		size_t n = 0;
		uint32_t *refs = NULL;
		struct st_record sr;
		if (r == NULL || seg_stored_get(s, d, &raw, &n, &e) != 0 ||
		    st_decode(raw, n, &sr, &refs) != 0 || sr.pmid != r->pmid ||
		    strcmp(sr.s[ST_TITLE], r->text[0]) != 0 || strcmp(sr.s[ST_ABSTRACT], r->text[1]) != 0)
			bad_rec++;
		/* the reference list read alone (FORMAT.md §7.3) is the one
		 * the whole record holds */
		uint32_t *alone = NULL;
		size_t nalone = 0;
		if (raw && refs && (seg_stored_refs(s, d, &alone, &nalone, &e) != 0 ||
				    nalone != sr.nrefs ||
				    (nalone && memcmp(alone, sr.refs, nalone * sizeof *alone) != 0)))
			bad_refs++;
		with_refs += nalone > 0;
		free(alone);
		free(raw);
		free(refs);
	}
	CHECKF(bad_rec == 0, "%d of %u stored records differ from the reference", bad_rec, s->ndocs);
	CHECKF(bad_refs == 0, "%d of %u reference lists read alone differ", bad_refs, s->ndocs);
	CHECKF(with_refs > 0, "%zu records with references", with_refs);
	ix_close(&x);
	test_rmdir(tmp);
	for (size_t i = 0; i < ndocs; i++) {
		free(docs[i].text[0]);
		free(docs[i].text[1]);
	}
	free(docs);
	inputs_free(&files);
	return check_done("real_index");
}
