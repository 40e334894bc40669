"""Decks (kit.report.deck_content, kit.report.deck): opened again with python-pptx as
PowerPoint would show them: slides, native charts, text as text, the client's language,
a firm's template with its own layouts; the branding settings checked before a run."""

from __future__ import annotations

import copy
import io
from pathlib import Path

import pandas as pd
import pytest
from deliverables_helpers import internal_words, mentions, pptx_text
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Inches

from kit.config import Settings
from kit.errors import UsageError
from kit.report.branding import Branding, css_string, load_branding, logo_kind, page_style
from kit.report.deck import build_presentation, pick_layouts, write_deck
from kit.report.deck_content import CLIENT_ELEMENT_NAMES, client_deck, compact_money, internal_deck
from kit.report.loading import load_model

SYNTH = (4, 11)
FIRM = "Fabrikam Advisory"


@pytest.fixture(scope="module")
def model(synth_portfolio):
    return load_model(synth_portfolio(*SYNTH))


@pytest.fixture(scope="module")
def accounts(model) -> pd.Series:
    return model.figures["account_name"]


def _png(width: int = 240, height: int = 80) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (122, 30, 92)).save(buf, format="PNG")
    return buf.getvalue()


def _saved(prs, tmp_path: Path, name: str = "deck.pptx") -> Path:
    path = tmp_path / name
    prs.save(str(path))
    return path


def _charts(prs) -> list:
    return [sh.chart for slide in prs.slides for sh in slide.shapes if sh.has_chart]


# -- the client's deck: the quarterly business review -----------------------------------
def test_the_client_deck_is_the_quarterly_business_review(model, accounts, tmp_path):
    acc = accounts.index[1]
    deck = client_deck(model, acc, firm_name=FIRM)
    path = write_deck(deck, tmp_path / "qbr.pptx", branding=Branding(firm_name=FIRM))
    prs = Presentation(str(path))
    titles = [s.shapes.title.text if s.shapes.title is not None else "" for s in prs.slides]
    assert titles == ["Quarterly business review", "Our partnership", "Progress since last quarter",
                      "How we rate our partnership", "Key measures", "What went well", "What to improve together",
                      "Next steps"]
    text = pptx_text(path)
    assert accounts[acc] in text and f"Confidential: prepared for {accounts[acc]}" in text
    # every slide carries the mark
    for slide in prs.slides:
        assert any(sh.has_text_frame and sh.text_frame.text == f"Confidential: prepared for {accounts[acc]}"
                   for sh in slide.shapes)
    assert {"We will", "We ask you to", "Together"} <= set(text.splitlines())  # next steps for both sides


