#!/usr/bin/env python3
"""fts5_bench.py - the SQLite FTS5 side of `make bench`.

Uses Debian's SQLite through Python's sqlite3 module (and the sqlite3 CLI
for whole-process timings).  The table is contentless (content=''), so the
database holds only the full-text index (no stored text), with columns
title and abstract, the porter stemmer over unicode61, detail=full
(positions, for phrases), and is compacted by 'optimize' at the end of the
build, as Lucene is force-merged to one segment.  Ranking is FTS5's bm25()
with the title weighted 2.0 and the abstract 1.0, as sarc weights them.

  build  --db DB --text TSV           index PMID<TAB>TITLE<TAB>ABSTRACT lines
  stats  --db DB                      size and postings, one JSON line
  query  --db DB --queries Q [-r N]   per-query latency in one process, JSON Lines
  sql    --queries Q [--times N]      a script of SELECTs for the sqlite3 CLI
  sql1   QUERY                        one SELECT for the sqlite3 CLI
  translate --queries Q               show the FTS5 form of each query

Query translation (sarc syntax -> FTS5 MATCH): each word or "phrase" becomes
an FTS5 string ("word", "two words"; quotes doubled inside), the items are
joined with OR (sarc's plain words are a ranked OR), and a title: or
abstract: prefix becomes an FTS5 column filter (title : "word").  Items
marked +required are joined with AND instead; the optional items of a query
that has required ones are dropped (FTS5 cannot rank by words it does not
require), so such a query matches what sarc's matches but ranks by the
required words only; the bench's conjunctions require every word.  FTS5 has
no stopword list, so stopwords in a query are searched.
"""
import argparse
import json
import os
import re
import sqlite3
import statistics
import sys
import time

SELECT = ("SELECT rowid FROM t WHERE t MATCH ? "
          "ORDER BY bm25(t, 2.0, 1.0), rowid LIMIT %d")
ITEM = re.compile(r'(\+)?(?:([A-Za-z]+):)?("[^"]*"?|[^\s"+][^\s"]*)')
COLUMNS = ("title", "abstract")


def translate(q):
    """sarc default-syntax query -> FTS5 MATCH expression."""
    parts, required = [], []
    for m in ITEM.finditer(q):
        plus, field, item = m.group(1), m.group(2), m.group(3)
        text = item.strip('"')
        if not text.strip():
            continue
        s = '"%s"' % text.replace('"', '""')
        if field and field.lower() in COLUMNS:
            s = "%s : %s" % (field.lower(), s)
        (required if plus else parts).append(s)
    if required:
        return " AND ".join(required)
    return " OR ".join(parts)


