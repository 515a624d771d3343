"""The simulated staff of bench/load.py: 50 people of a trust at work at once.

Each simulated person is a real account of the large trust (bench/trust.py), already signed
in (and past the second step where the role needs it): bench/load.py writes their session
keys and the pages they work on to the file named by BENCH_LOAD_PLAN. Every person waits
5 to 15 seconds between steps, as someone reading a page does; choices come from a seeded
generator per person, so a run asks for the same things in the same order.

- 20 mentors: open My week, then log the oldest session still to log (if any).
- 10 coordinators: look at the referral queue, then a case page of their school.
- 15 class teachers: look at their referrals, then refer a pupil of their class who has no
  open referral or case yet.
- 5 heads: look at the termly reviews due and blocks ending.
"""

import itertools
import json
import os
import random
import re
from html.parser import HTMLParser

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["BENCH_LOAD_PLAN"]).read())  # noqa: SIM115 (read once)
SEED = 2026
SESSION_LINK = re.compile(r'href="(/cases/\d+/sessions/[0-9-]+/log/)"')


class Forms(HTMLParser):
    """The fields of each POST form of a page: [(action, {name: [values]}, {name: [choices]})]."""

    def __init__(self):
        super().__init__()
        self.forms, self.select, self.textarea = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.forms.append((a.get("action") or "", {}, {}))
        if not self.forms:
            return
        _, values, choices = self.forms[-1]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                choices.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    values.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                values.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self.select = name
            choices.setdefault(name, [])
        elif tag == "option" and self.select:
            choices[self.select].append(a.get("value", ""))
            if "selected" in a:
                values.setdefault(self.select, []).append(a.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            values[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea and self.forms:
            self.forms[-1][1][self.textarea][0] += data

    @classmethod
    def main_form(cls, html):
        """The page's biggest POST form (not the sign-out button in the header)."""
        parser = cls()
        parser.feed(html)
        return max(parser.forms, key=lambda form: len(form[1]) + len(form[2]))


class Staff(HttpUser):
    abstract = True
    # Reading a page or filling in a form: 5 to 15 seconds between steps.
    wait_time = between(5, 15)
    role = ""
    _numbers = {}

    def on_start(self):
        counter = Staff._numbers.setdefault(self.role, itertools.count())
        number = next(counter)
        self.me = PLAN[self.role][number % len(PLAN[self.role])]
        self.rng = random.Random(f"{SEED}-{self.role}-{number}")
        self.client.cookies.set(PLAN["cookie"], self.me["session"])

    def page(self, path, name=None):
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code == 200 and response.url.endswith(path):
                response.success()
            else:
                response.failure(f"{response.status_code} at {response.url}")
            return response

    def post_form(self, path, name, fill):
        """Open the form at ``path``, fill it with ``fill(values, choices)``, send it; a
        success redirects (the form shown again means it was refused)."""
        form_page = self.page(path, name=f"{name} (form)")
        if form_page.status_code != 200:
            return
        action, values, choices = Forms.main_form(form_page.text)
        fill(values, choices)
        with self.client.post(
            action or path,
            data=values,
            name=f"{name} (send)",
            catch_response=True,
            allow_redirects=False,  # timed alone, not with the page it leads to
        ) as response:
            if response.status_code == 302:
                response.success()
            else:
                response.failure(f"refused: {response.status_code} at {response.url}")


class Mentor(Staff):
    fixed_count = 20
    role = "mentor"

    @task
    def log_a_session(self):
        week = self.page("/my-week/")
        links = SESSION_LINK.findall(week.text) if week.status_code == 200 else []
        if not links:
            return

        def fill(values, choices):
            values["attendance"] = ["held"]
            values["what_was_done"] = ["Played a calm board game and talked about playtimes."]
            values["pupil_feeling"] = [self.rng.choice(choices.get("pupil_feeling") or ["4"])]
            values["next_steps"] = ["Check in with the class teacher on Friday."]

        self.post_form(links[0], "Log a session", fill)


class Coordinator(Staff):
    fixed_count = 10
    role = "coordinator"

    @task
    def triage(self):
        self.page("/referrals/")
        self.page(self.rng.choice(self.me["cases"]), name="/cases/[id]/")


class Teacher(Staff):
    fixed_count = 15
    role = "teacher"

    @task
    def refer(self):
        self.page("/referrals/mine/")
        if not self.me["pupils"]:  # everyone in the class referred: just look at the form
            self.page("/referrals/new/", name="Make a referral (form)")
            return
        pupil = self.me["pupils"].pop(0)

        def fill(values, choices):
            values["pupil"] = [str(pupil)]
            values["criteria"] = [self.rng.choice(choices["criteria"])]
            values["needs_and_strengths"] = ["Quiet in class and alone at playtimes."]
            values["already_tried"] = ["A buddy at lunch."]
            values["submit"] = ["Submit"]

        self.post_form("/referrals/new/", "Make a referral", fill)


class Head(Staff):
    fixed_count = 5
    role = "head"

    @task
    def reviews(self):
        self.page("/termly-reviews/")
