/*
 * build.c - an indexing run (see build.h).
 *
 * Worker threads take input files in turn; each owns an inverter and
 * flushes a segment whenever its share of the memory budget is full.  Every
 * record gets a sequence number (file number, record number), so "the last
 * record seen for a PMID wins" means the same thing whatever thread read
 * it.  Once all input is read, the run decides which documents die (older
 * versions, deletions), writes deletion files, and commits a new manifest
 * naming its segments (merged into one only with --final-merge): write,
 * fsync, rename, fsync the directory.  Until that rename the previous
 * manifest names only untouched files, so a crash at any point leaves the
 * previous index as it was; the next writer removes the orphans.  Then
 * the merge policy compacts, each merge another such commit.
 */
#include "build.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "invert.h"
#include "manifest.h"
#include "merge.h"
#include "mergefacet.h"
#include "pubmed.h"
#include "seg.h"
#include "segwrite.h"

/* The merge policy: segments are grouped by size class (powers of
 * MERGE_FACTOR in live documents); MERGE_FACTOR segments of one class are
 * merged into one, as Lucene's log merge policy does, so that a document is
 * rewritten O(log n) times.  A segment with over half its documents deleted
 * is rewritten alone.  10 is Lucene's default (LogMergePolicy's
 * mergeFactor, TieredMergePolicy's segmentsPerTier).  With 8, a run of
 * 10^6 citations on two threads, which flushes 8 segments of one class (a
 * thread has half the memory budget), ended with a merge of all of them
 * that one thread wrote its 4 segments without: 18 s of a single core
 * after 68 s of two. */
#define MERGE_FACTOR 10

struct newseg {
	char name[64];
	uint32_t ndocs;
	struct inv_seqs seqs;
};

struct delev {
	uint32_t pmid;
	uint64_t seq;
};

/* Deletions are kept in memory up to a share of --memory (DEL_BUF_*),
 * then sorted and spilled as a run to a temporary file, which resolve()
 * reads back through a small buffer per run: a DeleteCitation may list
 * any number of PMIDs, and 10^7 of them (200 MB of XML) held 240 MB. */
#define DEL_BUF_MIN ((size_t)1 << 20)
#define DEL_BUF_MAX ((size_t)16 << 20)
#define DEL_READ 64 /* deletions read back at a time, per run */

struct delrun {
	uint64_t off, n;    /* first entry in the file, entries */
	uint64_t next;      /* entries read so far */
	struct delev buf[DEL_READ];
	uint32_t bpos, blen;
	int err;            /* errno of a failed read */
};

struct build {
	const struct bld_options *o;
	int created_dir; /* this run made the index directory */
	struct manifest mf;
	struct an_settings an;
	uint32_t flags;
	pthread_mutex_t mu;
	size_t next_file;
	int failed;          /* a worker hit a fatal error */
	struct err e;        /* that error */
	/* a manifest was committed but its directory not synced: the
	 * previous one may come back after a crash (see bld_run) */
	struct err unsynced;
	struct newseg *segs; /* flushed segments of this run */
	size_t nsegs, segcap;
	struct delev *dels;
	size_t ndels, delcap, delmax; /* delmax: the buffer's bound, entries */
	int delfd;            /* the spilled runs (unlinked), -1 until needed */
	struct delrun *runs;
	size_t nruns, runcap;
	uint64_t delfile;     /* entries in the file */
	bld_report_fn report;
	void *ctx;
	struct bld_stats *st;
	atomic_uint_fast64_t read, bytes, files_done;
	/* for the progress line's estimate: the inputs' sizes on disk (0
	 * when one is not a regular file: then files done tell), and how
	 * many of those bytes the workers have read */
	uint64_t in_total;
	atomic_uint_fast64_t in_done;
	uint64_t new_killed; /* documents of this run that a later event killed */
	/* Files skipped under --keep-going (bit i: file i): the records they
	 * yielded before their error are dropped at the run's end, with their
	 * deletions, as if never read: a damaged .gz inflates wrong bytes
	 * that may still parse before its checksum fails. */
	uint8_t *skipped;
	uint64_t dropped; /* documents of skipped files */
	struct timespec t0;
	double last_progress;
	/* The stored-record vocabulary this run's segments share (FORMAT.md
	 * §7.2), so that merging them copies their compressed blocks: the
	 * index's, or the first one a flush of this run chooses from a full
	 * sample. */
	struct sw_vocab_slot vocab;
	unsigned open_flags; /* pm_open() flags for every file */
};

/* CPUs this process may run on. */
static long usable_cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0)
		return CPU_COUNT(&set);
	return sysconf(_SC_NPROCESSORS_ONLN);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* Allocates the next file name number under the lock. */
static void next_name(struct build *b, char *out, size_t cap)
{
	pthread_mutex_lock(&b->mu);
	snprintf(out, cap, "seg-%06llu", (unsigned long long)b->mf.next_id++);
	pthread_mutex_unlock(&b->mu);
}

/* Names a new deletion file of segment seg. */
static void del_name(struct build *b, const char *seg, char *out, size_t cap)
{
	pthread_mutex_lock(&b->mu);
	snprintf(out, cap, "%.40s.del-%06llu", seg, (unsigned long long)b->mf.next_id++);
	pthread_mutex_unlock(&b->mu);
}

static int flush(struct build *b, inv *v, struct err *e)
{
	if (inv_ndocs(v) == 0)
		return 0;
	struct newseg ns;
	uint64_t bytes;
	memset(&ns, 0, sizeof ns);
	next_name(b, ns.name, sizeof ns.name);
	ns.ndocs = inv_ndocs(v);
	uint64_t npost = inv_npostings(v);
	int rc = inv_flush(v, b->o->index, ns.name, b->flags | (b->o->no_facets ? 0 : SEG_FLAG_FACETS),
			   &b->vocab, &ns.seqs, &bytes, e);
	if (rc)
		return rc;
	pthread_mutex_lock(&b->mu);
	if (b->nsegs == b->segcap) {
		size_t cap = b->segcap ? b->segcap * 2 : 16;
		struct newseg *n = realloc(b->segs, sizeof *n * cap);
		if (n == NULL) {
			pthread_mutex_unlock(&b->mu);
			free(ns.seqs.run);
			return err_set(e, ERR_NOMEM, "out of memory");
		}
		b->segs = n;
		b->segcap = cap;
	}
	b->segs[b->nsegs++] = ns;
	b->st->segments_written++;
	b->st->postings += npost;
	pthread_mutex_unlock(&b->mu);
	return 0;
}

static int cmp_delev(const void *a, const void *b);

/* Sorts the buffered deletions and appends them to the file as a run
 * (under b->mu). */