def test_the_ten_elements_are_a_native_editable_chart(model, accounts, tmp_path):
    acc = accounts.index[1]
    prs = build_presentation(client_deck(model, acc), branding=Branding())
    charts = _charts(prs)
    assert len(charts) >= 2  # the elements, and the quarters of work together
    elements = next(c for c in charts if len(c.plots[0].categories) == 10)
    assert list(elements.plots[0].categories) == list(CLIENT_ELEMENT_NAMES.values())
    scores = model.assessment.elements.query("account_id == @acc").set_index("element")["score"]
    assert [round(v) for v in elements.plots[0].series[0].values] == [round(scores[e]) for e in CLIENT_ELEMENT_NAMES]
    assert elements.value_axis.maximum_scale == 100
    # nothing is a picture: no logo given, so no picture at all
    pictures = [sh for s in prs.slides for sh in s.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert pictures == []


def test_the_client_deck_speaks_the_clients_language_and_names_no_other_account(model, accounts, tmp_path):
    for acc, name in accounts.items():
        path = write_deck(client_deck(model, acc, firm_name=FIRM), tmp_path / f"{acc}.pptx", branding=Branding(firm_name=FIRM))
        text = pptx_text(path)
        assert internal_words(text, own=name) == [], acc
        for other, other_name in accounts.items():
            if other != acc:
                assert not mentions(text, other_name) and not mentions(text, other), (acc, other)


def test_no_earlier_quarter_is_said_plainly(model_of, synth_portfolio, tmp_path):
    """A client whose data holds one quarter and no assessment: nothing to compare with,
    and the deck says so instead of showing changes it cannot know."""
    data = synth_portfolio(*SYNTH)
    tables = {name: pd.read_csv(data / f"{name}.csv", dtype=str, keep_default_na=False).to_dict("records")
              for name in ("accounts", "revenue")}
    last = max(r["period"] for r in tables["revenue"])
    tables["revenue"] = [r for r in tables["revenue"] if r["period"] == last]
    m = model_of(tables)
    acc = m.figures.index[0]
    text = pptx_text(write_deck(client_deck(m, acc), tmp_path / "first.pptx"))
    assert "no earlier figure" in text
    assert "not yet assessed the partnership together" in text
    assert internal_words(text, own=str(m.figures.loc[acc, "account_name"])) == []


def test_the_internal_deck_is_the_account_review(model, accounts, tmp_path):
    acc = accounts.index[0]
    path = write_deck(internal_deck(model, acc, firm_name=FIRM), tmp_path / "review.pptx", branding=Branding(firm_name=FIRM))
    prs = Presentation(str(path))
    titles = [s.shapes.title.text for s in prs.slides if s.shapes.title is not None]
    assert titles[:3] == ["Account review", "Summary", "Health against hygiene"]
    assert {"The warnings that matter", "The plan: goals", "Who to meet next"} <= set(titles)
    text = pptx_text(path)
    assert "Confidential: internal" in text and accounts[acc] in text
    kinds = {str(c.chart_type).split(" ")[0] for c in _charts(prs)}
    assert {"BAR_CLUSTERED", "COLUMN_STACKED"} <= kinds  # the ten elements; revenue by quarter and motion
    goals = next(sh.table for s in prs.slides for sh in s.shapes if sh.has_table and sh.table.cell(0, 0).text == "Goal")
    assert len(goals.rows) > 1


def test_the_logo_is_on_the_title_slide(model, accounts):
    prs = build_presentation(client_deck(model, accounts.index[0]), branding=Branding(firm_name=FIRM), logo=_png())
    pics = [sh for sh in prs.slides[0].shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pics) == 1 and pics[0].image.content_type == "image/png"
    assert pics[0].left + pics[0].width <= prs.slide_width


def test_input_text_stays_text(model_of, synth_portfolio, tmp_path):
    """Markup and XML-invalid control characters in a name never break the file."""
    data = synth_portfolio(*SYNTH)
    tables = {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False).to_dict("records") for p in data.glob("*.csv")}
    tables["accounts"][0]["account_name"] = 'Acme <b>"Bold"</b> & Co\x0b'
    m = model_of(tables)
    acc = m.figures.index[0]
    text = pptx_text(write_deck(client_deck(m, acc), tmp_path / "x.pptx"))
    assert '<b>"Bold"</b> & Co' in text


# -- a firm's template -------------------------------------------------------------------
@pytest.fixture
def template(tmp_path) -> Path:
    """A firm's template made with python-pptx: 4:3, its layouts renamed in the firm's
    words, a mark on the master, a coloured background, and an example slide."""
    from pptx.dml.color import RGBColor

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(10), Inches(7.5)
    names = {0: "Fabrikam Cover", 1: "Fabrikam Text", 5: "Fabrikam Headline"}
    for i, layout in enumerate(prs.slide_layouts):
        layout.name = names.get(i, f"Fabrikam Other {i}")
    master = prs.slide_master
    master.background.fill.solid()
    master.background.fill.fore_color.rgb = RGBColor(0xF3, 0xEE, 0xF6)
    body = next(ph for ph in prs.slide_layouts[1].placeholders if ph.placeholder_format.idx == 1)
    body.left, body.top, body.width, body.height = Inches(1), Inches(2), Inches(8), Inches(4.4)  # the firm's own margins
    example = prs.slides.add_slide(prs.slide_layouts[1])
    example.shapes.title.text = "Example slide of the template"
    # a mark on the master (python-pptx adds no shape to a master: a slide's text box, moved there)
    mark = example.shapes.add_textbox(Inches(0.2), Inches(7.0), Inches(3), Inches(0.3))
    mark.text_frame.text = "FABRIKAM TEMPLATE MARK"
    master.shapes._spTree.append(copy.deepcopy(mark._element))
    path = tmp_path / "fabrikam.pptx"
    prs.save(str(path))
    return path


