"""Policy mechanisms as small objects: trust, prevention and coordination rules."""
