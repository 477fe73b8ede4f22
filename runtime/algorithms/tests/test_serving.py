"""The shared model server over real HTTP (a thread in this process, port 0), with a tiny
handler that echoes what it was given."""

import http.client
import json
import os
import tempfile
import threading
import unittest

from salvia_algorithms.serving import HttpError, make_server, media_type, negotiate


class EchoHandler:
    """model = the directory's 'name' file; invoke echoes; 'fail' body raises, 'bad' → 400."""

    def load(self, model_dir):
        with open(os.path.join(model_dir, 'name'), encoding='utf-8') as f:
            name = f.read()
        if name == 'huge':
            raise MemoryError()
        return name

    def invoke(self, model, body, content_type, accept):
        if not body:
            raise HttpError(204)
        kind, _ = media_type(content_type)
        if kind not in ('text/csv', 'application/json'):
            raise HttpError(415, f'Content type {content_type} is not supported')
        answer = negotiate(accept, ['text/csv', 'application/json'], 'text/csv')
        if body == b'fail':
            raise RuntimeError('boom')
        if body == b'bad':
            raise HttpError(400, 'Unable to evaluate payload provided: bad')
        return json.dumps({'model': model, 'body': body.decode(), 'accept': accept}).encode(), answer


def _model_dir(root, name):
    directory = os.path.join(root, name, 'model')
    os.makedirs(directory)
    with open(os.path.join(directory, 'name'), 'w', encoding='utf-8') as f:
        f.write(name)
    return directory


class ServerCase(unittest.TestCase):
    multi_model = False

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        model_dir = None if self.multi_model else _model_dir(self.tmp.name, 'single')
        self.server = make_server(EchoHandler(), port=0, host='127.0.0.1', model_dir=model_dir, multi_model=self.multi_model)
        thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        self.conn = http.client.HTTPConnection('127.0.0.1', self.server.server_address[1], timeout=10)
        self.addCleanup(self.conn.close)

    def request(self, method, path, body=None, headers=None):
        self.conn.request(method, path, body=body, headers=headers or {})
        response = self.conn.getresponse()
        return response.status, response.getheader('Content-Type'), response.read()


class SingleModelTest(ServerCase):
    def test_ping(self):
        self.assertEqual(self.request('GET', '/ping')[0], 200)

    def test_invoke_keeps_the_connection_alive(self):
        for _ in range(3):
            status, kind, body = self.request('POST', '/invocations', b'1,2', {'Content-Type': 'text/csv', 'Accept': 'application/json'})
            self.assertEqual((status, kind), (200, 'application/json'))
            self.assertEqual(json.loads(body), {'model': 'single', 'body': '1,2', 'accept': 'application/json'})

    def test_default_accept_from_environment(self):
        os.environ['SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT'] = 'application/json'
        self.addCleanup(os.environ.pop, 'SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT')
        status, kind, body = self.request('POST', '/invocations', b'1', {'Content-Type': 'text/csv', 'Accept': '*/*'})
        self.assertEqual((status, kind, json.loads(body)['accept']), (200, 'application/json', 'application/json'))

    def test_no_accept_is_none_for_the_handler(self):
        status, kind, body = self.request('POST', '/invocations', b'1', {'Content-Type': 'text/csv'})
        self.assertEqual((status, kind, json.loads(body)['accept']), (200, 'text/csv', None))

    def test_client_errors(self):
        self.assertEqual(self.request('POST', '/invocations', b'', {'Content-Type': 'text/csv'})[0], 204)
        status, _, body = self.request('POST', '/invocations', b'1', {'Content-Type': 'image/png'})
        self.assertEqual(status, 415)
        self.assertIn(b'image/png', body)
        self.assertEqual(self.request('POST', '/invocations', b'1', {'Content-Type': 'text/csv', 'Accept': 'text/html'})[0], 406)
        status, _, body = self.request('POST', '/invocations', b'bad', {'Content-Type': 'text/csv'})
        self.assertEqual((status, body), (400, b'Unable to evaluate payload provided: bad'))

    def test_handler_bug_is_500_and_the_server_survives(self):
        status, _, body = self.request('POST', '/invocations', b'fail', {'Content-Type': 'text/csv'})
        self.assertEqual(status, 500)
        self.assertIn(b'boom', body)
        self.assertEqual(self.request('GET', '/ping')[0], 200)

    def test_chunked_body(self):
        self.conn.putrequest('POST', '/invocations')
        self.conn.putheader('Content-Type', 'text/csv')
        self.conn.putheader('Transfer-Encoding', 'chunked')
        self.conn.endheaders()
        self.conn.send(b'2\r\n1,\r\n1\r\n5\r\n0\r\n\r\n')
        response = self.conn.getresponse()
        self.assertEqual(json.loads(response.read())['body'], '1,5')

    def test_execution_parameters(self):
        status, _, body = self.request('GET', '/execution-parameters')
        self.assertEqual(status, 200)
        value = json.loads(body)
        self.assertEqual(value['BatchStrategy'], 'MULTI_RECORD')
        self.assertEqual(value['MaxPayloadInMB'], 6)
        self.assertGreaterEqual(value['MaxConcurrentTransforms'], 1)

    def test_unknown_route_and_models_api_absent(self):
        self.assertEqual(self.request('GET', '/nope')[0], 404)
        self.assertEqual(self.request('GET', '/models')[0], 404)


