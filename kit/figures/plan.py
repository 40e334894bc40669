"""Planning outputs (seed 002): the Account Development Plan and the QBR view.

- :func:`account_plan` (internal): goals from the recommended objectives (category
  objectives, weakest elements, warnings, whitespace), a stakeholder plan (who to meet
  next, by level and buying center) and actions with owner and date left to fill.
- :func:`qbr_view` (client-facing): partnership review, progress against the previous
  quarter, wins, challenges and next steps, built only from client-safe figures: no
  rater names or comments, no warnings, no competitor notes, no plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kit.figures.model import PortfolioModel
from kit.figures.words import count
from kit.periods import quarter_start
from kit.schema import ELEMENT_NAMES

__all__ = [
    "ACTION_ROWS",
    "CLIENT_STEPS",
    "AccountPlan",
    "QBRView",
    "account_plan",
    "qbr_view",
    "stakeholder_plan",
    "write_plan",
]

#: next steps for the client, phrased for both sides, by weak element
CLIENT_STEPS: dict[str, str] = {
    "client_understanding": "Hold a working session on your strategy and priorities for the coming year",
    "account_strategy": "Review together where our work supports your plans for the coming year",
    "value_of_work": "Agree how we measure the value of our work, and the next goals",
    "relationships": "Set up regular meetings between your leaders and ours",
    "delivery_quality": "Review open delivery issues and the survey results together",
    "firm_as_partner": "Introduce our specialists on the topics that matter most to you",
    "account_governance": "Set a quarterly review rhythm with agreed measures",
    "leading_people": "Confirm the team and its continuity for the next quarter",
    "brand_marketing": "Share relevant insights and events from our firm",
    "pipeline_health": "Plan together the work for the coming quarters",
}

#: empty action rows in the plan, for the account manager to fill
ACTION_ROWS = 6
STATUSES = ("not started", "in progress", "done", "dropped")


@dataclass(frozen=True)
class AccountPlan:
    """One account's development plan: three tables."""

    account_id: str
    account_name: str
    as_of: str
    goals: pd.DataFrame         # goal, why, source, owner, due, status
    stakeholders: pd.DataFrame  # priority, buying_center, level, who, why, owner, due
    actions: pd.DataFrame       # action, goal, owner, due, status (blank rows)


