#!/usr/bin/env python3
"""report.py - timing and reporting for `make bench` (tests/bench/run.sh).

  time  --raw RAW -e ENGINE -t TASK [-r N] [--rep I] [--rm PATH] [--stdin F]
        [--stdout F] [--ok 0,1] [--json-out] [--set K=V ...] -- COMMAND...
        Runs COMMAND N times (removing PATH before each run, untimed) and
        appends one JSON line per run to RAW: wall seconds, CPU seconds
        (user + system) and peak RSS of the child, from wait4(2)'s rusage,
        as getrusage reports them.  --json-out keeps the last line the
        command printed, parsed as JSON, under "out".  A failed run is
        recorded with "rc" and the figures that need it print as n/a.

  table --raw RAW [--json OUT] [--results-dir DIR]
        Medians of the repeated runs, the figures, their targets and the
        ratios sarc/FTS5 and sarc/Lucene, as one table on standard output
        and as JSON in OUT (with the raw records).  A result in DIR from a
        run at another size gives the scaling figure (10^5 vs 10^6).

Raw records are JSON objects with at least "engine" and "task"; the query
drivers (qlat, fts5_bench.py query, LuceneBench query) write theirs
directly: one record per query with "us", the median of its timed passes.
"""
import argparse
import glob
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time

ENGINES = ("sarc", "fts5", "lucene")
NAMES = {"sarc": "sarc", "fts5": "FTS5", "lucene": "Lucene"}


# ---------------------------------------------------------------- time

def cmd_time(a):
    cmd = a.command
    if cmd and cmd[0] == "--":
        cmd = cmd[1:]
    ok = {int(x) for x in a.ok.split(",")}
    extra = {}
    for kv in a.set or []:
        k, _, v = kv.partition("=")
        try:
            extra[k] = json.loads(v)
        except ValueError:
            extra[k] = v
    fails = 0
    with open(a.raw, "a") as raw:
        for i in range(a.repeat):
            if a.rm:
                if os.path.isdir(a.rm):
                    shutil.rmtree(a.rm)
                elif os.path.exists(a.rm):
                    os.remove(a.rm)
            fin = open(a.stdin, "rb") if a.stdin else subprocess.DEVNULL
            fout = open(a.stdout, "wb") if a.stdout else (
                subprocess.PIPE if a.json_out else subprocess.DEVNULL)
            t0 = time.perf_counter()
            try:
                p = subprocess.Popen(cmd, stdin=fin, stdout=fout)
            except OSError as e:
                rec = {"engine": a.engine, "task": a.task, "rc": 127, "error": str(e)}
                raw.write(json.dumps(rec) + "\n")
                print("bench: %s %s: %s" % (a.engine, a.task, e), file=sys.stderr)
                return 0
            out = p.stdout.read() if fout == subprocess.PIPE else None
            _, status, ru = os.wait4(p.pid, 0)
            wall = time.perf_counter() - t0
            p.returncode = os.waitstatus_to_exitcode(status)
            if a.stdin:
                fin.close()
            if a.stdout:
                fout.close()
            rec = {"engine": a.engine, "task": a.task,
                   "rep": a.rep if a.rep is not None else i + 1,
                   "wall": wall, "cpu": ru.ru_utime + ru.ru_stime,
                   "rss_kb": ru.ru_maxrss, "rc": p.returncode}
            rec.update(extra)
            if out is not None:
                lines = [l for l in out.decode("utf-8", "replace").splitlines() if l.strip()]
                if lines:
                    try:
                        rec["out"] = json.loads(lines[-1])
                    except ValueError:
                        pass
            if p.returncode not in ok:
                rec["error"] = "exit %d" % p.returncode
                fails += 1
            raw.write(json.dumps(rec) + "\n")
            raw.flush()
            if p.returncode not in ok:
                print("bench: %s %s failed (exit %d): %s" % (a.engine, a.task, p.returncode,
                                                             " ".join(cmd)[:200]),
                      file=sys.stderr)
                break
    return 0


