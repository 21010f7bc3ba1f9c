"""An optional second opinion on a discovery: a shallow CART tree (scikit-learn).

PRIM gives one box; a classification tree (Breiman et al. 1984) splits the whole space into
regions and can show that the cases sit in two separate places where a single box cannot. It is
kept shallow (depth 3 by default) and its leaves large, so its rules are readable and not fitted
to run-to-run noise.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from edsim.errors import MissingExtraError

if TYPE_CHECKING:
    from .discovery import Discovery

__all__ = ["cart_rules"]


def cart_rules(discovery: Discovery, max_depth: int = 3) -> str:
    """The tree's rules as text, one line per split, each leaf with its share of cases.

    Raises:
        MissingExtraError: scikit-learn (the ``explore`` extra) is not installed.
    """
    try:
        tree = importlib.import_module("sklearn.tree")
    except ImportError:
        raise MissingExtraError("scikit-learn", "explore") from None
    names = list(discovery.ranges)
    x = discovery.points[names].to_numpy(dtype=float)
    y = discovery.points["case"].to_numpy(dtype=bool)
    leaf = max(5, len(y) // 20)
    model = tree.DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=leaf, random_state=0)
    model.fit(x, y)
    rules = tree.export_text(model, feature_names=names, show_weights=True, decimals=3)
    head = (
        f"CART (depth <= {max_depth}, leaves >= {leaf} points) of: {discovery.case_text}\n"
        "weights: [points that are not cases, cases] in each leaf\n\n"
    )
    return head + str(rules)