static int spill_deletes(struct build *b, struct err *e)
{
	if (b->delfd < 0) {
		char p[4400];
		/* unlinked at once; named so that collect_garbage() would
		 * remove it had a crash come first */
		snprintf(p, sizeof p, "%s/seg-deletions-XXXXXX", b->o->index);
		if ((b->delfd = mkostemp(p, O_CLOEXEC)) < 0)
			return err_errno(e, errno, "cannot create a temporary file in '%s'", b->o->index);
		unlink(p);
	}
	if (b->nruns == b->runcap) {
		size_t cap = b->runcap ? b->runcap * 2 : 16;
		struct delrun *r = realloc(b->runs, sizeof *r * cap);
		if (r == NULL)
			return err_set(e, ERR_NOMEM, "out of memory");
		b->runs = r;
		b->runcap = cap;
	}
	qsort(b->dels, b->ndels, sizeof *b->dels, cmp_delev);
	const char *p = (const char *)b->dels;
	size_t left = b->ndels * sizeof *b->dels;
	off_t at = (off_t)(b->delfile * sizeof *b->dels);
	while (left > 0) {
		ssize_t k = pwrite(b->delfd, p, left, at);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return err_errno(e, k < 0 ? errno : ENOSPC,
					 "cannot write a temporary file in '%s'", b->o->index);
		p += k;
		left -= (size_t)k;
		at += k;
	}
	b->runs[b->nruns++] = (struct delrun){.off = b->delfile, .n = b->ndels};
	b->delfile += b->ndels;
	b->ndels = 0;
	return 0;
}

static int add_deletes(struct build *b, const uint32_t *pm, size_t n, uint64_t seq,
		       struct err *e)
{
	pthread_mutex_lock(&b->mu);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		if (b->ndels == b->delmax && (rc = spill_deletes(b, e)) != 0)
			break;
		if (b->ndels == b->delcap) {
			size_t cap = b->delcap ? b->delcap * 2 : 1024;
			cap = cap < b->delmax ? cap : b->delmax;
			struct delev *d = realloc(b->dels, sizeof *d * cap);
			if (d == NULL) {
				rc = err_set(e, ERR_NOMEM, "out of memory");
				break;
			}
			b->dels = d;
			b->delcap = cap;
		}
		b->dels[b->ndels].pmid = pm[i];
		b->dels[b->ndels].seq = seq;
		b->ndels++;
	}
	pthread_mutex_unlock(&b->mu);
	return rc;
}

static void progress(struct build *b, int final)
{
	double t = now_s();
	pthread_mutex_lock(&b->mu);
	if (!final && t - b->last_progress < 0.5) {
		pthread_mutex_unlock(&b->mu);
		return;
	}
	b->last_progress = t;
	double el = t - ((double)b->t0.tv_sec + b->t0.tv_nsec / 1e9);
	uint64_t done = atomic_load(&b->files_done), rd = atomic_load(&b->read);
	double mb = (double)atomic_load(&b->bytes) / 1e6;
	double rate = el > 0 ? mb / el : 0;
	char eta[32] = "";
	uint64_t in = atomic_load(&b->in_done);
	double left = -1;
	/* by bytes on disk, so that one large file has an estimate too */
	if (b->in_total > 0 && in > 0 && in < b->in_total && el >= 1)
		left = el / (double)in * (double)(b->in_total - in);
	else if (b->in_total == 0 && done > 0 && done < b->o->nfiles)
		left = el / (double)done * (double)(b->o->nfiles - done);
	if (left >= 0 && !final)
		snprintf(eta, sizeof eta, ", ETA %d:%02d", (int)left / 60, (int)left % 60);
	fprintf(stderr, "\rsarc-index: files %llu/%zu, %llu citations, %.1f MB/s%s\033[K%s",
		(unsigned long long)done, b->o->nfiles, (unsigned long long)rd, rate, eta,
		final ? "\n" : "");
	pthread_mutex_unlock(&b->mu);
}

/* The inputs' total size on disk, or 0 when one of them is not a regular
 * file (standard input, a pipe). */
static uint64_t input_bytes(const struct bld_options *o)
{
	uint64_t total = 0;
	for (size_t i = 0; i < o->nfiles; i++) {
		struct stat st;
		if (strcmp(o->files[i], "-") == 0 || stat(o->files[i], &st) != 0 ||
		    !S_ISREG(st.st_mode))
			return 0;
		total += (uint64_t)st.st_size;
	}
	return total;
}

/* Reads one file into v.  Returns 0, or an error (filled in e); *fatal
 * is set when the error is not the file's but the run's (writing a
 * segment, memory, the inverter's state), which --keep-going must not
 * take for a bad input. */
static int read_file(struct build *b, inv *v, size_t fi, int *fatal, struct err *e)
{
	const char *path = b->o->files[fi];
	size_t budget = b->o->memory_bytes / (size_t)b->o->threads;
	pm_reader *r = pm_open(path, b->open_flags, e);
	if (r == NULL)
		return e->code ? e->code : ERR_IO;
	struct pm_event ev;
	uint64_t recno = 0, lastbytes = 0;
	int64_t lastpos = 0;
	int rc;
	while ((rc = pm_next(r, &ev, e)) == 1) {
		uint64_t seq = (uint64_t)fi << 32 | recno++;
		if (ev.kind == PM_EV_DELETE) {
			if ((rc = add_deletes(b, ev.del, ev.ndel, seq, e))) {
				*fatal = 1;
				break;
			}
			continue;
		}
		/* a failed inv_add leaves a half-added record: the inverter
		 * cannot go on */
		if ((rc = inv_add(v, ev.rec, seq, e))) {
			*fatal = 1;
			break;
		}
		atomic_fetch_add(&b->read, 1);
		if ((recno & 63) == 0) {
			uint64_t nb = pm_bytes(r);
			atomic_fetch_add(&b->bytes, nb - lastbytes);
			lastbytes = nb;
			if (b->o->progress) {
				int64_t fp = pm_file_pos(r);
				if (fp > lastpos) {
					atomic_fetch_add(&b->in_done, (uint64_t)(fp - lastpos));
					lastpos = fp;
				}
				progress(b, 0);
			}
		}
		if (inv_bytes(v) >= budget) {
			/* another worker's write error fails the run: write no
			 * more (that error is the one reported) */
			pthread_mutex_lock(&b->mu);
			int failed = b->failed;
			pthread_mutex_unlock(&b->mu);
			if (failed || (rc = flush(b, v, e))) {
				rc = rc ? rc : ERR_IO;
				*fatal = 1;
				break;
			}
		}
	}
	uint64_t nb = pm_bytes(r);
	atomic_fetch_add(&b->bytes, nb - lastbytes);
	struct stat st;
	if (b->in_total > 0 && stat(path, &st) == 0 && st.st_size > lastpos)
		atomic_fetch_add(&b->in_done, (uint64_t)(st.st_size - lastpos));
	pthread_mutex_lock(&b->mu);
	b->st->skipped_nopmid += pm_skipped(r);
	pthread_mutex_unlock(&b->mu);
	int crc = pm_close(r, rc < 0 || *fatal ? NULL : e);
	if (rc == 0 && crc)
		rc = crc;
	if (rc > 0 && rc != 1)
		return rc;
	return rc < 0 ? rc : 0;
}

