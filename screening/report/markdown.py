"""GitHub-flavoured Markdown for memos, wikis and pull-request comments.

Rendered from the JSON report's data (:func:`screening.report.data.report`), so the Markdown says what the
JSON says, in the order of the terminal report: header, score arithmetic, findings per category,
mitigations, ownership, information gaps, sources and, with ``explain``, every rule's condition.

Several cases start with a table of the cases by score; each case follows under a ``---`` rule with its
headings one level down. Text from case and pack files is escaped so it can neither break a table nor
inject Markdown or HTML: ``|``, emphasis and link characters are backslash-escaped, ``<``, ``>``, ``&`` and
backslashes become entities, line breaks become spaces, and links are made only to http(s), ftp and
mailto addresses.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from screening.case import countries
from screening.case.model import KIND_LABELS, STATE_KINDS, state_of
from screening.case.values import shown
from screening.decision.engine import Result
from screening.infra.text import num, visible
from screening.report import Options
from screening.report.data import (
    SHOWN,
    came_from,
    deal_lines,
    doubt,
    exposure_sentence,
    filing_answer,
    held,
    listing,
    more_listed,
    moves,
    namer,
    owner_tree,
    repeats,
    report,
    value_text,
)

TRUTH = {True: "true", False: "false", None: "unknown"}
YES = {True: "yes", False: "no", None: "unknown"}
LINK_SCHEMES = ("http://", "https://", "ftp://", "mailto:")
EXPLAIN_VALUE_MAX = 160  # characters of a fact's value shown in the explanation (the JSON has all of it)


def render(results: list[Result], fmt: str, options: Options) -> str:
    docs = [report(r, options.explain) for r in results]
    out = Doc()
    if len(docs) == 1:
        _case(out, docs[0], 1)
    else:
        _comparison(out, docs)
        for doc in docs:
            out.block("---")
            _case(out, doc, 2)
    return visible(out.text())  # read on terminals too: no control character from an input is obeyed


class Doc:
    """Blocks of Markdown separated by blank lines."""

    def __init__(self) -> None:
        self.blocks: list[str] = []

    def block(self, *lines: str) -> None:
        if lines:
            self.blocks.append("\n".join(lines))

    def heading(self, level: int, text: str) -> None:
        self.block(f"{'#' * min(level, 6)} {text}")

    def table(self, head: list[str], align: str, rows: list[list[str]]) -> None:
        """A GFM table; ``align`` has one letter per column: l (left) or r (right)."""
        rule = ["---:" if a == "r" else "---" for a in align]
        self.block(*(_row(r) for r in [head, rule, *rows]))

    def text(self) -> str:
        lines = "\n\n".join(self.blocks).split("\n")
        return "\n".join(line.rstrip() for line in lines).strip("\n") + "\n"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


# ---------------------------------------------------------------- escaping

_SPECIAL = re.compile(r"[\\&<>|`*\[~$_]")
_ENTITY = {"\\": "&#92;", "&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")


def flat(value: Any) -> str:
    """Text on one line: control characters, bidirectional overrides and invisible characters written as
    escapes (screening.infra.text), runs of white space (line breaks too) made one space."""
    return " ".join(visible(str(value)).split())


def esc(value: Any) -> str:
    """Text from a file, safe in a paragraph, a list item, a heading or a table cell."""
    s = flat(value)

    def one(m: re.Match[str]) -> str:
        c = m[0]
        if c in _ENTITY:
            return _ENTITY[c]
        if c == "_":  # inside a word it cannot start or end emphasis: keep identifiers readable
            i = m.start()
            inner = 0 < i < len(s) - 1 and s[i - 1].isalnum() and s[i + 1].isalnum()
            return c if inner else "\\_"
        return "\\" + c

    s = _SPECIAL.sub(one, s)
    if s[:1] in ("#", "-", "+", "="):  # would start a heading, a list item or a setext underline
        s = "\\" + s
    s = _ORDERED.sub(r"\1\\\2", s)  # "1. " would start an ordered list
    if s.endswith("#"):  # a heading's closing sequence
        s = s[:-1] + "\\#"
    return s


def code(value: Any, in_table: bool = False) -> str:
    """An identifier or expression as a code span, or escaped text when a code span could not hold it."""
    s = flat(value)
    if not s or "`" in s or (in_table and ("|" in s or "\\" in s)):
        return esc(s)
    return f"`{s}`"


def bold(text: str) -> str:
    """``text`` (already Markdown) in bold; empty text stays empty."""
    return f"**{text}**" if text else ""


def _url(url: str) -> str:
    """A link destination: characters that would end or break it percent-encoded."""
    out = []
    for c in flat(url):
        if c in " <>()|\\`\"'" or unicodedata.category(c)[0] in ("C", "Z"):
            out.append("".join(f"%{b:02X}" for b in c.encode("utf-8")))
        else:
            out.append(c)
    return re.sub(r"&(?=#?\w+;)", "&amp;", "".join(out))


def link(text: Any, url: str | None) -> str:
    """A Markdown link when ``url`` is a web or mail address, else the escaped text."""
    label = (esc(text) or esc(url or "")).replace("]", "\\]")  # a bare "]" would end the link text
    if not url or not flat(url).lower().startswith(LINK_SCHEMES):
        return label
    return f"[{label}]({_url(url)})"


# ---------------------------------------------------------------- values


def signed(x: Any) -> str:
    return f"+{num(x)}" if x > 0 else num(x)


def pct(x: Any) -> str:
    """A percentage of the JSON report: a number, ``{"at_least": n}`` or null."""
    if x is None:
        return "unknown"
    if isinstance(x, dict) and set(x) == {"at_least"}:
        return f"≥ {num(x['at_least'])}%"
    return shown(x, "%")


def ids(items: list[str]) -> str:
    return ", ".join(esc(i) for i in items)


def cited(sources: list[str]) -> str:
    return f" [{ids(sources)}]" if sources else ""


def country(code: str | None) -> str:
    return countries.name(code) if code else "country unknown"


def gauge(doc: dict[str, Any]) -> str:
    """The level in capitals after a bar of filled dots, one per level up to this one."""
    names = [lv["level"] for lv in doc["math"]["levels"]]
    level = doc["level"]
    word = bold(esc(level.upper()))
    if level not in names:
        return word
    filled = names.index(level) + 1
    return f"{'●' * filled}{'○' * (len(names) - filled)} {word}"


# ---------------------------------------------------------------- sections


def _comparison(out: Doc, docs: list[dict[str, Any]]) -> None:
    out.heading(1, "Cases by score")
    ranked = sorted(docs, key=lambda d: (-d["score"], d["case"]["id"]))
    rows = []
    for d in ranked:
        top = [f"{esc(f['rule'])} {esc(f['title'])}{' (waived)' if f['waived'] else ''}" for f in d["findings"][:4]]
        filing = filing_answer(d.get("filings"), rules=False)
        rows.append(
            [bold(esc(d["case"]["id"])), gauge(d), num(d["score"]), esc(filing or ""), "<br>".join(top) or "none"]
        )
    out.table(["case", "level", "score", "filing", "top findings"], "llrll", rows)


def _case(out: Doc, doc: dict[str, Any], top: int) -> None:
    _header(out, doc, top)
    _score(out, doc, top + 1)
    _findings(out, doc, top + 1)
    _mitigations(out, doc, top + 1)
    _filings(out, doc, top + 1)
    _ownership(out, doc, top + 1)
    _gaps(out, doc, top + 1)
    _thresholds(out, doc, top + 1)
    _sources(out, doc, top + 1)
    if "explain" in doc:
        _explain(out, doc, top + 1)


def _header(out: Doc, doc: dict[str, Any], level: int) -> None:
    case, pack = doc["case"], doc["rule_pack"]
    inv, target = case["investor"], case["target"]
    out.heading(level, f"{esc(case['id'])}: {esc(case['title'])}")
    out.block(f"{gauge(doc)}, score **{num(doc['score'])}/100**")
    answer = doc["answer"]
    if answer.get("filing"):
        out.block(f"**Filing:** {esc(answer['filing'])}")
    kind = KIND_LABELS.get(inv["kind"] or "", "kind unknown")
    lines = [
        f"- **Investor → target:** {esc(inv['name'])} ({esc(kind)}, {esc(country(inv['country']))}) → "
        f"{esc(target['name'])} ({esc(country(target['country']))})",
        f"- **Rule pack:** {esc(pack['name'])} {esc(pack['version'])} ({code(pack['digest'][:19])}, "
        f"{pack['rules']} rules)",
    ]
    lines.append(
        f"- **Facts as of:** {esc(answer['facts_as_of'] or 'not given')}; **screened on:** {esc(answer['screened_on'])}"
    )
    lines.append(f"- **Case file:** {esc(case['file'])}")
    if doc.get("waivers_judged_on"):
        lines.append(f"- **Waivers judged on:** {esc(doc['waivers_judged_on'])}")
    if doc.get("undated"):
        lines.append(f"- **Date:** {esc(doc['undated'])}")
    out.block(*lines)
    if case.get("summary"):
        out.block("> " + esc(case["summary"]))


def _score(out: Doc, doc: dict[str, Any], level: int) -> None:
    math = doc["math"]
    out.heading(level, "Score")
    step = math.get("exposure")
    rows = []
    for c in doc["categories"]:
        if c["cap"] is None and c["score"] <= 0 and not c["rules"]:
            continue
        factor = [f"× {num(c['exposure_factor'])}" if "exposure_factor" in c else ""] if step else []
        rows.append(
            [
                esc(c["title"]),
                ids(c["rules"]) or "none",
                num(c["raw"]),
                "none" if c["cap"] is None else num(c["cap"]),
                f"-{num(c['mitigation_credit'])}" if c["mitigation_credit"] else "",
                *factor,
                num(c["score"]),
            ]
        )
    rows.append(["**total**", "", "", "", "", *([""] if step else []), f"**{num(math['score_from_rules'])}**"])
    head = ["category", "rules fired", "points", "cap", "mitigated", *(["exposure"] if step else []), "score"]
    out.table(head, "llrrrr" + ("r" if step else ""), rows)
    lines = [esc(exposure_sentence(step))] if step else []
    waived = [f for f in doc["findings"] + doc["mitigations"] if f["waived"]]
    if waived:
        lines.append(
            "Waived, not counted: "
            + ", ".join(f"{esc(f['rule'])} ({num(f['points'])})" for f in waived)
            + f"; waivers judged on {esc(doc['waivers_judged_on'])}."
        )
    levels = ", ".join(f"{esc(lv['level'])} ≥ {num(lv['min'])}" for lv in math["levels"])
    lines.append(
        f"Sum {num(math['subtotal'])}, clamped to 0-100: {num(math['score_from_rules'])} → "
        f"{bold(esc(math['level_from_score']))} ({levels})."
    )
    for floor in math["floors"]:
        lines.append(
            f"Floor {esc(floor['id'])}: {ids(floor['rules'])} fired → at least {bold(esc(floor['level']))}, "
            f"score raised to {num(doc['score'])}. {esc(floor['reason'])}"
        )
    for line in lines:
        out.block(line)


FINDING_HEAD = ["rule", "points", "finding and legal basis", "evidence"]


def _findings(out: Doc, doc: dict[str, Any], level: int) -> None:
    out.heading(level, "Findings")
    titles = {c["id"]: c for c in doc["categories"]}
    order = [c["id"] for c in doc["categories"]]
    order += sorted({f["category"] for f in doc["findings"]} - set(order))
    same_as, name = repeats(doc["findings"] + doc["mitigations"], order), namer(doc)
    shown = False
    for cat in order:
        mine = [f for f in doc["findings"] if f["category"] == cat]
        if not mine:
            continue
        c = titles.get(cat)
        if c is None:
            title = esc(cat)
        elif c["cap"] is None:
            title = f"{esc(c['title'])}: {num(c['score'])}"
        else:
            title = f"{esc(c['title'])}: {num(c['score'])} of {num(c['cap'])}"
        out.heading(level + 1, title)
        out.table(FINDING_HEAD, "lrll", [_finding(f, titles, same_as, name) for f in mine])
        shown = True
    if not shown:
        out.block("No risk rule fired.")


def _finding(
    f: dict[str, Any],
    categories: dict[str, Any],
    same_as: dict[tuple[str, int], str] | None = None,
    name: Callable[[str], str] | None = None,
) -> list[str]:
    points = f"~~{signed(f['points'])}~~ 0" if f["waived"] else signed(f["points"])
    about = [("**WAIVED** " if f["waived"] else "") + bold(esc(f["title"]))]
    w = f.get("waiver")
    if w is not None:
        ref = f" ({esc(w['reference'])})" if w.get("reference") else ""
        if w["status"] == "active":
            about.append(
                f"Waived through {esc(w['expires'])} by {esc(w['approver'])}{ref}: {esc(w['reason'])} "
                f"({num(f['points'])} points not counted)"
            )
        elif w["status"] == "not_yet_granted":
            about.append(
                f"**Waiver not yet granted**: granted on {esc(w['granted'])}, after the day judged "
                f"(approved by {esc(w['approver'])}{ref}): the finding counts"
            )
        else:
            about.append(
                f"**Waiver expired** on {esc(w['expires'])} (approved by {esc(w['approver'])}{ref}): "
                "the finding counts again"
            )
    if held(f):
        about.append(f"*{esc(held(f))}*")
    legal = "; ".join(link(f"{r['instrument']} {r['pinpoint']}", r.get("url")) for r in f["legal_basis"])
    if not legal and f.get("practice"):
        legal = "practice: " + esc(f["practice"])
    if legal:
        about.append(legal)
    if f.get("mitigates"):
        about.append(
            "mitigates: " + ", ".join(esc(categories[m]["title"] if m in categories else m) for m in f["mitigates"])
        )
    evidence = []
    for i, e in enumerate(f["evidence"]):
        same = (same_as or {}).get((f["rule"], i))
        if same == SHOWN:
            continue
        value = f"as in {esc(same)}" if same else esc(value_text(e["value"]))
        origin = came_from(e.get("entities", ()), name or str)
        evidence.append(
            f"{code(e['fact'], True)} = {value}{' (' + esc(origin) + ')' if origin else ''}{cited(e['sources'])}"
            + (f" *({esc(doubt(e))})*" if doubt(e) else "")
        )
    return [bold(esc(f["rule"])), points, "<br>".join(about), "<br>".join(evidence)]


def _mitigations(out: Doc, doc: dict[str, Any], level: int) -> None:
    mitigations = doc["mitigations"]
    if not mitigations:
        out.heading(level, "Mitigations")
        out.block("No mitigation rule fired.")
        return
    credit = sum(-f["points"] for f in mitigations if not f["waived"])
    out.heading(level, f"Mitigations: credit {num(credit)}")
    titles = {c["id"]: c for c in doc["categories"]}
    same_as, name = repeats(doc["findings"] + mitigations, [c["id"] for c in doc["categories"]]), namer(doc)
    out.table(FINDING_HEAD, "lrll", [_finding(f, titles, same_as, name) for f in mitigations])


def _deal(out: Doc, doc: dict[str, Any], level: int) -> None:
    """The deal: the target, the investor's stake in it, the other owners' votes, and who controls after."""
    d = doc["deal"]
    first, second = deal_lines(d, doc["case"]["investor"]["name"])
    target = f"{d['target']['name']} ({country(d['target']['country'])})"
    out.heading(level, "The deal")
    out.block(f"- **Target:** {esc(target)}", f"  - {esc(first)}", f"  - {esc(second)}")


def _ownership(out: Doc, doc: dict[str, Any], level: int) -> None:
    _deal(out, doc, level)
    own = doc["ownership"]
    analysis = own["analysis"]
    entities = {e["id"]: e for e in own["entities"]}
    names = {o["id"]: o["name"] for o in analysis["owners"]} | {e["id"]: e["name"] for e in own["entities"]}

    def who(eid: str) -> str:
        state = state_of(eid)
        if state is not None:  # a state's share stated on an entity whose owners are not itemised
            return f"the state of {esc(country(state))}"
        return esc(names.get(eid, eid))

    links: dict[str, list[str]] = {}
    for st in analysis["states"]:
        for lk in st["links"]:
            links.setdefault(lk["entity"], []).append(
                f"{esc(lk['kind'].replace('_', ' '))} ({esc(st['state'])}){cited(lk['sources'])}"
            )

    def label(eid: str, role: str = "") -> str:
        e = entities.get(eid)
        if e is None:
            return who(eid) + role
        name = esc(e["name"])
        text = (bold(name) if e["kind"] in STATE_KINDS else name) + role
        text += f" ({esc(KIND_LABELS.get(e['kind'] or '', 'kind unknown'))}, {esc(country(e['country']))})"
        mine = links.get(eid, [])
        if mine:
            text += f"; state link{'s' if len(mine) > 1 else ''}: " + "; ".join(mine)
        return text

    def share(edge: dict[str, Any]) -> str:
        parts = []
        if edge["equity_pct"] is not None:
            parts.append(f"{shown(edge['equity_pct'], '%')} equity")
        if edge["voting_pct"] is not None and edge["voting_pct"] != edge["equity_pct"]:
            parts.append(f"{shown(edge['voting_pct'], '%')} votes")
        parts += [esc(r.replace("_", " ")) for r in edge["rights"]]
        if edge["control_stated"]:
            parts.append("*controls (as the sources state)*")
        elif edge["controlling"]:
            parts.append("*controls*")
        return ", ".join(parts) or "stake unknown"

    out.heading(level, "Ownership")
    complete = {True: "documented to the ultimate owners", False: "incomplete", None: "completeness unknown"}[
        own["complete"]
    ]
    out.block(
        f"Chain {complete}. From the investor up to its owners; controlling links are marked *controls*, "
        "state bodies are in **bold**."
    )
    tree = [f"- {label(own['investor'], ', the investor')}"]
    into: dict[str, list[dict[str, Any]]] = {}
    for edge in own["edges"]:
        into.setdefault(edge["owned"], []).append(edge)
    for level, edge, note in owner_tree(own["investor"], lambda eid: into.get(eid, ()), lambda e: e["owner"]):
        pad = "  " * level
        tree.append(f"{pad}- {share(edge)} ← {label(edge['owner'])}")
        if note:
            tree.append(f"{pad}  - ({note})")
    out.block(*tree)

    ultimate, controllers = analysis["ultimate_controllers"], analysis["controllers"]
    if ultimate:
        top = set(ultimate)
        through = [who(c) for c in controllers if c not in top]
        text = listing([who(c) for c in ultimate], "; ") + (f" (through {listing(through)})" if through else "")
    elif own["complete"]:
        text = "no one: no majority of votes or control right reaches the investor"
    else:
        text = "unknown: the chain is not documented to its ultimate owners"
    out.block(f"**Controlled by:** {text}")

    if analysis["owners"]:
        out.block("**Ultimate owners**, with their effective interest in the investor:")
        out.table(
            ["owner", "kind", "equity", "votes", "controls", "in target"],
            "llrrlr",
            [
                [
                    bold(who(o["id"])) if o["kind"] in STATE_KINDS else who(o["id"]),
                    f"{esc(KIND_LABELS.get(o['kind'] or '', 'kind unknown'))}, {esc(country(o['country']))}",
                    pct(o["equity_pct"]),
                    pct(o["voting_pct"]),
                    YES[o["controls"]],
                    pct(o["in_target_voting_pct"]),
                ]
                for o in analysis["owners"]
            ],
        )
    if analysis["states"]:
        out.block("**States**, with their interest in the investor and, after the deal, in the target's votes:")
        out.table(
            ["state", "equity", "votes", "controls", "in target", "CFIUS substantial interest"],
            "lrrlrl",
            [
                [
                    f"{esc(country(st['state']))} ({esc(st['state'])})",
                    pct(st["equity_pct"]),
                    pct(st["voting_pct"]),
                    YES[st["controls"]],
                    pct(st["in_target_voting_pct"]),
                    YES[st["substantial_interest"]],
                ]
                for st in analysis["states"]
            ],
        )
        chains = []
        for st in analysis["states"]:
            chains += [
                f"- {esc(st['state'])}: {' → '.join(who(e) for e in ch['entities'])} ({pct(ch['equity_pct'])})"
                for ch in st["chains"]
            ]
            more = more_listed(st)
            if more:
                chains.append(f"- {esc(st['state'])}: {more}")
        if chains:
            out.block("Chains from each state's bodies to the investor, with their equity:")
            out.block(*chains)
    if analysis["missing"]:
        out.block("**Missing data:**")
        out.block(*(f"- {esc(m)}" for m in analysis["missing"]))
    if doc["ownership"].get("lists_checked"):
        out.block(f"**Lists checked:** {esc(doc['ownership']['lists_checked'])}.")
    _watchlists(out, doc, who)


def _watchlists(out: Doc, doc: dict[str, Any], who: Any) -> None:
    hits = doc["watchlist_hits"]
    if hits is None:
        out.block("**Watchlists:** not screened (`screening screen --watchlist FILE`).")
        return
    if not hits:
        out.block("**Watchlists:** no entity of the group matches an entry.")
        return
    out.block(f"**Watchlists:** {len(hits)} hit{'s' if len(hits) > 1 else ''}.")
    out.table(
        ["entity", "read as", "matches", "list", "type", "score", "why"],
        "lllllrl",
        [
            [
                bold(esc(h["name"])),
                esc(h["read_as"]),
                esc(h["matched_name"]),
                link(", ".join(h["lists"]), h.get("url")),
                esc(str(h["type"]).replace("_", " ")),
                num(h["score"]),
                esc(h["why"]),
            ]
            for h in hits
        ],
    )


def _filings(out: Doc, doc: dict[str, Any], level: int) -> None:
    if doc.get("filings"):
        filings_section(out, doc, doc["filings"], level)


def filings_section(out: Doc, doc: dict[str, Any], f: dict[str, Any], level: int) -> None:
    """The filing matrix ``f`` of the case whose report (level, score) is ``doc``."""
    from screening.report.data import BASIS, decision_notes

    out.heading(level, "Where to file")
    out.block(f"The law in force on **{esc(f['judged_on'])}** ({esc(BASIS[f['basis']])}).")
    rows = []
    for d in f["regimes"]:
        rule = d["rule"]
        now = d.get("today")
        rows.append(
            [
                bold(esc(d["regime"])),
                esc(d["name"]),
                bold(esc(d["outcome_text"])),
                code(rule["id"], True) if rule else "",
                f"{esc(now['outcome_text'])}" + (f" ({code(now['rule']['id'], True)})" if now["rule"] else "")
                if now
                else "same",
            ]
        )
    if rows:
        out.table(["regime", "", "outcome", "trigger", "under today's law"], "lllll", rows)
    if f.get("not_covered"):
        out.block(f"**No regime in this pack covers {esc(country(f['not_covered']))}:** check its national rules.")
    if f.get("uncaught_open_text"):
        out.block(f"**{esc(f['uncaught_open_text'])}**")
    if f["uncaught_risk"]:
        out.block(
            f"**{esc(doc['level'].capitalize())} risk ({num(doc['score'])}) that no filing obligation "
            f"catches:** no regime requires a filing on {esc(f['judged_on'])} or under today's law."
        )
    for d in f["regimes"]:
        items = [
            f"- **{esc(d['regime'])}: {esc(d['outcome_text'])}**"
            + (f", {code(d['rule']['id'])} {esc(d['rule']['title'])}" if d["rule"] else "")
        ]
        items += [f"  - {key}: {esc(text)}" for key, text in decision_notes(d)]
        if d.get("today"):
            now = d["today"]
            items.append(
                f"  - **today ({esc(now['judged_on'])}): {esc(now['outcome_text'])}**"
                + (f", {code(now['rule']['id'])} {esc(now['rule']['title'])}" if now["rule"] else "")
            )
            items += [f"    - {key}: {esc(text)}" for key, text in decision_notes(now)]
        out.block(*items)
    if f["not_reached"]:
        out.block("Not reached: " + ", ".join(f"{esc(n['regime'])} ({esc(n['name'])})" for n in f["not_reached"]) + ".")


def _gaps(out: Doc, doc: dict[str, Any], level: int) -> None:
    out.heading(level, "Information gaps")
    gaps = doc["gaps"]
    if not gaps:
        out.block("None: every rule was decided.")
        return
    out.block(
        "Questions to put to the investor, the most the answer could move the score first. *Could add*: the score "
        "points the case would gain if the answer fired every rule it decides, scored as above (caps, exposure, "
        "floors); *rule points*: the weights of the risk rules it decides, summed; *could take off*: the same for the "
        "mitigations it decides."
    )
    items = []
    for i, g in enumerate(gaps, 1):
        pad = " " * len(f"{i}. ")
        items.append(f"{i}. {esc(g['question'])}<br>")
        items.append(
            f"{pad}{moves(g, '**')} ({num(g['points_at_stake'])} rule points); "
            f"facts {', '.join(code(x) for x in g['facts'])}; decides {ids(g['rules'])}"
        )
    out.block(*items)


def _thresholds(out: Doc, doc: dict[str, Any], level: int) -> None:
    near = doc.get("thresholds") or []
    if not near:
        return
    out.heading(level, "Near thresholds")
    out.block("A small change in the deal would change these tests:")
    out.block(*[f"- {esc(t['text'])}" for t in near[:10]])


def _sources(out: Doc, doc: dict[str, Any], level: int) -> None:
    for heading, listed in (("Sources", doc["sources"]), ("Other sources of the case", doc.get("other_sources", ()))):
        if not listed:
            continue
        out.heading(level, heading)
        items = []
        for s in listed:
            meta = ", ".join(esc(x) for x in (s.get("publisher"), s.get("date")) if x)
            line = f"- **{esc(s['id'])}**: {link(s['title'], s.get('url'))}{f' ({meta})' if meta else ''}"
            if s.get("note"):
                line += f". {esc(s['note'])}"
            items.append(line)
        out.block(*items)


def _explain(out: Doc, doc: dict[str, Any], level: int) -> None:
    out.heading(level, "Explanation")
    out.block("Every rule of the pack, fired or not, with the value of each test and of the fact it reads.")
    items = []
    for item in doc["explain"]:
        outcome = bold(item["outcome"]) if item["outcome"] == "fired" else item["outcome"]
        waived = " (waived)" if item.get("waived") else ""
        items.append(f"- {bold(esc(item['rule']))} {outcome}{waived}: {esc(item['title'])}")
        _node(items, item["condition"], 1)
    out.block(*items)


def _node(items: list[str], node: dict[str, Any], depth: int) -> None:
    pad = "  " * depth
    word = TRUTH[node["value"]]
    if "fact" in node:
        actual = value_text(node["actual"])
        if len(actual) > EXPLAIN_VALUE_MAX:
            actual = actual[: EXPLAIN_VALUE_MAX - 1] + "…"
        more = ", possibly more" if node.get("partial") else ""
        items.append(f"{pad}- {code(node['test'])} → {word}: {code(node['fact'])} = {esc(actual)}{more}")
        return
    kind = next(k for k in ("all", "any", "not") if k in node)
    items.append(f"{pad}- {kind} → {word}")
    for child in node[kind]:
        _node(items, child, depth + 1)
