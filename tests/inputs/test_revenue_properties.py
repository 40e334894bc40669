"""Property-based tests (hypothesis) of the pinned revenue, concentration and loader rules.

Small random revenue tables are built with the same columns and dtypes as the typed
revenue table of :func:`kit.io.load_portfolio` (index = row number in the file, from 2;
``quarter`` nullable Int64; ``buying_center``/``offering`` filled with "Unspecified").
Amounts are multiples of 0.25 so every sum is exact in floating point and a slow
reference written here can be compared with the kit for equality, not approximately.
"""

from __future__ import annotations

import csv
import hashlib
import math
import string
import tempfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st

from kit.config import Settings
from kit.errors import InputError
from kit.figures.concentration import concentration, hhi
from kit.figures.revenue import GREENFIELD_QUARTERS, categorize, motion_shares, revenue_motions
from kit.inputs.portfolio import load_portfolio
from kit.periods import quarter_label
from kit.schema import CATEGORIES, MOTIONS

# no example database: runs leave no files behind and depend on the code only
FAST = settings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
IO_FAST = settings(FAST, max_examples=50)

Q0 = 2024 * 4  # 2024Q1 as a quarter index (year * 4 + quarter - 1)
IDS = ("007", "7", "0070", "00", "A-1")
BCS = ("Finance", "IT", "Operations", "HR")
OFFERINGS = ("Advisory", "Cloud", "Training")


# ---------------------------------------------------------------------------------------
# revenue tables as the loader types them
# ---------------------------------------------------------------------------------------
class Row(NamedTuple):
    account_id: str
    quarter: int
    buying_center: str
    offering: str
    amount: float


#: multiples of 0.25 (exact sums), zeros, credits, and a few large amounts
amounts = st.one_of(
    st.just(0.0),
    st.integers(-400, 4000).map(lambda c: c * 0.25),
    st.sampled_from([-100.0, 100.0, 250_000.0, 300_000.0, 400_000.0, -250_000.0]),
)


def rows_strategy(q_low: int, q_high: int, *, min_size: int = 1, max_size: int = 25,
                  ids=IDS, bcs=BCS, offerings=OFFERINGS):
    row = st.builds(Row, st.sampled_from(ids), st.integers(q_low, q_high), st.sampled_from(bcs),
                    st.sampled_from(offerings), amounts)
    return st.lists(row, min_size=min_size, max_size=max_size)


#: few accounts, buying centers and offerings: repeat purchases (continuation) are common
dense_rows = st.one_of(
    rows_strategy(Q0, Q0 + 15),
    rows_strategy(Q0, Q0 + 8, ids=IDS[:2], bcs=BCS[:2], offerings=OFFERINGS[:2], max_size=30),
    rows_strategy(Q0, Q0 + 14, ids=IDS[:1], bcs=BCS[:1], offerings=OFFERINGS[:2], max_size=20),
)


def revenue_frame(rows: list[Row]) -> pd.DataFrame:
    """The typed revenue table of :func:`kit.io.load_portfolio` for these rows."""
    n = len(rows)
    df = pd.DataFrame({
        "account_id": pd.Series([r.account_id for r in rows], dtype=object),
        "period": pd.Series([quarter_label(r.quarter) for r in rows], dtype="str"),
        "amount": pd.Series([float(r.amount) for r in rows], dtype="float64"),
        "buying_center": pd.Series([r.buying_center for r in rows], dtype=object),
        "offering": pd.Series([r.offering for r in rows], dtype=object),
        "gross_margin": pd.Series([0.3] * n, dtype="float64"),
        "quarter": pd.Series([r.quarter for r in rows], dtype="Int64"),
    })
    df.index = pd.RangeIndex(2, 2 + n)  # row numbers as in the file
    return df


