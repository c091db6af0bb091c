/*
 * gzin.c - gzip input for libxml2 (see gzin.h), inflated by ISA-L.
 *
 * Why ISA-L's igzip rather than zlib: on the benchmark's PubMed-like
 * .xml.gz files it inflates in a quarter of zlib's time (0.53 s of CPU
 * against 2.44 s for 107 MB of gzip), with the CRC-32 done by carry-less
 * multiplication, and it streams, which libdeflate does not.  Inflating
 * shares the CPUs with parsing whenever every core parses.
 *
 * Framing: igzip decodes one gzip member (RFC 1952: header, deflate data,
 * CRC-32 and length, both checked) and leaves the bytes after it unread;
 * this file reads the file, tells gzip from plain XML by its first two
 * bytes and goes on member after member, ignoring bytes after the last
 * one as gzread() does.  The header is read by isal_read_gzip_header()
 * into a gzin-owned struct, not by isal_inflate() with ISAL_GZIP: that one
 * keeps what it has read of a header on its stack, so a header that
 * straddles two reads (FNAME, FEXTRA, FCOMMENT, FHCRC; a pipe, or a member
 * that starts near the end of a 256 KiB read) resumed with stack garbage
 * for flags ("invalid block", or a header CRC that never matches; ISA-L
 * issue #224).
 *
 * Truncation: a gzip stream that stops before its trailer is an error at
 * the point where the data stops ("truncated gzip input"), so the reader
 * reports it with a line number, not as a confusing "premature end of
 * data" from the XML parser.
 *
 * Read-ahead: for a compressed regular file a second thread inflates into
 * a small ring of buffers while the parser works on the previous one.
 * Inflating is about a quarter of the work of reading a PubMed .xml.gz and
 * the parser cannot use a second core, so this hides most of it.  Pipes and
 * plain files are read directly: a pipe could leave the thread blocked when
 * the caller closes early, and a plain file costs only a memcpy.
 */
#include "gzin.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <isa-l/igzip_lib.h>

#define RING_SLOTS 4
#define SLOT_BYTES ((size_t)256 * 1024)

/* How the bytes of the input are read. */
enum mode {
	M_START,   /* nothing read yet: gzip or not? */
	M_DIRECT,  /* not gzip: copied as they are */
	M_HEADER,  /* inside a gzip member's header */
	M_MEMBER,  /* inside a gzip member's deflate data or trailer */
	M_BETWEEN, /* after a member: another, or the end */
	M_END
};

struct gzin {
	int fd;
	uint64_t nbytes;
	int failed;    /* a read returned -1; msg says why */
	char msg[256];

	/* The decoder.  The producer owns it while it runs. */
	enum mode mode;
	uint8_t *in;        /* GZIN_BUF_BYTES of input; z.next_in/avail_in in it */
	int in_eof;         /* read() returned 0 */
	struct inflate_state z; /* igzip's, for the member being read */
	struct isal_gzip_header hdr; /* its header so far (fields skipped) */
	uint64_t hdr_read;  /* bytes of that header consumed so far */

	/* Read-ahead state.  Everything below `mu` is shared and guarded
	 * by it. */
	int threaded;
	int gzip;           /* a regular file starting with the gzip magic */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t filled, drained;
	char *slot[RING_SLOTS];
	size_t len[RING_SLOTS];
	size_t head, count;   /* oldest filled slot, number of filled slots */
	int eof, error, stop; /* producer finished; failed (msg set); asked to stop */
	size_t off;           /* consumer's position in slot[head] */
};

/* read(2) of up to n bytes into buf, retried when interrupted: bytes
 * read, 0 at the end, -1 with g->msg set. */
static ssize_t read_fd(gzin *g, void *buf, size_t n)
{
	ssize_t k;
	do
		k = read(g->fd, buf, n);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		snprintf(g->msg, sizeof g->msg, "read error: %s", strerror(errno));
	return k;
}

/* Fills the input buffer when it is empty: 1 when bytes are there, 0 at
 * the end of the input, -1 on a read error (g->msg set). */
