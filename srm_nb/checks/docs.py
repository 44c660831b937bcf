"""Readable views of the catalog: the `srm checks` listing and docs/controls.md.

Regenerate the controls page (tests/test_frameworks.py fails while it is stale):

    python -m srm_nb.checks.docs > docs/controls.md
"""

from __future__ import annotations

import csv
import io
import json
import sys

from .benchmarks import load_frameworks, normalize_framework
from .catalog import CATALOG_COLUMNS, load_catalog

TABLE_COLUMNS = ("check_id", "severity", "domain", "service", "cis_ids", "fsbp_ids", "title")
REGENERATE = "python -m srm_nb.checks.docs > docs/controls.md"


def catalog_text(rows, fmt: str = "table", framework: str | None = None) -> str:
    """The (filtered) catalog as `srm checks` prints it: table, csv or json. `rows`: catalog
    rows (`catalog.select_rows`), or the same as a DataFrame (`select_checks`)."""
    if hasattr(rows, "to_dict"):
        rows = rows.to_dict(orient="records")
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(CATALOG_COLUMNS)
        writer.writerows([r[c] for c in CATALOG_COLUMNS] for r in rows)
        return buf.getvalue()
    if fmt == "json":
        return json.dumps([{c: r[c] for c in CATALOG_COLUMNS} for r in rows], indent=2) + "\n"
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}")
    view = [{c: str(r[c]) for c in TABLE_COLUMNS} for r in rows]
    key = normalize_framework(framework) if framework else ""
    if key.startswith("cis-"):  # show the ids of the version asked for only
        prefix = key.removeprefix("cis-") + ":"
        for r in view:
            r["cis_ids"] = " ".join(x for x in r["cis_ids"].split() if x.startswith(prefix))
    if not view:
        return "No check matches these filters.\n"
    widths = {c: max(len(c), *(len(r[c]) for r in view)) for c in TABLE_COLUMNS[:-1]}
    lines = ["  ".join(c.ljust(widths.get(c, 0)) for c in TABLE_COLUMNS).rstrip()]
    lines.append("  ".join("-" * widths.get(c, len(c)) for c in TABLE_COLUMNS))
    for r in view:
        lines.append("  ".join(r[c].ljust(widths.get(c, 0)) for c in TABLE_COLUMNS).rstrip())
    lines.append("")
    lines.append(f"{len(view)} check{'s' if len(view) != 1 else ''}")
    return "\n".join(lines) + "\n"


# -- docs/controls.md ------------------------------------------------------------------------------


def _md(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _coverage_cell(control, catalog) -> str:
    known = [c for c in control.checks if c in catalog]
    unknown = [c for c in control.checks if c not in catalog]
    parts = []
    if known:
        parts.append(", ".join(f"`{c}`" for c in known))
        if control.note:
            parts.append(f"(partial: {_md(control.note)})")
    if unknown:
        parts.append("**unknown check id(s): " + ", ".join(f"`{c}`" for c in unknown) + "**")
    if not known:
        if control.manual_reason:
            parts.append(f"Manual: {_md(control.manual_reason)}")
        else:
            parts.append("**Not covered yet**")
    return " ".join(parts)


def controls_markdown() -> str:
    catalog = load_catalog()
    frameworks = load_frameworks()
    out = [
        "# Compliance controls and the checks that cover them",
        "",
        "Generated from `srm_nb/checks/frameworks/cis_aws_<version>.yaml` and the check metadata in",
        f"`srm_nb/checks/*.yaml`; do not edit by hand. Regenerate with `{REGENERATE}`.",
        "",
        "A finding carries its controls in the `cis_ids` column, qualified by benchmark version",
        "(`7.0:2.5 5.0:1.4`: CIS renumbers controls between versions), and its AWS Foundational",
        "Security Best Practices controls in `fsbp_ids` (`IAM.9`). *Assessment* is the benchmark's own",
        "classification; a manual control may still be covered in part by a check.",
        "",
        "## Summary",
        "",
        "| Benchmark | Controls | Automated (per CIS) | Covered by a check | Manual review | Not covered yet |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for fw in frameworks.values():
        covered = sum(1 for c in fw.controls if any(x in catalog for x in c.checks))
        manual = sum(1 for c in fw.controls if not any(x in catalog for x in c.checks) and c.manual_reason)
        automated = sum(1 for c in fw.controls if c.assessment == "automated")
        out.append(f"| {_md(fw.title)} | {len(fw.controls)} | {automated} | {covered} | {manual} | "
                   f"{len(fw.controls) - covered - manual} |")
    for fw in frameworks.values():
        out += ["", f"## {_md(fw.title)}", "", f"Source: `srm_nb/checks/frameworks/{fw.source}`.", ""]
        section = None
        for c in fw.controls:
            if c.section != section:
                section = c.section
                out += ([] if out[-1] == "" else [""]) + [f"### {_md(section) or 'Other'}", "",
                        "| Control | Title | Level | Assessment | Covered by |", "|---|---|---|---|---|"]
            level = f"L{c.level}" if c.level else ""
            out.append(f"| {fw.version}:{c.id} | {_md(c.title)} | {level} | {c.assessment.capitalize()} | "
                       f"{_coverage_cell(c, catalog)} |")
    fsbp: dict[str, list[str]] = {}
    for check in catalog.values():
        for f in check.fsbp_ids:
            fsbp.setdefault(f, []).append(check.id)
    out += ["", "## AWS Foundational Security Best Practices (FSBP) controls used", "",
            "The FSBP control ids the checks report (Security Hub's control ids), and the checks",
            "that report them.", "", "| FSBP control | Checks |", "|---|---|"]
    for f in sorted(fsbp, key=lambda x: (x.split(".")[0].lower(), int(x.split(".")[1]))):
        out.append(f"| {f} | {', '.join(f'`{c}`' for c in sorted(fsbp[f]))} |")
    unmapped = [c for c in catalog.values() if not c.cis_ids and not c.fsbp_ids]
    out += ["", "## Checks with no CIS or FSBP control", "",
            "Customer responsibilities the catalog checks beyond the two frameworks.", ""]
    out += [f"- `{c.id}`: {_md(c.title)}" for c in unmapped] or ["None."]
    return "\n".join(out) + "\n"


def main() -> int:
    sys.stdout.write(controls_markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