# ---------------------------------------------------------------------------------------
# 1. revenue motions
# ---------------------------------------------------------------------------------------
def reference_motions(rows: list[Row], lookback: int) -> list[str]:
    """The pinned rule, row by row: the obvious quadratic loop."""
    first = min(r.quarter for r in rows)
    out = []
    for r in rows:
        if r.quarter == first:
            out.append("baseline")
            continue
        window = [p for p in rows
                  if p.account_id == r.account_id and p.buying_center == r.buying_center
                  and p.amount > 0 and r.quarter - lookback <= p.quarter < r.quarter]
        if any(p.offering == r.offering for p in window):
            out.append("continuation")
        elif window:
            out.append("crop_rotation")
        else:
            out.append("colonization")
    return out


@FAST
@given(rows=dense_rows, lookback=st.one_of(st.integers(1, 6), st.just(12)), shuffle=st.randoms())
def test_motions_agree_with_reference(rows, lookback, shuffle):
    """revenue_motions agrees row by row with a slow reference of the pinned rule
    (rows in any order, any lookback)."""
    shuffle.shuffle(rows)
    got = revenue_motions(revenue_frame(rows), lookback=lookback)
    for m in set(got["motion"]):
        event(f"motion {m}")
    assert got["motion"].tolist() == reference_motions(rows, lookback)


@FAST
@given(rows=rows_strategy(Q0 - 4, Q0 + 8), lookback=st.integers(1, 12), shuffle=st.randoms())
def test_motions_partition_the_revenue(rows, lookback, shuffle):
    """Every row gets exactly one motion of MOTIONS, rows keep their order and values,
    motion amounts add up to the revenue per account and quarter (and in total), and the
    baseline rows are exactly the rows of the data set's first quarter."""
    shuffle.shuffle(rows)
    rev = revenue_frame(rows)
    mot = revenue_motions(rev, lookback=lookback)
    assert len(mot) == len(rev)
    assert set(mot["motion"]) <= set(MOTIONS)
    assert mot["motion"].notna().all()
    for col in ("account_id", "buying_center", "offering", "amount", "period"):
        assert mot[col].tolist() == rev[col].tolist(), col
    assert [int(q) for q in mot["quarter"]] == [r.quarter for r in rows]
    # per account and quarter, summing the motions gives the revenue back
    by_motion = mot.groupby(["account_id", "quarter", "motion"])["amount"].sum().groupby(level=[0, 1]).sum()
    by_rev = rev.groupby(["account_id", "quarter"])["amount"].sum()
    pd.testing.assert_series_equal(by_motion.sort_index(), by_rev.sort_index(), check_names=False)
    assert mot["amount"].sum() == rev["amount"].sum()
    first = min(r.quarter for r in rows)
    assert (mot["motion"] == "baseline").tolist() == [r.quarter == first for r in rows]


@FAST
@given(
    lookback=st.integers(1, 12),
    gap_is_outside=st.booleans(),
    offset=st.integers(0, 3),
    first_amount=st.sampled_from([0.25, 100.0, 5000.0]),
    amount=amounts,
    noise=rows_strategy(Q0 - 3, Q0 + 16, min_size=0, max_size=10),
    shuffle=st.randoms(),
)
def test_motion_lookback_boundary(lookback, gap_is_outside, offset, first_amount, amount, noise, shuffle):
    """A buying center + offering whose last positive row is exactly `lookback` quarters
    before is continuation; exactly `lookback` + 1 quarters before (nothing in between for
    that buying center) is colonization."""
    start = Q0 + offset
    gap = lookback + 1 if gap_is_outside else lookback
    # noise from other accounts / buying centers only; one earlier row so that ``start``
    # is never the data set's first quarter
    noise = [r for r in noise if not (r.account_id == "007" and r.buying_center == "Finance")]
    rows = noise + [Row("7", Q0 - 4, "IT", "Cloud", 1.0),
                    Row("007", start, "Finance", "Advisory", first_amount),
                    Row("007", start + gap, "Finance", "Advisory", amount)]
    order = list(range(len(rows)))
    shuffle.shuffle(order)
    mot = revenue_motions(revenue_frame([rows[i] for i in order]), lookback=lookback)
    target = order.index(len(rows) - 1)
    assert mot["motion"].iloc[target] == ("colonization" if gap_is_outside else "continuation")


