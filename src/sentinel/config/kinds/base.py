"""The surface of a file kind: its model, the names it defines, what it checks."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, Generic, TypeVar

from pydantic import BaseModel

from sentinel.config.assembly import Assembly, Source
from sentinel.config.configuration import Config
from sentinel.errors import ConfigWarning

M = TypeVar("M", bound=BaseModel)


class FileKind(ABC, Generic[M]):
    """One kind of config file (``alarms/*.yaml``, ``monitors/*.yaml``, ...).

    ``define`` runs for every file first: it defines the names the file gives (``refs.define``)
    and keeps its items in the configuration. ``check`` runs for every file next, when all
    names are known: references to other files' names, templates, AWS limits across fields.
    ``warnings`` names settings that are valid but do nothing, with the whole configuration.
    """

    name: ClassVar[str]
    model: ClassVar[type[BaseModel]]
    # The files it is read from, for messages and the JSON Schema's title.
    pattern: ClassVar[str]
    # Namespaces it defines names in: when one of its files fails to load, a reference to a
    # name there is unknown, not missing, and is not reported a second time.
    defines: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def define(self, model: M, source: Source, build: Assembly) -> None: ...

    @abstractmethod
    def check(self, model: M, source: Source, build: Assembly) -> None: ...

    def warnings(self, model: M, source: Source, config: Config) -> list[ConfigWarning]:
        return []
