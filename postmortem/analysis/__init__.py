"""What is derived from valid records: figures, git history, differences, the review across incidents."""