def test_motions_of_an_empty_table():
    """No rows in, no rows out, with a motion column."""
    out = revenue_motions(revenue_frame([]).iloc[0:0])
    assert out.empty and "motion" in out.columns


# ---------------------------------------------------------------------------------------
# 2. motion shares
# ---------------------------------------------------------------------------------------
SHARE_COLS = [f"{m}_share" for m in MOTIONS]


@FAST
@given(rows=dense_rows, q_off=st.integers(0, 16), nonneg=st.booleans(), lookback=st.integers(1, 12))
def test_motion_shares(rows, q_off, nonneg, lookback):
    """Shares sum to 1 whenever T4Q revenue > 0 (each within [0, 1] when no amount is
    negative); all shares are NaN when T4Q revenue <= 0 (incl. accounts without rows)."""
    if nonneg:
        rows = [r._replace(amount=abs(r.amount)) for r in rows]
    quarter = Q0 + q_off
    ids = list(IDS) + ["no-rows"]
    shares = motion_shares(revenue_motions(revenue_frame(rows), lookback=lookback), ids, quarter=quarter)
    assert list(shares.index) == ids
    assert set(SHARE_COLS) <= set(shares.columns)
    for acc in ids:
        t4q = sum(r.amount for r in rows if r.account_id == acc and quarter - 3 <= r.quarter <= quarter)
        s = shares.loc[acc]
        if t4q > 0:
            assert s[SHARE_COLS].notna().all()
            assert abs(s[SHARE_COLS].sum() - 1.0) <= 1e-9
            assert s["repeat_business_share"] == pytest.approx(s["continuation_share"] + s["crop_rotation_share"])
            if nonneg:
                assert ((s[SHARE_COLS] >= 0) & (s[SHARE_COLS] <= 1)).all()
        else:
            assert s.isna().all(), (acc, t4q, s.to_dict())


# ---------------------------------------------------------------------------------------
# 3. concentration
# ---------------------------------------------------------------------------------------
money = st.floats(min_value=0.0, max_value=1e12, allow_nan=False, allow_infinity=False)


@FAST
@given(values=st.lists(money, min_size=1, max_size=12), negatives=st.lists(st.floats(-1e9, -1e-3), max_size=3))
def test_hhi_bounds(values, negatives):
    """0 <= HHI <= 10,000 (at least 10,000 / number of positive items) for non-negative
    amounts with a positive total; negative nets count as 0; NaN without positive amounts."""
    h = hhi(pd.Series(values + negatives))
    positive = [v for v in values if v > 0]
    if not positive:
        assert math.isnan(h)
        return
    assert 0.0 <= h <= 10_000.0 * (1 + 1e-12)
    assert h >= 10_000.0 / len(positive) * (1 - 1e-9)
    assert h == pytest.approx(hhi(pd.Series(values)), rel=1e-12)


@FAST
@given(value=st.floats(min_value=1e-300, max_value=1e12), n=st.integers(1, 30), zeros=st.integers(0, 5))
def test_hhi_of_equal_items(value, n, zeros):
    """n equal positive items (plus zeros) give 10,000 / n; one positive item gives 10,000."""
    h = hhi(pd.Series([value] * n + [0.0] * zeros))
    assert h == pytest.approx(10_000.0 / n, rel=1e-9)
    if n == 1:
        assert h == 10_000.0


@FAST
@given(values=st.lists(st.floats(-1e9, 0.0), max_size=6))
def test_hhi_without_positive_amounts_is_nan(values):
    """No positive amount: the index is undefined (NaN), not 0."""
    assert math.isnan(hhi(pd.Series(values, dtype=float)))


