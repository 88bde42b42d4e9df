// Shared helpers for the test targets: seeded data, tolerance assertions.
