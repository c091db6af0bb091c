/*
 * gzin.c - zlib gzread()-backed input for libxml2 (see gzin.h).
 *
 * Truncation: zlib reports a gzip stream that stops early only softly.
 * gz_decomp() records Z_BUF_ERROR ("unexpected end of file") as soon as
 * its input runs dry and gzread() keeps serving what it had inflated, then
 * returns 0 as at a clean end.  Checking gzerror() after every read catches
 * that where the data stops, so the reader reports it with a line number
 * instead of a confusing "premature end of data" from the XML parser;
 * gzin_close() checks gzclose() as the last line of defence.
 *
 * Read-ahead: for a compressed regular file a second thread runs gzread()
 * into a small ring of buffers while the parser works on the previous one.
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
#include <zlib.h>

#define RING_SLOTS 4
#define SLOT_BYTES ((size_t)256 * 1024)

struct gzin {
	gzFile gz;
	uint64_t nbytes;
	int failed;    /* a read returned -1; msg says why */
	char msg[256];

	/* Read-ahead state.  The producer owns gz while it runs; everything
	 * below `mu` is shared and guarded by it. */
	int threaded;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t filled, drained;
	char *slot[RING_SLOTS];
	size_t len[RING_SLOTS];
	size_t head, count;   /* oldest filled slot, number of filled slots */
	int eof, error, stop; /* producer finished; failed (msg set); asked to stop */
	size_t off;           /* consumer's position in slot[head] */
};

/* Describes the zlib error state of g->gz into g->msg; returns 1 if there
 * is one.  Z_BUF_ERROR is zlib's way of saying the stream ended early. */
static int take_error(gzin *g)
{
	int errnum = Z_OK;
	const char *zmsg = gzerror(g->gz, &errnum);
	if (errnum == Z_OK || errnum == Z_STREAM_END)
		return 0;
	/* zlib prefixes "<fd:N>: " for gzdopen()ed files; our caller names
	 * the file itself. */
	if (zmsg && strncmp(zmsg, "<fd:", 4) == 0 && strstr(zmsg, ": "))
		zmsg = strstr(zmsg, ": ") + 2;
	if (errnum == Z_BUF_ERROR)
		snprintf(g->msg, sizeof g->msg, "truncated gzip input (%s)", zmsg);
	else if (errnum == Z_ERRNO)
		snprintf(g->msg, sizeof g->msg, "read error: %s", strerror(errno));
	else if (errnum == Z_MEM_ERROR)
		snprintf(g->msg, sizeof g->msg, "out of memory in zlib");
	else
		snprintf(g->msg, sizeof g->msg, "corrupt gzip input (%s)", zmsg);
	return 1;
}

/* One gzread() with the error rules of the file comment: returns bytes
 * read, 0 at a clean end, -1 with g->msg set. */
static int read_some(gzin *g, char *buf, unsigned len)
{
	int n = gzread(g->gz, buf, len);
	if (n < 0) {
		if (!take_error(g))
			snprintf(g->msg, sizeof g->msg, "read error");
		return -1;
	}
	if (n == 0 && take_error(g))
		return -1;
	return n;
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

/* Starts the read-ahead thread if fd is a regular file holding gzip data;
 * stays direct (returns quietly) otherwise or if anything fails. */
static void start_readahead(gzin *g, int fd)
{
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || gzdirect(g->gz))
		return;
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
		/* gzclose() closes the descriptor it was given: hand it a copy
		 * so the process keeps its standard input. */
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
	errno = 0;
	g->gz = gzdopen(fd, "rb");
	if (g->gz == NULL) {
		err_set(e, errno ? errno : ERR_NOMEM, "%s: cannot open: %s", path,
			errno ? strerror(errno) : "out of memory");
		goto fail;
	}
	if (gzbuffer(g->gz, GZIN_BUF_BYTES) != 0) {
		/* Only fails once reading has started; it has not. */
		err_set(e, ERR_IO, "%s: cannot set the read buffer size", path);
		goto fail;
	}
	if (readahead)
		start_readahead(g, fd);
	return g;
fail:
	if (g->gz)
		gzclose(g->gz); /* closes fd too */
	else if (fd >= 0)
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

const char *gzin_error(const gzin *g)
{
	return g && g->failed ? g->msg : NULL;
}

uint64_t gzin_bytes(const gzin *g)
{
	return g ? g->nbytes : 0;
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
	int zrc = gzclose(g->gz);
	/* Reads already reported their failure; only report what is new. */
	if (!g->failed && zrc != Z_OK) {
		if (zrc == Z_BUF_ERROR)
			rc = err_set(e, ERR_IO, "%s: truncated gzip input (unexpected end of file)", name);
		else if (zrc == Z_ERRNO)
			rc = err_errno(e, errno, "%s: close failed", name);
		else
			rc = err_set(e, ERR_IO, "%s: corrupt gzip input (zlib error %d)", name, zrc);
	}
	free(g);
	return rc;
}