static void *worker(void *arg)
{
	struct build *b = arg;
	struct err e;
	err_clear(&e);
	inv *v = inv_new(&b->an, &e);
	int rc = v ? 0 : e.code;
	while (rc == 0) {
		pthread_mutex_lock(&b->mu);
		size_t fi = b->failed ? b->o->nfiles : b->next_file++;
		pthread_mutex_unlock(&b->mu);
		if (fi >= b->o->nfiles)
			break;
		err_clear(&e);
		int fatal = 0;
		rc = read_file(b, v, fi, &fatal, &e);
		atomic_fetch_add(&b->files_done, 1);
		/* Only the file's own errors skip it: a write error (a full
		 * disk) is no bad input, and the next file would meet it too. */
		if (rc && b->o->keep_going && !fatal && rc != ERR_NOMEM) {
			/* the file is skipped: resolve() drops what it yielded */
			pthread_mutex_lock(&b->mu);
			b->skipped[fi / 8] |= (uint8_t)(1u << (fi % 8));
			b->st->files_failed++;
			if (b->report) {
				char msg[sizeof e.msg + 16];
				/* the progress line is not ended: clear it first, or
				 * the message is appended to it */
				if (b->o->progress)
					fputs("\r\033[K", stderr);
				snprintf(msg, sizeof msg, "skipped: %s", e.msg);
				b->report(b->ctx, msg);
			}
			pthread_mutex_unlock(&b->mu);
			rc = 0;
		}
	}
	pthread_mutex_lock(&b->mu);
	int failed = b->failed;
	pthread_mutex_unlock(&b->mu);
	/* after another worker's error nothing more is written: the run
	 * fails anyway */
	if (rc == 0 && v && !failed) {
		err_clear(&e);
		rc = flush(b, v, &e);
	}
	if (rc) {
		pthread_mutex_lock(&b->mu);
		if (!b->failed) {
			b->failed = 1;
			b->e = e;
			if (!b->e.code)
				err_set(&b->e, rc, "%s", err_str(rc));
		}
		pthread_mutex_unlock(&b->mu);
	}
	inv_free(v);
	return NULL;
}

/* ---- committing ---- */

struct segstate {
	struct seg seg;
	int open;
	uint8_t *dead;      /* deaths decided by this run (NULL: none) */
	uint32_t ndead_new;
	int is_new;
	const struct inv_seqs *seqs; /* new segments only */
};

/* One sorted source of the events resolve() weighs: a new segment's
 * documents in its (PMID, document) order, which is (PMID, sequence)
 * order since a worker adds records in the order it reads them; or the
 * run's deletions, sorted. */
struct evsrc {
	int32_t seg;      /* index into states, -1 for deletions */
	struct delrun *run; /* deletions spilled to the file, NULL: in memory */
	uint32_t next, n; /* the next rank or deletion, how many */
	uint32_t pmid, doc; /* the current event */
	uint64_t seq;
};

static int cmp_delev(const void *a, const void *b)
{
	const struct delev *x = a, *y = b;
	if (x->pmid != y->pmid)
		return x->pmid < y->pmid ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Makes x's next event current; 0 when it has none left (or its file
 * failed: x->run->err says so). */
static int src_next(const struct build *b, const struct segstate *ss, struct evsrc *x)
{
	struct delrun *r = x->run;
	if (r != NULL) {
		if (r->bpos == r->blen) {
			uint64_t want = r->n - r->next < DEL_READ ? r->n - r->next : DEL_READ;
			if (want == 0 || r->err)
				return 0;
			size_t bytes = (size_t)want * sizeof *r->buf, got = 0;
			off_t at = (off_t)((r->off + r->next) * sizeof *r->buf);
			while (got < bytes) {
				ssize_t k = pread(b->delfd, (char *)r->buf + got, bytes - got, at + (off_t)got);
				if (k < 0 && errno == EINTR)
					continue;
				if (k <= 0) {
					r->err = k < 0 ? errno : EIO;
					return 0;
				}
				got += (size_t)k;
			}
			r->next += want;
			r->bpos = 0;
			r->blen = (uint32_t)want;
		}
		x->pmid = r->buf[r->bpos].pmid;
		x->seq = r->buf[r->bpos].seq;
		r->bpos++;
		return 1;
	}
	while (x->next < x->n) {
		uint32_t i = x->next++;
		if (x->seg < 0) {
			x->pmid = b->dels[i].pmid;
			x->seq = b->dels[i].seq;
			return 1;
		}
		const struct segstate *s = &ss[x->seg];
		uint32_t d = seg_doc_by_rank(&s->seg, i);
		if (d >= s->seg.ndocs)
			continue; /* (a segment of this run: never) */
		x->doc = d;
		x->pmid = seg_doc_pmid(&s->seg, d);
		x->seq = inv_seq_of(s->seqs, d);
		return 1;
	}
	return 0;
}

static int src_before(const struct evsrc *x, const struct evsrc *y)
{
	if (x->pmid != y->pmid)
		return x->pmid < y->pmid;
	if (x->seq != y->seq)
		return x->seq < y->seq;
	return x->seg < y->seg;
}

