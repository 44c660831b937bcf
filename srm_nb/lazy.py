"""Imports that cost more than they give, deferred until something uses them.

jsonschema, which nbformat needs (and so papermill and nbconvert), imports `rfc3987_syntax`
whenever it is installed (jupyter-events asks for jsonschema[format-nongpl]), and that module
compiles its Lark grammars at import: over a second of CPU in every process, for jsonschema's
"iri" format checker, which validating a notebook never uses (jsonschema issue 1428).
`defer_rfc3987_syntax()` puts a stand-in in its place that imports the real module the first
time anything of it is used, so nothing is lost, only paid for when needed.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

RFC3987_SYNTAX = "rfc3987_syntax"


def defer_rfc3987_syntax() -> None:
    """Call before anything imports jsonschema (a no-op when it is already imported)."""
    if RFC3987_SYNTAX in sys.modules or importlib.util.find_spec(RFC3987_SYNTAX) is None:
        return
    stand_in = types.ModuleType(RFC3987_SYNTAX, "Stands in for rfc3987_syntax until first use.")

    def real():
        if sys.modules.get(RFC3987_SYNTAX) is stand_in:
            del sys.modules[RFC3987_SYNTAX]
        return importlib.import_module(RFC3987_SYNTAX)

    def is_valid_syntax(*args, **kwargs):  # what jsonschema imports from it
        return real().is_valid_syntax(*args, **kwargs)

    def other(name: str):  # anything else of it: the real module's (the import system's own
        if name.startswith("__"):  # probes, such as __path__, must not load it)
            raise AttributeError(name)
        return getattr(real(), name)

    stand_in.is_valid_syntax = is_valid_syntax
    stand_in.__getattr__ = other
    sys.modules[RFC3987_SYNTAX] = stand_in
