"""A maintained OpenID provider run as its own process for the identity tests: panva's node
`oidc-provider` (tests/identity/oidc_provider/server.mjs) on loopback, whose tokens come out
of its real authorization-code and client-credentials grants, never made up by a test."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import select
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

from portal.embedded import free_loopback_port

PACKAGE_DIR = Path(__file__).parent / "oidc_provider"
WEB_CLIENT = ("atrium-web", "atrium-web-secret")
BOT_CLIENT = ("billing-bot", "billing-bot-secret")
REDIRECT_URI = "http://127.0.0.1/callback"  # never followed: the code is read off the redirect


class MaintainedIdP:
    """The provider process; its accounts (and their groups) live in a JSON file it rereads."""

    def __init__(self, workdir: Path) -> None:
        install_provider()
        self.accounts_file = workdir / "accounts.json"
        self.log_file = workdir / "oidc-provider.log"
        self.set_accounts({})
        with self.log_file.open("wb") as log:
            self.process = subprocess.Popen(
                ["node", "server.mjs", str(free_loopback_port())],
                cwd=PACKAGE_DIR,
                env={**os.environ, "ACCOUNTS_FILE": str(self.accounts_file)},
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        self.issuer = self._wait_for_issuer()

    def _wait_for_issuer(self) -> str:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], 30)
        line = self.process.stdout.readline().strip() if ready else ""
        if not line.startswith("http://127.0.0.1:"):
            self.stop()
            raise RuntimeError(f"oidc-provider did not start: {self.log_file.read_text()}")
        return line

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def set_accounts(self, accounts: dict[str, list[str]]) -> None:
        """People by login, with their groups at the provider from now on."""
        data = {
            login: {"email": f"{login}@corp.example", "groups": groups}
            for login, groups in accounts.items()
        }
        self.accounts_file.write_text(json.dumps(data))

    def person_token(self, login: str, *, scope: str = "openid api groups") -> str:
        """An access token for `login` through the authorization-code grant with PKCE, signing
        in and consenting on the provider's own (development) pages over HTTP."""
        verifier = secrets.token_urlsafe(32)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        with httpx.Client(base_url=self.issuer, timeout=10) as browser:
            page = browser.get(
                "/auth",
                params={
                    "client_id": WEB_CLIENT[0],
                    "response_type": "code",
                    "redirect_uri": REDIRECT_URI,
                    "scope": scope,
                    "code_challenge": challenge.rstrip(b"=").decode(),
                    "code_challenge_method": "S256",
                },
            )
            for _ in range(8):
                location = page.headers.get("location", "")
                if location.startswith(REDIRECT_URI):
                    code = parse_qs(urlsplit(location).query)["code"][0]
                    break
                if location:
                    page = browser.get(urljoin(str(page.url), location))
                elif 'name="login"' in page.text:
                    page = browser.post(
                        page.url.path, data={"prompt": "login", "login": login, "password": "any"}
                    )
                else:
                    page = browser.post(page.url.path, data={"prompt": "consent"})
            else:
                raise AssertionError(f"no code came back: {page.status_code} {page.text[:300]}")
            answer = browser.post(
                "/token",
                auth=WEB_CLIENT,
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": REDIRECT_URI,
                    "code_verifier": verifier,
                },
            )
        answer.raise_for_status()
        return str(answer.json()["access_token"])

    def client_token(self) -> str:
        """An access token for the `billing-bot` client (client-credentials grant)."""
        answer = httpx.post(
            f"{self.issuer}/token",
            auth=BOT_CLIENT,
            timeout=10,
            data={"grant_type": "client_credentials", "scope": "api"},
        )
        answer.raise_for_status()
        return str(answer.json()["access_token"])


def install_provider() -> None:
    """The node package, installed from its lock file the first time (node_modules is ignored
    by git), so that a fresh checkout needs only node and npm."""
    if (PACKAGE_DIR / "node_modules" / "oidc-provider" / "package.json").exists():
        return
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise RuntimeError("The identity tests run node's oidc-provider: install node and npm.")
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"],
        cwd=PACKAGE_DIR,
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=300,
    )


def wait_a_second() -> None:
    """`iat` counts whole seconds: tokens further apart than that are ordered by it."""
    time.sleep(1.1)
