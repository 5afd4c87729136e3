"""Files that staff write (edition, flows): YAML with file-and-line errors."""