/* Restores the min-heap h[0..n) from position i down. */
static void sift_down(struct evsrc **h, size_t n, size_t i)
{
	for (;;) {
		size_t m = i, l = 2 * i + 1, r = l + 1;
		if (l < n && src_before(h[l], h[m]))
			m = l;
		if (r < n && src_before(h[r], h[m]))
			m = r;
		if (m == i)
			return;
		struct evsrc *t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static int mark_dead(struct segstate *s, uint32_t d)
{
	if (s->dead == NULL && (s->dead = calloc(((size_t)s->seg.ndocs + 7) / 8 + 1, 1)) == NULL)
		return ERR_NOMEM;
	if (s->dead[d >> 3] >> (d & 7) & 1)
		return 0;
	s->dead[d >> 3] |= (uint8_t)(1u << (d & 7));
	s->ndead_new++;
	return 0;
}

static int is_live(const struct segstate *s, uint32_t d)
{
	return !seg_deleted(&s->seg, d) && !(s->dead && (s->dead[d >> 3] >> (d & 7) & 1));
}

/* The fate of one PMID, once all its events of this run are seen: the
 * last one (win) stands, and every live document with that PMID in the
 * old segments dies; killed counts the deaths among this run's own. */
static int settle(struct build *b, struct segstate *ss, size_t nold, const struct evsrc *win,
		  uint64_t killed)
{
	int rc = 0;
	for (size_t s = 0; s < nold && !rc; s++) {
		size_t first, n = seg_pmid_ranks(&ss[s].seg, win->pmid, &first);
		for (size_t q = first; q < first + n && !rc; q++) {
			uint32_t d = seg_doc_by_rank(&ss[s].seg, q);
			if (is_live(&ss[s], d)) {
				rc = mark_dead(&ss[s], d);
				killed++;
			}
		}
	}
	if (win->seg < 0) {
		b->st->deleted += killed;
		if (killed == 0)
			b->st->delete_missing++;
	} else {
		b->st->replaced += killed;
	}
	return rc;
}

/* Decides which documents die: for each PMID the event with the highest
 * sequence number wins; every other document with that PMID, in old or new
 * segments, dies.  The events come from merging the new segments' PMID
 * order with the sorted deletions, so the run's end needs memory for one
 * cursor per segment, not for a sorted copy of every citation it read. */
static int resolve(struct build *b, struct segstate *ss, size_t nold, size_t nall,
		   struct err *e)
{
	size_t nsrc = nall - nold + 1 + b->nruns, nh = 0;
	struct evsrc *src = calloc(nsrc, sizeof *src);
	struct evsrc **h = calloc(nsrc, sizeof *h);
	if (src == NULL || h == NULL) {
		free(src);
		free(h);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	if (b->ndels > 1) /* (qsort of no array: dels is NULL) */
		qsort(b->dels, b->ndels, sizeof *b->dels, cmp_delev);
	src[0] = (struct evsrc){.seg = -1, .n = (uint32_t)b->ndels};
	for (size_t i = nold; i < nall; i++)
		src[i - nold + 1] = (struct evsrc){.seg = (int32_t)i, .n = ss[i].seg.ndocs};
	for (size_t r = 0; r < b->nruns; r++)
		src[nall - nold + 1 + r] = (struct evsrc){.seg = -1, .run = &b->runs[r]};
	for (size_t i = 0; i < nsrc; i++)
		if (src_next(b, ss, &src[i]))
			h[nh++] = &src[i];
	for (size_t i = nh; i-- > 0;)
		sift_down(h, nh, i);
	int rc = 0, open = 0;
	struct evsrc prev = {0};
	uint64_t killed = 0;
	while (nh > 0 && !rc) {
		struct evsrc cur = *h[0];
		uint64_t file = cur.seq >> 32;
		if (b->skipped && b->skipped[file / 8] >> (file % 8) & 1) {
			/* never happened: it neither stands nor kills */
			if (cur.seg >= 0) {
				rc = mark_dead(&ss[cur.seg], cur.doc);
				b->dropped++;
			}
			if (!src_next(b, ss, h[0]))
				h[0] = h[--nh];
			sift_down(h, nh, 0);
			continue;
		}
		if (open && cur.pmid == prev.pmid) {
			/* a later event for the PMID: the earlier one dies */
			if (prev.seg >= 0) {
				rc = mark_dead(&ss[prev.seg], prev.doc);
				killed++;
				b->new_killed++;
			}
		} else {
			if (open)
				rc = settle(b, ss, nold, &prev, killed);
			open = 1;
			killed = 0;
		}
		prev = cur;
		if (!src_next(b, ss, h[0]))
			h[0] = h[--nh];
		sift_down(h, nh, 0);
	}
	if (open && !rc)
		rc = settle(b, ss, nold, &prev, killed);
	free(src);
	free(h);
	for (size_t r = 0; r < b->nruns && !rc; r++)
		if (b->runs[r].err)
			return err_errno(e, b->runs[r].err, "cannot read a temporary file in '%s'",
					 b->o->index);
	return rc ? err_set(e, rc, "%s", err_str(rc)) : 0;
}

static uint32_t live_docs(const struct segstate *s)
{
	return s->seg.ndocs - s->seg.ndeleted - s->ndead_new;
}

/* Merges states[idx[0..n)] into one new segment; returns its manifest entry. */
static int merge_into(struct build *b, struct segstate *ss, const size_t *idx, size_t n,
		      struct mf_seg *out, struct err *e)
{
	struct seg **segs = calloc(n, sizeof *segs);
	const uint8_t **dead = calloc(n, sizeof *dead);
	int rc = 0;
	if (!segs || !dead) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		segs[i] = &ss[idx[i]].seg;
		dead[i] = ss[idx[i]].dead;
	}
	memset(out, 0, sizeof *out);
	next_name(b, out->name, sizeof out->name);
	/* a merge of a large index takes a while: say so on the terminal */
	double t0 = now_s();
	if (b->o->progress) {
		uint64_t docs = 0;
		for (size_t i = 0; i < n; i++)
			docs += live_docs(&ss[idx[i]]);
		fprintf(stderr, "sarc-index: merging %zu segments (%llu citations)...", n,
			(unsigned long long)docs);
	}
	struct merge_out mo;
	rc = merge_segments(b->o->index, segs, dead, n, out->name, b->flags,
			    b->o->threads < 1 ? 1u : (unsigned)b->o->threads, b->o->memory_bytes, &mo, e);
	if (b->o->progress && rc == 0)
		fprintf(stderr, " %.1f s\n", now_s() - t0);
	else if (b->o->progress)
		fputs(" failed\n", stderr); /* the error line follows */
	if (rc == 0) {
		out->ndocs = mo.ndocs;
		b->st->merges++;
		b->st->stored_blocks_copied += mo.blocks_copied;
		b->st->stored_blocks_packed += mo.blocks_packed;
	}
out:
	free(segs);
	free(dead);
	return rc;
}

static int size_class(uint32_t n)
{
	int c = 0;
	while (n >= MERGE_FACTOR) {
		n /= MERGE_FACTOR;
		c++;
	}
	return c;
}

/* Removes every file of the index directory that the manifest does not
 * name: orphans of a crashed or failed run, and files made obsolete by the
 * commit (readers that still map them keep their copy). */
static void collect_garbage(const char *dir, const struct manifest *m)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		if (strncmp(n, "seg-", 4) != 0 && strcmp(n, MF_NAME ".tmp") != 0)
			continue;
		int keep = 0;
		for (size_t i = 0; i < m->nsegs && !keep; i++) {
			size_t l = strlen(m->segs[i].name);
			if (strncmp(n, m->segs[i].name, l) == 0 && n[l] == '.' && strncmp(n + l, ".del-", 5) != 0)
				keep = 1;
			if (m->segs[i].delname[0] && strcmp(n, m->segs[i].delname) == 0)
				keep = 1;
		}
		if (!keep) {
			char p[4400];
			snprintf(p, sizeof p, "%s/%s", dir, n);
			unlink(p);
		}
	}
	closedir(d);
}