# ---------------------------------------------------------------- table

def median(v):
    return statistics.median(v) if v else None


def pct(v, p):
    """Nearest-rank percentile."""
    if not v:
        return None
    s = sorted(v)
    return s[max(0, math.ceil(p / 100.0 * len(s)) - 1)]


class Raw:
    def __init__(self, path):
        self.recs = []
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    try:
                        self.recs.append(json.loads(line))
                    except ValueError:
                        print("bench: bad raw line: %s" % line[:100], file=sys.stderr)
        self.meta = {}
        for r in self.recs:
            if r.get("engine") == "meta":
                self.meta.setdefault(r["task"], {}).update(r)

    def sel(self, engine, task, **kw):
        out = []
        for r in self.recs:
            if r.get("engine") == engine and r.get("task") == task and "error" not in r:
                if all(r.get(k) == v for k, v in kw.items()):
                    out.append(r)
        return out

    def failed(self, engine, task):
        return [r for r in self.recs if r.get("engine") == engine and r.get("task") == task
                and "error" in r]

    def med(self, engine, task, field="wall", **kw):
        return median([r[field] for r in self.sel(engine, task, **kw) if field in r])

    def med_out(self, engine, task, field):
        """Median of a field of the JSON the command printed (--json-out)."""
        return median([r["out"][field] for r in self.sel(engine, task)
                       if isinstance(r.get("out"), dict) and field in r["out"]])

    def unavailable(self, engine):
        for r in self.recs:
            if r.get("engine") == engine and r.get("task") == "unavailable":
                return r.get("reason", "unavailable")
        return None


def fmt(v):
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 100000:
        return "%.3g" % v if a >= 1e7 else "%d" % round(v)
    if a >= 100:
        return "%.0f" % v
    if a >= 10:
        return "%.1f" % v
    if a >= 1:
        return "%.2f" % v
    return "%.3g" % v


def ratio(x, y):
    if x is None or y is None or isinstance(x, str) or isinstance(y, str) or y == 0:
        return None
    return x / y


class Table:
    def __init__(self):
        self.rows = []

    def section(self, title):
        self.rows.append({"section": title})

    def row(self, figure, unit, sarc=None, fts5=None, lucene=None, target="", better=None,
            key=None):
        r = {"figure": figure, "unit": unit, "sarc": sarc, "fts5": fts5, "lucene": lucene,
             "sarc_fts5": ratio(sarc, fts5), "sarc_lucene": ratio(sarc, lucene),
             "target": target, "better": better, "key": key or figure}
        self.rows.append(r)
        return r

    def render(self):
        head = ["figure", "sarc", "FTS5", "Lucene", "sarc/FTS5", "sarc/Lucene",
                "target / comparison"]
        lines = []
        body = []
        for r in self.rows:
            if "figure" not in r:
                if body:
                    body.append(None)
                body.append(r["section"])
                continue
            name = r["figure"] + (" (%s)" % r["unit"] if r["unit"] else "")
            mark = {"lower": " v", "higher": " ^"}.get(r["better"], "")
            body.append([name + mark, fmt(r["sarc"]), fmt(r["fts5"]), fmt(r["lucene"]),
                         fmt(r["sarc_fts5"]) + ("x" if r["sarc_fts5"] is not None else ""),
                         fmt(r["sarc_lucene"]) + ("x" if r["sarc_lucene"] is not None else ""),
                         r["target"]])
        w = [len(h) for h in head]
        for b in body:
            if isinstance(b, list):
                w = [max(x, len(y)) for x, y in zip(w, b)]

        def line(cells):
            out = []
            for i, c in enumerate(cells):
                if i == 0 or i == len(cells) - 1:
                    out.append(c.ljust(w[i]))
                else:
                    out.append(c.rjust(w[i]))
            return " | ".join(out).rstrip()

        lines.append(line(head))
        lines.append("-+-".join("-" * x for x in w))
        for b in body:
            if b is None:
                lines.append("")
            elif isinstance(b, str):
                lines.append(b)
            else:
                lines.append(line(b))
        return "\n".join(lines)


