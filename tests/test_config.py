"""kit.config: defaults of domain.md, config.yml overrides, and clear errors."""

from __future__ import annotations

import pytest

from kit.config import Settings, describe_settings, load_config
from kit.errors import InputError
from kit.schema import ELEMENT_IDS


def test_defaults_match_domain_md():
    s = Settings()
    assert (s.rag_green, s.rag_amber) == (70, 50)
    assert s.spread_flag == 1.5
    assert s.health_threshold == 60
    assert s.hhi_flag == 5000  # domain.md, "concentration flag" (issue 15)
    assert s.top_share_flag == 0.6
    assert s.whitespace_pipeline_ratio == 3
    assert s.nps_min_responses == 5  # n < 5 is "few responses"
    assert s.strategic_min_revenue == 1_000_000
    assert s.strategic_min_buying_centers == 3
    assert (s.core_min_buying_centers, s.core_min_quarters) == (2, 3)
    assert (s.bcg_growth_threshold, s.bcg_share_threshold) == (0.10, 1.0)
    assert s.min_scored_elements == 7
    assert s.motion_lookback_quarters == 12
    assert s.hygiene_attainment == 1.0
    assert s.element_weights == {e: 1.0 for e in ELEMENT_IDS}
    assert load_config(None) == s


def test_rag_bands_are_at_least():
    s = Settings()
    # green >= 70, amber >= 50, red < 50; no score -> no band
    assert [s.rag(x) for x in (70.0, 69.99, 50.0, 49.99, 0.0)] == ["green", "amber", "amber", "red", "red"]
    assert s.rag(None) is None and s.rag(float("nan")) is None


def test_every_setting_is_described():
    keys = [k for k, _, _ in describe_settings()]
    assert keys == list(Settings.model_fields)
    assert all(desc for _, _, desc in describe_settings())


def test_config_file_overrides(tmp_path):
    path = tmp_path / "config.yml"
    path.write_text("rag_green: 80\nelement_weights: {pipeline_health: 2}\n", encoding="utf-8")
    s = load_config(path)
    assert s.rag_green == 80.0
    assert s.rag(75.0) == "amber"  # green starts at 80 now
    # the elements not named keep weight 1.0
    assert s.element_weights["pipeline_health"] == 2.0
    assert s.element_weights["relationships"] == 1.0
    assert set(s.element_weights) == set(ELEMENT_IDS)
    assert s.rag_amber == 50.0  # untouched keys keep their defaults


def test_empty_config_file_gives_defaults(tmp_path):
    path = tmp_path / "config.yml"
    path.write_text("", encoding="utf-8")
    assert load_config(path) == Settings()


def _problems(tmp_path, text: str):
    path = tmp_path / "config.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_config(path)
    return info.value.problems


def test_unknown_key_is_named(tmp_path):
    (p,) = _problems(tmp_path, "rag_gren: 80\n")
    assert p.file == "config.yml" and p.column == "rag_gren"
    assert "rag_green" in p.expected  # the known keys are listed
    assert "rag_gren" in str(p)


def test_wrong_type_is_named(tmp_path):
    (p,) = _problems(tmp_path, "rag_green: high\n")
    assert p.column == "rag_green" and p.value == "high"
    assert "number" in p.expected


def test_all_config_problems_are_listed(tmp_path):
    problems = _problems(tmp_path, "rag_green: high\nhhi_flag: 20000\nbogus: 1\n")
    assert sorted(p.column for p in problems) == ["bogus", "hhi_flag", "rag_green"]


def test_unknown_element_weight_is_named(tmp_path):
    (p,) = _problems(tmp_path, "element_weights: {culture: 2}\n")
    assert p.column == "element_weights" and "culture" in p.expected


def test_not_a_mapping(tmp_path):
    (p,) = _problems(tmp_path, "- rag_green\n")
    assert "mapping" in p.expected


def test_missing_config_file(tmp_path):
    with pytest.raises(InputError) as info:
        load_config(tmp_path / "nope.yml")
    (p,) = info.value.problems
    assert p.file == "nope.yml" and "existing" in p.expected


# --- issue 13: settings read safely, finite and in order ----------------------------------
BOMB = "\n".join(["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
                 + [f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi")])


def test_a_yaml_alias_bomb_is_refused_before_it_expands(tmp_path):
    import resource

    path = tmp_path / "config.yml"
    path.write_text(BOMB)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(InputError) as exc:
        load_config(path)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB: nothing was expanded
    assert [str(p) for p in exc.value.problems] == [
        "config.yml, row 1: expected plain values, without YAML anchors and aliases (&name / *name): write each value out"]


def test_a_huge_config_file_is_refused(tmp_path):
    path = tmp_path / "config.yml"
    path.write_text("# " + "x" * 100_000 + "\n")
    with pytest.raises(InputError, match="at most 64 KiB"):
        load_config(path)


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
def test_non_finite_settings_are_refused(tmp_path, value):
    path = tmp_path / "config.yml"
    path.write_text(f"element_weights:\n  client_understanding: {value}\nrag_green: {value}\n")
    with pytest.raises(InputError) as exc:
        load_config(path)
    shown = [str(p) for p in exc.value.problems]
    assert any("element_weights.client_understanding" in s and "finite" in s for s in shown), shown
    assert any("rag_green" in s and "finite" in s for s in shown), shown


def test_contradictory_settings_are_refused_all_at_once(tmp_path):
    path = tmp_path / "config.yml"
    path.write_text("rag_amber: 80\nrag_green: 70\nam_load_min: 12\nam_load_max: 10\n")
    with pytest.raises(InputError) as exc:
        load_config(path)
    assert [str(p) for p in exc.value.problems] == [
        "config.yml, column rag_amber: expected rag_amber (80) at most rag_green (70): amber is the band below green",
        ("config.yml, column am_load_min: expected am_load_min (12) at most am_load_max (10): the load range runs from "
        "the minimum to the maximum")]


def test_a_long_value_is_quoted_short(tmp_path):
    path = tmp_path / "config.yml"
    path.write_text("nps_weak: [" + ", ".join(map(str, range(10_000))) + "]\n")
    with pytest.raises(InputError) as exc:
        load_config(path)
    assert len(str(exc.value)) < 300


def test_a_currency_with_control_characters_is_refused(tmp_path):
    path = tmp_path / "config.yml"
    path.write_text('currency: "\\e]0;x\\a"\n')
    with pytest.raises(InputError, match="without control characters"):
        load_config(path)
    assert "\x1b" not in str(pytest.raises(InputError, load_config, path).value)
