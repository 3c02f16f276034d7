"""Screen the entities of an ownership chain against local watchlists (sanctions, export controls).

Watchlists are files the user points to; nothing is ever downloaded.  ``load_watchlists`` reads
them into one ``Watchlist`` (every problem of every file is collected and raised together as a
``ScreeningError``, each problem located by file, line and, where known, column); ``match``
compares entity names with it and returns explained ``Hit`` records.

File formats (chosen by extension; an unknown extension is decided by the first non-blank
character: ``{`` means JSON lines, a first line with a comma and a ``name`` column means CSV,
anything else YAML):

``.csv``
    One reader for two layouts, told apart by their columns (names are matched case-insensitively,
    unknown columns are ignored, so both extra and missing optional columns are tolerated):

    * the OpenSanctions "simple CSV" export (``targets.simple.csv``): ``id, schema, name,
      aliases, birth_date, countries, addresses, identifiers, sanctions, phones, emails,
      program_ids, dataset, first_seen, last_seen, last_change``.  A file with a ``dataset``
      column is read this way.  Used: ``id``, ``schema``, ``name``, ``aliases``, ``countries``
      (lower-case ISO codes and FollowTheMoney's own codes such as ``suhh``, upper-cased and checked
      as in JSON lines below: another code is W371 and left out), ``dataset`` (dataset titles) and
      ``program_ids`` (both go to ``lists``) and an optional ``url`` column;
    * a plain list: ``name, aliases, countries, lists, type, url`` plus optional ``id`` and
      ``schema``.  Countries must be ISO 3166-1 alpha-2 codes in upper case.

    Multi-valued cells (``aliases``, ``countries``, ``dataset``, ``program_ids``, ``lists``) are
    separated by ``;``; a value holding a ``;`` is quoted inside the cell, as OpenSanctions'
    writer does (``"A; B";C``).  Only ``name`` is required.  A UTF-8 byte-order mark and CRLF line
    ends are accepted.  A row whose number of fields differs from the header's is malformed.

``.json``, ``.jsonl``, ``.ndjson`` (e.g. OpenSanctions ``entities.ftm.json``)
    FollowTheMoney entities, one JSON object per line: ``{"id", "schema", "properties": {name:
    [values]}, "datasets": [...], "caption"?, "target"?}``.  Entities of the schemas ``Person``,
    ``Company``, ``Organization``, ``LegalEntity`` and ``PublicBody`` become entries; every other
    schema (``Address``, ``Sanction``, ``Ownership``, ``Vessel``, ...) is skipped, because it
    cannot stand in an ownership chain.  An entity with ``"target": false`` is skipped unless its
    topics mark it as listed (OpenSanctions includes such adjacent, unlisted entities in its
    exports); ``target`` is a JSON boolean, ``null`` reads as absent, and any other value (``"false"``
    as text, ``0``) is E103, since it cannot say whether the entity is listed.  Names: ``name`` (the
    first is the entry name; ``caption`` when there is none) and, as aliases, the other names,
    ``alias`` and ``previousName``; ``weakAlias`` is left out (weak aliases are short nicknames that
    cause false hits).  Countries: ``country``, ``nationality``, ``citizenship``, ``jurisdiction``
    and ``mainCountry``, upper-cased: ISO 3166-1 alpha-2 codes and FollowTheMoney's own territory
    codes (``suhh``, ``csxx``, ``ua-cri``, ``zz``: ``countries.FTM_TERRITORIES``), kept as given (the
    countries they overlap, ``countries.RELATED``, are read when matching); any other code is a warning
    (W371, at its first line, with the number of other lines holding it) and left out of the entry,
    which is kept.  ``Sanction`` entities in the same file add their ``programId`` to the listed
    entity's ``lists`` and lend it their ``sourceUrl`` when it has none.  Entities without any name
    are skipped.

``.yaml``, ``.yml``
    ``entries: [{name, aliases, countries, lists, type, url, id?, schema?, note?}]`` read with
    ``screening.infra.yamlio`` (so problems carry lines and columns); ``title`` and ``note`` may stand
    beside ``entries``.

Entry ids default to ``<file stem>-<n>`` (n counts entries from 1) where the file gives none;
``source`` is ``<file>:<line>``.  In plain lists ``schema`` is one of ``FTM_SCHEMAS``; entries
without one are ``LegalEntity`` (matched as an organisation): write ``schema: Person`` for natural
persons.

List type (``ListEntry.type``), in this order of precedence:

1. the ``type`` given by a plain list (``sanctions``, ``export_control`` or ``other``);
2. FollowTheMoney topics: ``sanction`` and ``invest.ban`` (the US NS-CMIC investment ban) give
   ``sanctions``; ``export.control`` gives ``export_control``;
3. the list names (dataset names or titles, programme ids), case-insensitively: a name with the
   word ``sanction(s)``, ``sdn``, ``ofac``, ``fsf``, ``hmt``, ``ofsi``, ``seco``, ``cmic``,
   ``asset freeze`` or ``restrictive measures`` gives ``sanctions``; a name with ``entity list``,
   ``bis``, ``export``, ``end user``, ``meu``, ``dual use``, ``unverified`` or ``denied persons``
   gives ``export_control``;
4. otherwise ``other`` (for example ``sanction.linked``, ``export.risk``, ``debarment`` or PEP
   topics, or a consolidated list whose name says neither).

When several apply, ``sanctions`` wins over ``export_control``, which wins over ``other``.

Matching, in short (``match`` and the constants below have the details):

* identifiers first: an entity's LEI or registration number (``entity_names``) equal to one of an
  entry's (``ListEntry.identifiers``: FtM ``leiCode`` and ``registrationNumber``, the ``identifiers``
  column of CSV lists and key of YAML lists, where an LEI is told apart by its check digits), compared
  by ``identifier`` (upper case, no spaces or punctuation), is a hit of 100, kept before any name hit of
  the same entry; a registration number only when the countries do not differ;

* names are normalised (``normalise``): what prints as nothing removed (zero-width spaces and
  joiners, soft hyphens, bidirectional controls and other format characters, Hangul fillers), so
  that one zero-width space per word cannot hide a name; NFKC (full-width and mathematical
  letters); in a name that uses Latin letters, letters of other scripts posing as Latin read as
  the ASCII letter they look like (Unicode TR39 confusables: a Cyrillic ``М`` in "Мikhail") and
  words in Cyrillic or Greek transliterated ("Petr Авен" = "Petr Aven"); Unicode NFKD with
  combining marks dropped (accents), a few Latin letters without a decomposition mapped (``ß``,
  ``æ``, ``ø``, ``ł`` ...), case folded, ``&`` read as ``and``, apostrophes dropped, other
  punctuation read as spaces, runs of single letters joined (``S. A.`` = ``SA``, ``J P`` =
  ``JP``) and, for organisations, company-form words removed from the start and the end (``Ltd``,
  ``Co.``, ``GmbH``, ``S.p.A.``, ``PJSC``, ``OOO`` ...).  ``Holding(s)`` and ``Group`` are kept:
  removing them would make a group's holding company identical to every other company sharing
  the first word of its name.  A name written wholly in another script (unless every letter of it
  looks like an ASCII letter) is transliterated with OpenSanctions' ``rigour`` (``Лукашенко`` is
  ``lukashenko``); a run of Chinese, Japanese or Korean characters becomes one word
  (``习近平`` is ``xijinping``), which matches a Latin name of several words with its spaces removed
  (``Xi Jinping``; ``_Side.glued``).  Each hit carries the entity's name as compared
  (``Hit.read_as``);
* the score is ``rapidfuzz.fuzz.token_sort_ratio`` of the normalised names (computed as
  ``fuzz.ratio`` on pre-sorted tokens): word order is ignored but every word counts, so a name
  that is a mere subset of another ("Huawei" / "Huawei Marine Networks") scores low.
  ``token_set_ratio`` is not used because it gives 100 to any subset;
* guards: names of at most ``SHORT_NAME`` characters (``L1``, ``stc``) hit only when equal; names
  whose numbers differ ("14th Research Institute" / "38th Research Institute") never hit; in a
  fuzzy hit every word of the name with fewer words must resemble a word of the other name
  (``WORD_SIMILARITY``), so that shared common words cannot carry a hit when a distinctive word
  differs ("Beijing Institute of Technology" / "Harbin Institute of Technology");
* persons: a person's name whose words all appear in the listed name, or the reverse, with at
  least two shared words and at most two extra ones (a missing middle name or patronymic: "Petr
  Aven" / "Petr Olegovich Aven") scores ``SUBSET_SCORE``;
* kinds: an entity of kind ``individual`` is compared with ``Person`` entries only, an entity of
  any other known kind with non-``Person`` entries only; an entity of unknown kind with both;
* countries: when the entity's country and the entry's countries are both known and they differ
  (``countries.overlap``: the entity's country is not among them, nor does any of them overlap it, as
  SUHH overlaps RU, CN overlaps HK and UA-CRI overlaps UA; ZZ, UN and IP place an entry in no country),
  the hit needs ``threshold + COUNTRY_MARGIN`` (at most 100), and ``why`` says so; the score itself
  stays the name score;
* scores are rounded to one decimal, then compared with the threshold (a hit has score >=
  threshold); names equal after normalisation and token sorting score 100.  Each entity name and
  alias is compared with each entry name and alias; per entity and entry only the best pair is
  kept (on equal scores the entity's and the entry's own names before aliases);
* ``why`` names the aliases used, then how the names compare ("same name after removing the
  company forms 'Co.' and 'Ltd' and ignoring case", "similar spelling with token order ignored
  (score 96.8)", "all words of 'Petr Aven' appear in ...") and, when both countries are known,
  whether they are the same, overlap or differ.

Speed: the first ``match`` on a ``Watchlist`` normalises its names into a search index (kept for
later calls on the same object); candidates come from ``rapidfuzz.process.extract`` over every name
with a score cut-off, so only pairs near the threshold are examined in Python.  A list of
``listindex.MIN_ENTRIES`` entries or more is indexed once and kept in the user cache
(``screening.case.listindex``): later loads of the same files open it without reading them, and
candidates come from the words of the names searched (each within one edit), not from every name. A
batch (``match`` with ``listindex.BATCH`` words or more) looks up the words of ``PREFETCH`` names at
once over numpy arrays (``screening.case.listindex_arrays``), when numpy is installed; a few names are
searched with the standard library alone, to the same candidates. ``bench/watchlists.py`` measures it
on a synthetic list of a million entities.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, Optional, Union

from screening.infra.errors import Marks, Problem, ScreeningError, closest, located
from screening.infra.jsonio import loads as strict_json
from screening.infra.kept import Kept
from screening.infra.yamlio import loads, read_text

TYPES = ("sanctions", "export_control", "other")
PERSON = "Person"
FTM_SCHEMAS = frozenset({"Person", "Company", "Organization", "LegalEntity", "PublicBody"})
"""FollowTheMoney schemas read as entries; any other schema is skipped."""
DEFAULT_SCHEMA = "LegalEntity"

SHORT_NAME = 3
"""Normalised names of at most this many characters (spaces not counted) hit only when equal."""
COUNTRY_MARGIN = 5.0
"""Extra score a hit needs when the entity's country is not among the entry's countries."""
SUBSET_SCORE = 92.0
"""Score of a person's name that lacks (or adds) at most two words, e.g. a patronymic."""
SUBSET_MAX_EXTRA = 2
WORD_SIMILARITY = 80.0
PREFETCH = 500
"""Names whose words are looked up at once in an index kept on disk (``listindex.DiskIndex.prepare``)."""
"""In a fuzzy hit, each word of the shorter name must be at least this similar to a word of the other."""

