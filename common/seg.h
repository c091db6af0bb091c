/*
 * seg.h - the on-disk index: file headers, the manifest, and read access
 * to one immutable segment (FORMAT.md is the byte-level specification;
 * section numbers below refer to it).
 *
 * A segment is five files sharing a name (seg-000007.sdoc .sdic .spst .spos
 * .ssto) plus, when some of its documents were deleted or replaced later,
 * one deletion file (seg-000007.del-000012).  Readers mmap the files and
 * check headers only; seg_verify() checks every checksum and invariant.
 *
 * One file a part: segmap.c (headers, mappings), seg.c (opening, the
 * document table), segdict.c (dictionary), segpost.c (posting cursors),
 * segstored.c (stored records), segverify.c (seg_verify, seg_map_verify).
 */
#ifndef SEG_H
#define SEG_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

struct libdeflate_decompressor;

#include "bitpack.h"
#include "err.h"
#include "fields.h"
#include "fmt.h"
#include "stblock.h"
#include "stored.h"

#define SARC_FORMAT_VERSION 7
/* The oldest version read: 6 differs from 7 only in having no facet keys
 * (§4.1), so its indexes stay usable, their facets counted the slow way. */
#define SARC_FORMAT_OLDEST 6
#define SEG_HEADER_BYTES 32
#define SEG_BLOCK 128          /* postings per block (FORMAT.md §5) */
#define SEG_DICT_BLOCK 32      /* terms per front-coded dictionary block (§4) */
#define SEG_STORED_BLOCK ST_BLOCK_MAX /* most records in one compressed stored block (§7) */
#define SEG_STORED_ENTRY 24    /* bytes of one .ssto block index entry (§7) */
#define SEG_STORED_TRAILER 40  /* bytes of the .ssto trailer (§7) */
#define SEG_VOCAB_FULL 1u      /* .ssto vocabulary flag: chosen from a full sample (§7.2) */
/* Header flag (§2): the segment has facet keys for every document (§4.1).
 * The other flags are the analyzer's, the manifest's (MF_FLAG_STEM). */
#define SEG_FLAG_FACETS 2u
/* Most documents in one segment (§3): far below 2^32 so that counts
 * rounded up to blocks (128, 4096) or bitmap words stay in 32 bits; the
 * whole of PubMed is about 38 million. */
#define SEG_MAX_DOCS (UINT32_MAX - 65536)
/* Largest inflated stored block (§7): 48 records of at most 1 MiB each
 * (PM_MAX_RECORD_BYTES), their columns' lengths and checks. */
#define SEG_STORED_RAW_MAX (64u << 20)
#define SEG_MAX_KEY 256        /* field byte + term bytes */
#define DICT_ESC 15            /* a 4-bit length of a dictionary entry that a varint completes (§4) */
/* A skip table (§5.1) is a column of values per block for each of: */
enum { SK_LAST, SK_OFF, SK_POS, SK_TF1, SK_LEN1, SK_TF2, SK_LEN2, SEG_SKIP_COLS };
#define SEG_POS_RICE_MIN 8     /* fewer positions in a block: varints (§5.3) */
#define SEG_POS_VARINT 255     /* seg_postings.pos_k of a block of varints */
#define SEG_TAIL_PAD 64        /* zero bytes after every body: SIMD decoders may over-read */

/* File kinds: the 4 bytes after "SARC" in the magic. */
#define SEG_KIND_DOC "SDOC"
#define SEG_KIND_DICT "SDIC"
#define SEG_KIND_POST "SPST"
#define SEG_KIND_POS "SPOS"
#define SEG_KIND_STORED "SSTO"
#define SEG_KIND_DEL "SDEL"
#define SEG_KIND_MANIFEST "SMAN"

enum { SEGF_DOC, SEGF_DICT, SEGF_POST, SEGF_POS, SEGF_STORED, SEGF_N };
extern const char *const seg_file_ext[SEGF_N]; /* ".sdoc", ... (constant table) */
extern const char *const seg_file_kind[SEGF_N];

/* Bytes per document of the .sdoc columns (§3). */
#define SEG_DOC_BYTES (4 + 2 + 2 * F_NFIELDS)

