"""http/redact.py: every configured secret, in every form it travels in, is masked — longest first."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

from pydantic import SecretStr

from slocheck.config.settings import BackendSettings
from slocheck.http.redact import MASK, display_url, scrub, secrets_of


def test_a_url_is_shown_without_its_user_and_password() -> None:
    assert display_url("https://bob:s%40cret@prom.example:9090/sub") == "https://prom.example:9090/sub"


def test_the_basic_auth_pair_from_a_url_is_masked_as_base64() -> None:
    secrets = secrets_of(BackendSettings(url="http://bob:s%40cret@127.0.0.1:9090"))
    pair = base64.b64encode(b"bob:s@cret").decode()
    assert scrub(f"Authorization: Basic {pair}", secrets) == f"Authorization: Basic {MASK}"


def test_a_token_is_masked_percent_encoded_json_escaped_and_unpadded_base64() -> None:
    token = 'ab/c+d"e=f'
    secrets = secrets_of(BackendSettings(url="http://127.0.0.1:9", token=SecretStr(token)))
    unpadded = base64.b64encode(token.encode()).decode().rstrip("=")
    for form in (quote(token, safe=""), json.dumps(token)[1:-1], unpadded):
        assert scrub(f"echo {form} end", secrets) == f"echo {MASK} end"


def test_a_secret_containing_another_is_masked_whole() -> None:
    settings = BackendSettings(url="http://127.0.0.1:9", token=SecretStr("abc"), password=SecretStr("xxabcxx"))
    assert scrub("p=xxabcxx t=abc", secrets_of(settings)) == f"p={MASK} t={MASK}"
