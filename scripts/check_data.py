#!/usr/bin/env python3
"""Validates the project's data files (see data/README.md for their formats).

usage: scripts/check_data.py [DATA_DIR]     (default: the data/ folder next to this script)

Prints one "file:line: problem" per violation and exits 1 if there is any, 0 otherwise.
Python 3 standard library only.
"""

import datetime
import json
import os
import re
import sys

ROOTS = {f"{i:02d}" for i in range(1, 21)}
ROOT_SLUGS = {
    "01": "make-public-statement", "02": "appeal", "03": "express-intent-to-cooperate", "04": "consult",
    "05": "engage-in-diplomatic-cooperation", "06": "engage-in-material-cooperation", "07": "provide-aid",
    "08": "yield", "09": "investigate", "10": "demand", "11": "disapprove", "12": "reject", "13": "threaten",
    "14": "protest", "15": "exhibit-force-posture", "16": "reduce-relations", "17": "coerce", "18": "assault",
    "19": "fight", "20": "engage-in-unconventional-mass-violence",
}
FIXED_SLUGS = {
    **ROOT_SLUGS,
    "072": "provide-military-aid", "111": "criticize-or-denounce", "036": "express-intent-to-meet-or-negotiate",
    "040": "consult-not-specified", "042": "make-visit", "043": "host-visit", "051": "praise-or-endorse",
    "112": "accuse", "163": "impose-embargo-boycott-or-sanctions",
    "190": "use-conventional-military-force-not-specified", "193": "fight-with-small-arms-and-light-weapons",
    "195": "employ-aerial-weapons",
}
PLOVER_TYPES = {
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE", "REJECT",
    "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
}
SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SLUG_MAX = 64
GOLDSTEIN_RE = re.compile(r"^-?(10|[0-9])\.[0-9]$")
COUNTRY_ID_RE = re.compile(r"^[A-Z]{3}$")
IGO_ID_RE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
EMBED_DELIMITER = ')geokg_embed"'
MOJIBAKE = ("\ufffd", "Ã", "Â", "â€", "Ò", "Ó")
POLARITIES = {"asserted", "negated", "denied"}
DEMO_PUBLISHER = "geokg demo data"
DEMO_LINES = (200, 500)
DEMO_MIN_ROOTS = 15
PRK_NEIGHBOURS = (("RUS",), ("KOR",), ("USA",), ("JPN",), ("CHN",), ("UN", "UNSC"))  # any one of each group


class Report:
    def __init__(self, base):
        self.base = base
        self.problems = []

    def add(self, path, line, msg):
        rel = os.path.relpath(path, self.base)
        self.problems.append(f"{rel}:{line}: {msg}" if line else f"{rel}: {msg}")


def normalize_alias(s):
    """Mirror of core::normalize_alias (core/text.cpp): the key under which names and aliases are looked up."""
    b = s.encode("utf-8")
    out = bytearray()
    pending_space = False
    i = 0
    while i < len(b):
        c = b[i]
        if c == 0xE2 and i + 2 < len(b) and b[i + 1] == 0x80:
            c3 = b[i + 2]
            if 0x98 <= c3 <= 0x9D:  # curly quotes
                i += 3
                continue
            if c3 in (0x93, 0x94):  # en and em dash
                pending_space = len(out) > 0
                i += 3
                continue
        if c in b".'\"`":
            i += 1
            continue
        word = (0x61 <= c <= 0x7A) or (0x41 <= c <= 0x5A) or (0x30 <= c <= 0x39) or c >= 0x80 or c in b"&+"
        if not word:
            pending_space = len(out) > 0
            i += 1
            continue
        if pending_space:
            out.append(0x20)
        pending_space = False
        out.append(c + 32 if 0x41 <= c <= 0x5A else c)
        i += 1
    key = out.decode("utf-8", errors="replace")
    if len(key) > 4 and key.startswith("the "):
        key = key[4:]
    return key


