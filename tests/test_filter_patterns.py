"""The CloudWatch Logs filter pattern grammar: what a pattern matches, and what it refuses."""

from __future__ import annotations

import pytest

from srm_nb.checks.filter_patterns import PatternError, matcher, parse, pattern_covers

EVENT = {
    "eventSource": "iam.amazonaws.com",
    "eventName": "CreateAccessKey",
    "errorCode": "AccessDenied",
    "userIdentity.type": "IAMUser",
    "userIdentity.userName": "alice",
    "readOnly": False,
    "bytes": 512,
    "latency": "1.50",
    "note": 'say "hi" now',
    "invokedBy": None,
}


def matches(pattern: str, event: dict = EVENT) -> bool:
    predicate = matcher(pattern)
    assert predicate is not None, f"{pattern!r} should parse"
    return predicate(event)


# -- term patterns -------------------------------------------------------------------------------

def test_terms_must_all_occur():
    assert matches("CreateAccessKey")
    assert matches("CreateAccessKey AccessDenied")
    assert not matches("CreateAccessKey DeleteAccessKey")


def test_quoted_term_is_one_phrase():
    assert matches('"iam.amazonaws.com"')
    assert not matches('"AccessDenied alice"')  # both words occur, but not as this phrase
    assert matches("AccessDenied alice")


def test_optional_and_excluded_terms():
    assert matches("?DeleteAccessKey ?CreateAccessKey")
    assert not matches("?DeleteAccessKey ?StopLogging")
    assert not matches("CreateAccessKey -AccessDenied")
    assert matches("CreateAccessKey -StopLogging")


def test_empty_or_absent_pattern_matches_everything():
    assert matches("") and matches("   ") and matches(None)


# -- JSON selectors and comparisons --------------------------------------------------------------

def test_selector_equality_with_and_without_quotes():
    assert matches('{ $.eventName = "CreateAccessKey" }')
    assert matches("{$.eventName=CreateAccessKey}")
    assert matches('{ $.userIdentity.type = "IAMUser" }')  # nested path
    assert not matches('{ $.eventName = "DeleteAccessKey" }')


def test_escaped_quotes_in_a_value():
    assert parse(r'{ $.note = "say \"hi\" now" }')[3] == ("str", 'say "hi" now')
    assert matches(r'{ $.note = "say \"hi\" now" }')


def test_wildcards_match_any_run_of_characters():
    assert matches('{ $.errorCode = "Access*" }')
    assert matches('{ $.errorCode = "*Denied" }')
    assert matches('{ $.eventSource = "iam.*.com" }')
    assert not matches('{ $.errorCode = "*Unauthorized*" }')


def test_regex_values():
    assert matches("{ $.errorCode = %Access(Denied|DeniedException)% }")
    assert not matches("{ $.errorCode = %^Unauthorized% }")


def test_numbers_compare_as_numbers():
    assert matches("{ $.bytes = 512 }") and matches("{ $.bytes = 512.0 }")
    assert matches("{ $.bytes > 500 }") and matches("{ $.bytes >= 512 }") and matches("{ $.bytes <= 512 }")
    assert not matches("{ $.bytes < 512 }")
    assert matches("{ $.latency > 1.2 }")  # numeric text compares as a number
    assert not matches("{ $.eventName > 1 }")  # text is not a number: no match either way
    assert not matches("{ $.eventName < 1 }")


def test_not_equal_and_absent_fields():
    assert matches('{ $.eventName != "DeleteAccessKey" }')
    assert not matches('{ $.eventName != "CreateAccessKey" }')
    assert matches('{ $.missing != "x" }')  # an absent field equals nothing
    assert not matches('{ $.missing = "x" }')


def test_exists_not_exists_and_is():
    assert matches("{ $.invokedBy NOT EXISTS }") and matches("{ $.missing NOT EXISTS }")
    assert not matches("{ $.eventName NOT EXISTS }")
    assert matches("{ $.eventName EXISTS }") and not matches("{ $.invokedBy EXISTS }")
    assert matches("{ $.readOnly IS FALSE }") and not matches("{ $.readOnly IS TRUE }")
    assert matches("{ $.missing IS NULL }") and not matches("{ $.eventName IS NULL }")
    assert matches("{ $.readOnly = false }") and not matches('{ $.readOnly = "false" }')


def test_in_and_not_in_lists():
    assert matches('{ $.eventName IN ["DeleteAccessKey", "CreateAccessKey"] }')
    assert not matches('{ $.eventName IN ["DeleteAccessKey", "StopLogging"] }')
    assert matches('{ $.eventName NOT IN ["DeleteAccessKey", "StopLogging"] }')
    assert matches("{ $.errorCode IN [Access*] }")


# -- combining -----------------------------------------------------------------------------------

def test_and_or():
    assert matches('{ $.eventName = "CreateAccessKey" && $.errorCode = "AccessDenied" }')
    assert not matches('{ $.eventName = "CreateAccessKey" && $.errorCode = "Throttling" }')
    assert matches('{ $.eventName = "StopLogging" || $.errorCode = "AccessDenied" }')
    assert not matches('{ $.eventName = "StopLogging" || $.errorCode = "Throttling" }')


def test_and_binds_tighter_than_or():
    tree = parse("{ $.a = 1 || $.b = 2 && $.c = 3 }")
    assert tree[0] == "or" and tree[1][1][0] == "and"
    # true || (false && false): true; (true || false) && false would be false
    assert matches('{ $.eventName = "CreateAccessKey" || $.eventName = "x" && $.errorCode = "y" }')


def test_parentheses_group():
    assert not matches('{ ($.eventName = "CreateAccessKey" || $.eventName = "x") && $.errorCode = "y" }')
    assert matches('{ (($.eventName = "x") || ($.eventName = "CreateAccessKey")) && ($.errorCode = "AccessDenied") }')


def test_quotes_and_whitespace_do_not_change_the_tree():
    a = parse('{ $.eventName = "ConsoleLogin" }')
    b = parse("{$.eventName=ConsoleLogin}")
    c = parse('{\n  $.eventName\n  =  "ConsoleLogin"\n}')
    assert a[:3] == b[:3] == c[:3] == ("cmp", "eventName", "=")
    assert a[3][1] == b[3][1] == c[3][1] == "ConsoleLogin"


# -- malformed patterns --------------------------------------------------------------------------

MALFORMED = ["{ $.a = }", "{ ($.a = 1 }", "{ $.a = 1 } extra", "{ = 1 }", "{ $.a ~ 1 }", "{ $.a = 1",
             "{ $.a = 1 && }", "{ $.a IN [1, }", "{ $.a = 1 || || $.b = 2 }", "{ $.a = 1 ) }"]


@pytest.mark.parametrize("bad", MALFORMED)
def test_malformed_patterns_raise(bad):
    with pytest.raises(PatternError):
        parse(bad)


@pytest.mark.parametrize("bad", MALFORMED)
def test_malformed_patterns_match_nothing_and_cover_nothing(bad):
    assert matcher(bad) is None
    assert not pattern_covers(bad, [EVENT])


# -- covering a set of events --------------------------------------------------------------------

def test_pattern_covers_every_match_and_no_reject():
    other = {**EVENT, "errorCode": None, "eventName": "ListUsers"}
    assert pattern_covers('{ $.errorCode = "AccessDenied" }', [EVENT], reject=[other])
    assert not pattern_covers('{ $.errorCode = "AccessDenied" }', [EVENT, other])
    assert not pattern_covers("{ $.eventSource = iam.amazonaws.com }", [EVENT], reject=[other])
    assert not pattern_covers("", [EVENT], reject=[other])  # the empty pattern counts everything
