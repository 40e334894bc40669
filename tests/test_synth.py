"""Tests of kit.synth: determinism, the data contract, and coverage of every class.

The coverage tests recompute categories, market-position quadrants and health x hygiene
quadrants with plain pandas from the generated tables (independently of the kit's own
metrics modules), using the default thresholds of ``domain.md``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kit.periods import parse_period
from kit.schema import (
    ACTIVITY_TYPES,
    CLOSED_STAGES,
    CONTACT_LEVELS,
    CONTACT_ROLES,
    ELEMENT_IDS,
    RATER_ROLES,
    SURVEY_TYPES,
    TABLES,
)
from kit.synth import SYNTH_TABLES, make_portfolio, write_portfolio

PERIOD_RE = re.compile(r"^\d{4}Q[1-4]$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_COLUMNS = {
    "assessment": ["assessed_on"],
    "contacts": ["first_met", "last_contact"],
    "opportunities": ["created_on", "close_date"],
    "activities": ["date"],
    "surveys": ["date"],
}
BOOL_COLUMNS = {"contacts": ["advocate", "active"], "opportunities": ["competitive", "referral"]}


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    """The shipped sample's parameters."""
    return make_portfolio(40, seed=7)


@pytest.fixture(scope="module")
def revenue(sample: dict[str, pd.DataFrame]) -> pd.DataFrame:
    rev = sample["revenue"].copy()
    rev["q"] = rev["period"].map(parse_period)
    return rev


END_Q = parse_period("2026Q3")


# --- classification with plain pandas (default thresholds) ---------------------------
def categories(accounts: pd.DataFrame, rev: pd.DataFrame) -> pd.Series:
    ids = accounts["account_id"]
    last12 = rev[(rev.q > END_Q - 12) & (rev.amount > 0)].groupby("account_id").size()
    t4 = rev[rev.q > END_Q - 4]
    t4q = t4.groupby("account_id").amount.sum().reindex(ids, fill_value=0.0)
    quarters = (t4.groupby(["account_id", "q"]).amount.sum() > 0).groupby("account_id").sum()
    bc4 = (t4.groupby(["account_id", "buying_center"]).amount.sum() > 0).groupby("account_id").sum()
    l8 = rev[rev.q > END_Q - 8]
    bc8 = (l8.groupby(["account_id", "buying_center"]).amount.sum() > 0).groupby("account_id").sum()
    quarters, bc4, bc8 = (s.reindex(ids, fill_value=0) for s in (quarters, bc4, bc8))
    out = pd.Series("Beachhead", index=ids)
    core = (bc8 >= 2) & (quarters >= 3)
    strategic = (t4q >= 1_000_000) & (bc4 >= 3) & (quarters == 4)
    out[core] = "Core"
    out[strategic] = "Strategic"
    out[~ids.isin(last12.index).to_numpy()] = "Greenfield"
    return out


def bcg(accounts: pd.DataFrame) -> pd.Series:
    g, s = accounts["market_growth"], accounts["market_share"]
    names = np.select(
        [g.isna() | s.isna(), (g >= 0.10) & (s >= 1.0), s >= 1.0, g >= 0.10],
        ["unclassified", "Star", "Cash cow", "Question mark"], default="Dog")
    return pd.Series(names, index=accounts["account_id"])


def health_index(assessment: pd.DataFrame) -> pd.Series:
    latest = assessment[
        assessment.assessed_on == assessment.groupby("account_id").assessed_on.transform("max")]
    rater = latest.groupby(["account_id", "element", "rater"]).score.mean().dropna()
    element = (rater.groupby(["account_id", "element"]).mean() - 1) / 4 * 100
    return element.groupby("account_id").mean()


def hygienic(accounts: pd.DataFrame, rev: pd.DataFrame, targets: pd.DataFrame) -> pd.Series:
    ids = accounts["account_id"]
    t4q = rev[rev.q > END_Q - 4].groupby("account_id").amount.sum().reindex(ids, fill_value=0.0)
    prior = rev[(rev.q > END_Q - 8) & (rev.q <= END_Q - 4)].groupby("account_id").amount.sum()
    tq = targets["period"].map(parse_period)
    target = targets[(tq > END_Q - 4) & (tq <= END_Q)].groupby("account_id").revenue_target.sum()
    with_targets = (t4q / target.reindex(ids)) >= 1.0
    # Without targets the kit judges hygiene by growth against the prior four quarters.
    by_growth = (t4q / prior.reindex(ids)) - 1 >= 0
    return with_targets.where(ids.isin(target.index).to_numpy(), by_growth)


