"""Time to render the report: the demo account, and a synthetic account (3,000 findings by default).

    .venv/bin/python bench/render.py [--runs 3] [--pdf] [--findings 3000]

For each case it prints the median over --runs of: saving the assessment and the exports (CSV, XLSX, OCSF), the
notebook run (papermill: kernel start + our sections), the HTML conversion (nbconvert), and the
report's size; and, as the floor nobody can beat, a papermill run of a one-cell notebook (the
kernel start). With --pdf, also the PDF's time and size and, read back with poppler's pdftotext,
its layout: pages and near-empty pages (under half full and not the last page of a section).
The synthetic findings are the demo's own findings repeated over made-up resources, so every
section sees realistic statuses, severities and details.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from srm_nb.assessment import Assessment, assess, build  # noqa: E402
from srm_nb.exports import write_exports  # noqa: E402
from srm_nb.pdf_pages import pdftotext, report_layout  # noqa: E402
from srm_nb.render import execute_notebook, find_browser, to_html, to_pdf  # noqa: E402


def synthetic(findings: pd.DataFrame, n: int) -> pd.DataFrame:
    reps = -(-n // len(findings))
    f = pd.concat([findings.assign(resource_id=findings["resource_id"].astype(str) + f"-{i:05d}")
                   for i in range(reps)], ignore_index=True).head(n)
    f["finding_uid"] = [f"synthetic{i:06d}" for i in range(len(f))]
    return f.drop(columns=["muted", "mute_reason"], errors="ignore")


def render_once(a: Assessment, workdir: Path, pdf: bool) -> dict:
    folder = Path(tempfile.mkdtemp(dir=workdir))
    t = {}
    start = time.perf_counter()
    (folder / "snapshot").symlink_to(a.snapshot.path)
    a.save(folder)
    write_exports(a, folder)
    t["exports"] = time.perf_counter() - start
    start = time.perf_counter()
    executed = folder / "assessment.ipynb"
    execute_notebook(executed, {"run_folder": str(folder)}, progress=False)
    t["notebook"] = time.perf_counter() - start
    start = time.perf_counter()
    html = to_html(executed, folder / "report.html")
    t["html"] = time.perf_counter() - start
    if pdf:
        start = time.perf_counter()
        to_pdf(html, folder / "report.pdf")
        t["pdf"] = time.perf_counter() - start
        t["pdf_mb"] = (folder / "report.pdf").stat().st_size / 1e6
        if pdftotext():
            t["layout"] = report_layout(folder / "report.pdf", executed).summary()
    t["total"] = sum(v for k, v in t.items() if k in ("exports", "notebook", "html", "pdf"))
    t["html_mb"] = html.stat().st_size / 1e6
    t["notebook_mb"] = executed.stat().st_size / 1e6
    return t


def kernel_floor(workdir: Path) -> float:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import srm_nb.sections")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src = workdir / "floor.ipynb"
    nbformat.write(nb, src)
    start = time.perf_counter()
    execute_notebook(workdir / "floor-out.ipynb", {}, notebook=src, progress=False)
    return time.perf_counter() - start


def median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pdf", action="store_true", help="also time the PDF (headless Chromium)")
    ap.add_argument("--findings", type=int, default=3_000)
    args = ap.parse_args()
    pdf = args.pdf and find_browser() is not None

    from srm_nb.demo.run import collect_demo

    with tempfile.TemporaryDirectory(prefix="srm-bench-") as tmp:
        work = Path(tmp)
        print("collecting the demo account once (not timed)...", file=sys.stderr)
        snapshot = collect_demo(quiet=True)
        snapshot.save(work / "snapshot")
        demo = assess(snapshot, label="bench")
        big = build(snapshot, synthetic(demo.findings, args.findings), label="bench")
        floors = [kernel_floor(work) for _ in range(args.runs)]
        print(f"kernel floor (papermill, one cell importing srm_nb): median {statistics.median(floors):.2f} s")
        for name, a in (("demo", demo), (f"{len(big.findings):,} findings", big)):
            runs = [render_once(a, work, pdf) for _ in range(args.runs)]
            parts = ", ".join(f"{k} {median(runs, k):.2f} s" for k in ("exports", "notebook", "html", "pdf")
                              if k in runs[0])
            sizes = f"report.html {median(runs, 'html_mb'):.1f} MB, notebook {median(runs, 'notebook_mb'):.1f} MB"
            if pdf:
                sizes += f", report.pdf {median(runs, 'pdf_mb'):.1f} MB"
            print(f"{name:>16}: {len(a.findings):>6} findings, total median {median(runs, 'total'):.2f} s "
                  f"over {args.runs} runs ({parts}); {sizes}")
            if "layout" in runs[0]:
                print(f"{'':>16}  PDF layout: {runs[0]['layout']}")


if __name__ == "__main__":
    main()
