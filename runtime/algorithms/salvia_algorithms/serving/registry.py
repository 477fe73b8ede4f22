"""Loaded models of a multi-model server, by name."""

import ctypes
import ctypes.util
import gc
import threading

from .errors import HttpError


def _malloc_trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6').malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


_trim = _malloc_trim()


def release_memory():
    """Gives memory freed by an unloaded model back to the system, so that the platform, which
    measures this server's resident memory against the instance's budget, sees the unload:
    without it glibc keeps the freed heap and the RSS stays where it was."""
    gc.collect()
    if _trim is not None:
        _trim(0)


class RegistryError(Exception):
    """A load/lookup refused with an HTTP status (404 not loaded, 409 already loaded, 507 out of
    memory, 500 the handler failed to load)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class ModelRegistry:
    """Thread-safe name → (url, model). ``load`` runs the handler's load outside the lock so one slow
    model does not block invocations of the others; a name being loaded counts as loaded (409)."""

    def __init__(self, load):
        self._load = load
        self._lock = threading.Lock()
        self._models = {}
        self._loading = set()

    def load(self, name, url):
        with self._lock:
            if name in self._models or name in self._loading:
                raise RegistryError(409, f'Model {name} is already registered.')
            self._loading.add(name)
        try:
            model = self._load(url)
        except MemoryError as error:
            raise RegistryError(507, f'Insufficient memory to load model {name}') from error
        except Exception as error:  # noqa: BLE001 - the handler's failure becomes the answer
            raise RegistryError(500, f'Failed to load model {name}: {type(error).__name__}: {error}') from error
        finally:
            with self._lock:
                self._loading.discard(name)
        with self._lock:
            self._models[name] = (url, model)

    def get(self, name):
        with self._lock:
            entry = self._models.get(name)
        if entry is None:
            raise HttpError(404, f'Model not found: {name}')
        return entry[1]

    def describe(self, name):
        with self._lock:
            entry = self._models.get(name)
        if entry is None:
            raise HttpError(404, f'Model not found: {name}')
        return {'modelName': name, 'modelUrl': entry[0]}

    def unload(self, name):
        with self._lock:
            entry = self._models.pop(name, None)
        if entry is None:
            raise HttpError(404, f'Model not found: {name}')
        del entry
        release_memory()

    def list(self):
        with self._lock:
            return [{'modelName': name, 'modelUrl': url} for name, (url, _) in sorted(self._models.items())]
