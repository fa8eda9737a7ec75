"""Claims: the fact-check store, encoders, hybrid retrieval, matching and check-worthiness."""
