#!/usr/bin/env python3
"""Checks data/actors/people.tsv and data/actors/groups.tsv against the rules in data/actors/README.md.

Usage: scripts/check_people.py [--data DIR]   (DIR defaults to data/actors beside this script)
Prints one line per problem as FILE:LINE: message and exits 1 when there is any error.
Collisions with countries.tsv and igos.tsv (owned elsewhere) are printed as warnings only.
"""

import argparse
import datetime
import re
import sys
import unicodedata
from pathlib import Path

ISO3 = set("""
AFG ALA ALB DZA ASM AND AGO AIA ATA ATG ARG ARM ABW AUS AUT AZE BHS BHR BGD BRB BLR BEL BLZ BEN BMU BTN BOL BES
BIH BWA BVT BRA IOT BRN BGR BFA BDI CPV KHM CMR CAN CYM CAF TCD CHL CHN CXR CCK COL COM COG COD COK CRI CIV HRV
CUB CUW CYP CZE DNK DJI DMA DOM ECU EGY SLV GNQ ERI EST SWZ ETH FLK FRO FJI FIN FRA GUF PYF ATF GAB GMB GEO DEU
GHA GIB GRC GRL GRD GLP GUM GTM GGY GIN GNB GUY HTI HMD VAT HND HKG HUN ISL IND IDN IRN IRQ IRL IMN ISR ITA JAM
JPN JEY JOR KAZ KEN KIR PRK KOR KWT KGZ LAO LVA LBN LSO LBR LBY LIE LTU LUX MAC MDG MWI MYS MDV MLI MLT MHL MTQ
MRT MUS MYT MEX FSM MDA MCO MNG MNE MSR MAR MOZ MMR NAM NRU NPL NLD NCL NZL NIC NER NGA NIU NFK MKD MNP NOR OMN
PAK PLW PSE PAN PNG PRY PER PHL PCN POL PRT PRI QAT REU ROU RUS RWA BLM SHN KNA LCA MAF SPM VCT WSM SMR STP SAU
SEN SRB SYC SLE SGP SXM SVK SVN SLB SOM ZAF SGS SSD ESP LKA SDN SUR SJM SWE CHE SYR TWN TJK TZA THA TLS TGO TKL
TON TTO TUN TUR TKM TCA TUV UGA UKR ARE GBR USA UMI URY UZB VUT VEN VNM VGB VIR WLF ESH YEM ZMB ZWE
""".split())
# Kosovo has no ISO 3166-1 code; XKX is the user-assigned code the EU, IMF and others use.
COUNTRY_CODES = ISO3 | {"XKX"}

IGOS = {"UN", "UNSC", "NATO", "EU", "EC", "EP", "G7", "G20", "ASEAN", "AU", "IAEA", "WHO", "IMF", "WB", "WTO",
        "OSCE", "ICC", "ARAB-LEAGUE", "GCC", "OPEC"}

ROLES = {
    # the vocabulary of the brief
    "head_of_state", "head_of_government", "supreme_leader", "president", "vice_president", "prime_minister",
    "chancellor", "monarch", "foreign_minister", "secretary_of_state", "defence_minister", "secretary_of_defense",
    "national_security_advisor", "un_ambassador", "secretary_general", "commission_president",
    "council_president", "high_representative", "director_general", "chief_of_staff_military", "spokesperson",
    "party_leader", "other_minister",
    # extensions, documented in people.tsv and README.md
    "group_leader", "parliament_speaker", "intelligence_chief", "chief_of_staff", "special_envoy", "prosecutor",
    "crown_prince",
}

# Offices with one holder at a time per organisation: terms of different people must not overlap
# (sharing the handover day is fine). "# overlap-ok: ORG/role id id why" excuses a known case.
SINGULAR = {
    "head_of_state", "head_of_government", "supreme_leader", "president", "vice_president", "prime_minister",
    "chancellor", "monarch", "foreign_minister", "secretary_of_state", "defence_minister", "secretary_of_defense",
    "national_security_advisor", "un_ambassador", "secretary_general", "commission_president",
    "council_president", "high_representative", "director_general", "chief_of_staff_military", "chief_of_staff",
    "prosecutor", "crown_prince",
}

