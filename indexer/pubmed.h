/*
 * pubmed.h - streaming reader of PubMed/MEDLINE XML: one citation (or one
 * DeleteCitation) at a time, in constant memory whatever the file size.
 *
 * Reads .xml, .xml.gz (zlib, detected by content) and standard input ("-")
 * through libxml2's xmlTextReader with network access, DTD loading and
 * entity substitution off.  Understands PubmedArticleSet (PubmedArticle,
 * PubmedBookArticle, DeleteCitation) and MedlineCitationSet.
 */
#ifndef PUBMED_H
#define PUBMED_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

/* Documented limits: input beyond them is an error (ERR_LIMIT), never an
 * allocation of whatever size the input asks for. */
#define PM_MAX_TEXT_BYTES ((size_t)8 << 20) /* one text field of one record */
#define PM_MAX_DEPTH 256                    /* element nesting */
#define PM_MAX_RECORD_BYTES ((size_t)64 << 20) /* all strings of one record */

struct pm_strs {
	const char **v; /* n NUL-terminated UTF-8 strings */
	size_t n;
};

struct pm_mesh {
	const char *descriptor; /* DescriptorName text */
	const char *ui;         /* DescriptorName UI attribute ("D008228"), or "" */
	int major;              /* MajorTopicYN="Y" on the descriptor or any qualifier */
	struct pm_strs qualifiers;
};

struct pm_author {
	const char *last;       /* LastName, or CollectiveName when collective */
	const char *fore;       /* ForeName, else Initials, else "" */
	const char *initials;   /* Initials or "" */
	int collective;
};

enum pm_kind { PM_ARTICLE = 1, PM_BOOK = 2 };

/* One citation.  Every pointer is owned by the reader's arena and valid
 * until the next pm_next() call.  Strings are "" when absent, never NULL. */
struct pm_record {
	enum pm_kind kind;
	uint32_t pmid;
	uint32_t version;   /* PMID Version attribute, 1 when absent */
	uint16_t year;      /* 0 when unknown */
	const char *title;  /* ArticleTitle, VernacularTitle when empty, BookTitle for books */
	/* Abstract text: sections joined by "\n"; a labelled section starts with
	 * "LABEL: ".  OtherAbstract sections follow the main abstract. */
	const char *abstract;
	struct pm_author *authors;
	size_t nauthors;
	const char *journal;      /* Journal/Title */
	const char *journal_iso;  /* ISOAbbreviation, else MedlineTA, else "" */
	const char *medline_ta;   /* MedlineJournalInfo/MedlineTA */
	struct pm_mesh *mesh;
	size_t nmesh;
	struct pm_strs keywords;
	struct pm_strs pubtypes;
	struct pm_strs languages;
	const char *doi;          /* from ArticleIdList or ELocationID, "" if none */
	const char *pmc;          /* "PMC1234567" or "" */
	uint32_t *refs;           /* PMIDs of ReferenceList/Reference[ArticleId pubmed] */
	size_t nrefs;
	uint64_t line;            /* line where the record starts, for messages */
};

enum pm_event_kind { PM_EV_RECORD = 1, PM_EV_DELETE = 2 };

struct pm_event {
	enum pm_event_kind kind;
	const struct pm_record *rec; /* PM_EV_RECORD */
	const uint32_t *del;         /* PM_EV_DELETE: the PMIDs of one DeleteCitation */
	size_t ndel;
};

typedef struct pm_reader pm_reader;

/* Opens path ("-" for standard input).  On failure returns NULL and fills e
 * ("path: reason"). */
pm_reader *pm_open(const char *path, struct err *e);

/* Reads the next event.  Returns 1 with *ev filled, 0 at the end of the
 * input, or <0 on error with e filled as "path:line: reason" (malformed
 * XML, truncated .gz, not PubMed XML, invalid UTF-8, empty file, a limit
 * exceeded).  A record missing its PMID is skipped and counted in
 * pm_skipped(). After an error the reader can only be closed. */
int pm_next(pm_reader *r, struct pm_event *ev, struct err *e);

/* Records skipped so far because they lacked a usable PMID. */
uint64_t pm_skipped(const pm_reader *r);

/* Uncompressed bytes consumed so far (for progress and MB/s). */
uint64_t pm_bytes(const pm_reader *r);

/* Closes the reader.  Returns 0, or <0 and fills e if closing revealed an
 * error the reads did not (a truncated .gz). */
int pm_close(pm_reader *r, struct err *e);

#endif
