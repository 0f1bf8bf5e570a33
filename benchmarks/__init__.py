"""Performance benchmarks of slocheck (`make bench`, written to BENCHMARKS.md; see docs/performance.md).

Not part of `make test`: the numbers depend on the machine. `tests/benchmarks/` checks that the pieces are correct
(the BENCHMARKS.md writer, the OpenMetrics generator, the steady-state arithmetic), never how fast anything is.
"""