# Single words that must never be an alias on their own: common English words that are also surnames, and
# surnames or given names shared by too many public figures.
STOP_WORDS = {
    "kim", "lee", "park", "li", "wang", "moon", "khan", "ali", "singh", "zhang", "liu", "chen", "yang", "zhao",
    "huang", "wu", "xu", "sun", "ma", "choi", "choe", "jung", "kang", "cho", "yoon", "yun", "han", "shin", "nguyen",
    "tran", "le", "pham", "rahman", "hassan", "hussein", "ahmed", "mohammed", "muhammad", "mohamed", "abdullah",
    "salman", "khalid", "sheikh", "al", "bin", "may", "rice", "bush", "brown", "hunt", "truss", "cleverly", "power",
    "carter", "johnson", "smith", "jones", "wallace", "harris", "austin", "gallant", "bishop", "payne", "wong",
    "king", "queen", "prince", "president", "pope", "emperor", "sharif", "gandhi", "borne", "champagne", "blair",
    "hague", "waltz", "sullivan", "miller", "cameron", "philippe", "mustafa", "ahmad", "mahmoud", "omar", "aoun",
    "salam", "duterte", "zardari", "bhutto", "marcos", "castro", "fernandez", "fernández", "rodriguez",
    "rodríguez", "lopez", "lópez", "kirchner", "francis", "leo", "charles", "elizabeth", "will", "mark", "grant",
    "rich", "young", "white", "black", "green", "long", "short", "strong", "little", "love", "hope", "price",
    "rose", "cook", "baker", "fox", "wolf", "lamb", "bird", "stone", "wood", "hill", "field", "ford", "bell",
}
GENERATIONAL = {"jr", "sr", "ii", "iii", "iv"}
SURNAME_FIRST = {"CHN", "TWN", "HKG", "MAC", "KOR", "PRK", "VNM", "KHM"}
ARTICLES = ("al ", "el ", "al-", "el-")

PERSON_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
GROUP_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
BAD_CHARS = re.compile("[\u00a0\u2010\u2011\u2012\u2013\u2014\u2015\u2018\u2019\u201c\u201d\t]")


def normalize_alias(s):
    """Python port of geokg::core::normalize_alias (core/text.cpp)."""
    out = []
    pending = False
    for ch in s:
        if ch in ".'\"`" or "\u2018" <= ch <= "\u201d":
            continue
        if ch in "\u2013\u2014":
            pending = bool(out)
            continue
        o = ord(ch)
        word = ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ("0" <= ch <= "9") or o >= 0x80 or ch in "&+"
        if not word:
            pending = bool(out)
            continue
        if pending:
            out.append(" ")
        pending = False
        out.append(ch.lower() if "A" <= ch <= "Z" else ch)
    r = "".join(out)
    if len(r) > 4 and r.startswith("the "):
        r = r[4:]
    return r


def fold(s):
    """ASCII fold for comparing ids with names: 'Erdoğan' -> 'erdogan'."""
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()


class Report:
    def __init__(self):
        self.errors = 0
        self.warnings = 0
        self.lines = []

    def error(self, path, line, msg):
        self.errors += 1
        self.lines.append((str(path), line, msg))

    def warn(self, path, line, msg):
        self.warnings += 1
        self.lines.append((str(path), line, "warning: " + msg))

    def print(self):
        for path, line, msg in sorted(self.lines, key=lambda x: (x[0], x[1])):
            print(f"{path}:{line}: {msg}")


class Row:
    def __init__(self, path, line, fields):
        self.path = path
        self.line = line
        self.id, self.name, self.type, self.country, self.aliases_text, self.extra = fields
        self.aliases = self.aliases_text.split("|") if self.aliases_text else []
        self.roles = []  # (org, role, start, end-or-None, text)


