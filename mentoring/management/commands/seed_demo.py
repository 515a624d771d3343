"""Fill the database with a fictional school to try the app: ``manage.py seed_demo``.

A thin wrapper around ``mentoring.demo.seed``; safe to run again, it adds nothing twice.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mentoring import demo
from mentoring.models import Role


class Command(BaseCommand):
    help = "Create a fictional demo school with pupils, staff logins and cases (idempotent)."

    def handle(self, *args, **options):
        # The demo logins share a published password: never on a live system.
        if settings.PRODUCTION:
            raise CommandError("seed_demo is for trying the app; it never runs in production.")
        school = demo.seed()

        pupils = school.pupils.on_roll().count()
        classes = school.classes.count()
        self.stdout.write(
            self.style.SUCCESS(f"{school}: {pupils} pupils in {classes} classes, demo data ready.")
        )
        self.stdout.write(f"Start the server (manage.py runserver) and open {demo.URL}")
        self.stdout.write("Sign in as:")
        width = max(len(person.username) for person in demo.LOGINS)
        for person in demo.LOGINS:
            roles = ", ".join(Role(role).label for role in person.roles)
            self.stdout.write(f"  {person.username:<{width}}  {roles}")
        teachers = ", ".join(person.username for person in demo.CLASS_TEACHERS)
        self.stdout.write(f"  (the other classes' teachers: {teachers})")
        self.stdout.write(f"Password for every demo login: {demo.DEMO_PASSWORD}")
