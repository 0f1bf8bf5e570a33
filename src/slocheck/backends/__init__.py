"""Adapters: one module per backend, each a thin call plus a pure parser, behind small protocols."""