def parse_date(text):
    if not DATE.match(text):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def read_table(path, rep, kind):
    """Returns (rows, comments) where comments is a list of (line, text) of '#' lines."""
    rows, comments = [], []
    try:
        raw = path.read_bytes()
    except OSError as e:
        rep.error(path, 0, f"cannot read: {e}")
        return rows, comments
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        rep.error(path, 0, f"not UTF-8: {e}")
        return rows, comments
    if not text:
        rep.error(path, 0, "empty file")
        return rows, comments
    if not text.endswith("\n"):
        rep.error(path, text.count("\n") + 1, "no newline at end of file")
    if "\r" in text:
        rep.error(path, 0, "CR characters (use LF line ends)")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines[0].startswith("#"):
        rep.error(path, 1, "the file must start with a header comment documenting the format")
    for no, line in enumerate(lines, 1):
        if line.startswith("#"):
            comments.append((no, line))
            continue
        if not line.strip():
            rep.error(path, no, "blank line (use a '#' line to separate sections)")
            continue
        f = line.split("\t")
        if len(f) != 6:
            rep.error(path, no, f"expected 6 tab-separated fields, got {len(f)}")
            continue
        bad = False
        for i, v in enumerate(f):
            if v != v.strip() or "  " in v:
                rep.error(path, no, f"field {i + 1} has leading, trailing or doubled spaces: {v!r}")
                bad = True
            if BAD_CHARS.search(v):
                rep.error(path, no, f"field {i + 1} has a typographic dash, quote or no-break space: {v!r}")
                bad = True
        if bad:
            continue
        rows.append(Row(path, no, f))
    return rows, comments


def surname_keys(row):
    """Normalized words that work as a person's surname: the last word of the name and aliases (without
    generational suffixes) and, for names written surname-first, the first word."""
    keys = set()
    for form in [row.name] + row.aliases:
        words = [w for w in normalize_alias(form).split(" ") if w]
        while len(words) > 1 and words[-1] in GENERATIONAL:
            words.pop()
        if len(words) < 2:
            continue
        keys.add(words[-1])
        if row.country in SURNAME_FIRST:
            keys.add(words[0])
    return keys


def bare_key(alias_key):
    """The bare word an alias reduces to ('al-Assad' -> 'assad'), or None when it has several words."""
    k = alias_key
    for a in ("al ", "el "):
        if k.startswith(a):
            k = k[len(a):]
    return k if k and " " not in k else None


def check_common(rows, rep, all_ids):
    for r in rows:
        if not r.name:
            rep.error(r.path, r.line, "empty name")
        for i, a in enumerate(r.aliases):
            if not a:
                rep.error(r.path, r.line, f"empty alias (position {i + 1})")
        if r.id in all_ids:
            rep.error(r.path, r.line, f"duplicate id {r.id} (first on {all_ids[r.id].path}:{all_ids[r.id].line})")
        else:
            all_ids[r.id] = r
        up = r.id.upper()
        if up in COUNTRY_CODES or up in IGOS:
            rep.error(r.path, r.line, f"id {r.id} is a country or IGO id")
        head = r.id.split("-")[0]
        if head in COUNTRY_CODES and "-" in r.id:
            rep.error(r.path, r.line, f"id {r.id} looks like a sector agent id <ISO3>-<CODE>")
        if r.country and r.country not in COUNTRY_CODES:
            rep.error(r.path, r.line, f"country {r.country!r} is not an ISO 3166-1 alpha-3 code")


