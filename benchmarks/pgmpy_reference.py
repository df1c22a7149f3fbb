"""The same noisy-OR network in pgmpy, for oracle tests and the benchmark.

pgmpy has no noisy-OR node, and a full table for a finding with 20 parents
has 2^21 entries, so each finding is written the standard exact way (causal
independence, Heckerman & Breese 1996): a chain of binary OR nodes, one per
parent, starting from the leak. The distribution over conditions and
findings is exactly the noisy-OR model. Findings that are not observed are
barren and left out: that changes no posterior.
"""

from __future__ import annotations

import logging

import numpy as np
from pgmpy.factors.discrete import TabularCPD
from pgmpy.inference import VariableElimination
from pgmpy.models import DiscreteBayesianNetwork

from myotriage.knowledge.base import Network

logging.getLogger("pgmpy").setLevel(logging.ERROR)


class PgmpyReference:
    """Build the network for one evidence set and query every condition with VE."""

    def __init__(self, net: Network, prior: np.ndarray) -> None:
        self.net = net
        self.prior = prior

    def build(self, observed: np.ndarray) -> tuple[VariableElimination, dict[int, str]]:
        net = self.net
        model = DiscreteBayesianNetwork()
        cpds = []
        for i, cid in enumerate(net.condition_ids):
            model.add_node(cid)
            p = float(self.prior[i])
            cpds.append(TabularCPD(cid, 2, [[1 - p], [p]]))
        leaf: dict[int, str] = {}
        for f in observed:
            fid = net.finding_ids[f]
            prev = f"{fid}|leak"
            model.add_node(prev)
            leak = float(net.leak[f])
            cpds.append(TabularCPD(prev, 2, [[1 - leak], [leak]]))
            for i in net.parents[f]:
                node = f"{fid}|{net.condition_ids[i]}"
                p = float(net.links[i, f])
                model.add_edges_from([(prev, node), (net.condition_ids[i], node)])
                # columns: (prev, cond) = (0,0), (0,1), (1,0), (1,1)
                cpds.append(
                    TabularCPD(
                        node,
                        2,
                        [[1, 1 - p, 0, 0], [0, p, 1, 1]],
                        evidence=[prev, net.condition_ids[i]],
                        evidence_card=[2, 2],
                    )
                )
                prev = node
            leaf[int(f)] = prev
        model.add_cpds(*cpds)
        return VariableElimination(model), leaf

    def posteriors(self, pos: np.ndarray, neg: np.ndarray) -> np.ndarray:
        ve, leaf = self.build(np.concatenate([pos, neg]).astype(int))
        evidence = {leaf[int(f)]: 1 for f in pos} | {leaf[int(f)]: 0 for f in neg}
        return self.query_all(ve, evidence)

    def query_all(self, ve: VariableElimination, evidence: dict[str, int]) -> np.ndarray:
        out = np.empty(len(self.net.condition_ids))
        for i, cid in enumerate(self.net.condition_ids):
            out[i] = ve.query([cid], evidence=evidence, show_progress=False).values[1]
        return out
