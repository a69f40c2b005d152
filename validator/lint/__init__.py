"""Layer 5, lint: checking files of requests.

Checking files of requests (which documents are requests, the lint run over files and
JSONL logs, streaming problems to a reporter).

Imports every layer below it; ``validator.cli`` and ``validator.integrations`` sit
above it.
"""
