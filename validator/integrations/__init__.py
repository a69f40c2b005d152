"""Pre-flight inside real clients: checks run before a request leaves the machine.

Each integration lives in its own module and imports its client library only
when that module is imported, so ``import validator`` (and this package) never
imports ``together``, ``httpx`` or ``pyspark``:

* ``validator.integrations.together``: ``wrap(client)`` for the official Together
  Python SDK (``together>=2``, sync and async clients); checks and normalizes
  every ``client.images.generate`` call. Install with ``pip install 'capspec[together]'``.
* ``validator.integrations.httpx``: request event hooks (check only) and
  transports (check and rewrite) for ``httpx.Client`` and ``httpx.AsyncClient``,
  for any httpx-based client. Install with ``pip install 'capspec[httpx]'``.
* ``validator.integrations.spark``: ``lint(df, column)`` and ``summary(problems)``,
  the problems of request logs computed on Spark's executors. Install with
  ``pip install 'capspec[spark]'``.
"""