# --------------------------------------------------------------------------- records


class ListEntry(NamedTuple):
    """One listed person or organisation."""

    id: str
    name: str
    aliases: tuple[str, ...]
    countries: tuple[str, ...]
    """ISO 3166-1 alpha-2 codes, or in an OpenSanctions list FollowTheMoney's own territory codes (``SUHH``),
    upper-cased."""
    lists: tuple[str, ...]
    """Dataset or programme names, e.g. ``("us_ofac_sdn",)`` or ``("eu_fsf",)``."""
    type: str
    """``sanctions``, ``export_control`` or ``other`` (see the module documentation)."""
    schema: str
    """FollowTheMoney schema as given: ``Person``, ``Company``, ``Organization``, ``LegalEntity`` ..."""
    source: str
    """File and line the entry was read from: ``lists/x.csv:12``."""
    url: str | None = None
    identifiers: tuple[str, ...] = ()
    """``lei:CODE`` and ``reg:NUMBER`` (``identifier``), matched exactly before any name."""

    @property
    def is_person(self) -> bool:
        return self.schema == PERSON


class Watchlist(NamedTuple):
    """Entries of every file loaded, in file order, and the files."""

    entries: Sequence[ListEntry]
    """A tuple, or for a list opened from its index in the cache (``screening.case.listindex``) a
    sequence that decodes each entry when it is asked for."""
    files: tuple[str, ...]
    notes: tuple[Problem, ...] = ()
    """Warnings of the loading: W370, a damaged index in the cache, built again; W371, a country code of an
    OpenSanctions list (JSON lines or simple CSV) that is neither ISO 3166-1 alpha-2 nor FollowTheMoney's own
    (also when the list is opened from its index in the cache, which keeps them)."""


class Hit(NamedTuple):
    """An entity whose name (or alias) matches a list entry's name (or alias)."""

    entity: str
    """Entity id in the case."""
    entity_name: str
    entry: ListEntry
    matched_name: str
    """The entry's name or alias that matched."""
    score: float
    """0-100, rounded to one decimal."""
    why: str
    """How the names compare, in words."""
    read_as: str = ""
    """The entity's name (or alias) that matched, as compared: normalised, invisible characters
    removed, letters of other scripts that pose as Latin read as Latin (``normalise``)."""


NameRow = Union[
    tuple[str, str, tuple[str, ...], Optional[str]],
    tuple[str, str, tuple[str, ...], Optional[str], Optional[str]],
    tuple[str, str, tuple[str, ...], Optional[str], Optional[str], tuple[str, ...]],
]
"""A row of ``match``'s ``names``: ``(id, name, aliases, country)``, or with the entity kind fifth and its
identifiers (``identifier``) sixth."""


def entity_names(
    entities: Iterable[Any],
) -> list[tuple[str, str, tuple[str, ...], str | None, str | None, tuple[str, ...]]]:
    """``match`` rows for case entities (``screening.case.model.Entity``), kind and identifiers included."""
    return [
        (
            e.id,
            e.name,
            tuple(e.aliases),
            e.country,
            e.kind,
            tuple(
                identifier(kind, value)
                for kind, value in (("lei", e.lei), ("reg", e.registration_number))
                if value and identifier(kind, value)
            ),
        )
        for e in entities
    ]


_ID_JUNK = re.compile(r"[\s.\-/_]+")


def identifier(kind: str, value: str) -> str:
    """An identifier as compared: ``lei:CODE`` or ``reg:NUMBER``, upper case, without spaces, dots, dashes,
    slashes or underscores ("HRB 12345" and "hrb-12345" are one number); empty when nothing is left."""
    code = _ID_JUNK.sub("", value).upper()
    return f"{kind}:{code}" if code else ""


def is_lei(value: str) -> bool:
    """Whether ``value`` is a Legal Entity Identifier: 20 characters whose ISO 17442 check digits hold (ISO 7064
    mod 97-10, as in an IBAN)."""
    code = value.strip().upper()
    if len(code) != 20 or not code.isascii() or not code.isalnum() or not code[-2:].isdigit():
        return False
    return int("".join(str(int(c, 36)) for c in code)) % 97 == 1


def _identifiers(values: Iterable[str], kind: str | None = None) -> tuple[str, ...]:
    """Typed identifiers of ``values``: of ``kind``, or, untyped, ``lei`` when a value is an LEI and ``reg``
    otherwise (an OpenSanctions ``identifiers`` cell mixes them)."""
    out = (identifier(kind or ("lei" if is_lei(v) else "reg"), v) for v in values)
    return _unique(i for i in out if i)


# --------------------------------------------------------------------------- normalisation

