"""Review quality: blameless wording, action items, completeness and coherence."""
