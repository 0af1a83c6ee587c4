"""The operators' audit log: who did what, when, and what it changed."""
