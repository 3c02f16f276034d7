"""The documented, stable data structure of a screening result (the JSON format's content)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from screening import __version__
from screening.case.facts import plain
from screening.case.model import group_of
from screening.case.values import BOUND_KEYS, AtLeast, Interval, ends, shown
from screening.decision.engine import Finding, Result
from screening.infra.text import num, number

SCHEMA_VERSION = "1.0"
TREE_DEPTH = 16
"""Levels of owners the text and Markdown trees draw; the JSON report has the whole group."""
DEEPER = f"more owners above: the tree stops at {TREE_DEPTH} levels; --format json lists them all"
LISTED = 10
"""Names listed in one line (the controllers a control passes through); the others are counted."""
SHOWN = "cycle: already shown"
E = TypeVar("E")


def value_text(value: Any) -> str:
    """A fact value as one line of text, the same in every format: records without their sources, notes
    and descriptions, lists joined by ``;``, numbers as ``number`` gives them."""
    if isinstance(value, list):
        return "; ".join(value_text(v) for v in value) or "none"
    if isinstance(value, dict) and value and set(value) <= set(BOUND_KEYS):
        return shown(value)
    if isinstance(value, dict):
        keep = {k: v for k, v in value.items() if k not in ("sources", "note", "description")}
        return ", ".join(f"{k}: {value_text(v)}" for k, v in keep.items())
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "unknown"
    return num(value)


def owner_tree(
    investor: str, owners_of: Callable[[str], Iterable[E]], owner: Callable[[E], str], depth: int = TREE_DEPTH
) -> Iterator[tuple[int, E, str | None]]:
    """The ownership tree, depth first from the investor up, as (level, edge, note): each owner is
    drawn once, its owners below it (note None); drawn again it is marked ``SHOWN``, and at ``depth``
    levels the owners above it are left out (``DEEPER``). Without recursion, for chains of any length."""
    seen = {investor}
    work = [iter(owners_of(investor))]
    while work:
        edge = next(work[-1], None)
        if edge is None:
            work.pop()
            continue
        above = owner(edge)
        if above in seen:
            yield len(work), edge, SHOWN
        elif len(work) >= depth and any(True for _ in owners_of(above)):
            seen.add(above)
            yield len(work), edge, DEEPER
        else:
            seen.add(above)
            yield len(work), edge, None
            work.append(iter(owners_of(above)))


def listing(names: list[str], sep: str = ", ", limit: int = LISTED) -> str:
    """``names`` joined by ``sep``: the first ``limit`` of them, and how many more."""
    if len(names) <= limit:
        return sep.join(names)
    return sep.join(names[:limit]) + f" and {len(names) - limit:,} more"


def more_chains(count: Any, listed: int) -> str | None:
    """ "and 3 more chains" (or "at least 3") for the chains of a ``ChainCount`` past the ``listed`` ones."""
    n = count.more(listed)
    return _more(n, count.exact) if n else None


def more_listed(item: dict[str, Any]) -> str | None:
    """The same for an owner or a state of the JSON report, past the chains it lists."""
    more = item.get("more_chains")
    if more is None:
        return None
    return _more(more["at_least"], False) if isinstance(more, dict) else _more(more, True)


def _more(n: int, exact: bool) -> str:
    return f"and {'' if exact else 'at least '}{n:,} more chain{'s' if n > 1 else ''}"


def finding(f: Finding) -> dict[str, Any]:
    rule = f.rule
    return {
        "rule": rule.id,
        "name": rule.name,
        "title": rule.title,
        "category": rule.category,
        "points": number(f.points),
        **({"confidence": f.confidence, "weight": number(rule.weight)} if f.confidence != "confirmed" else {}),
        "rationale": rule.rationale,
        "legal_basis": [
            {"instrument": r.instrument, "pinpoint": r.pinpoint, "title": r.title, **({"url": r.url} if r.url else {})}
            for r in rule.legal_basis
        ],
        **({"practice": rule.practice} if rule.practice else {}),
        **({"mitigates": list(rule.mitigates)} if rule.mitigates else {}),
        "evidence": [
            {
                "fact": e.field,
                "test": e.test,
                "value": e.value,
                "sources": list(e.sources),
                **({"entities": list(e.entities)} if e.entities else {}),
                **({"confidence": e.confidence} if e.confidence else {}),
                **({"disputed_by": list(e.disputed_by)} if e.disputed_by else {}),
            }
            for e in f.evidence
        ],
        "waived": f.waived,
        **({"waiver": waiver(f)} if f.waiver else {}),
    }


def waiver(f: Finding) -> dict[str, Any]:
    w = f.waiver
    assert w is not None
    return {
        "status": f.waiver_status or ("active" if f.waived else "expired"),
        "reason": w.reason,
        "approver": w.approver,
        "expires": w.expires,
        **({"granted": w.granted} if w.granted else {}),
        **({"reference": w.reference} if w.reference else {}),
        "file": w.file,
        "line": w.line,
    }


_PARTIAL = ("PartialList", "AtLeast", "Interval", "DayRange")
"""The value forms a report marks partly known."""


def _pct(x: Any) -> Any:
    """A percentage: a number, ``{"at_least": n}`` for a lower bound, or None when unknown."""
    if x is None:
        return None
    if isinstance(x, Interval):
        return x.written()
    return {"at_least": number(x)} if isinstance(x, AtLeast) else number(x)


def analysis(result: Result) -> dict[str, Any]:
    """The ownership analysis: effective interests, controllers, states (see screening.case.ownership)."""
    own = result.facts.ownership

    def chains(items: Any) -> list[dict[str, Any]]:
        return [{"entities": list(c.entities), "equity_pct": _pct(c.equity_pct)} for c in items]

    def more(item: Any) -> dict[str, Any]:
        """``more_chains``, only when some are not listed: a number, or ``{"at_least": n}``."""
        n = item.chain_count.more(len(item.chains))
        if not n:
            return {}
        return {"more_chains": n if item.chain_count.exact else {"at_least": n}}

    return {
        "controllers": list(own.controllers),
        "ultimate_controllers": list(own.ultimate_controllers),
        "owners": [
            {
                "id": o.owner,
                "name": o.name,
                "kind": o.kind,
                "country": o.country,
                "equity_pct": _pct(o.equity_pct),
                "voting_pct": _pct(o.voting_pct),
                "controls": o.controls,
                "in_target_voting_pct": _pct(o.in_target_voting_pct),
                "chains": chains(o.chains),
                **more(o),
            }
            for o in own.owners
        ],
        "states": [
            {
                "state": st.state,
                "bodies": list(st.bodies),
                "equity_pct": _pct(st.equity_pct),
                "voting_pct": _pct(st.voting_pct),
                "controls": st.controls,
                "in_target_voting_pct": _pct(st.in_target_voting_pct),
                "substantial_interest": st.substantial_interest,
                "chains": chains(st.chains),
                **more(st),
                "links": [
                    {"entity": lk["entity"], "kind": lk["kind"], "sources": list(lk.get("sources") or ())}
                    for lk in st.links
                ],
            }
            for st in own.states
        ],
        "missing": list(own.missing),
    }


def ownership(result: Result) -> dict[str, Any]:
    case = result.case
    group = group_of(case)
    members = {e.id for e, _ in group}
    return {
        "investor": case.investor_id,
        "complete": result.facts.get("group.complete"),
        "entities": [
            {
                "id": e.id,
                "name": e.name,
                "country": e.country,
                **({"headquarters": e.headquarters} if e.headquarters else {}),
                "kind": e.kind,
                "depth": d,
            }
            for e, d in group
        ],
        "edges": [
            {
                "owner": e.owner,
                "owned": e.owned,
                "equity_pct": plain(e.equity_pct),
                "voting_pct": plain(e.voting_pct),
                "rights": [r for r in e.rights if r != "stated_control"],
                "controlling": e.controlling,
                "control_stated": "stated_control" in e.rights,
                **({"role": e.role} if e.role != "shareholder" else {}),
                **({"joint_control_with": list(e.joint_control_with)} if e.joint_control_with else {}),
            }
            for e in case.ownership
            if e.owned in members
        ],
        "analysis": analysis(result),
        **({"lists_checked": lists_checked(result)} if lists_checked(result) else {}),
    }


def deal(result: Result) -> dict[str, Any]:
    """The deal itself: the target, the stake the investor holds before and after, and the other owners' share
    of the votes with who controls the target after the deal. A case names the investor's owners, not the
    target's: the others' votes are what the investor's leave (a number when the investor's are exact, a range
    when they are a bound, not stated when unknown), and who holds them is not stated, but for co-investors
    the case names."""
    case, values = result.case, result.facts.values
    tx = case.data.get("transaction") or {}
    target = case.data["target"]
    votes_after = values.get("transaction.votes_after_pct")
    others, others_least = _others(votes_after)
    named = [
        {
            "name": co["name"],
            "role": co.get("role"),
            "votes_pct": _pct(co.get("votes_after_pct", co.get("stake_after_pct"))),
        }
        for co in values.get("transaction.co_investors") or ()
    ]
    if values.get("transaction.control") is True:
        control = "investor"
        text = (
            "the investor takes control"
            if values.get("transaction.control_acquired")
            else "the investor holds control (before the deal too)"
            if values.get("transaction.control_acquired") is False
            else "the investor holds control"
        )
    elif others_least is not None and others_least > 50:
        control, text = (
            "others",
            "no majority of the votes and no stated control right for the investor; the other owners hold the "
            "majority together (whether any of them controls is not stated)",
        )
    elif others is not None and others == 50:
        control, text = "shared", "the votes are split 50/50: control is shared"
    else:
        control, text = "unknown", "who controls the target after the deal is unknown"
    return {
        "target": {"name": target["name"], "country": target.get("country")},
        "investor": case.investor_id,
        "kind": tx.get("kind"),
        "stake_before_pct": _pct(tx.get("stake_before_pct")),
        "stake_after_pct": _pct(tx.get("stake_after_pct")),
        "votes_before_pct": _pct(values.get("transaction.votes_before_pct")),
        "votes_after_pct": _pct(votes_after),
        **{k: tx[k] for k in ("board_seats", "board_size", "veto_rights") if tx.get(k) is not None},
        "others_votes_pct": _pct(others),
        "others_share": _others_share(votes_after, others),
        "others_who": _others_who(named, others),
        "co_investors": named,
        "control": control,
        "control_text": text,
        "sources": list(case.sources_at(("transaction",))),
    }


def _others(votes_after: Any) -> tuple[Any, float | None]:
    """The other owners' share of the votes (a number when the investor's is exact, else None) and the least it
    can be (from the most the investor's bound allows); both None when the investor's votes are unknown."""
    if votes_after is None:
        return None, None
    span = ends(votes_after)
    least = None if span.high is None else round(100 - span.high, 6)
    if span.low is not None and span.low == span.high:
        return round(100 - span.low, 6), least
    return None, least


def _others_share(votes_after: Any, others: Any) -> str:
    """The other owners' votes together, in words, as far as the investor's tell them: what is left of 100%
    (a range when the investor's votes are a bound), or not stated."""
    if votes_after is None:
        return "a share of the votes not stated (nor the investor's)"
    if others is not None:
        return "none: the investor holds all the votes" if others <= 0 else f"{num(others)}% of the votes together"
    span = ends(votes_after)
    low = None if span.high is None or span.high >= 100 else num(round(100 - span.high, 6))
    high = None if span.low is None or span.low <= 0 else num(round(100 - span.low, 6))
    if low is not None and high is not None:
        return f"between {low}% and {high}% of the votes together"
    if high is not None or low is not None:
        return f"at {'most' if high is not None else 'least'} {high or low}% of the votes together"
    return "a share of the votes not stated"


def _others_who(named: list[dict[str, Any]], others: float | None = None) -> str:
    """Who the other owners are, as far as the case says: only co-investors are named in a case; when their
    exact shares add up to all the other owners' votes (``others``), no one is left unnamed."""
    if not named:
        return "who they are is not stated in the case"

    def one(co: dict[str, Any]) -> str:
        role = f" ({co['role'].replace('_', ' ')})" if co.get("role") else ""
        votes = co["votes_pct"]
        if votes is None:
            return co["name"] + role
        return f"{co['name']}{role} {shown(votes, '%') if isinstance(votes, (dict, str)) else f'{num(votes)}%'}"

    listed = ", ".join(one(co) for co in named)
    shares = [co["votes_pct"] for co in named]
    if others is not None and all(isinstance(v, (int, float)) for v in shares) and abs(sum(shares) - others) < 1e-6:
        return f"named in the case: {listed}"
    return f"named in the case: {listed}; the rest not stated"


def deal_lines(d: dict[str, Any], investor: str) -> tuple[str, str]:
    """The deal in two lines of text: the investor's stake (before → after) and the other owners'."""

    def pct(x: Any) -> str:
        return "unknown" if x is None else shown(x, "%") if isinstance(x, (dict, str)) else f"{num(x)}%"

    stake = pct(d["stake_after_pct"]) + " equity"
    if d["stake_before_pct"] not in (None, 0):
        stake = f"{pct(d['stake_before_pct'])} → {stake}"
    if d["votes_after_pct"] is not None and d["votes_after_pct"] != d["stake_after_pct"]:
        stake += f", {pct(d['votes_after_pct'])} of the votes"
    board = f", {d['board_seats']} of {d.get('board_size', '?')} board seats" if "board_seats" in d else ""
    veto = f", vetoes: {', '.join(d['veto_rights'])}" if d.get("veto_rights") else ""
    kind = (d["kind"] or "deal").replace("_", " ")
    first = f"{investor} ({kind}): {stake}{board}{veto}"
    if d["control"] == "investor" and d["others_votes_pct"] in (None, 0):
        second = d["control_text"]
    else:
        second = f"other owners: {d['others_share']}, {d['others_who']}. Control after the deal: {d['control_text']}"
    return first, second


def lists_checked(result: Result) -> str | None:
    """Which lists the group's ``listings`` were checked against, in words (None: no entity gives listings)."""
    from screening.case.catalogue import LIST_TYPES

    if all(e.listings is None for e, _ in group_of(result.case)):
        return None
    given = result.case.data.get("lists_checked")
    if given is None:
        return "assumed: every list (the case gives no lists_checked, so listings: [] means none on any list)"

    def one(c: dict[str, Any]) -> str:
        return c["list"] + (f" ({c['date']})" if c.get("date") else "")

    if any(c["list"] == "all" for c in given):
        return "every list: " + ", ".join(one(c) for c in given)
    rest = [name for name in LIST_TYPES if name not in {c["list"] for c in given}]
    return ", ".join(one(c) for c in given) + ("; not checked (unknown): " + ", ".join(rest) if rest else "")


def explain(result: Result) -> list[dict[str, Any]]:
    """Every rule of the pack, fired or not, with its condition and the value of every node and fact."""
    from screening.conditions.explain import trace

    values = result.facts.values
    fired = {f.rule.id: f for f in result.findings + result.mitigations}

    def node(t: Any) -> dict[str, Any]:
        if t.node.kind == "leaf":
            actual = values.get(t.node.field)
            return {
                "fact": t.node.field,
                "test": t.node.describe(),
                "value": t.value,
                "actual": plain(list(actual) if isinstance(actual, list) else actual),
                **({"partial": True} if type(actual).__name__ in _PARTIAL else {}),
            }
        return {t.node.kind: [node(c) for c in t.children], "value": t.value}

    out = []
    for rule in result.pack.rules:
        t = trace(rule.condition, values)
        finding = fired.get(rule.id)
        outcome = "fired" if t.value is True else "not fired" if t.value is False else "undecided"
        out.append(
            {
                "rule": rule.id,
                "title": rule.title,
                "category": rule.category,
                "weight": number(rule.weight),
                "outcome": outcome,
                **({"waived": True} if finding is not None and finding.waived else {}),
                "condition": node(t),
            }
        )
    return out


def thresholds(result: Result) -> list[dict[str, Any]]:
    """Numeric thresholds of the rules that the case's facts are near (``Result.margins``)."""
    from screening.conditions.text import describe_margin as describe

    return [
        {
            "rule": m.rule,
            "fact": m.fact,
            "test": m.test,
            "value": number(m.value),
            "threshold": number(m.threshold),
            "distance": number(m.distance),
            "holds": m.holds,
            **({"bound": m.bound, "decides": m.decides} if m.bound else {}),
            "text": describe(m),
        }
        for m in result.margins
    ]


def filings(result: Result) -> dict[str, Any] | None:
    """The filing matrix: each regime that reaches the case, its answer, and why (None without regimes)."""
    from screening.conditions.text import describe_margin as describe
    from screening.pack.regimes import answer_text, timing_text

    matrix = result.filings
    if matrix is None:
        return None
    reached = [d for d in matrix.decisions if d.reached]
    mandatory = [d.regime.id for d in matrix.decisions if d.outcome == "mandatory"]
    mandatory_today = [d.regime.id for d in matrix.decisions if (d.today or d).outcome == "mandatory"]
    # of those, the regimes whose filing does not stop closing (a notification after it, a report)
    not_suspensory = [
        d.regime.id for d in matrix.decisions if d.outcome == "mandatory" and d.rule and not d.rule.suspensory
    ]
    country = result.case.data["target"].get("country")
    national = [d for d in reached if d.regime.jurisdiction == country]

    def decision(d: Any, nested: bool = False) -> dict[str, Any]:
        regime = d.regime
        return {
            **(
                {}
                if nested
                else {"regime": regime.id, "name": regime.name, "title": regime.title, "authority": regime.authority}
            ),
            "judged_on": d.on,
            # a regime that applies the law of the day of completion, judged on another day than the case
            **(
                {
                    "judged_text": f"under the law in force on {d.on}, the completion date: {regime.name} applies "
                    "the law of the day of completion"
                }
                if not nested and d.on != matrix.on and regime.law_day == "completion"
                else {}
            ),
            **({"via": d.via} if getattr(d, "via", None) else {}),
            "outcome": d.outcome,
            "outcome_text": answer_text(d.outcome, d.rule) + _open_above(d),
            **(
                {
                    "suspensory": d.rule.suspensory,
                    **({"timing": timing_text(d.rule)} if not d.rule.suspensory else {}),
                    **(
                        {"due_after_closing_days": d.rule.due_after_closing_days}
                        if d.rule.due_after_closing_days
                        else {}
                    ),
                }
                if d.outcome == "mandatory" and d.rule is not None
                else {}
            ),
            **({"unconfirmed": unconfirmed(d.unconfirmed)} if getattr(d, "unconfirmed", None) else {}),
            **({"meaning": meaning} if (meaning := regime.meaning(d.outcome, d.on)) else {}),
            "rule": None
            if d.rule is None
            else {
                "id": d.rule.id,
                "title": d.rule.title,
                "legal_basis": [str(ref) for ref in d.rule.legal_basis],
                "verified": d.rule.verified,
                **({"verified_by": d.rule.verified_by} if d.rule.verified_by else {}),
                **({"rationale": d.rule.rationale} if d.rule.rationale else {}),
            },
            "facts_used": [{"field": u.field, "test": u.test, "value": u.value} for u in d.used],
            "why": list(d.why),
            "questions": [
                {"facts": list(q.facts), "question": q.question, "could_be": q.could_be, "rules": list(q.rules)}
                for q in d.questions
            ],
            "thresholds": [
                {
                    "rule": m.rule,
                    "fact": m.fact,
                    "test": m.test,
                    "value": number(m.value),
                    "threshold": number(m.threshold),
                    "distance": number(m.distance),
                    "holds": m.holds,
                    **({"bound": m.bound, "decides": m.decides} if m.bound else {}),
                    "text": describe(m),
                }
                for m in d.near
            ],
            "review": [
                {"phase": p.phase, "days": p.days, "unit": p.unit, **({"note": p.note} if p.note else {})}
                for p in regime.review_on(d.on)
            ]
            if d.outcome in ("mandatory", "voluntary", "call_in")
            else [],
            **({} if nested else {"legal_basis": [str(ref) for ref in regime.legal_basis]}),
            **({"today": decision(d.today, True)} if d.today is not None else {}),
        }

    def unconfirmed(u: Any) -> dict[str, Any]:
        return {
            "outcome": u.outcome,
            "outcome_text": answer_text(u.outcome, u.rule),
            "rule": u.rule.id if u.rule else None,
            "confidence": u.level,
            "facts": list(u.facts),
            "text": u.text(),
        }

    return {
        "judged_on": matrix.on,
        "basis": matrix.basis,
        "mandatory": mandatory,
        "mandatory_today": mandatory_today,
        **({"not_suspensory": not_suspensory} if not_suspensory else {}),
        "uncaught_risk": result.uncaught_risk,
        "uncaught_open": [{"regime": r, "question": q} for r, q in result.uncaught_open],
        **({"uncaught_open_text": _open_text(result)} if result.uncaught_open else {}),
        **({} if national or country is None else {"not_covered": country}),
        "regimes": [decision(d) for d in reached],
        "not_reached": [
            {"regime": d.regime.id, "name": d.regime.name, "why": d.why[0]}
            for d in matrix.decisions
            if d not in reached
        ],
    }


BASIS = {
    "as_of": "--as-of",
    "transaction.signing_date": "the signing date",
    "transaction.completion_date": "the completion date; no signing date given",
    "transaction.announcement_date": "the announcement date; no signing or completion date given",
    "today": "no signing, completion or announcement date given",
}
"""What fixed the day a case is judged on, in words."""


ANSWER_ORDER = ("mandatory", "voluntary", "call_in", "undetermined")
"""The outcomes the filing answer names, in the order it names them; the others say no filing."""


def filing_answer(doc: dict[str, Any] | None, rules: bool = True) -> str | None:
    """The filing answer in one line, from :func:`filings`: "Mandatory: DE (DE-003); call-in risk: EU (EU-001)",
    a filing that does not stop closing apart ("notification, not suspensory: CAN (CAN-018, due within 30 days
    after closing)"),
    with today's answer beside it when the law has changed since the day judged (None without regimes);
    without ``rules``, the regimes alone (the comparison of several cases)."""
    from screening.decision.filings import could_suspend
    from screening.pack.regimes import NOT_SUSPENSORY, OUTCOME_TEXT

    if doc is None:
        return None

    def line(decisions: list[tuple[str, dict[str, Any]]]) -> str:
        parts = []
        for outcome in ANSWER_ORDER:
            for suspensory in (True, False) if outcome == "mandatory" else (True,):
                these = [
                    (r, d) for r, d in decisions if d["outcome"] == outcome and d.get("suspensory", True) is suspensory
                ]
                named = [name(r, d) for r, d in these]
                if named:
                    label = "call-in risk" if outcome == "call_in" else d_label(outcome, suspensory)
                    parts.append(f"{label}: {', '.join(named)}")
        if not parts:
            others: dict[str, list[str]] = {}
            for r, d in decisions:
                others.setdefault(OUTCOME_TEXT[d["outcome"]], []).append(r)
            why = "; ".join(f"{label}: {', '.join(rs)}" for label, rs in others.items())
            parts.append("no filing" + (f" ({why})" if why else ": no regime of the pack reaches the deal"))
        text = "; ".join(parts)
        return text[0].upper() + text[1:]

    def name(r: str, d: dict[str, Any]) -> str:
        """``CAN (CAN-018, due within 30 days after closing)``; ``DE (DE-003)``; the regime alone without rules."""
        inner = [d["rule"]["id"]] if d["rule"] and rules else []
        if d.get("due_after_closing_days"):
            inner.append(f"due within {d['due_after_closing_days']} days after closing")
        if could_suspend(d["outcome"], d.get("suspensory", True), [q["could_be"] for q in d.get("questions", ())]):
            inner.append("may be suspensory: open questions")
        text = f"{r} ({', '.join(inner)})" if inner else r
        return f"{text} ({d['unconfirmed']['text']})" if d.get("unconfirmed") else text

    def d_label(outcome: str, suspensory: bool) -> str:
        return OUTCOME_TEXT[outcome].replace(" filing", "") if suspensory else NOT_SUSPENSORY

    on_day = [(d["regime"], d) for d in doc["regimes"]]
    answer = line(on_day)
    if any("today" in d for d in doc["regimes"]):
        today = line([(d["regime"], d.get("today", d)) for d in doc["regimes"]])
        if today != answer:
            answer += f". Under today's law: {today[0].lower()}{today[1:]}"
    if doc.get("not_covered"):
        from screening.case import countries

        answer += f". No regime of the pack covers {countries.name(doc['not_covered'])}"
    return answer


def answer(result: Result, doc: dict[str, Any] | None) -> dict[str, Any]:
    """The answer a memo opens with: the level, the score, where to file, and the two dates that matter."""
    from screening.infra.clock import today

    by_outcome: dict[str, list[dict[str, Any]]] = {}
    for d in (doc or {}).get("regimes", ()):
        if d["outcome"] in ANSWER_ORDER:
            entry = {
                "regime": d["regime"],
                **({"rule": d["rule"]["id"]} if d["rule"] else {}),
                **({"unconfirmed": d["unconfirmed"]["text"]} if d.get("unconfirmed") else {}),
                **({"suspensory": False} if d.get("suspensory") is False else {}),
            }
            by_outcome.setdefault(d["outcome"], []).append(entry)
    return {
        "level": result.level,
        "score": number(result.score),
        "filing": filing_answer(doc),
        **({"filings": by_outcome} if doc is not None else {}),
        "facts_as_of": result.case.data.get("as_of"),
        "screened_on": today().isoformat(),
    }


def came_from(entities: list[str] | tuple[str, ...], name: Callable[[str], str], limit: int = 2) -> str:
    """ "from China COSCO Shipping Corporation Limited": the group entities a ``group.*`` value came from."""
    return "from " + listing([name(e) for e in entities], limit=limit) if entities else ""


def namer(doc: dict[str, Any]) -> Callable[[str], str]:
    """The name of an entity of the report ``doc`` by its id (the id when the group does not hold it)."""
    names = {e["id"]: e["name"] for e in doc["ownership"]["entities"]}
    return lambda eid: names.get(eid, eid)


SAME_AS = 24
"""Evidence values longer than this (as text) that a finding repeats are printed once and referred to."""


SHOWN = ""
"""What :func:`repeats` gives for an evidence line its own finding already shows: left out."""


def repeats(findings: list[dict[str, Any]], order: Sequence[str] = ()) -> dict[tuple[str, int], str]:
    """(rule, evidence index) -> the rule whose evidence already shows the same long value for the same fact,
    so that a record repeated across findings is printed once and referred to ("as in CI-001"), in
    the order of the report's categories (``order``, by id; the others after them). A line that one
    finding's own evidence repeats (the same fact, value, sources and entities, read by two of its tests) maps to
    ``""``: it is shown once, and the repeat is left out (:data:`SHOWN`)."""
    rank = {c: i for i, c in enumerate(order)}  # the order the report prints the findings in: the first it shows
    first: dict[tuple[str, str], str] = {}
    out: dict[tuple[str, int], str] = {}
    for f in sorted(findings, key=lambda f: rank.get(f.get("category", ""), len(rank))):
        seen: set[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = set()
        for i, e in enumerate(f["evidence"]):
            text = value_text(e["value"])
            line = (e["fact"], text, tuple(e["sources"]), tuple(e.get("entities", ())))
            if line in seen:
                out[(f["rule"], i)] = SHOWN
                continue
            seen.add(line)
            if len(text) <= SAME_AS:
                continue
            key = (e["fact"], text)
            if key in first and first[key] != f["rule"]:
                out[(f["rule"], i)] = first[key]
            else:
                first.setdefault(key, f["rule"])
    return out


def verified_text(rule: dict[str, Any]) -> str:
    """``secondary (Norton Rose Fulbright, March 2026)``: how far a trigger was checked, and against what."""
    status = rule.get("verified", "unverified")
    source = rule.get("verified_by")
    return f"{status} ({source})" if source else status


def decision_notes(d: dict[str, Any]) -> list[tuple[str, str]]:
    """The lines that explain one regime's answer (a decision of :func:`filings`), as (label, text)."""
    notes: list[tuple[str, str]] = [("judged", d["judged_text"])] if d.get("judged_text") else []
    if d.get("via"):
        notes.append(("via", d["via"]))
    if d.get("timing"):
        notes.append(("timing", d["timing"]))
    if d.get("unconfirmed"):
        notes.append(("if", d["unconfirmed"]["text"]))
    rule = d["rule"]
    if rule:
        notes.append(("law", "; ".join(rule["legal_basis"])))
        notes.append(("status", verified_text(rule)))
        notes += [("fact", f"{u['test']}: {value_text(u['value'])}") for u in d["facts_used"]]
        notes += [("when", w) for w in d["why"] if w.startswith("The same throughout")]
    else:
        notes += [("why", w) for w in d["why"]]
    if d.get("meaning"):
        notes.append(("means", d["meaning"]))
    if d["review"]:
        notes.append(("review", "; ".join(f"{p['phase']} {p['days']} {p['unit']}" for p in d["review"])))
    notes += [("near", m["text"]) for m in d["thresholds"][:3]]
    notes += [("open", f"{q['question']} ({could_make(d, q)})") for q in d["questions"]]
    return notes


def _open_above(d: Any) -> str:
    """``; may be suspensory (open questions)`` for a notification that does not stop closing while an open
    question could make the filing one that does: the answer's own words say it is a floor, not the answer."""
    from screening.decision.filings import could_suspend

    rule = getattr(d, "rule", None)
    suspensory = rule is None or rule.suspensory
    return (
        "; may be suspensory (open questions)"
        if could_suspend(d.outcome, suspensory, [q.could_be for q in d.questions])
        else ""
    )


def could(d: dict[str, Any], q: dict[str, Any]) -> str:
    """What an open question could make a filing: ``mandatory``, ``call-in``; under a notification that does not
    suspend closing, a mandatory filing is one that does (only a stronger trigger is asked about)."""
    from screening.decision.filings import could_suspend

    if could_suspend(str(d.get("outcome")), d.get("suspensory", True), [q["could_be"]]):
        return "mandatory and suspensory"
    return str(q["could_be"]).replace("_", "-")


def could_make(d: dict[str, Any], q: dict[str, Any]) -> str:
    """What an open question of a filing could make it, and by which triggers: ``could make it mandatory: EU-001``;
    a question on the day, whose answer no one trigger decides, names none."""
    rules = ", ".join(q["rules"])
    return f"could make it {could(d, q)}: {rules}" if rules else f"could make it {could(d, q)}"


def held(f: dict[str, Any]) -> str:
    """Why a finding (of the JSON report) scores less than its weight: ``fires only on reported facts: 0.75 of
    its weight 5``; empty for a finding that holds on confirmed facts."""
    if not f.get("confidence"):
        return ""
    share = num(f["points"] / f["weight"]) if f["weight"] else "0"
    return f"fires only on {f['confidence']} facts: {share} of its weight {num(f['weight'])}"


def doubt(e: dict[str, Any]) -> str:
    """The confidence of a piece of evidence below confirmed, and the sources against it, in words (empty when
    it is confirmed): ``disputed; denied by company``."""
    if not e.get("confidence") and not e.get("disputed_by"):
        return ""
    against = f"; disputed by {', '.join(e['disputed_by'])}" if e.get("disputed_by") else ""
    return f"{e.get('confidence') or 'confirmed'}{against}"


def exposure(result: Result) -> dict[str, Any] | None:
    """The exposure step of the score (scoring.yaml ``exposure``) for this case, or None when the pack has none:
    the points the target exposes, the factor they give, and the categories on each side, by title."""
    step = result.pack.scoring.exposure
    if step is None:
        return None
    titles = {c.id: c.title for c in result.pack.scoring.categories}
    cats = {c.id: c for c in result.categories}
    points = sum(cats[c].score for c in step.by if c in cats)
    return {
        "points": number(points),
        "full_at": number(step.full_at),
        "factor": number(round(step.factor(points), 4)),
        "scales": [titles[c] for c in step.scales],
        "by": [titles[c] for c in step.by],
        "rationale": step.rationale,
    }


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def exposure_sentence(step: dict[str, Any]) -> str:
    """One sentence on the exposure step: what the target exposes and what that does to the investor's side."""
    scaled = _and([t.lower() for t in step["scales"]])
    shown = ", ".join(t.lower() for t in step["by"])
    if step["factor"] >= 1:
        effect = f"count in full (from {num(step['full_at'])})"
    elif step["factor"] <= 0:
        effect = "count for nothing: the target exposes nothing they could reach"
    else:
        effect = f"count × {num(step['factor'])} of their points (in full from {num(step['full_at'])})"
    return f"Exposure: the target shows {num(step['points'])} points ({shown}); {scaled} {effect}."


def undated(result: Result) -> str:
    """The header line of a case with no date at all, judged as of today (empty for a dated case)."""
    day = result.day
    if day is None or day.basis != "today":
        return ""
    checked = result.case.data.get("as_of")
    if checked:
        return f"No date of the deal in the case (facts as of {checked}): judged as of today, {day.text}"
    return f"No date in the case: judged as of today, {day.text}"


def other_sources(result: Result, cited: list[str] | set[str]) -> list[dict[str, Any]]:
    """The sources the case lists (its own and its registry entities') that no finding cites, in the case's
    order."""
    cited = set(cited)
    return [plain(s.as_dict()) for sid, s in result.case.sources.items() if sid not in cited]


def report(result: Result, with_explanation: bool = False) -> dict[str, Any]:
    """One case's report as plain data, in a defined key order."""
    case, pack = result.case, result.pack
    cited = sorted({s for f in result.findings + result.mitigations for e in f.evidence for s in e.sources})
    target = case.data["target"]
    matrix = filings(result) if result.filings is not None else None
    scaled = set(pack.scoring.exposure.scales) if pack.scoring.exposure else set()
    return {
        "schema_version": SCHEMA_VERSION,
        "answer": answer(result, matrix),
        "tool": {"name": "screening", "version": __version__},
        "case": {
            "id": case.id,
            "title": case.title,
            "file": case.file,
            **({"summary": case.summary.strip()} if case.summary else {}),
            **({"as_of": str(case.data["as_of"])} if case.data.get("as_of") else {}),
            "investor": {
                "id": case.investor.id,
                "name": case.investor.name,
                "country": case.investor.country,
                "kind": case.investor.kind,
            },
            "target": {"name": target["name"], "country": target.get("country")},
        },
        "rule_pack": {"name": pack.name, "version": pack.version, "digest": pack.digest, "rules": len(pack.rules)},
        "score": number(result.score),
        "level": result.level,
        **({"waivers_judged_on": result.waivers_on} if result.waivers_on else {}),
        **({"undated": undated(result)} if undated(result) else {}),
        "math": {
            "subtotal": number(result.subtotal),
            "score_from_rules": number(result.score_from_rules),
            "level_from_score": result.level_from_score,
            "levels": [{"level": name, "min": number(m)} for name, m in pack.scoring.levels],
            "floors": [
                {"id": f.id, "level": f.level, "rules": list(f.rules), "reason": f.reason} for f in result.floors
            ],
            **({"exposure": exposure(result)} if result.pack.scoring.exposure else {}),
        },
        "categories": [
            {
                "id": c.id,
                "title": c.title,
                "cap": None if c.cap is None else number(c.cap),
                "raw": number(c.raw),
                "capped": number(c.capped),
                "mitigation_credit": number(c.credit),
                **({"exposure_factor": number(round(c.factor, 4))} if c.id in scaled else {}),
                "score": number(c.score),
                "rules": list(c.rules),
            }
            for c in result.categories
        ],
        "findings": [finding(f) for f in result.findings],
        "mitigations": [finding(f) for f in result.mitigations],
        "gaps": [
            {
                "facts": list(g.facts),
                "question": g.question,
                "rules": list(g.rules),
                "points_at_stake": number(g.points_at_stake),
                "could_add": number(g.could_add),
                "could_take_off": number(g.could_take_off),
            }
            for g in result.gaps
        ],
        "undecided_rules": list(result.undecided),
        "deal": deal(result),
        "ownership": ownership(result),
        "watchlist_hits": result.facts.get("group.watchlist_hits"),
        "thresholds": thresholds(result),
        **({"filings": matrix} if matrix is not None else {}),
        "sources": [plain(case.sources[s].as_dict()) for s in cited if s in case.sources],
        # the case's own reference list, so that every source id the report shows (the deal's, the chain's)
        # can be looked up: the sources no finding cites, in the case's order
        **({"other_sources": others} if (others := other_sources(result, cited)) else {}),
        **({"explain": explain(result)} if with_explanation else {}),
    }


def _open_text(result: Any) -> str:
    """The sentence that tells a high risk with no filing established apart from one no filing catches."""
    # each question ends the part it asks in, not the sentence: "announced? The answer changes on X; EU: ..."
    parts = [f"{r}: {q.removesuffix('.')}" if q else r for r, q in result.uncaught_open]
    text = (
        f"{result.level.capitalize()} risk ({num(result.score)}) that no filing obligation is known to catch: "
        f"no regime requires a filing on the facts given, and whether one does is not determinable in "
        + "; ".join(parts)
    )
    return text if text.endswith(("?", ".")) else text + "."


def takes_off_only(add: float, off: float, stake: float) -> bool:
    """Whether a gap's answer can only take points off: it adds nothing, and it takes something off or decides
    no risk rule (a question on mitigations alone, even one that could take off nothing)."""
    return not add and bool(off or not stake)


def moves(gap: dict[str, Any], mark: str = "") -> str:
    """``could add 25.69 to the score``, ``could take off 52.08`` (a mitigation question), or both: what a gap's
    answer could do to the score, its figure between ``mark`` (``**`` for bold)."""
    add, off = gap["could_add"], gap.get("could_take_off") or 0
    only_off = takes_off_only(add, off, gap.get("points_at_stake") or 0)
    said = [] if only_off else [f"could add {mark}{num(add)}{mark} to the score"]
    return "; ".join([*said, *([f"could take off {mark}{num(off)}{mark}"] if off or only_off else [])])
