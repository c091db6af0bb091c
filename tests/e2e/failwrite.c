/*
 * failwrite.c - an LD_PRELOAD shim for tests/e2e/index_cli.sh: a disk that
 * fails under the indexer at a chosen moment.
 *
 *   SARC_FAIL_DIR=PREFIX   only files whose path starts with PREFIX count
 *   SARC_FAIL_AFTER=N      write() and pwrite() fail with ENOSPC once N
 *                          bytes went there ...
 *   SARC_FAIL_ONCE=1       ... only the first time (space freed at once
 *                          by another process); otherwise every time
 *   SARC_FAIL_DIRSYNC=1    fsync() of a directory fails with EIO
 *   SARC_FAIL_COUNT=FILE   (without SARC_FAIL_AFTER) write into FILE how
 *                          many bytes went there, at exit
 *
 * Built by index_cli.sh with the system's cc; faults.sh has its own
 * (byte-counting) variant.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static long long done;
static int failed;

static int watched(int fd)
{
	const char *dir = getenv("SARC_FAIL_DIR");
	char link[64], path[4096];
	if (dir == NULL)
		return 0;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof path - 1);
	if (n <= 0)
		return 0;
	path[n] = '\0';
	return strncmp(path, dir, strlen(dir)) == 0;
}

/* Whether this write of n bytes to fd fails (errno set). */
static int fails(int fd, size_t n)
{
	const char *a = getenv("SARC_FAIL_AFTER");
	if (n == 0 || !watched(fd))
		return 0;
	if (a == NULL) {
		__atomic_add_fetch(&done, (long long)n, __ATOMIC_SEQ_CST);
		return 0;
	}
	int once = getenv("SARC_FAIL_ONCE") != NULL;
	if (__atomic_load_n(&failed, __ATOMIC_SEQ_CST) && once) {
		__atomic_add_fetch(&done, (long long)n, __ATOMIC_SEQ_CST);
		return 0;
	}
	if (__atomic_add_fetch(&done, (long long)n, __ATOMIC_SEQ_CST) > atoll(a)) {
		__atomic_store_n(&failed, 1, __ATOMIC_SEQ_CST);
		errno = ENOSPC;
		return 1;
	}
	return 0;
}

ssize_t write(int fd, const void *p, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);
	if (real == NULL)
		real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (fails(fd, n))
		return -1;
	return real(fd, p, n);
}

ssize_t pwrite(int fd, const void *p, size_t n, off_t off)
{
	static ssize_t (*real)(int, const void *, size_t, off_t);
	if (real == NULL)
		real = (ssize_t (*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
	if (fails(fd, n))
		return -1;
	return real(fd, p, n, off);
}

ssize_t pwrite64(int fd, const void *p, size_t n, off_t off)
{
	return pwrite(fd, p, n, off);
}

int fsync(int fd)
{
	static int (*real)(int);
	struct stat st;
	if (real == NULL)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	if (getenv("SARC_FAIL_DIRSYNC") && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		errno = EIO;
		return -1;
	}
	return real(fd);
}

__attribute__((destructor)) static void count(void)
{
	const char *f = getenv("SARC_FAIL_COUNT");
	FILE *o = f ? fopen(f, "w") : NULL;
	if (o) {
		fprintf(o, "%lld\n", done);
		fclose(o);
	}
}
