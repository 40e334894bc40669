"""Synthetic client portfolios in the data contract, for demos, tests and benchmarks.

:func:`make_portfolio` returns one DataFrame per input table (all but ``questions``:
the kit's default question bank is used) and :func:`write_portfolio` writes them as the
CSV folder ``kit run --data`` reads.  The shipped ``data/sample`` is
``make_portfolio(40, seed=7)``.

Design
------
Every account gets an *archetype* from :data:`_CYCLE` by its position (``i % 16``):
a relationship category with a revenue shape, a market-position (BCG) quadrant and an
intended health x hygiene quadrant.  The sixteen slots are arranged so that any 16
consecutive accounts hold all four categories, all four BCG quadrants and all four
health x hygiene quadrants (among the assessed accounts), and the first four accounts
already cover the four categories and BCG quadrants.  Random draws only vary the
numbers inside an archetype; a few checks after drawing (T4Q size of Strategic and Core
accounts, growth direction of accounts without targets, the health index side of the
60 threshold) keep every account in the class it was meant for.

Everything derives from ``seed`` and ``end_quarter``: one generator per account is
spawned from ``numpy.random.default_rng(seed)``, so an account's numbers do not shift
when ``n_accounts`` changes (only names of managers and colleagues are portfolio-wide);
no global seed is set and today's date is never read.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kit.periods import QUARTER_RE, quarter_end, quarter_label, quarter_start
from kit.schema import (
    ACTIVITY_TYPES,
    CONTACT_LEVELS,
    CONTACT_ROLES,
    ELEMENT_IDS,
    INTERNAL_ROLES,
    TABLES,
)

__all__ = ["SYNTH_TABLES", "make_portfolio", "write_portfolio"]

#: Tables :func:`make_portfolio` returns, in contract order (``questions`` and
#: ``objectives`` are left to the kit's default banks).
SYNTH_TABLES: tuple[str, ...] = tuple(t for t in TABLES if TABLES[t].has_account_id)

# Questions every element of the default bank is guaranteed to have (it has 3 to 6).
_QUESTIONS_PER_ELEMENT = 3

# --- vocabulary ---------------------------------------------------------------------
_BUYING_CENTERS = ("Finance", "Operations", "IT", "Marketing", "HR", "Supply Chain", "Legal")
_OFFERINGS = ("Advisory", "Implementation", "Managed Services", "Training", "Analytics")
_INDUSTRIES: dict[str, tuple[str, ...]] = {
    "Financial Services": ("Bank", "Capital", "Financial"),
    "Healthcare": ("Health", "Medical", "Care"),
    "Manufacturing": ("Industries", "Manufacturing", "Works"),
    "Retail": ("Retail", "Stores", "Brands"),
    "Energy & Utilities": ("Energy", "Power", "Utilities"),
    "Technology": ("Systems", "Software", "Technologies"),
    "Logistics": ("Logistics", "Freight", "Shipping"),
    "Insurance": ("Insurance", "Assurance", "Mutual"),
}
_REGIONS = ("North America", "EMEA", "APAC", "LATAM", "DACH", "Nordics", "UK & Ireland")
_STEMS = (
    "Northwind", "Contoso", "Fabrikam", "Tailspin", "Wingtip", "Litware", "Proseware",
    "Lucerne", "Blue Yonder", "Coho", "Alpine", "Woodgrove", "Humongous", "Trey",
    "Datum", "Wide World", "Southridge", "Relecloud", "Lamna", "Bellows", "Nordic Crest",
    "Ironbridge", "Harbor Point", "Silverline", "Redwood", "Granite Peak", "Clearwater",
    "Summit", "Meridian", "Pinecrest", "Oakhurst", "Brightwater", "Stonegate", "Kestrel",
    "Evergreen", "Bluewater", "Highland", "Riverside", "Crescent", "Falcon",
)
# Names that need HTML escaping or CSV quoting; given to fixed early positions so even
# a small portfolio exercises them.
_SPECIAL_NAMES: dict[int, str] = {
    2: "O'Brien & Sons <Holdings>",
    5: "Müller & Töchter GmbH",
    9: 'Smith "Quality" Foods, Inc.',
    12: "Åkesson <Nordic> AB",
}
_FIRST = (
    "James", "Maria", "Wei", "Fatima", "Liam", "Olivia", "Noah", "Ana", "Lukas", "Chloé",
    "Mateo", "Aarav", "Yuki", "Sven", "Zoë", "Kofi", "Ingrid", "Diego", "Mei", "Omar",
    "Grace", "Henrik", "Nadia", "Pedro", "Saoirse", "Elena", "Tariq", "Lucía", "Hiroshi",
    "Amara",
)
_LAST = (
    "Smith", "García", "Chen", "O'Brien", "Müller", "Kowalski", "Nguyen", "Rossi",
    "Johansson", "Okafor", "Dubois", "Silva", "Tanaka", "Haddad", "Schmidt", "Patel",
    "Andersen", "Fernández", "Kim", "MacDonald", "D'Souza", "Novak", "Ivanova", "Brennan",
    "Yilmaz",
)
_EXEC_TITLES = {
    "Finance": "Chief Financial Officer", "Operations": "Chief Operating Officer",
    "IT": "Chief Information Officer", "Marketing": "Chief Marketing Officer",
    "HR": "Chief People Officer", "Supply Chain": "SVP Supply Chain",
    "Legal": "General Counsel",
}
_COMMENTS = (
    "Strong <b>executive</b> sponsor",
    "Scope & pricing disputes last quarter",
    'Client called us "a true partner"',
    "No plan for new buying centers",
    "Delivery lead rotated twice",
    "Relies on one champion",
    "Great team, weak follow-up",
    "Pipeline mostly renewals & extensions",
)
_MEETING_NOTES = (
    "Status check-in", "Roadmap workshop", "Discussed renewal & expansion",
    "Follow-up on <delivery> issues", "Intro to new sponsor", "Budget planning",
    "Steering committee", None,
)
_OPEN_STAGES = {"qualify": (0.10, 0.25), "propose": (0.30, 0.50), "negotiate": (0.60, 0.85)}

# Element tilts per intended quadrant (1-5 points, centered before use): a coasting
# account delivers well but has thin relationships and pipeline; a building one invests
# in relationships and pipeline while delivery lags.
_TILTS: dict[str, dict[str, float]] = {
    "Coasting": {"delivery_quality": 0.7, "value_of_work": 0.3, "client_understanding": 0.2,
                 "relationships": -0.5, "pipeline_health": -0.6, "account_strategy": -0.4,
                 "brand_marketing": -0.2},
    "Building": {"relationships": 0.4, "pipeline_health": 0.5, "account_strategy": 0.3,
                 "delivery_quality": -0.4, "account_governance": -0.2},
    "At risk": {"delivery_quality": -0.5, "relationships": -0.3},
    "Thriving": {},
}
# Change of the mean rating since the previous workshop, by quadrant (previous minus now).
_PREVIOUS_SHIFT = {"Coasting": 0.5, "Building": -0.4, "At risk": 0.3, "Thriving": 0.0}

_HEALTHY = {"Thriving": True, "Building": True, "Coasting": False, "At risk": False}
_HYGIENIC = {"Thriving": True, "Coasting": True, "Building": False, "At risk": False}


@dataclass(frozen=True)
class _Archetype:
    """What an account is meant to look like (``quadrant`` None: not assessed)."""

    category: str
    bcg: str
    quadrant: str | None
    shape: str


# Sixteen slots: 3 Strategic, 6 Core, 4 Beachhead, 3 Greenfield; each BCG quadrant 4
# times; each health x hygiene quadrant 3-4 times among the 13 assessable slots.
_CYCLE: tuple[_Archetype, ...] = (
    _Archetype("Strategic", "Star", "Thriving", "strategic"),
    _Archetype("Core", "Cash cow", "Coasting", "core"),
    _Archetype("Beachhead", "Question mark", "Building", "beachhead_single"),
    _Archetype("Greenfield", "Dog", None, "greenfield_none"),
    _Archetype("Core", "Dog", "At risk", "core_gap"),
    _Archetype("Strategic", "Cash cow", "Coasting", "strategic"),
    _Archetype("Beachhead", "Star", "At risk", "beachhead_sporadic_new"),
    _Archetype("Core", "Question mark", "Thriving", "core_new"),
    _Archetype("Greenfield", "Star", None, "greenfield_lapsed"),
    _Archetype("Strategic", "Dog", "Building", "strategic"),
    _Archetype("Core", "Star", "Building", "core"),
    _Archetype("Beachhead", "Cash cow", "Coasting", "beachhead_sporadic_new"),
    _Archetype("Core", "Question mark", "At risk", "core"),
    _Archetype("Beachhead", "Dog", "Thriving", "beachhead_single_new"),
    _Archetype("Core", "Cash cow", "Thriving", "core"),
    _Archetype("Greenfield", "Question mark", None, "greenfield_none"),
)


@dataclass
class _Account:
    """One account's identity, archetype and the facts later tables build on."""

    index: int
    account_id: str
    name: str
    industry: str
    region: str
    manager: str
    colleagues: tuple[str, ...]  # the firm's other staff, who rate in workshops
    arch: _Archetype
    rng: np.random.Generator
    has_targets: bool
    assessed: bool
    stale: bool
    previous_workshop: bool
    few_nps: bool
    buying_centers: list[str] = field(default_factory=list)
    first_q: int | None = None  # first quarter with revenue (None: never bought)
    t4q: float = 0.0
    quarterly: dict[int, float] = field(default_factory=dict)
    bought: set[tuple[str, str]] = field(default_factory=set)
    contacts: list[dict] = field(default_factory=list)
    opportunities: list[dict] = field(default_factory=list)

    @property
    def healthy(self) -> bool | None:
        return _HEALTHY.get(self.arch.quadrant) if self.arch.quadrant else None

    @property
    def hygienic(self) -> bool | None:
        return _HYGIENIC.get(self.arch.quadrant) if self.arch.quadrant else None


