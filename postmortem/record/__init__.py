"""YAML → Incident: safe loading with positions, instants, the model, checks, migrations."""