static int fill(gzin *g)
{
	if (g->z.avail_in > 0)
		return 1;
	if (g->in_eof)
		return 0;
	ssize_t n = read_fd(g, g->in, GZIN_BUF_BYTES);
	if (n < 0)
		return -1;
	if (n == 0) {
		g->in_eof = 1;
		return 0;
	}
	g->z.next_in = g->in;
	g->z.avail_in = (uint32_t)n;
	return 1;
}

/* Whether the next input bytes start a gzip member: 1 yes, 0 no (or the
 * end), -1 on a read error.  The two bytes may come from two reads. */
static int at_member(gzin *g)
{
	int rc = fill(g);
	if (rc <= 0)
		return rc;
	if (g->z.next_in[0] != 0x1f)
		return 0;
	if (g->z.avail_in == 1) {
		/* keep the first byte, read more behind it */
		g->in[0] = 0x1f;
		ssize_t n = read_fd(g, g->in + 1, GZIN_BUF_BYTES - 1);
		if (n < 0)
			return -1;
		g->in_eof = n == 0;
		g->z.next_in = g->in;
		g->z.avail_in = 1 + (uint32_t)n;
		if (n == 0)
			return 0;
	}
	return g->z.next_in[1] == 0x8b;
}

/* Starts decoding the member at the input.  A reset keeps the unread
 * input (next_in, avail_in). */
static void begin_member(gzin *g)
{
	isal_inflate_reset(&g->z);
	isal_gzip_header_init(&g->hdr); /* name, extra, comment: not kept */
	g->hdr_read = 0;
	g->z.crc_flag = ISAL_GZIP_NO_HDR_VER; /* the trailer checked */
	g->mode = M_HEADER;
}

/* What igzip's error codes mean, for the message. */
static const char *isal_reason(int rc)
{
	switch (rc) {
	case ISAL_INVALID_BLOCK:
		return "invalid block";
	case ISAL_INVALID_SYMBOL:
		return "invalid code";
	case ISAL_INVALID_LOOKBACK:
		return "invalid distance too far back";
	case ISAL_INVALID_WRAPPER:
		return "invalid header";
	case ISAL_UNSUPPORTED_METHOD:
		return "unknown compression method";
	case ISAL_INCORRECT_CHECKSUM:
		return "incorrect data or length check";
	default:
		return "invalid data";
	}
}

/* Reads what the input holds of the member's header: 0 (done, or more
 * input needed), or -1 with g->msg set. */
static int read_header(gzin *g)
{
	int rc = fill(g);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		snprintf(g->msg, sizeof g->msg, "truncated gzip input (unexpected end of file)");
		return -1;
	}
	/* RFC 1952 says a decompressor must refuse the reserved flag bits
	 * (5-7 of FLG, the header's fourth byte), as gzip and zlib do; igzip
	 * skips them.  They mean a newer or damaged format. */
	if (g->hdr_read <= 3 && g->z.avail_in > 3 - g->hdr_read &&
	    (g->z.next_in[3 - g->hdr_read] & 0xe0) != 0) {
		snprintf(g->msg, sizeof g->msg, "corrupt gzip input (reserved header flags set)");
		return -1;
	}
	uint32_t before = g->z.avail_in;
	int ir = isal_read_gzip_header(&g->z, &g->hdr);
	g->hdr_read += before - g->z.avail_in;
	if (ir == ISAL_DECOMP_OK)
		g->mode = M_MEMBER;
	else if (ir != ISAL_END_INPUT) {
		snprintf(g->msg, sizeof g->msg, "corrupt gzip input (%s)",
			 ir == ISAL_INCORRECT_CHECKSUM ? "header crc mismatch" : isal_reason(ir));
		return -1;
	}
	return 0;
}

/* Inflates into buf[0..len): bytes produced (0 when the member ended with
 * none), or -1 with g->msg set. */
static int inflate_some(gzin *g, uint8_t *buf, unsigned len)
{
	/* At the end of the file igzip may still hold output, or the trailer
	 * in its bit buffer: it is called once more with no input. */
	int more = fill(g);
	if (more < 0)
		return -1;
	g->z.next_out = buf;
	g->z.avail_out = len;
	int ir = isal_inflate(&g->z);
	if (ir != ISAL_DECOMP_OK) {
		snprintf(g->msg, sizeof g->msg, "corrupt gzip input (%s)", isal_reason(ir));
		return -1;
	}
	unsigned out = len - g->z.avail_out;
	if (g->z.block_state == ISAL_BLOCK_FINISH)
		g->mode = M_BETWEEN;
	else if (out == 0 && more == 0) {
		snprintf(g->msg, sizeof g->msg, "truncated gzip input (unexpected end of file)");
		return -1;
	}
	return (int)out;
}