# --- public API ---------------------------------------------------------------------
def make_portfolio(
    n_accounts: int,
    *,
    seed: int = 0,
    end_quarter: str = "2026Q3",
    n_quarters: int = 16,
) -> dict[str, pd.DataFrame]:
    """Make a synthetic portfolio of ``n_accounts`` accounts in the data contract.

    Parameters
    ----------
    n_accounts : int
        Number of accounts (at least 1).  With 16 or more, every relationship category,
        market-position quadrant and health x hygiene quadrant occurs.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``; the same seed gives identical tables.
    end_quarter : str, default "2026Q3"
        Last quarter of revenue (quarter label); the analysis quarter of the data.
    n_quarters : int, default 16
        Quarters of revenue history ending at ``end_quarter`` (12 to 40).

    Returns
    -------
    dict of str to pandas.DataFrame
        One table per name of :data:`SYNTH_TABLES`, columns as the contract orders them.
    """
    end_q = _check_args(n_accounts, seed, end_quarter, n_quarters)
    first_q = end_q - n_quarters + 1
    root = np.random.default_rng(seed)
    # Children are keyed by position: account i draws the same numbers for any n_accounts.
    children = root.spawn(n_accounts)
    accounts = _make_accounts(n_accounts, root, children)

    rows: dict[str, list[tuple]] = {name: [] for name in SYNTH_TABLES}
    for acc in accounts:
        rows["revenue"] += _revenue(acc, first_q, end_q)
        rows["targets"] += _targets(acc, end_q)
        rows["contacts"] += _contacts(acc, first_q, end_q)
        rows["opportunities"] += _opportunities(acc, end_q)
        rows["assessment"] += _assessment(acc, end_q)
        rows["activities"] += _activities(acc, first_q, end_q)
        rows["surveys"] += _surveys(acc, first_q, end_q)
    rows["accounts"] = [_account_row(acc) for acc in accounts]
    return {name: _frame(name, rows[name]) for name in SYNTH_TABLES}