/* The 32-byte header every file starts with (§2). */
struct seg_header {
	char kind[5];        /* "SDOC", ... NUL-terminated */
	uint32_t version;    /* SARC_FORMAT_VERSION */
	uint32_t an_version; /* analyzer version (analyze.h AN_VERSION) */
	uint32_t flags;      /* bit 0: stemmed */
	uint32_t body_crc;   /* CRC-32 of the body (body_len bytes after the header) */
	uint64_t body_len;
};

void seg_header_encode(uint8_t out[SEG_HEADER_BYTES], const struct seg_header *h);
/* Decodes and checks magic/kind/version; path names the file in messages. */
int seg_header_decode(const uint8_t *p, size_t n, const char *kind, const char *path,
		      struct seg_header *h, struct err *e);

/* A read-only mapping of one file. */
struct seg_map {
	const uint8_t *base; /* whole file */
	size_t size;
	const uint8_t *body; /* base + SEG_HEADER_BYTES */
	size_t body_len;
	struct seg_header h;
};

/* Maps dir/name, checks its header (kind, version, length).  Empty files
 * and short files are ERR_CORRUPT. */
int seg_map_open(struct seg_map *m, const char *dir, const char *name, const char *kind,
		 struct err *e);
void seg_map_close(struct seg_map *m);
/* Checks body_crc. */
int seg_map_verify(const struct seg_map *m, const char *name, struct err *e);
/* Unmaps the pages of m[0..n) that this process has touched: they stay
 * in the page cache, and a later read maps them again.  A writer that
 * holds hundreds of segments open counts each one's touched pages in its
 * resident set otherwise. */
void seg_map_release(const struct seg_map *m, size_t n);
/* Releases the pages of m's body in [from, to) (whole pages inside it;
 * from 0: from the header on).  A reader of a whole file front to back
 * calls it behind itself: pages it read otherwise stay mapped into the
 * process until it ends, and its resident size grows with the index.
 * They come back from the page cache if read again. */
void seg_map_drop(const struct seg_map *m, uint64_t from, uint64_t to);
/* For such a reader at body offset at: releases [*done, at) once it is
 * every bytes or more, and moves *done to at.  Inline: --verify calls it
 * for every term. */
static inline void seg_map_drop_behind(const struct seg_map *m, uint64_t *done, uint64_t at,
				       uint64_t every)
{
	if (at >= *done + every) {
		seg_map_drop(m, *done, at);
		*done = at;
	}
}

/* One dictionary entry (§4). */
struct seg_term {
	uint8_t key[SEG_MAX_KEY]; /* field byte, then the term */
	size_t keylen;
	uint32_t df;
	uint64_t post_off, post_len; /* in .spst body */
	uint64_t pos_off, pos_len;   /* in .spos body */
};

/* A column of the document table (§3): value i is base + packed value i. */
struct seg_col {
	const uint8_t *p;
	uint32_t base;
	unsigned w;
};

static inline uint32_t seg_col_get(const struct seg_col *c, uint32_t i)
{
	return c->base + bp_get(c->p, i, c->w);
}

struct seg {
	char name[64];
	char delname[64];
	struct seg_map f[SEGF_N];
	uint32_t ndocs;
	uint64_t field_len_sum[F_NFIELDS];
	struct seg_col col_pmid, col_year, col_len[F_NFIELDS];
	struct seg_col col_order; /* documents by (pmid, doc); w 0 when they are
				   * in that order already (§3) */
	/* dictionary */
	uint32_t nterms, ndictblocks;
	const uint8_t *dict_index; /* ndictblocks * u32 offsets into the dict body */
	/* stored */
	uint32_t nstoredblocks;
	const uint8_t *stored_index; /* nstoredblocks * SEG_STORED_ENTRY bytes */
	uint64_t stored_text_bytes;  /* the records' length before packing (§7) */
	uint32_t vocab_clen, vocab_rlen;
	uint32_t vocab_sample, vocab_flags; /* §7.2: records chosen from, SEG_VOCAB_FULL */
	st_vocab *vocab;             /* NULL until a record is first read: reading
				      * records changes the struct, so one thread
				      * reads one index at a time */
	struct seg *vocab_peer;      /* a segment whose vocabulary may be this
				      * one's (ix.c): seg_load_vocab borrows its
				      * st_vocab when seg_same_vocab says so */
	/* deletions */
	struct seg_map del;
	const uint8_t *delbits; /* NULL when nothing is deleted */
	uint32_t ndeleted;
	uint32_t flags, an_version;
};

