"""Storage: the Parquet + DuckDB post store (and, later, the app database)."""

from lagebild.store.posts import PostStore, StoreWriter, WriteResult

__all__ = ["PostStore", "StoreWriter", "WriteResult"]
