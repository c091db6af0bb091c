/*
 * failwrite.c - an LD_PRELOAD shim for tests/e2e/index_cli.sh and faults.sh:
 * a disk that fails under the indexer at a chosen moment.
 *
 *   SARC_FAIL_DIR=PREFIX   only files whose path starts with PREFIX count
 *   SARC_FAIL_AFTER=N      write() and pwrite() fail with ENOSPC once N
 *                          bytes went there ...
 *   SARC_FAIL_ONCE=1       ... only the first time (space freed at once
 *                          by another process); otherwise every time
 *   SARC_FAIL_PARTIAL=1    the write that crosses N writes what fits first
 *   SARC_FAIL_DIRSYNC=1    fsync() of a directory fails with EIO
 *   SARC_FAIL_COUNT=FILE   (without SARC_FAIL_AFTER) write into FILE how
 *                          many bytes went there, at exit
 *   SARC_MAP_MAX=N         mmap() of such a file fails with ENOMEM while N
 *                          of them are mapped: the kernel's limit on a
 *                          process's mappings (vm.max_map_count, 65,530),
 *                          brought within a test's reach
 *
 * Built by index_cli.sh and faults.sh with the system's cc.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

/* How many of the n bytes for fd go through: n, fewer (the short write
 * that reaches the limit, with SARC_FAIL_PARTIAL, as a filling disk
 * gives), or -1 with errno ENOSPC. */
static ssize_t allow(int fd, size_t n)
{
	const char *a = getenv("SARC_FAIL_AFTER");
	if (n == 0 || !watched(fd))
		return (ssize_t)n;
	long long before = __atomic_fetch_add(&done, (long long)n, __ATOMIC_SEQ_CST);
	if (a == NULL || (getenv("SARC_FAIL_ONCE") && __atomic_load_n(&failed, __ATOMIC_SEQ_CST)))
		return (ssize_t)n;
	long long limit = atoll(a);
	if (before + (long long)n <= limit)
		return (ssize_t)n;
	__atomic_store_n(&failed, 1, __ATOMIC_SEQ_CST);
	if (getenv("SARC_FAIL_PARTIAL") && before < limit)
		return (ssize_t)(limit - before);
	errno = ENOSPC;
	return -1;
}

ssize_t write(int fd, const void *p, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);
	if (real == NULL)
		real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	ssize_t k = allow(fd, n);
	return k < 0 ? -1 : real(fd, p, (size_t)k);
}

ssize_t pwrite(int fd, const void *p, size_t n, off_t off)
{
	static ssize_t (*real)(int, const void *, size_t, off_t);
	if (real == NULL)
		real = (ssize_t (*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
	ssize_t k = allow(fd, n);
	return k < 0 ? -1 : real(fd, p, (size_t)k, off);
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

/* The mappings of watched files now live (at most MAPS_CAP are tracked). */
#define MAPS_CAP 65536
static void *maps[MAPS_CAP];
static size_t nmaps;
static pthread_mutex_t maps_mu = PTHREAD_MUTEX_INITIALIZER;

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	static void *(*real)(void *, size_t, int, int, int, off_t);
	if (real == NULL)
		real = (void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT, "mmap");
	const char *max = getenv("SARC_MAP_MAX");
	if (max == NULL || fd < 0 || !watched(fd))
		return real(addr, len, prot, flags, fd, off);
	pthread_mutex_lock(&maps_mu);
	void *p = MAP_FAILED;
	if (nmaps >= (size_t)atoll(max) || nmaps >= MAPS_CAP) {
		errno = ENOMEM;
	} else if ((p = real(addr, len, prot, flags, fd, off)) != MAP_FAILED) {
		maps[nmaps++] = p;
	}
	pthread_mutex_unlock(&maps_mu);
	return p;
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap(addr, len, prot, flags, fd, off);
}

int munmap(void *addr, size_t len)
{
	static int (*real)(void *, size_t);
	if (real == NULL)
		real = (int (*)(void *, size_t))dlsym(RTLD_NEXT, "munmap");
	pthread_mutex_lock(&maps_mu);
	for (size_t i = 0; i < nmaps; i++)
		if (maps[i] == addr) {
			maps[i] = maps[--nmaps];
			break;
		}
	pthread_mutex_unlock(&maps_mu);
	return real(addr, len);
}
