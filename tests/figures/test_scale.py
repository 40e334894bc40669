"""Whether the category rules fit the client's scale, and the thresholds suggested from
the client's own distribution (config.yml lines to paste)."""

from __future__ import annotations

from kit.config import Settings
from kit.figures.scale import MIN_ACCOUNTS, check_category_scale, round_figure
from kit.inputs.portfolio import load_portfolio
from kit.periods import parse_period, quarter_label

Q = parse_period("2025Q4")


def _portfolio(portfolio_dir, amounts: list[float], *, n_bcs: int = 2, quarters: int = 8):
    """One account per amount (its T4Q revenue), spread evenly over ``n_bcs`` buying
    centers and every one of the last ``quarters`` quarters."""
    rows = []
    for i, total in enumerate(amounts):
        for k in range(quarters):
            for b in range(n_bcs):
                amount = total / 4 / n_bcs  # the same every quarter
                rows.append({"account_id": f"A{i}", "period": quarter_label(Q - k), "amount": f"{amount:.2f}",
                             "buying_center": f"BC{b}", "offering": "Advisory"})
    accounts = [{"account_id": f"A{i}", "account_name": f"A{i}"} for i in range(len(amounts))]
    p = load_portfolio(portfolio_dir({"accounts": accounts, "revenue": rows}))
    return p.table("revenue"), p.account_ids


def test_round_figure():
    assert round_figure(341_234) == 340_000 and round_figure(0.0) == 0.0 and round_figure(96_600) == 97_000


def test_every_account_core_and_none_strategic_suggests_thresholds(portfolio_dir):
    # ten accounts of 50,000 .. 500,000 with 3 buying centers: all Core under the default
    # 1,000,000 Strategic threshold
    amounts = [50_000.0 * (i + 1) for i in range(10)]
    revenue, ids = _portfolio(portfolio_dir, amounts, n_bcs=3)
    sc = check_category_scale(revenue, ids, quarter=Q, settings=Settings())
    assert sc.mix == {"Strategic": 0, "Core": 10, "Beachhead": 0} and not sc.fits
    assert "10 of the 10 accounts with revenue (100%) are Core" in sc.findings[0]
    assert "no account is Strategic" in sc.findings[1] and "0 reach 1,000,000" in sc.findings[1]
    # the 90th percentile of T4Q revenue (455,000 -> two figures: 460,000)
    assert sc.suggested["strategic_min_revenue"] == 460_000
    assert sc.suggested["core_min_buying_centers"] == 3  # half the accounts reach it (all have 3)
    assert sc.suggested_mix["Strategic"] == 1
    assert sc.config_lines()[0] == "strategic_min_revenue: 460000"
    lines = sc.describe()
    assert lines[0].startswith("the category rules do not fit this client's scale")
    assert any(line.strip() == "strategic_min_revenue: 460000" for line in lines)


def test_a_mix_that_fits_says_nothing(portfolio_dir):
    amounts = [2_000_000.0, 1_500_000.0, 300_000.0, 200_000.0, 100_000.0, 90_000.0]
    revenue, ids = _portfolio(portfolio_dir, amounts, n_bcs=3)
    sc = check_category_scale(revenue, ids, quarter=Q, settings=Settings())
    assert sc.fits and sc.describe() == [] and sc.mix["Strategic"] == 2


def test_too_few_quarters_of_data_no_threshold_helps(portfolio_dir):
    # three quarters of data: "revenue in each of the last 4 quarters" cannot hold for anyone
    amounts = [1_500_000.0 * (i + 1) for i in range(6)]
    revenue, ids = _portfolio(portfolio_dir, amounts, n_bcs=3, quarters=3)
    sc = check_category_scale(revenue, ids, quarter=Q, settings=Settings())
    assert not sc.fits and "(the data hold 3 of them, so none can)" in sc.findings[-1]
    assert "strategic_min_revenue" not in sc.suggested  # revenue already above the threshold


def test_too_few_accounts_to_judge(portfolio_dir):
    revenue, ids = _portfolio(portfolio_dir, [10_000.0] * (MIN_ACCOUNTS - 1))
    assert check_category_scale(revenue, ids, quarter=Q, settings=Settings()).fits


def test_the_share_that_counts_as_dominant_is_a_setting(portfolio_dir):
    amounts = [2_000_000.0] * 2 + [100_000.0] * 8  # 8 of 10 Core (80%), 2 Strategic
    revenue, ids = _portfolio(portfolio_dir, amounts, n_bcs=3)
    assert not check_category_scale(revenue, ids, quarter=Q, settings=Settings()).fits  # 80% >= 0.8
    assert check_category_scale(revenue, ids, quarter=Q, settings=Settings(category_dominant_share=0.9)).fits


def test_validate_and_the_model_carry_the_check(portfolio_dir, capsys):
    from kit.cli import main
    from kit.figures.model import build_model

    amounts = [50_000.0 * (i + 1) for i in range(10)]
    rows = []
    for i, total in enumerate(amounts):
        for k in range(8):
            rows += [{"account_id": f"A{i}", "period": quarter_label(Q - k), "amount": str(total / 8),
                      "buying_center": bc, "offering": "Advisory"} for bc in ("X", "Y")]
    folder = portfolio_dir({"accounts": [{"account_id": f"A{i}", "account_name": f"A{i}"} for i in range(10)],
                            "revenue": rows})
    assert main(["validate", "--data", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "inputs are valid" in out and "note: the category rules do not fit this client's scale" in out
    assert "    strategic_min_revenue: 460000" in out
    m = build_model(load_portfolio(folder), Settings())
    assert m.scale is not None and not m.scale.fits


def test_the_suggested_settings_are_valid_settings(portfolio_dir):
    settings = Settings(strategic_min_revenue=400_000, core_min_buying_centers=3)
    amounts = [50_000.0 * (i + 1) for i in range(10)]
    revenue, ids = _portfolio(portfolio_dir, amounts, n_bcs=3)
    sc = check_category_scale(revenue, ids, quarter=Q, settings=settings)
    Settings(**(settings.model_dump() | sc.suggested))  # would load from config.yml