def check_names(rows, rep, extra_keys):
    """Names, aliases and adjectives: unique across rows, no redundant forms, safe bare surnames."""
    owner = {}  # normalized key -> row
    for r in rows:
        seen = {}
        forms = [("name", r.name)] + [("alias", a) for a in r.aliases]
        if r.type in ("group", "organization"):
            forms += [("adjective", a) for a in r.adjectives]
        for kind, form in forms:
            if not form:
                continue
            k = normalize_alias(form)
            if not k:
                rep.error(r.path, r.line, f"{kind} {form!r} normalizes to nothing")
                continue
            if k in seen:
                if not (kind == "adjective" and seen[k][0] != "adjective"):
                    rep.error(r.path, r.line, f"{kind} {form!r} repeats {seen[k][0]} {seen[k][1]!r} "
                              "(case, periods, apostrophes and hyphens do not matter)")
                continue
            seen[k] = (kind, form)
            o = owner.get(k)
            if o is not None and o is not r:
                rep.error(r.path, r.line, f"{kind} {form!r} is also on {o.path.name}:{o.line} ({o.id})")
            else:
                owner[k] = r
            if k in extra_keys:
                p, line, oid = extra_keys[k]
                rep.warn(r.path, r.line, f"{kind} {form!r} is also on {p.name}:{line} ({oid})")
    surnames = {}
    for r in rows:
        if r.type != "person":
            continue
        for s in surname_keys(r):
            surnames.setdefault(s, set()).add(r.id)
    for r in rows:
        for a in r.aliases:
            b = bare_key(normalize_alias(a))
            if b is None:
                continue
            if r.type == "person" and b in STOP_WORDS:
                rep.error(r.path, r.line, f"bare alias {a!r} is a common word or an ambiguous name")
            others = surnames.get(b, set()) - {r.id}
            if others:
                rep.error(r.path, r.line, f"bare alias {a!r} is ambiguous: also a name part of "
                          + ", ".join(sorted(others)))


def parse_roles(r, rep, orgs, today):
    if not r.extra:
        return
    for text in r.extra.split("|"):
        p = text.split("/")
        if len(p) != 4:
            rep.error(r.path, r.line, f"role {text!r}: expected ORG/role/start/end")
            continue
        org, role, s, e = p
        ok = True
        if org not in orgs:
            rep.error(r.path, r.line, f"role {text!r}: unknown organisation {org!r}")
            ok = False
        if role not in ROLES:
            rep.error(r.path, r.line, f"role {text!r}: {role!r} is not in the role vocabulary")
            ok = False
        start = parse_date(s)
        if start is None:
            rep.error(r.path, r.line, f"role {text!r}: start {s!r} is not a valid YYYY-MM-DD date")
            ok = False
        end = None
        if e:
            end = parse_date(e)
            if end is None:
                rep.error(r.path, r.line, f"role {text!r}: end {e!r} is not a valid YYYY-MM-DD date")
                ok = False
        if start and start.year < 1900:
            rep.error(r.path, r.line, f"role {text!r}: start before 1900")
        if start and end and end < start:
            rep.error(r.path, r.line, f"role {text!r}: ends before it starts")
            ok = False
        for d in (start, end):
            if d and d > today:
                rep.error(r.path, r.line, f"role {text!r}: date in the future")
        if ok:
            r.roles.append((org, role, start, end, text))
    starts = [x[2] for x in r.roles]
    if starts != sorted(starts):
        rep.error(r.path, r.line, "roles are not in order of their start dates")
    by_office = {}
    for x in r.roles:
        by_office.setdefault((x[0], x[1]), []).append(x)
    for terms in by_office.values():
        terms.sort(key=lambda x: x[2])
        for a, b in zip(terms, terms[1:]):
            if a[3] is None or b[2] <= a[3]:
                rep.error(r.path, r.line, f"roles {a[4]!r} and {b[4]!r} overlap or touch (merge them)")


