"""The composition layer: the one place that knows every package (docs/architecture.md).

It builds the core's parts (kiosk/), the hardware drivers (drivers/) and the transports (sync/)
from the settings and wires them together: the daemon (`kiosk run`), the demo, the doctor's
checks, the fingerprint-module hand-over and the factories they share. The people-facing
interfaces on top of it, kiosk.cli and kiosk.console, belong to this layer too.
"""
