"""What valid records tell: key figures, git history, differences, the review across incidents."""
