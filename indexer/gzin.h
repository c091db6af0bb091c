/*
 * gzin.h - a gzip-inflating byte source for the PubMed reader (pubmed.c).
 *
 * One source serves .xml and .xml.gz whatever the file name says: input
 * that starts with the gzip magic is inflated member by member, anything
 * else is passed through.  A truncated or damaged .gz is an error at the
 * point where it shows, with a reason the caller can report.
 *
 * For a gzip-compressed regular file, gzin_open() can start one read-ahead
 * thread that inflates into a ring of 4 x 256 KiB buffers while the caller
 * parses; gzin_close() stops and joins it.  A gzin is used by one thread
 * at a time (the read-ahead thread is internal).
 */
#ifndef GZIN_H
#define GZIN_H

#include <stdint.h>

#include "err.h"

/* Size of the input buffer (compressed bytes per read()). */
#define GZIN_BUF_BYTES ((unsigned)256 * 1024)

typedef struct gzin gzin;

/* Opens path, or standard input when path is "-" (a dup() of fd 0, so
 * closing never closes the caller's stdin), with a read-ahead thread when
 * readahead is set and the file is a compressed regular file.  On failure
 * returns NULL and fills e ("path: reason"). */
gzin *gzin_open(const char *path, int readahead, struct err *e);

/* xmlInputReadCallback: copies up to len uncompressed bytes into buf.
 * Returns the number copied, 0 at the end of the input, or -1 on an error
 * (corrupt or truncated gzip data, a read error), which gzin_error()
 * then describes.  ctx is the gzin. */
int gzin_read(void *ctx, char *buf, int len);

/* For a gzip file whose text the caller found malformed: reads the rest
 * of it, so that damage in the compressed data, which shows only when its
 * member's check fails at the member's end, is found.  Returns 1 when it
 * was (gzin_error() says how), 0 otherwise or for other inputs. */
int gzin_check_rest(gzin *g);

/* The error a read met, or NULL if none: a static-lifetime or gzin-owned
 * description such as "truncated gzip input (unexpected end of file)". */
const char *gzin_error(const gzin *g);

/* Uncompressed bytes returned by gzin_read so far. */
uint64_t gzin_bytes(const gzin *g);

/* How far into the file reading has gone (compressed bytes, the read-ahead
 * included), for a progress estimate; -1 when the input is not seekable. */
int64_t gzin_file_pos(const gzin *g);

/* Closes g (NULL is a no-op).  Returns 0, or an error with e filled as
 * "name: reason" if closing the file failed (reads report their own
 * errors).  name is what the message calls the input. */
int gzin_close(gzin *g, const char *name, struct err *e);

#endif
