"""Flows: the data-flow register, its taxonomy and jurisdiction tables, and the rule engine."""
