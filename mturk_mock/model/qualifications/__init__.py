"""The qualification half of a marketplace: types, workers' grants, qualification requests, and the
rules that span them (``workflow``)."""
