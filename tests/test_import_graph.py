"""No import cycle between the project's modules, counting imports inside functions too.

An import moved into a function to dodge a cycle is still a cycle of the design: grimp (the
graph import-linter builds on) sees those imports as well, so this test fails on them.
`pyproject.toml`'s import-linter contracts check the ingest boundary; this checks the rest.
"""

import grimp

PACKAGES = ("claims", "sources", "imports", "workbench", "bench")


def cycles(graph) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, iteratively)."""
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if i < len(edges[node]):
                work.append((node, i + 1))
                child = edges[node][i]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            for child in edges[node]:
                if child in on_stack:
                    low[node] = min(low[node], low[child])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_no_import_cycle_between_the_projects_modules():
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False)
    assert cycles(graph) == []


def test_a_cycle_is_found():
    """The check can fail: two modules importing each other are one group."""
    graph = grimp.ImportGraph()
    for module in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(module)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.z", imported="a.x")
    assert cycles(graph) == [["a.x", "a.y"]]
