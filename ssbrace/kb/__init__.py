"""The knowledge store: tables, migrations and the queries every other stage uses."""
