"""Reports from derived records: Markdown, HTML, PDF, chart, exports, in the record's language."""
