"""Twenty reviewers at work: browse the queue, open claims, add evidence, change status.

Used by bench/load_test.py (which starts gunicorn and locust headless); the users log in
through the login form as reviewer0 … reviewer<LOAD_USERS - 1> with LOAD_PASSWORD. A login
that fails raises (locust counts it as an error and the bench fails); a request that answers
an error status, or lands on the login page, is a failed request. LOAD_WAIT=0 makes a user
send its requests back to back (the bench's single-user baseline).
"""

import os
import random
import re
from urllib.parse import urlsplit

import gevent
import requests
from locust import HttpUser, between, constant, events, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "load-Test-password-1")
USERS = int(os.environ.get("LOAD_USERS", "20"))
WAIT = os.environ.get("LOAD_WAIT")
CLAIM_LINK = re.compile(r'href="/claims/(\d+)/"')
NEXT_LINK = re.compile(r'rel="next" href="\?([^"]*)"')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_next_user = iter(range(10_000))


@events.init.add_listener
def _fresh_clock(**kwargs) -> None:
    # gevent's loop caches the time it started at; after a slow start (imports on a busy
    # machine) the --run-time timer would be armed seconds in the past and end the run at once.
    gevent.get_hub().loop.update_now()


class Reviewer(HttpUser):
    wait_time = constant(float(WAIT)) if WAIT else between(1, 3)

    def on_start(self) -> None:
        # Log in outside the statistics: password hashing is deliberately slow, and a login
        # burst of twenty users says nothing about how the workbench serves reviewers.
        self.username = f"reviewer{next(_next_user) % USERS}"
        login = self.host + "/accounts/login/"
        with requests.Session() as session:
            page = session.get(login, timeout=30)
            token = TOKEN.search(page.text)
            if page.status_code != 200 or not token:
                raise RuntimeError(f"login page answered {page.status_code} for {self.username}")
            done = session.post(
                login,
                {
                    "username": self.username,
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": token.group(1),
                },
                headers={"Referer": login},
                timeout=30,
            )
            if done.status_code != 200 or urlsplit(done.url).path == "/accounts/login/":
                raise RuntimeError(
                    f"login as {self.username} failed: HTTP {done.status_code} at {done.url}"
                )
            self.client.cookies.update(session.cookies)
        self.claims: list[str] = []
        self.next_query = ""

    def _csrf(self) -> dict:
        return {
            "X-CSRFToken": self.client.cookies.get("csrftoken", ""),
            "Referer": self.client.base_url + "/claims/",
            "HX-Request": "true",
        }

    def _get(self, path: str, name: str, **kwargs) -> str:
        """GET a page; landing on the login page (logged out) is a failure too."""
        with self.client.get(path, name=name, catch_response=True, **kwargs) as response:
            if response.ok and urlsplit(response.url).path == "/accounts/login/":
                response.failure("sent to the login page")
            return response.text or ""

    @task(5)
    def browse_queue(self) -> None:
        if self.next_query and random.random() < 0.5:
            text = self._get(f"/claims/?{self.next_query}", "/claims/?after=…")
        else:
            params = random.choice(["", "?status=in_review", "?kind=quote", "?evidence=no"])
            text = self._get(f"/claims/{params}", "/claims/ (filters)")
        self.claims = CLAIM_LINK.findall(text)[:50] or self.claims
        found = NEXT_LINK.search(text)
        self.next_query = found.group(1).replace("&amp;", "&") if found else ""

    @task(2)
    def search(self) -> None:
        word = random.choice(["rare earth", "industry", "Xiongan", "magnet", "export quotas"])
        self._get("/claims/", "/claims/?q=…", params={"q": word})

    @task(4)
    def open_claim(self) -> None:
        if self.claims:
            self._get(f"/claims/{random.choice(self.claims)}/", "/claims/<id>/")

    @task(1)
    def add_evidence(self) -> None:
        if not self.claims:
            return
        claim = random.choice(self.claims)
        self.client.post(
            f"/claims/{claim}/corroborations/",
            {
                "stance": "supports",
                "url": f"https://example.org/{random.randrange(10**6)}",
                "outlet": "Example Wire",
                "excerpt": "Same figures reported.",
            },
            headers=self._csrf(),
            name="add evidence",
        )

    @task(1)
    def change_status(self) -> None:
        if not self.claims:
            return
        claim = random.choice(self.claims)
        self.client.post(
            f"/claims/{claim}/quick-status/",
            {"status": "in_review"},
            headers=self._csrf(),
            name="set status",
        )
