/*
 * pubmed.h - streaming reader of PubMed/MEDLINE XML: one citation (or one
 * DeleteCitation) at a time, in constant memory whatever the file size.
 *
 * Reads .xml, .xml.gz (zlib, detected by content) and standard input ("-")
 * through libxml2's push parser with SAX2 callbacks (no tree), with
 * network access, DTD loading and entity substitution off.  Understands
 * the roots PubmedArticleSet, PubmedBookArticleSet and MedlineCitationSet,
 * with PubmedArticle, PubmedBookArticle, MedlineCitation and
 * DeleteCitation under any of them (files that mix them exist); any other
 * root element is an error.
 *
 * Text fields: inline markup (b, i, u, sup, sub, MathML) is flattened
 * without adding spaces ("10<sup>-6</sup>" -> "10-6"), and whitespace
 * between MathML elements, which is indentation, is dropped; block markup
 * (DispFormula, p, br) is separated by a space.  Whitespace runs, including
 * U+00A0, U+2000..U+200A, U+202F, U+205F and U+3000, become one ASCII space;
 * fields are trimmed.  Entity and character references are decoded by the
 * parser; a reference to any entity other than the five predefined ones,
 * and any <!ENTITY> declaration in the DOCTYPE, is an error.
 *
 * Messages name the input as given, "<stdin>" for "-", and the line where
 * the parser was: for a problem with an element, the line of its start
 * tag's '>'; for libxml2's own errors, the line of the error.
 */
#ifndef PUBMED_H
#define PUBMED_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

/* Documented limits: input beyond them is an error (ERR_LIMIT), never an
 * allocation of whatever size the input asks for.  A record is indexed
 * whole in memory, beside the --memory budget, at up to about 24 bytes per
 * byte of it (a word of its own costs a term; a reference too, so each is
 * charged as PM_REF_BYTES): the record limit is what keeps that within
 * the 30 MB per thread the manual promises.  PubMed's largest records,
 * with 5,000 authors, hold about 300 KB; its longest abstracts a few tens. */
#define PM_MAX_TEXT_BYTES ((size_t)1 << 20) /* one text field of one record */
#define PM_MAX_DEPTH 256                    /* element nesting */
#define PM_MAX_RECORD_BYTES ((size_t)1 << 20) /* strings and entries of one record */
#define PM_REF_BYTES 16                     /* a reference's charge to its record */
/* The PMIDs of a DeleteCitation come out in events of at most this many,
 * so that one of any length is read in constant memory. */
#define PM_DEL_BATCH 16384
/* What libxml2 2.9 does in time quadratic in them: checking an element's
 * attributes for duplicates, looking a prefix up among the namespace
 * declarations in scope; and a construct it holds whole before parsing it
 * (a tag, comment, processing instruction or DOCTYPE).  PubMed's elements
 * have a few attributes, its files declare a namespace or two, and its
 * longest tag is a few hundred bytes. */
#define PM_MAX_ATTRS 256                    /* attributes of one element, xmlns included */
#define PM_MAX_NS_SCOPE 256                 /* namespace declarations in scope */
/* one tag, comment, PI or DOCTYPE: checked between reads of PM_CHUNK (64
 * KiB), so one that ends in the read after it outgrew this passes */
