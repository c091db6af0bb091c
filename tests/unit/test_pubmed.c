/*
 * test_pubmed.c - unit tests of the streaming PubMed reader (indexer/pubmed.c)
 * and its JSON dump (indexer/dump.c).
 *
 * Each case is a small hand-written document, either inline (written to a
 * mkstemp() file so that the reader sees a real path) or a fixture under
 * tests/data/xml/.  Results are checked through the JSON dump, which keeps
 * every assertion a readable substring, plus direct struct checks where the
 * dump cannot show the difference (line numbers, skip counts, NULL arrays).
 * Run from the repository root (tests/run.sh does).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "dump.h"
#include "gzin.h"
#include "err.h"
#include "pubmed.h"

#define DATA "tests/data/xml/"

/* Everything one pass over a file produced. */
struct run {
	int rc;           /* last pm_next result, or pm_close's if that failed */
	size_t nev;       /* events */
	uint64_t skipped;
	uint64_t bytes;
	struct err e;
	char *json;       /* every event, one JSON line each */
};

static void run_free(struct run *r)
{
	free(r->json);
	r->json = NULL;
}

static struct run run_path_flags(const char *path, unsigned flags)
{
	struct run r = {0};
	size_t len = 0;
	FILE *out = open_memstream(&r.json, &len);
	if (out == NULL) {
		perror("open_memstream");
		exit(2);
	}
	err_clear(&r.e);
	pm_reader *rd = pm_open(path, flags, &r.e);
	if (rd == NULL) {
		r.rc = r.e.code ? r.e.code : -1;
	} else {
		struct pm_event ev;
		while ((r.rc = pm_next(rd, &ev, &r.e)) == 1) {
			r.nev++;
			pm_dump_json(out, &ev);
		}
		if (r.rc < 0) {
			/* The contract: after an error the reader only closes. */
			struct err e2;
			err_clear(&e2);
			CHECK(pm_next(rd, &ev, &e2) == ERR_USAGE);
		}
		r.skipped = pm_skipped(rd);
		r.bytes = pm_bytes(rd);
		int crc = pm_close(rd, r.rc < 0 ? NULL : &r.e);
		if (r.rc == 0 && crc != 0)
			r.rc = crc;
	}
	fclose(out);
	return r;
}

static struct run run_path(const char *path)
{
	return run_path_flags(path, PM_READ_AHEAD);
}

/* Writes n bytes to a fresh temporary file whose name ends in suffix. */
static char *tmp_write(const char *data, size_t n, const char *suffix)
{
	char *path = malloc(64);
	snprintf(path, 64, "/tmp/test_pubmed.XXXXXX%s", suffix);
	int fd = mkstemps(path, (int)strlen(suffix));
	if (fd < 0 || (n && write(fd, data, n) != (ssize_t)n)) {
		perror("tmp_write");
		exit(2);
	}
	close(fd);
	return path;
}

/* Writes data gzip-compressed (level 6) to a temporary .xml.gz file. */
static char *tmp_gz(const char *data, size_t n)
{
	char *path = tmp_write("", 0, ".xml.gz");
	gzFile gz = gzopen(path, "wb6");
	if (gz == NULL || (n && gzwrite(gz, data, (unsigned)n) != (int)n) || gzclose(gz) != Z_OK) {
		fprintf(stderr, "tmp_gz: write failed\n");
		exit(2);
	}
	return path;
}

static struct run run_xml(const char *xml)
{
	char *path = tmp_write(xml, strlen(xml), ".xml");
	struct run r = run_path(path);
	unlink(path);
	free(path);
	return r;
}

static void expect_error(const char *path, int code, const char *want);

static int has(const struct run *r, const char *needle)
{
	return r->json && strstr(r->json, needle) != NULL;
}

/* The message is "path:LINE: ..." with LINE a positive number. */
static int names_position(const char *msg, const char *path)
{
	size_t n = strlen(path);
	if (strncmp(msg, path, n) != 0 || msg[n] != ':')
		return 0;
	char *end;
	long line = strtol(msg + n + 1, &end, 10);
	return line > 0 && end[0] == ':' && end[1] == ' ';
}

/* A well-formed PubmedArticleSet around the given record body. */
#define SET(body)                                                                         \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PubmedArticleSet>\n" body            \
	"\n</PubmedArticleSet>\n"
#define ART(mc) "<PubmedArticle><MedlineCitation>" mc "</MedlineCitation></PubmedArticle>"

/* ---- well-formed input ---------------------------------------------- */

static void test_sample_file(void)
{
	struct run r = run_path(DATA "sample.xml");
	CHECKF(r.rc == 0, "%s", r.e.msg);
	CHECK(r.nev == 3);
	/* The MedlineCitation's own PMID and Version, not CommentsCorrections'. */
	CHECK(has(&r, "{\"pmid\":90000001,\"version\":2,\"kind\":\"article\",\"year\":2023,"));
	CHECK(!has(&r, "90000999"));
	/* Markup inside words adds no space; entities decoded. */
	CHECK(has(&r, "\"title\":\"KIT-mutant gastrointestinal stromal tumours: imatinib at 10-6 M & beyond.\""));
	/* Labelled sections joined by newline; char refs, UTF-8, &lt;. */
	CHECK(has(&r, "\"abstract\":\"BACKGROUND: Gastrointestinal stromal tumour (GIST) is the "
		      "commonest sarcoma of the gut.\\nRESULTS: Response in \xce\xb1-positive and "
		      "\xce\xb2-negative cases; p < 0.05.\""));
	CHECK(!has(&r, "Copyright"));
	CHECK(has(&r, "\"authors\":[\"M\xc3\xbcller Anna K\",\"Ng W\",\"Sarcoma Study Group\"]"));
	CHECK(has(&r, "\"journal\":\"Journal of sarcoma research\",\"journal_iso\":\"J Sarcoma Res\""));
	CHECK(has(&r, "{\"ui\":\"D046152\",\"name\":\"Gastrointestinal Stromal Tumors\","
		      "\"major\":true,\"qualifiers\":[\"drug therapy\",\"genetics\"]}"));
	CHECK(has(&r, "{\"ui\":\"D006801\",\"name\":\"Humans\",\"major\":false,\"qualifiers\":[]}"));
	CHECK(has(&r, "\"keywords\":[\"GIST\",\"tyrosine kinase\"]"));
	CHECK(has(&r, "\"pubtypes\":[\"Journal Article\",\"Randomized Controlled Trial\"]"));
	CHECK(has(&r, "\"languages\":[\"eng\"]"));
	/* ArticleIdList's DOI wins over ELocationID's. */
	CHECK(has(&r, "\"doi\":\"10.9999/jsr.2023.001\",\"pmc\":\"PMC9000001\""));
	/* Only numeric pubmed ids of references; not the record's own id. */
	CHECK(has(&r, "\"refs\":[11111111,22222222]}"));
	/* The book: BookTitle, book year, its authors (the editors only
	 * stand in for authors a book lacks). */
	CHECK(has(&r, "{\"pmid\":90000002,\"version\":1,\"kind\":\"book\",\"year\":2019,"
		      "\"title\":\"Sarcoma Reviews\",\"abstract\":\"Ewing sarcoma and desmoid tumours in one chapter.\","
		      "\"authors\":[\"Writer Will\"]"));
	CHECK(has(&r, "\"pubtypes\":[\"Review\"]"));
	CHECK(has(&r, "{\"delete\":[90000003,90000004]}\n"));
	CHECK(r.bytes > 1000);
	run_free(&r);
}

static void test_medline_set(void)
{
	struct run r = run_path(DATA "medline_set.xml");
	CHECKF(r.rc == 0, "%s", r.e.msg);
	CHECK(r.nev == 3);
	CHECK(has(&r, "{\"pmid\":80000001,\"version\":1,\"kind\":\"article\",\"year\":1998,"
		      "\"title\":\"Chordoma of the clivus.\""));
	CHECK(has(&r, "\"authors\":[\"Old Otto\"]")); /* FirstName as fore name */
	CHECK(has(&r, "\"journal_iso\":\"Old J Oncol\"")); /* MedlineTA fallback */
	CHECK(has(&r, "{\"ui\":\"\",\"name\":\"Chordoma\",\"major\":true,\"qualifiers\":[]}"));
	/* Empty ArticleTitle: VernacularTitle; no year anywhere: null. */
	CHECK(has(&r, "{\"pmid\":80000002,\"version\":1,\"kind\":\"article\",\"year\":null,"
		      "\"title\":\"Sarcome d'Ewing.\""));
	CHECK(has(&r, "{\"delete\":[80000009]}"));
	run_free(&r);
}

