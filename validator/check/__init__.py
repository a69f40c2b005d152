"""Layer 3, check: judging and rewriting one request.

Judging one request against the spec (the compiled checker, its fast path, cross-field
rules, habits), and rewriting one (normalize, migrate).

Imports the core modules, ``validator.files`` and ``validator.spec``.
"""