@FAST
@given(rows=rows_strategy(Q0, Q0 + 8), q_off=st.integers(0, 10))
def test_concentration_top_shares(rows, q_off):
    """Top shares are within (0, 1] and HHIs within (0, 10,000] where the account has a
    positive T4Q per dimension; both NaN otherwise."""
    quarter = Q0 + q_off
    ids = list(IDS) + ["no-rows"]
    out = concentration(revenue_frame(rows), ids, quarter=quarter)
    assert list(out.index) == ids
    for acc in ids:
        for dim, field in (("bc", "buying_center"), ("off", "offering")):
            per: dict[str, float] = defaultdict(float)
            for r in rows:
                if r.account_id == acc and quarter - 3 <= r.quarter <= quarter:
                    per[getattr(r, field)] += r.amount
            pos = {k: v for k, v in per.items() if v > 0}
            top, h = out.loc[acc, f"top_share_{field}"], out.loc[acc, f"hhi_{field}"]
            if pos:
                assert 0 < top <= 1, (acc, dim, top)
                assert top == pytest.approx(max(pos.values()) / sum(pos.values()))
                assert 0 < h <= 10_000.0 * (1 + 1e-12)
                assert out.loc[acc, f"top_{field}"] in {k for k, v in pos.items() if v == max(pos.values())}
            else:
                assert pd.isna(top) and pd.isna(h), (acc, dim, top, h)


# ---------------------------------------------------------------------------------------
# 4. relationship categories
# ---------------------------------------------------------------------------------------
QA = Q0 + 14  # analysis quarter of the category tests


@st.composite
def category_rows(draw):
    """Random rows around the analysis quarter (incl. 12/13 quarters back and after it),
    plus for some accounts a skeleton near a rule's boundary: near-Strategic (1,000,000
    from 2-4 buying centers over 3-4 quarters), near-Core (a second buying center 6-9
    quarters back) or near-Greenfield (one row 11-12 quarters back)."""
    rows = draw(rows_strategy(QA - 14, QA + 2, max_size=30))
    for acc in draw(st.lists(st.sampled_from(IDS), unique=True, max_size=3)):
        kind = draw(st.sampled_from(["strategic", "core", "greenfield"]))
        if kind == "strategic":
            each = draw(st.sampled_from([250_000.0, 300_000.0, 249_999.75, 400_000.0, 500_000.0]))
            n_bcs = draw(st.integers(2, 4))
            skip = draw(st.sampled_from([None, 0, 1, 2, 3]))
            rows += [Row(acc, QA - k, BCS[k % n_bcs], OFFERINGS[k % 3], each) for k in range(4) if k != skip]
        elif kind == "core":
            skip = draw(st.sampled_from([None, 0, 3]))
            rows += [Row(acc, QA - k, BCS[0], OFFERINGS[0], 10.0) for k in range(4) if k != skip]
            rows.append(Row(acc, QA - draw(st.integers(6, 9)), BCS[1], OFFERINGS[0], 10.0))
        else:
            rows.append(Row(acc, QA - draw(st.integers(11, 12)), BCS[0], OFFERINGS[0], 10.0))
    return draw(st.permutations(rows))


def reference_categories(rows: list[Row], ids: list[str], quarter: int, s: Settings) -> dict[str, str]:
    out = {}
    for acc in ids:
        mine = [r for r in rows if r.account_id == acc and r.quarter <= quarter]
        net = {q: sum(r.amount for r in mine if r.quarter == q) for q in range(quarter - 11, quarter + 1)}
        if not any(v > 0 for v in net.values()):
            out[acc] = "Greenfield"
            continue
        last4 = [net[q] for q in range(quarter - 3, quarter + 1)]

        def n_bcs(first: int) -> int:
            per: dict[str, float] = defaultdict(float)
            for r in mine:
                if r.quarter >= first:
                    per[r.buying_center] += r.amount
            return sum(v > 0 for v in per.values())

        if sum(last4) >= s.strategic_min_revenue and n_bcs(quarter - 3) >= s.strategic_min_buying_centers \
                and all(v > 0 for v in last4):
            out[acc] = "Strategic"
        elif n_bcs(quarter - 7) >= s.core_min_buying_centers and sum(v > 0 for v in last4) >= s.core_min_quarters:
            out[acc] = "Core"
        else:
            out[acc] = "Beachhead"
    return out


