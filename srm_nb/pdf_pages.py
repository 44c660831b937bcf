"""Read a printed report back, page by page, to measure its layout: how full each page is, what
its footer says, where each section starts. Uses poppler's `pdftotext` (Debian: poppler-utils),
which the tests and `bench/render.py` need; the report itself never does."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

# The running footer is printed in the bottom page margin; text this close to the bottom edge
# belongs to it, not to the page's content.
FOOTER_ZONE_PT = 48
XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass
class Page:
    number: int
    height: float
    body: str  # the page's text above the footer zone
    footer: str  # the text in the footer zone
    lowest: float  # the bottom of the lowest content block, in points from the top (0 when empty)

    @property
    def fill(self) -> float:
        """How much of the page's height carries content, 0 to 1 (the top margin counts as used)."""
        return self.lowest / (self.height - FOOTER_ZONE_PT) if self.height > FOOTER_ZONE_PT else 0.0


def pdftotext() -> str | None:
    return shutil.which("pdftotext")


def read_pages(pdf: Path) -> list[Page]:
    tool = pdftotext()
    if tool is None:
        raise RuntimeError("pdftotext is not installed: apt-get install poppler-utils")
    xml = subprocess.run([tool, "-bbox-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    pages = []
    for n, page in enumerate(ET.fromstring(xml).iter(f"{XHTML}page"), start=1):
        height = float(page.get("height"))
        body, footer, lowest = [], [], 0.0
        for block in page.iter(f"{XHTML}block"):
            words = " ".join(w.text or "" for w in block.iter(f"{XHTML}word"))
            if float(block.get("yMin")) >= height - FOOTER_ZONE_PT:
                footer.append(words)
            else:
                body.append(words)
                lowest = max(lowest, float(block.get("yMax")))
        pages.append(Page(n, height, "\n".join(body), " ".join(footer), lowest))
    return pages


def section_starts(pages: list[Page], titles: list[str]) -> dict[str, int]:
    """The page each section title first appears on as a line of its own (after the contents)."""
    found = {}
    for page in pages:
        lines = {line.strip() for line in page.body.splitlines()}
        for title in titles:
            if title not in found and title in lines:
                found[title] = page.number
    return found


def sparse_pages(pages: list[Page], section_start_pages: set[int], min_fill: float = 0.5) -> list[Page]:
    """Pages under `min_fill` that are not the last page of a section (nor of the document):
    the near-empty pages a forced break or an unsplittable block leaves behind."""
    ends = {p - 1 for p in section_start_pages} | {len(pages)}
    return [p for p in pages if p.fill < min_fill and p.number not in ends]


def numbered_sections(notebook: Path) -> list[str]:
    """The report's major sections as printed: each `## ` heading of the notebook, numbered as
    the report template numbers them ("1. Executive summary")."""
    import json

    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    titles = [line[3:].strip() for c in cells if c["cell_type"] == "markdown"
              for line in "".join(c["source"]).splitlines() if line.startswith("## ")]
    return [f"{n}. {t}" for n, t in enumerate(titles, 1)]


@dataclass
class Layout:
    pages: list[Page]
    starts: dict[str, int]  # section title -> the page it starts on
    sparse: list[Page]  # under half full, and not the last page of a section

    def summary(self) -> str:
        chars = [len(p.body) for p in self.pages]
        return (f"{len(self.pages)} pages, {len(self.sparse)} near-empty "
                f"({', '.join(str(p.number) for p in self.sparse) or 'none'}), "
                f"fewest characters on a page {min(chars) if chars else 0}")


def report_layout(pdf: Path, notebook: Path) -> Layout:
    pages = read_pages(pdf)
    starts = section_starts(pages, numbered_sections(notebook))
    return Layout(pages, starts, sparse_pages(pages, set(starts.values())))
