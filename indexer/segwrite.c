/*
 * segwrite.c - the segment writer (see segwrite.h; bytes per FORMAT.md).
 *
 * Each file is streamed through a buffered writer that keeps a running
 * CRC-32; the header, which holds the CRC and body length, is written last
 * at offset 0.  Only the document table and the two small block indexes
 * are kept in memory (about 26 bytes per document).
 */
#include "segwrite.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libdeflate.h>
#include <zlib.h>

#include "bitpack.h"
#include "fmt.h"
#include "pblock.h"
#include "seg.h"
#include "stblock.h"
#include "stored.h"

struct wfile {
	int fd;
	char path[4200];
	uint8_t *buf;
	size_t len;
	uint64_t body_len;
	uint32_t crc;
	const char *kind;
};

#define WBUF_BYTES ((size_t)256 << 10)
/* Most bytes of one entry in a part writer's dictionary file: key length,
 * key, df, lengths of postings and positions. */
#define PART_ENTRY_MAX (2 + SEG_MAX_KEY + 3 * 10)
/* Stored blocks are zlib streams (RFC 1950) that readers inflate with
 * zlib; libdeflate writes them.  On the packed blocks of the 10^5-citation
 * synthetic index it compressed 2.4 times as fast as zlib at level 5
 * (1.62 s against 3.83 s of CPU) into 0.8% fewer bytes; on the real files
 * 2.2 times as fast, 0.4% fewer bytes.  It compresses a buffer whole,
 * which is all a block needs.
 *
 * Level for stored blocks.  Word substitution (FORMAT.md §7.2) leaves
 * deflate about 60% of the bytes, and the column layout (§7.3) puts each
 * field's repetitions within deflate's window.  On the real PubMed files
 * (one segment, 48-record blocks) libdeflate compressed packed records
 * one after another 3.03:1 at level 1, 3.08:1 at 2, 3.13:1 at 5; by
 * column 3.07:1 at 1, 3.16:1 at 2, 3.21:1 at 5.  On the 10^5-citation
 * synthetic blocks level 2 took 1.07 s, level 5 1.58 s and level 1
 * 0.73 s, and the build is about as much faster.  Level 2 by column keeps
 * more than 3:1 (level 1 does not, once the index's own bytes count);
 * 64-record blocks would gain 1% and make a reader inflate more.
 * Every merge that cannot copy a block compresses its records again. */
#define STORED_LEVEL 2
/* The vocabulary is chosen from the first records of the segment, which
 * are held back until then (a few megabytes at most). */
#define STORED_SAMPLE_DOCS 4096
#define STORED_SAMPLE_BYTES ((size_t)8 << 20)

struct sw_writer {
	char dir[4096];
	char name[64];
	uint32_t an_version, flags;
	struct wfile f[SEGF_N];
	struct err e;
	uint64_t u32_max; /* what the format's u32 offsets hold; lower in tests */
	/* documents */
	struct fmt_buf docs;  /* ndocs * SEG_DOC_BYTES, unless src */
	const struct sw_docsrc *src; /* sw_use_docsrc(), or NULL */
	uint32_t ndocs;
	uint64_t field_len_sum[F_NFIELDS];
	/* stored: the records held back to choose the vocabulary from, the
	 * vocabulary (NULL until chosen), the block being filled and the
	 * block index */
	struct fmt_buf sample, packed;
	uint32_t sample_docs;
	st_vocab *vocab;
	struct sw_vocab_slot *slot;
	uint32_t vocab_clen, vocab_rlen;
	uint32_t vocab_sample, vocab_flags; /* §7 trailer */
	uint64_t text_bytes;
	struct fmt_buf sblock, scols, sindex, zbuf; /* sblock: records as rows (§7.3) */
	struct libdeflate_compressor *deflater; /* NULL until the first block */
	uint32_t sblock_docs;  /* records in the block being filled */
	uint64_t sblock_text;  /* their length unpacked */
	uint32_t nblocked;     /* records in the blocks written */
	uint32_t copied_ahead; /* records of copied blocks whose documents are still to come */
	/* dictionary */
	struct fmt_buf dindex, dblock;
	uint32_t nterms;
	uint8_t prevkey[SEG_MAX_KEY];
	size_t prevlen;
	/* scratch for postings and positions */
	struct fmt_buf post, skips, pbuf;
	uint32_t *gaps;
	size_t gapcap;
	uint32_t *skv; /* a list's skip entries (§5.1), SEG_SKIP_COLS values each */
	size_t skcap;
	uint32_t *skcol; /* one column of them, to pack */
	size_t skcolcap;
	/* the term being written */
	uint8_t tkey[SEG_MAX_KEY];
	size_t tkeylen;
	unsigned tfield;
	uint64_t tpos_start;
	uint32_t tdf, tprev, tblocks;
	/* sw_term_add(): the block being filled, and its positions */
	uint32_t bd[SEG_BLOCK], bt[SEG_BLOCK], bn;
	uint32_t *bpos;
	size_t bnpos, bposcap;
	/* a part writer (sw_open_part): its documents are its parent's, and
	 * its .sdic file holds plain entries for sw_append_part to front-code */
	int is_part;
};

static int wf_flush(sw_writer *w, struct wfile *f)
{
	size_t off = 0;
	while (off < f->len) {
		ssize_t n = write(f->fd, f->buf + off, f->len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_errno(&w->e, errno, "cannot write '%s'", f->path);
		}
		off += (size_t)n;
	}
	f->len = 0;
	return 0;
}

/* The CRC-32 of FORMAT.md §1, which readers compute with zlib's crc32():
 * libdeflate's gives the same values five times as fast (14 against 2.8
 * GB/s here), and a build checksums every byte it writes plus every
 * stored record, where zlib's took 2.3% of a one-thread build. */
static uint32_t crc(uint32_t c, const void *p, size_t n)
{
	return libdeflate_crc32(c, p, n);
}

static int wf_write(sw_writer *w, struct wfile *f, const void *p, size_t n)
{
	if (w->e.code)
		return w->e.code;
	f->crc = crc(f->crc, p, n);
	f->body_len += n;
	const uint8_t *q = p;
	while (n > 0) {
		size_t room = WBUF_BYTES - f->len;
		size_t k = n < room ? n : room;
		memcpy(f->buf + f->len, q, k);
		f->len += k;
		q += k;
		n -= k;
		if (f->len == WBUF_BYTES && wf_flush(w, f))
			return w->e.code;
	}
	return 0;
}