@FAST
@given(rows=category_rows())
# exactly 1,000,000 from 3 buying centers in each of the 4 quarters: Strategic
@example(rows=[Row("007", QA - k, BCS[k % 3], "Advisory", 250_000.0) for k in range(4)])
# 1,200,000 from 3 buying centers but in 3 of the 4 quarters: Core, not Strategic
@example(rows=[Row("007", QA - k, BCS[k], "Advisory", 400_000.0) for k in range(3)])
def test_categories(rows):
    """One category per account from CATEGORIES; Greenfield exactly without positive net
    revenue in the 12 quarters up to the analysis quarter; Strategic accounts meet the
    documented rule; the whole result equals a reference of the rules; rows after the
    analysis quarter change nothing."""
    s = Settings()
    ids = list(IDS) + ["no-rows"]
    rev = revenue_frame(rows)
    cut = rev[rev["quarter"] <= QA]
    cats = categorize(cut, ids, quarter=QA, settings=s)
    assert list(cats.index) == ids
    assert cats["category"].isin(CATEGORIES).all()
    assert cats["category_reason"].map(lambda v: isinstance(v, str) and v != "").all()
    for acc in ids:
        mine = [r for r in rows if r.account_id == acc]
        net = [sum(r.amount for r in mine if r.quarter == q) for q in range(QA - GREENFIELD_QUARTERS + 1, QA + 1)]
        assert (cats.loc[acc, "category"] == "Greenfield") == (not any(v > 0 for v in net))
        if cats.loc[acc, "category"] == "Strategic":
            last4 = net[-4:]
            per_bc: dict[str, float] = defaultdict(float)
            for r in mine:
                if QA - 3 <= r.quarter <= QA:
                    per_bc[r.buying_center] += r.amount
            assert sum(last4) >= 1_000_000
            assert sum(v > 0 for v in per_bc.values()) >= 3
            assert all(v > 0 for v in last4)
    note(cats["category"].to_dict())
    for cat in set(cats["category"]):
        event(f"category {cat}")
    assert cats["category"].to_dict() == reference_categories(rows, ids, QA, s)
    # the model categorises the previous year with the table cut at the current quarter
    pd.testing.assert_frame_equal(categorize(rev, ids, quarter=QA, settings=s), cats)


# ---------------------------------------------------------------------------------------
# 5. the loader
# ---------------------------------------------------------------------------------------
SPECIAL_IDS = ["007", "0007", "00", "0", "1e3", "1.50", "-1", "NA", "nan", "None", "NULL", "TRUE", "#N/A",
               "a,b", 'say "hi"', "Ünïcode", "1 000"]
account_ids = st.one_of(
    st.sampled_from(SPECIAL_IDS),
    st.text(alphabet="0123456789abcXYZ-_. ,'\"é", min_size=1, max_size=8).filter(lambda s: s.strip() == s),
)


def period_texts(q: int):
    """Ways a client writes quarter q: labels and ISO dates (also Excel's date-time)."""
    y, n = divmod(q, 4)
    label = st.sampled_from([f"{y}Q{n + 1}", f"{y}q{n + 1}", f"{y}-Q{n + 1}", f" {y}Q{n + 1} "])
    date = st.builds(lambda m, d, t: f"{y}-{n * 3 + m:02d}-{d:02d}{t}",
                     st.integers(1, 3), st.integers(1, 28), st.sampled_from(["", " 00:00:00", "T00:00:00"]))
    return st.one_of(label, date)


