"""The real-world corpus benchmark: Cairn and Recoll on public parser test files (docs/realworld.md)."""