static int commit(struct build *b, struct err *e)
{
	size_t nold = b->mf.nsegs, nall = nold + b->nsegs;
	struct segstate *ss = calloc(nall ? nall : 1, sizeof *ss);
	struct mf_seg *out = calloc(nall + 2, sizeof *out);
	size_t *idx = calloc(nall + 1, sizeof *idx);
	size_t nout = 0;
	int rc = 0;
	struct manifest nm = b->mf;
	if (!ss || !out || !idx) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nall; i++) {
		int isnew = i >= nold;
		const char *name = isnew ? b->segs[i - nold].name : b->mf.segs[i].name;
		const char *del = isnew ? "" : b->mf.segs[i].delname;
		/* Thousands of segments may be open at once (a large corpus
		 * under a small --memory): settling replacements needs their
		 * document tables only, and a process may hold some 65,000
		 * mappings (13,090 whole segments failed "cannot map"). */
		rc = b->o->final_merge ? seg_open(&ss[i].seg, b->o->index, name, del, e)
				       : seg_open_docs(&ss[i].seg, b->o->index, name, del, e);
		if (rc)
			goto out;
		seg_map_release(ss[i].seg.f, SEGF_N);
		ss[i].open = 1;
		ss[i].is_new = isnew;
		if (isnew)
			ss[i].seqs = &b->segs[i - nold].seqs;
	}
	if ((rc = resolve(b, ss, nold, nall, e)))
		goto out;
	/* old segments stay, with a new deletion file when this run killed some */
	for (size_t i = 0; i < nold; i++) {
		struct mf_seg m = b->mf.segs[i];
		if (ss[i].ndead_new) {
			for (uint32_t d = 0; d < ss[i].seg.ndocs; d++)
				if (seg_deleted(&ss[i].seg, d))
					ss[i].dead[d >> 3] |= (uint8_t)(1u << (d & 7));
			del_name(b, m.name, m.delname, sizeof m.delname);
			if ((rc = sw_write_del(b->o->index, m.delname, ss[i].seg.ndocs, ss[i].dead,
					       AN_VERSION, ss[i].seg.flags, e)))
				goto out;
			m.ndeleted = ss[i].seg.ndocs - live_docs(&ss[i]);
		}
		out[nout++] = m;
	}
	/* this run's segments become one (dropping what died) */
	if (b->nsegs > 0) {
		size_t n = 0;
		/* Merging here would serialize the end of a parallel run; the
		 * merge policy below compacts when segments accumulate, and
		 * deaths among new documents go to deletion files like any other. */
		int need = b->nsegs > 1 && b->o->final_merge;
		for (size_t i = nold; i < nall; i++)
			idx[n++] = i;
		if (need) {
			if ((rc = merge_into(b, ss, idx, n, &out[nout], e)))
				goto out;
			if (out[nout].ndocs > 0)
				nout++;
		} else {
			for (size_t i = nold; i < nall; i++) {
				struct mf_seg m;
				memset(&m, 0, sizeof m);
				snprintf(m.name, sizeof m.name, "%s", ss[i].seg.name);
				m.ndocs = ss[i].seg.ndocs;
				if (ss[i].ndead_new) {
					del_name(b, m.name, m.delname, sizeof m.delname);
					if ((rc = sw_write_del(b->o->index, m.delname, ss[i].seg.ndocs,
							       ss[i].dead, AN_VERSION, ss[i].seg.flags, e)))
						goto out;
					m.ndeleted = ss[i].ndead_new;
				}
				out[nout++] = m;
			}
		}
	}
	nm.segs = out;
	nm.nsegs = nout;
	nm.generation = b->mf.generation + 1;
	nm.next_id = b->mf.next_id;
	if ((rc = mf_write(b->o->index, &nm, &b->unsynced, e)))
		goto out;
	b->st->index_docs = 0;
	for (size_t i = 0; i < nout; i++)
		b->st->index_docs += out[i].ndocs - out[i].ndeleted;
	/* the committed manifest now owns out[] */
	free(b->mf.segs);
	b->mf.segs = out;
	b->mf.nsegs = nout;
	b->mf.generation = nm.generation;
	out = NULL;
out:
	for (size_t i = 0; ss && i < nall; i++) {
		if (ss[i].open)
			seg_close(&ss[i].seg);
		free(ss[i].dead);
	}
	free(ss);
	free(out);
	free(idx);
	return rc;
}

/* What a merge keeps mapped of an input while it reads it: up to about
 * 4 MB of its postings and positions (see merge_ranges in merge.c), told
 * by their files' sizes: the policy opens no segment but those it merges
 * (see merge_policy).  A file that cannot be stat'ed counts as the most;
 * merging it will say what is wrong with it. */
static uint64_t merge_input_cost(const char *dir, const char *name)
{
	const uint64_t most = (uint64_t)4 << 20;
	uint64_t n = 0;
	for (int f = SEGF_POST; f <= SEGF_POS; f++) {
		char p[4400];
		struct stat st;
		snprintf(p, sizeof p, "%s/%s%s", dir, name, seg_file_ext[f]);
		if (stat(p, &st) != 0)
			return most;
		n += (uint64_t)st.st_size;
	}
	return n < most ? n : most;
}

static uint32_t mf_live(const struct mf_seg *m)
{
	return m->ndocs - m->ndeleted;
}

/* At most this many inputs to one merge: each is open, its five files
 * mapped, while the merge runs, and a process may hold some 65,000
 * mappings (vm.max_map_count); merging more at once saves little. */
#define MERGE_MAX_INPUTS 1000

/* Keeps of the nidx inputs idx[] chosen for one merge (in manifest order)
 * as many as half the memory budget holds, at least two, so that a run
 * that flushed hundreds of small segments, or --merge of an index that
 * has many, stays within --memory: a merge of them all at once held
 * 100 MB under --memory 4M.  It takes the consecutive window (of idx)
 * with the fewest live documents, so that no large segment is rewritten
 * once per window (merging the first two, then their result with the
 * next, rewrote a class's growing segment nine times).  Returns the
 * inputs kept. */