def check_people(rows, comments, rep, group_ids, today):
    orgs = COUNTRY_CODES | IGOS | group_ids
    for r in rows:
        if not PERSON_ID.match(r.id):
            rep.error(r.path, r.line, f"id {r.id!r} is not kebab-case ascii")
        if r.type != "person":
            rep.error(r.path, r.line, f"type must be 'person', got {r.type!r}")
        if not r.country:
            rep.error(r.path, r.line, "country (nationality) is required")
        words = set(re.split(r"[^a-z0-9]+", fold(" ".join([r.name] + r.aliases))))
        if not any(t in words for t in r.id.split("-") if len(t) >= 3):
            rep.error(r.path, r.line, f"id {r.id!r} shares no word with the name or aliases")
        r.adjectives = []
        parse_roles(r, rep, orgs, today)

    ids = {r.id: r for r in rows}
    allowed = set()
    for no, text in comments:
        m = re.match(r"^# (unsure|overlap-ok):(.*)$", text)
        if not m:
            continue
        args = m.group(2).split()
        if m.group(1) == "unsure":
            if len(args) < 2:
                rep.error(rows[0].path if rows else "people.tsv", no, "expected '# unsure: <id> <why>'")
            elif args[0] not in ids:
                rep.error(rows[0].path, no, f"unsure: unknown id {args[0]!r}")
            elif ids[args[0]].line > no:
                rep.error(rows[0].path, no, f"unsure: {args[0]} must come after its row")
        else:
            if len(args) < 4 or args[1] not in ids or args[2] not in ids:
                rep.error(rows[0].path, no, "expected '# overlap-ok: ORG/role <id> <id> <why>' with known ids")
            else:
                allowed.add((args[0], frozenset(args[1:3])))

    offices = {}
    for r in rows:
        for org, role, s, e, text in r.roles:
            if role in SINGULAR:
                offices.setdefault((org, role), []).append((s, e, r))
    far = datetime.date.max
    for (org, role), terms in sorted(offices.items()):
        terms.sort(key=lambda x: x[0])
        for i, (s1, e1, r1) in enumerate(terms):
            for s2, e2, r2 in terms[i + 1:]:
                if s2 >= (e1 or far):
                    break
                if r1 is r2:
                    continue
                if (f"{org}/{role}", frozenset((r1.id, r2.id))) in allowed:
                    continue
                rep.error(r2.path, r2.line, f"{org}/{role} from {s2} overlaps {r1.id} "
                          f"({s1}..{e1 or 'ongoing'}, line {r1.line})")


def check_groups(rows, rep):
    for r in rows:
        if not GROUP_ID.match(r.id):
            rep.error(r.path, r.line, f"id {r.id!r} must be upper-case letters and digits with '-' between words")
        if r.type not in ("group", "organization"):
            rep.error(r.path, r.line, f"type must be 'group' or 'organization', got {r.type!r}")
        r.adjectives = r.extra.split("|") if r.extra else []
        for a in r.adjectives:
            if not a or " " in a or not a[0].isupper():
                rep.error(r.path, r.line, f"adjective {a!r} must be one capitalised word")


def igo_ids(data_dir):
    """Ids of igos.tsv (owned elsewhere), which may extend the IGO list of the brief."""
    ids = set()
    try:
        lines = (data_dir / "igos.tsv").read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return ids
    for line in lines:
        if line.strip() and not line.startswith("#"):
            ids.add(line.split("\t")[0].strip())
    return ids


def other_keys(data_dir):
    """Normalized names and aliases of countries.tsv and igos.tsv, when those files have rows."""
    keys = {}
    for name in ("countries.tsv", "igos.tsv"):
        p = data_dir / name
        try:
            lines = p.read_text(encoding="utf-8").split("\n")
        except (OSError, UnicodeDecodeError):
            continue
        for no, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#"):
                continue
            f = line.split("\t")
            if len(f) < 2:
                continue
            forms = [f[1]] + (f[4].split("|") if len(f) > 4 and f[4] else [])
            forms += f[5].split("|") if len(f) > 5 and f[5] else []
            for form in forms:
                if form.strip():
                    keys.setdefault(normalize_alias(form), (p, no, f[0]))
    return keys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parent.parent / "data" / "actors")
    args = ap.parse_args()
    rep = Report()
    today = datetime.date.today()

    groups, _ = read_table(args.data / "groups.tsv", rep, "groups")
    people, people_comments = read_table(args.data / "people.tsv", rep, "people")
    global IGOS
    IGOS = IGOS | igo_ids(args.data)
    all_ids = {}
    check_common(groups, rep, all_ids)
    check_common(people, rep, all_ids)
    check_groups(groups, rep)
    check_people(people, people_comments, rep, {g.id for g in groups}, today)
    check_names(groups + people, rep, other_keys(args.data))

    rep.print()
    print(f"{len(people)} people, {len(groups)} groups: {rep.errors} errors, {rep.warnings} warnings")
    return 1 if rep.errors else 0


if __name__ == "__main__":
    sys.exit(main())
