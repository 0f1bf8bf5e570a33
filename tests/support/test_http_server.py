"""The fake-server base every fake builds on: a real server on 127.0.0.1, HTTPS with a certificate, and a port
released on stop."""

from __future__ import annotations

import socket
import ssl
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler

import pytest

from tests.support.http_server import FakeHttpServer, serving


class Hello(FakeHttpServer):
    methods = ("GET",)

    def serve(self, request: BaseHTTPRequestHandler) -> None:
        self.reply(request, 200, f"hello {request.path}", "text/plain", {"X-Fake": "yes"})


def test_a_fake_answers_over_http_on_its_url() -> None:
    with Hello() as fake, urllib.request.urlopen(f"{fake.url}/there", timeout=5) as response:
        assert fake.url == f"http://127.0.0.1:{fake.port}"
        assert (response.status, response.read(), response.headers["X-Fake"]) == (200, b"hello /there", "yes")


def test_a_method_the_fake_does_not_serve_is_501() -> None:
    with Hello() as fake, pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(fake.url, data=b"x", method="POST"), timeout=5)
    assert refused.value.code == 501


def test_with_a_certificate_the_fake_serves_https_that_verifies_against_it(certificate: tuple[str, str]) -> None:
    context = ssl.create_default_context(cafile=certificate[0])
    for fake in serving(Hello(tls=certificate)):
        assert fake.url.startswith("https://127.0.0.1:")
        with urllib.request.urlopen(f"{fake.url}/secure", timeout=5, context=context) as response:
            assert response.read() == b"hello /secure"


def test_stop_releases_the_port_and_a_fake_never_started_stops_at_once() -> None:
    fake = Hello().start()
    port = fake.port
    fake.stop()
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port))
    Hello().stop()