def stakeholder_plan(model: PortfolioModel, account_id: str) -> pd.DataFrame:
    """Who to meet next, by level and buying center, with the reason.

    Rules, in order: (1) each buying center with T4Q revenue but no active executive
    contact needs an executive sponsor (an active contact there may introduce one);
    (2) each key supporter who left needs a successor in the same buying center;
    (3) a single-threaded account needs decision makers in its buying centers with
    revenue that have none; (4) active executive contacts not contacted within
    ``no_executive_contact_quarters`` should be met again; (5) the best cross-sell
    buying center needs its buyer of the offering.
    """
    m, s = model, model.settings
    f = m.account(account_id)
    as_of = pd.Timestamp(m.as_of)
    # rules 1-4 read the contacts: without contacts.csv they cannot tell who is missing
    # (an empty table here, and the report says what would fill the plan)
    contacts = m.portfolio.table("contacts")
    c = contacts[(contacts["account_id"] == account_id) & (contacts["first_met"].isna() | (contacts["first_met"] <= as_of))]
    active = c[c["active"].astype(bool)]
    rows: list[dict] = []

    def name_of(r) -> str:
        title = f", {r['title']}" if isinstance(r.get("title"), str) else ""
        return f"{r['name'] if isinstance(r.get('name'), str) else r['contact_id']}{title}"

    for bc in f["uncovered_buying_centers"]:
        there = active[(active["buying_center"] == bc)]
        intro = there.sort_values("level", key=lambda l: l.map({"senior": 0, "manager": 1, "staff": 2}).fillna(3)).head(1)
        who = ("an executive sponsor; ask " + name_of(intro.iloc[0]) + " for an introduction") if len(intro) else "an executive sponsor (no contact there yet)"
        rows.append({"buying_center": bc, "level": "executive", "who": who,
                     "why": f"{bc} has T4Q revenue but no active executive contact"})
    left = c[(c["advocate"].astype(bool) | (c["role"] == "decision_maker")) & ~c["active"].astype(bool)
             & (c["last_contact"] >= pd.Timestamp(quarter_start(m.quarter - 3)))]
    for _, r in left.iterrows():
        rows.append({"buying_center": r["buying_center"] or "", "level": r["level"] or "",
                     "who": f"a successor to {name_of(r)}",
                     "why": f"a key supporter ({'advocate' if r['advocate'] else 'decision maker'}) no longer active"})
    if pd.notna(f["decision_makers"]) and f["decision_makers"] <= s.single_threaded_max:
        with_dm = set(active[active["role"] == "decision_maker"]["buying_center"].dropna())
        t4 = m.portfolio.table("revenue")
        t4 = t4[(t4["account_id"] == account_id) & (t4["quarter"] > m.quarter - 4) & (t4["quarter"] <= m.quarter)]
        bcs = t4.groupby("buying_center")["amount"].sum().sort_values(ascending=False)
        for bc in [b for b in bcs[bcs > 0].index if b not in with_dm][:2]:
            rows.append({"buying_center": bc, "level": "executive or senior", "who": "a decision maker",
                         "why": f"single-threaded: {count(int(f['decision_makers']), 'active decision maker')} in the account"})
    recent = pd.Timestamp(quarter_start(m.quarter - s.no_executive_contact_quarters + 1))
    lapsed = active[(active["level"] == "executive") & (active["last_contact"].isna() | (active["last_contact"] < recent))]
    for _, r in lapsed.iterrows():
        last = "never recorded" if pd.isna(r["last_contact"]) else f"{r['last_contact']:%Y-%m-%d}"
        rows.append({"buying_center": r["buying_center"] or "", "level": "executive", "who": name_of(r),
                     "why": f"executive contact, last contact {last}"})
    cs = m.cross_sell[m.cross_sell["account_id"] == account_id].head(1)
    for r in cs.itertuples(index=False):
        rows.append({"buying_center": r.buying_center, "level": "senior", "who": f"the buyer of {r.offering}",
                     "why": f"cross-sell: {r.offering} is bought by {r.bought_by}, not yet by {r.buying_center}"})
    out = pd.DataFrame(rows, columns=["buying_center", "level", "who", "why"]).drop_duplicates(subset=["buying_center", "who"])
    out.insert(0, "priority", range(1, len(out) + 1))
    return out.assign(owner="", due="").reset_index(drop=True)


def account_plan(model: PortfolioModel, account_id: str) -> AccountPlan:
    """The Account Development Plan of one account (internal)."""
    f = model.account(account_id)
    rec = model.recommendations[model.recommendations["account_id"] == account_id]
    words = {"warning": "early warning", "element": "weak element", "whitespace": "whitespace",
             "category": f"{f['category']} objective"}
    goals = pd.DataFrame({"goal": rec["objective"].to_numpy(), "why": rec["because"].to_numpy(),
                          "source": rec["source"].map(words).to_numpy()}).assign(owner="", due="", status="")
    actions = pd.DataFrame({"action": [""] * ACTION_ROWS, "goal": "", "owner": "", "due": "", "status": ""})
    return AccountPlan(account_id=account_id, account_name=str(f["account_name"]), as_of=model.as_of.isoformat(),
                       goals=goals, stakeholders=stakeholder_plan(model, account_id), actions=actions)


@dataclass(frozen=True)
class QBRView:
    """The client-facing quarterly business review of one account."""

    partnership: list[str]
    progress: pd.DataFrame   # measure, previous, latest, change (NaN: unknown, e.g. before the data starts)
    wins: pd.DataFrame       # closed, offering, buying_center, amount
    challenges: list[str]
    next_steps: list[str]


def _quarter_sum(revenue: pd.DataFrame, q: int, *, data_start: int | None) -> float:
    """The account's revenue in quarter ``q``; NaN (unknown, never 0) when ``q`` lies
    before the revenue data starts (``data_start``: its first quarter, None: no revenue)."""
    if data_start is None or q < data_start:
        return float("nan")
    return float(revenue[revenue["quarter"] == q]["amount"].sum())


