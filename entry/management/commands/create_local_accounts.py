"""Create the local accounts a new installation needs, with random passwords printed once.

No password is shipped anywhere: each is generated here, shown on the terminal the first time
and stored only as a hash. Running the command again leaves existing accounts alone.

The viewer and the reviewer belong to the seed plan's district (中原区), so they see its plan; the
administrator sees every district. A run also gives that district to an older viewer or reviewer
that has none yet.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from entry.roles import REVIEWER, VIEWER, assign_role
from targets.models import DistrictMembership

SEED_DISTRICT = "中原区"

ACCOUNTS = [
    # username, is_superuser, role
    ("admin", True, None),
    ("viewer", False, VIEWER),
    ("reviewer", False, REVIEWER),
]


class Command(BaseCommand):
    help = "Create the administrator, viewer and reviewer accounts with random passwords (first run only)."

    def handle(self, *args, **options):
        User = get_user_model()
        for username, is_superuser, role in ACCOUNTS:
            existing = User.objects.filter(username=username).first()
            if existing is not None:
                if role and not existing.district_memberships.exists():
                    DistrictMembership.objects.create(user=existing, district=SEED_DISTRICT)
                self.stdout.write(f"account {username}: already exists, password unchanged")
                continue
            password = secrets.token_urlsafe(12)
            if is_superuser:
                user = User.objects.create_superuser(username=username, password=password)
            else:
                user = User.objects.create_user(username=username, password=password)
            if role:
                assign_role(user, role)
                DistrictMembership.objects.create(user=user, district=SEED_DISTRICT)
            self.stdout.write(f"account {username}: created, password {password}  (shown only this once)")
