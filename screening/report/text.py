"""Terminal report: header, score arithmetic, findings, ownership, gaps, sources; laid out by
screening.report.layout (rich, when it is coloured, writes only its colours).

The layout is a document, not a grid: each finding, gap and source is a line with a hanging indent, so the
evidence gets the full width of the terminal and a report of a hundred findings still prints at once.
"""

from __future__ import annotations

from typing import Any

from screening.case import countries
from screening.case.model import KIND_LABELS, state_of
from screening.case.values import describe, shown
from screening.decision.engine import Finding, Result
from screening.infra.text import num
from screening.report import Options, layout
from screening.report.data import (
    BASIS,
    SHOWN,
    came_from,
    decision_notes,
    doubt,
    exposure,
    exposure_sentence,
    filing_answer,
    held,
    listing,
    more_chains,
    other_sources,
    owner_tree,
    repeats,
    takes_off_only,
    undated,
    value_text,
)
from screening.report.layout import Text, Tree, stacked

LEVEL_STYLE = {"low": "bold green", "medium": "bold yellow", "high": "bold dark_orange", "critical": "bold red"}
HEADING = "bold underline"
INDENT = 15  # where a finding's text starts: "  SI-003  +10  "


def render(results: list[Result], fmt: str, options: Options) -> str:
    page = Page(options.width)
    page.explain = options.explain
    if len(results) > 1:
        _comparison(page, results)
    for i, result in enumerate(results):
        if i or len(results) > 1:
            page.add(Text("─" * options.width, style="dim"))
        _case(page, result)
    return layout.emit(page.parts, options.width, options.color)


class Page:
    """Lines of styled text, wrapped to the page width with hanging indents, and trees."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.parts: list[Any] = []
        self.explain = False
        self.same_as: dict[tuple[str, int], str] = {}
        """Evidence printed once and referred to (screening.report.data.repeats), for the case being drawn."""
        self.name: Any = str
        """An entity's name by its id, in the case being drawn."""

    def add(self, line: Text | str = "") -> None:
        self.parts.append(line if isinstance(line, Text) else Text(line))

    def heading(self, title: str, right: str = "") -> None:
        if self.parts:
            self.add()
        line = Text(title, style=HEADING)
        if right:
            line.append(" " * max(1, self.width - len(title) - len(right)) + right, style="bold")
        self.add(line)

    def hang(self, lead: Text | str, body: Text, indent: int) -> None:
        """``lead`` then ``body``; the body's continuation lines start at column ``indent``."""
        if not body:
            self.parts.append(lead if isinstance(lead, Text) else Text(lead))
            return
        self.parts += layout.hang(lead, body, self.width, indent, min_room=0)

    def block(self, node: Tree) -> None:
        """A tree, drawn with its guides."""
        self.parts.append(node)


def _level(level: str) -> Text:
    return Text(level.upper(), style=LEVEL_STYLE.get(level, "bold"))


def _comparison(page: Page, results: list[Result]) -> None:
    from screening.report.data import filings

    page.heading("Cases by score")
    ranked = sorted(results, key=lambda r: (-r.score, r.case.id))
    width = max(len(r.case.id) for r in ranked)
    page.add(Text(f"  {'case':<{width}}  {'level':<8}  score  filing · top findings", style="bold"))
    for r in ranked:
        lead = Text(f"  {r.case.id:<{width}}  ") + _level(r.level) + Text(" " * (10 - len(r.level)))
        lead.append(f"{num(r.score):>5}  ")
        answer = filing_answer(filings(r), rules=False) if r.filings is not None else None
        body = Text(f"{answer} · " if answer else "", style="bold")
        body.append(", ".join(f.rule.id for f in r.findings[:4]) or "no finding")
        page.hang(lead, body, width + 21)
    page.add()


