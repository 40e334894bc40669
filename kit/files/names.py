"""File names from account ids, which are untrusted text."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

#: Names Windows will not create as files, whatever the extension (``CON.html`` included).
WINDOWS_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                              *(f"lpt{i}" for i in range(10))})


def report_stems(account_ids: Iterable[str]) -> dict[str, str]:
    """File name stems for account ids (ids are untrusted text), as a pure function.

    An id that is already a safe name (1-64 letters, digits, ``-``, ``_``, starting with a
    letter or digit, so never read as an option; not a name
    Windows reserves, such as ``CON``) is kept.  Any other
    id, and any id that clashes with another on a case-insensitive file system, becomes
    an ASCII slug plus a short hash of the id (``a/b`` -> ``a_b-3f2c...``), so a stem never
    holds a path separator or ``..``.  Should two stems still meet (ids made to collide),
    the later ids in sorted order get a counter, so two accounts never share a file and
    the same set of ids always gives the same names.
    """
    import re
    import unicodedata

    ids = list(dict.fromkeys(account_ids))
    lower_counts: dict[str, int] = {}
    for i in ids:
        lower_counts[i.lower()] = lower_counts.get(i.lower(), 0) + 1
    out = {}
    for i in ids:
        safe = (re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", i) is not None and lower_counts[i.lower()] == 1
                and i.lower() not in WINDOWS_RESERVED)
        if safe:
            out[i] = i
        else:
            ascii_text = unicodedata.normalize("NFKD", i).encode("ascii", "ignore").decode("ascii")  # Ü -> U
            slug = re.sub(r"[^A-Za-z0-9_-]+", "_", ascii_text).strip("_-")[:40] or "account"
            out[i] = f"{slug}-{hashlib.sha1(i.encode('utf-8')).hexdigest()[:8]}"
    seen: set[str] = set()
    for i in sorted(ids):
        stem, n = out[i], 1
        while stem.lower() in seen:
            n += 1
            stem = f"{out[i]}-{n}"
        seen.add(stem.lower())
        out[i] = stem
    return out


def report_page(stem: str, *, client: bool = False) -> str:
    """Where ``kit run`` writes an account's report, relative to the run folder:
    ``accounts/<stem>.html``, or ``<stem>/<stem>.html`` in a client run (a folder per
    account, to send as it is).  ``stem``: from :func:`report_stems`."""
    return f"{stem}/{stem}.html" if client else f"accounts/{stem}.html"
