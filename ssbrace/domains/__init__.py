"""Domain packs: everything about one technology race lives in data files, not in code."""
