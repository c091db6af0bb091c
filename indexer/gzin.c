/*
 * gzin.c - zlib gzread()-backed input for libxml2 (see gzin.h).
 *
 * zlib reports a gzip stream that stops early only softly: gz_decomp()
 * records Z_BUF_ERROR ("unexpected end of file") and gzread() keeps
 * returning what it has, then 0.  Checking gzerror() after every read
 * catches that at the point of truncation, so the reader reports it with
 * a line number instead of a confusing "premature end of data" from the
 * XML parser; gzin_close() checks gzclose() as the last line of defence.
 */
#include "gzin.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

struct gzin {
	gzFile gz;
	uint64_t nbytes;
	int failed;    /* a read returned -1; msg says why */
	char msg[256];
};

gzin *gzin_open(const char *path, struct err *e)
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
		fd = dup(0);
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
	fd = -1; /* owned by g->gz now */
	if (gzbuffer(g->gz, GZIN_BUF_BYTES) != 0) {
		/* Only fails once reading has started; it has not. */
		err_set(e, ERR_IO, "%s: cannot set the read buffer size", path);
		goto fail;
	}
	return g;
fail:
	if (fd >= 0)
		close(fd);
	if (g->gz)
		gzclose(g->gz);
	free(g);
	return NULL;
}

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

int gzin_read(void *ctx, char *buf, int len)
{
	gzin *g = ctx;
	if (g->failed)
		return -1;
	if (len <= 0)
		return 0;
	int n = gzread(g->gz, buf, (unsigned)len);
	if (n < 0) {
		if (!take_error(g))
			snprintf(g->msg, sizeof g->msg, "read error");
		g->failed = 1;
		return -1;
	}
	if (take_error(g) && n == 0) {
		/* zlib flags a cut-off stream (Z_BUF_ERROR) as soon as its input
		 * runs dry, but keeps serving what it had inflated until then:
		 * fail only once that is used up, so the parser's position, and
		 * the line in the message, is where the data stops. */
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