def read_lines(rep, path):
    """The file's lines (without terminators) after byte-level checks; None if unreadable."""
    try:
        raw = open(path, "rb").read()
    except OSError as e:
        rep.add(path, 0, f"cannot read: {e}")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        rep.add(path, 0, f"not valid UTF-8 at byte {e.start}")
        return None
    if not text:
        rep.add(path, 0, "file is empty")
        return []
    if text.startswith("\ufeff"):
        rep.add(path, 1, "byte-order mark")
    if not text.endswith("\n"):
        rep.add(path, 0, "missing final newline")
    if EMBED_DELIMITER in text:
        rep.add(path, 0, f"contains the embedding delimiter {EMBED_DELIMITER}")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for n, line in enumerate(lines, 1):
        if "\r" in line:
            rep.add(path, n, "carriage return (use LF line endings)")
        if line != line.rstrip(" \t") and not line.endswith("\t"):
            rep.add(path, n, "trailing whitespace")
        if any(m in line for m in MOJIBAKE):
            rep.add(path, n, "looks like mojibake (mis-decoded text)")
    return lines


def data_rows(lines):
    for n, line in enumerate(lines, 1):
        if line == "" or line.startswith("#"):
            continue
        yield n, line


# ---------------------------------------------------------------------------------------------------------
def check_relation_types(rep, path):
    lines = read_lines(rep, path)
    codes = {}
    if lines is None:
        return codes
    slugs = {}
    prev = None
    for n, line in data_rows(lines):
        f = line.split("\t")
        if len(f) != 7:
            rep.add(path, n, f"expected 7 tab-separated fields, got {len(f)}")
            continue
        code, slug, name, root, quad, gold, plover = f
        if not re.fullmatch(r"[0-9]{2,4}", code):
            rep.add(path, n, f"code {code!r} must be 2-4 digits")
            continue
        if code in codes:
            rep.add(path, n, f"duplicate code {code} (first on line {codes[code]['line']})")
        if prev is not None and code <= prev:
            rep.add(path, n, f"code {code} out of order (after {prev}); rows are sorted by code as strings")
        prev = code
        if not SLUG_RE.match(slug):
            rep.add(path, n, f"slug {slug!r} is not kebab-case [a-z0-9-]")
        if len(slug) > SLUG_MAX:
            rep.add(path, n, f"slug {slug!r} is longer than {SLUG_MAX} characters")
        if slug in slugs:
            rep.add(path, n, f"duplicate slug {slug!r} (first on line {slugs[slug]})")
        slugs.setdefault(slug, n)
        if code in FIXED_SLUGS and slug != FIXED_SLUGS[code]:
            rep.add(path, n, f"code {code} must have slug {FIXED_SLUGS[code]!r}, not {slug!r}")
        if len(code) == 3 and code.endswith("0") and code not in FIXED_SLUGS and not slug.endswith("-not-specified"):
            rep.add(path, n, f"residual code {code} must have a slug ending in -not-specified")
        if re.fullmatch(r"[0-9]{3}", code) and not code.endswith("0") and slug.endswith("-not-specified"):
            rep.add(path, n, f"only residual codes (x0) end in -not-specified, not {code}")
        if not name or name != name.strip() or "  " in name:
            rep.add(path, n, "name is empty or has stray spaces")
        elif not name[0].isupper():
            rep.add(path, n, f"name {name!r} must start with a capital letter")
        elif name.isupper() and len(name) > 4:
            rep.add(path, n, f"name {name!r} is in capitals; use sentence case")
        if root != code[:2]:
            rep.add(path, n, f"root {root!r} must be the first two digits of code {code}")
        if root not in ROOTS:
            rep.add(path, n, f"root {root!r} is not 01..20")
        elif quad != str(quad_class(root)):
            rep.add(path, n, f"quad_class of root {root} is {quad_class(root)}, not {quad!r}")
        if not GOLDSTEIN_RE.match(gold) or not -10.0 <= float(gold) <= 10.0:
            rep.add(path, n, f"goldstein {gold!r} must be a number in -10.0..10.0 with one decimal")
        if plover != "-" and plover not in PLOVER_TYPES:
            rep.add(path, n, f"plover {plover!r} is not a PLOVER event type (or '-')")
        codes.setdefault(code, {"line": n, "slug": slug})
    for code, info in codes.items():
        parent = code[:2] if len(code) == 3 else code[:3] if len(code) == 4 else None
        if parent and parent not in codes:
            rep.add(path, info["line"], f"code {code} has no parent row {parent}")
    for r in sorted(ROOTS - set(codes)):
        rep.add(path, 0, f"root {r} is missing")
    return codes


