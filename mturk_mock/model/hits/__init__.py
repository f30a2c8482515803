"""The HIT half of a marketplace: HIT types, HITs with their status over time, layouts, idempotency
tokens, and the rules that span them (``workflow``)."""
