"""Pure functions over claim records: facts, conflicts, target ledgers, checks, scoreboard, changes."""
