"""Drafts of records from what already holds the facts: a status page, a chat export."""
