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
from .fsbp import REASONS, control_key, coverage, fsbp_severities, load_fsbp_gaps, mapped_controls

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


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


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
    out += _fsbp_section(catalog)
    unmapped = [c for c in catalog.values() if not c.cis_ids and not c.fsbp_ids]
    out += ["", "## Checks with no CIS or FSBP control", "",
            "Customer responsibilities the catalog checks beyond the two frameworks.", ""]
    out += [f"- `{c.id}`: {_md(c.title)}" for c in unmapped] or ["None."]
    return "\n".join(out) + "\n"


def _fsbp_section(catalog) -> list[str]:
    """FSBP controls by service: how many of the service's FSBP controls a check reports, the checks
    behind each (with their severity and, where a check deliberately differs, why), and the
    controls not covered yet with the reason."""
    sh = fsbp_severities()
    gaps = load_fsbp_gaps()
    mapped = mapped_controls(catalog)
    services = coverage(catalog, gaps)
    covered = sum(len(s.covered) for s in services)
    total = sum(s.total for s in services)
    missing = [g for s in services for g in s.missing]
    why = ", ".join(f"{sum(1 for g in missing if g.reason == r)} {REASONS[r]}" for r in REASONS
                    if any(g.reason == r for g in missing))
    retired = sum(len(s.retired) for s in services)
    outside = sum(len(s.outside) for s in services)
    out = ["", "## AWS Foundational Security Best Practices (FSBP)", "",
           "The FSBP controls of the services the collectors read (Security Hub's control ids), by",
           "service: the checks that report each one, and why the others are not covered yet",
           "(`srm_nb/data/fsbp_not_covered.yaml`). A check takes Security Hub's severity",
           "(`srm_nb/data/fsbp_severities.yaml`, written from the control pages) unless it says why it",
           "differs; each check follows its control's own reading (where FSBP and CIS read a practice",
           "differently, each id sits on its own check). Tagging controls belong to Security Hub's",
           "tagging standard, not to FSBP; services no collector reads are not counted.", "",
           f"**{covered} of {total} FSBP controls covered by a check** ({covered / total:.0%}); "
           f"{total - covered} not covered: {why}."
           + (f" {retired} retired control(s) listed for reference, not counted." if retired else ""),
           f"The checks also report {outside} Security Hub control(s) that belong to other standards "
           "only (CIS, NIST SP 800-53, PCI DSS), shown with their service but not counted.", "",
           "| Service | FSBP controls | Covered | Not covered | Other Security Hub controls |",
           "|---|---:|---:|---:|---:|"]
    out += [f"| {s.service} | {s.total} | {len(s.covered)} | {len(s.missing)} | {len(s.outside)} |"
            for s in services]
    out.append(f"| **Total** | {total} | {covered} | {total - covered} | {outside} |")
    for s in services:
        out += ["", f"### {s.service}", "", f"{len(s.covered)} of {s.total} FSBP controls covered."]
        ids = [*s.covered, *s.outside]
        if ids:
            out += ["", "| Control | Security Hub severity | Checks (severity) | Deviation | Standard |",
                    "|---|---|---|---|---|"]
        for f in sorted(ids, key=control_key):
            checks = sorted(mapped[f], key=lambda c: c.id)
            cells = ", ".join(f"`{c.id}` ({c.severity})" for c in checks)
            deviations = "; ".join(f"`{c.id}` is {c.severity}: {_md(c.severity_rationale)}"
                                   for c in checks if c.severity_rationale and c.severity != sh.get(f))
            standard = f"not FSBP: {_md(gaps.outside[f])}" if f in gaps.outside else "FSBP"
            out.append(f"| {f} | {sh.get(f, '**not in the table**')} | {cells} | {deviations or 'None'} "
                       f"| {standard} |")
        listed = [*s.missing, *s.retired]
        if listed:
            out += ["", "Not covered:", "", "| Control | Title | Why |", "|---|---|---|"]
            out += [f"| {g.id} | {_md(g.title)} | {_upper_first(REASONS[g.reason])}: {_md(g.detail)} |"
                    for g in listed]
    return out


def main() -> int:
    sys.stdout.write(controls_markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