static void test_struct_fields(void)
{
	/* Direct look at one record: empties are "" and NULL, not garbage. */
	struct err e;
	err_clear(&e);
	char *path = tmp_write(SET("\n\n" ART("<PMID>7</PMID>")), strlen(SET("\n\n" ART("<PMID>7</PMID>"))), ".xml");
	pm_reader *rd = pm_open(path, PM_READ_AHEAD, &e);
	CHECKF(rd != NULL, "%s", e.msg);
	if (rd == NULL)
		goto out;
	struct pm_event ev;
	int rc = pm_next(rd, &ev, &e);
	CHECKF(rc == 1, "%s", e.msg);
	if (rc == 1) {
		const struct pm_record *rec = ev.rec;
		CHECK(ev.kind == PM_EV_RECORD);
		CHECK(rec->pmid == 7 && rec->version == 1 && rec->year == 0);
		CHECK(rec->title && rec->title[0] == '\0');
		CHECK(rec->abstract && rec->abstract[0] == '\0');
		CHECK(rec->doi && rec->pmc && rec->journal && rec->journal_iso && rec->medline_ta);
		CHECK(rec->nauthors == 0 && rec->nmesh == 0 && rec->nrefs == 0);
		CHECK(rec->keywords.n == 0 && rec->pubtypes.n == 0 && rec->languages.n == 0);
		CHECKF(rec->line == 5, "line %llu", (unsigned long long)rec->line);
	}
	CHECK(pm_next(rd, &ev, &e) == 0);
	CHECK(pm_next(rd, &ev, &e) == 0); /* stays at the end */
	CHECK(pm_close(rd, &e) == 0);
out:
	unlink(path);
	free(path);
}

static void test_versions_and_skips(void)
{
	struct run r = run_xml(SET(ART("<PMID Version=\"3\">12</PMID>")
				   ART("<PMID>abc</PMID><Article><ArticleTitle>No id</ArticleTitle></Article>")
				   ART("<Article><ArticleTitle>Missing PMID</ArticleTitle></Article>")
				   ART("<PMID Version=\"x\">13</PMID>")
				   ART("<PMID>4294967296</PMID>")
				   ART("<PMID> 14 </PMID>")
				   "<DeleteCitation><PMID>zz</PMID></DeleteCitation>"
				   "<DeleteCitation><PMID>15</PMID><PMID>x</PMID><PMID>16</PMID></DeleteCitation>"));
	CHECKF(r.rc == 0, "%s", r.e.msg);
	CHECK(has(&r, "{\"pmid\":12,\"version\":3,"));
	CHECK(has(&r, "{\"pmid\":13,\"version\":1,"));
	CHECK(has(&r, "{\"pmid\":14,\"version\":1,"));
	CHECK(!has(&r, "No id") && !has(&r, "Missing PMID"));
	CHECK(r.skipped == 3);
	CHECK(has(&r, "{\"delete\":[15,16]}"));
	CHECK(r.nev == 4); /* three records, one non-empty deletion */
	run_free(&r);
}

static void test_years(void)
{
	struct run r = run_xml(SET(
		/* MedlineDate: the first four-digit year */
		ART("<PMID>1</PMID><Article><Journal><JournalIssue><PubDate><MedlineDate>Winter 1998-1999</MedlineDate></PubDate></JournalIssue></Journal></Article>")
		/* No year in PubDate: ArticleDate */
		ART("<PMID>2</PMID><Article><Journal><JournalIssue><PubDate><Season>Spring</Season></PubDate></JournalIssue></Journal><ArticleDate DateType=\"Electronic\"><Year>2021</Year></ArticleDate></Article>")
		/* PubDate/Year wins over ArticleDate, whatever the order */
		ART("<PMID>3</PMID><Article><ArticleDate><Year>2021</Year></ArticleDate><Journal><JournalIssue><PubDate><Year>2020</Year></PubDate></JournalIssue></Journal></Article>")
		/* Dates elsewhere (DateCompleted, History) are not publication years */
		"<PubmedArticle><MedlineCitation><PMID>4</PMID><DateCompleted><Year>1999</Year></DateCompleted></MedlineCitation>"
		"<PubmedData><History><PubMedPubDate><Year>1999</Year></PubMedPubDate></History></PubmedData></PubmedArticle>"
		/* MedlineDate with 5-digit noise first */
		ART("<PMID>5</PMID><Article><Journal><JournalIssue><PubDate><MedlineDate>12345 1987 Jan</MedlineDate></PubDate></JournalIssue></Journal></Article>")));
	CHECKF(r.rc == 0, "%s", r.e.msg);
	CHECK(has(&r, "{\"pmid\":1,\"version\":1,\"kind\":\"article\",\"year\":1998,"));
	CHECK(has(&r, "{\"pmid\":2,\"version\":1,\"kind\":\"article\",\"year\":2021,"));
	CHECK(has(&r, "{\"pmid\":3,\"version\":1,\"kind\":\"article\",\"year\":2020,"));
	CHECK(has(&r, "{\"pmid\":4,\"version\":1,\"kind\":\"article\",\"year\":null,"));
	CHECK(has(&r, "{\"pmid\":5,\"version\":1,\"kind\":\"article\",\"year\":1987,"));
	run_free(&r);
}

static void test_markup_and_whitespace(void)
{
	struct run r = run_xml(SET(
		ART("<PMID>1</PMID><Article><ArticleTitle><i>In vitro</i> <i>KIT</i> inhibition in <b>GIST</b>s</ArticleTitle></Article>")
		ART("<PMID>2</PMID><Article><ArticleTitle>H<sub>2</sub>O and x<sup>2</sup>  at\n\t 10<sup>\xe2\x88\x92</sup><sup>6</sup></ArticleTitle></Article>")
		/* MathML with a declared namespace */
		ART("<PMID>3</PMID><Article><Abstract><AbstractText>Significant (<mml:math xmlns:mml=\"http://www.w3.org/1998/Math/MathML\">"
		    "<mml:mi>p</mml:mi><mml:mo>&lt;</mml:mo><mml:mn>0.05</mml:mn></mml:math>) result.</AbstractText></Abstract></Article>")
		/* MathML prefix without declaration (the DTD supplies it): accepted */
		ART("<PMID>4</PMID><Article><ArticleTitle>A <mml:math><mml:msup><mml:mi>k</mml:mi><mml:mn>2</mml:mn></mml:msup></mml:math> law</ArticleTitle></Article>")
		/* Block-level markup is separated by a space */
		ART("<PMID>5</PMID><Article><Abstract><AbstractText>Before<DispFormula>E=mc</DispFormula>after</AbstractText></Abstract></Article>")
		/* Entities, character references, UTF-8 Greek, a CDATA section, a comment inside a word */
		ART("<PMID>6</PMID><Article><ArticleTitle>&#x3b1;&#946;&amp;&quot;&apos;&gt; \xce\xba-opioid <![CDATA[<raw>]]> sar<!-- x -->coma</ArticleTitle></Article>")
		/* Non-breaking and other Unicode spaces collapse; JSON escapes */
		ART("<PMID>7</PMID><Article><ArticleTitle>\xc2\xa0 a\xe2\x80\x89\xe2\x80\x89" "b \"q\" back\\slash&#9;tab\xe3\x80\x80</ArticleTitle></Article>")));
	CHECKF(r.rc == 0, "%s", r.e.msg);
	CHECK(has(&r, "\"title\":\"In vitro KIT inhibition in GISTs\""));
	CHECK(has(&r, "\"title\":\"H2O and x2 at 10\xe2\x88\x92" "6\""));
	CHECK(has(&r, "\"abstract\":\"Significant (p<0.05) result.\""));
	CHECK(has(&r, "\"title\":\"A k2 law\""));
	CHECK(has(&r, "\"abstract\":\"Before E=mc after\""));
	CHECK(has(&r, "\"title\":\"\xce\xb1\xce\xb2&\\\"'> \xce\xba-opioid <raw> sarcoma\""));
	CHECK(has(&r, "\"title\":\"a b \\\"q\\\" back\\\\slash tab\""));
	run_free(&r);
}