static size_t merge_fit(const struct build *b, size_t *idx, size_t nidx)
{
	uint64_t limit = b->o->memory_bytes / 2;
	size_t best = 0, bestlen = 0;
	uint64_t bestdocs = UINT64_MAX;
	uint64_t *cost = malloc(sizeof *cost * (nidx ? nidx : 1));
	for (size_t k = 0; cost && k < nidx; k++)
		cost[k] = merge_input_cost(b->o->index, b->mf.segs[idx[k]].name);
	for (size_t start = 0; start + 1 < nidx; start++) {
		uint64_t sum = 0, docs = 0;
		size_t k = start;
		for (; k < nidx; k++) {
			/* (out of memory for the costs: the fewest inputs) */
			uint64_t c = cost ? cost[k] : limit;
			if (k - start >= 2 && (sum + c > limit || k - start >= MERGE_MAX_INPUTS))
				break;
			sum += c;
			docs += mf_live(&b->mf.segs[idx[k]]);
		}
		if (k == nidx && start == 0) {
			free(cost);
			return nidx; /* all of them fit */
		}
		if (docs < bestdocs) {
			best = start;
			bestlen = k - start;
			bestdocs = docs;
		}
	}
	free(cost);
	if (bestlen == 0)
		return nidx; /* one input: a half-deleted segment rewritten alone */
	memmove(idx, idx + best, bestlen * sizeof *idx);
	return bestlen;
}

/* Whether segment m has facet keys (FORMAT.md §4.1), read from its
 * headers: a merge makes them for a segment of format 6, which has none. */
static int has_facets(const struct build *b, const struct mf_seg *m, int *has, struct err *e)
{
	struct seg s;
	int rc = seg_open(&s, b->o->index, m->name, m->delname, e);
	if (rc == 0) {
		*has = (s.flags & SEG_FLAG_FACETS) != 0;
		seg_close(&s);
	}
	return rc;
}

/* The merge policy (see MERGE_FACTOR); --merge compacts everything, and
 * rewrites a lone segment without facet keys so that it gets them.
 * Every round merges two or more segments into one, or rewrites a
 * half-deleted one without its deletions, so the rounds end.  The choice
 * is made from the manifest's counts, and only the segments merged are
 * opened: a run under a small --memory flushes thousands of segments, and
 * opening every one every round made the rounds quadratic in their number
 * (1,143 segments took 25 s). */
static int merge_policy(struct build *b, int all, int *rounds, struct err *e)
{
	for (;;) {
		size_t n = b->mf.nsegs;
		if (n == 0)
			return 0;
		struct segstate *ss = calloc(n, sizeof *ss);
		size_t *idx = calloc(n, sizeof *idx), nidx = 0;
		int rc = 0;
		if (!ss || !idx) {
			free(ss);
			free(idx);
			return err_set(e, ERR_NOMEM, "out of memory");
		}
		const struct mf_seg *ms = b->mf.segs;
		if (all) {
			int keys = 1;
			if (n == 1 && !ms[0].ndeleted &&
			    mfacet_fits(mf_live(&ms[0]), b->o->memory_bytes))
				rc = has_facets(b, &ms[0], &keys, e);
			if (n > 1 || ms[0].ndeleted || !keys)
				for (size_t i = 0; i < n && !rc; i++)
					idx[nidx++] = i;
		} else {
			/* a class with MERGE_FACTOR members, or one half-deleted segment */
			int cls[64] = {0};
			for (size_t i = 0; i < n; i++)
				cls[size_class(mf_live(&ms[i]))]++;
			for (int c = 0; c < 64 && nidx == 0; c++)
				if (cls[c] >= MERGE_FACTOR)
					for (size_t i = 0; i < n && nidx < MERGE_FACTOR; i++)
						if (size_class(mf_live(&ms[i])) == c)
							idx[nidx++] = i;
			for (size_t i = 0; i < n && nidx == 0; i++)
				if ((uint64_t)ms[i].ndeleted * 2 > ms[i].ndocs)
					idx[nidx++] = i;
		}
		struct mf_seg merged;
		size_t chosen = nidx;
		if (nidx > 0) {
			nidx = merge_fit(b, idx, nidx);
			for (size_t k = 0; k < nidx && !rc; k++) {
				struct segstate *st = &ss[idx[k]];
				rc = seg_open(&st->seg, b->o->index, ms[idx[k]].name, ms[idx[k]].delname, e);
				st->open = rc == 0;
				if (st->open)
					seg_map_release(st->seg.f, SEGF_N);
			}
		}
		if (!rc && nidx > 0)
			rc = merge_into(b, ss, idx, nidx, &merged, e);
		if (!rc && nidx > 0) {
			/* new list: untouched segments in order, the merged one where the first was */
			struct mf_seg *segs = calloc(n, sizeof *segs);
			size_t k = 0, j = 0;
			if (segs == NULL) {
				rc = err_set(e, ERR_NOMEM, "out of memory");
			} else {
				for (size_t i = 0; i < n; i++) {
					if (j < nidx && idx[j] == i) {
						if (j++ == 0 && merged.ndocs > 0)
							segs[k++] = merged;
						continue;
					}
					segs[k++] = b->mf.segs[i];
				}
				struct manifest nm = b->mf;
				nm.segs = segs;
				nm.nsegs = k;
				nm.generation = b->mf.generation + 1;
				rc = mf_write(b->o->index, &nm, &b->unsynced, e);
				if (rc == 0) {
					(*rounds)++;
					/* a disk that fails to sync: write no more */
					if (b->unsynced.code)
						nidx = 0;
					free(b->mf.segs);
					b->mf.segs = segs;
					b->mf.nsegs = k;
					b->mf.generation = nm.generation;
				} else {
					free(segs);
				}
			}
		}
		for (size_t i = 0; i < n; i++)
			if (ss[i].open)
				seg_close(&ss[i].seg);
		free(ss);
		free(idx);
		if (rc)
			return rc;
		if (nidx == 0 || (all && nidx == chosen))
			return 0;
	}
}

/* Whether dir holds files that no sarc-index run made: then -o names the
 * wrong directory, and garbage collection must not touch it. */