/* Opens segment `name` in dir, with deletion file delname ("" for none). */
int seg_open(struct seg *s, const char *dir, const char *name, const char *delname,
	     struct err *e);
/* Opens only the document table and the deletion file: enough for
 * seg_doc_*, seg_pmid_ranks and seg_deleted, with one or two mappings
 * rather than six (a run that flushed thousands of segments opens them
 * all at once to settle replacements). */
int seg_open_docs(struct seg *s, const char *dir, const char *name, const char *delname,
		  struct err *e);
void seg_close(struct seg *s);
/* Every checksum and structural invariant; names the file and part. */
int seg_verify(struct seg *s, const char *dir, struct err *e);

static inline int seg_deleted(const struct seg *s, uint32_t doc)
{
	return s->delbits && (s->delbits[doc >> 3] >> (doc & 7) & 1);
}
static inline uint32_t seg_doc_pmid(const struct seg *s, uint32_t doc)
{
	return seg_col_get(&s->col_pmid, doc);
}
static inline uint16_t seg_doc_year(const struct seg *s, uint32_t doc)
{
	return (uint16_t)seg_col_get(&s->col_year, doc);
}
static inline uint16_t seg_doc_len(const struct seg *s, uint32_t doc, unsigned field)
{
	return (uint16_t)seg_col_get(&s->col_len[field], doc);
}
/* The documents with this pmid are those at ranks *first .. *first + n - 1
 * of the (pmid, doc) order (seg_doc_by_rank); returns n.  Deleted ones
 * included: a PMID replaced many times has as many documents until a
 * merge, so callers walk them all rather than a fixed number. */
size_t seg_pmid_ranks(const struct seg *s, uint32_t pmid, size_t *first);

/* The document at rank i of the (pmid, doc) order (§3). */
static inline uint32_t seg_doc_by_rank(const struct seg *s, size_t i)
{
	return s->col_order.w ? seg_col_get(&s->col_order, (uint32_t)i) : (uint32_t)i;
}

/* Looks key up.  1 found (t filled), 0 absent, <0 corrupt (e filled). */
int seg_lookup(const struct seg *s, const uint8_t *key, size_t keylen, struct seg_term *t,
	       struct err *e);

/* Dictionary iteration in key order, from the first key >= from. */
struct seg_dict_iter {
	const struct seg *s;
	uint32_t block, inblock; /* position */
	struct fmt_cur cur;
	struct seg_term t;
	int started;
};
int seg_dict_seek(struct seg_dict_iter *it, const struct seg *s, const uint8_t *from,
		  size_t fromlen, struct err *e);
/* 1 with it->t filled, 0 at the end, <0 corrupt. */
int seg_dict_next(struct seg_dict_iter *it, struct err *e);

/* A corner (tf, len) bounding some postings of a block: each has a
 * frequency <= tf and a length >= len (§5.2). */
struct seg_corner {
	uint32_t tf;
	uint16_t len;
};

/* Two corners that together bound n postings (frequencies tf, lengths
 * len): the Pareto frontier of the block, reduced to two corners chosen to
 * keep the BM25 bound low for a field of average length avglen. */
void seg_frontier(const uint32_t *tf, const uint16_t *len, size_t n, double avglen,
		  struct seg_corner out[2]);