#define PM_MAX_MARKUP ((size_t)64 << 10)

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
 * until the next pm_next() call.  Strings are "" when absent, never NULL;
 * arrays are NULL when their count is 0.  Where an element may repeat
 * but the field is single (titles, journal, DOI), the first one wins.
 *
 * Sources (MC = MedlineCitation, BD = BookDocument):
 *   pmid/version  MC/PMID or BD/PMID, never the PMIDs of CommentsCorrections
 *                 or references; a record without a numeric PMID (1 ..
 *                 4294967295) is skipped and counted by pm_skipped()
 *   year          MC/Article/Journal/JournalIssue/PubDate/Year, else the
 *                 first 4-digit number in PubDate/MedlineDate ("1998 Dec-1999
 *                 Jan" -> 1998), else Article/ArticleDate/Year, else (books)
 *                 BD/Book/PubDate/Year, else Book/PubDate/MedlineDate
 *   authors       Author of MC/Article/AuthorList; for books of BD/AuthorList
 *                 and BD/Book/AuthorList, in document order, those of an
 *                 AuthorList Type="editors" only when there are no others; an Author with neither
 *                 LastName nor CollectiveName, or with ValidYN="N" (a name
 *                 NLM found wrong), is dropped.  FirstName (old MEDLINE)
 *                 counts as ForeName
 *   mesh          MC/MeshHeadingList/MeshHeading; empty qualifiers dropped
 *   keywords      every KeywordList/Keyword
 *   pubtypes      Article/PublicationTypeList/PublicationType, BD/PublicationType
 *   languages     Article/Language, BD/Language, BD/Book/Language
 *   doi, pmc      ArticleId IdType="doi"/"pmc" of PubmedData/ArticleIdList (or
 *                 PubmedBookData, BD); doi falls back on Article/ELocationID
 *                 EIdType="doi" unless ValidYN="N", pmc on the "PMC..." of
 *                 MC/OtherID Source="NLM" (MEDLINE-format files)
 *   refs          numeric ArticleId IdType="pubmed" of any
 *                 ReferenceList/Reference/ArticleIdList, in document order;
 *                 without any, the PMIDs of MC/CommentsCorrectionsList/
 *                 CommentsCorrections RefType="Cites", the form older files
 *                 give references in */
struct pm_record {
	enum pm_kind kind;
	uint32_t pmid;
	uint32_t version;   /* PMID Version attribute, 1 when absent */
	uint16_t year;      /* 0 when unknown */
	const char *title;  /* ArticleTitle (a book chapter's own), else BookTitle for
			     * books, else VernacularTitle */
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
	uint64_t line;            /* line where the record starts, for messages
	                           * (see above about lines past 65535) */
};

enum pm_event_kind { PM_EV_RECORD = 1, PM_EV_DELETE = 2 };

struct pm_event {
	enum pm_event_kind kind;
	const struct pm_record *rec; /* PM_EV_RECORD */
	const uint32_t *del;         /* PM_EV_DELETE: PMIDs of a DeleteCitation, up to
				      * PM_DEL_BATCH (a longer one gives several events) */
	size_t ndel;
};

typedef struct pm_reader pm_reader;

/* pm_open() flags */
#define PM_READ_AHEAD 1u /* a gzip-compressed regular file gets a read-ahead
			  * thread that inflates while the caller parses (see
			  * gzin.h); pm_close() joins it.  Worth it only when a
			  * core would otherwise be idle. */

/* Opens path ("-" for standard input; the reader reads a dup() of fd 0).
 * On failure returns NULL and fills e ("path: reason": errno for a file
 * that cannot be opened, ERR_NOMEM). */
pm_reader *pm_open(const char *path, unsigned flags, struct err *e);

/* Reads the next event.  Returns 1 with *ev filled, 0 at the end of the
 * input, or <0 on error with e filled as "path:line: reason":
 *   ERR_PARSE  malformed XML, "not PubMed XML: root element <x>", "invalid
 *              UTF-8", "empty file", "entity references are not allowed",
 *              "entity declarations are not allowed", "markup declarations
 *              are not allowed"
 *   ERR_LIMIT  a text field over PM_MAX_TEXT_BYTES, nesting deeper than
 *              PM_MAX_DEPTH, a record over PM_MAX_RECORD_BYTES, an element
 *              over PM_MAX_ATTRS attributes, namespace declarations in
 *              scope over PM_MAX_NS_SCOPE, a tag, comment or declaration
 *              over PM_MAX_MARKUP bytes, or one of libxml2's own limits
 *              (name lengths, attribute values)
 *   ERR_IO     "truncated gzip input", "corrupt gzip input", read errors
 *   ERR_NOMEM
 * Events come in document order; every record that ended before an error
 * comes out before the error is returned.
 * A DeleteCitation with no numeric PMID yields no event.  A record missing
 * its PMID is skipped and counted in pm_skipped().  After an error the
 * reader can only be closed (further calls return ERR_USAGE). */
int pm_next(pm_reader *r, struct pm_event *ev, struct err *e);

/* Records skipped so far because they lacked a usable PMID. */
uint64_t pm_skipped(const pm_reader *r);

/* Uncompressed bytes consumed so far (for progress and MB/s). */
uint64_t pm_bytes(const pm_reader *r);

/* Bytes of the file itself read so far (compressed for .gz), or -1 when
 * the input is not seekable (stdin, a pipe): for a progress estimate. */
int64_t pm_file_pos(const pm_reader *r);

/* Closes the reader.  Returns 0, or <0 and fills e if closing revealed an
 * error the reads did not (a truncated .gz). */
int pm_close(pm_reader *r, struct err *e);

#endif
