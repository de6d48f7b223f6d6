"""Deliveries: the HTML report (charts), Atom feeds, digest emails."""