def _case(page: Page, result: Result) -> None:
    fired = result.findings + result.mitigations
    page.same_as = repeats(
        [
            {
                "rule": f.rule.id,
                "category": f.rule.category,
                "evidence": [
                    {"fact": e.field, "value": e.value, "sources": e.sources, "entities": e.entities}
                    for e in f.evidence
                ],
            }
            for f in fired
        ],
        [c.id for c in result.categories],
    )
    page.name = lambda eid: result.case.entities[eid].name if eid in result.case.entities else eid
    _header(page, result)
    _math(page, result)
    _findings(page, result)
    if result.mitigations:
        page.heading("Mitigations", f"credit {num(sum(-f.points for f in result.mitigations))}")
        for f in result.mitigations:
            _finding(page, f)
    _filings(page, result)
    _ownership(page, result)
    _gaps(page, result)
    _thresholds(page, result)
    _sources(page, result)
    if page.explain:
        _explain(page, result)


def _header(page: Page, result: Result) -> None:
    from screening.infra.clock import today
    from screening.report.data import filings

    case, pack = result.case, result.pack
    target = case.data["target"]
    page.hang(Text(case.id, style="bold"), Text(f": {case.title}", style="bold"), 2)
    page.add(Text.assemble("  ", _level(result.level), f"  score {num(result.score)}/100"))
    answer = filing_answer(filings(result)) if result.filings is not None else None
    if answer:
        page.hang(Text("  filing: ", style="bold"), Text(answer, style="bold"), 4)
    page.hang(
        "  ",
        Text(
            f"{case.investor.name} ({case.investor.country or '?'}) → {target['name']} ({target.get('country') or '?'})"
        ),
        2,
    )
    page.hang("  ", Text(f"facts as of {case.data.get('as_of') or 'not given'} · screened on {today()}"), 2)
    page.hang("  ", Text(f"rule pack {pack.name} {pack.version} · {pack.digest[:19]}", style="dim"), 2)
    if undated(result):
        page.hang("  ", Text(undated(result), style="bold yellow"), 2)
    if case.summary:
        page.add()
        page.hang("  ", Text(" ".join(case.summary.split()), style="italic"), 2)


def _math(page: Page, result: Result) -> None:
    page.heading("Score: from rule points to level")
    width = max([len(c.title) for c in result.categories] + [8])
    step = exposure(result)
    scaled = set(result.pack.scoring.exposure.scales) if result.pack.scoring.exposure else set()
    factor = f"{'exposure':>8}  " if step else ""
    head = f"  {'category':<{width}}  {'points':>6}  {'cap':>4}  {'mitigated':>9}  {factor}{'score':>5}  "
    page.add(Text(head + "rules fired", style="bold"))
    for c in result.categories:
        if c.cap is None and c.score <= 0 and not c.rules:
            continue
        cap = "-" if c.cap is None else num(c.cap)
        credit = f"-{num(c.credit)}" if c.credit else ""
        times = (f"× {num(round(c.factor, 4))}" if c.id in scaled else "").rjust(8) + "  " if step else ""
        lead = f"  {c.title:<{width}}  {num(c.raw):>6}  {cap:>4}  {credit:>9}  {times}{num(c.score):>5}  "
        page.hang(lead, Text(", ".join(c.rules) or "-", style="" if c.rules else "dim"), len(head))
    total = Text(f"  {'total':<{width}}  {'':>6}  {'':>4}  {'':>9}  {' ' * len(factor)}", style="bold")
    page.add(total + Text(f"{num(result.score_from_rules):>5}", style="bold"))
    waived = [f for f in result.findings + result.mitigations if f.waived]
    if waived:
        page.hang(
            "  ",
            Text(
                "waived, not counted: "
                + ", ".join(f"{f.rule.id} ({num(f.points)})" for f in waived)
                + f"; waivers judged on {result.waivers_on}",
                style="magenta",
            ),
            2,
        )
    if step:
        page.hang("  ", Text(exposure_sentence(step), style="dim"), 2)
    levels = ", ".join(f"{name} ≥ {num(m)}" for name, m in result.pack.scoring.levels)
    page.hang(
        "  ",
        Text(
            f"sum {num(result.subtotal)}, clamped to 0-100 = {num(result.score_from_rules)} → "
            f"{result.level_from_score} ({levels})",
            style="dim",
        ),
        2,
    )
    for floor in result.floors:
        page.hang(
            "  ",
            Text(
                f"floor {floor.id}: {', '.join(floor.rules)} fired → at least {floor.level}, "
                f"score raised to {num(result.score)}. {floor.reason}"
            ),
            2,
        )