def qbr_view(model: PortfolioModel, account_id: str) -> QBRView:
    """Partnership review, progress against the previous quarter, wins, challenges and
    next steps: client-safe figures only (no warnings, rater names or comments, no
    competitor notes, no internal plan)."""
    m, s = model, model.settings
    f = m.account(account_id)
    rev = m.portfolio.table("revenue")
    rev = rev[(rev["account_id"] == account_id) & (rev["quarter"] <= m.quarter)]
    Q = m.quarter
    partnership = []
    if pd.notna(f["first_quarter"]):
        first = int(f["first_quarter"])
        data_first = int(m.portfolio.table("revenue")["quarter"].min())
        # a quarter as the client writes it (Q4 2022), not the kit's 2022Q4
        label = f"Q{first % 4 + 1} {first // 4}"
        since = f"at least {label}, the first quarter of our records" if first == data_first else label
        partnership.append(f"Working together since {since}.")
    t4 = rev[rev["quarter"] > Q - 4]
    bcs = sorted(t4[t4["amount"] > 0]["buying_center"].unique())
    offers = sorted(t4[t4["amount"] > 0]["offering"].unique())
    if bcs:
        partnership.append(f"In the last four quarters we served {count(len(bcs), 'part')} of your organization "
                           f"({', '.join(bcs)}) with {count(len(offers), 'offering')} ({', '.join(offers)}).")
    if pd.notna(f["assessed_on"]):
        # when, not the score: the headline and the review's own part show it (two places at most)
        partnership.append(f"We last reviewed the partnership together on {f['assessed_on']:%d %B %Y}; "
                           "the scores follow in this review.")
    # the quarter before the revenue data starts is unknown, not a quarter without revenue
    rows = [["Revenue in the quarter", _quarter_sum(rev, Q - 1, data_start=m.data_start),
             _quarter_sum(rev, Q, data_start=m.data_start), "money"]]
    if pd.notna(f["health_index"]):
        rows.append(["Assessment health index (0-100)", f["previous_health_index"], f["health_index"], "num"])
    if f["nps_n"] > 0:
        rows.append(["NPS, last 4 quarters (-100..100)", f["nps_prior"], f["nps"], "num"])
    if f["csat_n"] > 0:
        rows.append(["CSAT, last 4 quarters (1-5)", f["csat_prior"], f["csat"], "num2"])
    progress = pd.DataFrame(rows, columns=["measure", "previous", "latest", "kind"])
    progress["change"] = progress["latest"] - progress["previous"]
    opp = m.portfolio.table("opportunities")
    start = pd.Timestamp(quarter_start(Q - 3))
    won = opp[(opp["account_id"] == account_id) & opp["is_won"] & (opp["close_date"] >= start)
              & (opp["close_date"] <= pd.Timestamp(m.as_of))]
    # no competitor notes: whether a win was competitive is not shown
    wins = won.sort_values("close_date")[["close_date", "offering", "buying_center", "amount"]].rename(columns={"close_date": "closed"})
    challenges = []
    el = m.assessment.elements
    mine = el[(el["account_id"] == account_id) & el["score"].notna()]
    for r in mine[mine["rag"] == "red"].sort_values("score").head(3).itertuples(index=False):
        challenges.append(f"{ELEMENT_NAMES[r.element]} is rated {r.score:.0f} of 100 in our joint assessment.")
    if f["nps_n"] > 0 and pd.notna(f["nps_prior"]) and f["nps"] <= f["nps_prior"] - s.nps_decline:
        challenges.append(f"Satisfaction fell: NPS {f['nps']:.0f} against {f['nps_prior']:.0f} the year before.")
    if f["csat_n"] > 0 and pd.notna(f["csat_prior"]) and f["csat"] <= f["csat_prior"] - s.csat_decline:
        challenges.append(f"Satisfaction fell: CSAT {f['csat']:.2f} against {f['csat_prior']:.2f} the year before.")
    steps = [CLIENT_STEPS[r.element] for r in mine[mine["rag"].isin(["red", "amber"])].sort_values("score").head(2).itertuples(index=False)]
    steps.append("Agree together the priorities and success measures for the next quarter.")
    return QBRView(partnership=partnership, progress=progress, wins=wins, challenges=challenges, next_steps=steps)


def write_plan(plan: AccountPlan, path, *, notes: list[str] | None = None) -> object:
    """The plan as an editable workbook (sheets Goals, Stakeholders, Actions), with
    status drop-downs, for the account manager to keep (``notes``: see
    :func:`kit.files.workbooks.write_workbook`)."""
    from pathlib import Path

    from kit.files.workbooks import write_workbook

    title = f"Account Development Plan: {plan.account_name} ({plan.account_id}), analysis date {plan.as_of}"
    return write_workbook({"Goals": plan.goals, "Stakeholders": plan.stakeholders, "Actions": plan.actions}, Path(path),
                          title=title, choices={"status": STATUSES}, notes=notes)
