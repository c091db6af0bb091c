/*
 * engtopk.c - the best k hits of a ranked run, kept in a heap ordered by
 * (score, then lower PMID) (better, engrun.h), and where each match a run
 * finds goes: to the heap or to the run's visitor.  The heap's worst hit
 * is the threshold the rankers prune against (engwindow.c).
 */
#include "engrun.h"

static void heap_down(struct heap *hp, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < hp->n && better(&hp->h[m], &hp->h[l]))
			m = l;
		if (r < hp->n && better(&hp->h[m], &hp->h[r]))
			m = r;
		if (m == i)
			return;
		struct sarc_hit t = hp->h[i];
		hp->h[i] = hp->h[m];
		hp->h[m] = t;
		i = m;
	}
}

static void heap_push(struct heap *hp, const struct sarc_hit *x)
{
	if (hp->k == 0)
		return;
	if (hp->n < hp->k) {
		size_t i = hp->n++;
		hp->h[i] = *x;
		while (i > 0) {
			size_t p = (i - 1) / 2;
			if (!better(&hp->h[p], &hp->h[i]))
				break;
			struct sarc_hit t = hp->h[i];
			hp->h[i] = hp->h[p];
			hp->h[p] = t;
			i = p;
		}
		return;
	}
	if (better(x, &hp->h[0])) {
		hp->h[0] = *x;
		heap_down(hp, 0);
	}
}

void eng_offer(struct run *r, size_t segno, uint32_t doc, double score)
{
	const struct seg *s = &r->ix->x.segs[segno];
	/* a visitor reads what it needs itself: a count reads nothing */
	if (r->q->has_exclude && seg_doc_pmid(s, doc) == r->q->exclude_pmid)
		return;
	if (r->visit) {
		r->visit(r, segno, doc, score);
		return;
	}
	struct sarc_hit h = {.pmid = seg_doc_pmid(s, doc),
			     .year = seg_doc_year(s, doc),
			     .score = score,
			     .seg = (uint32_t)segno,
			     .doc = doc};
	heap_push(&r->hp, &h);
}