static void test_abstracts(void)
{
	struct run r = run_xml(SET(
		ART("<PMID>1</PMID><Article><Abstract>"
		    "<AbstractText Label=\"OBJECTIVE\">Find it.</AbstractText>"
		    "<AbstractText>Unlabelled.</AbstractText>"
		    "<AbstractText Label=\"EMPTY\"/>"
		    "<AbstractText></AbstractText>"
		    "<AbstractText Label=\"CONCLUSIONS\">  Done. </AbstractText>"
		    "</Abstract></Article>"
		    "<OtherAbstract Type=\"Publisher\" Language=\"spa\"><AbstractText>Resumen.</AbstractText></OtherAbstract>")
		ART("<PMID>2</PMID><OtherAbstract><AbstractText Label=\"AIM\">Only other.</AbstractText></OtherAbstract>")
		/* Title empty, vernacular title used */
		ART("<PMID>3</PMID><Article><ArticleTitle/><VernacularTitle>Titre fran\xc3\xa7" "ais.</VernacularTitle></Article>")
		/* Both present: the English title */
		ART("<PMID>4</PMID><Article><ArticleTitle>English.</ArticleTitle><VernacularTitle>Autre.</VernacularTitle></Article>")));
	CHECKF(r.rc == 0, "%s", r.e.msg);
	CHECK(has(&r, "\"abstract\":\"OBJECTIVE: Find it.\\nUnlabelled.\\nEMPTY:\\nCONCLUSIONS: Done.\\nResumen.\""));
	CHECK(has(&r, "{\"pmid\":2,\"version\":1,\"kind\":\"article\",\"year\":null,\"title\":\"\",\"abstract\":\"AIM: Only other.\""));
	CHECK(has(&r, "\"title\":\"Titre fran\xc3\xa7" "ais.\""));
	CHECK(has(&r, "\"title\":\"English.\""));
	run_free(&r);
}

/* '&' in attribute values, written every way XML allows: libxml2 hands
 * SAX2 readers "&#38;" for each of them, which must not reach a field. */
static void test_ampersand_attributes(void)
{
	struct run r = run_xml(SET(
		ART("<PMID>1</PMID><Article><Abstract>"
		    "<AbstractText Label=\"BACKGROUND &amp; AIMS\">a</AbstractText>"
		    "<AbstractText Label=\"R&#38;D &#x26; &lt;x&gt;\">b</AbstractText>"
		    "<AbstractText Label=\"literal &amp;#38; text\">c</AbstractText>"
		    "</Abstract></Article>"
		    "<MeshHeadingList><MeshHeading><DescriptorName UI=\"D&amp;1\" MajorTopicYN=\"Y\">"
		    "Mesh &amp; more</DescriptorName></MeshHeading></MeshHeadingList>")));
	CHECKF(r.rc == 0, "%s", r.e.msg);
	CHECK(has(&r, "\"abstract\":\"BACKGROUND & AIMS: a\\nR&D & <x>: b\\nliteral &#38; text: c\""));
	CHECK(has(&r, "\"ui\":\"D&1\",\"name\":\"Mesh & more\",\"major\":true"));
	run_free(&r);
}

static void test_authors_ids_refs(void)
{
	struct run r = run_xml(SET(
		"<PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
		"<ELocationID EIdType=\"pii\">S0001</ELocationID>"
		"<ELocationID EIdType=\"doi\" ValidYN=\"N\">10.0/invalid</ELocationID>"
		"<ELocationID EIdType=\"doi\">10.0/eloc</ELocationID>"
		"<AuthorList><Author><LastName>Solo</LastName></Author>"
		"<Author><LastName>Init</LastName><Initials>AB</Initials></Author>"
		"<Author><ForeName>NoLast</ForeName></Author>"
		"<Author><CollectiveName>The <i>TP53</i> Consortium</CollectiveName></Author></AuthorList>"
		"</Article>"
		"<InvestigatorList><Investigator><LastName>Investigator</LastName></Investigator></InvestigatorList>"
		"<CommentsCorrectionsList><CommentsCorrections RefType=\"Cites\"><PMID>555</PMID></CommentsCorrections></CommentsCorrectionsList>"
		"<KeywordList><Keyword/><Keyword> </Keyword><Keyword>sarcoma</Keyword></KeywordList>"
		"</MedlineCitation><PubmedData><ArticleIdList><ArticleId IdType=\"pubmed\">1</ArticleId></ArticleIdList>"
		"<ReferenceList><Reference><ArticleIdList><ArticleId IdType=\"pubmed\"> 777 </ArticleId></ArticleIdList></Reference>"
		"<ReferenceList><Reference><ArticleIdList><ArticleId IdType=\"pubmed\">778</ArticleId></ArticleIdList></Reference></ReferenceList>"
		"</ReferenceList></PubmedData></PubmedArticle>"));
	CHECKF(r.rc == 0, "%s", r.e.msg);
	CHECK(has(&r, "\"authors\":[\"Solo\",\"Init AB\",\"The TP53 Consortium\"]"));
	CHECK(!has(&r, "Investigator") && !has(&r, "NoLast"));
	CHECK(has(&r, "\"doi\":\"10.0/eloc\",\"pmc\":\"\""));
	CHECK(has(&r, "\"keywords\":[\"sarcoma\"]"));
	CHECK(has(&r, "\"refs\":[777,778]}"));
	CHECK(!has(&r, "555"));
	run_free(&r);

	/* Older files give references only as CommentsCorrections
	 * RefType="Cites" (189 records of the real files): those, in order;
	 * never the PMIDs of other kinds (comments, errata) */
	r = run_xml(SET(ART("<PMID>2</PMID><CommentsCorrectionsList>"
			    "<CommentsCorrections RefType=\"Cites\"><RefSource>A</RefSource>"
			    "<PMID Version=\"1\">901</PMID></CommentsCorrections>"
			    "<CommentsCorrections RefType=\"CommentIn\"><PMID>902</PMID></CommentsCorrections>"
			    "<CommentsCorrections RefType=\"Cites\"><RefSource>B</RefSource></CommentsCorrections>"
			    "<CommentsCorrections RefType=\"Cites\"><PMID>903</PMID></CommentsCorrections>"
			    "</CommentsCorrectionsList>")));
	CHECKF(r.rc == 0, "%s", r.e.msg);
	CHECK(has(&r, "{\"pmid\":2,"));
	CHECK(has(&r, "\"refs\":[901,903]}"));
	CHECK(!has(&r, "902"));
	run_free(&r);
}

/* What the audit of the real files against NLM's DTD found: the PMC id
 * of MEDLINE-format files, names NLM marked invalid, a book chapter's own
 * title and its book's editors, MathML's indentation, and records under
 * a root the DTD does not give them. */