/* Posting cursor (§5): document ids, frequencies, positions, block maxima. */
struct seg_postings {
	const struct seg *s;
	const uint8_t *list, *list_end; /* the term's bytes in .spst */
	const uint8_t *pos_base, *pos_end;
	uint32_t df, nblocks;
	const uint8_t *skips;            /* the skip table, NULL when one block */
	const uint8_t *sk[SEG_SKIP_COLS]; /* its columns (§5.1) */
	unsigned skw[SEG_SKIP_COLS];      /* and their widths */
	const uint8_t *blocks;           /* first block */
	uint32_t block;                  /* current block number */
	uint32_t n;                      /* postings decoded in this block */
	uint32_t i;                      /* index of the current posting in the block */
	uint32_t doc;                    /* current document, SEG_END when exhausted */
	/* block maxima of the current block, and for the one-block case */
	uint32_t blk_last;
	/* the block seg_postings_block_max answered last: a later target
	 * past its predecessor starts there, so a pass over the bounds reads
	 * each skip entry once however far the cursor lags behind */
	uint32_t bm_block;
	struct seg_corner blk_corner[2];
	/* positions of the current block (§5.3); read only when asked for,
	 * so that queries without phrases never touch the .spos file */
	const uint8_t *pos_blk;          /* start of the current block's positions */
	const uint8_t *pos_blk_end;      /* their end; NULL until first asked for */
	uint64_t pos_n;                  /* their number: the block's frequencies summed */
	uint32_t pos_i;                  /* posting whose positions the state below is at */
	unsigned pos_k;                  /* Rice parameter, or SEG_POS_VARINT */
	const uint8_t *pos_p;            /* varints: posting pos_i's first gap */
	const uint8_t *pos_lo;           /* Rice: the packed low bits */
	const uint8_t *pos_hi;           /* Rice: the unary quotients, pos_nbits bits */
	uint64_t pos_nbits;
	uint64_t pos_s;                  /* Rice: index of posting pos_i's first gap */
	uint64_t pos_u;                  /* Rice: bit of its first quotient */
	/* Set when a block (1) or a posting's positions (2) fail to decode:
	 * the cursor then ends early (or returns -1 for positions), and
	 * whoever drives it must report ERR_CORRUPT rather than a shorter
	 * list. */
	int corrupt;
	/* the decoded block; last, so that opening need not clear it */
	uint32_t docs[SEG_BLOCK];
	uint32_t tfs[SEG_BLOCK];
};
#define SEG_END UINT32_MAX

/* Opens a cursor on the first posting.  <0 if the list is corrupt. */
int seg_postings_open(struct seg_postings *c, const struct seg *s, const struct seg_term *t,
		      struct err *e);
/* Moves to the next posting; returns the document or SEG_END. */
uint32_t seg_postings_next(struct seg_postings *c);
/* Moves to the first posting with document >= target; returns it or SEG_END. */
uint32_t seg_postings_advance_far(struct seg_postings *c, uint32_t target);
static inline uint32_t seg_postings_advance(struct seg_postings *c, uint32_t target)
{
	/* most targets of a conjunction or a probe lie in the decoded block
	 * (SEG_END, the exhausted cursor's document, is >= every target) */
	if (c->doc >= target)
		return c->doc;
	if (c->docs[c->n - 1] >= target) {
		uint32_t i = c->i;
		while (c->docs[i] < target)
			i++;
		c->i = i;
		return c->doc = c->docs[i];
	}
	return seg_postings_advance_far(c, target);
}
static inline uint32_t seg_postings_tf(const struct seg_postings *c) { return c->tfs[c->i]; }
/* Moves past the rest of the decoded block to the next block's first
 * posting; 0 when the list is done.  For reading whole lists a block at a
 * time, docs[i .. n) being the rest of the current block:
 *     for (int more = c->doc != SEG_END; more; more = seg_postings_next_block(c))
 *             for (uint32_t i = c->i; i < c->n; i++) use(c->docs[i]);
 */
static inline int seg_postings_next_block(struct seg_postings *c)
{
	c->i = c->n - 1;
	return seg_postings_next(c) != SEG_END;
}
/* The bound of the block holding the first posting >= target, without
 * moving the cursor: fills *last (the block's last document) and its two
 * corners.  Returns 0, or SEG_END when target is past the list. */
uint32_t seg_postings_block_max(struct seg_postings *c, uint32_t target, uint32_t *last,
				struct seg_corner corner[2]);
/* The corners of all the list's blocks that no other of them dominates
 * (a larger or equal tf with a smaller or equal len), at most cap of them,
 * into out, by decreasing tf: the list's bound is the largest bound among
 * them.  Returns their number, or 0 when they would be more than cap or a
 * corner's tf is SEG_CORNER_TFS or more: then ask each block. */
#define SEG_CORNER_TFS 256
size_t seg_postings_corners(const struct seg_postings *c, struct seg_corner *out, size_t cap);
/* Decodes the positions of the current posting into out (cap entries);
 * returns the count (tf), or -1 (and sets c->corrupt) if corrupt. */
int seg_postings_positions(struct seg_postings *c, uint32_t *out, uint32_t cap);

