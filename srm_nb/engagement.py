"""Engagement details: who the assessment is for and who made it. The user's own text, shown on
the report's title page and in its footer, and recorded in scores.json, the OCSF metadata, the
XLSX summary and an evidence pack. Set with `--client`, `--assessor`, `--engagement` and
`--classification`, or in a small YAML file (`--engagement-file`); options win over the file."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import UsageError

FIELDS = {
    "client": "the client the assessment is for",
    "assessor": "who assessed, e.g. \"Jane Doe, Example Security Ltd\"",
    "engagement": "the engagement's id or reference",
    "classification": "the classification line printed on every page",
}
DEFAULT_CLASSIFICATION = "Confidential"
MAX_CHARS = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


@dataclass(frozen=True)
class Engagement:
    client: str = ""
    assessor: str = ""
    engagement: str = ""
    classification: str = DEFAULT_CLASSIFICATION

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, doc: dict | None) -> "Engagement":
        doc = doc or {}
        return cls(**{k: _clean(k, doc[k]) for k in FIELDS if doc.get(k) is not None})


def _clean(key: str, value) -> str:
    """One line of plain text: a number is taken as text (an engagement id 2026), anything else
    that is not a string is a mistake in the file."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise UsageError(f"engagement detail {key!r} must be text, not {type(value).__name__}")
    text = _CONTROL.sub(" ", str(value)).strip()
    if len(text) > MAX_CHARS:
        raise UsageError(f"engagement detail {key!r} is {len(text)} characters long; keep it under {MAX_CHARS}")
    return text


def load_engagement(file: str | Path | None = None, **options: str | None) -> Engagement:
    """The file's details (when given), overridden by the options that are set."""
    doc: dict = {}
    if file:
        doc = _read_file(Path(file))
    doc.update({k: v for k, v in options.items() if v is not None})
    unknown = sorted(set(doc) - set(FIELDS))
    if unknown:
        raise UsageError(f"unknown engagement detail(s) {', '.join(unknown)}: the known ones are "
                         f"{', '.join(FIELDS)}")
    return Engagement.from_dict(doc)


def read_yaml_file(path: Path, what: str) -> tuple[str, object]:
    """(text, parsed document) of a user's YAML file; an unreadable file or bad YAML is a
    UsageError that names `what` ("the accounts file") and the line."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
        return text, yaml.safe_load(text)
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise UsageError(f"{what} {path} is not valid YAML{where}") from exc


def _read_file(path: Path) -> dict:
    _, doc = read_yaml_file(path, "the engagement file")
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise UsageError(f"the engagement file {path} must be a mapping, e.g. `client: Example Corp`")
    return doc