def quad_class(root):
    r = int(root)
    return 1 if r <= 5 else 2 if r <= 9 else 3 if r <= 14 else 4


# ---------------------------------------------------------------------------------------------------------
class ActorTable:
    def __init__(self):
        self.ids = {}  # id -> (path, line)
        self.keys = {}  # normalized name/alias -> list of (id, path, line, surface)
        self.adj = {}  # normalized adjective -> list of (id, path, line, surface)
        self.rows = 0
        self.entries = []  # (id, path, line) of every row, duplicates included


def split_list(rep, path, n, what, value):
    if value == "":
        return []
    items = value.split("|")
    seen = set()
    for it in items:
        if it == "" or it != it.strip() or "  " in it:
            rep.add(path, n, f"{what}: empty item or stray spaces in {value!r}")
        elif it in seen:
            rep.add(path, n, f"{what}: {it!r} listed twice")
        elif normalize_alias(it) == "":
            rep.add(path, n, f"{what}: {it!r} has no letters or digits")
        seen.add(it)
    return [it for it in items if it.strip()]


def check_actor_file(rep, path, kind, table, strict=True):
    lines = read_lines(rep, path)
    if lines is None:
        return
    for n, line in data_rows(lines):
        f = line.split("\t")
        if strict and len(f) != 6:
            rep.add(path, n, f"expected 6 tab-separated fields, got {len(f)}")
            continue
        if len(f) < 2:
            continue
        f += [""] * (6 - len(f))
        aid, name, typ, country, aliases, adjectives = f[:6]
        table.rows += 1
        table.entries.append((aid, path, n))
        if aid in table.ids:
            p, l = table.ids[aid]
            rep.add(path, n, f"duplicate id {aid} (also {os.path.relpath(p, rep.base)}:{l})")
        table.ids.setdefault(aid, (path, n))
        if strict:
            if kind == "country":
                if not COUNTRY_ID_RE.match(aid):
                    rep.add(path, n, f"country id {aid!r} must be an ISO 3166-1 alpha-3 code")
                if country != aid:
                    rep.add(path, n, f"country column must repeat the id {aid}, not {country!r}")
            else:
                if not IGO_ID_RE.match(aid):
                    rep.add(path, n, f"igo id {aid!r} must be upper-case letters/digits, hyphen-separated")
                if country != "":
                    rep.add(path, n, "country column must be empty for an igo")
            if typ != kind:
                rep.add(path, n, f"type must be {kind!r}, not {typ!r}")
            if not name or name != name.strip() or "|" in name:
                rep.add(path, n, "name is empty, has stray spaces or a '|'")
        al = split_list(rep, path, n, "aliases", aliases)
        adj = split_list(rep, path, n, "adjectives", adjectives)
        for surface in [name] + al:
            table.keys.setdefault(normalize_alias(surface), []).append((aid, path, n, surface))
        for surface in adj:
            table.adj.setdefault(normalize_alias(surface), []).append((aid, path, n, surface))


def check_actor_collisions(rep, table, own_paths):
    def where(e):
        return f"{e[0]} ({os.path.relpath(e[1], rep.base)}:{e[2]})"

    def involves_own(entries):
        return any(e[1] in own_paths for e in entries)

    id_keys = {normalize_alias(i): i for i in table.ids}
    for key, entries in sorted(table.keys.items()):
        owners = {e[0] for e in entries}
        if len(owners) > 1 and involves_own(entries):
            first = entries[0]
            for e in entries[1:]:
                if e[0] != first[0]:
                    rep.add(e[1], e[2], f"alias/name {e[3]!r} of {e[0]} is also used by {where(first)} as {first[3]!r}")
        other_id = id_keys.get(key)
        for e in entries:
            if other_id and other_id != e[0] and e[1] in own_paths:
                rep.add(e[1], e[2], f"alias/name {e[3]!r} of {e[0]} equals the id of another actor, {other_id}")
    for key, entries in sorted(table.adj.items()):
        owners = {e[0] for e in entries}
        if len(owners) > 1 and involves_own(entries):
            first = entries[0]
            for e in entries[1:]:
                if e[0] != first[0]:
                    rep.add(e[1], e[2], f"adjective {e[3]!r} of {e[0]} is also an adjective of {where(first)}")
        for other in table.keys.get(key, []):
            for e in entries:
                if other[0] != e[0] and (e[1] in own_paths or other[1] in own_paths):
                    rep.add(e[1], e[2], f"adjective {e[3]!r} of {e[0]} is a name/alias of {where(other)}")
        other_id = id_keys.get(key)
        for e in entries:
            if other_id and other_id != e[0] and e[1] in own_paths:
                rep.add(e[1], e[2], f"adjective {e[3]!r} of {e[0]} equals the id of another actor, {other_id}")


