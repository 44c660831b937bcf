"""Deferred imports (srm_nb/lazy.py): rfc3987_syntax's grammars load only when something uses them."""

from __future__ import annotations

import subprocess
import sys


def test_jsonschema_imports_without_building_the_iri_grammars_and_still_checks_iris():
    code = (
        "import sys\n"
        "from srm_nb.lazy import defer_rfc3987_syntax\n"
        "defer_rfc3987_syntax()\n"
        "import nbformat\n"  # what papermill and nbconvert import: jsonschema and its format checkers
        "print('lark' in sys.modules)\n"
        "from jsonschema import FormatChecker\n"
        "check = FormatChecker()\n"
        "print(check.conforms('https://example.com/ä', 'iri'), check.conforms('::not an iri', 'iri'))\n"
        "print('lark' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "True", "False", "True"]