_SPECIAL = {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "ħ": "h", "ŧ": "t"}
"""Latin letters that NFKD does not decompose, and their usual ASCII spelling."""
_LETTERS = str.maketrans(
    {**_SPECIAL, "ı": "i", **{k.upper(): v.capitalize() for k, v in _SPECIAL.items() if len(k.upper()) == 1}}
)
_LATIN_OWN = frozenset({*_SPECIAL, "ı", *(k.upper() for k in _SPECIAL)})
_APOSTROPHES = re.compile(r"['’ʼ`´‘]")
_PUNCTUATION = re.compile(r"[^\w\s]|_")
_DIGIT = re.compile(r"\d")


def _forms(*texts: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(t.split()) for t in texts)


# Written normalised: lower case, no dots, single letters joined ("s.p.a." -> "spa", "S. à r.l." -> "sarl").
_TRAILING = _forms(
    "ltd",
    "limited",
    "llc",
    "llp",
    "lp",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "cos",
    "company",
    "gmbh",
    "mbh",
    "ag",
    "kg",
    "kgaa",
    "se",
    "sa",
    "sas",
    "sasu",
    "sarl",
    "sa rl",
    "spa",
    "srl",
    "sl",
    "slu",
    "sau",
    "bv",
    "nv",
    "cv",
    "plc",
    "jsc",
    "pjsc",
    "ojsc",
    "cjsc",
    "oao",
    "ooo",
    "zao",
    "pao",
    "ao",
    "ab",
    "as",
    "asa",
    "aps",
    "oy",
    "oyj",
    "kk",
    "pte",
    "pty",
    "pvt",
    "bhd",
    "sdn bhd",
    "tbk",
    "sp zoo",
    "spzoo",
    "doo",
    "sro",
    "kft",
    "zrt",
    "nyrt",
    "sca",
    "scs",
    "ltda",
    "limited liability company",
    "public limited company",
    "joint stock company",
    "public joint stock company",
    "open joint stock company",
    "closed joint stock company",
    "limited liability partnership",
    "private limited",
    "sa de cv",
    "s de rl",
    "s de rl de cv",
)
# Forms made of other forms ("Co., Ltd.", "GmbH & Co. KG") are removed word by word, so that an explanation
# names each of them.
_LEADING = _forms(
    "the",
    "ooo",
    "oao",
    "zao",
    "pao",
    "ao",
    "jsc",
    "pjsc",
    "ojsc",
    "cjsc",
    "llc",
    "tov",
    "pt",
    "joint stock company",
    "public joint stock company",
    "open joint stock company",
    "closed joint stock company",
    "limited liability company",
)
_FORM_SIZES = sorted({len(f) for f in _TRAILING | _LEADING}, reverse=True)
_FORM_WORDS = frozenset(w for f in _TRAILING | _LEADING for w in f)
_LAST_WORDS = frozenset(f[-1] for f in _TRAILING)
_FIRST_WORDS = frozenset(f[0] for f in _LEADING)
_LABELS = {
    "ltd": "Ltd",
    "co": "Co.",
    "corp": "Corp.",
    "inc": "Inc.",
    "gmbh": "GmbH",
    "sa": "S.A.",
    "spa": "S.p.A.",
    "srl": "S.r.l.",
    "sarl": "S.à r.l.",
    "bv": "B.V.",
    "nv": "N.V.",
    "the": "The",
    "ag": "AG",
    "plc": "PLC",
    "llc": "LLC",
    "sp zoo": "sp. z o.o.",
    "sdn bhd": "Sdn. Bhd.",
    "tov": "TOV",
    "pt": "PT",
}


def _label(form: tuple[str, ...]) -> str:
    text = " ".join(form)
    if text in _LABELS:
        return _LABELS[text]
    return text.upper() if len(text) <= 4 else text.capitalize()


class _Norm(NamedTuple):
    tokens: tuple[str, ...]
    forms: tuple[str, ...]
    """Labels of the company forms removed, in name order."""


_INVISIBLE_LETTERS = frozenset("\u034f\u115f\u1160\u180e\u2800\u3164\uffa0")
"""Characters that print as nothing but are no format characters: the combining grapheme joiner, the
Hangul fillers, the Mongolian vowel separator and the blank Braille pattern."""
_SPACE = re.compile(r"(\s+)")
_TRANSLITERATED = ("CYRILLIC", "GREEK")
"""Scripts whose letters, in a name written in Latin letters, are transliterated when they pose as no
Latin letter."""


def _visible(text: str) -> str:
    """``text`` without what prints as nothing: format characters (zero-width spaces and joiners, soft
    hyphens, bidirectional controls, the byte-order mark), control characters other than white space,
    and ``_INVISIBLE_LETTERS``. One zero-width space per word must not hide a name."""
    return "".join(
        c for c in text if c not in _INVISIBLE_LETTERS and (c.isspace() or unicodedata.category(c) not in ("Cf", "Cc"))
    )


@lru_cache(maxsize=4096)
def _script(c: str) -> str:
    """The script of a letter, as the first word of its Unicode name (LATIN, CYRILLIC, GREEK, CJK ...)."""
    return unicodedata.name(c, "?").split(" ", 1)[0]


_LOOKALIKE_SCRIPTS = frozenset(
    "AHOM ARMENIAN BAMUM BLACK-LETTER CANADIAN CARIAN CHEROKEE COPTIC CYRILLIC DESERET DOUBLE-STRUCK ELBASAN "
    "ETHIOPIC FULLWIDTH GEORGIAN GREEK INFORMATION KELVIN LATIN LISU LYCIAN MALAYALAM MATHEMATICAL MIAO MYANMAR OLD "
    "ORIYA OSAGE PLANCK RUNIC SCRIPT TIFINAGH WARANG".split()
)
"""The scripts (``_script``) of every letter that the confusables table reads as an ASCII letter
(tests/test_watchlists.py checks it against the table)."""


@lru_cache(maxsize=4096)
def _lookalike(c: str) -> str | None:
    """The ASCII letter that ``c`` is confusable with (Unicode TR39 confusables, as the
    confusable-homoglyphs package holds them), or None."""
    if _script(c) not in _LOOKALIKE_SCRIPTS:  # Chinese or Arabic letters: no need to load the table
        return None
    from confusable_homoglyphs.confusables import confusables_data  # only for names with letters to read

    for glyph in confusables_data.get(c, ()):
        if len(glyph["c"]) == 1 and glyph["c"].isascii() and glyph["c"].isalpha():
            return glyph["c"]
    return None


def _posing(c: str) -> bool:
    """A letter to read as the ASCII letter it looks like: one of another script, or a Latin letter that
    neither decomposes into one with an accent nor has a usual spelling of its own (``_SPECIAL``)."""
    return c.isalpha() and not c.isascii() and not unicodedata.decomposition(c) and c not in _LATIN_OWN


def _latin(text: str) -> str:
    """``text`` (NFKC) with letters of other scripts that pose as Latin read as Latin.

    A name that uses Latin letters may hide one behind look-alikes of other scripts ("Мikhail" with a
    Cyrillic М) or switch a word to another script ("Petr Авен"). In such a name, a word that mixes
    scripts, or whose letters all look like ASCII letters, is read as it looks (Cyrillic к, which has
    no ASCII look-alike, transliterated); a word in Cyrillic or Greek is transliterated (anyascii). A
    name written in one other script is left as written (a Cyrillic name matches the same name in
    Cyrillic), unless every letter of it looks like an ASCII letter.
    """
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():
        return text
    parts = _SPACE.split(text)
    scripts = [{_script(c) for c in part if c.isalpha()} for part in parts]
    latin_name = any("LATIN" in found for found in scripts)
    if not latin_name and not all(_lookalike(c) for c in text if c.isalpha()):
        return _transliterate(text)  # a name in another script: as it is spelt in Latin letters
    out = []
    for part, found in zip(parts, scripts, strict=True):
        if found <= {"LATIN"} and part.isascii():
            out.append(part)
        elif "LATIN" in found or all(_lookalike(c) for c in part if _posing(c)):  # posing as Latin
            out.append("".join(_read(c) for c in part))
        elif found <= set(_TRANSLITERATED):  # a word in another script: as it is spelt in Latin letters
            from anyascii import anyascii  # only for names mixing scripts

            out.append(anyascii(part))
        else:
            out.append(part)
    return "".join(out)


_GLUED_SCRIPTS = frozenset({"CJK", "HIRAGANA", "KATAKANA", "HANGUL"})
"""Scripts written without spaces between words: a run of them is transliterated as one word."""