/* Compares two keys (§4 order: bytewise, a prefix first).  Inline:
 * dictionary lookups and --verify call it for every entry they pass, and
 * the build has no link-time optimisation to inline it across files. */
static inline int seg_key_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	size_t n = an < bn ? an : bn;
	int c = n ? memcmp(a, b, n) : 0;
	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

/* Stored block b as the index describes it (§7): its first document,
 * its records, its compressed bytes and lengths, and the length of its
 * records unpacked.  ERR_CORRUPT when the entry does not fit the file. */
struct seg_stored_blk {
	uint32_t first, count;
	const uint8_t *comp;
	uint32_t clen, rlen, text;
};
int seg_stored_entry(const struct seg *s, uint32_t b, struct seg_stored_blk *out,
		     struct err *e);

/* 1 when a and b store the same vocabulary (§7.2): the same compressed
 * bytes (a writer compresses a vocabulary the same way every time, and
 * different bytes at worst cost a second copy, never a wrong one). */
int seg_same_vocab(const struct seg *a, const struct seg *b);

/* Reads the segment's vocabulary (§7.2) into s->vocab, once per segment,
 * when the first record is read: borrowed from s->vocab_peer when
 * seg_same_vocab says so, else its own, freed by seg_close.  Returns 0,
 * ERR_NOMEM or ERR_CORRUPT (e filled). */
int seg_load_vocab(struct seg *s, struct err *e);

/* Appends to out the segment's serialized vocabulary (§7.2, inflated). */
int seg_stored_vocab(const struct seg *s, struct fmt_buf *out, struct err *e);

/* Inflates stored block b whole into *raw (realloc'd; the caller frees
 * it) and starts reading its records with *it (§7.3). */
int seg_stored_open_block(const struct seg *s, uint32_t b, uint8_t **raw, struct st_block *it,
			  struct err *e);

/* Appends the next record of block b (§7.1, unpacked and checked) to rec,
 * or skips it when rec is NULL; scratch holds the packed record.  Returns
 * 0, ERR_NOMEM, or ERR_CORRUPT naming the block. */
int seg_stored_next(struct seg *s, uint32_t b, struct st_block *it, struct fmt_buf *scratch,
		    struct fmt_buf *rec, struct err *e);

/* Appends to out the record that packed rec[0..n) stands for, and checks
 * it against crc.  Reads the segment's vocabulary first if needed (once).
 * Returns 0, ERR_NOMEM, or ERR_CORRUPT naming block b. */
int seg_stored_unpack(struct seg *s, uint32_t b, const uint8_t *rec, size_t n, uint32_t crc,
		      struct fmt_buf *out, struct err *e);

/* The reference list of doc's stored record (§7.1) in a malloc'd array
 * (*refs, *nrefs): it inflates only the start of the block, and checks
 * the CRC of the heads and tails (§7.3) rather than the record's. */
int seg_stored_refs(const struct seg *s, uint32_t doc, uint32_t **refs, size_t *nrefs,
		    struct err *e);

/* Returns the stored record of doc (§7.1) in a malloc'd buffer (*out, *n). */
int seg_stored_get(struct seg *s, uint32_t doc, uint8_t **out, size_t *n, struct err *e);

/* Reads stored records keeping the last block it inflated (whole, with
 * libdeflate, its Adler-32 checked; a damaged block as far as the record
 * wanted): records read in document order (facets, exports sorted by
 * document) cost one inflation of each block between them, where
 * seg_stored_get inflates the record's block every time.  It holds one
 * block (at most 64 MiB, about 100 KB) and refers to its segment's
 * mapping: free it before the segment is closed. */
struct seg_stored_cur {
	const struct seg *s; /* the segment of the block held; NULL: none */
	uint32_t b;
	struct seg_stored_blk k;
	uint8_t *raw;        /* k.rlen bytes, have of them inflated */
	size_t have;
	int zlive;
	z_stream z;
	struct libdeflate_decompressor *dd; /* whole blocks; NULL until one */
	struct fmt_buf packed;
};
void seg_stored_cur_init(struct seg_stored_cur *c);
void seg_stored_cur_free(struct seg_stored_cur *c);
/* As seg_stored_get, through c. */
int seg_stored_cur_get(struct seg_stored_cur *c, struct seg *s, uint32_t doc, uint8_t **out,
		       size_t *n, struct err *e);

#endif
