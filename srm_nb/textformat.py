"""Tables printed by `srm sql` and `srm diff`: an aligned text table, CSV or JSON.

Cells come from the account (resource names, tags, policies): in the text table, control
characters are shown escaped, so a name cannot move the cursor or recolour the terminal, and
long cells are cut; CSV cells are neutralized against spreadsheet formulas like findings.csv.
"""

from __future__ import annotations

import io
import math
import re

import pandas as pd

MAX_CELL = 60
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def frame_text(df: pd.DataFrame, fmt: str = "table") -> str:
    """`df` as text: an aligned table (with a row count), CSV with a header row, or JSON records."""
    if fmt == "csv":
        from .exports import neutralize

        buf = io.StringIO()
        neutralize(df).to_csv(buf, index=False)
        return buf.getvalue()
    if fmt == "json":
        return df.to_json(orient="records", indent=2, date_format="iso", default_handler=str) + "\n"
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}")
    columns = [str(c) for c in df.columns]
    rows = [[_cell(v) for v in row] for row in df.itertuples(index=False, name=None)]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]
    lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(lines) + "\n"


def _cell(value) -> str:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:.6g}" if isinstance(value, float) else str(value)
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 3] + "..."