def _transliterate(text: str) -> str:
    """``text``, written in scripts other than Latin, in Latin letters (OpenSanctions' ``rigour``, whose
    romanisation of names follows common usage: Лукашенко is Lukashenko).

    A run of Chinese, Japanese or Korean characters becomes one word, its syllables joined ("习近平" is
    "xijinping"), as such names are written without spaces; its Latin spelling is then compared with
    the Latin names with their spaces removed (``_Side.glued``)."""
    out = []
    ascii_text = _transliterator()
    for glued, run in itertools.groupby(text, key=lambda c: c.isalpha() and _script(c) in _GLUED_SCRIPTS):
        part = "".join(run)
        spelt = ascii_text(part)
        out.append("".join(c for c in spelt if c.isalnum()) if glued else spelt)
    return " ".join(out) if len(out) > 1 else "".join(out)


def _transliterator() -> Callable[[str], str]:
    """OpenSanctions' ``rigour`` when it is installed (the ``names`` extra, in the test extras), else
    ``anyascii``. Both spell Лукашенко as Lukashenko; they differ in details (Михаил is Mihail to rigour,
    Mikhail to anyascii; 习近平 xi jin ping and XiJinPing), which the fuzzy score and the glued
    comparison of CJK names absorb."""
    try:
        from rigour.text.translit import ascii_text  # only for names written in another script
    except ImportError:
        from anyascii import anyascii

        return anyascii
    return ascii_text


def _other_script(text: str) -> bool:
    """Whether ``text`` has letters and none of them Latin (a name that matching transliterates)."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and not any(_script(c) == "LATIN" for c in letters)


def _read(c: str) -> str:
    """A letter of a word posing as Latin: the ASCII letter it looks like, or its transliteration."""
    seen = _lookalike(c) if _posing(c) else None
    if seen is None and c.isalpha() and _script(c) in _TRANSLITERATED:
        from anyascii import anyascii

        seen = anyascii(c)
    return seen or c


def _tokens(
    name: str,
    *,
    case: bool = True,
    accents: bool = True,
    punctuation: bool = True,
    forms: bool = True,
    invisible: bool = True,
    scripts: bool = True,
) -> _Norm:
    """Normalised words of ``name``; each flag turns one step off (used to explain matches)."""
    text = name
    if invisible and not text.isascii():
        text = _visible(text)
    if scripts and not text.isascii():
        text = _latin(text)
    if accents and not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        text = text.translate(_LETTERS)
    if case:
        text = text.casefold()
    if punctuation:
        text = _PUNCTUATION.sub(" ", _APOSTROPHES.sub("", text.replace("&", " and ")))
    words = text.split()
    if punctuation:  # join runs of single letters: "s a" -> "sa", "j p morgan" -> "jp morgan"
        joined: list[str] = []
        run = False
        for word in words:
            single = len(word) == 1 and word.isalpha()
            if single and run:
                joined[-1] += word
            else:
                joined.append(word)
            run = single
        words = joined
    removed: list[str] = []
    if forms:
        words, removed = _strip_forms(words)
    return _Norm(tuple(words), tuple(removed))


def _strip_forms(words: list[str]) -> tuple[list[str], list[str]]:
    lower = [w.casefold() for w in words]
    start, end = 0, len(words)
    head: list[str] = []
    tail: list[str] = []
    changed = True
    while changed:
        changed = False
        if end - start < 2 or (lower[end - 1] not in _LAST_WORDS and lower[start] not in _FIRST_WORDS):
            break  # the common case, decided without building tuples
        for size in _FORM_SIZES:
            if end - start > size and tuple(lower[end - size : end]) in _TRAILING:
                tail.insert(0, _label(tuple(lower[end - size : end])))
                end -= size
                changed = True
                break
            if end - start > size and tuple(lower[start : start + size]) in _LEADING:
                head.append(_label(tuple(lower[start : start + size])))
                start += size
                changed = True
                break
        while end - start > 1 and lower[end - 1] == "and":  # "Brothers & Co" -> "brothers"
            end -= 1
    return words[start:end], head + tail


@lru_cache(maxsize=65536)
def _norm(name: str, person: bool) -> _Norm:
    return _tokens(name, forms=not person)


def normalise(name: str, *, forms: bool = True) -> str:
    """The normalised form of ``name`` used for matching (``forms=False``: company forms kept, as for persons).

    >>> normalise("Huawei Technologies Co., Ltd.")
    'huawei technologies'
    >>> normalise("SOCIÉTÉ GÉNÉRALE S.A.")
    'societe generale'
    """
    return " ".join(_norm(name, not forms).tokens)


def _key(tokens: Sequence[str]) -> str:
    return " ".join(sorted(tokens))


def _short(key: str) -> bool:
    return len(key.replace(" ", "")) <= SHORT_NAME


def _numbers(tokens: Sequence[str]) -> frozenset[str]:
    return frozenset(t for t in tokens if _DIGIT.search(t))


# --------------------------------------------------------------------------- list types

_TOPIC_TYPES = {"sanction": "sanctions", "invest.ban": "sanctions", "export.control": "export_control"}
_SANCTION_WORDS = (
    " sanction",
    " sdn ",
    " ofac ",
    " fsf ",
    " hmt ",
    " ofsi ",
    " seco ",
    " cmic ",
    " asset freeze",
    " restrictive measures ",
)
_EXPORT_WORDS = (
    " entity list ",
    " bis ",
    " export",
    " end user",
    " meu ",
    " dual use ",
    " unverified ",
    " denied persons ",
)


def list_type(lists: Iterable[str], topics: Iterable[str] = ()) -> str:
    """``sanctions``, ``export_control`` or ``other`` for an entry's topics and list names."""
    found = {_TOPIC_TYPES[t] for t in topics if t in _TOPIC_TYPES}
    if not found:
        for name in lists:
            text = " " + " ".join(re.split(r"[^a-z0-9]+", name.casefold())) + " "
            if any(w in text for w in _SANCTION_WORDS):
                found.add("sanctions")
            elif any(w in text for w in _EXPORT_WORDS):
                found.add("export_control")
    for kind in TYPES:
        if kind in found:
            return kind
    return "other"


# --------------------------------------------------------------------------- readers


def load_watchlists(paths: Sequence[Path]) -> Watchlist:
    """Read every file; raise one ``ScreeningError`` with every problem of every file.

    CSV and JSON-lines files are streamed within their own limits (``screening.case.listfiles``);
    YAML lists are read whole, within the limits of every other input. Lists of ``MIN_ENTRIES`` entries
    or more are indexed once and kept in the user cache (``screening.case.listindex``): the next load of
    the same files opens that index and reads nothing else."""
    from screening.case import listindex

    key = listindex.key(paths) if paths else None
    notes: list[Problem] = []
    if key is not None:
        try:
            kept = listindex.open_index(key, _rules())
        except listindex.Unreadable as exc:  # a damaged cache is built again, never trusted
            listindex.discard(key)
            kept = None
            message = f"the index of this list kept in the cache is damaged ({exc}); it is built again"
            notes.append(Problem(str(paths[0]), None, None, "W370", message, severity="warning"))
        if kept is not None:  # with the warnings of reading the lists, kept with the index
            read = tuple(Problem(*note, severity="warning") for note in kept.notes)
            opened = Watchlist(kept.entries, tuple(str(Path(p)) for p in paths), read)
            _INDEXES.put(opened, kept)
            return opened
    watchlist = _read_all(paths)
    read = watchlist.notes
    watchlist = watchlist._replace(notes=tuple(notes) + read)
    if key is not None and len(watchlist.entries) >= listindex.MIN_ENTRIES:
        entries = watchlist.entries
        kept_notes = [tuple(note[:5]) for note in read]
        built = listindex.build(entries, _identifier_index(entries), key, _names_of(watchlist), _rules(), kept_notes)
        if built is not None:
            _INDEXES.put(watchlist, built)
    return watchlist


def _rules() -> Any:
    """What the index kept in the cache takes from this module."""
    from screening.case.listindex import Rules

    return Rules(ListEntry, _short, _subset, SUBSET_SCORE)