/* One read with the rules of the file comment: returns bytes read, 0 at
 * a clean end, -1 with g->msg set. */
static int read_some(gzin *g, char *buf, unsigned len)
{
	for (;;) {
		int rc;
		switch (g->mode) {
		case M_START:
			if ((rc = at_member(g)) < 0)
				return -1;
			if (rc == 0) {
				g->mode = M_DIRECT;
				break;
			}
			begin_member(g);
			break;
		case M_BETWEEN:
			if ((rc = at_member(g)) < 0)
				return -1;
			if (rc == 0) {
				g->mode = M_END; /* what follows the last member is ignored */
				break;
			}
			begin_member(g);
			break;
		case M_DIRECT:
			if (g->z.avail_in > 0) {
				unsigned n = g->z.avail_in < len ? g->z.avail_in : len;
				memcpy(buf, g->z.next_in, n);
				g->z.next_in += n;
				g->z.avail_in -= n;
				return (int)n;
			}
			if (g->in_eof)
				return 0;
			ssize_t n = read_fd(g, buf, len);
			if (n < 0)
				return -1;
			g->in_eof = n == 0;
			return (int)n;
		case M_HEADER:
			if (read_header(g))
				return -1;
			break;
		case M_MEMBER:
			if ((rc = inflate_some(g, (uint8_t *)buf, len)) != 0)
				return rc;
			break; /* a member's end, or no progress yet: go on */
		case M_END:
			return 0;
		}
	}
}

