/*
 * err.h - error codes and the error record every fallible call fills.
 *
 * Functions return int: 0 on success, >0 an errno value, <0 one of the
 * ERR_* codes below.  The caller owns a struct err; whoever detects a
 * problem fills it once with the subject and position ("file.xml:12: ..."),
 * and only main() prints it.
 */
#ifndef ERR_H
#define ERR_H

#include <stddef.h>

enum {
	ERR_NOMEM = -1,          /* allocation failed */
	ERR_CORRUPT = -2,        /* index data fails a checksum or bounds check */
	ERR_FORMAT_VERSION = -3, /* index written by an incompatible version */
	ERR_PARSE = -4,          /* malformed input (XML, query) */
	ERR_USAGE = -5,          /* bad command line or API use */
	ERR_IO = -6,             /* I/O failure not described by errno */
	ERR_LIMIT = -7,          /* input exceeds a documented limit */
	ERR_LOCKED = -8,         /* another writer holds the index lock */
	ERR_NOTFOUND = -9,       /* no such index, record or term */
};

struct err {
	int code;       /* 0 while nothing has been reported */
	char msg[1024]; /* "subject: reason", lowercase, no full stop */
};

/* Clears e. */
void err_clear(struct err *e);

/* Records code and a printf-style message in e unless e already holds an
 * error (the first report wins: it is the one closest to the cause).
 * Returns code so callers can write `return err_set(e, ERR_PARSE, ...)`.
 * e may be NULL. */
int err_set(struct err *e, int code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* Like err_set with an errno value: appends ": strerror(errnum)". */
int err_errno(struct err *e, int errnum, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* Static description of a return code (ours or an errno). */
const char *err_str(int code);

/* Flushes standard output: 1, or 0 after "PROG: cannot write standard
 * output: reason" on stderr.  A write may have failed before while the
 * flush of what is left succeeds, so the stream's error flag counts too. */
int err_stdout_ok(const char *prog);

#endif
