"""slotcalc's benchmark suite (issue 6), outside the test run.

Run it with ``python -m benchmarks`` (or ``python benchmarks/run.py``) from the project folder;
``--help`` lists the options. Modules: :mod:`.workloads` (the seeded inputs), :mod:`.timing`
(medians after a warm-up, the machine record), :mod:`.floors` (the output floor),
:mod:`.suite` (workloads, sweeps, reference, targets), :mod:`.report` (tables, JSON, plot) and
:mod:`.run` (the command line). docs/benchmarks.md explains the figures.
"""
