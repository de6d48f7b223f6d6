"""The report formats, in a module of their own so that the command line can name them in its help
without loading the report's renderer (Jinja2, the analysis)."""

FORMATS = ("html", "md", "csv", "json")
