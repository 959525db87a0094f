"""The jurisdiction tables kept by reviewers in the product: zones, adequacy decisions, the
periods of transfer mechanisms."""
