"""siap-kiosk: the daemon core (config, store, face engine, recognition pipeline, rules, CLI)."""

__version__ = "0.1.0"
