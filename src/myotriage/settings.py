"""One typed settings object, read from ``MYOTRIAGE_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime settings. Every field is documented; bad values are refused at start-up.

    Environment variables: ``MYOTRIAGE_KB_PATH``, ``MYOTRIAGE_HOST``,
    ``MYOTRIAGE_PORT``, ``MYOTRIAGE_WORKERS``, ``MYOTRIAGE_LOG_LEVEL``.
    """

    model_config = SettingsConfigDict(env_prefix="MYOTRIAGE_", extra="ignore", frozen=True)

    kb_path: Path | None = Field(
        default=None, description="Folder of knowledge YAML files replacing the packaged ones"
    )
    host: str = Field(default="127.0.0.1", description="Address the server listens on")
    port: Annotated[int, Field(ge=1, le=65535)] = Field(default=8000, description="TCP port")
    workers: Annotated[int, Field(ge=1, le=64)] = Field(
        default=1, description="Server worker processes (the API is stateless)"
    )
    log_level: Literal["critical", "error", "warning", "info", "debug"] = Field(
        default="info", description="Server log level (request bodies are never logged)"
    )
