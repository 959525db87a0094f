"""Flows: the data-flow register and the rule engine that flags its gaps."""

from flows.compiled_core import use_compiled_core

# Before any module of the package is imported: the compiled rule engine, if it is current.
use_compiled_core(__path__)
