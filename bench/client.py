"""The load test's HTTP client: one person's browser (cookies, CSRF token, messages), the monthly
entry form as a browser fills it, and the tally of every request's time and errors.

Shared by bench/load.py (the load test) and bench/writers.py (reads while reporters write).
"""

import html.parser
import http.client
import http.cookies
import os
import re
import time
from collections import defaultdict
from urllib.parse import urlencode, urlsplit

HOST = "127.0.0.1"
TIMEOUT = max(1.0, float(os.environ.get("LOAD_REQUEST_TIMEOUT", "60")))
ENTRY_GET, SUBMIT, CONCURRENT = "entry page (GET)", "submit (POST)", "concurrent edit (POST)"
MESSAGE_RE = re.compile(r'class="(?:errornote|errorlist[^"]*)"[^>]*>\s*(?:<li>)?([^<]{1,200})')


class Tally:
    """What one client saw; merged after the run."""

    def __init__(self):
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_examples: list[str] = []
        self.acks: list[dict] = []
        self.acked_posts = 0
        self.refused = 0

    def error(self, kind: str, message: str) -> None:
        self.errors[kind] += 1
        if len(self.error_examples) < 20:
            self.error_examples.append(f"{kind}: {message}")

    def merge(self, other: "Tally") -> None:
        for kind, times in other.times.items():
            self.times[kind] += times
        for kind, n in other.errors.items():
            self.errors[kind] += n
        self.error_examples += other.error_examples[: max(0, 20 - len(self.error_examples))]
        self.acks += other.acks
        self.acked_posts += other.acked_posts
        self.refused += other.refused


class Response:
    def __init__(self, status: int, location: str, body: bytes):
        self.status = status
        self.location = location
        self.body = body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def messages(self) -> str:
        return " | ".join(m.strip() for m in MESSAGE_RE.findall(self.text))[:300]


class Browser:
    """One person's browser: a cookie jar (session, CSRF token, messages) and one request at a time."""

    def __init__(self, port: int, session: str, tally: Tally):
        self.port = port
        self.origin = f"http://{HOST}:{port}"
        self.jar = {"sessionid": session}
        self.tally = tally

    def request(self, kind: str, path: str, form: list | None = None, referer: str | None = None):
        """The response; None after a connection error, a timeout or a 5xx (counted as errors)."""
        headers = {"User-Agent": "zhongyuan-loadtest", "Accept": "text/html"}
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
        if referer:
            headers["Referer"] = self.origin + referer
        conn = http.client.HTTPConnection(HOST, self.port, timeout=TIMEOUT)
        started = time.perf_counter()
        try:
            conn.request("POST" if form is not None else "GET", path, body=body, headers=headers)
            raw = conn.getresponse()
            data = raw.read()
        except (OSError, http.client.HTTPException) as exc:
            self.tally.times[kind].append(time.perf_counter() - started)
            self.tally.error(kind, f"{type(exc).__name__}: {exc} ({path})")
            return None
        finally:
            conn.close()
        self.tally.times[kind].append(time.perf_counter() - started)
        for header in raw.msg.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or "1970" in (morsel["expires"] or ""):
                    self.jar.pop(name, None)
                else:
                    self.jar[name] = morsel.coded_value
        response = Response(raw.status, raw.getheader("Location") or "", data)
        if raw.status >= 500:
            self.tally.error(kind, f"HTTP {raw.status} {path}")
            return None
        return response

    def view(self, kind: str, path: str) -> None:
        response = self.request(kind, path)
        if response is not None and response.status != 200:
            self.tally.error(kind, f"HTTP {response.status} {path} {response.location}".strip())


class EntryForm(html.parser.HTMLParser):
    """The monthly entry form's fields, as a browser sends them (without the submit buttons)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.fields: list[list[str]] = []
        self._in_form = False
        self._textarea = None
        self._select = None
        self._first_option = None
        self.feed(text)
        self.close()
        self.rows = {}  # target id → row index
        for name, value in self.fields:
            match = re.fullmatch(r"rows-(\d+)-target", name)
            if match:
                self.rows[int(value)] = int(match[1])

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "month-entry" in (a.get("class") or "").split():
            self._in_form = True
        if not self._in_form or (tag in {"input", "textarea", "select"} and not a.get("name")):
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.fields.append([a["name"], a.get("value") or ""])
        elif tag == "textarea":
            self._textarea = [a["name"], ""]
            self.fields.append(self._textarea)
        elif tag == "select":
            self._select, self._first_option = [a["name"], None], None
            self.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._select[1] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # A browser drops the newline right after <textarea>, as Django's widget writes one.
            value = self._textarea[1]
            self._textarea[1] = value[2:] if value.startswith("\r\n") else value.removeprefix("\n")
            self._textarea = None
        elif tag == "select" and self._select is not None:
            if self._select[1] is None:
                self._select[1] = self._first_option or ""
            self._select = None
        elif tag == "form":
            self._in_form = False

    def filled(
        self, values: dict[int, dict[str, str]], button: tuple[str, str]
    ) -> list[tuple[str, str]] | None:
        """The form data with these rows (target id → field → value) filled in; None if one is read-only."""
        data = [list(f) for f in self.fields]
        for target, row in values.items():
            if target not in self.rows:
                return None
            for field, value in row.items():
                name = f"rows-{self.rows[target]}-{field}"
                slot = next((f for f in data if f[0] == name), None)
                if slot is None:
                    return None
                slot[1] = value
        return [tuple(f) for f in data] + [button]


def entry_url(ctx: dict, unit: int, month: str) -> str:
    return f"{ctx['entry_url']}?{urlencode({'unit': unit, 'month': month})}"


def get_form(browser: Browser, path: str) -> EntryForm | None:
    response = browser.request(ENTRY_GET, path)
    if response is None:
        return None
    if response.status != 200:
        browser.tally.error(ENTRY_GET, f"HTTP {response.status} {path} {response.messages()}")
        return None
    form = EntryForm(response.text)
    if "csrfmiddlewaretoken" not in {f[0] for f in form.fields} or "csrftoken" not in browser.jar:
        browser.tally.error(ENTRY_GET, f"no CSRF token on {path}")
        return None
    return form


def same_page(location: str, path: str) -> bool:
    parts, want = urlsplit(location), urlsplit(path)
    return (parts.path, parts.query) == (want.path, want.query)
