"""Thresholds and weights of ``domain.md``: defaults, and ``config.yml`` overrides.

Every key has a default and a description; the README's table of keys is checked
against :class:`Settings` by a test.  Loading never happens at import time.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kit.errors import InputError, Problem, printable, short_repr
from kit.schema import ELEMENT_IDS

__all__ = ["Settings", "describe_settings", "load_config"]


#: settings that must not exceed another: (lower, upper, why)
ORDERED: tuple[tuple[str, str, str], ...] = (
    ("rag_amber", "rag_green", "amber is the band below green"),
    ("am_load_min", "am_load_max", "the load range runs from the minimum to the maximum"),
)


class Settings(BaseModel):
    """All configurable thresholds (a value "at or above" a threshold counts as high)."""

    # inf and nan are never a threshold or a weight (a weight of .inf blanks the index)
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    # assessment
    element_weights: dict[str, float] = Field(
        default_factory=lambda: {e: 1.0 for e in ELEMENT_IDS},
        description="weight of each element in the health index (missing elements: 1.0)",
    )
    min_scored_elements: int = Field(7, ge=1, le=10, description="fewer scored elements than this marks the health index incomplete")
    rag_green: float = Field(70.0, ge=0, le=100, description="score at or above this is green")
    rag_amber: float = Field(50.0, ge=0, le=100, description="score at or above this (and below green) is amber; below is red")
    spread_flag: float = Field(1.5, ge=0, le=4, description="rater spread (1-5 points) at or above this flags 'raters disagree'")
    perception_gap_flag: float = Field(1.0, ge=0, le=4, description="|perception gap| (1-5 points) at or above this is marked in the report")
    health_threshold: float = Field(60.0, ge=0, le=100, description="health index at or above this counts as healthy")
    # hygiene
    hygiene_attainment: float = Field(1.0, ge=0, description="revenue attainment at or above this counts as hygienic")
    # categories
    strategic_min_revenue: float = Field(1_000_000, ge=0, description="Strategic: T4Q revenue at least this")
    strategic_min_buying_centers: int = Field(3, ge=1, description="Strategic: revenue from at least this many buying centers in T4Q")
    core_min_buying_centers: int = Field(2, ge=1, description="Core: revenue from at least this many buying centers in the last 8 quarters")
    core_min_quarters: int = Field(3, ge=1, le=4, description="Core: revenue in at least this many of the last 4 quarters")
    category_dominant_share: float = Field(0.8, gt=0, le=1, description="one category holding this share of the accounts with revenue (or no Strategic account) means the category rules do not fit the client's scale: validate, run and the portfolio report suggest thresholds")
    # revenue motions
    motion_lookback_quarters: int = Field(12, ge=1, description="lookback of the revenue motions, in quarters")
    # market position
    bcg_growth_threshold: float = Field(0.10, description="market growth at or above this is high")
    bcg_share_threshold: float = Field(1.0, ge=0, description="relative market share at or above this is high")
    # concentration and coverage
    # 5,000: fewer than two effective buying centers (10,000 / HHI); a 2,500 flag fires on an
    # account spread evenly over four buying centers, not a warning a consultant can defend
    hhi_flag: float = Field(5000, ge=0, le=10000, description="HHI at or above this (5,000: fewer than two effective buying centers or offerings) is concentrated")
    top_share_flag: float = Field(0.6, ge=0, le=1, description="top share at or above this is concentrated")
    single_threaded_max: int = Field(1, ge=0, description="this many active decision makers or fewer is single-threaded")
    # whitespace and pipeline
    whitespace_pipeline_ratio: float = Field(3.0, ge=0, description="unaddressed potential at or above this multiple of open pipeline is flagged")
    pipeline_coverage_weak: float = Field(1.0, ge=0, description="evidence: weighted pipeline coverage below this is weak (pipeline_health)")
    # KPIs
    nps_min_responses: int = Field(5, ge=1, description="NPS with fewer responses is marked 'few responses'")
    nps_weak: float = Field(0.0, ge=-100, le=100, description="evidence: NPS below this is weak (delivery_quality)")
    csat_weak: float = Field(3.5, ge=1, le=5, description="evidence: CSAT mean below this is weak (delivery_quality)")
    am_load_min: int = Field(5, ge=0, description="account-manager load below this is flagged")
    am_load_max: int = Field(10, ge=0, description="account-manager load above this is flagged")
    currency: str = Field("", max_length=8, description="currency symbol or code shown before amounts in reports, e.g. '$' or 'EUR ' (tables stay plain numbers)")
    ltv_discount_rate: float = Field(0.10, gt=0, le=1, description="long-term value: annual discount rate d in m x r / (1 + d - r)")
    max_recommendations: int = Field(5, ge=1, le=20, description="recommended objectives per account (the summary shows the first 3)")
    # warnings
    assessment_grace_quarters: int = Field(1, ge=0, le=4, description="assessments dated up to this many quarters after the analysis quarter count (workshops follow the quarter's close); 0: only up to the analysis date")
    stale_assessment_quarters: int = Field(2, ge=1, description="an assessment older than this many quarters is stale")
    no_executive_contact_quarters: int = Field(2, ge=1, description="no executive meeting or executive contact in this many quarters is flagged")
    nps_decline: float = Field(10.0, ge=0, description="NPS this many points below the prior 4 quarters is a decline")
    csat_decline: float = Field(0.3, ge=0, description="CSAT this much below the prior 4 quarters is a decline")
    sole_sourced_min: float = Field(0.2, ge=0, le=1, description="competitive pressure: sole-sourced share of won value below this")
    # branding (checked, and logo and template paths resolved, by kit.report.branding before a run renders)
    firm_name: str = Field("", max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$", description="your firm's name, shown on pages, PDFs and decks (e.g. in their footer)")
    logo: str | None = Field(None, max_length=1000, description="your logo: a PNG, JPEG or SVG file (at most 2 MB), embedded in pages, PDFs and decks; a relative path is relative to the config file's folder")
    accent_colour: str = Field("#1f4e79", pattern=r"^#[0-9A-Fa-f]{6}$", description="accent colour of headings, links and deck charts, as #RRGGBB")
    deck_template: str | None = Field(None, max_length=1000, description="your PowerPoint template (.pptx): decks are built on its slide layouts; a relative path is relative to the config file's folder")

    @field_validator("element_weights")
    @classmethod
    def _weights(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(v) - set(ELEMENT_IDS))
        if unknown:
            raise ValueError(f"unknown element(s) {unknown}; expected some of {list(ELEMENT_IDS)}")
        if any(not math.isfinite(w) or w < 0 for w in v.values()):
            raise ValueError("weights must be finite numbers >= 0")
        full = {e: float(v.get(e, 1.0)) for e in ELEMENT_IDS}
        if sum(full.values()) <= 0:
            raise ValueError("at least one element weight must be > 0")
        return full

    @field_validator("currency")
    @classmethod
    def _currency(cls, v: str) -> str:
        if printable(v) != v or "\n" in v or "\t" in v:
            raise ValueError("a currency symbol or code without control characters or line breaks")
        return v

    @model_validator(mode="after")
    def _in_order(self) -> Settings:
        """Thresholds that only make sense one below the other (:data:`ORDERED`)."""
        wrong = [f"{low}|{low} ({getattr(self, low):g}) at most {high} ({getattr(self, high):g}): {why}"
                 for low, high, why in ORDERED if getattr(self, low) > getattr(self, high)]
        if wrong:
            raise ValueError("\n".join(wrong))
        return self

    def rag(self, score: float | None) -> str | None:
        """RAG band of a 0-100 score (None when there is no score)."""
        if score is None or score != score:
            return None
        if score >= self.rag_green:
            return "green"
        return "amber" if score >= self.rag_amber else "red"


def describe_settings() -> list[tuple[str, Any, str]]:
    """(key, default, description) of every setting, for help text and the README."""
    out = []
    for name, f in Settings.model_fields.items():
        default = f.get_default(call_default_factory=True)
        if name == "element_weights":
            default = "1.0 each"
        out.append((name, default, f.description or ""))
    return out


#: a config.yml is a few dozen lines; anything far larger is not one
MAX_CONFIG_BYTES = 64 * 1024


class _AliasFound(Exception):
    def __init__(self, line: int):
        self.line = line


def _safe_yaml(text: str) -> Any:
    """YAML read with the safe loader, refusing anchors and aliases before anything is
    built: a few lines of nested aliases expand to gigabytes (the 'billion laughs')."""
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _AliasFound(event.start_mark.line + 1)
    return yaml.safe_load(text)


def load_config(path: str | Path | None) -> Settings:
    """Settings from a ``config.yml`` (None: all defaults).

    Raises
    ------
    InputError
        The file is missing, is not YAML, or holds unknown keys or bad values; every
        problem is listed.
    """
    if path is None:
        return Settings()
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise InputError([Problem(name, None, None, str(path), "an existing config.yml file")])
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise InputError([Problem(name, None, None, None,
                                  f"a config file of at most {MAX_CONFIG_BYTES // 1024} KiB (it is {path.stat().st_size:,} bytes)")])
    try:
        raw = _safe_yaml(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError([Problem(name, None, None, None, f"valid UTF-8 YAML ({printable(str(exc))[:300]})".replace("\n", " "))]) from None
    except _AliasFound as exc:
        raise InputError([Problem(name, exc.line, None, None, "plain values, without YAML anchors and aliases "
                                  "(&name / *name): write each value out")]) from None
    if not isinstance(raw, dict):
        raise InputError([Problem(name, None, None, short_repr(raw), "a mapping of key: value")])
    try:
        return Settings(**raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or "(top level)"
            if err["type"] == "extra_forbidden":
                expected = "a known key: " + ", ".join(Settings.model_fields)
            else:
                expected = err["msg"]
            value = err.get("input")
            if err["type"] == "value_error" and key == "(top level)":  # settings out of order (ORDERED)
                for line in str(expected).removeprefix("Value error, ").splitlines():
                    low, _, text = line.partition("|")
                    problems.append(Problem(name, None, low, None, text))
                continue
            expected = str(expected).removeprefix("Input should be ").removeprefix("Value error, ")
            problems.append(Problem(name, None, key, None if isinstance(value, (dict, Settings)) else short_repr(value), expected))
        raise InputError(problems) from None
