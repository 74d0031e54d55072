"""The offline HTML spend dashboard: one self-contained file, no network requests."""