def _findings(page: Page, result: Result) -> None:
    shown = False
    for cat in result.categories:
        mine = [f for f in result.findings if f.rule.category == cat.id]
        if not mine:
            continue
        cap = f" of {num(cat.cap)}" if cat.cap is not None else ""
        page.heading(cat.title, f"{num(cat.score)}{cap}")
        for f in mine:
            _finding(page, f)
        shown = True
    if not shown:
        page.heading("No risk rule fired")


def _finding(page: Page, f: Finding) -> None:
    points = "0" if f.waived else f"{'+' if f.points > 0 else ''}{num(f.points)}"
    title: Text = Text(f.rule.title, style="bold")
    if f.waived:
        title = Text.assemble(("WAIVED ", "bold magenta"), title)
    page.hang(Text.assemble("  ", (f.rule.id, "bold"), f"  {points:>3}  "), title, INDENT)
    w = f.waiver
    if w is not None and f.waived:
        page.hang(
            "",
            Text(
                f"waived through {w.expires} by {w.approver}{f' ({w.reference})' if w.reference else ''}"
                f": {w.reason} ({num(f.points)} pts not counted)",
                style="magenta",
            ),
            INDENT,
        )
    elif w is not None and f.waiver_status == "not_yet_granted":
        page.hang(
            "",
            Text(
                f"waiver granted on {w.granted}, after the day judged (approved by {w.approver}): the finding counts",
                style="bold red",
            ),
            INDENT,
        )
    elif w is not None:
        page.hang(
            "",
            Text(
                f"waiver expired on {w.expires} (approved by {w.approver}): the finding counts again", style="bold red"
            ),
            INDENT,
        )
    if f.confidence != "confirmed":
        weight = f.rule.weight
        share = held({"confidence": f.confidence, "points": f.points, "weight": weight})
        page.hang("", Text(share, style="yellow"), INDENT)
    legal = "; ".join(str(r) for r in f.rule.legal_basis)
    if not legal and f.rule.practice:
        legal = "practice: " + " ".join(f.rule.practice.split())
    if legal:
        page.hang("", Text(legal, style="dim"), INDENT)
    for i, e in enumerate(f.evidence):
        same = page.same_as.get((f.rule.id, i))
        if same == SHOWN:
            continue
        body = Text.assemble((e.field, "bold"), " = ", f"as in {same}" if same else value_text(e.value))
        if e.entities:
            body.append(f" ({came_from(e.entities, page.name)})")
        if e.sources:
            body.append(f" [{', '.join(e.sources)}]", style="cyan")
        level = doubt({"confidence": e.confidence, "disputed_by": e.disputed_by})
        if level:
            body.append(f" ({level})", style="yellow")
        page.hang("", body, INDENT)


