"""The slot engine: SPEC §3 on integers (epoch seconds) and sorted interval sets.

Data flows one way: request → per-host feasible starts as sorted int intervals
(:mod:`.host`, from the windows of :mod:`.windows`) → combined along the team's requirement
tree (:mod:`.solve`, with the interval algebra of :mod:`.sets`) → the grid, last and once →
answer. No datetime is built here.
"""
