"""Documents: main text and metadata, duplicate detection, and the ingest orchestration."""