def quadrants(t: dict[str, pd.DataFrame], rev: pd.DataFrame) -> pd.Series:
    hi = health_index(t["assessment"])
    hyg = hygienic(t["accounts"], rev, t["targets"]).reindex(hi.index)
    return pd.Series(
        np.select([(hi >= 60) & hyg, hyg, hi >= 60], ["Thriving", "Coasting", "Building"],
                  default="At risk"), index=hi.index)


# --- determinism ----------------------------------------------------------------------
def test_same_seed_gives_identical_frames_and_files(tmp_path: Path) -> None:
    a = make_portfolio(12, seed=3)
    b = make_portfolio(12, seed=3)
    assert list(a) == list(b) == list(SYNTH_TABLES)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    files_a = write_portfolio(a, tmp_path / "a")
    files_b = write_portfolio(b, tmp_path / "b" / "nested")
    assert [p.name for p in files_a] == [f"{n}.csv" for n in SYNTH_TABLES]
    for pa, pb in zip(files_a, files_b):
        assert pa.read_bytes() == pb.read_bytes()


def test_shipped_sample_is_reproducible(sample: dict[str, pd.DataFrame]) -> None:
    again = make_portfolio(40, seed=7)
    for name in sample:
        pd.testing.assert_frame_equal(sample[name], again[name])


def test_different_seed_gives_different_data() -> None:
    a, b = make_portfolio(12, seed=3), make_portfolio(12, seed=4)
    assert not a["revenue"].equals(b["revenue"])
    assert not a["assessment"].equals(b["assessment"])
    # The archetype design holds for any seed: same categories, different numbers.
    assert a["accounts"]["account_id"].tolist() == b["accounts"]["account_id"].tolist()


def test_dates_follow_end_quarter_not_today() -> None:
    t = make_portfolio(6, seed=1, end_quarter="2019Q1", n_quarters=12)
    periods = t["revenue"]["period"].map(parse_period)
    assert periods.max() == parse_period("2019Q1")
    assert periods.min() >= parse_period("2016Q2")
    end = "2019-03-31"
    for name, cols in DATE_COLUMNS.items():
        for col in cols:
            values = t[name][col].dropna()
            if col == "close_date":  # open opportunities close in the future
                values = values[t[name].loc[values.index, "stage"].isin(CLOSED_STAGES)]
            assert (values <= end).all(), (name, col)


# --- the contract -----------------------------------------------------------------------
def test_columns_are_the_contracts_in_order(sample: dict[str, pd.DataFrame]) -> None:
    assert set(sample) == set(TABLES) - {"questions", "objectives"}  # the kit ships these banks
    for name, df in sample.items():
        assert list(df.columns) == [c.name for c in TABLES[name].columns], name
        for col in TABLES[name].required:
            assert df[col].notna().all() or col == "score", (name, col)
        key = list(TABLES[name].key)
        if key:
            assert not df.duplicated(key).any(), name


def test_values_are_in_contract_ranges(sample: dict[str, pd.DataFrame]) -> None:
    t = sample
    for name in ("revenue", "targets"):
        assert t[name]["period"].str.match(PERIOD_RE).all()
    for name, cols in DATE_COLUMNS.items():
        for col in cols:
            values = t[name][col].dropna()
            assert values.str.match(DATE_RE).all(), (name, col)
            values.map(dt.date.fromisoformat)  # raises on an impossible date
    for name, cols in BOOL_COLUMNS.items():
        for col in cols:
            assert set(t[name][col]) <= {"true", "false"}, (name, col)

    acc = t["accounts"]
    assert acc["market_growth"].dropna().between(-0.05, 0.35).all()
    assert acc["market_share"].dropna().between(0.1, 3.0).all()
    assert (acc["wallet_estimate"] > 0).all()
    assert t["revenue"]["gross_margin"].between(0.2, 0.5).all()
    assert (t["targets"]["revenue_target"] > 0).all()

    ass = t["assessment"]
    assert str(ass["score"].dtype) == "Int64"
    assert ass["score"].dropna().between(1, 5).all()
    assert ass["score"].isna().any()  # some questions not answered
    assert set(ass["element"]) == set(ELEMENT_IDS)
    assert set(ass["rater_role"]) == set(RATER_ROLES)
    assert (ass["question_id"].str.rsplit(".", n=1).str[0] == ass["element"]).all()
    assert set(ass["question_id"].str.rsplit(".", n=1).str[1]) == {"q1", "q2", "q3"}

    con = t["contacts"]
    assert set(con["level"]) == set(CONTACT_LEVELS)
    assert set(con["role"]) == set(CONTACT_ROLES)
    assert con["relationship_strength"].between(1, 5).all()

    opp = t["opportunities"]
    assert opp["probability"].between(0, 1).all()
    assert (opp.loc[opp.stage == "won", "probability"] == 1).all()
    assert (opp.loc[opp.stage == "lost", "probability"] == 0).all()
    assert {"qualify", "propose", "negotiate", "won", "lost"} == set(opp["stage"])
    assert (opp["amount"] > 0).all()
    assert (opp["close_date"] >= opp["created_on"]).all()

    assert set(t["activities"]["type"]) == set(ACTIVITY_TYPES)
    sv = t["surveys"]
    assert set(sv["survey"]) == set(SURVEY_TYPES)
    nps, csat = sv[sv.survey == "nps"]["score"], sv[sv.survey == "csat"]["score"]
    assert nps.between(0, 10).all() and csat.between(1, 5).all()
    assert (sv["score"] == sv["score"].round()).all()