def _names_of(watchlist: Watchlist) -> Any:
    """For ``listindex.build``: ``names(person)`` yields the names of that side as ``_index`` files them."""

    def names(person: bool) -> Iterator[tuple[str, tuple[str, ...], tuple[int, int]]]:
        for e, entry in enumerate(watchlist.entries):
            if entry.is_person != person:
                continue
            seen: set[str] = set()
            for n, text in enumerate((entry.name, *entry.aliases)):
                tokens = _tokens(text, forms=not person).tokens
                key = _key(tokens)
                if key and key not in seen:
                    seen.add(key)
                    yield key, tokens, (e, n)

    return names


def _identifier_index(entries: Sequence[ListEntry]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for e, entry in enumerate(entries):
        for code in entry.identifiers:
            found.setdefault(code, []).append(e)
    return found


def _read_all(paths: Sequence[Path]) -> Watchlist:
    """The lists read from their files (``load_watchlists`` without the cache)."""
    from screening.case.listfiles import lines, open_list

    entries: list[ListEntry] = []
    problems: list[Problem] = []
    for path in paths:
        path = Path(path)
        name = str(path)
        if path.suffix.lower() in (".yaml", ".yml"):
            try:
                text = read_text(path)
            except ScreeningError as exc:
                problems.extend(exc.problems)
                continue
            found, trouble = _read_yaml(text, name, path.stem)
        else:
            try:
                handle = open_list(path)
            except ScreeningError as exc:
                problems.extend(exc.problems)
                continue
            with handle:
                trouble = []
                stream = lines(handle, name, trouble)
                head: list[tuple[int, str]] = []
                for number, line in stream:  # up to the first line with text, to tell the format
                    head.append((number, line))
                    if line.strip():
                        break
                kind = _format(path, head[-1][1] if head else "")
                rows = itertools.chain(head, stream)
                if kind == "yaml":
                    found, more = _read_yaml("".join(line for _, line in rows), name, path.stem)
                elif kind == "csv":
                    found, more = _read_csv((line for _, line in rows), name, path.stem)
                else:
                    found, more = _read_ftm(rows, name, path.stem)
                trouble = sorted(trouble + more, key=lambda p: p.line or 0)  # reading's and the reader's, in order
        entries.extend(found)
        problems.extend(trouble)
    if any(p.severity != "warning" for p in problems):
        raise ScreeningError(problems)  # the warnings too, in their place: every problem of every file
    return Watchlist(tuple(entries), tuple(str(Path(p)) for p in paths), tuple(problems))


def _format(path: Path, first: str) -> str:
    """``csv``, ``ftm`` or ``yaml`` by extension, else by ``first``, the file's first line with text."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".json", ".jsonl", ".ndjson"):
        return "ftm"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    head = first.lstrip()
    if head.startswith("{"):
        return "ftm"
    first = head.split("\n", 1)[0].casefold()
    if "," in first and "name" in [c.strip().strip('"') for c in first.split(",")]:
        return "csv"
    return "yaml"


def _split(cell: str | None) -> tuple[str, ...]:
    """A ``;``-separated multi-value cell (values holding ``;`` are quoted, as OpenSanctions writes them)."""
    if not cell or not cell.strip():
        return ()
    if '"' not in cell:
        values: Iterable[str] = cell.split(";")
    else:
        values = next(csv.reader([cell], delimiter=";"), [])
    return _unique(v.strip() for v in values if v.strip())


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _field_columns(line: str) -> list[int]:
    """1-based character column where each field of a CSV line starts."""
    columns, quoted = [1], False
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            columns.append(i + 2)
    return columns


def _country_problem(code: str) -> str | None:
    from screening.case import countries

    if countries.is_country(code):
        return None
    hint = countries.suggest(code)
    return f"'{code}' is not an ISO 3166-1 alpha-2 country code" + (f": {hint}" if hint else "")


def _schema_problem(schema: str) -> str:
    hint = closest(schema, sorted(FTM_SCHEMAS)) or next(
        (s for s in FTM_SCHEMAS if s.casefold() == schema.casefold()), None
    )
    return f"schema '{schema}' is not one of {', '.join(sorted(FTM_SCHEMAS))}" + (
        f"; did you mean '{hint}'?" if hint else ""
    )


def _read_csv(stream: Iterable[str], name: str, stem: str) -> tuple[list[ListEntry], list[Problem]]:
    kept: dict[int, str] = {}  # the lines of the row being read (a quoted cell may span lines)

    def feed() -> Iterator[str]:
        for number, text in enumerate(stream, 1):
            kept[number] = text
            yield text

    reader = csv.reader(feed())
    problems: list[Problem] = []
    entries: list[ListEntry] = []
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return [], [Problem(name, reader.line_num, None, "E100", f"malformed CSV header: {exc}")]
    if not header or not any(h.strip() for h in header):
        return [], [
            Problem(name, 1, None, "E105", "no header row: the first line must name the columns (at least 'name')")
        ]
    columns = [h.strip().casefold() for h in header]
    starts = _field_columns(kept.get(1, ""))
    seen: dict[str, int] = {}
    for i, col in enumerate(columns):
        if col and col in seen:
            problems.append(
                Problem(
                    name,
                    1,
                    starts[i] if i < len(starts) else None,
                    "E101",
                    f"duplicate column '{col}' (first is column {seen[col] + 1})",
                )
            )
        seen.setdefault(col, i)
    if "name" not in seen:
        return [], problems + [
            Problem(name, 1, 1, "E105", f"no 'name' column in the header (found: {', '.join(c for c in columns if c)})")
        ]
    opensanctions = "dataset" in seen
    strange = _Strange()
    ids: dict[str, int] = {}
    count = 0
    previous = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(name, reader.line_num, None, "E100", f"malformed CSV: {exc}"))
            break
        line, previous = previous + 1, reader.line_num
        for old in [k for k in kept if k < line]:
            del kept[old]
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line
        count += 1

        def where(col: str, _line: int = line) -> int | None:
            """Column of a field in the row's first line (None past a line break inside quotes)."""
            index, starts = seen.get(col), _field_columns(kept.get(_line, ""))
            return starts[index] if index is not None and index < len(starts) else None

        if len(row) != len(header):
            problems.append(
                Problem(
                    name,
                    line,
                    None,
                    "E100",
                    f"row has {len(row)} fields but the header has "
                    f"{len(header)} (a missing or extra comma, or an unclosed quote?)",
                )
            )
            continue

        def cell(col: str, _row: list[str] = row) -> str:
            index = seen.get(col)
            return _row[index].strip() if index is not None else ""

        entry_name = cell("name")
        if not entry_name:
            problems.append(Problem(name, line, where("name"), "E105", "row has an empty 'name'"))
            continue
        entry_id = cell("id") or f"{stem}-{count}"
        if entry_id in ids:
            problems.append(
                Problem(name, line, where("id"), "E109", f"duplicate id '{entry_id}' (first on line {ids[entry_id]})")
            )
            continue
        ids[entry_id] = line
        if opensanctions:  # FollowTheMoney's codes, lower-case
            countries = _unique(strange.known(_split(cell("countries")), line, where("countries"), "country"))
            lists = _unique(_split(cell("dataset")) + _split(cell("program_ids")))
        else:
            countries = _unique(c.upper() for c in _split(cell("countries")))
            lists = _split(cell("lists"))
            bad = [m for m in map(_country_problem, countries) if m]
            if bad:
                problems.extend(Problem(name, line, where("countries"), "E107", m) for m in bad)
                continue
        kind = cell("type")
        if kind and kind not in TYPES:
            problems.append(
                Problem(name, line, where("type"), "E106", f"type '{kind}' is not one of {', '.join(TYPES)}")
            )
            continue
        schema = cell("schema")
        if schema and not opensanctions and schema not in FTM_SCHEMAS:
            problems.append(Problem(name, line, where("schema"), "E106", _schema_problem(schema)))
            continue
        aliases = tuple(a for a in _split(cell("aliases")) if a != entry_name)
        entries.append(
            ListEntry(
                entry_id,
                entry_name,
                aliases,
                countries,
                lists,
                kind or list_type(lists),
                schema or DEFAULT_SCHEMA,
                f"{name}:{line}",
                cell("url") or None,
                _identifiers(_split(cell("identifiers"))),
            )
        )
    return entries, problems + strange.notes(name)


_NAME_PROPS = ("name", "alias", "previousName")
_COUNTRY_PROPS = ("country", "nationality", "citizenship", "jurisdiction", "mainCountry")
_ID_PROPS = ("leiCode", "registrationNumber")


def _read_ftm(stream: Iterable[tuple[int, str]], name: str, stem: str) -> tuple[list[ListEntry], list[Problem]]:
    problems: list[Problem] = []
    found: list[tuple[int, dict[str, Any]]] = []
    sanctions: dict[str, list[dict[str, list[str]]]] = {}
    ids: dict[str, int] = {}
    for number, line in stream:
        if not line.strip():
            continue
        try:
            obj = strict_json(line.rstrip("\r\n"), name, number)  # as strict as YAML: no duplicate keys, no NaN
        except ScreeningError as exc:
            problems.extend(exc.problems)
            continue
        if not isinstance(obj, dict):
            problems.append(
                Problem(
                    name,
                    number,
                    1,
                    "E103",
                    f"each line must be one JSON object (a FollowTheMoney entity), not {type(obj).__name__}",
                )
            )
            continue
        trouble = _ftm_problems(obj)
        if trouble:
            problems.extend(Problem(name, number, None, code, message) for code, message in trouble)
            continue
        entity_id, props = obj["id"], obj.get("properties") or {}
        if obj["schema"] == "Sanction":
            for target in props.get("entity", []):
                sanctions.setdefault(target, []).append(props)
            continue
        if obj["schema"] not in FTM_SCHEMAS:
            continue
        if entity_id in ids:
            problems.append(
                Problem(name, number, None, "E109", f"duplicate id '{entity_id}' (first on line {ids[entity_id]})")
            )
            continue
        ids[entity_id] = number
        found.append((number, _slim(obj)))  # what the entry needs: a million whole entities would not fit
    entries = []
    strange = _Strange()
    for number, obj in found:
        props = obj.get("properties") or {}
        topics = props.get("topics", [])
        if obj.get("target") is False and not any(t in _TOPIC_TYPES for t in topics):
            continue  # an adjacent entity (an owner, an address holder ...), not itself listed
        names = _unique(n.strip() for p in _NAME_PROPS for n in props.get(p, []) if n.strip())
        caption = obj.get("caption") if isinstance(obj.get("caption"), str) else None
        first = props.get("name") and props["name"][0].strip()
        primary = first or (caption or "").strip() or (names[0] if names else "")
        if not primary:
            continue
        linked = sanctions.get(obj["id"], [])
        lists = _unique(list(obj.get("datasets") or []) + [p for s in linked for p in s.get("programId", [])])
        urls = props.get("sourceUrl", []) or [u for s in linked for u in s.get("sourceUrl", [])]
        countries = _unique(c for p in _COUNTRY_PROPS for c in strange.known(props.get(p, []), number, None, p))
        entries.append(
            ListEntry(
                obj["id"],
                primary,
                tuple(n for n in names if n != primary),
                countries,
                lists,
                list_type(lists, topics),
                obj["schema"],
                f"{name}:{number}",
                urls[0] if urls else None,
                _identifiers(props.get("leiCode", []), "lei")
                + _identifiers(props.get("registrationNumber", []), "reg"),
            )
        )
    return entries, problems + strange.notes(name)


class _Strange:
    """The country codes of an OpenSanctions list (FollowTheMoney JSON lines or simple CSV) told apart: ISO 3166-1
    alpha-2 and FollowTheMoney's own are kept, any other is W371, said once, at its first place."""

    def __init__(self) -> None:
        from screening.case.countries import is_ftm_country

        self.is_known = is_ftm_country
        self.seen: dict[str, list[Any]] = {}  # code -> [line, column, property, lines holding it, last line]

    def known(self, codes: Iterable[str], line: int, column: int | None, prop: str) -> list[str]:
        """``codes`` that are known, upper-cased; the others noted."""
        out = []
        for code in codes:
            if self.is_known(code):
                out.append(code.upper())
                continue
            seen = self.seen.setdefault(code, [line, column, prop, 0, 0])
            seen[3] += seen[4] != line
            seen[4] = line
        return out

    def notes(self, name: str) -> list[Problem]:
        from screening.case.countries import suggest

        out = []
        for code, (line, column, prop, lines, _) in self.seen.items():
            hint = suggest(code) if code.strip() else ""
            others = lines - 1
            message = (
                f"{prop} {_written(code)} is neither an ISO 3166-1 alpha-2 code nor a"
                " FollowTheMoney territory code (such as 'suhh'): the entry is kept, without this country"
                + (f" ({hint})" if hint else "")
                + (f"; the same code is on {others:,} other line{'s' if others > 1 else ''}" if others else "")
            )
            out.append(Problem(name, line, column, "W371", message, severity="warning"))
        return out


_KEPT_PROPS = frozenset({*_NAME_PROPS, *_COUNTRY_PROPS, "topics", "sourceUrl", *_ID_PROPS})


def _slim(obj: dict[str, Any]) -> dict[str, Any]:
    """The parts of an FtM entity that its list entry uses."""
    props = obj.get("properties") or {}
    return {
        "id": obj["id"],
        "schema": obj["schema"],
        "target": obj.get("target"),
        "caption": obj.get("caption"),
        "datasets": obj.get("datasets"),
        "properties": {k: v for k, v in props.items() if k in _KEPT_PROPS},
    }


def _ftm_problems(obj: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for key in ("id", "schema"):
        if key not in obj:
            out.append(("E105", f"entity has no '{key}'"))
        elif not isinstance(obj[key], str) or not obj[key]:
            out.append(("E103", f"'{key}' must be a non-empty string"))
    props = obj.get("properties", {})
    if not isinstance(props, dict):
        out.append(("E103", "'properties' must be an object of property name -> list of strings"))
    else:
        for key, values in props.items():
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                out.append(("E103", f"property '{key}' must be a list of strings"))
    datasets = obj.get("datasets", [])
    if not isinstance(datasets, list) or not all(isinstance(v, str) for v in datasets):
        out.append(("E103", "'datasets' must be a list of strings"))
    target = obj.get("target")
    if target is not None and not isinstance(target, bool):  # "false" as text would read as listed
        out.append(("E103", f"'target' must be true or false (a JSON boolean), not {_shown(target)}"))
    return out


def _shown(value: Any) -> str:
    """A JSON value as written, with its kind: ``"false" (text)``, ``0 (a number)``."""
    kinds: dict[type, str] = {str: "text", list: "a list", dict: "an object"}
    return f"{_written(value)} ({kinds.get(type(value), 'a number')})"


def _written(value: Any) -> str:
    """A JSON value as written, cut to 40 characters."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


_YAML_TOP = ("entries", "title", "note")
_YAML_KEYS = ("id", "name", "aliases", "countries", "lists", "type", "schema", "url", "note", "identifiers")


def _read_yaml(text: str, name: str, stem: str) -> tuple[list[ListEntry], list[Problem]]:
    try:  # what screening.infra.yamlio.load does, on the text already read
        data, marks = loads(text, name)
    except ScreeningError as exc:
        return [], exc.problems
    problems: list[Problem] = []

    def problem(path: tuple[str, ...], code: str, message: str) -> None:
        problems.append(located(name, marks, path, code, message))

    if not isinstance(data, dict):
        problem((), "E103", "a plain watchlist is a mapping with an 'entries' list")
        return [], problems
    for key in data:
        if key not in _YAML_TOP:
            hint = closest(key, _YAML_TOP)
            problem((key,), "E104", f"unknown field '{key}'" + (f"; did you mean '{hint}'?" if hint else ""))
    if "entries" not in data:
        problem((), "E105", "missing 'entries' (the list of listed names)")
        return [], problems
    if not isinstance(data["entries"], list):
        problem(("entries",), "E103", "'entries' must be a list")
        return [], problems
    entries = []
    ids: dict[str, int] = {}
    for i, item in enumerate(data["entries"]):
        path = ("entries", str(i))
        entry = _yaml_entry(item, path, marks, problem, f"{stem}-{i + 1}", name)
        if entry is None:
            continue
        line = marks.get(path, (None, None))[0]
        if entry.id in ids:
            problem(
                path + ("id",) if "id" in item else path,
                "E109",
                f"duplicate id '{entry.id}' (first on line {ids[entry.id]})",
            )
            continue
        ids[entry.id] = line or 0
        entries.append(entry)
    return entries, problems


def _yaml_entry(
    item: Any, path: tuple[str, ...], marks: Marks, problem: Any, default_id: str, name: str
) -> ListEntry | None:
    if not isinstance(item, dict):
        problem(path, "E103", "an entry must be a mapping with at least 'name'")
        return None
    ok = True
    for key in item:
        if key not in _YAML_KEYS:
            hint = closest(key, _YAML_KEYS)
            problem(path + (key,), "E104", f"unknown field '{key}'" + (f"; did you mean '{hint}'?" if hint else ""))
            ok = False

    def text(key: str, required: bool = False) -> str | None:
        nonlocal ok
        value = item.get(key)
        if value is None:
            if required:
                problem(path, "E105", f"missing '{key}'")
                ok = False
            return None
        if not isinstance(value, str) or not value.strip():
            problem(path + (key,), "E103", f"'{key}' must be non-empty text")
            ok = False
            return None
        return value.strip()

    def texts(key: str) -> tuple[str, ...]:
        nonlocal ok
        value = item.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            problem(path + (key,), "E103", f"'{key}' must be a list of non-empty texts")
            ok = False
            return ()
        return _unique(v.strip() for v in value)

    entry_name, entry_id, kind = text("name", True), text("id"), text("type")
    schema, url = text("schema"), text("url")
    text("note")
    aliases, countries, lists = texts("aliases"), texts("countries"), texts("lists")
    identifiers = _identifiers(texts("identifiers"))
    for j, code in enumerate(countries):
        message = _country_problem(code)
        if message:
            problem(path + ("countries", str(j)), "E107", message)
            ok = False
    if kind is not None and kind not in TYPES:
        problem(path + ("type",), "E106", f"type '{kind}' is not one of {', '.join(TYPES)}")
        ok = False
    if schema is not None and schema not in FTM_SCHEMAS:
        problem(path + ("schema",), "E106", _schema_problem(schema))
        ok = False
    if not ok or entry_name is None:
        return None
    line = marks.get(path, (None, None))[0]
    return ListEntry(
        entry_id or default_id,
        entry_name,
        tuple(a for a in aliases if a != entry_name),
        countries,
        lists,
        kind or list_type(lists),
        schema or DEFAULT_SCHEMA,
        f"{name}:{line}",
        url,
        identifiers,
    )


_READERS = {"csv": _read_csv, "ftm": _read_ftm, "yaml": _read_yaml}


# --------------------------------------------------------------------------- matching


class _Side(NamedTuple):
    """Names of the person entries, or of the other entries, prepared for searching."""

    keys: list[str]
    """Token-sorted normalised names longer than SHORT_NAME, the rapidfuzz choices."""
    owners: list[tuple[int, int]]
    """(entry index, name index: 0 the entry name, 1.. its aliases) of each choice."""
    exact: dict[str, list[tuple[int, int]]]
    """Every normalised key (short ones included) -> names having it."""
    words: dict[str, list[int]]
    """Word -> indexes into keys/owners (persons only: the subset rule)."""
    glued: dict[str, list[tuple[int, int]]]
    """Names of several words, written without spaces in their order -> names having it: a Chinese name
    transliterated is one word ("xijinping"), compared so with "Xi Jinping"."""

    def find_exact(self, key: str) -> Sequence[tuple[int, int]]:
        """Names whose key is ``key``."""
        return self.exact.get(key, ())

    def find_glued(self, glued: str, single: bool) -> Sequence[tuple[int, int]]:
        """Names of several words equal to the one word ``glued`` once their spaces are removed, or (not
        ``single``: the name searched has several words) names of one word equal to ``glued``."""
        return self.glued.get(glued, ()) if single else self.exact.get(glued, ())

    def find_fuzzy(self, key: str, tokens: Sequence[str], cutoff: float) -> list[tuple[tuple[int, int], float]]:
        """Names whose key scores at least ``cutoff`` against ``key`` (``fuzz.ratio``): all of them compared."""
        from rapidfuzz import fuzz, process

        if not self.keys:
            return []
        found = process.extract(key, self.keys, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff, limit=None)
        return [(self.owners[i], raw) for _, raw, i in found]

    def find_subsets(self, tokens: Sequence[str]) -> dict[tuple[int, int], float]:
        """Person names that contain all words of ``tokens``, or whose words all appear in it."""
        mine = set(tokens)
        if len(mine) < 2:
            return {}
        counts: dict[int, int] = {}
        for word in mine:
            for i in self.words.get(word, ()):
                counts[i] = counts.get(i, 0) + 1
        return {self.owners[i]: SUBSET_SCORE for i, n in counts.items() if n >= 2 and _subset(mine, self.keys[i])}


class _Index(NamedTuple):
    person: _Side
    other: _Side
    identifiers: dict[str, list[int]]
    """Identifier (``identifier``) -> entries having it."""


_INDEXES = Kept(4)


def _index(watchlist: Watchlist) -> _Index:
    cached: _Index | None = _INDEXES.get(watchlist)
    if cached is not None:
        return cached
    sides: dict[bool, _Side] = {True: _Side([], [], {}, {}, {}), False: _Side([], [], {}, {}, {})}
    identifiers = _identifier_index(watchlist.entries)
    for e, entry in enumerate(watchlist.entries):
        person = entry.is_person
        side = sides[person]
        seen: set[str] = set()
        for n, text in enumerate((entry.name, *entry.aliases)):
            tokens = _norm(text, person).tokens
            key = _key(tokens)
            if not key or key in seen:
                continue
            seen.add(key)
            side.exact.setdefault(key, []).append((e, n))
            if len(tokens) > 1:
                side.glued.setdefault("".join(tokens), []).append((e, n))
            if _short(key):
                continue
            if person:
                for word in set(tokens):
                    side.words.setdefault(word, []).append(len(side.keys))
            side.keys.append(key)
            side.owners.append((e, n))
    index: _Index = _INDEXES.put(watchlist, _Index(sides[True], sides[False], identifiers))
    return index


def match(names: Sequence[NameRow], watchlist: Watchlist, threshold: float = 90.0) -> list[Hit]:
    """Hits of entity names against the watchlist, sorted by (entity, -score, entry id).

    ``names`` rows are ``(entity id, name, aliases, country or None)``, optionally with the entity
    kind as a fifth item (``entity_names`` builds them from case entities); without a kind an
    entity is compared with person and organisation entries alike.  At most one hit (the best)
    is returned per entity and entry.
    """
    if not 0 <= threshold <= 100:
        raise ValueError(f"threshold must lie in [0, 100], not {threshold}")
    from rapidfuzz import fuzz  # imported here: reading lists and the CLI start-up do not need it

    index = _index(watchlist)
    prepare = getattr(index, "prepare", None)  # an index kept on disk: the words of a batch are looked up at once
    entries = watchlist.entries
    strictest = min(100.0, threshold + COUNTRY_MARGIN)
    best: dict[tuple[str, int], tuple[tuple[float, int, int], Hit]] = {}
    for at, row in enumerate(names):
        if prepare is not None and at % PREFETCH == 0 and len(names) > 1:
            prepare(_words(names[at : at + PREFETCH]))
        entity_id, entity_name, aliases, country = row[0], row[1], tuple(row[2] or ()), row[3]
        kind = row[4] if len(row) > 4 else None
        for code in row[5] if len(row) > 5 else ():
            for e in index.identifiers.get(code, ()):
                hit = _identifier_hit(entity_id, entity_name, country, entries[e], code)
                if hit is not None:
                    best[(entity_id, e)] = ((100.0, 1, 1), hit)  # before any name
        sides = (
            [(True, index.person)]
            if kind == "individual"
            else [(False, index.other)]
            if kind
            else [(True, index.person), (False, index.other)]
        )
        for v, text in enumerate(_unique(t for t in (entity_name, *aliases) if t and t.strip())):
            for person, side in sides:
                tokens = _norm(text, person).tokens
                key = _key(tokens)
                if not key:
                    continue
                candidates: dict[tuple[int, int], tuple[float, str]] = {}
                for owner in side.find_exact(key):
                    candidates[owner] = (100.0, "exact")
                glued = "".join(tokens)
                if not _short(glued):  # one word against several, the spaces removed
                    for owner in side.find_glued(glued, len(tokens) == 1):
                        candidates.setdefault(owner, (100.0, "glued"))
                if not _short(key):
                    for owner, raw in side.find_fuzzy(key, tokens, max(threshold - 0.05, 0)):
                        if owner not in candidates:
                            candidates[owner] = (raw, "fuzzy")
                    if person:
                        for owner, score in side.find_subsets(tokens).items():
                            if owner not in candidates or candidates[owner][0] < score:
                                candidates[owner] = (score, "subset")
                for (e, n), (raw, how) in candidates.items():
                    entry = entries[e]
                    matched = entry.name if n == 0 else entry.aliases[n - 1]
                    entry_tokens = _norm(matched, person).tokens
                    if how == "fuzzy" and not _words_agree(tokens, entry_tokens, fuzz.ratio):
                        continue
                    if how != "exact" and _numbers(tokens) != _numbers(entry_tokens):
                        continue
                    score = round(raw, 1)
                    relation = _relation(country, entry)
                    needed = strictest if relation == "differ" else threshold
                    if score < needed:
                        continue
                    rank = (score, -v, -n)
                    slot = (entity_id, e)
                    if slot in best and best[slot][0] >= rank:
                        continue
                    why = _why(
                        text,
                        matched,
                        person,
                        how,
                        score,
                        entity_alias=text != entity_name,
                        entry_alias=n > 0,
                        country=country,
                        entry=entry,
                        relation=relation,
                        needed=needed,
                    )
                    best[slot] = (rank, Hit(entity_id, entity_name, entry, matched, score, why, " ".join(tokens)))
    hits = [hit for _, hit in best.values()]
    hits.sort(key=lambda h: (h.entity, -h.score, h.entry.id, h.entry.source))
    return hits


def _words(names: Sequence[NameRow]) -> dict[bool, list[str]]:
    """The words of the names and aliases of ``names`` that ``match`` searches, on the persons' side (True) and on
    the others' (False)."""
    out: dict[bool, list[str]] = {True: [], False: []}
    for row in names:
        kind = row[4] if len(row) > 4 else None
        for text in (row[1], *(row[2] or ())):
            if text and text.strip():
                for person in (True, False):
                    if kind is None or (kind == "individual") == person:
                        out[person].extend(_norm(text, person).tokens)
    return out


def _identifier_hit(entity_id: str, entity_name: str, country: str | None, entry: ListEntry, code: str) -> Hit | None:
    """The hit of an entity and an entry sharing an identifier: an LEI is unique worldwide; a registration
    number only within its register, so it needs the countries not to differ."""
    kind, value = code.split(":", 1)
    if kind == "lei":
        why = f"same LEI ({value})"
    else:
        relation = _relation(country, entry)
        if relation == "differ":
            return None
        why = f"same registration number ({value})"
        if relation:
            why += f" and {_countries(relation, country, entry)}"
    return Hit(entity_id, entity_name, entry, entry.name, 100.0, why, code)


def _words_agree(a: Sequence[str], b: Sequence[str], ratio: Any) -> bool:
    """Every word of the name with fewer words resembles a word of the other (``WORD_SIMILARITY``).

    Keeps long names that share common words from hitting when a distinctive word differs:
    "Beijing Institute of Technology" / "Harbin Institute of Technology".  A word written as two in
    the other name ("Microsystems" / "Micro Systems") agrees too.
    """
    fewer, more = (a, b) if len(a) <= len(b) else (b, a)
    glued = "".join(more)
    return all(
        any(w == v or ratio(w, v) >= WORD_SIMILARITY for v in more) or (len(w) > SHORT_NAME and w in glued)
        for w in fewer
    )


def _subset(mine: set[str], key: str) -> bool:
    """Whether a person's name of the words ``mine`` and one of the key ``key``, sharing two words or more,
    differ only by words missing from one of them, at most ``SUBSET_MAX_EXTRA`` (a middle name)."""
    theirs = set(key.split())
    shared = len(mine & theirs)
    return shared >= 2 and (
        (shared == len(mine) and len(theirs) - shared <= SUBSET_MAX_EXTRA)
        or (shared == len(theirs) and len(mine) - shared <= SUBSET_MAX_EXTRA)
    )


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _ignored(a: str, b: str, person: bool) -> list[str]:
    """The normalisation steps that ``a`` and ``b`` need to be equal (each step is turned off in turn).

    Company-form words are left out of these comparisons: the explanation names the forms removed
    on its own, so "Co.," versus "Co" is no difference of punctuation.
    """

    def words(name: str, step: str) -> list[str]:
        tokens = _tokens(name, forms=False, **{step: False}).tokens
        if person:
            return sorted(tokens)
        return sorted(t for t in tokens if not set(_tokens(t, forms=False).tokens) <= _FORM_WORDS | {"and"})

    out = [_STEPS[step] for step in _STEPS if words(a, step) != words(b, step)]
    if _norm(a, person).tokens != _norm(b, person).tokens:
        out.append("word order")
    return out


_STEPS = {
    "invisible": "invisible characters",
    "scripts": "script (other scripts' letters read as Latin)",
    "case": "case",
    "accents": "accents",
    "punctuation": "punctuation",
}
"""The normalisation steps an explanation can name, in the order it names them."""


def _why(
    text: str,
    matched: str,
    person: bool,
    how: str,
    score: float,
    *,
    entity_alias: bool,
    entry_alias: bool,
    country: str | None,
    entry: ListEntry,
    relation: str | None,
    needed: float,
) -> str:
    forms = _unique(_norm(text, person).forms + _norm(matched, person).forms)
    form_text = ""
    if forms:
        quoted = [f"'{f}'" for f in forms]
        form_text = f"the company form{'s' if len(forms) > 1 else ''} {_join(quoted)}"
    if how == "exact":
        if text == matched:
            core = "exact name"
        else:
            ignored = _ignored(text, matched, person)
            core = "same name"
            if form_text:
                core += f" after removing {form_text}"
            if ignored:
                core += f"{' and' if form_text else ''} ignoring {_join(ignored)}"
    elif how == "glued":
        spelt = "".join(_norm(text, person).tokens)
        core = f"same letters once the spaces are removed ('{spelt}')"
        if not (text.isascii() and matched.isascii()):
            core = f"same name transliterated, {core}"
    elif how == "subset":
        short, long = sorted((text, matched), key=lambda s: len(_norm(s, person).tokens))
        core = (
            f"all words of '{short}' appear in '{long}' (the other words, such as a middle name or "
            f"patronymic, are not compared; score {score:g})"
        )
    else:
        from rapidfuzz import fuzz

        a, b = " ".join(_norm(text, person).tokens), " ".join(_norm(matched, person).tokens)
        order = " with token order ignored" if round(fuzz.ratio(a, b), 1) < score else ""
        core = f"similar spelling{order} (score {score:g})"
        if form_text:
            core += f" after removing {form_text}"
    if how in ("fuzzy", "subset"):
        readings = [
            f"'{t}' as '{' '.join(_norm(t, person).tokens)}'" for t in _unique((text, matched)) if _other_script(t)
        ]
        if readings:
            core += f", reading {_join(readings)}"
    subject = []
    if entity_alias:
        subject.append(f"entity alias '{text}'")
    if entry_alias:
        subject.append(f"list alias '{matched}'")
    why = (f"{' and '.join(subject)}: " if subject else "") + core
    if relation == "differ":
        listed = ", ".join(entry.countries)
        why += f"; countries differ (entity {country}, list entry {listed}), so the hit needed {needed:g}"
    elif relation:
        why += f"; {_countries(relation, country, entry)}"
    return why


def _relation(country: str | None, entry: ListEntry) -> str | None:
    """How the entity's country stands to the entry's (``countries.overlap``): None when either is unknown."""
    if not country or not entry.countries:
        return None
    from screening.case.countries import overlap

    return overlap(country, entry.countries)


def _countries(relation: str, country: str | None, entry: ListEntry) -> str:
    """The words of a hit's reason for countries that do not differ: the same, or overlapping (an entity in RU, an
    entry in SUHH, the Soviet Union, of which RU is a successor)."""
    if relation == "same":
        return f"same country ({country})"
    from screening.case.countries import FTM_TERRITORIES, RELATED

    codes = [code for code in entry.countries if country in RELATED.get(code, ())]
    named = ", ".join(
        f"{code} ({FTM_TERRITORIES[code.lower()]})" if code.lower() in FTM_TERRITORIES else code for code in codes
    )
    return f"overlapping countries (entity {country}, list entry {named})"
