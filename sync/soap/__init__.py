"""The ZKTeco terminals' SOAP web service (`POST /iWsService`), answered from the store.

`codec` parses requests and writes replies (pure); `service` is the WSGI app and its server.
See docs/soap-service.md.
"""