def mb(x):
    return None if x is None else x / 1e6


def query_stats(R, engine, task):
    v = [r["us"] for r in R.sel(engine, task)]
    if not v:
        return None, None, None, 0
    return statistics.mean(v), pct(v, 50), pct(v, 99), len(v)


def overlap(R, engine, ref_engine="sarc", ref_task="q_exh", task="q"):
    ref = {r["qid"]: r.get("top", []) for r in R.sel(ref_engine, ref_task)}
    vals = []
    for r in R.sel(engine, task):
        a = ref.get(r["qid"])
        b = r.get("top", [])
        if a is None or not a or not b:
            continue
        n = min(len(a), len(b))
        vals.append(len(set(a[:n]) & set(b[:n])) / n)
    return statistics.mean(vals) if vals else None


def num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and x > 0


def fig_builds(T, R, pre, m, ncpu, full):
    docs = m.get("citations")
    xml = m.get("xml_bytes")
    modes = [("1 thread", "build_j1")]
    if full:
        modes.append(("%d threads" % ncpu, "build_jN"))
    for label, task in modes:
        wall = {e: R.med(e, pre + task) for e in ENGINES}
        cpu = {e: R.med(e, pre + task, "cpu") for e in ENGINES}
        rss = {e: R.med(e, pre + task, "rss_kb") for e in ENGINES}
        if task == "build_jN":
            wall["fts5"] = cpu["fts5"] = rss["fts5"] = "1 writer"
        T.row("build %s: wall" % label, "s", wall["sarc"], wall["fts5"], wall["lucene"],
              better="lower", key=pre + task + "_wall")
        T.row("build %s: CPU" % label, "s", cpu["sarc"], cpu["fts5"], cpu["lucene"],
              better="lower", key=pre + task + "_cpu")
        rate = {e: (xml / wall[e] / 1e6 if xml and num(wall[e]) else
                    (wall[e] if isinstance(wall[e], str) else None)) for e in ENGINES}
        T.row("build %s: XML rate" % label, "MB/s", rate["sarc"], rate["fts5"], rate["lucene"],
              "FTS5/Lucene: extracted text, no XML", better="higher",
              key=pre + task + "_mbps")
        crate = {e: (docs / wall[e] if docs and num(wall[e]) else
                     (wall[e] if isinstance(wall[e], str) else None)) for e in ENGINES}
        T.row("build %s: citations/s" % label, "", crate["sarc"], crate["fts5"],
              crate["lucene"], better="higher", key=pre + task + "_cps")
        rssmb = {e: (rss[e] / 1024 if num(rss[e]) else rss[e]) for e in ENGINES}
        T.row("build %s: peak RSS" % label, "MB", rssmb["sarc"], rssmb["fts5"],
              rssmb["lucene"], better="lower", key=pre + task + "_rss")


