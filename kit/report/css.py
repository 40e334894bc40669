"""The kit's one stylesheet (``kit/resources/kit.css``), inlined into every page it writes.

A module of its own so that the HTML export (:mod:`kit.report.export`), which render
workers import, does not bring matplotlib and pandas with the report blocks.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

__all__ = ["stylesheet"]


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The text of the kit's stylesheet (``kit/resources/kit.css``), inlined into every page.

    Read on first use, not at import: plain CSS that fetches nothing (no fonts, images or
    imported sheets), safe inside ``<style>`` (it contains no ``</``).
    """
    css = (files("kit.resources") / "kit.css").read_text(encoding="utf-8")
    if "</" in css:  # would end the <style> element early
        raise ValueError("kit/resources/kit.css must not contain '</'")
    return css
