"""The `kiosk` command: thin click commands over the library."""
