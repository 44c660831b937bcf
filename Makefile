# Two commands on a fresh machine: `make demo` and `make test`. Only Python 3.11+ and make needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install bench clean strip lab

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when the project's dependencies change.
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[demo,test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/srm demo

# SRM_VERDICT_LOG: the run also fails when a check was never seen to PASS and to FAIL (conftest.py).
# -p tests.early: loaded before pytest's plugins, it saves each pytest process a second (tests/early.py).
test: $(STAMP)
	SRM_VERDICT_LOG=$$(mktemp -d) $(BIN)/python -m pytest -p tests.early -n 2 --dist loadfile --no-loadscope-reorder --nbval-lax --nbval-sanitize-with tests/nbval_sanitize.cfg tests notebooks

bench: $(STAMP)
	$(BIN)/python bench/collect.py
	$(BIN)/python bench/checks.py
	$(BIN)/python bench/render.py
	$(BIN)/python bench/sql.py

# JupyterLab on the project's kernel, opening the analyst's notebook (newest run under outputs/).
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/explore.ipynb

# Strip outputs from notebooks before committing (tags, such as `parameters`, are kept).
strip: $(STAMP)
	$(BIN)/python tests/strip_notebooks.py

clean:
	rm -rf $(VENV) .pytest_cache