def test_ids_are_unique_strings_and_children_reference_accounts(
    sample: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    ids = sample["accounts"]["account_id"]
    assert ids.is_unique
    assert ids.str.match(r"^0\d+$").sum() >= 5  # numeric ids with leading zeros
    assert ids.str.startswith("ACC-").sum() >= 5
    for name in SYNTH_TABLES:
        assert sample[name]["account_id"].isin(ids).all(), name
    assert sample["contacts"]["contact_id"].is_unique
    assert sample["opportunities"]["opportunity_id"].is_unique
    # Leading zeros survive the files when read as text.
    write_portfolio(sample, tmp_path)
    back = pd.read_csv(tmp_path / "accounts.csv", dtype=str, keep_default_na=False)
    assert back["account_id"].tolist() == ids.tolist()


def test_written_files_are_plain_csv(sample: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    paths = write_portfolio(sample, tmp_path / "out")
    for path in paths:
        raw = path.read_bytes()
        assert b"\r" not in raw
        text = raw.decode("utf-8")
        name = path.stem
        assert text.split("\n", 1)[0] == ",".join(c.name for c in TABLES[name].columns)
    rev = (tmp_path / "out" / "revenue.csv").read_text(encoding="utf-8")
    amounts = [line.split(",")[2] for line in rev.splitlines()[1:] if '"' not in line]
    assert all(re.fullmatch(r"-?\d+(\.\d{1,2})?", a) for a in amounts)  # no float noise
    ass = pd.read_csv(tmp_path / "out" / "assessment.csv", dtype=str, keep_default_na=False)
    assert set(ass["score"]) <= {"", "1", "2", "3", "4", "5"}  # "4", never "4.0"
    contacts = pd.read_csv(tmp_path / "out" / "contacts.csv", dtype=str, keep_default_na=False)
    assert set(contacts["active"]) == {"true", "false"}
    accounts = pd.read_csv(tmp_path / "out" / "accounts.csv", dtype=str, keep_default_na=False)
    assert "O'Brien & Sons <Holdings>" in set(accounts["account_name"])


# --- coverage of the classes the kit reports --------------------------------------------
def test_every_category_and_quadrant_occurs(sample: dict[str, pd.DataFrame], revenue: pd.DataFrame) -> None:
    acc = sample["accounts"]
    cats = categories(acc, revenue)
    assert set(cats) == {"Strategic", "Core", "Beachhead", "Greenfield"}
    positions = bcg(acc)
    assert {"Star", "Cash cow", "Question mark", "Dog"} <= set(positions)
    assert 1 <= (positions == "unclassified").sum() <= 2
    quads = quadrants(sample, revenue)
    assert set(quads) == {"Thriving", "Coasting", "Building", "At risk"}
    assert (quads == "Coasting").sum() >= 3  # the story the kit exists to tell
    # Assessments cover most non-Greenfield accounts and no Greenfield one.
    assessed = set(quads.index)
    non_green = set(cats[cats != "Greenfield"].index)
    assert assessed <= non_green and len(assessed) >= 0.8 * len(non_green)


def test_small_portfolio_covers_categories_and_positions() -> None:
    t = make_portfolio(4, seed=2)
    rev = t["revenue"].assign(q=t["revenue"]["period"].map(parse_period))
    assert set(categories(t["accounts"], rev)) == {"Strategic", "Core", "Beachhead", "Greenfield"}
    assert set(bcg(t["accounts"])) == {"Star", "Cash cow", "Question mark", "Dog"}


def test_revenue_motions_and_new_clients_occur(revenue: pd.DataFrame) -> None:
    first_q = revenue.q.min()
    assert revenue.q.max() == END_Q and first_q == END_Q - 15
    pos = revenue[revenue.amount > 0]
    bc_start = pos.groupby(["account_id", "buying_center"]).q.min()
    account_start = pos.groupby("account_id").q.min()
    # Colonization: a buying center of an existing client starts buying later.
    later_bc = bc_start[bc_start > bc_start.index.get_level_values(0).map(account_start)]
    assert len(later_bc) >= 5
    # Crop rotation: a buying center adds an offering after its first purchase.
    off_start = pos.groupby(["account_id", "buying_center", "offering"]).q.min()
    bc_of = off_start.index.droplevel("offering")
    assert (off_start.to_numpy() > bc_start.reindex(bc_of).to_numpy()).sum() >= 10
    # Continuation: the same line bought in consecutive quarters.
    assert pos.duplicated(["account_id", "buying_center", "offering"]).sum() > len(pos) / 2
    # New clients: first revenue after the data set's first quarter.
    assert (account_start > first_q).sum() >= 5
    # Credits: a few small negative rows.
    credits = revenue[revenue.amount < 0]
    assert 0 < len(credits) < 0.1 * len(revenue)
    assert 1000 <= len(revenue) <= 5000
    assert revenue.groupby("account_id").buying_center.nunique().max() >= 5


def test_realistic_details(sample: dict[str, pd.DataFrame], revenue: pd.DataFrame) -> None:
    acc = sample["accounts"]
    per_manager = len(acc) / acc["account_manager"].nunique()
    assert 5 <= per_manager <= 8
    assert acc["account_name"].str.contains("&").sum() >= 2
    assert acc["account_name"].str.contains("<").sum() >= 2
    t4q = revenue[revenue.q > END_Q - 4].groupby("account_id").amount.sum()
    wallet = acc.set_index("account_id")["wallet_estimate"].reindex(t4q.index)
    assert (wallet > t4q).mean() >= 0.8

    # Targets: last 8 quarters and next 4, left out for 2-3 accounts.
    tg = sample["targets"]
    assert 2 <= len(set(acc["account_id"]) - set(tg["account_id"])) <= 3
    tq = tg["period"].map(parse_period)
    assert tq.min() >= END_Q - 7 and tq.max() == END_Q + 4

    ass = sample["assessment"]
    workshops = ass.groupby("account_id").assessed_on.unique()
    latest = workshops.map(max).map(lambda d: parse_period(d))
    assert (latest == END_Q).mean() >= 0.9
    two = workshops[workshops.map(len) == 2]
    assert 0.2 <= len(two) / len(workshops) <= 0.5
    raters = ass.groupby(["account_id", "assessed_on"]).rater.nunique()
    assert raters.between(3, 5).all()
    means = ass.groupby(["account_id", "assessed_on", "element", "rater"]).score.mean()
    spread = means.groupby(["account_id", "assessed_on", "element"]).agg(lambda s: s.max() - s.min())
    assert (spread >= 1.5).sum() >= 5
    # A rater who skipped a whole element, and comments that need escaping.
    all_blank = ass.groupby(["account_id", "assessed_on", "rater", "element"]).score.count() == 0
    assert all_blank.any()
    comments = ass["comment"].dropna()
    assert comments.str.contains("<b>").any() and comments.str.contains("&").any()
    assert 0 < len(comments) < 0.05 * len(ass)

    con = sample["contacts"]
    assert (con["active"] == "false").any() and (con["advocate"] == "true").any()
    execs = con[con.level == "executive"]
    assert (execs["first_met"].map(parse_period) > END_Q - 4).sum() >= 3
    assert (con["last_contact"] >= con["first_met"]).all()

    opp = sample["opportunities"]
    bought = set(zip(revenue.account_id, revenue.offering))
    never = [(a, o) not in bought for a, o in zip(opp.account_id, opp.offering)]
    assert sum(never) >= 10
    assert (opp.competitive == "true").any() and (opp.referral == "true").any()

    sv = sample["surveys"]
    nps_n = sv[sv.survey == "nps"].groupby("account_id").size()
    assert 1 <= (nps_n < 5).sum() <= 8 and (nps_n >= 5).sum() >= 20


# --- arguments ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n_accounts": 0}, "n_accounts"),
        ({"n_accounts": 2.5}, "n_accounts"),
        ({"n_accounts": True}, "n_accounts"),
        ({"n_accounts": 3, "n_quarters": 11}, "n_quarters"),
        ({"n_accounts": 3, "n_quarters": 41}, "n_quarters"),
        ({"n_accounts": 3, "end_quarter": "2026-09-30"}, "end_quarter"),
        ({"n_accounts": 3, "end_quarter": "2026Q5"}, "end_quarter"),
        ({"n_accounts": 3, "seed": -1}, "seed"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs: dict, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        make_portfolio(**kwargs)


def test_write_portfolio_rejects_unknown_tables(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="tables"):
        write_portfolio({"../evil": pd.DataFrame()}, tmp_path)


def test_short_and_long_histories() -> None:
    short = make_portfolio(1, seed=0, n_quarters=12)
    assert short["revenue"]["period"].nunique() == 12
    long = make_portfolio(9, seed=0, n_quarters=40)
    assert long["revenue"]["period"].map(parse_period).min() == END_Q - 39
