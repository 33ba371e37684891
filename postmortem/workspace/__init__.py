"""The workspace: finding records, building them, configuration, new records, upgrades, atomic writes."""