def build_table(R, results_dir):
    T = Table()
    m = R.meta.get("synth", {})
    ncpu = m.get("ncpu", os.cpu_count())
    notes = []
    for e in ("fts5", "lucene", "sarc-query", "qlat"):
        why = R.unavailable(e)
        if why:
            notes.append("%s: n/a: %s" % (NAMES.get(e, e), why))

    if m:
        docs = m.get("citations")
        xml = m.get("xml_bytes")
        # ---------------------------------------------------- ingestion
        T.section("ingestion: %s citations, %.0f MB XML (%.0f MB .gz) in %d files" %
                  (fmt(docs), (xml or 0) / 1e6, (m.get("gz_bytes") or 0) / 1e6,
                   m.get("files", 0)))
        gz = R.med("sarc", "ingest_gz")
        px = R.med("sarc", "ingest_xml")
        xl = R.med("xmllint", "ingest_xml")
        xlr = xml / xl / 1e6 if xml and xl else None
        r = T.row("parse .xml (--parse-only)", "MB/s", xml / px / 1e6 if xml and px else None,
                  better="higher", key="ingest_xml_mbps")
        r["target"] = "floor: xmllint --stream %s MB/s (sarc %sx)" % (
            fmt(xlr), fmt(ratio(r["sarc"], xlr)))
        r["xmllint"] = xlr
        T.row("parse .xml.gz (--parse-only)", "MB/s", xml / gz / 1e6 if xml and gz else None,
              target="MB of uncompressed XML", better="higher", key="ingest_gz_mbps")
        T.row("parse .xml.gz time / .xml time", "x", ratio(gz, px), target="<= 1.3x",
              better="lower", key="ingest_gz_ratio")
        gz1 = R.med("sarc", "ingest_gz_1cpu")
        px1 = R.med("sarc", "ingest_xml_1cpu")
        if gz1 and px1:
            T.row("parse .xml, one CPU (taskset)", "MB/s", xml / px1 / 1e6 if xml else None,
                  better="higher", key="ingest_xml_1cpu_mbps")
            T.row("parse .xml.gz time / .xml time, one CPU", "x", ratio(gz1, px1),
                  target="inflate and parse share the CPU", better="lower",
                  key="ingest_gz_1cpu_ratio")
        T.row("parse: citations/s (.xml.gz)", "", docs / gz if docs and gz else None,
              better="higher", key="ingest_cps")
        ex = R.med("extract", "extract")
        if ex:
            T.row("text extraction for FTS5/Lucene", "s", None, ex, ex,
                  "sarc-index --dump + python; not in their build times", key="extract_s")

        # ---------------------------------------------------- build
        T.section("index build (sarc: the .xml.gz files; FTS5, Lucene: extracted title+abstract)")
        fig_builds(T, R, "", m, ncpu, True)
        ex = R.med("extract", "extract")
        if ex:
            w = {e: R.med(e, "build_j1") for e in ENGINES}
            T.row("build 1 thread + text extraction: wall", "s", w["sarc"],
                  w["fts5"] + ex if w["fts5"] else None,
                  w["lucene"] + ex if w["lucene"] else None,
                  "sarc parses XML itself; the others need the extraction",
                  better="lower", key="build_j1_extract_wall")
        segs = [r["out"].get("segments_written") for r in R.sel("sarc", "build_jN")
                if isinstance(r.get("out"), dict)]
        T.row("merge to one segment", "s", R.med("sarc", "merge"),
              R.med_out("fts5", "build_j1", "optimize_seconds"),
              R.med_out("lucene", "build_j1", "merge_seconds"),
              "sarc --merge after -j%d (%s segments); in FTS5/Lucene build times" %
              (ncpu, segs[-1] if segs else "?"), better="lower", key="merge_s")
        vrss = R.med("sarc", "verify", "rss_kb")
        T.row("--verify of the merged index", "s", R.med("sarc", "verify"),
              target="peak RSS %s MB: it reads the whole index, releasing what it read" %
              ("%.1f" % (vrss / 1024) if vrss else "?"), better="lower", key="verify_s")
        s1, sN = R.med("sarc", "build_j1"), R.med("sarc", "build_jN")
        l1, lN = R.med("lucene", "build_j1"), R.med("lucene", "build_jN")
        T.row("speedup %d threads vs 1" % ncpu, "x", ratio(s1, sN), "1 writer", ratio(l1, lN),
              ">= 1.7x", better="higher", key="build_speedup")
        mem = m.get("memory")
        rss = R.med("sarc", "build_mem", "rss_kb")
        if mem:
            memb = parse_size(mem)
            r = T.row("peak RSS with --memory %s (-j%d)" % (mem, ncpu), "MB",
                      rss / 1024 if rss else None,
                      target="<= %s (%s)" % (mem, "ok" if rss and rss * 1024 <= memb else
                                             ("OVER" if rss else "n/a")),
                      better="lower", key="build_mem_rss")
            r["memory_bytes"] = memb
        smem = m.get("small_memory")
        srss = R.med("sarc", "build_small_mem", "rss_kb")
        if smem:
            # README: the budget plus about 30 MB per thread
            lim = parse_size(smem) + (30 << 20)
            T.row("peak RSS with --memory %s (-j1), merges" % smem, "MB",
                  srss / 1024 if srss else None,
                  target="<= %s + 30 MB (%s)" % (smem, "ok" if srss and srss * 1024 <= lim else
                                                 ("OVER" if srss else "n/a")),
                  better="lower", key="build_small_mem_rss")
            mrss = R.med("sarc", "merge_small_mem", "rss_kb")
            T.row("peak RSS of --merge to one segment, --memory %s" % smem, "MB",
                  mrss / 1024 if mrss else None,
                  target="<= %s + 30 MB (%s)" % (smem, "ok" if mrss and mrss * 1024 <= lim else
                                                 ("OVER" if mrss else "n/a")),
                  better="lower", key="merge_small_mem_rss")
        # scaling: the same figure from a run at another size
        cps = (docs / sN) if docs and sN else None
        other = find_other_run(results_dir, docs)
        if other and cps:
            o_docs, o_cps, o_path = other
            small, big = (o_cps, cps) if o_docs < docs else (cps, o_cps)
            T.row("citations/s at %s vs %s docs (-j%d)" % (fmt(max(docs, o_docs)),
                                                           fmt(min(docs, o_docs)), ncpu),
                  "x", big / small, target=">= 0.9x (same rate; %s)" % os.path.basename(o_path),
                  better="higher", key="scaling")
        else:
            T.row("citations/s at 10^6 vs 10^5", "x", None,
                  target="same rate: run BENCH_DOCS=1000000 too", key="scaling")

        # ---------------------------------------------------- size
        text = m.get("text_bytes")
        T.section("index size (raw title+abstract text: %.1f MB)" % ((text or 0) / 1e6))
        sz = size_figures(R, "")
        T.row("total", "MB", *[mb(sz[e]["total"]) for e in ENGINES], better="lower",
              key="size_total")
        T.row("without stored fields", "MB", *[mb(sz[e]["nostored"]) for e in ENGINES],
              better="lower", key="size_nostored")
        T.row("without stored, % of raw text", "%",
              *[(100.0 * sz[e]["nostored"] / text if text and sz[e]["nostored"] else None)
                for e in ENGINES], better="lower", key="size_pct")
        T.row("bytes per posting (w/o stored)", "B", *[sz[e]["bpp"] for e in ENGINES],
              better="lower", key="size_bpp")
        T.row("postings (term, document)", "M",
              *[(sz[e]["postings"] / 1e6 if sz[e]["postings"] else None) for e in ENGINES],
              "sarc: all fields (MeSH, authors, ...)", key="postings")
        part_rows(T, R, "")
        floor_rows(T, R, "", text)

        # ---------------------------------------------------- queries
        nq = len(R.sel("sarc", "q")) or len(R.sel("fts5", "q"))
        T.section("queries: %d queries, top-10, in one process, median of %s passes each" %
                  (nq, m.get("qrepeat", "?")))
        st = {e: query_stats(R, e, "q") for e in ENGINES}
        ex = query_stats(R, "sarc", "q_exh")
        for i, name in enumerate(("mean", "p50", "p99")):
            T.row("latency %s, sarc pruned" % name, "us", st["sarc"][i], st["fts5"][i],
                  st["lucene"][i], better="lower", key="q_%s" % name)
        for i, name in enumerate(("mean", "p50", "p99")):
            T.row("latency %s, sarc --exhaustive" % name, "us", ex[i], st["fts5"][i],
                  st["lucene"][i], "FTS5/Lucene: no pruning mode", better="lower",
                  key="q_exh_%s" % name)
        T.row("pruned speedup vs --exhaustive (mean)", "x", ratio(ex[0], st["sarc"][0]),
              better="higher", key="q_prune_speedup")
        same = R.sel("sarc", "q_exh")
        nsame = sum(1 for r in same if r.get("same"))
        T.row("pruned top-10 == exhaustive", "", "%d/%d" % (nsame, len(same)) if same else None,
              target="all", key="q_same")
        qps = {}
        for e in ENGINES:
            p = [r["us"] for r in R.sel(e, "q_pass")]
            n = (R.sel(e, "q_pass") or [{}])[0].get("queries")
            qps[e] = n / (median(p) / 1e6) if p and n else None
        T.row("in-process queries/s, 1 thread", "q/s", qps["sarc"], qps["fts5"], qps["lucene"],
              better="higher", key="q_qps")
        bq = {}
        for e in ENGINES:
            w = R.med(e, "proc_batch")
            n = (R.sel(e, "proc_batch") or [{}])[0].get("queries")
            bq[e] = n / w if w and n else None
        T.row("batch queries/s, whole process", "q/s", bq["sarc"], bq["fts5"], bq["lucene"],
              "sarc-query --batch | sqlite3 CLI | one JVM", better="higher", key="q_batch_qps")
        pq = {e: R.med(e, "proc_q") for e in ENGINES}
        T.row("one query, whole process (median)", "ms",
              *[(pq[e] * 1e3 if pq[e] else None) for e in ENGINES],
              "sarc-query | sqlite3 CLI | java", better="lower", key="q_proc_ms")
        ph = R.med("sarc", "proc_q_human")
        if ph:
            T.row("one query, whole process, default output (median)", "ms", ph * 1e3,
                  target="titles, authors, snippets, exact count", better="lower",
                  key="q_proc_human_ms")
        T.row("top-10 overlap with sarc --exhaustive", "", None, overlap(R, "fts5"),
              overlap(R, "lucene"), "informational: sarc also searches MeSH and keywords",
              key="q_overlap")
        for task, name, tgt in (("proc_similar", "--similar", 10.0),
                                ("proc_citedby", "--cited-by", 1.0),
                                ("proc_refs", "--references", 1.0)):
            v = per_key_medians(R, "sarc", task, "pmid")
            mean = statistics.mean(v) * 1e3 if v else None
            T.row("%s, whole process (mean)" % name, "ms", mean,
                  target="<= %g ms mean%s" % (tgt, "" if mean is None else
                                               (" (ok)" if mean <= tgt else " (over)")),
                  better="lower", key=task)

        pc = R.med("sarc", "proc_count")
        if pc:
            T.row("--count, whole process (median)", "ms", pc * 1e3,
                  target="q63: every match of two common words", better="lower",
                  key="q_proc_count_ms")
        for f in ("year", "journal", "mesh"):
            pf = R.med("sarc", "proc_facet", facet=f)
            if pf:
                T.row("--facet %s, whole process (median)" % f, "ms", pf * 1e3,
                      target="q63", better="lower", key="q_proc_facet_" + f)

        # ---------------------------------------------------- analyzer
        an = R.sel("sarc", "analyze")
        if an:
            T.section("analyzer (build/bench_analyze on extracted text, 1 thread)")
            T.row("analyze, no stemming", "MB/s", an[0].get("nostem_MBps"), better="higher",
                  key="analyze_nostem")
            T.row("analyze, stemming", "MB/s", an[0].get("stem_MBps"), better="higher",
                  key="analyze_stem")

    rm = R.meta.get("real")
    if rm and rm.get("skipped"):
        T.section("real corpus: skipped (%s)" % rm["skipped"])
    elif rm:
        xml = rm.get("xml_bytes")
        T.section("real corpus %s: %d files, %s citations, %.1f MB XML, %.1f MB text" %
                  (rm.get("dir", ""), rm.get("files", 0), fmt(rm.get("citations")),
                   (xml or 0) / 1e6, (rm.get("text_bytes") or 0) / 1e6))
        px = R.med("sarc", "real_ingest")
        xl = R.med("xmllint", "real_ingest")
        xlr = xml / xl / 1e6 if xml and xl else None
        r = T.row("parse (--parse-only)", "MB/s", xml / px / 1e6 if xml and px else None,
                  better="higher", key="real_ingest_mbps")
        r["target"] = "floor: xmllint --stream %s MB/s (sarc %sx)" % (
            fmt(xlr), fmt(ratio(r["sarc"], xlr)))
        fig_builds(T, R, "real_", rm, ncpu, False)
        sz = size_figures(R, "real_")
        text = rm.get("text_bytes")
        T.row("index w/o stored, % of raw text", "%",
              *[(100.0 * sz[e]["nostored"] / text if text and sz[e]["nostored"] else None)
                for e in ENGINES], better="lower", key="real_size_pct")
        part_rows(T, R, "real_")
        floor_rows(T, R, "real_", text)
        st = {e: query_stats(R, e, "real_q") for e in ENGINES}
        for i, name in enumerate(("mean", "p50", "p99")):
            T.row("query latency %s" % name, "us", st["sarc"][i], st["fts5"][i],
                  st["lucene"][i], better="lower", key="real_q_%s" % name)
    return T, notes