def _entity_label(page: Page, result: Result, entity_id: str, edge: Any = None, level: int = 0) -> Text:
    """An entity of the tree (with the stake by which it owns the one below it), wrapped to the room its level
    of the tree leaves, each wrapped line indented under its own first line (rich would start it flush)."""
    e = result.case.entities[entity_id]
    state = e.kind in ("state_body", "soe", "sovereign_fund")
    head = Text()
    if edge is not None:
        share = []
        if edge.equity_pct is not None:
            share.append(f"{describe(edge.equity_pct, '%')} equity")
        if edge.voting_pct is not None and edge.voting_pct != edge.equity_pct:
            share.append(f"{describe(edge.voting_pct, '%')} votes")
        share += [r.replace("_", " ") for r in edge.rights if r != "stated_control"]
        if "stated_control" in edge.rights:
            share.append("controls (as the sources state)")
        elif edge.controlling:
            share.append("controls")
        head.append(f"{', '.join(share) or 'stake unknown'} ← ", style="bold magenta" if edge.controlling else "")
    head.append(e.name, style="bold red" if state else "bold")
    where = countries.name(e.country) if e.country else "country unknown"
    head.append(f"  {KIND_LABELS.get(e.kind or '', 'kind unknown')}, {where}", style="dim")
    rows: list[tuple[str, Text, int]] = [("", head, 4)]
    for link in e.state_links or ():
        body = Text(f"state link: {link['kind'].replace('_', ' ')} ({link['state']})", style="red")
        if link.get("sources"):
            body.append(f" [{', '.join(link['sources'])}]", style="cyan")
        rows.append(("  ", body, 6))
    for entry in e.listings or ():
        rows.append(("  ", Text(f"listed: {entry['list']}", style="bold red"), 6))
    return tree_label(page, rows, level)


def tree_label(page: Page, rows: list[tuple[str, Text, int]], level: int) -> Text:
    """Lines of a tree's label, each (lead, body, indent of its wrapped lines), wrapped to what is left of the
    page at ``level`` of the tree (rich draws four columns of guide a level)."""
    room = max(24, page.width - 4 * level)
    out: list[Text] = []
    for lead, body, indent in rows:
        line = Text.assemble(lead, body)
        if line.cell_len <= room:
            out.append(line)
            continue
        first = line.wrap(room)[0]
        first.rstrip()
        cut = len(first.plain)
        while cut < len(line.plain) and line.plain[cut] == " ":
            cut += 1
        out.append(first)
        for rest in line[cut:].wrap(room - indent):
            rest.rstrip()
            out.append(Text(" " * indent) + rest)
    label = stacked(out)
    label.no_wrap = True
    return label


def _deal(page: Page, result: Result) -> None:
    """The deal as a tree: the target, the investor's stake in it, and the other owners' votes."""
    from screening.report.data import deal

    d = deal(result)

    def pct(x: Any) -> str:
        return "unknown" if x is None else shown(x, "%") if isinstance(x, (dict, str)) else f"{num(x)}%"

    page.heading("The deal")
    where = countries.name(d["target"]["country"]) if d["target"]["country"] else "country unknown"
    root = Text.assemble((d["target"]["name"], "bold"), (f"  target, {where}", "dim"))
    tree = Tree(tree_label(page, [("", root, 4)], 0))
    stake = pct(d["stake_after_pct"]) + " equity"
    if d["stake_before_pct"] not in (None, 0):
        stake = f"{pct(d['stake_before_pct'])} → {stake}"
    if d["votes_after_pct"] != d["stake_after_pct"]:
        stake += f", {pct(d['votes_after_pct'])} votes"
    if "board_seats" in d:
        stake += f", {d['board_seats']} of {d.get('board_size', '?')} board seats"
    if d.get("veto_rights"):
        stake += f", vetoes: {', '.join(d['veto_rights'])}"
    mine = d["control"] == "investor"
    head = Text(f"{stake}{', controls' if mine else ''} ← ", style="bold magenta" if mine else "")
    head.append(result.case.investor.name, style="bold")
    head.append(f"  the investor, {(d['kind'] or 'deal').replace('_', ' ')}; its owners: the chain below", style="dim")
    tree.add(tree_label(page, [("", head, 4)], 1))
    if d["others_votes_pct"] != 0:  # several owners, or unknown ones: none of them marked as controlling
        exact = d["others_votes_pct"] is not None
        other = Text(f"{pct(d['others_votes_pct'])} votes ← " if exact else f"{d['others_share']} ← ")
        other.append("the other owners", style="bold")
        other.append(f"  {d['others_who']}", style="dim")
        tree.add(tree_label(page, [("", other, 4)], 1))
    page.block(tree)
    page.hang(Text("control after the deal: ", style="bold"), Text(d["control_text"]), 4)


