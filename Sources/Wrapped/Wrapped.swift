// The Wrapped module: see README.md beside this file and docs/architecture.md.