def read_queries(path):
    """[(qid, sarc query)] from QID<TAB>QUERY lines ('#' comments)."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line.strip() or line.startswith("#"):
                continue
            qid, _, q = line.partition("\t")
            if not q:
                qid, q = str(len(out) + 1), qid
            out.append((qid, q))
    return out


def connect(db):
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-262144")  # 256 MB of page cache
    return con


def cmd_build(a):
    for suffix in ("", "-journal", "-wal", "-shm"):
        if os.path.exists(a.db + suffix):
            os.remove(a.db + suffix)
    t0 = time.perf_counter()
    con = connect(a.db)
    con.execute("CREATE VIRTUAL TABLE t USING fts5(title, abstract, content='', "
                "detail=full, tokenize='porter unicode61')")

    def rows():
        with open(a.text, encoding="utf-8") as f:
            for line in f:
                pmid, title, abstract = line.rstrip("\n").split("\t", 2)
                yield int(pmid), title, abstract

    con.execute("BEGIN")
    con.executemany("INSERT INTO t(rowid, title, abstract) VALUES (?, ?, ?)", rows())
    con.execute("COMMIT")
    t1 = time.perf_counter()
    con.execute("INSERT INTO t(t) VALUES ('optimize')")
    n = con.execute("SELECT count(*) FROM t_docsize").fetchone()[0]
    con.close()
    t2 = time.perf_counter()
    print(json.dumps({"engine": "fts5", "task": "build_info", "docs": n,
                      "insert_seconds": t1 - t0, "optimize_seconds": t2 - t1,
                      "seconds": t2 - t0, "sqlite": sqlite3.sqlite_version}))


def cmd_stats(a):
    con = sqlite3.connect(a.db)
    con.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, t, row)")
    terms, postings = con.execute("SELECT count(*), sum(doc) FROM v").fetchone()
    size = os.path.getsize(a.db)
    con.close()
    print(json.dumps({"engine": "fts5", "task": "size", "bytes": size, "stored_bytes": 0,
                      "terms": terms, "postings": postings or 0,
                      "sqlite": sqlite3.sqlite_version}))


def cmd_query(a):
    qs = [(qid, q, translate(q)) for qid, q in read_queries(a.queries)]
    con = sqlite3.connect(a.db)
    con.execute("PRAGMA cache_size=-262144")
    sql = SELECT % a.k
    out = []
    top = {}
    bad = set()
    for qid, q, fq in qs:  # warm-up pass, and the hits
        try:
            top[qid] = [r[0] for r in con.execute(sql, (fq,))]
        except sqlite3.Error as e:
            bad.add(qid)
            out.append({"engine": "fts5", "task": "q_error", "qid": qid, "error": str(e),
                        "match": fq})
    times = {qid: [] for qid, _, _ in qs}
    passes = []
    for _ in range(a.repeat):
        tp = 0.0
        for qid, q, fq in qs:
            if qid in bad:
                continue
            t0 = time.perf_counter()
            con.execute(sql, (fq,)).fetchall()
            dt = (time.perf_counter() - t0) * 1e6
            times[qid].append(dt)
            tp += dt
        passes.append(tp)
    for qid, q, fq in qs:
        if qid in bad:
            continue
        out.append({"engine": "fts5", "task": "q", "qid": qid,
                    "us": statistics.median(times[qid]), "nhits": len(top[qid]),
                    "top": top[qid], "match": fq})
    for tp in passes:
        out.append({"engine": "fts5", "task": "q_pass", "us": tp, "queries": len(qs)})
    for r in out:
        print(json.dumps(r))


def sql_quote(s):
    return "'" + s.replace("'", "''") + "'"


def cmd_sql(a):
    qs = read_queries(a.queries)
    for _ in range(a.times):
        for qid, q in qs:
            print((SELECT % a.k).replace("?", sql_quote(translate(q))) + ";")


def cmd_sql1(a):
    print((SELECT % a.k).replace("?", sql_quote(translate(a.query))) + ";")


def cmd_translate(a):
    for qid, q in read_queries(a.queries):
        print("%s\t%s\t%s" % (qid, q, translate(q)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("build")
    p.add_argument("--db", required=True)
    p.add_argument("--text", required=True)
    p.set_defaults(fn=cmd_build)
    p = sub.add_parser("stats")
    p.add_argument("--db", required=True)
    p.set_defaults(fn=cmd_stats)
    p = sub.add_parser("query")
    p.add_argument("--db", required=True)
    p.add_argument("--queries", required=True)
    p.add_argument("-r", "--repeat", type=int, default=5)
    p.add_argument("-k", type=int, default=10)
    p.set_defaults(fn=cmd_query)
    p = sub.add_parser("sql")
    p.add_argument("--queries", required=True)
    p.add_argument("--times", type=int, default=1)
    p.add_argument("-k", type=int, default=10)
    p.set_defaults(fn=cmd_sql)
    p = sub.add_parser("sql1")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=10)
    p.set_defaults(fn=cmd_sql1)
    p = sub.add_parser("translate")
    p.add_argument("--queries", required=True)
    p.set_defaults(fn=cmd_translate)
    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