static void test_dtd_fidelity(void)
{
	struct run r = run_xml(SET(
		"<PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>T</ArticleTitle>"
		"<AuthorList><Author ValidYN=\"Y\"><LastName>Chai</LastName><ForeName>Huei-Ming</ForeName></Author>"
		"<Author ValidYN=\"N\"><LastName>Chai</LastName><ForeName>Hei-Min</ForeName></Author></AuthorList>"
		"<Abstract><AbstractText>Peak <mml:math xmlns:mml=\"http://www.w3.org/1998/Math/MathML\">\n"
		"  <mml:mover>\n    <mml:mi>V</mml:mi>\n    <mml:mo>.</mml:mo>\n  </mml:mover>\n"
		"  <mml:msub><mml:mi>O</mml:mi> <mml:mn>2</mml:mn></mml:msub>\n  <mml:mtext>max</mml:mtext>\n"
		"</mml:math> rose <mml:math><mml:mtext>per day</mml:mtext></mml:math>.</AbstractText>"
		/* a space typed in an mtext, or drawn by an mspace, separates */
		"<AbstractText>Dose <mml:math><mml:mn>5</mml:mn><mml:mtext> </mml:mtext><mml:mi>mg</mml:mi></mml:math>"
		" or <mml:math><mml:mn>7</mml:mn><mml:mspace width=\"0.25em\"/><mml:mi>mg</mml:mi></mml:math>.</AbstractText></Abstract>"
		"</Article><OtherID Source=\"NLM\">PMC4380289 [Available on 2016-01-01]</OtherID>"
		"<OtherID Source=\"NLM\">NIHMS12345</OtherID></MedlineCitation></PubmedArticle>"
		/* the ArticleIdList's PMC id wins over OtherID */
		"<PubmedArticle><MedlineCitation><PMID>2</PMID><OtherID Source=\"NLM\">PMC1</OtherID>"
		"<OtherID Source=\"NASA\">PMC9</OtherID></MedlineCitation>"
		"<PubmedData><ArticleIdList><ArticleId IdType=\"pmc\">PMC2</ArticleId></ArticleIdList></PubmedData></PubmedArticle>"
		"<PubmedArticle><MedlineCitation><PMID>4</PMID><OtherID Source=\"NLM\">NIHMS1</OtherID></MedlineCitation></PubmedArticle>"
		"<PubmedBookArticle><BookDocument><PMID>3</PMID>"
		"<Book><BookTitle>Amyotrophic Lateral Sclerosis</BookTitle>"
		"<AuthorList Type=\"editors\"><Author><LastName>Araki</LastName><ForeName>Toshiyuki</ForeName></Author></AuthorList></Book>"
		"<ArticleTitle>Axonal Transport in ALS</ArticleTitle>"
		"<AuthorList Type=\"authors\"><Author><LastName>Araki</LastName><ForeName>Toshiyuki</ForeName></Author>"
		"<Author><LastName>Ito</LastName><ForeName>Ken</ForeName></Author></AuthorList></BookDocument></PubmedBookArticle>"
		"<PubmedBookArticle><BookDocument><PMID>5</PMID><Book><BookTitle>Whole Book</BookTitle>"
		"<AuthorList Type=\"editors\"><Author><LastName>Adam</LastName><ForeName>Margaret P</ForeName></Author></AuthorList>"
		"</Book></BookDocument></PubmedBookArticle>"));
	CHECKF(r.rc == 0, "%s", r.e.msg);
	CHECK(has(&r, "\"authors\":[\"Chai Huei-Ming\"]"));
	CHECK(has(&r, "\"abstract\":\"Peak V.O2max rose per day.\\nDose 5 mg or 7 mg.\""));
	CHECK(has(&r, "\"pmc\":\"PMC4380289\",\"refs\""));
	CHECK(has(&r, "{\"pmid\":2,") && has(&r, "\"pmc\":\"PMC2\",\"refs\""));
	CHECK(has(&r, "{\"pmid\":4,") && !has(&r, "NIHMS"));
	CHECK(has(&r, "\"title\":\"Axonal Transport in ALS\"") &&
	      has(&r, "\"authors\":[\"Araki Toshiyuki\",\"Ito Ken\"]"));
	CHECK(has(&r, "\"title\":\"Whole Book\",\"abstract\":\"\",\"authors\":[\"Adam Margaret P\"]"));
	/* a chapter's source is its book; a whole book is its own title */
	CHECK(has(&r, "\"journal\":\"Amyotrophic Lateral Sclerosis\",\"journal_iso\":\"\""));
	CHECK(has(&r, "\"title\":\"Whole Book\"") && !has(&r, "\"journal\":\"Whole Book\""));
	run_free(&r);

	/* PubmedArticle under MedlineCitationSet breaks the DTD; its records
	 * are read, not dropped without a word. */
	r = run_xml("<MedlineCitationSet><PubmedArticle><MedlineCitation><PMID>123</PMID></MedlineCitation></PubmedArticle>"
		    "<MedlineCitation><PMID>124</PMID></MedlineCitation></MedlineCitationSet>");
	CHECKF(r.rc == 0 && r.nev == 2 && has(&r, "{\"pmid\":123,") && has(&r, "{\"pmid\":124,"),
	       "%zu events: %s", (size_t)r.nev, r.e.msg);
	run_free(&r);
}

static void test_gzip_and_stdin(void)
{
	const char *xml = SET(ART("<PMID>42</PMID><Article><ArticleTitle>Compressed.</ArticleTitle></Article>"));
	char *gz = tmp_gz(xml, strlen(xml));
	struct run r = run_path(gz);
	CHECKF(r.rc == 0, "%s", r.e.msg);
	CHECK(has(&r, "{\"pmid\":42,") && has(&r, "\"title\":\"Compressed.\""));
	CHECK(r.bytes == strlen(xml)); /* uncompressed bytes */
	/* read without the read-ahead thread: the same events */
	struct run direct = run_path_flags(gz, 0);
	CHECKF(direct.rc == 0 && direct.json && r.json && strcmp(direct.json, r.json) == 0 &&
		       direct.bytes == r.bytes,
	       "%s", direct.e.msg);
	run_free(&direct);
	run_free(&r);

	/* "-" reads standard input, compressed or not, without closing it:
	 * once from the file itself (read ahead in a thread), once through a
	 * pipe (read directly). */
	int saved = dup(0);
	FILE *f = fopen(gz, "rb");
	if (saved >= 0 && f && dup2(fileno(f), 0) == 0) {
		r = run_path("-");
		CHECKF(r.rc == 0, "%s", r.e.msg);
		CHECK(has(&r, "{\"pmid\":42,"));
		run_free(&r);
		CHECK(fcntl(0, F_GETFD) != -1); /* our fd 0 survived */
		dup2(saved, 0);
	} else {
		CHECKF(0, "cannot redirect stdin: %s", strerror(errno));
	}
	if (f)
		fclose(f);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "cat %s", gz);
	FILE *p = popen(cmd, "r");
	if (saved >= 0 && p && dup2(fileno(p), 0) == 0) {
		r = run_path("-");
		CHECKF(r.rc == 0, "%s", r.e.msg);
		CHECK(has(&r, "{\"pmid\":42,") && has(&r, "Compressed."));
		CHECK(strstr(r.e.msg, "<stdin>") == NULL);
		run_free(&r);
		dup2(saved, 0);
	} else {
		CHECKF(0, "cannot pipe to stdin: %s", strerror(errno));
	}
	if (p)
		pclose(p);
	if (saved >= 0)
		close(saved);
	unlink(gz);
	free(gz);
}

/* A gzip file of n small records under the given root element. */
static char *big_gz(const char *root, int nrec, size_t *len)
{
	size_t cap = (size_t)nrec * 90 + 100, n = 0;
	char *xml = malloc(cap);
	n += (size_t)snprintf(xml, cap, "<%s>\n", root);
	for (int i = 1; i <= nrec; i++)
		n += (size_t)snprintf(xml + n, cap - n,
				      "<PubmedArticle><MedlineCitation><PMID>%d</PMID></MedlineCitation></PubmedArticle>\n", i);
	n += (size_t)snprintf(xml + n, cap - n, "</%s>\n", root);
	char *gz = tmp_gz(xml, n);
	free(xml);
	*len = n;
	return gz;
}

/* Reads a whole file into *n bytes (malloc'd). */
static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = malloc(8 << 20);
	*n = f && b ? fread(b, 1, 8 << 20, f) : 0;
	if (f)
		fclose(f);
	return b;
}

/* One gzip member of data deflated at level (0: stored, so that its size
 * follows the data's), its header carrying the file name, extra field and
 * header CRC a gzip(1) header may have when named: out's bytes, or 0. */
static size_t gz_member(const char *data, size_t n, int level, int named, unsigned char *out,
			size_t cap)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	gz_header h;
	memset(&h, 0, sizeof h);
	static unsigned char extra[] = {'A', 'B', 2, 0, 'x', 'y'};
	h.name = (Bytef *)"pubmed.xml";
	h.extra = extra;
	h.extra_len = sizeof extra;
	h.hcrc = 1;
	if (deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	if (named && deflateSetHeader(&z, &h) != Z_OK) {
		deflateEnd(&z);
		return 0;
	}
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	size_t len = cap - z.avail_out;
	deflateEnd(&z);
	return rc == Z_STREAM_END ? len : 0;
}

/* A member whose header (file name, extra field, header CRC) straddles
 * the end of gzin's first read: the header is read in two pieces.
 * isal_inflate() with ISAL_GZIP could not resume such a header (it kept
 * the flags on its stack): "invalid block", or a header CRC mismatch. */
