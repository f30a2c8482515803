"""A small browser for the website tests that need no real one: cookies, redirects, forms, CSRF tokens."""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass
from urllib.parse import urlencode, urljoin, urlsplit

import boto3

from mturk_mock import MTurkServer

SCHEMAS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # by lower-case name; Set-Cookie lines joined
    text: str
    path: str

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


class SiteClient:
    def __init__(self, server: MTurkServer) -> None:
        self.server = server
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None,
                follow: bool = True) -> Answer:  # fmt: skip
        connection = http.client.HTTPConnection(self.server.host, self.server.port, timeout=10)
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection.request(method, path, body, sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                self._set_cookie(value)
        found = {}
        for name, value in response.getheaders():
            found[name.lower()] = (found[name.lower()] + "\n" + value) if name.lower() in found else value
        connection.close()
        answer = Answer(response.status, found, text, path)
        if follow and response.status in (301, 302, 303):
            return self.get(urljoin(path, found["location"]))
        return answer

    def _set_cookie(self, line: str) -> None:
        name, _, rest = line.partition("=")
        value = rest.split(";", 1)[0]
        if "Max-Age=0" in line:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value

    def get(self, path: str, **headers: str) -> Answer:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, fields: dict[str, str] | list[tuple[str, str]] | None = None, *, csrf: bool = True,
             follow: bool = True, headers: dict[str, str] | None = None) -> Answer:  # fmt: skip
        pairs = list(fields.items()) if isinstance(fields, dict) else list(fields or [])
        if csrf:
            pairs.append(("csrf_token", self.token()))
        sent = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        return self.request("POST", path, urlencode(pairs).encode(), sent, follow)

    def token(self) -> str:
        match = TOKEN.search(self.get("/site/").text) or TOKEN.search(self.get("/requester/").text)
        assert match, "no CSRF token on the page"
        return match.group(1)

    def sign_in(self, worker_id: str, **profile: str) -> Answer:
        fields = {"worker_id": worker_id}
        if profile:
            fields.update(set_profile="1", **profile)
        return self.post("/worker/sign-in", fields)

    def act_as(self, requester: str) -> Answer:
        return self.post("/requester/identity", {"requester_new": requester})


def flash(answer: Answer) -> str:
    found = re.search(r'<p class="flash (?:notice|error)"[^>]*>(.*?)</p>', answer.text, re.S)
    return found.group(1).strip() if found else ""


def client(server: MTurkServer, access_key: str = "AKIAREQUESTER"):
    return boto3.client(
        "mturk",
        region_name="us-east-1",
        endpoint_url=server.url,
        aws_access_key_id=access_key,
        aws_secret_access_key="x",
    )


def external_question(url: str = "https://tasks.example.com/label?round=1") -> str:
    return (
        f'<ExternalQuestion xmlns="{SCHEMAS}2006-07-14/ExternalQuestion.xsd">'
        f"<ExternalURL>{url}</ExternalURL><FrameHeight>0</FrameHeight></ExternalQuestion>"
    )


def publish(server: MTurkServer, question: str | None = None, access_key: str = "AKIAREQUESTER", **extra) -> str:
    params = {
        "Title": "Label the picture",
        "Description": "Say what is in it",
        "Reward": "0.25",
        "MaxAssignments": 3,
        "LifetimeInSeconds": 3600,
        "AssignmentDurationInSeconds": 600,
        "Question": question or external_question(),
        **extra,
    }
    return client(server, access_key).create_hit(**params)["HIT"]["HITId"]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