def per_key_medians(R, engine, task, key):
    groups = {}
    for r in R.sel(engine, task):
        groups.setdefault(r.get(key), []).append(r["wall"])
    return [statistics.median(v) for v in groups.values()]


def part_rows(T, R, pre):
    """Each part of sarc's index (sarc-index --stats), and how much its
    stored fields are compressed."""
    s = R.sel("sarc", pre + "size")
    if not s:
        return
    st = s[-1].get("stats", {})
    b = st.get("bytes", {})
    for part in ("documents", "dictionary", "postings", "positions", "stored"):
        T.row("  sarc %s" % part, "MB", mb(b.get(part)), key=pre + "part_" + part)
    ratio = st.get("stored_ratio")
    verdict = "" if ratio is None else " (ok)" if ratio >= 3 else " (under)"
    T.row("stored fields compressed", "x", ratio, target=">= 3:1" + verdict, better="higher",
          key=pre + "stored_ratio")


def floor_rows(T, R, pre, text):
    """sarc's postings and positions against their entropy floor (floor.c),
    all fields and title+abstract alone, as shares of the raw text."""
    fl = R.sel("sarc", pre + "floor")
    if not fl or not text:
        return
    f = fl[-1]
    ta = [f["fields"].get(k, {}) for k in ("title", "abstract")]
    pct = lambda v: 100.0 * v / text
    T.row("postings+positions, all fields, % of raw text", "%", pct(f["spent"]),
          target="sarc's own lists", better="lower", key=pre + "size_pp_pct")
    T.row("  their entropy floor (floor.c)", "%", pct(f["floor"]),
          target="no coding of these lists goes below", key=pre + "size_floor_pct")
    T.row("postings+positions, title+abstract, % of raw text", "%",
          pct(sum(x.get("spent", 0) for x in ta)), target="the fields FTS5 and Lucene index",
          better="lower", key=pre + "size_ta_pct")
    T.row("  their entropy floor", "%", pct(sum(x.get("floor", 0) for x in ta)),
          key=pre + "size_ta_floor_pct")


