"""The HTTP server: routing, body reading, error answers, single- and multi-model modes."""

import json
import os
import signal
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from .. import contract
from .errors import HttpError
from .registry import ModelRegistry, RegistryError

# Bodies larger than this are refused with 413 before reading (SageMaker's own cap is 6 MB for
# real-time and 100 MB for transform; this only protects memory).
MAX_BODY = int(os.environ.get('SAGEMAKER_MAX_REQUEST_SIZE', str(1024 * 1024 * 1024)))


def available_cpus():
    """The CPUs this process may run on (its affinity mask when the platform pins an instance's
    processes; the machine's count otherwise)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def requested_workers(multi_model, default=1):
    """SAGEMAKER_MODEL_SERVER_WORKERS as an int ≥ 1, ``default`` when unset or invalid; 1 (this
    process, threads) in multi-model mode (loaded models live in one process)."""
    value = os.environ.get('SAGEMAKER_MODEL_SERVER_WORKERS')
    if multi_model:
        return 1
    if not value:
        return max(1, int(default))
    try:
        return max(1, int(value))
    except ValueError:
        print(f'Ignoring SAGEMAKER_MODEL_SERVER_WORKERS={value!r}: not an integer', file=sys.stderr, flush=True)
        return max(1, int(default))


def _default_accept():
    return os.environ.get('SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT') or None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The platform opens many connections at once (32 concurrent invocations, bursts of
    # multi-model loads); socketserver's default backlog of 5 stalls them for a SYN retry (~1 s).
    request_queue_size = 512
    allow_reuse_address = True

    def __init__(self, address, handler, multi_model, model):
        super().__init__(address, _RequestHandler)
        self.handler = handler
        self.multi_model = multi_model
        self.model = model
        self.registry = ModelRegistry(handler.load)
        # set in pre-forked workers (workers.py): may_accept/opened/closed balance connections
        self.admission = None

    def get_request(self):
        admission = self.admission
        if admission is not None and not admission.may_accept():
            raise BlockingIOError('another worker has fewer open connections')
        request = super().get_request()
        if admission is not None:
            admission.opened()
        return request

    def shutdown_request(self, request):
        try:
            super().shutdown_request(request)
        finally:
            if self.admission is not None:
                self.admission.closed()


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    # Headers and body go out in separate writes: with Nagle on, the body waits for the client's
    # delayed ACK (~40 ms per keep-alive request). TCP_NODELAY sends it at once.
    disable_nagle_algorithm = True
    server_version = 'salvia-model-server'
    # an idle keep-alive connection is closed after this many seconds (frees its thread)
    timeout = 600

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        if os.environ.get('SALVIA_SERVING_ACCESS_LOG'):
            super().log_message(format, *args)

    # --- plumbing -----------------------------------------------------------------------------
    def _send(self, status, body=b'', content_type='text/plain; charset=utf-8', headers=None):
        self.send_response(status)
        if status != 204:
            self.send_header('Content-Type', content_type)
            self.send_header('Content-Length', str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if status != 204 and self.command != 'HEAD':
            self.wfile.write(body)

    def _json(self, status, value):
        self._send(status, json.dumps(value).encode(), 'application/json')

    def _mms_error(self, status, kind, message):
        self._json(status, {'code': status, 'type': kind, 'message': message})

    def _body(self):
        """The request body, read once (every POST reads it before routing, so an error answer
        never leaves unread bytes on a keep-alive connection)."""
        if getattr(self, '_cached_body', None) is None:
            self._cached_body = self._read_body()
        return self._cached_body

    def _read_body(self):
        if 'chunked' in (self.headers.get('Transfer-Encoding') or '').lower():
            chunks = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b';')[0].strip() or b'0', 16)
                if size == 0:
                    while self.rfile.readline() not in (b'\r\n', b'\n', b''):
                        pass
                    return b''.join(chunks)
                total += size
                if total > MAX_BODY:
                    raise HttpError(413, 'Request body too large')
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get('Content-Length') or 0)
        if length > MAX_BODY:
            self.close_connection = True
            raise HttpError(413, 'Request body too large')
        return self.rfile.read(length) if length else b''

    def _invoke(self, model):
        body = self._body()
        accept = self.headers.get('Accept')
        if not accept or accept.strip() == '*/*':
            accept = _default_accept() or (accept if accept else None)
            if accept == '*/*':
                accept = None
        try:
            payload, content_type = self.server.handler.invoke(model, body, self.headers.get('Content-Type'), accept)
        except HttpError:
            raise
        except Exception as error:  # noqa: BLE001 - a handler bug answers 500, never kills the server
            traceback.print_exc()
            raise HttpError(500, f'Internal error while invoking the model: {type(error).__name__}: {error}') from error
        if isinstance(payload, str):
            payload = payload.encode()
        self._send(200, payload, content_type)

    def _guard(self, action, mms=False):
        try:
            action()
        except HttpError as error:
            if mms and error.status not in (204,):
                kinds = {404: 'ModelNotFoundException', 409: 'ConflictException', 507: 'InsufficientMemoryException'}
                self._mms_error(error.status, kinds.get(error.status, 'BadRequestException' if error.status < 500 else 'InternalServerException'), error.message)
            else:
                self._send(error.status, error.message.encode())
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as error:  # noqa: BLE001
            traceback.print_exc()
            self._send(500, f'{type(error).__name__}: {error}'.encode())

    # --- routes -------------------------------------------------------------------------------
    def do_GET(self):  # noqa: N802 - stdlib naming
        url = urlsplit(self.path)
        route = url.path.rstrip('/') or '/'
        if route == '/ping':
            return self._send(200, b'')
        if route == '/execution-parameters':
            return self._guard(self._execution_parameters)
        if self.server.multi_model and route == '/models':
            return self._guard(lambda: self._list_models(parse_qs(url.query)), mms=True)
        if self.server.multi_model and route.startswith('/models/'):
            name = unquote(route[len('/models/'):])
            return self._guard(lambda: self._json(200, self.server.registry.describe(name)), mms=True)
        self._not_found()

    def do_POST(self):  # noqa: N802
        self._cached_body = None
        try:
            self._body()
        except HttpError as error:
            self.close_connection = True
            return self._send(error.status, error.message.encode())
        except (ValueError, OSError):
            self.close_connection = True
            return self._send(400, b'Malformed request body')
        route = urlsplit(self.path).path.rstrip('/')
        if route == '/invocations' and not self.server.multi_model:
            return self._guard(lambda: self._invoke(self.server.model))
        if self.server.multi_model and route == '/models':
            return self._guard(self._load_model, mms=True)
        if self.server.multi_model and route.startswith('/models/') and route.endswith('/invoke'):
            name = unquote(route[len('/models/'):-len('/invoke')])
            return self._guard(lambda: self._invoke(self.server.registry.get(name)), mms=True)
        self._not_found()

    def do_DELETE(self):  # noqa: N802
        route = urlsplit(self.path).path.rstrip('/')
        if self.server.multi_model and route.startswith('/models/'):
            name = unquote(route[len('/models/'):])

            def unload():
                self.server.registry.unload(name)
                self._json(200, {'status': f'Model "{name}" unregistered'})

            return self._guard(unload, mms=True)
        self._not_found()

    def _not_found(self):
        if self.server.multi_model:
            self._mms_error(404, 'ResourceNotFoundException', f'Requested resource is not found: {self.command} {self.path}')
        else:
            self._send(404, f'Not found: {self.command} {self.path}'.encode())

    def _execution_parameters(self):
        custom = getattr(self.server.handler, 'execution_parameters', None)
        if custom is not None:
            value = custom()
            if value is None:
                raise HttpError(404, 'No execution parameters')
            return self._json(200, value)
        self._json(200, {'MaxConcurrentTransforms': requested_workers(False, default=available_cpus()), 'BatchStrategy': 'MULTI_RECORD', 'MaxPayloadInMB': 6})

    def _load_model(self):
        try:
            request = json.loads(self._body() or b'{}')
        except ValueError as error:
            raise HttpError(400, f'Invalid JSON body: {error}') from error
        if not isinstance(request, dict) or not request.get('model_name') or not request.get('url'):
            raise HttpError(400, 'Parameters model_name and url are required')
        name, url = str(request['model_name']), str(request['url'])
        try:
            self.server.registry.load(name, url)
        except RegistryError as error:
            raise HttpError(error.status, str(error)) from error
        self._json(200, {'status': f'Model "{name}" registered'})

    def _list_models(self, query):
        try:
            limit = int(query.get('limit', ['100'])[0])
            start = int(query.get('next_page_token', ['0'])[0] or 0)
        except ValueError as error:
            raise HttpError(400, f'Invalid paging parameter: {error}') from error
        models = self.server.registry.list()
        page = models[start:start + max(1, limit)]
        result = {'models': page}
        if start + len(page) < len(models):
            result['nextPageToken'] = str(start + len(page))
        self._json(200, result)


def make_server(handler, port=None, host='0.0.0.0', model_dir=None, multi_model=None):
    """Builds (does not start) the server. Single-model mode loads ``model_dir`` (default
    ``/opt/ml/model``) first; ``port`` defaults to SAGEMAKER_BIND_TO_PORT or 8080 (0 = any free
    port, see ``server.server_address``); ``multi_model`` defaults to SAGEMAKER_MULTI_MODEL=true."""
    if port is None:
        port = int(os.environ.get('SAGEMAKER_BIND_TO_PORT') or 8080)
    if multi_model is None:
        multi_model = os.environ.get('SAGEMAKER_MULTI_MODEL', '').lower() == 'true'
    model = None
    if not multi_model:
        model = handler.load(model_dir or contract.path('model'))
    return _Server((host, port), handler, multi_model, model)


def make_server_or_exit(handler):
    """``make_server(handler)``, except that a model that fails to load ends the process with
    exit code 1 and the reason on stderr (the platform sees a container that never got healthy)."""
    try:
        return make_server(handler)
    except Exception as error:  # noqa: BLE001
        traceback.print_exc()
        print(f'Failed to load the model: {type(error).__name__}: {error}', file=sys.stderr, flush=True)
        sys.exit(1)


def serve(handler):
    """Runs the server until SIGTERM/SIGINT; a model that fails to load ends the process
    (``make_server_or_exit``)."""
    server = make_server_or_exit(handler)

    def stop(signum, frame):  # noqa: ARG001
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = server.server_address[:2]
    mode = 'multi-model' if server.multi_model else 'single-model'
    print(f'Model server listening on {host}:{port} ({mode})', file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
