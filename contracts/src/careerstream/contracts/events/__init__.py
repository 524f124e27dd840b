"""The v1 payload of every event type, one module per producing service."""
