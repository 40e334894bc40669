"""Names the whole kit agrees on: element ids, table columns, allowed values.

Every other module takes column names, element ids and category labels from here, so a
renamed column or a new allowed value is changed in one place.  The table *rules*
(which column is required, what type it parses as) are data in :data:`TABLES`; the
loader (:mod:`kit.io`) turns them into pandera schemas.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "ACCOUNT_FIGURES_COLUMNS",
    "ACCOUNT_SUMMARY_COLUMNS",
    "ACTIVITY_TYPES",
    "AM_LOAD_COLUMNS",
    "AUDIENCES",
    "BCG_QUADRANTS",
    "CATEGORIES",
    "CHANGES_COLUMNS",
    "CLOSED_STAGES",
    "CONTACT_LEVELS",
    "CONTACT_ROLES",
    "CROSS_SELL_COLUMNS",
    "ELEMENTS",
    "ELEMENT_IDS",
    "ELEMENT_NAMES",
    "ELEMENT_SCORES_COLUMNS",
    "HEALTH_DRIVERS_COLUMNS",
    "INTERNAL_ROLES",
    "LEADING_INDICATORS_COLUMNS",
    "MAX_NUMBER",
    "MOTIONS",
    "OBJECTIVE_MEASURES",
    "OBJECTIVE_THEMES",
    "QUADRANTS",
    "RATER_ROLES",
    "RECOMMENDATIONS_COLUMNS",
    "REQUIRED_TABLES",
    "REVENUE_MOTIONS_COLUMNS",
    "SURVEY_TYPES",
    "TABLES",
    "UNSPECIFIED",
    "WARNINGS_COLUMNS",
    "ColumnRule",
    "TableRule",
]

# --- the ten assessment elements (pinned ids, in this order) --------------------------
ELEMENTS: tuple[tuple[str, str], ...] = (
    ("client_understanding", "Client Understanding"),
    ("account_strategy", "Account Strategy"),
    ("value_of_work", "Value of Our Current and Future Work"),
    ("relationships", "Robustness of Our Relationships"),
    ("delivery_quality", "Managing Delivery Quality"),
    ("firm_as_partner", "Our Firm as a Partner"),
    ("account_governance", "Account Governance"),
    ("leading_people", "Leading our People"),
    ("brand_marketing", "Our Brand, Marketing and Communications"),
    ("pipeline_health", "Pipeline Health"),
)
ELEMENT_IDS: tuple[str, ...] = tuple(e for e, _ in ELEMENTS)
ELEMENT_NAMES: dict[str, str] = dict(ELEMENTS)

# --- allowed values -------------------------------------------------------------------
RATER_ROLES = ("account_team", "leadership", "delivery", "client")
INTERNAL_ROLES = ("account_team", "leadership", "delivery")
#: who a report is for: internal (everything) or client (no internal material)
AUDIENCES = ("internal", "client")
CONTACT_LEVELS = ("executive", "senior", "manager", "staff")
CONTACT_ROLES = ("decision_maker", "influencer", "coach", "user", "blocker")
ACTIVITY_TYPES = ("meeting", "executive_meeting", "proposal", "referral", "qbr", "endorsement")
SURVEY_TYPES = ("nps", "csat")
CLOSED_STAGES = ("won", "lost")
UNSPECIFIED = "Unspecified"

CATEGORIES = ("Strategic", "Core", "Beachhead", "Greenfield")
#: themes of the objectives beyond revenue (seed 000, Rule 10 and Figure 4)
OBJECTIVE_THEMES = ("relationships", "referenceability", "deal_size", "breadth", "insight", "revenue")
#: figures an objective may point at (columns of the model's per-account figures)
OBJECTIVE_MEASURES = (
    "executives", "decision_makers", "stakeholder_coverage", "advocates", "average_deal_size",
    "revenue_buying_centers", "share_of_wallet", "revenue_t4q", "revenue_growth", "open_pipeline", "open_opportunities",
    "colonization_share", "crop_rotation_share", "sole_sourced_share", "win_rate_count",
)
QUADRANTS = ("Thriving", "Coasting", "Building", "At risk")
BCG_QUADRANTS = ("Star", "Cash cow", "Question mark", "Dog", "unclassified")
MOTIONS = ("baseline", "continuation", "crop_rotation", "colonization")


# --- input tables -----------------------------------------------------------------------
#: The largest number (either way) an input cell may hold: a quadrillion is beyond any
#: account's revenue, and a few cells of 1e308 would overflow every sum to infinity.
MAX_NUMBER = 1e15

@dataclass(frozen=True)
class ColumnRule:
    """How one input column is read.

    kind: ``id`` (non-empty text), ``text``, ``number``, ``period`` (quarter label or ISO
    date), ``date``, ``bool`` (true/false), ``enum`` (one of ``values``), ``int``.
    ``low``/``high`` bound numbers (inclusive).
    """

    name: str
    kind: str = "text"
    required: bool = False
    nullable: bool = True
    values: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class TableRule:
    """One input table: its columns and its key (unique together).

    ``coded``: columns typed as categoricals of their text (ids, enums) rather than
    plain text: the columns the figures group millions of rows on, which integer codes
    group without hashing every cell's text again (see
    :func:`kit.figures.assessment.score_assessments`).
    """

    name: str
    columns: tuple[ColumnRule, ...]
    key: tuple[str, ...] = ()
    has_account_id: bool = True
    notes: dict[str, str] = field(default_factory=dict)
    coded: tuple[str, ...] = ()

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> ColumnRule:
        return next(c for c in self.columns if c.name == name)


def _req(name: str, kind: str = "text", **kw) -> ColumnRule:
    return ColumnRule(name, kind, required=True, nullable=False, **kw)


TABLES: dict[str, TableRule] = {
    "accounts": TableRule(
        "accounts",
        (
            _req("account_id", "id"),
            _req("account_name", "id"),
            ColumnRule("industry"),
            ColumnRule("region"),
            ColumnRule("account_manager"),
            ColumnRule("market_growth", "number", low=-1.0),
            ColumnRule("market_share", "number", low=0.0),
            ColumnRule("wallet_estimate", "number", low=0.0),
        ),
        key=("account_id",),
    ),
    "revenue": TableRule(
        "revenue",
        (
            _req("account_id", "id"),
            _req("period", "period"),
            _req("amount", "number"),
            ColumnRule("buying_center"),
            ColumnRule("offering"),
            ColumnRule("gross_margin", "number", low=-10.0, high=1.0),
        ),
    ),
    "targets": TableRule(
        "targets",
        (
            _req("account_id", "id"),
            _req("period", "period"),
            _req("revenue_target", "number", low=0.0),
            ColumnRule("margin_target", "number"),
        ),
        key=("account_id", "period"),
    ),
    "assessment": TableRule(
        "assessment",
        (
            _req("account_id", "id"),
            _req("assessed_on", "date"),
            _req("rater", "id"),
            _req("element", "enum", values=ELEMENT_IDS),
            ColumnRule("score", "number", required=True, low=1, high=5),
            ColumnRule("question_id"),
            ColumnRule("rater_role", "enum", values=RATER_ROLES),
            ColumnRule("comment"),
        ),
        key=("account_id", "assessed_on", "rater", "element", "question_id"),
        coded=("account_id", "rater", "element", "question_id"),
    ),
    "questions": TableRule(
        "questions",
        (
            _req("element", "enum", values=ELEMENT_IDS),
            _req("question_id", "id"),
            _req("text", "id"),
            ColumnRule("weight", "number", low=0.0),
        ),
        key=("question_id",),
        has_account_id=False,
    ),
    "objectives": TableRule(
        "objectives",
        (
            _req("category", "enum", values=tuple(c.lower() for c in CATEGORIES)),
            _req("objective", "id"),
            ColumnRule("theme", "enum", values=OBJECTIVE_THEMES),
            ColumnRule("measure", "enum", values=OBJECTIVE_MEASURES),
            # the objective is met (shown as met, not recommended) when its measure is at
            # or above this; blank: an objective that is never done
            ColumnRule("met_at", "number"),
        ),
        has_account_id=False,
    ),
    "contacts": TableRule(
        "contacts",
        (
            _req("account_id", "id"),
            _req("contact_id", "id"),
            ColumnRule("name"),
            ColumnRule("title"),
            ColumnRule("level", "enum", values=CONTACT_LEVELS),
            ColumnRule("buying_center"),
            ColumnRule("role", "enum", values=CONTACT_ROLES),
            ColumnRule("relationship_strength", "int", low=1, high=5),
            ColumnRule("advocate", "bool"),
            ColumnRule("first_met", "date"),
            ColumnRule("last_contact", "date"),
            ColumnRule("active", "bool"),
        ),
        key=("account_id", "contact_id"),
    ),
    "opportunities": TableRule(
        "opportunities",
        (
            _req("account_id", "id"),
            _req("opportunity_id", "id"),
            ColumnRule("created_on", "date"),
            ColumnRule("close_date", "date"),
            ColumnRule("stage"),
            ColumnRule("amount", "number", low=0.0),
            ColumnRule("probability", "number", low=0.0, high=1.0),
            ColumnRule("buying_center"),
            ColumnRule("offering"),
            ColumnRule("competitive", "bool"),
            ColumnRule("referral", "bool"),
        ),
        key=("account_id", "opportunity_id"),
    ),
    "activities": TableRule(
        "activities",
        (
            _req("account_id", "id"),
            _req("date", "date"),
            _req("type", "enum", values=ACTIVITY_TYPES),
            ColumnRule("contact_id"),
            ColumnRule("buying_center"),
            ColumnRule("note"),
        ),
    ),
    "surveys": TableRule(
        "surveys",
        (
            _req("account_id", "id"),
            _req("date", "date"),
            _req("survey", "enum", values=SURVEY_TYPES),
            _req("score", "number", low=0, high=10),
            ColumnRule("respondent"),
        ),
    ),
}
REQUIRED_TABLES = ("accounts", "revenue")

# --- output tables (pinned column order) -----------------------------------------------
ACCOUNT_SUMMARY_COLUMNS = (
    "account_id", "account_name", "category", "bcg_quadrant", "health_index", "health_rag",
    "health_complete", "revenue_t4q", "revenue_growth", "revenue_attainment", "hygienic",
    "quadrant", "continuation_share", "crop_rotation_share", "colonization_share",
    "hhi_buying_center", "hhi_offering", "decision_makers", "share_of_wallet",
    "open_pipeline", "weighted_pipeline", "nps", "nps_n", "csat", "warnings",
)
ELEMENT_SCORES_COLUMNS = (
    "account_id", "element", "score", "rag", "n_raters", "spread", "perception_gap",
    "previous_score", "change",
)
WARNINGS_COLUMNS = ("account_id", "warning_id", "severity", "message")
CHANGES_COLUMNS = ("account_id", "figure", "previous", "current", "change")
HEALTH_DRIVERS_COLUMNS = ("account_id", "element", "previous_score", "score", "weight", "contribution")
REVENUE_MOTIONS_COLUMNS = ("account_id", "period", "motion", "amount")
LEADING_INDICATORS_COLUMNS = (
    "account_id", "period", "new_offerings_proposed", "new_executives_met", "new_proposals",
    "referrals_to_new_buying_centers", "advocates", "sole_sourced_share",
)
#: account_figures.csv: the per-account figures beyond account_summary.csv
ACCOUNT_FIGURES_COLUMNS = (
    "account_id", "category_reason", "previous_category", "quadrant_reason", "revenue_prior4",
    "revenue_target_t4q", "target_quarters", "margin_t4q", "margin_attainment", "hygiene_basis",
    "baseline_share", "repeat_business_share", "is_new_client", "new_client_t4q", "grr", "nrr",
    "annual_revenue", "margin_rate", "ltv_retention", "ltv", "ltv_basis",
    "top_buying_center", "top_share_buying_center", "top_offering", "top_share_offering",
    "effective_buying_centers", "effective_offerings", "assessment_in_grace", "health_change_elements",
    "executives", "advocates", "revenue_buying_centers", "uncovered_buying_centers", "stakeholder_coverage",
    "open_opportunities", "stale_opportunities", "next4_target", "pipeline_coverage", "win_rate_count",
    "win_rate_value", "won_value_t4q", "average_deal_size", "sole_sourced_share", "wallet_estimate",
    "unaddressed_potential", "whitespace_flag", "nps_few", "nps_prior", "csat_top2_share", "csat_n",
    "csat_prior", "account_manager", "am_load", "am_load_flag",
)
RECOMMENDATIONS_COLUMNS = ("account_id", "rank", "source", "ref", "objective", "because", "priority")
CROSS_SELL_COLUMNS = ("account_id", "buying_center", "offering", "bc_revenue_t4q", "bought_by")
AM_LOAD_COLUMNS = ("account_manager", "accounts", "greenfield", "flag")
