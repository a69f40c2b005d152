"""Layer 2, spec: capabilities.yaml as data.

Capabilities.yaml as data (loading, caching, checking it against
``capspec.schema.json``, resolving profiles) and the value shapes and explainers
compiled from it.

Imports the core modules and ``validator.files``.
"""