def _ownership(page: Page, result: Result) -> None:
    _deal(page, result)
    case = result.case
    complete = result.facts.get("group.complete")
    note = {True: "documented to the ultimate owners", False: "incomplete", None: "completeness unknown"}[complete]
    page.heading(f"Ownership chain ({note})")
    page.add(Text("owners above the investor; controlling links marked", style="dim"))
    tree = Tree(_entity_label(page, result, case.investor_id))
    parents = [tree]
    for level, edge, mark in owner_tree(case.investor_id, case.owners_of, lambda e: e.owner):
        del parents[level:]
        child = parents[-1].add(_entity_label(page, result, edge.owner, edge, level))
        parents.append(child)
        if mark:
            child.add(Text(f"({mark})", style="dim"))
    page.block(tree)
    _control(page, result)


def _pct(x: float | None) -> str:
    if x is None:
        return "unknown"
    return describe(x, "%")


def _control(page: Page, result: Result) -> None:
    """Who controls the investor, and each state's effective interest, with the chains behind it."""
    own = result.facts.ownership
    name = {eid: e.name for eid, e in result.case.entities.items()}

    def who(eid: str) -> str:
        return name.get(eid) or f"the state of {countries.name(state_of(eid) or eid)}"

    page.add()
    if own.ultimate_controllers:
        top = set(own.ultimate_controllers)
        through = [who(c) for c in own.controllers if c not in top]
        text = listing([who(c) for c in own.ultimate_controllers], "; ")
        text += f" (through {listing(through)})" if through else ""
    elif own.complete:
        text = "no one: no majority of votes or control right reaches the investor"
    else:
        text = "unknown: the chain is not documented to its ultimate owners"
    page.hang(Text("controlled by: ", style="bold"), Text(text, style="bold"), 4)
    controls = {True: "controls the investor", False: "does not control it", None: "control unknown"}
    for st in own.states:
        line = Text(f"equity {_pct(st.equity_pct)}, votes {_pct(st.voting_pct)}, {controls[st.controls]}")
        if st.in_target_voting_pct is not None:
            line.append(f"; {_pct(st.in_target_voting_pct)} of the target's votes after the deal")
        if st.substantial_interest:
            line.append("; CFIUS substantial interest (49%/25%)", style="bold")
        page.hang(Text(f"state {st.state}: ", style="bold red"), line, 4)
        for chain in st.chains[:3]:
            page.hang(
                "    ",
                Text(" → ".join(who(e) for e in chain.entities) + f" ({_pct(chain.equity_pct)})", style="dim"),
                4,
            )
        more = more_chains(st.chain_count, min(3, len(st.chains)))
        if more:
            page.hang("    ", Text(more, style="dim"), 4)
    if own.missing:
        page.hang(Text("missing: ", style="dim"), Text("; ".join(own.missing), style="dim"), 4)
    hits = result.facts.get("group.watchlist_hits")
    if hits is None:
        page.hang(
            Text("watchlists: ", style="bold"), Text("not screened (screening screen --watchlist FILE)", style="dim"), 4
        )
    elif not hits:
        page.hang(Text("watchlists: ", style="bold"), Text("no entity of the group matches an entry"), 4)
    from screening.report.data import lists_checked

    checked = lists_checked(result)
    if checked:
        page.hang(Text("lists checked: ", style="bold"), Text(checked), 4)
    for hit in hits or ():
        found = Text.assemble(
            (f"{hit['name']} ", "bold"),
            f"(read as '{hit['read_as']}') "
            f"matches '{hit['matched_name']}' on {', '.join(hit['lists'])} "
            f"({hit['type'].replace('_', ' ')}, score {num(hit['score'])}): {hit['why']}",
        )
        page.hang(Text("watchlist hit: ", style="bold red"), found, 4)


