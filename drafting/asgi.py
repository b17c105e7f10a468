"""The ASGI application for uvicorn workers; settings come from the environment."""
from drafting.app import create_app

app = create_app()