# ---------------------------------------------------------------------------------------------------------
TRIPLE_KEYS = ("subject", "relation", "object", "date", "polarity", "confidence", "source", "evidence")
SOURCE_KEYS = ("url", "title", "publisher", "published_at")  # members POST /v1/triples accepts in source
EVIDENCE_KEYS = ("text",)  # the API also takes start/end offsets; demo sentences stand alone


def valid_day(d):
    """The date of a YYYY-MM-DD string, or None."""
    if not isinstance(d, str) or not DATE_RE.match(d):
        return None
    try:
        return datetime.date.fromisoformat(d)
    except ValueError:
        return None


def check_triples(rep, path, actor_ids, codes):
    """data/demo/triples.jsonl: one POST /v1/triples element per line, with every member filled in."""
    lines = read_lines(rep, path)
    if lines is None:
        return None
    roots = set()
    neighbours = {}
    seen = {}
    distinct = set()
    today = datetime.date.today()
    for n, line in enumerate(lines, 1):
        if line.strip() == "":
            rep.add(path, n, "blank line")
            continue
        try:
            t = json.loads(line)
        except json.JSONDecodeError as e:
            rep.add(path, n, f"not JSON: {e.msg} at column {e.colno}")
            continue
        if not isinstance(t, dict):
            rep.add(path, n, "not a JSON object")
            continue
        extra = sorted(set(t) - set(TRIPLE_KEYS))
        missing = [k for k in TRIPLE_KEYS if k not in t]
        if extra:
            rep.add(path, n, f"unknown member(s) {extra}; allowed: {list(TRIPLE_KEYS)}")
        if missing:
            rep.add(path, n, f"missing member(s) {missing}; demo lines fill in every member (object may be null)")
        s, r, o, d = t.get("subject"), t.get("relation"), t.get("object"), t.get("date")
        if not isinstance(s, str) or s not in actor_ids:
            rep.add(path, n, f"subject {s!r} is not an actor id in data/actors/*.tsv")
        if o is not None and (not isinstance(o, str) or o not in actor_ids):
            rep.add(path, n, f"object {o!r} is not an actor id in data/actors/*.tsv (or null)")
        if o is not None and o == s:
            rep.add(path, n, "subject and object are the same actor")
        if not isinstance(r, str) or r not in codes:
            rep.add(path, n, f"relation {r!r} is not a code in relation_types.tsv")
        else:
            roots.add(r[:2])
        day = valid_day(d)
        if day is None:
            rep.add(path, n, f"date {d!r} must be a calendar day written YYYY-MM-DD")
        elif day > today:
            rep.add(path, n, f"date {d} is in the future")
        pol = t.get("polarity")
        if not isinstance(pol, str) or pol not in POLARITIES:
            rep.add(path, n, f"polarity {pol!r} must be one of {sorted(POLARITIES)}")
        c = t.get("confidence")
        if isinstance(c, bool) or not isinstance(c, (int, float)) or not 0.0 <= c <= 1.0:
            rep.add(path, n, f"confidence {c!r} must be a number in 0..1")
        src = t.get("source")
        if not isinstance(src, dict):
            rep.add(path, n, "source must be an object {title, publisher}")
        else:
            bad = sorted(set(src) - set(SOURCE_KEYS))
            if bad:
                rep.add(path, n, f"source: unknown member(s) {bad}; allowed: {list(SOURCE_KEYS)}")
            if "url" in src:
                rep.add(path, n, "source.url: demo data carries no URLs (its sentences are our own, not quotations)")
            for k in ("title", "publisher"):
                if not isinstance(src.get(k), str) or not src[k].strip() or src[k] != src[k].strip():
                    rep.add(path, n, f"source.{k} must be a non-empty trimmed string")
            if isinstance(src.get("publisher"), str) and src["publisher"] != DEMO_PUBLISHER:
                rep.add(path, n, f"source.publisher must be {DEMO_PUBLISHER!r}")
            if "published_at" in src and (not isinstance(src["published_at"], str)
                                          or valid_day(src["published_at"][:10]) is None
                                          or src["published_at"][10:11] not in ("", "T")):
                rep.add(path, n, f"source.published_at {src['published_at']!r} must be an ISO 8601 date or date-time")
        ev = t.get("evidence")
        text = None
        if not isinstance(ev, dict) or set(ev) != set(EVIDENCE_KEYS):
            rep.add(path, n, "evidence must be an object with exactly one member, text")
        else:
            text = ev["text"]
            if not isinstance(text, str) or len(text.strip()) < 20:
                rep.add(path, n, "evidence.text must be a sentence")
            elif len(text) > 400 or text != text.strip() or not text.endswith("."):
                rep.add(path, n, "evidence.text must be one trimmed sentence (<= 400 characters) ending with '.'")
        if re.search(r"https?://|www\.", line):
            rep.add(path, n, "contains a URL; demo data must not invent URLs")
        key = tuple(v if v is None or isinstance(v, str) else repr(v) for v in (s, r, o, d, pol))  # hashable
        distinct.add(key)
        if isinstance(text, str):
            if key + (text,) in seen:
                rep.add(path, n, f"same triple and evidence as line {seen[key + (text,)]}")
            seen.setdefault(key + (text,), n)
        if isinstance(s, str) and isinstance(o, str):
            neighbours.setdefault(s, set()).add(o)
            neighbours.setdefault(o, set()).add(s)
    count = len(lines)
    if not DEMO_LINES[0] <= count <= DEMO_LINES[1]:
        rep.add(path, 0, f"{count} lines; the demo set should have {DEMO_LINES[0]}..{DEMO_LINES[1]}")
    if len(roots) < DEMO_MIN_ROOTS:
        rep.add(path, 0, f"covers {len(roots)} CAMEO roots; the demo set should cover at least {DEMO_MIN_ROOTS}")
    prk = neighbours.get("PRK", set())
    missing = [" or ".join(alts) for alts in PRK_NEIGHBOURS if not prk.intersection(alts)]
    if missing:
        rep.add(path, 0, f"PRK has no relation with {missing}")
    return count, len(distinct), len(roots)