static void test_gzip_header_straddles_read(void)
{
	const char *b = "<PubmedArticle><MedlineCitation><PMID>2</PMID></MedlineCitation>"
			"</PubmedArticle>\n</PubmedArticleSet>\n";
	size_t cap = GZIN_BUF_BYTES + 4096;
	char *xml = malloc(cap);
	unsigned char *gz = malloc(cap + 4096);
	static const size_t ks[] = {1, 3, 10, 12, 16, 20};
	int tried = 0;
	for (size_t i = 0; i < sizeof ks / sizeof *ks; i++) {
		/* the first member ends ks[i] bytes before GZIN_BUF_BYTES */
		size_t want = GZIN_BUF_BYTES - ks[i], na = 0, ng = 0;
		for (size_t fill = GZIN_BUF_BYTES - 200; fill < GZIN_BUF_BYTES; fill++) {
			na = (size_t)snprintf(xml, cap, "<PubmedArticleSet>\n<PubmedArticle>"
					  "<MedlineCitation><PMID>1</PMID></MedlineCitation>"
					  "</PubmedArticle>\n");
			for (size_t j = 0; j < fill; j++) /* blank lines */
				xml[na++] = j % 64 == 63 ? '\n' : ' ';
			if (na >= cap - 16)
				break;
			ng = gz_member(xml, na, 0, 0, gz, cap);
			if (ng >= want)
				break;
		}
		if (ng != want)
			continue; /* the stored blocks skipped this size */
		tried++;
		size_t nb = gz_member(b, strlen(b), 6, 1, gz + ng, 4096);
		CHECK(nb > 0);
		char *p = tmp_write((const char *)gz, ng + nb, ".xml.gz");
		for (unsigned flags = 0; flags <= PM_READ_AHEAD; flags += PM_READ_AHEAD) {
			struct run r = run_path_flags(p, flags);
			CHECKF(r.rc == 0 && r.nev == 2 && r.bytes == na + strlen(b),
			       "header %zu bytes before the read's end, flags %u: rc %d, %zu records: %s",
			       ks[i], flags, r.rc, r.nev, r.e.msg);
			run_free(&r);
		}
		unlink(p);
		free(p);
	}
	CHECKF(tried >= 4, "%d of the header positions made", tried);
	free(xml);
	free(gz);
}

static void test_gzip_framing(void)
{
	/* two members, the second with a named header, then bytes that are
	 * not gzip (ignored, as gzip(1) and zlib's gzread() ignore them) */
	const char *a = "<PubmedArticleSet>\n<PubmedArticle><MedlineCitation><PMID>1</PMID>"
			"</MedlineCitation></PubmedArticle>\n";
	const char *b = "<PubmedArticle><MedlineCitation><PMID>2</PMID></MedlineCitation>"
			"</PubmedArticle>\n</PubmedArticleSet>\n";
	size_t na, nb;
	char *ga = tmp_gz(a, strlen(a));
	unsigned char *fa = slurp(ga, &na);
	unsigned char *buf = malloc(na + 4096 + 16);
	memcpy(buf, fa, na);
	nb = gz_member(b, strlen(b), 6, 1, buf + na, 4096);
	CHECK(nb > 0);
	for (unsigned flags = 0; flags <= PM_READ_AHEAD; flags += PM_READ_AHEAD) {
		char *two = tmp_write((const char *)buf, na + nb, ".xml.gz");
		struct run r = run_path_flags(two, flags);
		CHECKF(r.rc == 0 && r.nev == 2 && r.bytes == strlen(a) + strlen(b),
		       "flags %u: two members: rc %d, %zu records, %llu bytes: %s", flags, r.rc,
		       r.nev, (unsigned long long)r.bytes, r.e.msg);
		run_free(&r);
		unlink(two);
		free(two);
		memcpy(buf + na + nb, "garbage\n", 8);
		char *tail = tmp_write((const char *)buf, na + nb + 8, ".xml.gz");
		r = run_path_flags(tail, flags);
		CHECKF(r.rc == 0 && r.nev == 2 && r.bytes == strlen(a) + strlen(b),
		       "flags %u: trailing bytes: rc %d, %zu records: %s", flags, r.rc, r.nev,
		       r.e.msg);
		run_free(&r);
		unlink(tail);
		free(tail);
	}
	/* a damaged trailer: the CRC-32, then the length, of the first member
	 * (igzip reports both as one error) */
	static const struct {
		size_t from_end;
		const char *want;
	} bad[] = {{8, "incorrect data or length check"}, {4, "incorrect data or length check"}};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		memcpy(buf, fa, na);
		buf[na - bad[i].from_end] ^= 0x01;
		char *p = tmp_write((const char *)buf, na, ".xml.gz");
		struct run r = run_path(p);
		CHECKF(r.rc == ERR_IO && strstr(r.e.msg, "corrupt gzip input") &&
			       strstr(r.e.msg, bad[i].want),
		       "damaged trailer %zu: %d %s", i, r.rc, r.e.msg);
		run_free(&r);
		unlink(p);
		free(p);
	}
	/* a member cut inside its trailer */
	char *cut = tmp_write((const char *)fa, na - 3, ".xml.gz");
	struct run r = run_path(cut);
	CHECKF(r.rc == ERR_IO && strstr(r.e.msg, "truncated gzip input"), "%d %s", r.rc, r.e.msg);
	run_free(&r);
	unlink(cut);
	free(cut);
	/* a lone 0x1f is not gzip: one byte of (bad) XML */
	char *one = tmp_write("\x1f", 1, ".xml");
	r = run_path(one);
	CHECKF(r.rc == ERR_PARSE && r.bytes == 1, "%d %llu %s", r.rc, (unsigned long long)r.bytes,
	       r.e.msg);
	run_free(&r);
	unlink(one);
	free(one);
	unlink(ga);
	free(ga);
	free(fa);
	free(buf);
}

static void test_gzip_early_close(void)
{
	/* An error at the start of a large .gz: the read-ahead thread is
	 * still filling its ring when the reader is closed; close must stop
	 * it (a hang here is a failure of the whole program). */
	size_t n;
	char *gz = big_gz("foo", 40000, &n);
	expect_error(gz, ERR_PARSE, "root element <foo>");
	unlink(gz);
	free(gz);

	/* A truncated .gz through a pipe (read directly, no thread): the
	 * records before the cut come out, then the error, past line 1. */
	gz = big_gz("PubmedArticleSet", 40000, &n);
	FILE *f = fopen(gz, "rb");
	static char zbuf[4 << 20];
	size_t zn = f ? fread(zbuf, 1, sizeof zbuf, f) : 0;
	if (f)
		fclose(f);
	char *half = tmp_write(zbuf, zn / 2, ".xml.gz");
	char cmd[128];
	snprintf(cmd, sizeof cmd, "cat %s", half);
	int saved = dup(0);
	FILE *p = popen(cmd, "r");
	if (saved >= 0 && p && dup2(fileno(p), 0) == 0) {
		struct run r = run_path("-");
		CHECKF(r.rc == ERR_IO && strncmp(r.e.msg, "<stdin>:", 8) == 0 &&
			       strstr(r.e.msg, "truncated gzip") && strstr(r.e.msg, ":1: ") == NULL,
		       "%s", r.e.msg);
		CHECKF(r.nev > 1000 && r.nev < 40000, "%zu records", r.nev);
		run_free(&r);
		dup2(saved, 0);
	} else {
		CHECKF(0, "cannot pipe to stdin: %s", strerror(errno));
	}
	if (p)
		pclose(p);
	if (saved >= 0)
		close(saved);
	/* The same file, read ahead in a thread or read directly, gives the
	 * same result. */
	for (unsigned flags = 0; flags <= PM_READ_AHEAD; flags += PM_READ_AHEAD) {
		struct run r = run_path_flags(half, flags);
		CHECKF(r.rc == ERR_IO && strstr(r.e.msg, "truncated gzip") &&
			       strstr(r.e.msg, ":1: ") == NULL,
		       "flags %u: %s", flags, r.e.msg);
		CHECKF(r.nev > 1000 && r.nev < 40000, "flags %u: %zu records", flags, r.nev);
		run_free(&r);
	}
	unlink(half);
	free(half);
	unlink(gz);
	free(gz);
}

