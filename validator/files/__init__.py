"""Layer 1, files: reading, locating and writing payload files.

Reading, locating and writing payload files (YAML and JSON text, JSONL lines, folder
walks, ignore rules, configuration, atomic writes, diffs).

Imports only the core modules (``validator._problem``, ``validator._tuples``,
``validator._version``, ``validator.errors``); every layer above may import it.
"""
