"""Messages are safe to print: input text never drives the user's terminal (issue 13)."""

from __future__ import annotations

from kit.errors import InputError, Problem, printable, short_repr


def test_printable_escapes_control_and_bidi_characters():
    assert printable("Evil\x1b]0;PWNED\x07 Corp") == "Evil\\x1b]0;PWNED\\x07 Corp"
    assert printable("a\u202eb\x9bc") == "a\\u202eb\\x9bc"
    assert printable("Müller – Café\nnext\tcell") == "Müller – Café\nnext\tcell"  # text, line breaks and tabs stay


def test_a_problem_never_prints_a_control_character():
    p = Problem("accounts.csv\x1b[2J", 3, "account_name", "Evil\x1b[31m", "a \x07 name")
    text = str(p)
    assert "\x1b" not in text and "\x07" not in text
    assert "\x1b" not in InputError([p]).report()


def test_short_repr_never_builds_a_huge_text():
    nested = [[list(range(1000))] * 1000] * 1000  # a billion items, if expanded
    assert len(str(short_repr(nested))) < 200
    assert short_repr("x" * 1000) == "x" * 200 and short_repr(3.5) == 3.5
