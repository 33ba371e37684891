"""The workspace: finding records, building them, configuration, new records, atomic writes."""
