"""CloudWatch Logs metric filter patterns, evaluated against sample events.

A pattern is judged by what it matches, not by its text: `matcher()` parses it and returns a
predicate over events. Events are flat dicts {JSON path: value} ("userIdentity.type": "Root").

The grammar (CloudWatch Logs filter pattern syntax):
- JSON patterns, `{ ... }`: selectors `$.path` compared with `=`, `!=` (text, numbers, `*`
  wildcards, `%regex%`), `>`, `<`, `>=`, `<=` (numbers), `IS TRUE|FALSE|NULL`, `EXISTS`,
  `NOT EXISTS`, `IN [...]` and `NOT IN [...]`; combined with `&&`, `||` (`&&` binds tighter)
  and parentheses. An absent field equals nothing here, so `!=` matches it.
- Term patterns (no braces, no `$.`): every plain term must occur in the event, at least one `?term` when
  any is given, and no `-term`; quotes group words into one term.
- The empty pattern matches every event; a pattern that cannot be parsed matches none.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Callable, Iterable


class PatternError(ValueError):
    """A JSON pattern that does not follow the grammar."""


_TOKEN = re.compile(r"""\s*(?:
    (?P<and>&&) | (?P<or>\|\|)
  | (?P<punct>[{}()\[\],])
  | (?P<op>!=|>=|<=|=|>|<)
  | (?P<sel>\$\.[A-Za-z0-9_.\-\[\]]+ | \$\.\*? )
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<regex>%(?:[^%\\]|\\.)+%)
  | (?P<word>[^\s{}()\[\],&|!=<>"]+)
)""", re.VERBOSE)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos, text = [], 0, text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise PatternError(f"unexpected text at {pos}: {text[pos:pos + 20]!r}")
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "str":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        out.append((kind, value))
        pos = m.end()
    return out


class _Parser:
    """Recursive descent over: expr := and ('||' and)*; and := atom ('&&' atom)*."""

    def __init__(self, tokens):
        self.toks, self.i = tokens, 0

    def peek(self, k: int = 0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else (None, None)

    def take(self, kind=None, value=None):
        tok = self.peek()
        if tok[0] is None or (kind and tok[0] != kind) or (value and str(tok[1]).upper() != value):
            raise PatternError(f"expected {value or kind}, found {tok[1]!r}")
        self.i += 1
        return tok

    def word_is(self, *values, k: int = 0) -> bool:
        kind, value = self.peek(k)
        return kind == "word" and str(value).upper() in values

    def parse(self):
        braced = self.peek() == ("punct", "{")
        if braced:
            self.take()
        node = self.expr()
        if braced:
            self.take("punct")
        if self.peek()[0] is not None:
            raise PatternError(f"unexpected {self.peek()[1]!r} after the expression")
        return node

    def expr(self):
        return self.joined("or", self.conj)

    def conj(self):
        return self.joined("and", self.atom)

    def joined(self, op: str, part):
        """part (op part)*: one node, or (op, [nodes])."""
        parts = [part()]
        while self.peek()[0] == op:
            self.take()
            parts.append(part())
        return parts[0] if len(parts) == 1 else (op, parts)

    def atom(self):
        if self.peek() == ("punct", "("):
            self.take()
            node = self.expr()
            self.take("punct")
            return node
        path = self.take("sel")[1][2:]
        if self.word_is("IS"):
            self.take()
            return ("cmp", path, "IS", self.take("word")[1].upper())
        if self.word_is("NOT") and self.word_is("EXISTS", k=1):
            self.i += 2
            return ("cmp", path, "NOT EXISTS", None)
        if self.word_is("EXISTS"):
            self.take()
            return ("cmp", path, "EXISTS", None)
        negated = self.word_is("NOT") and self.word_is("IN", k=1)
        if negated or self.word_is("IN"):
            self.i += 2 if negated else 1
            return ("cmp", path, "NOT IN" if negated else "IN", self.values())
        op = self.take("op")[1]
        return ("cmp", path, op, self.value())

    def value(self):
        kind, value = self.take()
        if kind not in ("str", "word", "regex"):
            raise PatternError(f"expected a value, found {value!r}")
        return (kind, value)

    def values(self):
        self.take("punct", "[")
        out = [self.value()]
        while self.peek() == ("punct", ","):
            self.take()
            out.append(self.value())
        self.take("punct", "]")
        return out


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _equals(actual, expected) -> bool:
    kind, text = expected
    if actual is None:
        return False
    if isinstance(actual, bool):
        return text.lower() == str(actual).lower() and kind == "word"
    if kind == "word" and _number(text) is not None and _number(actual) is not None:
        return _number(text) == _number(actual)
    actual = str(actual)
    if kind == "regex":
        try:
            return re.search(text[1:-1], actual) is not None
        except re.error:
            return False
    if "*" in text:
        regex = ".*".join(re.escape(part) for part in text.split("*"))
        return re.fullmatch(regex, actual, re.DOTALL) is not None
    return actual == text


def _evaluate(node, event: dict) -> bool:
    kind = node[0]
    if kind == "and":
        return all(_evaluate(n, event) for n in node[1])
    if kind == "or":
        return any(_evaluate(n, event) for n in node[1])
    _, path, op, expected = node
    present = path in event and event[path] is not None
    actual = event.get(path)
    if op == "NOT EXISTS":
        return path not in event or event[path] is None
    if op == "EXISTS":
        return present
    if op == "IS":
        return {"TRUE": actual is True, "FALSE": actual is False,
                "NULL": not present}.get(expected, False)
    if op == "IN":
        return any(_equals(actual, v) for v in expected)
    if op == "NOT IN":
        return not any(_equals(actual, v) for v in expected)
    if op == "=":
        return _equals(actual, expected)
    if op == "!=":
        return not _equals(actual, expected)
    a, b = _number(actual), _number(expected[1])
    if a is None or b is None:
        return False
    return {">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b}[op]


def _term_match(pattern: str, event: dict) -> bool:
    """Plain (non-JSON) patterns: every term present, at least one ?term, no -term."""
    text = json.dumps(event)
    terms = [t[1:-1] if t.startswith('"') else t for t in re.findall(r'[?-]?"[^"]*"|\S+', pattern)]
    plain = [t for t in terms if not t.startswith(("?", "-"))]
    optional = [t[1:].strip('"') for t in terms if t.startswith("?")]
    excluded = [t[1:].strip('"') for t in terms if t.startswith("-")]
    return (all(t in text for t in plain)
            and (not optional or any(t in text for t in optional))
            and not any(t in text for t in excluded))


def parse(pattern: str):
    """The syntax tree of a JSON pattern; PatternError when it is malformed."""
    return _Parser(_tokens(pattern)).parse()


@lru_cache(maxsize=4096)
def matcher(pattern: str) -> Callable[[dict], bool] | None:
    """A predicate over events, or None when the pattern cannot be parsed. No pattern (None) is
    the empty pattern."""
    text = pattern.strip() if isinstance(pattern, str) else ""
    if not text:
        return lambda event: True  # an empty pattern matches every event
    if not text.startswith("{") and "$." not in text:
        return lambda event: _term_match(text, event)
    try:
        tree = parse(text)
    except PatternError:
        return None
    return lambda event: _evaluate(tree, event)


def pattern_covers(pattern: str, match: Iterable[dict], reject: Iterable[dict] = ()) -> bool:
    """True when the pattern matches every event of `match` and none of `reject`; False when it
    cannot be parsed."""
    predicate = matcher(pattern if isinstance(pattern, str) else "")
    if predicate is None:
        return False
    return all(predicate(e) for e in match) and not any(predicate(e) for e in reject)
