/*
 * example.c - a C program that embeds the sarc engine (README "Embedding
 * the engine"): it searches an index and prints each hit's PMID, score,
 * year and title, tab-separated, best first.  With sarc installed:
 *
 *   cc example.c $(pkg-config --cflags --libs sarc) -o example
 *   ./example sarcoma.idx 'leiomyosarcoma trabectedin'
 *
 * Its exit status is sarc-query's: 0 hits found, 1 none, 2 an error.
 * tests/e2e/library.sh builds it from an installed tree and compares its
 * output with sarc-query's.
 */
#include <stdio.h>
#include <stdlib.h>

#include <sarc.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: example INDEX QUERY\n");
		return 2;
	}
	char err[256]; /* every fallible call writes its reason here */
	sarc_index *ix;
	if (sarc_open(argv[1], &ix, err, sizeof err) != 0) {
		fprintf(stderr, "example: %s\n", err);
		return 2;
	}
	sarc_query *q;
	if (sarc_query_parse(ix, argv[2], NULL, &q, err, sizeof err) != 0) {
		fprintf(stderr, "example: %s\n", err);
		sarc_close(ix);
		return 2;
	}

	struct sarc_search_opts o;
	sarc_search_opts_default(&o); /* BM25 as README "Ranking" says, 10 hits */
	o.k = 20;
	struct sarc_hit *hits;
	size_t nhits;
	int status = 2;
	if (sarc_search(ix, q, &o, &hits, &nhits, err, sizeof err) == 0) {
		status = nhits > 0 ? 0 : 1;
		for (size_t i = 0; i < nhits; i++) {
			/* the stored record: its strings live until sarc_doc_free */
			struct sarc_doc d;
			if (sarc_doc_get(ix, &hits[i], &d, err, sizeof err) != 0) {
				status = 2;
				break;
			}
			printf("%u\t%.6f\t%u\t%s\n", (unsigned)d.pmid, hits[i].score,
			       (unsigned)d.year, d.title);
			sarc_doc_free(&d);
		}
		free(hits); /* the hits are the caller's */
	}
	if (status == 2)
		fprintf(stderr, "example: %s\n", err);

	sarc_query_free(q);
	sarc_close(ix);
	return status;
}
