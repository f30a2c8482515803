"""The worker and requester website of ``mturk-mock serve`` (``site.WebSite``), and batches (``batches``).

Only ``templating`` imports Jinja2 (the ``web`` extra); ``paths``, ``batches`` and ``batch_cli`` work without it.
"""
