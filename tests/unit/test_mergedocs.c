/*
 * test_mergedocs.c - a merge's renumbering of an input with deletions
 * (struct mlive: a live bitmap, ranked per word, with every 64th live
 * document's place) against plain arrays made from the same bitmap: rank
 * and liveness of every document, select of every live rank, and the next
 * live document after every position.  Patterns: none live but one, all
 * live, every other, runs that end on and across word boundaries, sparse
 * and dense random, at sizes around multiples of 64.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mergedocs.h"
#include "testutil.h"

static uint64_t seed = 11;

/* Is document d of a pattern live? */
static int pattern_live(unsigned pat, uint32_t d, uint32_t nd, uint32_t density)
{
	switch (pat) {
	case 0: return d == nd / 2;                  /* one */
	case 1: return 1;                            /* all */
	case 2: return d % 2 == 0;                   /* every other */
	case 3: return (d / 64) % 2 == 0;            /* whole words, alternate */
	case 4: return (d / 97) % 3 != 1;            /* runs across words */
	default: return splitmix64(&seed) % 1000 < density;
	}
}

int main(int argc, char **argv)
{
	if (argc > 1)
		seed = strtoull(argv[1], NULL, 10);
	printf("# seed %llu\n", (unsigned long long)seed);
	static const uint32_t sizes[] = {1, 2, 63, 64, 65, 127, 128, 129, 4095, 4096, 4097, 20000};
	static const uint32_t densities[] = {3, 200, 500, 990};
	int cases = 0, bad = 0;
	for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
		for (unsigned pat = 0; pat < 5 + 4; pat++) {
			uint32_t nd = sizes[si];
			uint32_t density = pat >= 5 ? densities[pat - 5] : 0;
			struct mlive l = {0};
			l.nwords = (nd + 63) / 64;
			l.bits = calloc(l.nwords, sizeof *l.bits);
			uint32_t *live_at = malloc(sizeof *live_at * nd); /* the naive select */
			uint32_t *rank = malloc(sizeof *rank * nd);       /* the naive rank */
			uint8_t *is_live = malloc(nd);
			uint32_t nlive = 0;
			for (uint32_t d = 0; d < nd; d++) {
				is_live[d] = (uint8_t)pattern_live(pat, d, nd, density);
				rank[d] = nlive;
				if (is_live[d]) {
					l.bits[d >> 6] |= (uint64_t)1 << (d & 63);
					live_at[nlive++] = d;
				}
			}
			CHECK(mlive_index(&l) == 0);
			cases++;
			int ok = 1;
			for (uint32_t d = 0; d < nd && ok; d++) {
				int live;
				uint32_t r = mlive_rank(&l, d, &live);
				if (r != rank[d] || live != is_live[d]) {
					CHECKF(0, "size %u pattern %u: rank of %u is %u (%d), want %u (%d)",
					       nd, pat, d, r, live, rank[d], is_live[d]);
					ok = 0;
				}
			}
			for (uint32_t k = 0; k < nlive && ok; k++) {
				uint32_t s = mlive_select(&l, k);
				if (s != live_at[k]) {
					CHECKF(0, "size %u pattern %u: select %u is %u, want %u", nd, pat,
					       k, s, live_at[k]);
					ok = 0;
				}
			}
			/* next from every position that has a live document at or after it */
			for (uint32_t d = 0, k = 0; d < nd && ok && k < nlive; d++) {
				while (k < nlive && live_at[k] < d)
					k++;
				if (k == nlive)
					break;
				uint32_t nx = mlive_next(&l, d);
				if (nx != live_at[k]) {
					CHECKF(0, "size %u pattern %u: next from %u is %u, want %u", nd,
					       pat, d, nx, live_at[k]);
					ok = 0;
				}
			}
			bad += !ok;
			mlive_free(&l);
			free(live_at);
			free(rank);
			free(is_live);
		}
	}
	CHECKF(bad == 0 && cases == 12 * 9, "%d of %d bitmaps wrong", bad, cases);
	return check_done("mergedocs");
}
