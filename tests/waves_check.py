#!/usr/bin/env python3
"""Checks a waves comparison (msp-report --compare A,B) against the
database, for tests/waves.test.

    waves_check.py DIR FORMAT FILE NSP MISSING

DIR holds what the test read from the database with its own SQL (one
tab-separated file each): responses.tsv (slug, complete responses),
answered.tsv (slug, item, responses that answered it), values.tsv
(slug, item, value, answers; booleans as oui/non), numbers.tsv (slug,
item, n, mean, median), compared.tsv (the items both versions ask
alike, and their types, in the first version's order), dont_know.txt (the « ne sait pas » codes).  FILE is the
report in FORMAT json or csv; NSP and MISSING the report's --nsp and
--missing.

Prints "ok: ..." or "FAIL: ..." lines, and writes DIR/tests.R: the R
script that recomputes every p-value the report printed from the
database's counts, and the Holm adjustment over them.
"""
import csv
import json
import sys
from collections import defaultdict

d, fmt, path, nsp, missing = sys.argv[1:6]


def rows(name):
    with open(f"{d}/{name}", encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


responses = {s: int(n) for s, n in rows("responses.tsv")}
answered = {(s, i): int(n) for s, i, n in rows("answered.tsv")}
values = defaultdict(dict)
for s, i, v, n in rows("values.tsv"):
    values[(s, i)][v] = int(n)
numbers = {(s, i): (int(n), float(m), float(md))
           for s, i, n, m, md in rows("numbers.tsv")}
compared = [r[0] for r in rows("compared.tsv")]
item_type = {r[0]: r[1] for r in rows("compared.tsv")}
dont_know = {r[0] for r in rows("dont_know.txt")}
waves = sorted(responses, key=lambda s: s)  # pdl-2019 < pdl-2025
fails = 0


def check(what, ok):
    global fails
    print(("ok: " if ok else "FAIL: ") + f"[{fmt} --nsp {nsp} "
          f"--missing {missing}] {what}")
    fails += not ok


def close(got, want):
    """CSV prints 10 significant digits, JSON all of them."""
    return got is not None and abs(got - want) <= 1e-9 * max(1, abs(want))


# --- the report as (variable, category, column) -> cell ---------------
cells = {}
order = []           # variables in the order printed
tests = {}           # variable -> (p, p_adjusted, method)
if fmt == "json":
    doc = json.load(open(path, encoding="utf-8"))
    table = [t for t in doc["tables"] if t["key"] == "waves"][0]
    for r in table["rows"]:
        if r["variable"] not in order and r["variable"] != "n":
            order.append(r["variable"])
        for c in r["cells"]:
            if c["type"] == "test":
                tests[r["variable"]] = (c["p"], c.get("p_adjusted"),
                                        c["method"])
            elif c["type"] != "empty":
                cells[(r["variable"], r["category"], c["column"])] = c
else:
    with open(path, encoding="utf-8", newline="") as f:
        rd = csv.reader(f)
        head = next(rd)
        col = {h: i for i, h in enumerate(head)}
        for r in rd:
            if r[col["table"]] != "waves":
                continue
            var, cat = r[col["variable"]], r[col["category"]] or None
            if cat is None and r[col["category_label"]]:
                cat = ""    # the row of the answers missing
            if var not in order and var != "n":
                order.append(var)
            stat, value = r[col["statistic"]], r[col["value"]]
            key = (var, cat, r[col["column"]])
            if r[col["column"]] == "p":
                if stat == "p":
                    tests.setdefault(var, [None, None, None])[0] = \
                        float(value)
                    tests[var][2] = r[col["note"]]
                elif stat == "p_adjusted":
                    tests[var][1] = float(value)
                continue
            c = cells.setdefault(key, {})
            if stat in ("n", "total", "median", "mean"):
                c[stat] = float(value)
                if stat in ("n", "total"):
                    c[stat] = int(c[stat])

# --- head counts, items compared ----------------------------------------
for s in waves:
    c = cells.get(("n", None, s), {})
    check(f"{s}: head count is the database's {responses[s]} complete "
          "responses", c.get("n") == responses[s])
check("the items compared are those both versions ask alike "
      f"({len(compared)})", order == compared)

# --- every figure -------------------------------------------------------
for item in compared:
    cats = sorted({v for s in waves for v in values.get((s, item), {})})
    numeric = item_type[item] == "number"
    for s in waves:
        given = values.get((s, item), {})
        miss = responses[s] - answered.get((s, item), 0)
        if numeric and miss > 0:
            c = cells.get((item, "", s), {})
            check(f"{s} {item}: {miss} without an answer",
                  c.get("n") == miss)
        if numeric and (s, item) in numbers:
            n, mean, median = numbers[(s, item)]
            c = cells.get((item, None, s), {})
            check(f"{s} {item}: n {n}, mean {mean:.4f}, median {median}",
                  c.get("n") == n and close(c.get("mean"), mean)
                  and close(c.get("median"), median))
        if numeric:
            continue
        denominator = sum(n for v, n in given.items()
                          if nsp == "keep" or v not in dont_know)
        if missing == "keep":
            denominator += miss
        for v in cats:
            if nsp == "exclude" and v in dont_know:
                continue
            c = cells.get((item, v, s), {})
            want = given.get(v, 0)
            check(f"{s} {item}={v}: {want} of {denominator}",
                  c.get("n") == want and
                  (want == 0 and "total" not in c or
                   c.get("total") == denominator))
        if miss > 0:
            c = cells.get((item, "", s), {})
            check(f"{s} {item}: {miss} without an answer",
                  c.get("n") == miss)

# --- the tests, recomputed in R -----------------------------------------
with open(f"{d}/tests.R", "w", encoding="utf-8") as out:
    out.write("fails <- 0\nps <- c()\nreported <- c()\n")
    for item in compared:
        if item not in tests or item_type[item] == "number":
            continue
        p, p_adj, method = tests[item]
        cats = sorted({v for s in waves for v in values.get((s, item), {})
                       if nsp == "keep" or v not in dont_know})
        matrix = [[values.get((s, item), {}).get(v, 0) for s in waves]
                  for v in cats]
        if missing == "keep":
            matrix.append([responses[s] - answered.get((s, item), 0)
                           for s in waves])
        flat = ", ".join(str(n) for row in matrix for n in row)
        out.write(f"""
m <- matrix(c({flat}), ncol = 2, byrow = TRUE)
m <- m[rowSums(m) > 0, colSums(m) > 0, drop = FALSE]
e <- outer(rowSums(m), colSums(m)) / sum(m)
if (all(e >= 5)) {{
  p <- suppressWarnings(chisq.test(m, correct = FALSE))$p.value; meth <- "chisq"
}} else {{
  p <- fisher.test(m, workspace = 2e8)$p.value; meth <- "fisher"
}}
ok <- abs(p - {p!r}) <= 1e-9 * max(1, p) && meth == "{method}"
cat(if (ok) "ok: " else "FAIL: ", "[{fmt} --nsp {nsp} --missing {missing}] "
    , "{item}: p = ", format(p, digits = 15), " (", meth, ") in R, ",
    "{p!r} ({method}) reported\\n", sep = "")
fails <- fails + !ok
ps <- c(ps, p); reported <- c(reported, {p_adj if p_adj is not None else 'NA'})
""")
    out.write(f"""
adj <- p.adjust(ps, "holm")
ok <- length(ps) >= 2 && all(abs(adj - reported) <= 1e-9)
cat(if (ok) "ok: " else "FAIL: ", "[{fmt} --nsp {nsp} --missing {missing}] ",
    "Holm over the ", length(ps), " tests as p.adjust()\\n", sep = "")
""")
sys.exit(0)
