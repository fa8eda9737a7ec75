"""Ingestion: one module per source format, a registry, sniffing and the ingest pipeline."""