static int wf_open(sw_writer *w, struct wfile *f, const char *ext, const char *kind)
{
	snprintf(f->path, sizeof f->path, "%s/%s%s", w->dir, w->name, ext);
	f->kind = kind;
	f->crc = 0;
	f->body_len = 0;
	f->len = 0;
	f->buf = malloc(WBUF_BYTES);
	if (f->buf == NULL)
		return err_set(&w->e, ERR_NOMEM, "out of memory");
	/* a part's files are read back by sw_append_part */
	f->fd = open(f->path, (w->is_part ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (f->fd < 0)
		return err_errno(&w->e, errno, "cannot create '%s'", f->path);
	/* room for the header, written at the end */
	static const uint8_t zero[SEG_HEADER_BYTES];
	memcpy(f->buf, zero, SEG_HEADER_BYTES);
	f->len = SEG_HEADER_BYTES;
	return 0;
}

static int wf_close(sw_writer *w, struct wfile *f, uint64_t *total)
{
	static const uint8_t pad[SEG_TAIL_PAD];
	uint8_t hdr[SEG_HEADER_BYTES];
	if (w->e.code)
		return w->e.code;
	/* padding is not part of the body: no CRC, no body_len */
	if (f->len + SEG_TAIL_PAD > WBUF_BYTES && wf_flush(w, f))
		return w->e.code;
	memcpy(f->buf + f->len, pad, SEG_TAIL_PAD);
	f->len += SEG_TAIL_PAD;
	if (wf_flush(w, f))
		return w->e.code;
	struct seg_header h = {.version = SARC_FORMAT_VERSION,
			       .an_version = w->an_version,
			       .flags = w->flags,
			       .body_crc = f->crc,
			       .body_len = f->body_len};
	memcpy(h.kind, f->kind, 5);
	seg_header_encode(hdr, &h);
	if (pwrite(f->fd, hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr)
		return err_errno(&w->e, errno ? errno : EIO, "cannot write '%s'", f->path);
	if (fsync(f->fd) != 0)
		return err_errno(&w->e, errno, "cannot sync '%s'", f->path);
	if (close(f->fd) != 0) {
		f->fd = -1;
		return err_errno(&w->e, errno, "cannot close '%s'", f->path);
	}
	f->fd = -1;
	*total += SEG_HEADER_BYTES + f->body_len + SEG_TAIL_PAD;
	return 0;
}

static void sw_free(sw_writer *w, int remove_files)
{
	for (int i = 0; i < SEGF_N; i++) {
		if (w->f[i].fd >= 0)
			close(w->f[i].fd);
		if (remove_files && w->f[i].path[0])
			unlink(w->f[i].path);
		free(w->f[i].buf);
	}
	if (!w->is_part)
		fmt_buf_free(&w->docs);
	fmt_buf_free(&w->sample);
	fmt_buf_free(&w->packed);
	st_vocab_free(w->vocab);
	fmt_buf_free(&w->sblock);
	fmt_buf_free(&w->scols);
	fmt_buf_free(&w->sindex);
	fmt_buf_free(&w->zbuf);
	if (w->deflater)
		libdeflate_free_compressor(w->deflater);
	fmt_buf_free(&w->dindex);
	fmt_buf_free(&w->dblock);
	fmt_buf_free(&w->post);
	fmt_buf_free(&w->skips);
	fmt_buf_free(&w->pbuf);
	free(w->gaps);
	free(w->skv);
	free(w->skcol);
	free(w->bpos);
	free(w);
}

/* A writer with no file open yet. */
static sw_writer *new_writer(const char *dir, const char *name, uint32_t an_version,
			     uint32_t flags, struct err *e)
{
	sw_writer *w = calloc(1, sizeof *w);
	if (w == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	for (int i = 0; i < SEGF_N; i++)
		w->f[i].fd = -1;
	snprintf(w->dir, sizeof w->dir, "%s", dir);
	snprintf(w->name, sizeof w->name, "%s", name);
	w->an_version = an_version;
	w->flags = flags;
	w->u32_max = UINT32_MAX;
	return w;
}

void sw_test_limit(sw_writer *w, uint64_t max)
{
	w->u32_max = max;
}

int sw_test_gap(sw_writer *w, unsigned file, uint64_t n)
{
	static const uint8_t zero[1 << 16];
	struct wfile *f = &w->f[file];
	if (w->e.code || wf_flush(w, f))
		return w->e.code;
	if (lseek(f->fd, (off_t)n, SEEK_CUR) < 0)
		return err_errno(&w->e, errno, "cannot seek in '%s'", f->path);
	f->body_len += n;
	for (; n > 0; n -= n < sizeof zero ? n : sizeof zero)
		f->crc = crc(f->crc, zero, n < sizeof zero ? (size_t)n : sizeof zero);
	return 0;
}

sw_writer *sw_open(const char *dir, const char *name, uint32_t an_version, uint32_t flags,
		   struct err *e)
{
	sw_writer *w = new_writer(dir, name, an_version, flags, e);
	if (w == NULL)
		return NULL;
	for (int i = 0; i < SEGF_N; i++)
		if (wf_open(w, &w->f[i], seg_file_ext[i], seg_file_kind[i]))
			break;
	if (w->e.code) {
		*e = w->e;
		sw_free(w, 1);
		return NULL;
	}
	return w;
}

const struct err *sw_error(const sw_writer *w)
{
	return &w->e;
}

/* Appends the block index entry (§7) of a block of n records just written
 * at offset off. */
static void index_block(sw_writer *w, uint64_t off, uint32_t clen, uint32_t rlen, uint32_t n,
			uint64_t text)
{
	fmt_buf_u64(&w->sindex, off);
	fmt_buf_u32(&w->sindex, clen);
	fmt_buf_u32(&w->sindex, rlen);
	fmt_buf_u32(&w->sindex, w->nblocked);
	fmt_buf_u32(&w->sindex, (uint32_t)text);
	w->nblocked += n;
}

static int flush_stored_block(sw_writer *w)
{
	if (w->sblock_docs == 0)
		return 0;
	if (w->deflater == NULL && (w->deflater = libdeflate_alloc_compressor(STORED_LEVEL)) == NULL)
		return err_set(&w->e, ERR_NOMEM, "out of memory");
	w->scols.len = 0;
	int rc = st_block_columns(w->sblock.p, w->sblock.len, w->sblock_docs, &w->scols);
	if (rc)
		return err_set(&w->e, rc, rc == ERR_NOMEM ? "out of memory" :
			       "%s: a stored record does not parse", w->name);
	if (w->scols.len > SEG_STORED_RAW_MAX)
		return err_set(&w->e, ERR_LIMIT, "%s: a stored block over %u MiB", w->name,
			       SEG_STORED_RAW_MAX >> 20);
	size_t bound = libdeflate_zlib_compress_bound(w->deflater, w->scols.len);
	uint8_t *z = fmt_buf_reserve(&w->zbuf, bound);
	if (z == NULL)
		return err_set(&w->e, ERR_NOMEM, "out of memory");
	size_t clen = libdeflate_zlib_compress(w->deflater, w->scols.p, w->scols.len, z, bound);
	if (clen == 0 || clen > UINT32_MAX)
		return err_set(&w->e, ERR_NOMEM, "cannot compress stored fields");
	index_block(w, w->f[SEGF_STORED].body_len, (uint32_t)clen, (uint32_t)w->scols.len,
		    w->sblock_docs, w->sblock_text);
	wf_write(w, &w->f[SEGF_STORED], z, clen);
	w->sblock.len = 0;
	w->sblock_docs = 0;
	w->sblock_text = 0;
	return w->e.code;
}

/* Packs record stored[0..n) into the block being filled (§7: its packed
 * length, the packed bytes, the CRC-32 of the record itself, so that a
 * reader checks the vocabulary's work too). */
static int add_stored(sw_writer *w, const uint8_t *stored, size_t n)
{
	w->packed.len = 0;
	int rc = st_pack(w->vocab, stored, n, &w->packed);
	if (rc)
		return err_set(&w->e, rc, rc == ERR_NOMEM ? "out of memory" :
			       "%s: a stored record does not parse", w->name);
	fmt_buf_str(&w->sblock, (const char *)w->packed.p, w->packed.len);
	/* a record is read without inflating the rest of its block, so zlib's
	 * own checksum is not reached: each record carries one (§7) */
	fmt_buf_u32(&w->sblock, crc(0, stored, n));
	if (w->sblock.rc)
		return err_set(&w->e, ERR_NOMEM, "out of memory");
	w->sblock_text += n;
	if (++w->sblock_docs == SEG_STORED_BLOCK)
		return flush_stored_block(w);
	return 0;
}

/* Makes the serialized vocabulary v the segment's: ready for packing,
 * written at the start of the .ssto body (§7.2). */
static int set_vocab(sw_writer *w, const struct sw_vocab *v)
{
	const uint8_t *p = v->ser.p;
	size_t n = v->ser.len;
	int rc = st_vocab_load(p, n, &w->vocab);
	if (rc == 0)
		rc = st_vocab_index(w->vocab);
	if (rc)
		return err_set(&w->e, rc, rc == ERR_NOMEM ? "out of memory" :
			       "%s: cannot choose a vocabulary for stored records", w->name);
	w->vocab_sample = v->sample;
	w->vocab_flags = v->flags;
	uLongf clen = compressBound(n);
	uint8_t *z = fmt_buf_reserve(&w->zbuf, clen);
	if (z == NULL || compress2(z, &clen, p, n, Z_BEST_COMPRESSION) != Z_OK)
		return err_set(&w->e, ERR_NOMEM, "cannot compress the stored vocabulary");
	w->vocab_clen = (uint32_t)clen;
	w->vocab_rlen = (uint32_t)n;
	return wf_write(w, &w->f[SEGF_STORED], z, clen);
}

/* Chooses the vocabulary from the records held back (full: the sample
 * reached its limit rather than the end of the segment), or takes the
 * slot's, and packs those records. */
static int start_stored(sw_writer *w, int full)
{
	int rc = 0;
	if (w->slot)
		pthread_mutex_lock(&w->slot->mu);
	if (w->slot && w->slot->v.ser.len > 0) {
		rc = set_vocab(w, &w->slot->v);
	} else {
		struct sw_vocab v = {.sample = w->sample_docs, .flags = full ? SEG_VOCAB_FULL : 0};
		fmt_buf_init(&v.ser);
		rc = st_vocab_build(w->sample.p, w->sample.len, &v.ser);
		if (rc)
			err_set(&w->e, rc, rc == ERR_NOMEM ? "out of memory" :
				"%s: cannot choose a vocabulary for stored records", w->name);
		else
			rc = set_vocab(w, &v);
		/* Choosing under the lock makes a writer that reaches this
		 * point meanwhile wait and adopt this one. */
		if (rc == 0 && full && w->slot) {
			fmt_buf_free(&w->slot->v.ser);
			w->slot->v = v; /* the slot owns it now */
		} else {
			fmt_buf_free(&v.ser);
		}
	}
	if (w->slot)
		pthread_mutex_unlock(&w->slot->mu);
	if (rc)
		return rc;
	/* the held-back records were documents ndocs - sample_docs ... */
	const uint8_t *p = w->sample.p, *end = p + w->sample.len;
	while (p < end) {
		uint64_t len = 0;
		size_t k = fmt_get_varint(p, end, &len);
		assert(k > 0 && len <= (size_t)(end - p) - k); /* we wrote it */
		if ((rc = add_stored(w, p + k, (size_t)len)))
			return rc;
		p += k + len;
	}
	fmt_buf_free(&w->sample);
	fmt_buf_init(&w->sample);
	return 0;
}

int sw_use_vocab(sw_writer *w, const struct sw_vocab *v)
{
	if (w->e.code)
		return w->e.code;
	if (w->ndocs > 0 || w->vocab)
		return err_set(&w->e, ERR_USAGE, "%s: vocabulary set after the first document", w->name);
	return set_vocab(w, v);
}

int sw_share_vocab(sw_writer *w, struct sw_vocab_slot *slot)
{
	if (w->e.code)
		return w->e.code;
	if (w->ndocs > 0 || w->vocab)
		return err_set(&w->e, ERR_USAGE, "%s: vocabulary set after the first document", w->name);
	w->slot = slot;
	pthread_mutex_lock(&slot->mu);
	int rc = slot->v.ser.len > 0 ? set_vocab(w, &slot->v) : 0;
	pthread_mutex_unlock(&slot->mu);
	return rc;
}

int sw_add_stored_block(sw_writer *w, const struct seg_stored_blk *k)
{
	if (w->e.code)
		return w->e.code;
	if (w->vocab == NULL || w->copied_ahead > 0)
		return err_set(&w->e, ERR_USAGE, "%s: stored block copied out of order", w->name);
	if (flush_stored_block(w))
		return w->e.code;
	index_block(w, w->f[SEGF_STORED].body_len, k->clen, k->rlen, k->count, k->text);
	w->copied_ahead = k->count;
	w->text_bytes += k->text;
	return wf_write(w, &w->f[SEGF_STORED], k->comp, k->clen);
}

void sw_use_docsrc(sw_writer *w, const struct sw_docsrc *src)
{
	w->src = src;
}

/* The lengths in field f of documents docs[0..n), increasing. */
static void doc_lens(const sw_writer *w, const uint32_t *docs, uint32_t n, unsigned f,
		     uint16_t *out)
{
	if (w->src) {
		w->src->lens(w->src->ctx, docs, n, f, out);
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		out[i] = fmt_get_u16le(w->docs.p + (size_t)docs[i] * SEG_DOC_BYTES + 6 + 2 * f);
}

int sw_add_doc(sw_writer *w, uint32_t pmid, uint16_t year, const uint16_t lens[F_NFIELDS],
	       const uint8_t *stored, size_t n)
{
	if (w->e.code)
		return w->e.code;
	if (w->ndocs >= SEG_MAX_DOCS)
		return err_set(&w->e, ERR_LIMIT, "%s: too many documents in one segment", w->name);
	for (unsigned f = 0; f < F_NFIELDS; f++)
		w->field_len_sum[f] += lens[f];
	if (w->src == NULL) {
		uint8_t *d = fmt_buf_reserve(&w->docs, SEG_DOC_BYTES);
		if (d == NULL)
			return err_set(&w->e, ERR_NOMEM, "out of memory");
		fmt_put_u32le(d, pmid);
		fmt_put_u16le(d + 4, year);
		for (unsigned f = 0; f < F_NFIELDS; f++)
			fmt_put_u16le(d + 6 + 2 * f, lens[f]);
		w->docs.len += SEG_DOC_BYTES;
	}
	w->ndocs++;
	if ((stored == NULL) != (w->copied_ahead > 0))
		return err_set(&w->e, ERR_USAGE, "%s: document %u does not match its stored block",
			       w->name, w->ndocs - 1);
	if (stored == NULL) {
		w->copied_ahead--;
		return 0;
	}
	w->text_bytes += n;
	if (w->vocab)
		return add_stored(w, stored, n);
	fmt_buf_str(&w->sample, (const char *)stored, n);
	if (w->sample.rc)
		return err_set(&w->e, ERR_NOMEM, "out of memory");
	if (++w->sample_docs < STORED_SAMPLE_DOCS && w->sample.len < STORED_SAMPLE_BYTES)
		return 0;
	return start_stored(w, 1);
}

static int flush_dict_block(sw_writer *w)
{
	if (w->dblock.len == 0)
		return 0;
	/* the block index holds u32 offsets (§4): refused, not wrapped into
	 * a segment that cannot be read (PubMed's whole baseline in one
	 * segment would take a few hundred MB) */
	if (w->f[SEGF_DICT].body_len > w->u32_max)
		return err_set(&w->e, ERR_LIMIT, "%s: dictionary over 4 GiB in one segment",
			       w->name);
	fmt_buf_u32(&w->dindex, (uint32_t)w->f[SEGF_DICT].body_len);
	wf_write(w, &w->f[SEGF_DICT], w->dblock.p, w->dblock.len);
	w->dblock.len = 0;
	return w->e.code;
}

/* Adds the dictionary entry of a term whose lists were written at
 * post_off and pos_off, front-coded against the previous key of the block
 * (§4). */
/* Two lengths as one byte of 4-bit values when both are short, as most
 * are; one of DICT_ESC or more continues in a varint (§4). */
static void put_nibble_pair(struct fmt_buf *b, uint64_t lo, uint64_t hi)
{
	fmt_buf_u8(b, (uint8_t)((lo < DICT_ESC ? lo : DICT_ESC) | (hi < DICT_ESC ? hi : DICT_ESC) << 4));
	if (lo >= DICT_ESC)
		fmt_buf_varint(b, lo - DICT_ESC);
	if (hi >= DICT_ESC)
		fmt_buf_varint(b, hi - DICT_ESC);
}

static int dict_add(sw_writer *w, const uint8_t *key, size_t keylen, uint32_t df,
		    uint64_t post_off, uint64_t pos_off, uint64_t post_len, uint64_t pos_len)
{
	size_t shared = 0;
	if (w->nterms % SEG_DICT_BLOCK != 0) {
		size_t m = keylen < w->prevlen ? keylen : w->prevlen;
		while (shared < m && key[shared] == w->prevkey[shared])
			shared++;
	} else if (flush_dict_block(w)) {
		return w->e.code;
	}
	put_nibble_pair(&w->dblock, shared, keylen - shared);
	fmt_buf_put(&w->dblock, key + shared, keylen - shared);
	fmt_buf_varint(&w->dblock, df);
	if (w->nterms % SEG_DICT_BLOCK == 0) {
		/* later entries of the block start where the previous one ended */
		fmt_buf_varint(&w->dblock, post_off);
		fmt_buf_varint(&w->dblock, pos_off);
	}
	if (df == 1) {
		/* a single posting's lists are a few bytes each */
		put_nibble_pair(&w->dblock, post_len, pos_len);
	} else {
		fmt_buf_varint(&w->dblock, post_len);
		fmt_buf_varint(&w->dblock, pos_len);
	}
	if (w->dblock.rc)
		return err_set(&w->e, ERR_NOMEM, "out of memory");
	memcpy(w->prevkey, key, keylen);
	w->prevlen = keylen;
	w->nterms++;
	return w->e.code;
}

/* Writes the positions of one block of postings (FORMAT.md §5.3): n
 * postings with frequencies tfs, npos positions in all.  Their gaps (each
 * posting's first from 0) are Rice-coded, low bits packed and quotients in
 * unary, unless they are too few to pay for the parameter byte. */
static int put_positions(sw_writer *w, const uint32_t *tfs, uint32_t n, const uint32_t *pos,
			 uint64_t npos)
{
	struct wfile *f = &w->f[SEGF_POS];
	if (npos < SEG_POS_RICE_MIN) {
		uint8_t vb[10 * SEG_POS_RICE_MIN];
		size_t vn = 0;
		for (uint32_t i = 0, k = 0; i < n; i++)
			for (uint32_t j = 0, last = 0; j < tfs[i]; j++, k++) {
				vn += fmt_put_varint(vb + vn, pos[k] - last);
				last = pos[k];
			}
		return wf_write(w, f, vb, vn);
	}
	if (npos > SIZE_MAX / sizeof *w->gaps)
		return err_set(&w->e, ERR_NOMEM, "out of memory");
	if (npos > w->gapcap) {
		uint32_t *g = realloc(w->gaps, sizeof *g * (size_t)npos);
		if (g == NULL)
			return err_set(&w->e, ERR_NOMEM, "out of memory");
		w->gaps = g;
		w->gapcap = (size_t)npos;
	}
	uint32_t *g = w->gaps;
	for (uint32_t i = 0, k = 0; i < n; i++)
		for (uint32_t j = 0, last = 0; j < tfs[i]; j++, k++) {
			g[k] = pos[k] - last;
			last = pos[k];
		}
	size_t m = (size_t)npos;
	unsigned k = rice_param(g, m);
	size_t lo = bp_bytes(m, k), hi = rice_unary_bytes(g, m, k);
	w->pbuf.len = 0;
	uint8_t *o = fmt_buf_reserve(&w->pbuf, 1 + lo + hi);
	if (o == NULL)
		return err_set(&w->e, ERR_NOMEM, "out of memory");
	o[0] = (uint8_t)k;
	rice_unary_pack(g, m, k, o + 1 + lo);
	/* bp_pack wants values of k bits: keep the low bits only */
	uint32_t mask = k >= 32 ? UINT32_MAX : ((uint32_t)1 << k) - 1;
	for (size_t i = 0; i < m; i++)
		g[i] &= mask;
	bp_pack(g, m, k, o + 1);
	return wf_write(w, f, o, 1 + lo + hi);
}

int sw_term_begin(sw_writer *w, const uint8_t *key, size_t keylen)
{
	if (w->e.code)
		return w->e.code;
	if (keylen == 0 || keylen > SEG_MAX_KEY)
		return err_set(&w->e, ERR_USAGE, "%s: bad term", w->name);
	memcpy(w->tkey, key, keylen);
	w->tkeylen = keylen;
	w->tfield = key[0] < F_NFIELDS ? key[0] : 0;
	w->tpos_start = w->f[SEGF_POS].body_len;
	w->tdf = 0;
	w->tprev = UINT32_MAX; /* the first gap counts from -1 */
	w->tblocks = 0;
	w->bn = 0;
	w->bnpos = 0;
	w->post.len = 0;
	w->skips.len = 0;
	return 0;
}

/* Writes the term's next block: n postings, their npos positions.  Its
 * skip entry is made unless it may be the list's only block (a block that
 * is not full and is the first), which has none. */
static int put_block(sw_writer *w, const uint32_t *bd, const uint32_t *bt, uint32_t n,
		     const uint32_t *pos, uint64_t npos)
{
	uint32_t b = w->tblocks;
	if (n == SEG_BLOCK || b > 0) {
		if ((size_t)(b + 1) * SEG_SKIP_COLS > w->skcap) {
			size_t cap = w->skcap ? w->skcap * 2 : 64 * SEG_SKIP_COLS;
			uint32_t *v = realloc(w->skv, sizeof *v * cap);
			if (v == NULL)
				return err_set(&w->e, ERR_NOMEM, "out of memory");
			w->skv = v;
			w->skcap = cap;
		}
		/* skip entry (§5.1): last doc, block offset, positions offset,
		 * two corners; packed by column at the end of the list */
		uint16_t lens[SEG_BLOCK];
		doc_lens(w, bd, n, w->tfield, lens);
		struct seg_corner cn[2];
		seg_frontier(bt, lens, n,
			     w->ndocs ? (double)w->field_len_sum[w->tfield] / w->ndocs : 1, cn);
		uint32_t *row = w->skv + (size_t)b * SEG_SKIP_COLS;
		/* skip entries hold u32 offsets (§5.1); one term's lists of
		 * 4 GiB are over a hundred times PubMed's largest */
		if (w->post.len > w->u32_max || w->f[SEGF_POS].body_len - w->tpos_start > w->u32_max)
			return err_set(&w->e, ERR_LIMIT, "%s: one term's postings or positions over 4 GiB",
				       w->name);
		row[SK_LAST] = bd[n - 1];
		row[SK_OFF] = (uint32_t)w->post.len;
		row[SK_POS] = (uint32_t)(w->f[SEGF_POS].body_len - w->tpos_start);
		row[SK_TF1] = cn[0].tf;
		row[SK_LEN1] = cn[0].len;
		row[SK_TF2] = cn[1].tf;
		row[SK_LEN2] = cn[1].len;
	}
	uint32_t gaps[SEG_BLOCK];
	for (uint32_t i = 0; i < n; i++) {
		uint32_t before = i ? bd[i - 1] : w->tprev;
		gaps[i] = bd[i] - before - 1;
	}
	uint8_t *o = fmt_buf_reserve(&w->post, PB_MAX_BYTES);
	if (o == NULL)
		return err_set(&w->e, ERR_NOMEM, "out of memory");
	w->post.len += pb_encode(gaps, bt, n, o);
	w->tprev = bd[n - 1];
	w->tblocks++;
	return put_positions(w, bt, n, pos, npos);
}

int sw_term_add(sw_writer *w, uint32_t doc, uint32_t tf, const uint32_t *pos)
{
	if (w->e.code)
		return w->e.code;
	if (w->bn == SEG_BLOCK) {
		if (put_block(w, w->bd, w->bt, w->bn, w->bpos, w->bnpos))
			return w->e.code;
		w->bn = 0;
		w->bnpos = 0;
	}
	if (tf > w->bposcap - w->bnpos) {
		size_t cap = w->bposcap ? w->bposcap : 1024;
		while (cap - w->bnpos < tf)
			cap *= 2;
		uint32_t *p = realloc(w->bpos, sizeof *p * cap);
		if (p == NULL)
			return err_set(&w->e, ERR_NOMEM, "out of memory");
		w->bpos = p;
		w->bposcap = cap;
	}
	memcpy(w->bpos + w->bnpos, pos, sizeof *pos * tf);
	w->bnpos += tf;
	w->bd[w->bn] = doc;
	w->bt[w->bn++] = tf;
	w->tdf++;
	return 0;
}

int sw_term_end(sw_writer *w)
{
	if (w->e.code)
		return w->e.code;
	if (w->bn > 0 && put_block(w, w->bd, w->bt, w->bn, w->bpos, w->bnpos))
		return w->e.code;
	w->bn = 0;
	w->bnpos = 0;
	if (w->tdf == 0)
		return 0;
	uint32_t nblocks = w->tblocks;
	if (nblocks > 1) {
		/* a width per column, then the columns (§5.1) */
		uint8_t *o = fmt_buf_reserve(&w->skips, SEG_SKIP_COLS + SEG_SKIP_COLS *
								  bp_bytes(nblocks, 32));
		if (o == NULL)
			return err_set(&w->e, ERR_NOMEM, "out of memory");
		if (nblocks > w->skcolcap) {
			uint32_t *c = realloc(w->skcol, sizeof *c * nblocks);
			if (c == NULL)
				return err_set(&w->e, ERR_NOMEM, "out of memory");
			w->skcol = c;
			w->skcolcap = nblocks;
		}
		size_t at = SEG_SKIP_COLS;
		for (unsigned k = 0; k < SEG_SKIP_COLS; k++) {
			for (uint32_t b = 0; b < nblocks; b++)
				w->skcol[b] = w->skv[(size_t)b * SEG_SKIP_COLS + k];
			unsigned wd = bp_bits(w->skcol, nblocks);
			o[k] = (uint8_t)wd;
			bp_pack(w->skcol, nblocks, wd, o + at);
			at += bp_bytes(nblocks, wd);
		}
		w->skips.len = at;
	}
	if (w->post.rc || w->skips.rc)
		return err_set(&w->e, ERR_NOMEM, "out of memory");
	uint64_t post_off = w->f[SEGF_POST].body_len;
	if (nblocks > 1)
		wf_write(w, &w->f[SEGF_POST], w->skips.p, w->skips.len);
	wf_write(w, &w->f[SEGF_POST], w->post.p, w->post.len);
	uint64_t post_len = w->f[SEGF_POST].body_len - post_off;
	uint64_t pos_len = w->f[SEGF_POS].body_len - w->tpos_start;
	if (w->is_part) {
		/* to a file, not memory: a merge's later key ranges hold tens
		 * of millions of terms at PubMed's scale */
		uint8_t ent[PART_ENTRY_MAX], *q = ent;
		q += fmt_put_varint(q, w->tkeylen);
		memcpy(q, w->tkey, w->tkeylen);
		q += w->tkeylen;
		q += fmt_put_varint(q, w->tdf);
		q += fmt_put_varint(q, post_len);
		q += fmt_put_varint(q, pos_len);
		w->nterms++;
		return wf_write(w, &w->f[SEGF_DICT], ent, (size_t)(q - ent));
	}
	return dict_add(w, w->tkey, w->tkeylen, w->tdf, post_off, w->tpos_start, post_len, pos_len);
}

/* The whole list at once: its blocks are taken from the arrays as they
 * are, without sw_term_add's copy. */
int sw_add_term(sw_writer *w, const uint8_t *key, size_t keylen, uint32_t df,
		const uint32_t *docs, const uint32_t *tfs, const uint32_t *pos)
{
	if (df == 0)
		return err_set(&w->e, ERR_USAGE, "%s: bad term", w->name);
	if (sw_term_begin(w, key, keylen))
		return w->e.code;
	size_t pi = 0;
	for (uint32_t at = 0; at < df; at += SEG_BLOCK) {
		uint32_t n = df - at < SEG_BLOCK ? df - at : SEG_BLOCK;
		uint64_t npos = 0;
		for (uint32_t i = 0; i < n; i++)
			npos += tfs[at + i];
		if (put_block(w, docs + at, tfs + at, n, pos + pi, npos))
			return w->e.code;
		pi += npos;
	}
	w->tdf = df;
	return sw_term_end(w);
}

static int cmp_u64(const void *a, const void *c)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)c;
	return x < y ? -1 : x > y;
}

#define DOC_COLS (3 + F_NFIELDS)
#define DOC_CHUNK 4096 /* documents a column is read and packed by: a multiple of 8,
			* so that each chunk's bits end on a byte */

/* Column k of documents d0 .. d0 + n - 1 (§3; k < DOC_COLS - 1): from the
 * rows held, or from the writer's source. */
static void column(const sw_writer *w, unsigned k, uint32_t d0, uint32_t n, uint32_t *v)
{
	if (w->src) {
		w->src->column(w->src->ctx, k, d0, n, v);
		return;
	}
	size_t at = k == 0 ? 0 : k == 1 ? 4 : 6 + 2 * (size_t)(k - 2);
	const uint8_t *r = w->docs.p + (size_t)d0 * SEG_DOC_BYTES + at;
	for (uint32_t i = 0; i < n; i++, r += SEG_DOC_BYTES)
		v[i] = k == 0 ? fmt_get_u32le(r) : fmt_get_u16le(r);
}

/* The next n documents in (pmid, doc) order: from the source, or from
 * bypmid, the held rows' (pmid << 32 | doc) sorted. */
static int order_chunk(const sw_writer *w, const uint64_t *bypmid, uint32_t d0, uint32_t n,
		       uint32_t *v)
{
	if (w->src)
		return w->src->order(w->src->ctx, d0 == 0, v, n);
	for (uint32_t i = 0; i < n; i++)
		v[i] = (uint32_t)bypmid[d0 + i];
	return 0;
}

/* Rows in memory (or the source's columns), columns on disk (§3): a query
 * reads one field's lengths for many documents, never a whole row.  Each
 * column is packed at the width its largest value (above the smallest, for
 * PMIDs and years) needs: 34 bytes a document became 9 on the synthetic
 * benchmark.  Two passes over the columns, the first for the header's
 * bases and widths; both go DOC_CHUNK documents at a time, so that
 * writing the table takes no memory that grows with it beyond the rows
 * (none with a source) and, when the documents are not in PMID order,
 * the sorted (pmid, doc) pairs of the rows. */
static int finish_doc(sw_writer *w)
{
	struct fmt_buf b;
	fmt_buf_init(&b);
	fmt_buf_u32(&b, w->ndocs);
	fmt_buf_u32(&b, F_NFIELDS);
	for (unsigned f = 0; f < F_NFIELDS; f++)
		fmt_buf_u64(&b, w->field_len_sum[f]);
	uint32_t *v = malloc(sizeof *v * DOC_CHUNK);
	uint8_t *o = malloc((size_t)4 * DOC_CHUNK);
	uint64_t *bypmid = NULL;
	if (v == NULL || o == NULL)
		goto nomem;
	uint32_t lo[DOC_COLS], hi[DOC_COLS];
	int sorted = 1;
	uint32_t last = 0;
	for (unsigned k = 0; k + 1 < DOC_COLS; k++) {
		lo[k] = UINT32_MAX;
		hi[k] = 0;
		for (uint32_t d0 = 0; d0 < w->ndocs; d0 += DOC_CHUNK) {
			uint32_t n = w->ndocs - d0 < DOC_CHUNK ? w->ndocs - d0 : DOC_CHUNK;
			column(w, k, d0, n, v);
			for (uint32_t i = 0; i < n; i++) {
				lo[k] = v[i] < lo[k] ? v[i] : lo[k];
				hi[k] = v[i] > hi[k] ? v[i] : hi[k];
				if (k == 0 && (d0 + i > 0 && v[i] < last))
					sorted = 0;
				if (k == 0)
					last = v[i];
			}
		}
		if (w->ndocs == 0 || k >= 2)
			lo[k] = 0; /* lengths have no base */
	}
	/* documents already in PMID order need no order column */
	lo[DOC_COLS - 1] = 0;
	hi[DOC_COLS - 1] = sorted ? 0 : w->ndocs - 1;
	if (!sorted && w->src == NULL) {
		if ((bypmid = malloc(sizeof *bypmid * w->ndocs)) == NULL)
			goto nomem;
		for (uint32_t d = 0; d < w->ndocs; d++)
			bypmid[d] = (uint64_t)fmt_get_u32le(w->docs.p + (size_t)d * SEG_DOC_BYTES) << 32 | d;
		qsort(bypmid, w->ndocs, sizeof *bypmid, cmp_u64);
	}
	unsigned width[DOC_COLS];
	for (unsigned k = 0; k < DOC_COLS; k++) {
		uint32_t span = hi[k] - lo[k];
		width[k] = bp_bits(&span, 1);
	}
	fmt_buf_u32(&b, lo[0]);
	fmt_buf_u8(&b, (uint8_t)width[0]);
	fmt_buf_u16(&b, (uint16_t)lo[1]);
	fmt_buf_u8(&b, (uint8_t)width[1]);
	for (unsigned k = 2; k < DOC_COLS; k++)
		fmt_buf_u8(&b, (uint8_t)width[k]);
	if (b.rc)
		goto nomem;
	wf_write(w, &w->f[SEGF_DOC], b.p, b.len);
	for (unsigned k = 0; k < DOC_COLS && w->e.code == 0; k++) {
		if (width[k] == 0)
			continue;
		for (uint32_t d0 = 0; d0 < w->ndocs; d0 += DOC_CHUNK) {
			uint32_t n = w->ndocs - d0 < DOC_CHUNK ? w->ndocs - d0 : DOC_CHUNK;
			if (k + 1 < DOC_COLS)
				column(w, k, d0, n, v);
			else if (order_chunk(w, bypmid, d0, n, v)) {
				/* the source counted more live documents than its
				 * inputs' orders hold */
				err_set(&w->e, ERR_CORRUPT, "%s: the inputs' PMID orders are damaged",
					w->name);
				break;
			}
			for (uint32_t i = 0; i < n; i++)
				v[i] -= lo[k];
			bp_pack(v, n, width[k], o);
			wf_write(w, &w->f[SEGF_DOC], o, bp_bytes(n, width[k]));
		}
	}
	free(v);
	free(o);
	free(bypmid);
	fmt_buf_free(&b);
	return w->e.code;
nomem:
	free(v);
	free(o);
	free(bypmid);
	fmt_buf_free(&b);
	return err_set(&w->e, ERR_NOMEM, "out of memory");
}

sw_writer *sw_open_part(sw_writer *w, unsigned part, struct err *e)
{
	char name[64];
	snprintf(name, sizeof name, "%.40s.part%u", w->name, part);
	sw_writer *p = new_writer(w->dir, name, w->an_version, w->flags, e);
	if (p == NULL)
		return NULL;
	p->is_part = 1;
	p->u32_max = w->u32_max;
	/* the parent adds no document while parts exist: share its table */
	p->docs = w->docs;
	p->src = w->src;
	p->ndocs = w->ndocs;
	memcpy(p->field_len_sum, w->field_len_sum, sizeof p->field_len_sum);
	for (int f = SEGF_DICT; f <= SEGF_POS && p->e.code == 0; f++)
		wf_open(p, &p->f[f], seg_file_ext[f], seg_file_kind[f]);
	if (p->e.code) {
		*e = p->e;
		sw_free(p, 1);
		return NULL;
	}
	return p;
}

/* Appends the body of part file f (after its room for a header) to the
 * parent's file to. */
static int copy_part_file(sw_writer *w, struct wfile *to, sw_writer *p, struct wfile *f)
{
	if (wf_flush(p, f))
		return err_set(&w->e, p->e.code, "%s", p->e.msg);
	uint8_t *buf = malloc(WBUF_BYTES);
	if (buf == NULL)
		return err_set(&w->e, ERR_NOMEM, "out of memory");
	uint64_t off = SEG_HEADER_BYTES, end = SEG_HEADER_BYTES + f->body_len;
	while (off < end && w->e.code == 0) {
		size_t want = end - off < WBUF_BYTES ? (size_t)(end - off) : WBUF_BYTES;
		ssize_t n = pread(f->fd, buf, want, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err_errno(&w->e, n < 0 ? errno : EIO, "cannot read '%s'", f->path);
			break;
		}
		wf_write(w, to, buf, (size_t)n);
		off += (uint64_t)n;
	}
	free(buf);
	return w->e.code;
}

int sw_append_part(sw_writer *w, sw_writer *p)
{
	if (w->e.code == 0 && p->e.code)
		err_set(&w->e, p->e.code, "%s", p->e.msg);
	uint64_t post_off = w->f[SEGF_POST].body_len, pos_off = w->f[SEGF_POS].body_len;
	if (w->e.code == 0 && copy_part_file(w, &w->f[SEGF_POST], p, &p->f[SEGF_POST]) == 0)
		copy_part_file(w, &w->f[SEGF_POS], p, &p->f[SEGF_POS]);
	/* the part's entries, read back a buffer at a time */
	struct wfile *f = &p->f[SEGF_DICT];
	uint8_t *buf = w->e.code == 0 && wf_flush(p, f) == 0 ? malloc(WBUF_BYTES) : NULL;
	if (buf == NULL && w->e.code == 0)
		err_set(&w->e, p->e.code ? p->e.code : ERR_NOMEM, "%s",
			p->e.code ? p->e.msg : "out of memory");
	uint64_t off = SEG_HEADER_BYTES, end = SEG_HEADER_BYTES + f->body_len;
	size_t have = 0;
	while (w->e.code == 0 && (off < end || have > 0)) {
		if (off < end && have < PART_ENTRY_MAX) {
			size_t want = WBUF_BYTES - have;
			if (want > end - off)
				want = (size_t)(end - off);
			ssize_t n = pread(f->fd, buf + have, want, (off_t)off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				err_errno(&w->e, n < 0 ? errno : EIO, "cannot read '%s'", f->path);
				break;
			}
			have += (size_t)n;
			off += (uint64_t)n;
		}
		/* whole entries only, until the end of the file */
		const uint8_t *q = buf, *stop = buf + have;
		while (q < stop && (off == end || (size_t)(stop - q) >= PART_ENTRY_MAX) &&
		       w->e.code == 0) {
			uint64_t keylen = 0, df = 0, post_len = 0, pos_len = 0;
			size_t k = fmt_get_varint(q, stop, &keylen);
			assert(k > 0 && keylen <= (size_t)(stop - q) - k); /* the part wrote it */
			const uint8_t *key = q + k;
			q = key + keylen;
			q += fmt_get_varint(q, stop, &df);
			q += fmt_get_varint(q, stop, &post_len);
			q += fmt_get_varint(q, stop, &pos_len);
			dict_add(w, key, (size_t)keylen, (uint32_t)df, post_off, pos_off, post_len,
				 pos_len);
			post_off += post_len;
			pos_off += pos_len;
		}
		have = (size_t)(stop - q);
		memmove(buf, q, have);
	}
	free(buf);
	sw_free(p, 1);
	return w->e.code;
}

int sw_finish(sw_writer *w, uint64_t *bytes_out, struct err *e)
{
	uint8_t t[16];
	uint64_t total = 0;
	uint8_t st[SEG_STORED_TRAILER];
	finish_doc(w);
	if (w->vocab == NULL && w->e.code == 0)
		start_stored(w, 0);
	flush_stored_block(w);
	if (w->copied_ahead > 0 && w->e.code == 0)
		err_set(&w->e, ERR_USAGE, "%s: a copied stored block lacks its documents", w->name);
	fmt_put_u64le(st, w->text_bytes);
	fmt_put_u32le(st + 8, w->vocab_clen);
	fmt_put_u32le(st + 12, w->vocab_rlen);
	fmt_put_u32le(st + 16, w->ndocs);
	fmt_put_u32le(st + 20, (uint32_t)(w->sindex.len / SEG_STORED_ENTRY));
	fmt_put_u64le(st + 24, w->f[SEGF_STORED].body_len);
	fmt_put_u32le(st + 32, w->vocab_sample);
	fmt_put_u32le(st + 36, w->vocab_flags);
	wf_write(w, &w->f[SEGF_STORED], w->sindex.p, w->sindex.len);
	wf_write(w, &w->f[SEGF_STORED], st, sizeof st);
	flush_dict_block(w);
	fmt_put_u32le(t, w->nterms);
	fmt_put_u32le(t + 4, (uint32_t)(w->dindex.len / 4));
	fmt_put_u64le(t + 8, w->f[SEGF_DICT].body_len);
	wf_write(w, &w->f[SEGF_DICT], w->dindex.p, w->dindex.len);
	wf_write(w, &w->f[SEGF_DICT], t, 16);
	if (w->sindex.rc || w->dindex.rc)
		err_set(&w->e, ERR_NOMEM, "out of memory");
	for (int i = 0; i < SEGF_N && !w->e.code; i++)
		wf_close(w, &w->f[i], &total);
	int rc = w->e.code;
	if (bytes_out)
		*bytes_out = total;
	if (rc)
		err_set(e, rc, "%s", w->e.msg);
	sw_free(w, rc != 0);
	return rc;
}

void sw_abort(sw_writer *w)
{
	sw_free(w, 1);
}

int sw_write_del(const char *dir, const char *name, uint32_t ndocs, const uint8_t *bits,
		 uint32_t an_version, uint32_t flags, struct err *e)
{
	sw_writer w;
	memset(&w, 0, sizeof w);
	snprintf(w.dir, sizeof w.dir, "%s", dir);
	w.name[0] = '\0';
	w.an_version = an_version;
	w.flags = flags;
	struct wfile *f = &w.f[0];
	f->fd = -1;
	/* the name already carries its extension */
	snprintf(w.name, sizeof w.name, "%s", name);
	uint64_t total = 0;
	uint32_t ndel = 0;
	size_t nbytes = ((size_t)ndocs + 7) / 8;
	for (uint32_t d = 0; d < ndocs; d++)
		ndel += bits[d >> 3] >> (d & 7) & 1;
	uint8_t hdr[8];
	fmt_put_u32le(hdr, ndocs);
	fmt_put_u32le(hdr + 4, ndel);
	if (wf_open(&w, f, "", SEG_KIND_DEL) == 0) {
		wf_write(&w, f, hdr, sizeof hdr);
		wf_write(&w, f, bits, nbytes);
		wf_close(&w, f, &total);
	}
	if (f->fd >= 0)
		close(f->fd);
	free(f->buf);
	if (w.e.code) {
		unlink(f->path);
		return err_set(e, w.e.code, "%s", w.e.msg);
	}
	return 0;
}
