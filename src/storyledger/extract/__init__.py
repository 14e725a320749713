"""Per-article extraction: pure functions of one cleaned document."""