def _gaps(page: Page, result: Result) -> None:
    if not result.gaps:
        page.heading("Information gaps: none; every rule was decided")
        return
    page.heading("Information gaps: questions to put to the investor")
    width = len(str(len(result.gaps)))
    adds = [_moves(g.could_add, g.could_take_off, g.points_at_stake) for g in result.gaps]
    stakes = [num(g.points_at_stake) for g in result.gaps]
    add = max(9, *(len(s) for s in adds))
    pts = max(8, *(len(s) for s in stakes))
    page.hang(
        "  ",
        Text(
            "could add: score points the case would gain if the answer fired every rule it decides, scored as "
            "above (caps, exposure, floors); − marks what the mitigations a question decides could take off; "
            "rule pts: the weights of the risk rules it decides, summed",
            style="dim",
        ),
        2,
    )
    page.add(
        Text(
            f"  {'#':>{width}}  {'could add':>{add}}  {'rule pts':>{pts}}  "
            "question (facts it settles; rules it decides)",
            style="bold",
        )
    )
    indent = width + add + pts + 8
    for i, (g, plus, stake) in enumerate(zip(result.gaps, adds, stakes, strict=True), 1):
        page.hang(f"  {i:>{width}}  {plus:>{add}}  {stake:>{pts}}  ", Text(g.question), indent)
        page.hang("", Text(f"{', '.join(g.facts)}; decides {', '.join(g.rules)}", style="dim"), indent)


def _moves(add: float, off: float, stake: float) -> str:
    """``+25.69``, ``−52.08`` (mitigations only, ``−0`` when they could take off nothing) or ``+3/−8``: what a
    gap's answer could do to the score."""
    if takes_off_only(add, off, stake):
        return f"−{num(off)}"
    return f"+{num(add)}/−{num(off)}" if off else f"+{num(add)}"


def _thresholds(page: Page, result: Result) -> None:
    """Numeric thresholds the facts are near: what a small change in the deal would change."""
    from screening.conditions.text import describe_margin as describe

    near = result.margins
    if not near:
        return
    page.heading("Near thresholds: a small change in the deal would change these tests")
    for m in near[:10]:
        page.hang("  · ", Text(describe(m)), 4)


OUTCOME_STYLE = {
    "mandatory": "bold red",
    "voluntary": "bold yellow",
    "call_in": "bold dark_orange",
    "undetermined": "bold magenta",
    "out_of_scope": "green",
    "not_in_force": "dim",
}


def _filings(page: Page, result: Result) -> None:
    """Where the deal must or may be filed, regime by regime, and why."""
    from screening.report.data import filings

    doc = filings(result)
    if doc is not None:
        filings_section(page, result, doc)


def filings_section(page: Page, result: Result, doc: dict[str, Any]) -> None:
    """The filing matrix ``doc`` (see :func:`screening.report.data.filings`) of ``result``."""
    basis = BASIS[doc["basis"]]
    page.heading("Where to file")
    page.hang("  ", Text(f"the law in force on {doc['judged_on']} ({basis})", style="italic"), 2)
    for d in doc["regimes"]:
        _decision(page, d, Text(f"  {d['regime']:<3} ", style="bold"))
        if "today" in d:
            _decision(page, d["today"], Text(f"      today ({d['today']['judged_on']}): ", style="italic"))
    if doc["not_reached"]:
        page.hang(
            "  ",
            Text("not reached: " + ", ".join(f"{n['regime']} ({n['name']})" for n in doc["not_reached"]), style="dim"),
            4,
        )
    if doc.get("not_covered"):
        page.hang(
            Text("  ! ", style="bold yellow"),
            Text(
                f"No regime in this pack covers {countries.name(doc['not_covered'])}: check its national rules.",
                style="bold",
            ),
            4,
        )
    if doc.get("uncaught_open_text"):
        page.hang(Text("  ! ", style="bold yellow"), Text(doc["uncaught_open_text"], style="bold"), 4)
    if doc["uncaught_risk"]:
        page.hang(
            Text("  ! ", style="bold red"),
            Text(
                f"{result.level.capitalize()} risk ({num(result.score)}) that no filing obligation catches: no regime "
                f"requires a filing on {doc['judged_on']}"
                + (
                    " or under today's law."
                    if any("today" in d for d in doc["regimes"]) or doc["basis"] != "today"
                    else "."
                ),
                style="bold",
            ),
            4,
        )