def test_a_deck_builds_on_the_firms_template_and_its_own_layouts(model, accounts, template, tmp_path):
    branding = Branding(firm_name=FIRM, deck_template=template)
    path = write_deck(client_deck(model, accounts.index[0], firm_name=FIRM), tmp_path / "t.pptx", branding=branding)
    prs = Presentation(str(path))
    assert (prs.slide_width, prs.slide_height) == (Inches(10), Inches(7.5))  # the template's size is kept
    used = {s.slide_layout.name for s in prs.slides}
    assert used <= {"Fabrikam Cover", "Fabrikam Text", "Fabrikam Headline"}, used
    assert prs.slides[0].slide_layout.name == "Fabrikam Cover"
    assert "Example slide of the template" not in pptx_text(path)  # the template's own slides are dropped
    assert any(sh.has_text_frame and sh.text_frame.text == "FABRIKAM TEMPLATE MARK" for sh in prs.slide_master.shapes)
    for slide in prs.slides:  # every shape on the slide, none left empty to say "Click to add text"
        for ph in slide.placeholders:
            assert ph.text_frame.text.strip(), slide.slide_layout.name
        for sh in slide.shapes:
            assert sh.left + sh.width <= prs.slide_width + Inches(0.01), sh.name
    assert len(_charts(prs)) >= 2
    # charts and tables sit in the area of the template's body placeholder
    frames = [sh for s in prs.slides for sh in s.shapes if sh.has_chart or sh.has_table]
    assert frames and all(sh.left >= Inches(1) - 1 and sh.top >= Inches(2) - 1 for sh in frames)


def test_layouts_are_found_by_name_or_by_their_placeholders(template):
    prs = Presentation(str(template))
    picked = {k: v.name for k, v in pick_layouts(prs).items()}
    assert picked == {"title": "Fabrikam Cover", "content": "Fabrikam Text", "title_only": "Fabrikam Headline"}
    plain = {k: v.name for k, v in pick_layouts(Presentation()).items()}
    assert plain == {"title": "Title Slide", "content": "Title and Content", "title_only": "Title Only"}


# -- numbers and branding -------------------------------------------------------------------
@pytest.mark.parametrize(("value", "text"), [(2_468_000, "€2.47M"), (475_189, "€475K"), (9_870, "€9.87K"),
                                              (987, "€987"), (-36_466, "-€36.5K"), (None, "—"), (float("nan"), "—")])
def test_compact_money(value, text):
    assert compact_money(value, "€") == text


def test_logo_kinds_are_read_from_the_bytes():
    assert logo_kind(_png()) == "png"
    assert logo_kind(b"\xff\xd8\xff\xe0rest") == "jpeg"
    assert logo_kind(b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>') == "svg"
    assert logo_kind(b"GIF89a") is None and logo_kind(b"<html><body>") is None


def test_branding_paths_are_relative_to_the_config_file(tmp_path):
    folder = tmp_path / "brand"
    folder.mkdir()
    (folder / "logo.png").write_bytes(_png())
    config = folder / "config.yml"
    config.write_text("logo: logo.png\n")
    b = load_branding(Settings(logo="logo.png", firm_name=FIRM, accent_colour="#7A1E5C"), config_path=config)
    assert b.logo_path == (folder / "logo.png").resolve() and b.logo_kind == "png" and b.accent == "#7a1e5c"
    assert b.logo_data_uri.startswith("data:image/png;base64,")


@pytest.mark.parametrize(("setting", "content", "expected"), [
    ("logo", None, "cannot read it"),
    ("logo", b"GIF89a....", "none of those"),
    ("logo", b"\x89PNG\r\n\x1a\n" + b"0" * (2 * 1024 * 1024), "at most 2 MB"),
    ("deck_template", None, "cannot read it"),
    ("deck_template", b"not a zip", "not one"),
])
def test_a_missing_or_wrong_logo_or_template_is_a_clear_error(tmp_path, setting, content, expected):
    name = "brand.png" if setting == "logo" else "template.pptx"
    if content is not None:
        (tmp_path / name).write_bytes(content)
    config = tmp_path / "config.yml"
    with pytest.raises(UsageError) as err:
        load_branding(Settings(**{setting: name}), config_path=config)
    message = str(err.value)
    assert f"config.yml: setting {setting}: {tmp_path / name}" in message and expected in message


def test_a_template_that_is_not_a_pptx_is_refused(tmp_path):
    (tmp_path / "t.potx").write_bytes(b"PK")
    with pytest.raises(UsageError, match="does not end in .pptx"):
        load_branding(Settings(deck_template="t.potx"), config_path=tmp_path / "c.yml")


def test_the_running_header_escapes_the_account_name():
    name = 'Acme "</style><script>alert(1)</script>" \\ Co'
    css = page_style(Branding(firm_name=FIRM), title=f"Quarterly business review: {name}",
                     confidential=f"Confidential: prepared for {name}")
    assert "</" not in css and "<script" not in css
    assert css_string('a"b') == '"a\\000022 b"'
