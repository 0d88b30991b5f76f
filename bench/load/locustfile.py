"""Twenty reviewers at work: browse the queue, open claims, add evidence, change status.

Used by bench/load_test.py (which starts gunicorn and locust headless); the users log in
through the login form as reviewer0 … reviewer19 with LOAD_PASSWORD.
"""

import os
import random
import re

import requests
from locust import HttpUser, between, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "load-Test-password-1")
CLAIM_LINK = re.compile(r'href="/claims/(\d+)/"')
NEXT_LINK = re.compile(r'rel="next" href="\?([^"]*)"')
_next_user = iter(range(10_000))


class Reviewer(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        # Log in outside the statistics: password hashing is deliberately slow, and a login
        # burst of twenty users says nothing about how the workbench serves reviewers.
        self.username = f"reviewer{next(_next_user) % 20}"
        with requests.Session() as session:
            page = session.get(self.host + "/accounts/login/").text
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            session.post(
                self.host + "/accounts/login/",
                {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
                headers={"Referer": self.host + "/accounts/login/"},
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

    @task(5)
    def browse_queue(self) -> None:
        if self.next_query and random.random() < 0.5:
            response = self.client.get(f"/claims/?{self.next_query}", name="/claims/?after=…")
        else:
            params = random.choice(["", "?status=in_review", "?kind=quote", "?evidence=no"])
            response = self.client.get(f"/claims/{params}", name="/claims/ (filters)")
        self.claims = CLAIM_LINK.findall(response.text)[:50] or self.claims
        found = NEXT_LINK.search(response.text)
        self.next_query = found.group(1).replace("&amp;", "&") if found else ""

    @task(2)
    def search(self) -> None:
        word = random.choice(["rare earth", "industry", "Xiongan", "magnet", "export quotas"])
        self.client.get("/claims/", params={"q": word}, name="/claims/?q=…")

    @task(4)
    def open_claim(self) -> None:
        if self.claims:
            self.client.get(f"/claims/{random.choice(self.claims)}/", name="/claims/<id>/")

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
