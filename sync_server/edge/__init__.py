"""What stands between the network and the routes: the ASGI limits, the one place problems become HTTP
responses, how uvicorn serves (`uvicorn_server`, `asgi` for worker processes) and the agency's TLS."""
