"""Layer 4, drift: comparing the spec with what Together publishes and answers.

Comparing the spec with what Together publishes (model listing, OpenAPI document) and
with what it answered (the 4xx feedback log); the one module that opens a connection
(``_fetch``).

Imports the layers below it; not ``validator.render`` (its sibling) or above.
"""