static void test_many_records(void)
{
	/* Ten thousand records: every one comes out, with its own line, and
	 * each event's strings are intact while it is current. */
	size_t cap = 10000 * 200 + 200, n = 0;
	char *xml = malloc(cap);
	n += (size_t)snprintf(xml + n, cap - n, "<PubmedArticleSet>\n");
	for (int i = 1; i <= 10000; i++)
		n += (size_t)snprintf(xml + n, cap - n,
				      "<PubmedArticle><MedlineCitation><PMID>%d</PMID><Article>"
				      "<ArticleTitle>Title %d</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n",
				      i, i);
	n += (size_t)snprintf(xml + n, cap - n, "</PubmedArticleSet>\n");
	char *path = tmp_write(xml, n, ".xml");
	struct err e;
	err_clear(&e);
	pm_reader *rd = pm_open(path, PM_READ_AHEAD, &e);
	CHECKF(rd != NULL, "%s", e.msg);
	if (rd) {
		struct pm_event ev;
		int rc, count = 0, ok = 1;
		while ((rc = pm_next(rd, &ev, &e)) == 1) {
			count++;
			char want[32];
			snprintf(want, sizeof want, "Title %d", count);
			if (ev.rec->pmid != (uint32_t)count || strcmp(ev.rec->title, want) != 0 ||
			    ev.rec->line != (uint64_t)count + 1)
				ok = 0;
		}
		CHECKF(rc == 0, "%s", e.msg);
		CHECK(count == 10000);
		CHECK(ok);
		CHECK(pm_bytes(rd) == n);
		CHECK(pm_close(rd, &e) == 0);
	}
	unlink(path);
	free(path);
	free(xml);

	/* Past line 65535 libxml2's 16-bit node lines saturate: record lines
	 * must still be exact in pretty-printed input, and so must the line
	 * of an error the parser finds there. */
	cap = 30000 * 100 + 200;
	n = 0;
	xml = malloc(cap);
	n += (size_t)snprintf(xml + n, cap - n, "<PubmedArticleSet>\n");
	for (int i = 1; i <= 30000; i++)
		n += (size_t)snprintf(xml + n, cap - n,
				      "<PubmedArticle>\n  <MedlineCitation><PMID>%d</PMID></MedlineCitation>\n</PubmedArticle>\n", i);
	size_t good = n;
	n += (size_t)snprintf(xml + n, cap - n, "</PubmedArticleSet>\n");
	path = tmp_write(xml, n, ".xml");
	rd = pm_open(path, PM_READ_AHEAD, &e);
	CHECKF(rd != NULL, "%s", e.msg);
	if (rd) {
		struct pm_event ev;
		int rc, count = 0, bad = 0;
		while ((rc = pm_next(rd, &ev, &e)) == 1) {
			count++;
			if (ev.rec->line != (uint64_t)(3 * count - 1) && bad++ == 0)
				printf("# record %d: line %llu, want %d\n", count,
				       (unsigned long long)ev.rec->line, 3 * count - 1);
		}
		CHECKF(rc == 0, "%s", e.msg);
		CHECK(count == 30000 && bad == 0);
		pm_close(rd, NULL);
	}
	unlink(path);
	free(path);
	/* The same with a mismatched tag on line 90002. */
	n = good + (size_t)snprintf(xml + good, cap - good, "<PubmedArticle>\n</Article>\n</PubmedArticleSet>\n");
	path = tmp_write(xml, n, ".xml");
	struct run r = run_path(path);
	char want[128];
	snprintf(want, sizeof want, "%s:90003: ", path);
	CHECKF(r.rc == ERR_PARSE && strncmp(r.e.msg, want, strlen(want)) == 0, "%s", r.e.msg);
	/* Every record that ended before the error comes out. */
	CHECKF(r.nev == 30000, "%zu records", r.nev);
	run_free(&r);
	unlink(path);
	free(path);
	free(xml);
}

/* ---- bad input ------------------------------------------------------- */

/* Runs path, expects an error code (0 for any) and a message naming the
 * path and a line, containing `want`, and no record fields from /etc. */
static void expect_error(const char *path, int code, const char *want)
{
	struct run r = run_path(path);
	CHECKF(r.rc < 0 || r.rc > 0, "%s: no error", path);
	if (code)
		CHECKF(r.rc == code, "%s: code %d (%s), want %d", path, r.rc, r.e.msg, code);
	CHECKF(names_position(r.e.msg, path), "%s: message '%s'", path, r.e.msg);
	CHECKF(strstr(r.e.msg, want) != NULL, "%s: message '%s' lacks '%s'", path, r.e.msg, want);
	CHECKF(!has(&r, "root:") && !has(&r, "/bin/"), "%s leaked a file", path);
	CHECKF(strchr(r.e.msg, '\n') == NULL, "%s: multi-line message", path);
	run_free(&r);
}

static void test_bad_fixtures(void)
{
	expect_error(DATA "bad/malformed.xml", ERR_PARSE, "mismatch");
	expect_error(DATA "bad/not_pubmed.xml", ERR_PARSE, "not PubMed XML: root element <foo>");
	expect_error(DATA "bad/bad_utf8.xml", ERR_PARSE, "invalid UTF-8");
	expect_error(DATA "bad/empty.xml", ERR_PARSE, "empty file");
	expect_error(DATA "bad/billion_laughs.xml", 0, "entit");
	expect_error(DATA "bad/xxe.xml", ERR_PARSE, "entity");
	expect_error(DATA "bad/xxe_param.xml", ERR_PARSE, "entity");
	expect_error(DATA "bad/undeclared_entity.xml", ERR_PARSE, "nbsp");
	expect_error(DATA "bad/depth_bomb.xml", ERR_LIMIT, "depth");
	expect_error(DATA "bad/bare_articles.xml", ERR_PARSE, "");
	expect_error(DATA "bad/text_dump.xml", ERR_PARSE, "not XML");

	/* The exact line of an encoding error. */
	struct run r = run_path(DATA "bad/bad_utf8.xml");
	CHECKF(strncmp(r.e.msg, DATA "bad/bad_utf8.xml:3: ", strlen(DATA "bad/bad_utf8.xml:3: ")) == 0,
	       "%s", r.e.msg);
	run_free(&r);

	/* No such file: errno, path named. */
	r = run_path(DATA "bad/no-such-file.xml");
	CHECK(r.rc == ENOENT);
	CHECK(strstr(r.e.msg, "no-such-file.xml") != NULL);
	run_free(&r);
}

static void test_entity_in_content_and_attribute(void)
{
	/* Without a DOCTYPE, any entity other than the predefined five is a
	 * well-formedness error; in an attribute too. */
	char *p1 = tmp_write(SET(ART("<PMID>1</PMID><Article><ArticleTitle>a &foo; b</ArticleTitle></Article>")),
			     strlen(SET(ART("<PMID>1</PMID><Article><ArticleTitle>a &foo; b</ArticleTitle></Article>"))), ".xml");
	expect_error(p1, ERR_PARSE, "foo");
	unlink(p1);
	free(p1);
	const char *doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY t \"T\">]>\n"
			  "<PubmedArticleSet>" ART("<PMID>1</PMID><Article><Abstract>"
			  "<AbstractText Label=\"&t;\">x</AbstractText></Abstract></Article>") "</PubmedArticleSet>\n";
	char *p2 = tmp_write(doc, strlen(doc), ".xml");
	expect_error(p2, ERR_PARSE, "entit");
	unlink(p2);
	free(p2);
}