def size_figures(R, pre):
    out = {e: {"total": None, "nostored": None, "bpp": None, "postings": None}
           for e in ENGINES}
    s = R.sel("sarc", pre + "size")
    if s:
        st = s[-1].get("stats", {})
        b = st.get("bytes", {})
        out["sarc"].update(total=b.get("total"), nostored=b.get("without_stored"),
                           postings=st.get("postings"))
    for e in ("fts5", "lucene"):
        s = R.sel(e, pre + "size")
        if s:
            out[e].update(total=s[-1]["bytes"], nostored=s[-1]["bytes"] - s[-1]["stored_bytes"],
                          postings=s[-1].get("postings"))
    for e in ENGINES:
        if out[e]["nostored"] and out[e]["postings"]:
            out[e]["bpp"] = out[e]["nostored"] / out[e]["postings"]
    return out


def parse_size(s):
    s = str(s).strip().upper()
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(s[-1:], 1)
    return int(float(s.rstrip("KMG")) * mult)


def find_other_run(results_dir, docs):
    """(docs, citations/s -jN, path) of the result at another size nearest to
    a factor of 10 from docs (10^5 <-> 10^6), the larger and then the newest
    on a tie."""
    if not results_dir or not docs:
        return None
    best, best_key = None, None
    for path in sorted(glob.glob(os.path.join(results_dir, "bench-*.json"))):
        try:
            with open(path) as f:
                j = json.load(f)
        except (OSError, ValueError):
            continue
        d = j.get("meta", {}).get("synth", {}).get("citations")
        cps = next((r.get("sarc") for r in j.get("rows", [])
                    if r.get("key") == "build_jN_cps"), None)
        if d and cps and d != docs:
            key = (abs(abs(math.log10(d / docs)) - 1), -d)
            if best_key is None or key <= best_key:
                best, best_key = (d, cps, path), key
    return best