class MultiModelTest(ServerCase):
    multi_model = True

    def load(self, name):
        url = _model_dir(self.tmp.name, name)
        return self.request('POST', '/models', json.dumps({'model_name': name, 'url': url}), {'Content-Type': 'application/json'}), url

    def test_load_list_invoke_unload(self):
        (status, _, body), url_a = self.load('a')
        self.assertEqual((status, json.loads(body)), (200, {'status': 'Model "a" registered'}))
        (status, _, _), url_b = self.load('b')
        self.assertEqual(status, 200)
        status, _, body = self.request('GET', '/models')
        self.assertEqual(json.loads(body), {'models': [{'modelName': 'a', 'modelUrl': url_a}, {'modelName': 'b', 'modelUrl': url_b}]})
        status, _, body = self.request('GET', '/models?limit=1')
        self.assertEqual(json.loads(body), {'models': [{'modelName': 'a', 'modelUrl': url_a}], 'nextPageToken': '1'})
        status, _, body = self.request('GET', '/models?limit=1&next_page_token=1')
        self.assertEqual(json.loads(body), {'models': [{'modelName': 'b', 'modelUrl': url_b}]})
        status, _, body = self.request('GET', '/models/b')
        self.assertEqual((status, json.loads(body)), (200, {'modelName': 'b', 'modelUrl': url_b}))
        status, _, body = self.request('POST', '/models/b/invoke', b'7', {'Content-Type': 'text/csv'})
        self.assertEqual((status, json.loads(body)['model']), (200, 'b'))
        status, _, body = self.request('DELETE', '/models/b')
        self.assertEqual((status, json.loads(body)), (200, {'status': 'Model "b" unregistered'}))
        status, _, body = self.request('POST', '/models/b/invoke', b'7', {'Content-Type': 'text/csv'})
        self.assertEqual((status, json.loads(body)), (404, {'code': 404, 'type': 'ModelNotFoundException', 'message': 'Model not found: b'}))
        self.assertEqual(self.request('GET', '/models/b')[0], 404)
        self.assertEqual(self.request('DELETE', '/models/b')[0], 404)

    def test_conflict_memory_and_bad_requests(self):
        self.assertEqual(self.load('a')[0][0], 200)
        url = os.path.join(self.tmp.name, 'a', 'model')
        status, _, body = self.request('POST', '/models', json.dumps({'model_name': 'a', 'url': url}))
        self.assertEqual((status, json.loads(body)['code']), (409, 409))
        self.assertEqual(self.load('huge')[0][0], 507)
        status, _, body = self.request('POST', '/models', json.dumps({'model_name': 'c', 'url': '/does/not/exist'}))
        self.assertEqual(status, 500)
        self.assertIn('Failed to load model c', json.loads(body)['message'])
        self.assertEqual(self.request('POST', '/models', b'{not json')[0], 400)
        self.assertEqual(self.request('POST', '/models', b'{}')[0], 400)
        # the handler's own client errors keep their status on the per-model route
        self.assertEqual(self.request('POST', '/models/a/invoke', b'1', {'Content-Type': 'image/png'})[0], 415)
        self.assertEqual(self.request('POST', '/models/a/invoke', b'', {'Content-Type': 'text/csv'})[0], 204)


class NegotiateTest(unittest.TestCase):
    def test_negotiation(self):
        supported = ['text/csv', 'application/json']
        self.assertEqual(negotiate(None, supported, 'text/csv'), 'text/csv')
        self.assertEqual(negotiate('*/*', supported, 'text/csv'), 'text/csv')
        self.assertEqual(negotiate('application/json; charset=utf-8', supported, 'text/csv'), 'application/json')
        self.assertEqual(negotiate('text/html, application/json;q=0.5', supported, 'text/csv'), 'application/json')
        self.assertEqual(negotiate('application/*', supported, 'text/csv'), 'application/json')
        with self.assertRaises(HttpError) as caught:
            negotiate('text/html', supported, 'text/csv')
        self.assertEqual(caught.exception.status, 406)

    def test_media_type(self):
        self.assertEqual(media_type('Text/CSV; label_size=0'), ('text/csv', {'label_size': '0'}))
        self.assertEqual(media_type(None), ('', {}))


if __name__ == '__main__':
    unittest.main()