def _decision(page: Page, d: dict[str, Any], lead: Text) -> None:
    head = Text(d["outcome_text"].upper(), style=OUTCOME_STYLE.get(d["outcome"], "bold"))
    rule = d["rule"]
    if rule:
        head.append(f"  {rule['id']} {rule['title']}")
    page.hang(lead, head, 6)
    notes = decision_notes(d)
    for key, body in notes:
        page.hang(Text(f"      {key:<7}", style="dim"), Text(body), 13)


def _sources(page: Page, result: Result) -> None:
    cited = sorted({s for f in result.findings + result.mitigations for e in f.evidence for s in e.sources})
    known = [result.case.sources[sid].as_dict() for sid in cited if sid in result.case.sources]
    for heading, listed in (("Sources cited", known), ("Other sources of the case", other_sources(result, cited))):
        if listed:
            page.heading(heading)
            _source_list(page, listed)


def _source_list(page: Page, listed: list[dict[str, Any]]) -> None:
    width = max(len(s["id"]) for s in listed)
    for s in listed:
        line = Text(str(s["title"]))
        meta = ", ".join(str(x) for x in (s.get("publisher"), s.get("date")) if x)
        if meta:
            line.append(f" ({meta})", style="dim")
        page.hang(Text(f"  {s['id']:<{width}}  ", style="cyan"), line, width + 4)
        if s.get("url"):  # whole, on a line of its own: a URL broken across lines can be neither clicked nor copied
            page.add(Text(" " * (width + 4)) + Text(str(s["url"]), style="blue"))


TRUTH = {True: ("true", "green"), False: ("false", "red"), None: ("unknown", "yellow")}


def _explain(page: Page, result: Result) -> None:
    """Every rule, fired or not, with the value of each part of its condition and of each fact."""
    from screening.report.data import explain

    page.heading("Explanation: every rule, with the value of each test")
    outcome_style = {"fired": "bold green", "not fired": "dim", "undecided": "yellow"}
    for item in explain(result):
        outcome = item["outcome"]
        lead = Text.assemble("  ", (item["rule"], "bold"), "  ", (f"{outcome:<10}", outcome_style[outcome]), " ")
        page.hang(lead, Text(item["title"] + (" (waived)" if item.get("waived") else "")), 25)
        _explain_node(page, item["condition"], 1)


def _explain_node(page: Page, node: dict[str, Any], depth: int) -> None:
    word, style = TRUTH[node["value"]]
    pad = "    " + "  " * depth
    if "fact" in node:
        body = Text.assemble(node["test"], " → ", (word, style))
        actual = "unknown" if node["actual"] is None else value_text(node["actual"])
        if len(actual) > 160:
            actual = actual[:157] + "..."
        body.append(f"   ({node['fact']} = {actual}{', possibly more' if node.get('partial') else ''})", style="dim")
        page.hang(pad + "· ", body, len(pad) + 2)
        return
    kind = next(k for k in ("all", "any", "not") if k in node)
    page.add(Text.assemble(pad, (kind, "bold"), " → ", (word, style)))
    for child in node[kind]:
        _explain_node(page, child, depth + 1)