def amount_texts(cents: int):
    """Ways a client writes an amount of ``cents``/100 (the exact value is a Decimal)."""
    d = Decimal(cents) / 100
    forms = [str(d), f"{d:.2f}", f"{cents}e-2", f" {d} "]
    if cents > 0:
        forms += [f"+{d}", f"00{d}"]
    if cents % 100 == 0:
        forms.append(str(cents // 100))
    return st.sampled_from(forms)


class Tables(NamedTuple):
    ids: list[str]
    accounts: list[dict]
    revenue: list[dict]
    quarters: list[int]
    amounts: list[Decimal]


@st.composite
def valid_tables(draw) -> Tables:
    ids = draw(st.lists(account_ids, min_size=1, max_size=4, unique=True))
    accounts = [{"account_id": a, "account_name": f"Account {i}",
                 "wallet_estimate": draw(st.sampled_from(["", "0", "1500000", "2.5e6"]))} for i, a in enumerate(ids)]
    revenue, quarters, values = [], [], []
    for _ in range(draw(st.integers(1, 12))):
        q = draw(st.integers(Q0 - 8, Q0 + 4))
        cents = draw(st.integers(-10**9, 10**9))
        revenue.append({
            "account_id": draw(st.sampled_from(ids)),
            "period": draw(period_texts(q)),
            "amount": draw(amount_texts(cents)),
            "buying_center": draw(st.sampled_from(["", "Finance", "IT"])),
            "offering": draw(st.sampled_from(["", "Advisory", "Cloud"])),
            "gross_margin": draw(st.sampled_from(["", "0.3", "-0.5", "1", "-10"])),
        })
        quarters.append(q)
        values.append(Decimal(cents) / 100)
    return Tables(ids, accounts, revenue, quarters, values)


def write_csv_file(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_portfolio(folder: Path, t: Tables) -> dict[str, str]:
    """Write accounts.csv and revenue.csv; return file name -> sha256."""
    folder.mkdir()
    write_csv_file(folder / "accounts.csv", t.accounts)
    write_csv_file(folder / "revenue.csv", t.revenue)
    return hashes_of(folder)


def hashes_of(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@IO_FAST
@given(t=valid_tables())
def test_loader_keeps_valid_tables(t):
    """Valid tables load without error; ids stay the exact strings (leading zeros too),
    the row count and every amount are kept, the sum of amounts equals the sum written,
    periods become their quarter, and the files are byte-identical afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        before = write_portfolio(folder, t)
        p = load_portfolio(folder)
        assert hashes_of(folder) == before
    assert p.hashes == before
    assert p.account_ids == t.ids
    rev = p.table("revenue")
    assert len(rev) == len(t.revenue)
    assert rev["account_id"].tolist() == [r["account_id"] for r in t.revenue]
    assert all(isinstance(a, str) for a in rev["account_id"])
    assert [int(q) for q in rev["quarter"]] == t.quarters
    assert rev["period"].tolist() == [quarter_label(q) for q in t.quarters]
    assert rev["amount"].tolist() == [float(v) for v in t.amounts]
    assert math.fsum(rev["amount"]) == pytest.approx(float(sum(t.amounts)), rel=1e-12, abs=1e-6)
    assert rev["buying_center"].tolist() == [r["buying_center"] or "Unspecified" for r in t.revenue]


NOT_NUMBERS = ["abc", "12,5", "1.2.3", "inf", "-inf", "Infinity", "nan", "NaN", "€100", "100 USD", "1 000", "--5",
               "0x10", "1_000", "", "   ", "N/A", "null", "1e", "e5", "$5", "5%", "(100)", "१२"]
#: arbitrary text with a character no number contains
not_number_text = st.text(alphabet=string.ascii_letters + string.digits + ".-+ #$%/", min_size=1, max_size=8) \
    .filter(lambda s: any(c in "gGhHjJkKlLmMoOpPqQrRsSuUvVwWzZ#$%/" for c in s))
BAD_PERIODS = ["2024Q5", "2024Q0", "2024-13-01", "2024-02-30", "Q1 2024", "24Q1", "2024/01/15", "2024", "", "July",
               "2024-1-5", "15.01.2024", "2024-01-15x", "2024 Q1 Q2", "2024QQ1", "20240115"]
#: an ISO date followed by text that is not a time of day ("2024-01-15 nonsense")
date_then_junk = st.builds(
    lambda d, sep, junk: f"2024-01-{d:02d}{sep}{junk}", st.integers(1, 28), st.sampled_from([" ", "T"]),
    st.sampled_from(["nonsense", "or later", "??", "tbc", "99:99", "25:00:00", "12:60", "00:00:00Z", "1"]))
bad_periods = st.one_of(st.sampled_from(BAD_PERIODS), date_then_junk)


@st.composite
def corrupted_tables(draw):
    """Valid tables with one bad cell: (tables, file name, row in the file, column)."""
    t = draw(valid_tables())
    kind = draw(st.sampled_from(["amount", "period", "gross_margin", "account_id", "wallet_estimate"]))
    if kind == "wallet_estimate":
        i = draw(st.integers(0, len(t.accounts) - 1))
        # wallet_estimate is optional: a blank cell is valid, a negative one is not
        bad = draw(st.one_of(st.sampled_from([v for v in NOT_NUMBERS if v.strip()] + ["-5"]), not_number_text))
        t.accounts[i]["wallet_estimate"] = bad
        return t, "accounts.csv", i + 2, kind
    i = draw(st.integers(0, len(t.revenue) - 1))
    if kind == "amount":
        bad = draw(st.one_of(st.sampled_from(NOT_NUMBERS), not_number_text))
    elif kind == "period":
        bad = draw(bad_periods)
    elif kind == "gross_margin":
        bad = draw(st.sampled_from(["1.01", "-10.5", "abc", "inf", "nan", "50%"]))
    else:
        bad = draw(st.one_of(st.just(""), account_ids.filter(lambda s: s not in t.ids)))
    t.revenue[i][kind] = bad
    return t, "revenue.csv", i + 2, kind


@IO_FAST
@given(case=corrupted_tables())
def test_loader_names_the_bad_cell(case):
    """One bad cell raises InputError (never another exception type) whose problems and
    message name the file, the row as in the file (header = row 1) and the column; the
    input files are byte-identical afterwards."""
    t, fname, row, column = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        before = write_portfolio(folder, t)
        with pytest.raises(InputError) as info:
            load_portfolio(folder)
        assert hashes_of(folder) == before
    err = info.value
    assert err.problems
    assert {(p.file, p.row, p.column) for p in err.problems} == {(fname, row, column)}, str(err)
    assert f"{fname}, row {row}, column {column}" in str(err)


def _with_empty_lines(path: Path, after: list[int], fillers: list[str]) -> list[int]:
    """Insert a filler line (blank, spaces or only commas) after each given line number of
    the original file; return the new line number of every original line (1-based)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    out, new_no = [], []
    for no, line in enumerate(lines, start=1):
        out.append(line)
        new_no.append(len(out))
        out += [fillers[k % len(fillers)] for k, a in enumerate(after) if a == no]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return new_no


def fillers_for(n_columns: int):
    return st.lists(st.sampled_from(["", "   ", "," * (n_columns - 1), " , ,"]), min_size=1, max_size=3)


@IO_FAST
@given(t=valid_tables(), after=st.lists(st.integers(1, 13), max_size=4), data=st.data())
def test_loader_ignores_empty_lines(t, after, data):
    """Blank lines, lines of spaces and rows of empty cells (",,,,") anywhere after the
    header are not data: the same rows and amounts load as without them."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        write_portfolio(folder, t)
        _with_empty_lines(folder / "revenue.csv", after, data.draw(fillers_for(len(t.revenue[0]))))
        before = hashes_of(folder)
        p = load_portfolio(folder)
        assert hashes_of(folder) == before
    rev = p.table("revenue")
    assert rev["account_id"].tolist() == [r["account_id"] for r in t.revenue]
    assert rev["amount"].tolist() == [float(v) for v in t.amounts]


@IO_FAST
@given(case=corrupted_tables().filter(lambda c: c[1] == "revenue.csv"), after=st.lists(st.integers(1, 13), max_size=4),
       data=st.data())
def test_loader_row_numbers_count_empty_lines(case, after, data):
    """With empty lines before or after the bad row, the reported row is still the line
    of the bad cell in the file."""
    t, fname, row, column = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        write_portfolio(folder, t)
        line_of = _with_empty_lines(folder / fname, after, data.draw(fillers_for(len(t.revenue[0]))))
        with pytest.raises(InputError) as info:
            load_portfolio(folder)
    assert {(p.file, p.row, p.column) for p in info.value.problems} == {(fname, line_of[row - 1], column)}, str(info.value)
