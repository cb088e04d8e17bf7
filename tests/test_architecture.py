"""The package's shape, checked from its source (CONTRIBUTING.md, "Layering").

* no import cycles between tfedu modules, counting imports inside functions too;
* the shared layer (``tfedu/_*.py``) imports no family;
* a family (``tfedu/<family>/``) imports only itself, the shared layer and ``tfedu.data``
  (``tfedu.exercises`` sits above the others: its banks check answers with any of them);
* compute modules import neither matplotlib nor ipywidgets;
* no TensorFlow private module (``tensorflow.python``) outside ``tfedu/_runtime.py``;
* every third-party import is a declared dependency.
"""
import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tfedu"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str) -> set:
    """Every module this one imports (module level and inside functions), as full names."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in MODULES else target)
    return found


GRAPH = {name: {i for i in imports_of(name) if i in MODULES and i != name} for name in MODULES}


def family_of(name: str):
    """'tfedu.losses.draw' -> 'losses'; shared and single-file modules -> None."""
    parts = name.split(".")
    if len(parts) >= 2 and (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return None


def test_no_import_cycles():
    state, stack, cycles = {}, [], []

    def visit(node):
        state[node] = "active"
        stack.append(node)
        for nxt in sorted(GRAPH[node]):
            if nxt.startswith(node + "."):  # a package importing its own modules is how packages work
                continue
            if state.get(nxt) == "active":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_cycle_check_can_fail():
    saved = dict(GRAPH)
    try:
        GRAPH["tfedu._validate"] = {"tfedu._text"}
        GRAPH["tfedu._text"] = {"tfedu._validate"}
        with pytest.raises(AssertionError, match="tfedu._text -> tfedu._validate|tfedu._validate -> tfedu._text"):
            test_no_import_cycles()
    finally:
        GRAPH.clear()
        GRAPH.update(saved)


@pytest.mark.parametrize("name", [n for n in MODULES if n.count(".") == 1 and n.split(".")[1].startswith("_")])
def test_shared_layer_imports_no_family(name):
    families = {family_of(i) for i in GRAPH[name]} - {None}
    assert not families, f"{name} is shared infrastructure but imports the families {sorted(families)}"


@pytest.mark.parametrize("name", [n for n in MODULES if family_of(n) and family_of(n) != "exercises"])
def test_a_family_imports_only_itself_and_the_shared_layer(name):
    allowed = {"tfedu.data", "tfedu"}
    bad = sorted(i for i in GRAPH[name]
                 if family_of(i) not in (None, family_of(name))
                 or (family_of(i) is None and i not in allowed and not i.split(".")[-1].startswith("_")))
    assert not bad, f"{name} imports {bad}: a family uses only its own modules, tfedu._* and tfedu.data"


@pytest.mark.parametrize("name", [n for n in MODULES if n.endswith(".compute")])
def test_compute_modules_draw_nothing(name):
    drawing = sorted(i for i in imports_of(name) if i.split(".")[0] in ("matplotlib", "ipywidgets", "IPython"))
    assert not drawing, f"{name} is a compute module but imports {drawing}"


def test_no_tensorflow_private_modules_outside_the_runtime():
    users = sorted(n for n in MODULES if n != "tfedu._runtime"
                   and any(i.startswith("tensorflow.python") for i in imports_of(n)))
    assert not users, f"these modules import tensorflow.python (private): {users}"


def test_every_third_party_import_is_declared():
    import tomllib

    declared = {"tensorflow"}  # installed as tensorflow or tensorflow-cpu (see pyproject.toml)
    for requirement in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]:
        name = requirement.split(">")[0].split("=")[0].split("<")[0].split("[")[0].strip().lower().replace("-", "_")
        declared.add({"pillow": "PIL", "ipython": "IPython"}.get(name, name))
    provided = {"absl"}  # TensorFlow's own logging library, part of TensorFlow
    used = {i.split(".")[0] for n in MODULES for i in imports_of(n)} - set(sys.stdlib_module_names) - {"tfedu"}
    missing = sorted(u for u in used if u not in declared and u.lower() not in declared and u not in provided)
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"
