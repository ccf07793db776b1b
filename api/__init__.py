"""chainmatch.api: the FastAPI app, the CLI and the web workbench."""
