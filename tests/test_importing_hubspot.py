"""HubSpot exports (Companies, Deals, Contacts) through the shipped profile.

The fixtures (tests/fixtures/importing/hubspot) have the shape of HubSpot's index-page
exports with associations: "Record ID" as each object's id, "Deal Stage" labels of the
default pipeline and of a pipeline of the client's own, "Pipeline", "Associated Company
IDs" (a deal associated with two companies lists both, ';'-separated) and "Associated
Company", times after the dates, a thousands comma in one amount, a deal and a contact
without a company.  Written from HubSpot's documented export columns, not a client's file.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from kit.importing.importer import MANIFEST_NAME, run_import
from kit.importing.kitapi import load_portfolio

FIXTURES = Path(__file__).parent / "fixtures" / "importing" / "hubspot"


def hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture
def imported(tmp_path: Path):
    exports = tmp_path / "exports"
    shutil.copytree(FIXTURES, exports)
    before = hashes(exports)
    res = run_import([exports], out=tmp_path / "client")  # the profile is recognised by the headers
    assert hashes(exports) == before, "an export was changed"
    return res


def test_the_profile_is_chosen_by_the_headers_and_the_folder_validates(imported):
    assert imported.summary.startswith("kit import with profile hubspot, chosen because it recognises 3 of the 3")
    p = load_portfolio(imported.out)
    assert {k: len(p.tables[k]) for k in ("accounts", "revenue", "opportunities", "contacts")} == \
        {"accounts": 3, "revenue": 3, "opportunities": 7, "contacts": 4}


def test_deals_stages_pipelines_and_associations(imported):
    opp = _csv(imported.out / "opportunities.csv").set_index("opportunity_id")
    assert opp.loc["7002", "account_id"] == "9001"  # first of '9001;9003'
    assert opp.loc["7003", ["stage", "probability"]].tolist() == ["Contract Sent", "0.9"]  # default pipeline's probability
    assert opp.loc["7006", ["amount", "probability"]].tolist() == ["300000", "0.4"]
    assert opp.loc["7008", "stage"] == "won"  # 'Closed won - renewals': a pipeline of the client's own, named won
    assert opp.loc["7005", ["stage", "probability", "pipeline"]].tolist() == ["Verbal Commit", "", "Renewals"]
    assert "7007" not in opp.index
    s = imported.summary
    assert "dropped 1 row(s) without an account: row 8 of hubspot-crm-exports-all-deals-2025-10-01.csv" in s
    assert "unknown stages taken by their name: Closed won - renewals -> won (1)" in s
    assert "kept as open stages: 'Verbal Commit' (1)" in s
    assert "count 0 in the weighted pipeline" in s


def test_contacts_levels_roles_and_advocates_from_titles_and_buying_roles(imported):
    con = _csv(imported.out / "contacts.csv").set_index("name")
    assert con.loc["Lee Chen", ["level", "role", "advocate"]].tolist() == ["executive", "decision_maker", "false"]
    assert con.loc["Ana Silva", ["level", "role", "advocate"]].tolist() == ["senior", "coach", "true"]
    assert con.loc["Tom Berg", ["level", "role"]].tolist() == ["manager", "user"]
    assert con.loc["Mia Roux", "level"] == "executive"  # 'VP, Digital'
    assert "Sam Ode" not in con.index  # no company
    assert "mapped level: executive <- 'Chief Financial Officer', 'VP, Digital'" in imported.summary


def test_revenue_is_derived_from_won_deals(imported):
    rev = _csv(imported.out / "revenue.csv")
    assert rev["amount"].tolist() == ["250000", "80000", "35000"]
    manifest = json.loads((imported.out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["tables"]["revenue"]["derived"]
    assert manifest["mapping"]["profile"] == "hubspot"


def test_deals_without_company_ids_find_their_company_by_name(tmp_path):
    exports = tmp_path / "exports"
    shutil.copytree(FIXTURES, exports)
    deals = exports / "hubspot-crm-exports-all-deals-2025-10-01.csv"
    df = pd.read_csv(deals, dtype=str, keep_default_na=False).drop(columns=["Associated Company IDs"])
    df.to_csv(deals, index=False)
    res = run_import([exports], out=tmp_path / "out", profile="hubspot")
    opp = _csv(res.out / "opportunities.csv").set_index("opportunity_id")
    assert opp.loc["7001", "account_id"] == "9001" and opp.loc["7006", "account_id"] == "9003"
    assert "account_id <- 'Associated Company' (the fallback); first of the ';'-separated values" in res.summary
    assert "row(s) found by account name in accounts" in res.summary
