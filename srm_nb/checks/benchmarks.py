"""The compliance benchmarks as data: `frameworks/cis_aws_<version>.yaml`, one file per CIS AWS
Foundations Benchmark version, listing every control and the check ids that cover it (or why it
is manual). The catalog derives each check's `cis_ids` from them (`cis_ids_by_check`).

Also the strict YAML reader the catalog uses for every metadata file: a key given twice is an
error, not a silent overwrite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from ..errors import CatalogError

FRAMEWORK_DIR = Path(__file__).parent / "frameworks"
_ID = re.compile(r"^[a-z0-9]+(_[a-z0-9]+){2,}$")  # a check id, as the catalog defines it
_CONTROL_ID = re.compile(r"^\d+(\.\d+)*$")
_VERSION = re.compile(r"^\d+\.\d+$")
ASSESSMENTS = ("automated", "manual")
CONTROL_FIELDS = ("id", "title", "level", "assessment", "checks", "manual_reason", "note")


@dataclass(frozen=True)
class Control:
    """One recommendation of a benchmark version, and what covers it."""

    framework: str  # "cis"
    version: str  # "7.0"
    id: str  # "2.5"
    title: str
    section: str
    level: int | None
    assessment: str  # as the benchmark classifies it: automated / manual
    checks: tuple[str, ...]
    manual_reason: str = ""
    note: str = ""

    @property
    def qualified_id(self) -> str:
        """Unambiguous across versions: CIS renumbers between versions."""
        return f"{self.version}:{self.id}"


@dataclass(frozen=True)
class Framework:
    key: str  # "cis-7.0": what `srm checks --framework` accepts
    framework: str
    version: str
    title: str
    source: str
    controls: tuple[Control, ...]


# -- YAML --------------------------------------------------------------------------------------


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser when built
    """safe_load silently keeps the last of two equal keys; a repeated check id is a mistake."""


def _no_duplicate_keys(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise CatalogError(f"{Path(node.start_mark.name).name} line {key_node.start_mark.line + 1}: "
                               f"{key!r} appears twice")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicate_keys)


def read_yaml(path: Path):
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path.name} is not valid YAML: {exc}") from exc


# -- frameworks --------------------------------------------------------------------------------


def _control_key(control_id: str) -> tuple[int, ...]:
    return tuple(int(p) for p in control_id.split("."))


def _section(sections: dict, control_id: str) -> str:
    """The most specific section heading a control falls under ("3.1" before "3")."""
    parts = control_id.split(".")
    names = []
    for n in range(1, len(parts)):
        name = sections.get(".".join(parts[:n]))
        if name:
            names.append(name)
    return " / ".join(names)


def _load_framework(path: Path) -> tuple[Framework | None, list[str]]:
    src = path.name
    doc = read_yaml(path)
    if not isinstance(doc, dict):
        return None, [f"{src}: expected a mapping with framework, version, title, controls"]
    problems = []
    fw, version, title = doc.get("framework"), str(doc.get("version", "")), doc.get("title")
    if fw != "cis":
        problems.append(f"{src}: framework must be 'cis' (got {fw!r})")
    if not _VERSION.match(version):
        problems.append(f"{src}: version must look like '7.0' (got {version!r}; quote it in YAML)")
    if not title:
        problems.append(f"{src}: missing title")
    sections = {str(k): str(v) for k, v in (doc.get("sections") or {}).items()}
    raw = doc.get("controls")
    if not isinstance(raw, list) or not raw:
        return None, problems + [f"{src}: `controls` must be a non-empty list"]
    controls, seen = [], set()
    for i, c in enumerate(raw):
        where = f"{src} control #{i + 1}"
        if not isinstance(c, dict):
            problems.append(f"{where}: expected a mapping")
            continue
        cid = str(c.get("id", ""))
        where = f"{src} control {cid or '#' + str(i + 1)}"
        if not _CONTROL_ID.match(cid):
            problems.append(f"{where}: id must look like '2.1.4' (quote it in YAML)")
            continue
        if cid in seen:
            problems.append(f"{where}: listed twice")
        seen.add(cid)
        unknown = set(c) - set(CONTROL_FIELDS)
        if unknown:
            problems.append(f"{where}: unknown field(s) {sorted(unknown)}")
        if not c.get("title"):
            problems.append(f"{where}: missing title")
        if c.get("level") not in (1, 2, None):
            problems.append(f"{where}: level must be 1 or 2")
        if c.get("assessment") not in ASSESSMENTS:
            problems.append(f"{where}: assessment must be 'automated' or 'manual', as the benchmark says")
        checks = c.get("checks") or []
        if not isinstance(checks, list) or not all(isinstance(x, str) and _ID.match(x) for x in checks):
            problems.append(f"{where}: checks must be a list of check ids")
            checks = []
        if c.get("assessment") == "manual" and not checks and not c.get("manual_reason"):
            problems.append(f"{where}: a manual control that no check covers needs manual_reason")
        controls.append(Control(
            framework="cis", version=version, id=cid, title=" ".join(str(c.get("title", "")).split()),
            section=_section(sections, cid), level=c.get("level"),
            assessment=str(c.get("assessment", "")), checks=tuple(dict.fromkeys(checks)),
            manual_reason=" ".join(str(c.get("manual_reason") or "").split()),
            note=" ".join(str(c.get("note") or "").split()),
        ))
    controls.sort(key=lambda c: _control_key(c.id))
    return Framework(key=f"cis-{version}", framework="cis", version=version, title=str(title or ""),
                     source=src, controls=tuple(controls)), problems


@lru_cache(maxsize=1)
def load_frameworks() -> dict[str, Framework]:
    """Every benchmark version in frameworks/, newest first, keyed "cis-7.0". Structural problems
    raise CatalogError; coverage problems are reported by `framework_problems()`."""
    frameworks, problems = {}, []
    for path in sorted(FRAMEWORK_DIR.glob("*.yaml")):
        fw, errs = _load_framework(path)
        problems += errs
        if fw is not None:
            if fw.key in frameworks:
                problems.append(f"{path.name}: {fw.key} is already defined by {frameworks[fw.key].source}")
            frameworks[fw.key] = fw
    if problems:
        raise CatalogError("framework files are invalid:\n  " + "\n  ".join(problems))
    return dict(sorted(frameworks.items(), key=lambda kv: _control_key(kv[1].version), reverse=True))


def cis_ids_by_check(frameworks: dict[str, Framework]) -> dict[str, tuple[str, ...]]:
    """check id -> ("7.0:2.8", "7.0:2.9", "5.0:1.7", ...): newest version first, control order."""
    out: dict[str, list[str]] = {}
    for fw in frameworks.values():  # already newest first
        for control in fw.controls:
            for cid in control.checks:
                out.setdefault(cid, []).append(control.qualified_id)
    return {k: tuple(v) for k, v in out.items()}


def framework_keys() -> list[str]:
    """What `--framework` accepts: cis (any version), cis-<version> per file, fsbp."""
    return ["cis", *load_frameworks(), "fsbp"]


def normalize_framework(name: str) -> str:
    """'CIS-v7.0.0', 'cis7.0', 'cis-7' -> 'cis-7.0'; 'fsbp', 'FSBP' -> 'fsbp'."""
    key = name.strip().lower().replace("_", "-")
    m = re.fullmatch(r"cis-?v?(\d+)(?:\.(\d+))?(?:\.0)?", key)
    if m:
        return f"cis-{m.group(1)}.{m.group(2) or '0'}"
    return key