def write_portfolio(tables: Mapping[str, pd.DataFrame], out_dir: str | Path) -> list[Path]:
    """Write each table as ``<table>.csv`` (UTF-8, header row, ``\\n`` line ends).

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        Tables as :func:`make_portfolio` returns them; names must be input tables of
        the contract.
    out_dir : str or Path
        Folder to write into; created when missing.  Existing files of the same names
        are replaced.

    Returns
    -------
    list of Path
        The files written, in the order of ``tables``.
    """
    unknown = [name for name in tables if name not in TABLES]
    if unknown:
        raise ValueError(f"tables: unknown table name(s) {unknown}; expected some of {list(TABLES)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in tables.items():
        path = out / f"{name}.csv"
        _csv_ready(df).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        written.append(path)
    return written


# --- arguments and output -----------------------------------------------------------
def _check_args(n_accounts: object, seed: object, end_quarter: object, n_quarters: object) -> int:
    """Validate the arguments; the quarter index of ``end_quarter``."""
    def is_int(v: object) -> bool:
        return isinstance(v, (int, np.integer)) and not isinstance(v, bool)

    if not is_int(n_accounts) or n_accounts < 1:
        raise ValueError(f"n_accounts must be an integer >= 1, got {n_accounts!r}")
    if not is_int(seed) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    if not is_int(n_quarters) or not 12 <= n_quarters <= 40:
        raise ValueError(f"n_quarters must be an integer between 12 and 40, got {n_quarters!r}")
    m = QUARTER_RE.match(end_quarter) if isinstance(end_quarter, str) else None
    if m is None:
        raise ValueError(f"end_quarter must be a quarter label like '2026Q3', got {end_quarter!r}")
    return int(m.group(1)) * 4 + int(m.group(2)) - 1


def _frame(name: str, rows: list[tuple]) -> pd.DataFrame:
    """A table with the contract's columns and the dtypes its values need."""
    columns = [c.name for c in TABLES[name].columns]
    df = pd.DataFrame(rows, columns=columns)
    for col in TABLES[name].columns:
        if col.kind == "int" or (name in ("assessment", "surveys") and col.name == "score"):
            # Nullable integers: a blank score stays blank and 4 is written as "4".
            df[col.name] = df[col.name].astype("Int64")
        elif col.kind == "number":
            df[col.name] = df[col.name].astype("float64")
        # Text stays as built (None = blank): astype(str) would write "None" on pandas 2.
    return df


def _csv_ready(df: pd.DataFrame) -> pd.DataFrame:
    """Floats rounded to 4 decimals at most, so no binary noise reaches the files."""
    floats = df.select_dtypes("float").columns
    return df.assign(**{c: df[c].round(4) for c in floats}) if len(floats) else df


# --- accounts -----------------------------------------------------------------------
def _make_accounts(
    n: int, root: np.random.Generator, children: list[np.random.Generator]
) -> list[_Account]:
    """Identities (ids, names, managers) and per-account plans."""
    n_managers = max(1, round(n / 6.5))  # about one account manager per 5-8 accounts
    managers = _people(root, n_managers)
    colleagues = tuple(_people(root, 8 + n // 4, exclude=set(managers)))
    # A shuffled round robin keeps loads within one of each other yet not in id order.
    manager_of = [managers[k % n_managers] for k in root.permutation(n)]
    used_names: set[str] = set()
    accounts = []
    for i, rng in enumerate(children):
        arch = _CYCLE[i % len(_CYCLE)]
        industry = str(rng.choice(list(_INDUSTRIES)))
        name = _SPECIAL_NAMES.get(i) or _company_name(rng, industry, used_names)
        used_names.add(name)
        non_green = arch.category != "Greenfield"
        accounts.append(_Account(
            index=i,
            # Numeric ids with leading zeros for every third account: they must stay text.
            account_id=f"{i * 97 + 41:05d}" if i % 3 == 1 else f"ACC-{i + 1:04d}",
            name=name,
            industry=industry,
            region=str(rng.choice(_REGIONS)),
            manager=manager_of[i],
            colleagues=colleagues,
            arch=arch,
            rng=rng,
            # No targets: the last Greenfield slot, plus one Core account in every
            # second cycle (the kit then judges its hygiene by growth).
            has_targets=not (i % 16 == 15 or i % 32 == 26),
            # Most non-Greenfield accounts are assessed; one in 24 is not.
            assessed=non_green and i % 24 != 20,
            stale=non_green and i % 24 == 22,
            previous_workshop=non_green and i % 3 == 0,
            few_nps=arch.shape.startswith("beachhead_single"),
        ))
    return accounts


def _company_name(rng: np.random.Generator, industry: str, used: set[str]) -> str:
    for _ in range(50):
        name = f"{rng.choice(_STEMS)} {rng.choice(_INDUSTRIES[industry])}"
        if name not in used:
            return name
    k = 2
    while f"{name} {k}" in used:
        k += 1
    return f"{name} {k}"


def _people(rng: np.random.Generator, k: int, exclude: Collection[str] = ()) -> list[str]:
    """``k`` distinct person names (numbered once the name pool runs out)."""
    names: list[str] = []
    seen = set(exclude)
    while len(names) < k:
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        if name in seen:
            if len(seen) >= len(_FIRST) * len(_LAST):
                name = f"{name} {len(names) + 2}"
            else:
                continue
        seen.add(name)
        names.append(name)
    return names


def _account_row(acc: _Account) -> tuple:
    rng = acc.rng
    high_growth = acc.arch.bcg in ("Star", "Question mark")
    high_share = acc.arch.bcg in ("Star", "Cash cow")
    # Ranges keep clear of the thresholds (0.10, 1.0) so rounding never flips a class.
    growth = round(rng.uniform(0.12, 0.35) if high_growth else rng.uniform(-0.05, 0.08), 3)
    share = round(rng.uniform(1.05, 3.0) if high_share else rng.uniform(0.1, 0.9), 2)
    if acc.index % 20 == 11:  # 1-2 accounts per 40 with an unknown market position
        if (acc.index // 20) % 2 == 0:
            growth = None
        else:
            share = None
    if acc.t4q > 0:
        wallet = acc.t4q * rng.uniform(1.4, 6.0)
    else:
        wallet = rng.uniform(0.4e6, 4e6)
    return (acc.account_id, acc.name, acc.industry, acc.region, acc.manager, growth, share,
            float(round(wallet, -3)))


# --- revenue ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Stream:
    """One buying center buying one offering from ``start`` to ``end`` (inclusive)."""

    bc: str
    offering: str
    start: int
    end: int
    weight: float
    p: float = 1.0  # chance of revenue in a quarter (1.0: recurring)


def _revenue(acc: _Account, first_q: int, end_q: int) -> list[tuple]:
    rng = acc.rng
    shape = acc.arch.shape
    streams, gaps, annual = _streams(acc, first_q, end_q)
    hygienic = acc.hygienic
    # Hygienic accounts grow; others may not.  Without targets the direction decides
    # hygiene, so it is drawn clear of zero.
    if hygienic is None:
        growth = rng.uniform(-0.1, 0.15)
    elif hygienic:
        growth = rng.uniform(0.04, 0.15)
    else:
        growth = rng.uniform(-0.15, -0.05) if not acc.has_targets else rng.uniform(-0.12, 0.08)
    margin = rng.uniform(0.27, 0.42)
    total_w = sum(s.weight for s in streams) or 1.0

    # cell -> [amount, credit fraction]: an occasional small credit note goes against
    # the same line (never in a Greenfield account's last 12 quarters: it has no lines
    # there).  Credits are drawn first so the class checks below see net revenue.
    cells: dict[tuple[int, str, str], list[float]] = {}
    for s in streams:
        for q in range(s.start, s.end + 1):
            if q in gaps or (s.p < 1.0 and rng.random() >= s.p):
                continue
            trend = (1 + growth) ** ((q - end_q) / 4)
            amount = annual / 4 * s.weight / total_w * trend * rng.lognormal(0.0, 0.15)
            credit = rng.uniform(0.02, 0.15) if rng.random() < 0.03 else 0.0
            cells[(q, s.bc, s.offering)] = [amount, credit]

    _fix_revenue(acc, cells, end_q, shape)
    rows = []
    for (q, bc, off), (amount, credit) in sorted(cells.items()):
        gm = round(float(np.clip(margin + rng.normal(0, 0.04), 0.2, 0.5)), 2)
        rows.append((acc.account_id, quarter_label(q), round(amount, 2), bc, off, gm))
        if credit:
            rows.append((acc.account_id, quarter_label(q), -round(amount * credit, 2), bc, off, gm))
        acc.bought.add((bc, off))
    for (q, _, _), (amount, credit) in cells.items():
        net = round(amount, 2) - (round(amount * credit, 2) if credit else 0.0)
        acc.quarterly[q] = acc.quarterly.get(q, 0.0) + net
    acc.first_q = min((q for q, _, _ in cells), default=None)
    acc.t4q = sum(v for q, v in acc.quarterly.items() if q > end_q - 4)
    acc.buying_centers = list(dict.fromkeys(s.bc for s in streams)) or _pick_bcs(rng, 2)
    return rows


def _pick_bcs(rng: np.random.Generator, k: int) -> list[str]:
    return [str(b) for b in rng.choice(_BUYING_CENTERS, size=k, replace=False)]


def _streams(acc: _Account, first_q: int, end_q: int) -> tuple[list[_Stream], set[int], float]:
    """Revenue streams, quarters without any revenue, and the annual revenue scale."""
    rng = acc.rng
    shape = acc.arch.shape
    streams: list[_Stream] = []
    gaps: set[int] = set()

    def anchor_and_extras(bc: str, start: int, weight: float, n_extra: int, end: int = end_q,
                          extra_p: float = 0.5) -> None:
        offs = [str(o) for o in rng.choice(_OFFERINGS, size=1 + n_extra, replace=False)]
        streams.append(_Stream(bc, offs[0], start, end, weight))
        for off in offs[1:]:
            # A later start for an existing buying center is a crop rotation; most are
            # added in the first half of the relationship so far.
            extra_start = start + int(rng.integers(1, (end - start) // 2 + 2)) if end > start else start
            streams.append(_Stream(bc, off, extra_start, end, weight * rng.uniform(0.3, 0.7), extra_p))

    if shape == "strategic":
        bcs = _pick_bcs(rng, int(rng.integers(5, 7)))
        # Three buying centers from (nearly) the start, the others join later.
        starts = [first_q, first_q, first_q + int(rng.integers(0, 3)),
                  end_q - int(rng.integers(4, 9)), end_q - int(rng.integers(1, 4)),
                  end_q - int(rng.integers(2, 7))]
        for k, bc in enumerate(bcs):
            weight = rng.uniform(1.0, 2.0) if k < 3 else rng.uniform(0.4, 0.8)
            anchor_and_extras(bc, max(first_q, starts[k]), weight, int(rng.integers(2, 4)), extra_p=0.8)
        annual = rng.uniform(1.6e6, 4.5e6)
    elif shape.startswith("core"):
        start = end_q - int(rng.integers(8, 11)) if shape == "core_new" else first_q
        start = max(start, first_q + 1) if shape == "core_new" else start
        bcs = _pick_bcs(rng, int(rng.integers(2, 5)))
        anchor_and_extras(bcs[0], start, rng.uniform(1.0, 2.0), int(rng.integers(1, 4)), extra_p=0.7)
        # The second buying center joins later (colonization) and keeps buying.
        anchor_and_extras(bcs[1], int(rng.integers(start + 1, end_q - 1)), rng.uniform(0.6, 1.2),
                          int(rng.integers(0, 3)), extra_p=0.6)
        for bc in bcs[2:]:  # occasional buyers
            streams.append(_Stream(bc, str(rng.choice(_OFFERINGS)), start, end_q,
                                   rng.uniform(0.3, 0.6), 0.35))
        if shape == "core_gap":  # one quiet quarter in the last four: still Core
            gaps.add(end_q - int(rng.integers(1, 4)))
        annual = rng.uniform(3.0e5, 8.5e5)
    elif shape.startswith("beachhead_single"):
        start = end_q - int(rng.integers(4, 8)) if shape.endswith("_new") else first_q
        anchor_and_extras(_pick_bcs(rng, 1)[0], start, 1.0, int(rng.integers(0, 2)), extra_p=0.3)
        annual = rng.uniform(6e4, 3e5)
    elif shape == "beachhead_sporadic_new":
        start = end_q - int(rng.integers(5, 9))
        bcs = _pick_bcs(rng, 2)
        anchor_and_extras(bcs[0], start, 1.0, 0)
        streams.append(_Stream(bcs[1], str(rng.choice(_OFFERINGS)), start + 1, end_q,
                               rng.uniform(0.4, 0.8), 0.5))
        # Revenue in only two of the last four quarters keeps it a Beachhead.
        gaps.update(int(q) for q in rng.choice(np.arange(end_q - 3, end_q + 1), 2, replace=False))
        annual = rng.uniform(8e4, 4e5)
    elif shape == "greenfield_lapsed" and end_q - 12 >= first_q:
        # Bought only more than 12 quarters ago: Greenfield again.
        anchor_and_extras(_pick_bcs(rng, 1)[0], first_q, 1.0, 0, end=end_q - 12)
        annual = rng.uniform(5e4, 2e5)
    else:  # greenfield_none, or a lapsed account whose history is too short to show it
        annual = 0.0
    return streams, gaps, annual


def _fix_revenue(acc: _Account, cells: dict[tuple[int, str, str], list[float]], end_q: int,
                 shape: str) -> None:
    """Rescale in place so random draws cannot move the account out of its class."""
    def net(lo: int, hi: int) -> float:
        return sum(a * (1 - c) for (q, _, _), (a, c) in cells.items() if lo <= q <= hi)

    def scale(factor: float, lo: float = -math.inf) -> None:
        for (q, _, _), cell in cells.items():
            if q >= lo:
                cell[0] *= factor

    if not cells:
        return
    if not acc.has_targets and acc.hygienic is not None:
        # Hygiene by growth: T4Q against the four quarters before must keep its sign.
        prior, t4q = net(end_q - 7, end_q - 4), net(end_q - 3, end_q)
        if prior > 0 and t4q > 0 and (t4q < prior * 1.03 if acc.hygienic else t4q > prior * 0.97):
            scale(prior * (1.06 if acc.hygienic else 0.92) / t4q, end_q - 3)
    t4q = net(end_q - 3, end_q)
    # Margins of 15-20% keep rounding clear of the 1,000,000 threshold.
    if shape == "strategic" and t4q < 1.15e6:
        scale(1.2e6 / t4q)
    elif shape.startswith("core") and t4q > 0.9e6:
        scale(0.85e6 / t4q)


# --- targets ------------------------------------------------------------------------
def _targets(acc: _Account, end_q: int) -> list[tuple]:
    """Last 8 quarters and next 4; none before the first purchase, none at all for some."""
    if not acc.has_targets:
        return []
    rng = acc.rng
    margin_rate = rng.uniform(0.28, 0.4)
    targets: dict[int, float] = {}
    if acc.t4q <= 0:
        # Greenfield (or lapsed): a hunting target that nothing has met yet.
        base = rng.uniform(1.5e4, 6e4)
        for q in range(end_q - 7, end_q + 5):
            targets[q] = base * rng.uniform(0.8, 1.2)
    else:
        hygienic = acc.hygienic if acc.hygienic is not None else bool(rng.random() < 0.5)
        attainment = rng.uniform(1.03, 1.15) if hygienic else rng.uniform(0.75, 0.93)
        t4q_target = acc.t4q / attainment
        last4 = range(end_q - 3, end_q + 1)
        # Half follows the actual quarter, half is flat: plans are smoother than revenue.
        weights = [0.5 * acc.quarterly.get(q, 0.0) / acc.t4q + 0.125 for q in last4]
        for q, w in zip(last4, weights):
            targets[q] = t4q_target * w
        for q in range(end_q - 7, end_q - 3):
            if acc.first_q is not None and q >= acc.first_q:
                targets[q] = max(acc.quarterly.get(q, 0.0), acc.t4q / 8) * rng.uniform(0.9, 1.1)
        uplift = rng.uniform(1.02, 1.12)
        for q in range(end_q + 1, end_q + 5):
            targets[q] = t4q_target / 4 * uplift * rng.uniform(0.92, 1.08)
    return [
        (acc.account_id, quarter_label(q), round(t, 2), round(t * margin_rate, 2))
        for q, t in sorted(targets.items())
    ]


# --- contacts and opportunities -----------------------------------------------------
def _rand_date(rng: np.random.Generator, lo: dt.date, hi: dt.date) -> dt.date:
    span = (hi - lo).days
    return lo + dt.timedelta(days=int(rng.integers(0, span + 1))) if span > 0 else lo


def _contacts(acc: _Account, first_q: int, end_q: int) -> list[tuple]:
    rng = acc.rng
    cat = acc.arch.category
    lo, hi = {"Strategic": (10, 16), "Core": (6, 11), "Beachhead": (3, 7), "Greenfield": (2, 5)}[cat]
    n = int(rng.integers(lo, hi))
    end_date = quarter_end(end_q)
    healthy = bool(acc.healthy)
    # Contacts sit mostly in buying centers that buy, some in ones that do not yet.
    bcs = acc.buying_centers + _pick_bcs(rng, 2)
    names = _people(rng, n)
    rows = []
    for k in range(n):
        level = str(rng.choice(CONTACT_LEVELS, p=[0.2, 0.3, 0.3, 0.2]))
        if k == 0 and cat in ("Strategic", "Core"):
            level = "executive"  # larger accounts always know at least one executive
        bc = bcs[k % len(acc.buying_centers)] if k < len(acc.buying_centers) else str(rng.choice(bcs))
        role = str(rng.choice(CONTACT_ROLES, p=[0.22, 0.3, 0.15, 0.28, 0.05]))
        strength = int(np.clip(round(rng.normal(3.6 if healthy else 2.8, 0.9)), 1, 5))
        advocate = strength >= 4 and rng.random() < 0.6
        first_met = _rand_date(rng, quarter_start(first_q) - dt.timedelta(days=730), end_date)
        # Healthy accounts keep meeting new executives: one met in the last 4 quarters.
        if healthy and k == 1:
            level, first_met = "executive", _rand_date(rng, quarter_start(end_q - 3), end_date)
        active = rng.random() > 0.12
        if not active:
            last = _rand_date(rng, first_met, max(first_met, end_date - dt.timedelta(days=200)))
        else:
            last = _rand_date(rng, max(first_met, end_date - dt.timedelta(days=150)), end_date)
        title = _EXEC_TITLES[bc] if level == "executive" else {
            "senior": f"Director, {bc}", "manager": f"{bc} Manager", "staff": f"{bc} Analyst"}[level]
        contact = {"contact_id": f"{acc.account_id}-C{k + 1:02d}", "name": names[k], "level": level,
                       "bc": bc, "role": role, "advocate": advocate, "active": active, "first_met": first_met}
        acc.contacts.append(contact)
        rows.append((acc.account_id, contact["contact_id"], names[k], title, level, bc, role,
                     strength, _b(advocate), first_met.isoformat(), last.isoformat(), _b(active)))
    # At-risk accounts lose a key supporter: their first advocate or decision maker left.
    if acc.arch.quadrant == "At risk":
        for k, c in enumerate(acc.contacts):
            if c["advocate"] or c["role"] == "decision_maker":
                c["active"] = False
                rows[k] = rows[k][:11] + (_b(False),)
                break
    return rows


def _b(flag: bool) -> str:
    return "true" if flag else "false"


def _opportunities(acc: _Account, end_q: int) -> list[tuple]:
    rng = acc.rng
    lo, hi = {"Strategic": (6, 11), "Core": (4, 8), "Beachhead": (2, 5), "Greenfield": (1, 4)}[acc.arch.category]
    n = int(rng.integers(lo, hi))
    window_start, end_date = quarter_start(end_q - 7), quarter_end(end_q)
    bought_offerings = sorted({o for _, o in acc.bought})
    scale = max(acc.t4q, 2e5)
    rows = []
    for k in range(n):
        created = _rand_date(rng, window_start, end_date - dt.timedelta(days=10))
        r = rng.random()
        stage = "won" if r < 0.3 else "lost" if r < 0.5 else str(rng.choice(list(_OPEN_STAGES)))
        if stage in ("won", "lost"):
            close = min(created + dt.timedelta(days=int(rng.integers(30, 150))), end_date)
            prob = 1.0 if stage == "won" else 0.0
        else:
            # Mostly closing in the future; about one in ten is stale (date passed).
            close = end_date + dt.timedelta(days=int(rng.integers(15, 240)))
            if rng.random() < 0.1:
                close = _rand_date(rng, created, end_date)
            prob = round(rng.uniform(*_OPEN_STAGES[stage]), 2)
        new_bc = rng.random() < 0.2 or not acc.buying_centers
        bc = str(rng.choice([b for b in _BUYING_CENTERS if b not in acc.buying_centers]
                            if new_bc else acc.buying_centers))
        # About a third propose offerings the account never bought (cross-sell).
        never = [o for o in _OFFERINGS if o not in bought_offerings]
        offering = str(rng.choice(never if (never and (rng.random() < 0.35 or not bought_offerings))
                                  else bought_offerings))
        referral = rng.random() < (0.5 if new_bc else 0.1)
        opp = {"opportunity_id": f"OPP-{acc.index + 1:04d}-{k + 1:02d}", "created": created,
                   "bc": bc, "offering": offering, "referral": referral, "stage": stage}
        acc.opportunities.append(opp)
        rows.append((acc.account_id, opp["opportunity_id"], created.isoformat(), close.isoformat(),
                     stage, round(scale * rng.uniform(0.03, 0.25), -2), prob, bc, offering,
                     _b(rng.random() < 0.4), _b(referral)))
    return rows


# --- assessment ---------------------------------------------------------------------
def _raters(acc: _Account) -> list[tuple[str, str]]:
    """(rater, role) of a workshop: the account manager, colleagues, maybe the client."""
    rng = acc.rng
    n_internal = int(rng.integers(3, 6))
    others = [str(c) for c in rng.choice(acc.colleagues, n_internal - 1, replace=False)]
    roles = ["leadership", "delivery"] + [str(rng.choice(INTERNAL_ROLES)) for _ in range(3)]
    raters = [(acc.manager, "account_team")] + list(zip(others, roles))
    taken = {r for r, _ in raters}
    clients = [c["name"] for c in acc.contacts if c["name"] not in taken]
    if clients and rng.random() < 0.4:  # a client joins some workshops
        raters = raters[:4] + [(clients[0], "client")]
    return raters


def _assessment(acc: _Account, end_q: int) -> list[tuple]:
    if not acc.assessed:
        return []
    rng = acc.rng
    raters = _raters(acc)
    healthy = bool(acc.healthy)
    quadrant = acc.arch.quadrant or "Thriving"
    latest_q = end_q - 3 if acc.stale else end_q
    rows: list[tuple] = []
    # The latest workshop is drawn until its health index is clearly on its side of 60.
    for _ in range(40):
        mu = rng.uniform(3.75, 4.2) if healthy else rng.uniform(2.4, 3.0)
        latest = _workshop(rng, acc, raters, mu, quadrant, _rand_date(
            rng, quarter_start(latest_q), quarter_end(latest_q) - dt.timedelta(days=10)))
        index = _health_index(latest)
        if (index >= 62) if healthy else (index <= 57):
            break
    if acc.previous_workshop:
        mu_prev = float(np.clip(mu + _PREVIOUS_SHIFT[quadrant] + rng.normal(0, 0.1), 1.6, 4.5))
        prev_raters = raters[:-1] if len(raters) > 3 else raters
        rows += _workshop(rng, acc, prev_raters, mu_prev, quadrant, _rand_date(
            rng, quarter_start(latest_q - 2), quarter_end(latest_q - 2) - dt.timedelta(days=10)))
    return rows + latest


def _workshop(rng: np.random.Generator, acc: _Account, raters: list[tuple[str, str]],
              mu: float, quadrant: str, day: dt.date) -> list[tuple]:
    tilt = np.array([_TILTS[quadrant].get(e, 0.0) for e in ELEMENT_IDS])
    tilt = tilt + rng.normal(0, 0.3, len(ELEMENT_IDS))
    level = mu + tilt - tilt.mean()
    bias = [rng.normal(-0.25, 0.3) if role == "client" else rng.normal(0, 0.3) for _, role in raters]
    # About half the workshops have one element where one rater sees it very differently.
    odd = (int(rng.integers(len(ELEMENT_IDS))), int(rng.integers(1, len(raters)))) \
        if rng.random() < 0.5 else None
    rows = []
    for r, (rater, role) in enumerate(raters):
        for e, element in enumerate(ELEMENT_IDS):
            m = level[e] + bias[r]
            if odd == (e, r):
                m += -2.0 if level[e] >= 3 else 2.0
            # Occasionally a rater (never the account manager) skips a whole element.
            skip = r > 0 and rng.random() < 0.03
            for k in range(1, _QUESTIONS_PER_ELEMENT + 1):
                score = None if skip or rng.random() < 0.04 else \
                    int(np.clip(round(m + rng.normal(0, 0.55)), 1, 5))
                comment = str(rng.choice(_COMMENTS)) if k == 1 and rng.random() < 0.04 else None
                rows.append((acc.account_id, day.isoformat(), rater, element, score,
                             f"{element}.q{k}", role, comment))
    return rows


def _health_index(rows: list[tuple]) -> float:
    """The pinned health index of one workshop's rows (equal weights)."""
    by: dict[tuple[str, str], list[int]] = {}
    for _, _, rater, element, score, *_ in rows:
        if score is not None:
            by.setdefault((element, rater), []).append(score)
    per_element: dict[str, list[float]] = {}
    for (element, _), scores in by.items():
        per_element.setdefault(element, []).append(sum(scores) / len(scores))
    scores = [(sum(v) / len(v) - 1) / 4 * 100 for v in per_element.values()]
    return sum(scores) / len(scores) if scores else math.nan


# --- activities and surveys ---------------------------------------------------------
def _activities(acc: _Account, first_q: int, end_q: int) -> list[tuple]:
    rng = acc.rng
    cat = acc.arch.category
    start_q = max(first_q, end_q - 7)
    active = [c for c in acc.contacts if c["active"]] or acc.contacts
    execs = [c for c in active if c["level"] == "executive"]
    meetings = {"Strategic": (3, 7), "Core": (2, 5), "Beachhead": (1, 3), "Greenfield": (0, 2)}[cat]
    exec_p = {"Strategic": 0.9, "Core": 0.6, "Beachhead": 0.3, "Greenfield": 0.0}[cat]
    rows: list[tuple] = []

    def add(day: dt.date, kind: str, contact: dict | None, bc: str | None, note: str | None) -> None:
        rows.append((acc.account_id, day.isoformat(), kind,
                     contact["contact_id"] if contact else None, bc, note))

    for q in range(start_q, end_q + 1):
        lo, hi = quarter_start(q), quarter_end(q)
        for _ in range(int(rng.integers(*meetings))):
            c = active[int(rng.integers(len(active)))] if active else None
            add(_rand_date(rng, lo, hi), "meeting", c, c["bc"] if c else None,
                _MEETING_NOTES[int(rng.integers(len(_MEETING_NOTES)))])
        # Unhealthy accounts have had no executive contact in the last two quarters.
        if execs and rng.random() < exec_p and (acc.healthy is not False or q < end_q - 1):
            c = execs[int(rng.integers(len(execs)))]
            add(_rand_date(rng, lo, hi), "executive_meeting", c, c["bc"], "Executive sponsor review")
        if cat in ("Strategic", "Core"):
            add(_rand_date(rng, lo, hi), "qbr", None, None, f"QBR {quarter_label(q)}")
    for opp in acc.opportunities:
        add(opp["created"], "proposal", None, opp["bc"], f"Proposal: {opp['offering']}")
        if opp["referral"]:
            day = max(opp["created"] - dt.timedelta(days=int(rng.integers(3, 21))), quarter_start(start_q))
            add(day, "referral", None, opp["bc"], f"Referral to {opp['bc']} & team")
    for c in acc.contacts:
        if c["advocate"] and c["active"] and rng.random() < 0.6:
            add(_rand_date(rng, quarter_start(start_q), quarter_end(end_q)), "endorsement", c,
                c["bc"], "Reference call for a prospect")
    rows.sort(key=lambda r: (r[1], ACTIVITY_TYPES.index(r[2]), r[3] or "", r[4] or ""))
    return rows


def _surveys(acc: _Account, first_q: int, end_q: int) -> list[tuple]:
    if acc.first_q is None or (acc.first_q <= end_q - 12 and acc.t4q <= 0):
        return []  # nobody to survey at an account that does not buy
    rng = acc.rng
    cat = acc.arch.category
    healthy = acc.healthy if acc.healthy is not None else bool(rng.random() < 0.5)
    declining = acc.arch.quadrant == "At risk"
    start_q = max(acc.first_q, end_q - 7)
    nps_n = {"Strategic": (2, 5), "Core": (1, 4), "Beachhead": (1, 3)}[cat]
    csat_n = {"Strategic": (2, 4), "Core": (1, 3), "Beachhead": (0, 2)}[cat]
    names = [c["name"] for c in acc.contacts]
    rows: list[tuple] = []

    def respondent() -> str | None:
        return str(rng.choice(names)) if names and rng.random() > 0.3 else None

    # Few-response accounts: 2-4 NPS answers in the last year only.
    few = int(rng.integers(2, 5)) if acc.few_nps else None
    for q in range(start_q, end_q + 1):
        lo, hi = quarter_start(q), quarter_end(q)
        drift = -0.35 * (q - end_q + 7) if declining else 0.0  # NPS/CSAT decline over time
        if few is None:
            k = int(rng.integers(*nps_n))
        else:
            k = few // 4 + (1 if (end_q - q) < few % 4 else 0) if q > end_q - 4 else 0
        for _ in range(k):
            score = int(np.clip(round(rng.normal((8.6 if healthy else 7.2) + drift, 1.5)), 0, 10))
            rows.append((acc.account_id, _rand_date(rng, lo, hi).isoformat(), "nps", score, respondent()))
        for _ in range(int(rng.integers(*csat_n))):
            score = int(np.clip(round(rng.normal((4.3 if healthy else 3.7) + drift / 3, 0.7)), 1, 5))
            rows.append((acc.account_id, _rand_date(rng, lo, hi).isoformat(), "csat", score, respondent()))
    rows.sort(key=lambda r: (r[1], r[2], r[3], r[4] or ""))
    return rows