def cmd_table(a):
    R = Raw(a.raw)
    T, notes = build_table(R, a.results_dir)
    m = R.meta.get("synth", {})
    title = "sarc benchmark: %s citations (seed %s), %s repeats, %s cores, %s, load %s" % (
        fmt(m.get("citations")), m.get("seed", "?"), m.get("repeat", "?"), m.get("ncpu", "?"),
        m.get("date", ""), m.get("host_load", "?"))
    end = R.meta.get("end", {})
    if end:
        title += " (at the end %s; %s s in all)" % (end.get("load"), end.get("seconds"))
    print(title)
    print("ratios are sarc/other from this run; v = lower is better, ^ = higher is better")
    print()
    print(T.render())
    print()
    for n in notes:
        print("note: " + n)
    fails = sorted({(r["engine"], r["task"]) for r in R.recs if "error" in r})
    for e, t in fails:
        print("note: %s %s failed (see the log); its figures are n/a" % (e, t))
    versions = R.meta.get("versions", {})
    if versions:
        print("versions: " + ", ".join("%s %s" % (k, v) for k, v in versions.items()
                                       if k not in ("engine", "task")))
    if a.json:
        os.makedirs(os.path.dirname(a.json) or ".", exist_ok=True)
        rows, cur = [], None
        for r in T.rows:
            if "section" in r and "figure" not in r:
                cur = r["section"]
            else:
                r["section"] = cur
                rows.append(r)
        with open(a.json, "w") as f:
            json.dump({"meta": R.meta, "notes": notes, "rows": rows, "raw": R.recs}, f,
                      indent=1)
            f.write("\n")
        print("saved: " + a.json)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("time")
    p.add_argument("--raw", required=True)
    p.add_argument("-e", "--engine", required=True)
    p.add_argument("-t", "--task", required=True)
    p.add_argument("-r", "--repeat", type=int, default=1)
    p.add_argument("--rep", type=int)
    p.add_argument("--rm")
    p.add_argument("--stdin")
    p.add_argument("--stdout")
    p.add_argument("--ok", default="0")
    p.add_argument("--json-out", action="store_true")
    p.add_argument("--set", action="append")
    p.add_argument("command", nargs=argparse.REMAINDER)
    p.set_defaults(fn=cmd_time)
    p = sub.add_parser("table")
    p.add_argument("--raw", required=True)
    p.add_argument("--json")
    p.add_argument("--results-dir")
    p.set_defaults(fn=cmd_table)
    a = ap.parse_args()
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
