"""ssbrace: follow the global race to commercialise solid-state batteries."""

__version__ = "0.1.0"
