"""The attendance operator's web console (issue 13; docs/console.md)."""
