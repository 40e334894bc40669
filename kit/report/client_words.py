"""The client's words: what a page, PDF or deck sent to the account calls things.

One place for the client vocabulary, shared by the quarterly business review page
(kit/report/account.py) and the deck (kit/report/deck_content.py): the method's own
names speak of our pipeline, our people and our brand; the client reads the partnership.
"""

from __future__ import annotations

__all__ = ["CLIENT_BANDS", "CLIENT_ELEMENT_NAMES"]

#: the ten elements as the client reads them: what the partnership is like, in their words
#: (the method's names speak of our pipeline, our people and our brand)
CLIENT_ELEMENT_NAMES: dict[str, str] = {
    "client_understanding": "Understanding of your business",
    "account_strategy": "Shared plans and priorities",
    "value_of_work": "Value of our work for you",
    "relationships": "Relationships between our teams",
    "delivery_quality": "Quality of delivery",
    "firm_as_partner": "Our firm as a partner",
    "account_governance": "Governance and reviews",
    "leading_people": "Our team on your work",
    "brand_marketing": "Insights and ideas we share",
    "pipeline_health": "Planning future work together",
}

#: a score's band as the client reads it (never the method's colour code)
CLIENT_BANDS: dict[str, str] = {"green": "strong", "amber": "solid, room to grow", "red": "to improve together",
                                "incomplete": "partly scored"}