static void *producer(void *arg)
{
	gzin *g = arg;
	pthread_mutex_lock(&g->mu);
	for (;;) {
		while (g->count == RING_SLOTS && !g->stop)
			pthread_cond_wait(&g->drained, &g->mu);
		if (g->stop)
			break;
		size_t i = (g->head + g->count) % RING_SLOTS;
		pthread_mutex_unlock(&g->mu);
		/* Fill the slot as far as zlib goes, so slots stay large. */
		size_t got = 0;
		int n = 1;
		while (got < SLOT_BYTES && (n = read_some(g, g->slot[i] + got,
							  (unsigned)(SLOT_BYTES - got))) > 0)
			got += (size_t)n;
		pthread_mutex_lock(&g->mu);
		if (got > 0) {
			g->len[i] = got;
			g->count++;
		}
		if (n <= 0) {
			g->eof = 1;
			g->error = n < 0;
			pthread_cond_signal(&g->filled);
			break;
		}
		pthread_cond_signal(&g->filled);
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

/* Whether fd is a regular file holding gzip data (pipes are not looked
 * into: their bytes can be read only once). */
static int is_gzip_file(int fd)
{
	struct stat st;
	uint8_t magic[2];
	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && pread(fd, magic, 2, 0) == 2 &&
	       magic[0] == 0x1f && magic[1] == 0x8b;
}

/* Starts the read-ahead thread; stays direct (returns quietly) if anything
 * fails. */
static void start_readahead(gzin *g)
{
	for (int i = 0; i < RING_SLOTS; i++)
		if ((g->slot[i] = malloc(SLOT_BYTES)) == NULL)
			goto fail;
	if (pthread_mutex_init(&g->mu, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&g->filled, NULL) != 0) {
		pthread_mutex_destroy(&g->mu);
		goto fail;
	}
	if (pthread_cond_init(&g->drained, NULL) != 0) {
		pthread_cond_destroy(&g->filled);
		pthread_mutex_destroy(&g->mu);
		goto fail;
	}
	if (pthread_create(&g->thread, NULL, producer, g) != 0) {
		pthread_cond_destroy(&g->drained);
		pthread_cond_destroy(&g->filled);
		pthread_mutex_destroy(&g->mu);
		goto fail;
	}
	g->threaded = 1;
	return;
fail:
	for (int i = 0; i < RING_SLOTS; i++) {
		free(g->slot[i]);
		g->slot[i] = NULL;
	}
}

gzin *gzin_open(const char *path, int readahead, struct err *e)
{
	gzin *g = calloc(1, sizeof *g);
	int fd = -1;
	if (g == NULL) {
		err_set(e, ERR_NOMEM, "%s: out of memory", path);
		return NULL;
	}
	if (strcmp(path, "-") == 0) {
		/* close() at the end must not close the process's standard
		 * input: read a copy */
		fd = fcntl(0, F_DUPFD_CLOEXEC, 0);
		if (fd < 0) {
			err_errno(e, errno, "<stdin>: cannot read");
			goto fail;
		}
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			err_errno(e, errno, "%s: cannot open", path);
			goto fail;
		}
	}
	g->fd = fd;
	isal_inflate_init(&g->z);
	if ((g->in = malloc(GZIN_BUF_BYTES)) == NULL) {
		err_set(e, ERR_NOMEM, "%s: out of memory", path);
		goto fail;
	}
	g->gzip = strcmp(path, "-") != 0 && is_gzip_file(fd);
	if (readahead && g->gzip)
		start_readahead(g);
	return g;
fail:
	if (fd >= 0)
		close(fd);
	free(g);
	return NULL;
}

/* The consumer side of the ring. */
static int read_ring(gzin *g, char *buf, int len)
{
	pthread_mutex_lock(&g->mu);
	if (g->count > 0 && g->off == g->len[g->head]) {
		/* Done with the oldest slot: give it back. */
		g->head = (g->head + 1) % RING_SLOTS;
		g->count--;
		g->off = 0;
		pthread_cond_signal(&g->drained);
	}
	while (g->count == 0 && !g->eof)
		pthread_cond_wait(&g->filled, &g->mu);
	if (g->count == 0) {
		int err = g->error;
		pthread_mutex_unlock(&g->mu);
		if (err) {
			g->failed = 1;
			return -1;
		}
		return 0;
	}
	const char *src = g->slot[g->head] + g->off;
	size_t n = g->len[g->head] - g->off;
	pthread_mutex_unlock(&g->mu);
	/* The producer never touches a filled slot, so copy unlocked. */
	if (n > (size_t)len)
		n = (size_t)len;
	memcpy(buf, src, n);
	g->off += n;
	return (int)n;
}

int gzin_read(void *ctx, char *buf, int len)
{
	gzin *g = ctx;
	if (g->failed)
		return -1;
	if (len <= 0)
		return 0;
	int n = g->threaded ? read_ring(g, buf, len) : read_some(g, buf, (unsigned)len);
	if (n < 0) {
		g->failed = 1;
		return -1;
	}
	g->nbytes += (uint64_t)n;
	return n;
}

int gzin_check_rest(gzin *g)
{
	enum { STEP = 64 * 1024 };
	if (g == NULL || !g->gzip || g->failed)
		return g != NULL && g->failed;
	char *buf = malloc(STEP);
	if (buf == NULL)
		return 0; /* the XML error stands */
	while (gzin_read(g, buf, STEP) > 0)
		;
	free(buf);
	return g->failed;
}

const char *gzin_error(const gzin *g)
{
	return g && g->failed ? g->msg : NULL;
}

uint64_t gzin_bytes(const gzin *g)
{
	return g ? g->nbytes : 0;
}

int64_t gzin_file_pos(const gzin *g)
{
	/* the offset is the kernel's: no lock against the read-ahead thread */
	return g ? (int64_t)lseek(g->fd, 0, SEEK_CUR) : -1;
}

int gzin_close(gzin *g, const char *name, struct err *e)
{
	if (g == NULL)
		return 0;
	int rc = 0;
	if (g->threaded) {
		pthread_mutex_lock(&g->mu);
		g->stop = 1;
		pthread_cond_signal(&g->drained);
		pthread_mutex_unlock(&g->mu);
		pthread_join(g->thread, NULL);
		pthread_cond_destroy(&g->drained);
		pthread_cond_destroy(&g->filled);
		pthread_mutex_destroy(&g->mu);
		for (int i = 0; i < RING_SLOTS; i++)
			free(g->slot[i]);
	}
	free(g->in);
	if (close(g->fd) != 0 && !g->failed)
		rc = err_errno(e, errno, "%s: close failed", name);
	free(g);
	return rc;
}
