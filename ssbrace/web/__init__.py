"""The web dashboard and JSON API: thin wrappers over the functions the CLI calls."""
