"""Engagement details: the YAML file, the options over it, and what is refused."""

from __future__ import annotations

import re

import pytest

from srm_nb.engagement import DEFAULT_CLASSIFICATION, Engagement, load_engagement
from srm_nb.errors import UsageError


def test_options_override_the_file_and_numbers_are_text(tmp_path):
    f = tmp_path / "engagement.yaml"
    f.write_text("client: From File\nassessor: Jane Doe, Example Ltd\nengagement: 2026\n")
    e = load_engagement(f, client="Option Corp", assessor=None)
    assert e == Engagement(client="Option Corp", assessor="Jane Doe, Example Ltd", engagement="2026",
                           classification=DEFAULT_CLASSIFICATION)
    assert load_engagement(None) == Engagement()
    assert Engagement.from_dict(e.to_dict()) == e


def test_control_characters_become_spaces_on_one_line():
    e = load_engagement(None, client="Evil\nCorp\x1b[31m\t")
    assert e.client == "Evil Corp [31m"


@pytest.mark.parametrize("text, message", [
    ("clinet: typo\n", "unknown engagement detail(s) clinet"),
    ("client: [a, b]\n", "must be text, not list"),
    ("client: true\n", "must be text, not bool"),
    ("- client\n", "must be a mapping"),
    ("client: 'unclosed\n", "not valid YAML at line"),
    (f"client: {'x' * 201}\n", "keep it under 200"),
])
def test_a_bad_file_is_a_usage_error_that_says_what_is_wrong(tmp_path, text, message):
    f = tmp_path / "engagement.yaml"
    f.write_text(text)
    with pytest.raises(UsageError, match=re.escape(message)):
        load_engagement(f)


def test_a_missing_file_says_so(tmp_path):
    with pytest.raises(UsageError, match="cannot read the engagement file"):
        load_engagement(tmp_path / "missing.yaml")