static void test_generated_bad(void)
{
	/* A text field just over the limit (below libxml2's 10 MB limit on
	 * text nodes, which only tree builders meet), then one beyond it. */
	for (int k = 0; k < 2; k++) {
		size_t big = k == 0 ? PM_MAX_TEXT_BYTES + 1000 : (size_t)12 << 20;
		const char *head = "<PubmedArticleSet>\n<PubmedArticle><MedlineCitation><PMID>1</PMID>"
				   "<Article><ArticleTitle>\n";
		const char *tail = "</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n</PubmedArticleSet>\n";
		size_t n = strlen(head) + big + strlen(tail);
		char *xml = malloc(n + 1);
		strcpy(xml, head);
		memset(xml + strlen(head), 'a', big);
		strcpy(xml + strlen(head) + big, tail);
		char *path = tmp_write(xml, n, ".xml");
		expect_error(path, ERR_LIMIT, "text field longer than 1 MiB");
		unlink(path);
		free(path);
		free(xml);
	}

	/* A field over the limit made of many small text nodes. */
	{
		size_t n = 0, cap = PM_MAX_TEXT_BYTES / 2 * 3 + (1 << 20);
		char *xml = malloc(cap);
		n += (size_t)snprintf(xml, cap, "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID>"
						"<Article><ArticleTitle>");
		while (n < PM_MAX_TEXT_BYTES / 2 * 3) /* 27 of every 34 bytes kept */
			n += (size_t)snprintf(xml + n, cap - n, "<i>abcdefghijklmnopqrstuvwxyz</i>\n");
		n += (size_t)snprintf(xml + n, cap - n, "</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>\n");
		char *path = tmp_write(xml, n, ".xml");
		expect_error(path, ERR_LIMIT, "text field");
		unlink(path);
		free(path);
		free(xml);
	}

	/* Nesting 300 deep, generated. */
	{
		char xml[4096];
		size_t n = (size_t)snprintf(xml, sizeof xml, "<PubmedArticleSet>\n");
		for (int i = 0; i < 300; i++)
			n += (size_t)snprintf(xml + n, sizeof xml - n, "<x>");
		for (int i = 0; i < 300; i++)
			n += (size_t)snprintf(xml + n, sizeof xml - n, "</x>");
		n += (size_t)snprintf(xml + n, sizeof xml - n, "\n</PubmedArticleSet>\n");
		char *path = tmp_write(xml, n, ".xml");
		expect_error(path, ERR_LIMIT, "depth");
		unlink(path);
		free(path);
	}

	/* Truncated .gz: cut in the middle, and cut just before the trailer. */
	{
		size_t cap = 4000 * 120 + 100, n = 0;
		char *xml = malloc(cap);
		n += (size_t)snprintf(xml, cap, "<PubmedArticleSet>\n");
		for (int i = 1; i <= 4000; i++)
			n += (size_t)snprintf(xml + n, cap - n,
					      "<PubmedArticle><MedlineCitation><PMID>%d</PMID></MedlineCitation></PubmedArticle>\n", i);
		n += (size_t)snprintf(xml + n, cap - n, "</PubmedArticleSet>\n");
		char *gz = tmp_gz(xml, n);
		FILE *f = fopen(gz, "rb");
		static char zbuf[1 << 20];
		size_t zn = f ? fread(zbuf, 1, sizeof zbuf, f) : 0;
		if (f)
			fclose(f);
		CHECK(zn > 100);
		char *half = tmp_write(zbuf, zn / 2, ".xml.gz");
		expect_error(half, ERR_IO, "truncated gzip");
		char *notrailer = tmp_write(zbuf, zn - 4, ".xml.gz");
		expect_error(notrailer, ERR_IO, "truncated gzip");
		/* A wrong CRC32 in the trailer. */
		zbuf[zn - 8] ^= 0xFF;
		char *corrupt = tmp_write(zbuf, zn, ".xml.gz");
		expect_error(corrupt, ERR_IO, "corrupt gzip input");
		/* An empty gzip member is an empty file too. */
		char *emptygz = tmp_gz("", 0);
		expect_error(emptygz, ERR_PARSE, "empty file");
		unlink(half);
		unlink(notrailer);
		unlink(corrupt);
		unlink(emptygz);
		free(half);
		free(notrailer);
		free(corrupt);
		free(emptygz);
		unlink(gz);
		free(gz);
		free(xml);
	}

	/* A root element that is a record, and a wrapper root. */
	{
		const char *xml = "<?xml version=\"1.0\"?>\n<root>\n<PubmedArticleSet/>\n</root>\n";
		char *path = tmp_write(xml, strlen(xml), ".xml");
		expect_error(path, ERR_PARSE, "not PubMed XML: root element <root>");
		unlink(path);
		free(path);
		xml = "<PubmedArticle><MedlineCitation><PMID>1</PMID></MedlineCitation></PubmedArticle>\n";
		path = tmp_write(xml, strlen(xml), ".xml");
		expect_error(path, ERR_PARSE,
			     "root element <PubmedArticle> (records belong in a <PubmedArticleSet>)");
		unlink(path);
		free(path);
	}
}

/* Writes xml (n bytes) to a temporary file and expects an error of code
 * with `want` in it, on line `line` (any if 0), after `nev` records. */
static void expect_error_xml(const char *xml, size_t n, int code, const char *want, long line,
			     size_t nev)
{
	char *path = tmp_write(xml, n, ".xml");
	expect_error(path, code, want);
	struct run r = run_path(path);
	char at[96];
	snprintf(at, sizeof at, "%s:%ld: ", path, line);
	CHECKF(line == 0 || strncmp(r.e.msg, at, strlen(at)) == 0, "'%s', want line %ld", r.e.msg, line);
	CHECKF(r.nev == nev, "%zu records before '%s', want %zu", r.nev, want, nev);
	run_free(&r);
	unlink(path);
	free(path);
}

/* What libxml2 2.9 does in quadratic time is bounded (pubmed.h): before,
 * a 3.7 MB start tag of 320,000 attributes took 23 s, 3 MB of ATTLIST
 * declarations 62 s, and 256 namespace declarations on each of 200 nested
 * elements made every prefixed element below them cost 1.5 us per byte. */
static void test_libxml2_quadratics(void)
{
	size_t cap = 1 << 20, n;
	char *xml = malloc(cap);
	const char *head = "<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n"
			   ART("<PMID>1</PMID>") "\n";
	/* PM_MAX_ATTRS + 1 attributes in a short tag */
	n = (size_t)snprintf(xml, cap, "%s<x", head);
	for (int i = 0; i <= PM_MAX_ATTRS; i++)
		n += (size_t)snprintf(xml + n, cap - n, " a%d=\"\"", i);
	n += (size_t)snprintf(xml + n, cap - n, "/>\n</PubmedArticleSet>\n");
	expect_error_xml(xml, n, ERR_LIMIT, "element <x> has more than 256 attributes", 4, 1);
	/* ... and PM_MAX_ATTRS, xmlns included, is fine */
	n = (size_t)snprintf(xml, cap, "%s<x xmlns:m=\"u\"", head);
	for (int i = 1; i < PM_MAX_ATTRS; i++)
		n += (size_t)snprintf(xml + n, cap - n, " a%d=\"\"", i);
	n += (size_t)snprintf(xml + n, cap - n, "/>\n</PubmedArticleSet>\n");
	char *path = tmp_write(xml, n, ".xml");
	struct run r = run_path(path);
	CHECKF(r.rc == 0 && r.nev == 1, "%d %s", r.rc, r.e.msg);
	run_free(&r);
	unlink(path);
	free(path);
	/* a tag of 200 KB, refused before libxml2 parses it */
	n = (size_t)snprintf(xml, cap, "%s<x", head);
	for (int i = 0; n < 200000; i++)
		n += (size_t)snprintf(xml + n, cap - n, " a%d=\"\"", i);
	n += (size_t)snprintf(xml + n, cap - n, "/>\n</PubmedArticleSet>\n");
	expect_error_xml(xml, n, ERR_LIMIT, "a tag, comment or declaration longer than 64 KiB", 4, 1);
	/* a comment of 200 KB */
	n = (size_t)snprintf(xml, cap, "%s<!--", head);
	memset(xml + n, 'c', 200000);
	n += 200000;
	n += (size_t)snprintf(xml + n, cap - n, "-->\n</PubmedArticleSet>\n");
	expect_error_xml(xml, n, ERR_LIMIT, "longer than 64 KiB", 4, 1);
	/* ... but a CDATA section of 200 KB is text, which libxml2 also holds
	 * whole and hands over in linear time */
	n = (size_t)snprintf(xml, cap, "%s<PubmedArticle><MedlineCitation><PMID>2</PMID><Article>"
			     "<Abstract><AbstractText><![CDATA[", head);
	for (int i = 0; i < 40000; i++)
		n += (size_t)snprintf(xml + n, cap - n, "w<&> ");
	n += (size_t)snprintf(xml + n, cap - n, "]]></AbstractText></Abstract></Article>"
			      "</MedlineCitation></PubmedArticle>\n</PubmedArticleSet>\n");
	path = tmp_write(xml, n, ".xml");
	r = run_path(path);
	CHECKF(r.rc == 0 && r.nev == 2 && has(&r, "w<&> w<&>"), "CDATA: %d %s", r.rc, r.e.msg);
	run_free(&r);
	unlink(path);
	free(path);
	/* namespace declarations: 26 nested elements of 10 each exceed 256
	 * in scope; 100 siblings of 10 each never have more than 10 */
	n = (size_t)snprintf(xml, cap, "%s", head);
	for (int d = 0; d < 100; d++) {
		n += (size_t)snprintf(xml + n, cap - n, "<x");
		for (int i = 0; i < 10; i++)
			n += (size_t)snprintf(xml + n, cap - n, " xmlns:p%d=\"u%d\"", i, d);
		n += (size_t)snprintf(xml + n, cap - n, "><p1:y/></x>\n");
	}
	n += (size_t)snprintf(xml + n, cap - n, "</PubmedArticleSet>\n");
	path = tmp_write(xml, n, ".xml");
	r = run_path(path);
	CHECKF(r.rc == 0 && r.nev == 1, "siblings: %d %s", r.rc, r.e.msg);
	run_free(&r);
	unlink(path);
	free(path);
	n = (size_t)snprintf(xml, cap, "%s", head);
	for (int d = 0; d < 26; d++) {
		n += (size_t)snprintf(xml + n, cap - n, "<x%d", d);
		for (int i = 0; i < 10; i++)
			n += (size_t)snprintf(xml + n, cap - n, " xmlns:p%d_%d=\"u\"", d, i);
		n += (size_t)snprintf(xml + n, cap - n, ">\n");
	}
	expect_error_xml(xml, n, ERR_LIMIT, "more than 256 namespace declarations in scope", 29, 1);
	free(xml);
	/* markup declarations in the DOCTYPE */
	static const char *const decls[] = {
		"<!ATTLIST AbstractText Label CDATA \"injected\">",
		"<!ATTLIST x t (a|b) \"a\">",
		"<!ELEMENT x ANY>",
		"<!NOTATION n SYSTEM \"x\">",
	};
	for (size_t i = 0; i < sizeof decls / sizeof *decls; i++) {
		char doc[512];
		int k = snprintf(doc, sizeof doc, "<?xml version=\"1.0\"?>\n<!DOCTYPE PubmedArticleSet [\n%s\n]>\n"
				 "<PubmedArticleSet>" ART("<PMID>1</PMID>") "</PubmedArticleSet>\n", decls[i]);
		expect_error_xml(doc, (size_t)k, ERR_PARSE, "markup declarations are not allowed", 3, 0);
	}
}

