"""Layer 4, render: turning the spec and problems into text.

Turning spec and problems into text (reports in every output format, the rule catalogue,
tables, docs pages, JSON Schemas).

Imports the layers below it; not ``validator.drift`` (its sibling) or above.
"""