static int has_foreign_files(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return 0;
	int foreign = 0;
	struct dirent *de;
	while (!foreign && (de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		foreign = strcmp(n, ".") != 0 && strcmp(n, "..") != 0 && strcmp(n, "LOCK") != 0 &&
			  strcmp(n, MF_NAME ".tmp") != 0 && strncmp(n, "seg-", 4) != 0;
	}
	closedir(d);
	return foreign;
}

/* New segments adopt the stored-record vocabulary of the index's largest
 * segment when it was chosen from a full sample, so that merging them with
 * it copies blocks; a vocabulary chosen from a handful of records would
 * compress a large addition poorly, so then the run chooses its own. */
static int index_vocab(struct build *b, struct err *e)
{
	size_t best = b->mf.nsegs;
	for (size_t i = 0; i < b->mf.nsegs; i++)
		if (best == b->mf.nsegs || b->mf.segs[i].ndocs > b->mf.segs[best].ndocs)
			best = i;
	if (best == b->mf.nsegs)
		return 0;
	struct seg s;
	int rc = seg_open(&s, b->o->index, b->mf.segs[best].name, "", e);
	if (rc)
		return rc;
	if (s.vocab_flags & SEG_VOCAB_FULL) {
		rc = seg_stored_vocab(&s, &b->vocab.v.ser, e);
		b->vocab.v.sample = s.vocab_sample;
		b->vocab.v.flags = s.vocab_flags;
		if (rc)
			b->vocab.v.ser.len = 0;
	}
	seg_close(&s);
	return rc;
}

/* The words of a stopword list as the analyzer reads them (folded: "The"
 * is "the"), sorted, each once, a 0 byte after each. */
struct word_list {
	struct fmt_buf bytes;
	size_t n;
};

static int add_word(void *ctx, const struct an_term *t)
{
	struct word_list *l = ctx;
	fmt_buf_put(&l->bytes, t->text, t->len);
	fmt_buf_u8(&l->bytes, 0);
	l->n++;
	return l->bytes.rc ? ERR_NOMEM : 0;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int stopword_set(an_analyzer *a, const char *list, struct fmt_buf *out)
{
	struct word_list l = {.n = 0};
	uint32_t pos = 0;
	fmt_buf_init(&l.bytes);
	int rc = an_run_flags(a, list, strlen(list), AN_KEEP_STOPWORDS | AN_NO_STEM, &pos, NULL,
			      add_word, &l);
	const char **w = rc ? NULL : malloc(sizeof *w * (l.n + 1));
	if (rc == 0 && w == NULL)
		rc = ERR_NOMEM;
	if (rc == 0) {
		const char *p = (const char *)l.bytes.p;
		for (size_t i = 0; i < l.n; p += strlen(p) + 1)
			w[i++] = p;
		qsort(w, l.n, sizeof *w, cmp_cstr);
		for (size_t i = 0; i < l.n; i++)
			if (i == 0 || strcmp(w[i], w[i - 1]) != 0)
				fmt_buf_put(out, w[i], strlen(w[i]) + 1);
		rc = out->rc ? ERR_NOMEM : 0;
	}
	free(w);
	fmt_buf_free(&l.bytes);
	return rc;
}

/* Whether stopword lists x and y hold the same words. */
static int same_stopwords(const char *x, const char *y, struct err *e)
{
	struct an_settings as = {.stem = 0, .stopwords = ""};
	an_analyzer *a = an_new(&as, e);
	if (a == NULL)
		return e->code;
	struct fmt_buf bx, by;
	fmt_buf_init(&bx);
	fmt_buf_init(&by);
	int rc = stopword_set(a, x, &bx);
	if (rc == 0)
		rc = stopword_set(a, y, &by);
	if (rc)
		rc = err_set(e, rc, "out of memory");
	else
		rc = bx.len == by.len && memcmp(bx.p, by.p, bx.len) == 0;
	fmt_buf_free(&bx);
	fmt_buf_free(&by);
	an_free(a);
	return rc;
}

/* --no-stem and --stopwords shape a new index; adding to one built
 * otherwise with them would have been a silent no-op. */
static int check_settings(const struct bld_options *o, const struct manifest *mf, struct err *e)
{
	if ((o->given & BLD_GIVEN_STEM) && !o->stem && (mf->flags & MF_FLAG_STEM))
		return err_set(e, ERR_USAGE,
			       "index '%s' is stemmed: --no-stem applies only to a new index", o->index);
	if ((o->given & BLD_GIVEN_STOPWORDS) && o->stopwords) {
		int same = same_stopwords(o->stopwords, mf->stopwords, e);
		if (same < 0)
			return same;
		if (!same)
			return err_set(e, ERR_USAGE,
				       "index '%s' has other stopwords: --stopwords applies only to a "
				       "new index (sarc-index --stats shows them)",
				       o->index);
	}
	return 0;
}

static int open_index(struct build *b, int *lockfd, struct err *e)
{
	const struct bld_options *o = b->o;
	char lp[4200];
	struct stat st;
	snprintf(lp, sizeof lp, "%s/%s", o->index, MF_NAME);
	/* --merge alone compacts an index; it must not create one (a typo,
	 * or an option taken as the index's name, would leave an empty
	 * index behind and report success). */
	if (o->merge_all && o->nfiles == 0 && stat(lp, &st) != 0 && errno == ENOENT)
		return err_set(e, ERR_NOTFOUND, "'%s' is not a sarc index (no %s): nothing to merge",
			       o->index, MF_NAME);
	if (mkdir(o->index, 0777) == 0)
		b->created_dir = 1;
	else if (errno != EEXIST)
		return err_errno(e, errno, "cannot create index directory '%s'", o->index);
	if (stat(lp, &st) != 0 && errno == ENOENT && has_foreign_files(o->index))
		return err_set(e, ERR_USAGE,
			       "'%s' is a directory that holds other files, not a sarc index: "
			       "choose a new or empty directory", o->index);
	snprintf(lp, sizeof lp, "%s/LOCK", o->index);
	if ((*lockfd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return err_errno(e, errno, "cannot create '%s'", lp);
	if (flock(*lockfd, LOCK_EX | LOCK_NB) != 0) {
		int err = errno;
		/* without the lock this run must touch nothing: a lock fd of
		 * -1 keeps bld_run from collecting "garbage" that is the
		 * other writer's work in progress */
		close(*lockfd);
		*lockfd = -1;
		if (err == EWOULDBLOCK)
			return err_set(e, ERR_LOCKED,
				       "index '%s' is locked: another sarc-index is writing it", o->index);
		return err_errno(e, err, "cannot lock '%s'", lp);
	}
	int rc = mf_read(o->index, &b->mf, e);
	if (rc == ERR_NOTFOUND) {
		err_clear(e);
		memset(&b->mf, 0, sizeof b->mf);
		b->mf.next_id = 1;
		b->mf.an_version = AN_VERSION;
		b->mf.flags = o->stem ? MF_FLAG_STEM : 0;
		const char *sw = o->stopwords ? o->stopwords : an_default_stopwords();
		if ((b->mf.stopwords = strdup(sw)) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory");
		return 0;
	}
	if (rc)
		return rc;
	if (b->mf.an_version != AN_VERSION)
		return err_set(e, ERR_FORMAT_VERSION,
			       "index '%s' was built with analyzer version %u, this sarc has %u: rebuild it",
			       o->index, b->mf.an_version, AN_VERSION);
	return check_settings(o, &b->mf, e);
}

int bld_run(const struct bld_options *o, struct bld_stats *st, bld_report_fn report,
	    void *ctx, struct err *e)
{
	struct build b;
	int lockfd = -1, rc;
	memset(&b, 0, sizeof b);
	memset(st, 0, sizeof *st);
	b.o = o;
	b.st = st;
	b.report = report;
	b.ctx = ctx;
	b.delfd = -1;
	b.delmax = o->memory_bytes / 16;
	b.delmax = b.delmax < DEL_BUF_MIN ? DEL_BUF_MIN : b.delmax > DEL_BUF_MAX ? DEL_BUF_MAX : b.delmax;
	b.delmax /= sizeof(struct delev);
	pthread_mutex_init(&b.mu, NULL);
	pthread_mutex_init(&b.vocab.mu, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b.t0);
	double t0 = now_s();
	if ((rc = open_index(&b, &lockfd, e)))
		goto out;
	/* the index's own settings win over the command line's */
	b.flags = b.mf.flags;
	b.an.stem = (b.mf.flags & MF_FLAG_STEM) != 0;
	b.an.stopwords = b.mf.stopwords;
	collect_garbage(o->index, &b.mf);
	if (o->nfiles > 0) {
		if (o->keep_going && (b.skipped = calloc(o->nfiles / 8 + 1, 1)) == NULL) {
			rc = err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		if ((rc = index_vocab(&b, e)))
			goto out;
		int nt = o->threads < 1 ? 1 : o->threads;
		if ((size_t)nt > o->nfiles)
			nt = (int)o->nfiles;
		if (o->progress)
			b.in_total = input_bytes(o);
		/* A read-ahead thread inflates a .gz on a core no worker uses;
		 * when the workers use them all, it only competes with them
		 * (-j2 on two cores built 2.5% faster without). */
		long ncpu = usable_cpus();
		b.open_flags = ncpu <= 0 || nt < ncpu ? PM_READ_AHEAD : 0;
		pthread_t *th = calloc((size_t)nt, sizeof *th);
		if (th == NULL) {
			rc = err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		int started = 0;
		for (; started < nt; started++)
			if (pthread_create(&th[started], NULL, worker, &b) != 0)
				break;
		if (started == 0)
			worker(&b);
		for (int i = 0; i < started; i++)
			pthread_join(th[i], NULL);
		free(th);
		st->files = atomic_load(&b.files_done);
		st->read = atomic_load(&b.read);
		st->bytes_xml = atomic_load(&b.bytes);
		if (o->progress)
			progress(&b, 1);
		if (b.failed) {
			rc = b.e.code;
			*e = b.e;
			goto out;
		}
		if ((rc = commit(&b, e)))
			goto out;
	}
	int rounds = 0;
	if (!b.unsynced.code && (rc = merge_policy(&b, o->merge_all, &rounds, e))) {
		/* --merge whose first round failed: the index is as before */
		if (o->nfiles == 0 && rounds == 0)
			goto out;
		/* The run's citations, or some rounds of --merge, are
		 * committed: a merge that fails after that (a full disk, say)
		 * leaves a whole index with more segments, which is a
		 * warning, not a failed run. */
		struct manifest cur;
		struct err ig;
		err_clear(&ig);
		int known = mf_read(o->index, &cur, &ig) == 0;
		if (known) {
			mf_free(&b.mf);
			b.mf = cur;
		}
		st->merge_failed = 1;
		if (report) {
			char msg[sizeof e->msg + 160];
			if (o->nfiles > 0)
				snprintf(msg, sizeof msg,
					 "warning: the citations are indexed, but merging segments failed: "
					 "%s (run 'sarc-index --merge' later)", e->msg);
			else
				snprintf(msg, sizeof msg,
					 "warning: the merge failed after %d of its rounds were committed: "
					 "%s (the index is whole, with more segments; run 'sarc-index "
					 "--merge' again)", rounds, e->msg);
			report(ctx, msg);
		}
		err_clear(e);
		rc = 0;
		/* which manifest is on disk is unknown: remove nothing */
		if (!known)
			goto stats;
	}
	if (b.unsynced.code) {
		/* The new manifest is the index, but a crash may bring back
		 * the previous one: keep every file that one names (the next
		 * writer removes them), and say so rather than fail. */
		st->unsynced = 1;
		if (report) {
			char msg[sizeof b.unsynced.msg + 160];
			snprintf(msg, sizeof msg,
				 "warning: the index is updated, but it may not survive a crash: %s",
				 b.unsynced.msg);
			report(ctx, msg);
		}
		goto stats;
	}
	collect_garbage(o->index, &b.mf);
stats:
	st->index_docs = 0;
	for (size_t i = 0; i < b.mf.nsegs; i++)
		st->index_docs += b.mf.segs[i].ndocs - b.mf.segs[i].ndeleted;
	st->indexed = st->read - b.new_killed - b.dropped;
out:
	if (rc) {
		/* nothing of this run is named by the manifest: remove it now */
		struct manifest cur;
		struct err ig;
		err_clear(&ig);
		if (lockfd >= 0 && mf_read(o->index, &cur, &ig) == 0) {
			collect_garbage(o->index, &cur);
			mf_free(&cur);
		} else if (lockfd >= 0 && ig.code == ERR_NOTFOUND) {
			struct manifest none;
			memset(&none, 0, sizeof none);
			collect_garbage(o->index, &none);
			/* a new index that never got a manifest: leave no
			 * directory holding only LOCK behind */
			if (b.created_dir) {
				char lp[4200];
				snprintf(lp, sizeof lp, "%s/LOCK", o->index);
				unlink(lp);
				rmdir(o->index); /* fails, harmlessly, unless empty */
			}
		}
	}
	for (size_t i = 0; i < b.nsegs; i++)
		free(b.segs[i].seqs.run);
	free(b.segs);
	free(b.dels);
	free(b.runs);
	if (b.delfd >= 0)
		close(b.delfd);
	free(b.skipped);
	fmt_buf_free(&b.vocab.v.ser);
	pthread_mutex_destroy(&b.vocab.mu);
	mf_free(&b.mf);
	if (lockfd >= 0)
		close(lockfd);
	pthread_mutex_destroy(&b.mu);
	st->seconds = now_s() - t0;
	return rc;
}