/* A record is indexed whole in memory, at up to 24 bytes per byte of it:
 * PM_MAX_RECORD_BYTES keeps that within a thread's 30 MB (a record of 57 MB
 * of keywords took 1.26 GB under --memory 1M).  A reference is charged
 * PM_REF_BYTES, as it costs a term.  A DeleteCitation is no record: its
 * PMIDs come out in events of PM_DEL_BATCH, whatever their number. */
static void test_record_limits(void)
{
	size_t cap = (size_t)8 << 20, n;
	char *xml = malloc(cap);
	const char *head = "<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n" ART("<PMID>1</PMID>") "\n";
	/* keywords of 1,000 bytes each, 1.1 MB in all */
	n = (size_t)snprintf(xml, cap, "%s<PubmedArticle><MedlineCitation><PMID>2</PMID><KeywordList>\n", head);
	for (int k = 0; k < 1100; k++) {
		n += (size_t)snprintf(xml + n, cap - n, "<Keyword>");
		for (int i = 0; i < 100; i++)
			n += (size_t)snprintf(xml + n, cap - n, "k%04d%04d ", k, i);
		n += (size_t)snprintf(xml + n, cap - n, "</Keyword>\n");
	}
	n += (size_t)snprintf(xml + n, cap - n, "</KeywordList></MedlineCitation></PubmedArticle>\n</PubmedArticleSet>\n");
	expect_error_xml(xml, n, ERR_LIMIT, "record larger than 1 MiB", 0, 1);
	/* one reference more than PM_MAX_RECORD_BYTES / PM_REF_BYTES */
	n = (size_t)snprintf(xml, cap, "%s<PubmedArticle><MedlineCitation><PMID>2</PMID></MedlineCitation>"
			     "<PubmedData><ReferenceList>\n", head);
	size_t nref = 0;
	for (; nref <= PM_MAX_RECORD_BYTES / PM_REF_BYTES && n + 200 < cap; nref++)
		n += (size_t)snprintf(xml + n, cap - n, "<Reference><ArticleIdList><ArticleId IdType=\"pubmed\">%zu"
				      "</ArticleId></ArticleIdList></Reference>\n", nref + 1);
	CHECKF(nref > PM_MAX_RECORD_BYTES / PM_REF_BYTES, "only %zu references fit", nref);
	n += (size_t)snprintf(xml + n, cap - n, "</ReferenceList></PubmedData></PubmedArticle>\n</PubmedArticleSet>\n");
	char *path = tmp_write(xml, n, ".xml");
	struct run r = run_path(path);
	CHECKF(r.rc == ERR_LIMIT && strstr(r.e.msg, "record larger than 1 MiB") && r.nev == 1,
	       "%d records, %s", (int)r.nev, r.e.msg);
	run_free(&r);
	unlink(path);
	free(path);
	/* a DeleteCitation of 40,000 PMIDs between two records: three events
	 * of up to PM_DEL_BATCH, every PMID in order, then the record after */
	n = (size_t)snprintf(xml, cap, "%s<DeleteCitation>\n", head);
	for (int i = 1; i <= 40000; i++)
		n += (size_t)snprintf(xml + n, cap - n, "<PMID Version=\"1\">%d</PMID>\n", i);
	n += (size_t)snprintf(xml + n, cap - n, "</DeleteCitation>\n" ART("<PMID>3</PMID>") "\n</PubmedArticleSet>\n");
	path = tmp_write(xml, n, ".xml");
	struct err e;
	err_clear(&e);
	pm_reader *rd = pm_open(path, 0, &e);
	CHECKF(rd != NULL, "%s", e.msg);
	struct pm_event ev;
	size_t ndel = 0, nevents = 0, records = 0, maxbatch = 0;
	uint32_t next = 1;
	int order = 1, rc;
	while (rd && (rc = pm_next(rd, &ev, &e)) == 1) {
		nevents++;
		if (ev.kind == PM_EV_RECORD) {
			records++;
			order &= ev.rec->pmid == (records == 1 ? 1u : 3u) &&
				 (records == 1 ? ndel == 0 : ndel == 40000);
			continue;
		}
		maxbatch = ev.ndel > maxbatch ? ev.ndel : maxbatch;
		for (size_t k = 0; k < ev.ndel; k++)
			order &= ev.del[k] == next++;
		ndel += ev.ndel;
	}
	CHECKF(rd && rc == 0 && ndel == 40000 && records == 2 && nevents == 5 && order &&
	       maxbatch == PM_DEL_BATCH, "rc %d, %zu events, %zu PMIDs, %zu records, order %d, batch %zu",
	       rc, nevents, ndel, records, order, maxbatch);
	if (rd)
		pm_close(rd, NULL);
	unlink(path);
	free(path);
	free(xml);
}

static void test_dump_escapes(void)
{
	/* Control characters that XML allows (tab, via a reference) and
	 * those the dump must escape even if a caller builds them by hand. */
	static const char *kw[] = {"a\"b", "c\\d", "e\001f", "g\nh"};
	struct pm_record rec = {0};
	rec.kind = PM_ARTICLE;
	rec.pmid = 5;
	rec.version = 1;
	rec.title = "t";
	rec.abstract = rec.journal = rec.journal_iso = rec.medline_ta = rec.doi = rec.pmc = "";
	rec.keywords.v = kw;
	rec.keywords.n = 4;
	struct pm_event ev = {PM_EV_RECORD, &rec, NULL, 0};
	char *s = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&s, &n);
	CHECK(pm_dump_json(out, &ev) == 0);
	fclose(out);
	CHECKF(s && strstr(s, "\"keywords\":[\"a\\\"b\",\"c\\\\d\",\"e\\u0001f\",\"g\\nh\"]"), "%s", s);
	CHECK(s && s[n - 1] == '\n' && strchr(s, '\n') == s + n - 1);
	free(s);
}

int main(void)
{
	test_sample_file();
	test_medline_set();
	test_struct_fields();
	test_versions_and_skips();
	test_years();
	test_markup_and_whitespace();
	test_abstracts();
	test_ampersand_attributes();
	test_authors_ids_refs();
	test_dtd_fidelity();
	test_gzip_and_stdin();
	test_gzip_framing();
	test_gzip_header_straddles_read();
	test_gzip_early_close();
	test_many_records();
	test_bad_fixtures();
	test_entity_in_content_and_attribute();
	test_generated_bad();
	test_libxml2_quadratics();
	test_record_limits();
	test_dump_escapes();
	return check_done("pubmed");
}