# ---------------------------------------------------------------------------------------------------------
def main(argv):
    base_repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    data = os.path.abspath(argv[1]) if len(argv) > 1 else os.path.join(base_repo, "data")
    rep = Report(os.path.dirname(data))

    codes = check_relation_types(rep, os.path.join(data, "relation_types.tsv"))

    table = ActorTable()
    countries = os.path.join(data, "actors", "countries.tsv")
    igos = os.path.join(data, "actors", "igos.tsv")
    check_actor_file(rep, countries, "country", table)
    check_actor_file(rep, igos, "igo", table)
    country_ids = {i for i, p, _ in table.entries if p == countries}
    for i, p, line in table.entries:
        if p == igos and i in country_ids:
            rep.add(p, line, f"igo id {i} is a country code")
    # Other actor files (people, groups, ...) share the id and alias space; their own formats are their owners'.
    actors_dir = os.path.join(data, "actors")
    for fn in sorted(os.listdir(actors_dir)):
        p = os.path.join(actors_dir, fn)
        if fn.endswith(".tsv") and p not in (countries, igos) and os.path.getsize(p) > 0:
            check_actor_file(Report(rep.base), p, "other", table, strict=False)
    check_actor_collisions(rep, table, {countries, igos})

    demo = check_triples(rep, os.path.join(data, "demo", "triples.jsonl"), set(table.ids), codes)

    for p in rep.problems:
        print(p)
    if rep.problems:
        print(f"check_data: {len(rep.problems)} problem(s)", file=sys.stderr)
        return 1
    lines, distinct, roots = demo if demo else (0, 0, 0)
    print(f"check_data: ok: {len(codes)} relation types, {table.rows} actors, "
          f"{lines} demo lines ({distinct} distinct triples) over {roots} CAMEO roots")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
